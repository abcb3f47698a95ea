"""Checks across rows and tables: duplicate keys, references to other tables, cofunding."""

from __future__ import annotations

from allocator.i18n import _
from allocator.inputs.checking import CheckedTable
from allocator.inputs.problems import Collector, among, suggest
from allocator.inputs.schema import STAFF_PREFIX, WILDCARD, Capacity, Intervention
from allocator.inputs.tables import TABLES_BY_NAME


def cross_checks(log: Collector, checked: dict[str, CheckedTable]) -> None:
    for result in checked.values():
        if result.complete:
            _duplicates(log, result)
    for result in checked.values():
        if result.complete:
            _references(log, result, checked)
    _cofunding(log, checked)


def _duplicates(log: Collector, result: CheckedTable) -> None:
    key = result.source.table.key
    first: dict[tuple[str, ...], int] = {}
    for row in result.rows:
        values = tuple(row.cells[c] for c in key)
        if not all(values) or row.bad.intersection(key):
            continue
        if values in first:
            log.problem(
                result.label,
                f"duplicate row: the same {' and '.join(key)} as row {first[values]}",
                row=row.number,
                column=", ".join(key),
                value=values[0] if len(values) == 1 else ", ".join(values),
                expected=f"one row per {', '.join(key)}",
            )
        else:
            first[values] = row.number


def _references(log: Collector, result: CheckedTable, checked: dict[str, CheckedTable]) -> None:
    table = result.source.table
    for reference in table.references:
        target_table = TABLES_BY_NAME[reference.table]
        target = checked.get(reference.table)
        if target is None and target_table.required:
            continue  # its absence is reported already
        if target is not None and not target.complete:
            continue
        known = target.ids() if target is not None else set()
        where = target.label if target is not None else target_table.file_name
        staff = checked.get("staff")
        roles = staff.ids() if staff is not None and staff.complete else set()
        for row in result.rows:
            value = row.cells.get(reference.column, "")
            if reference.column in row.bad:
                continue
            if not value or (reference.wildcard and value == WILDCARD):
                continue
            if reference.staff_items and value.startswith(STAFF_PREFIX):
                role = value.removeprefix(STAFF_PREFIX)
                if (staff is not None and not staff.complete) or role in roles:
                    continue
                listed = ", ".join(sorted(roles)) or _("none given")
                message = _("no staff role '{role}' in staff.csv").format(role=role) + suggest(
                    role, roles
                )
                expected = _("staff:<role_id> with a role_id of staff.csv ({listed})").format(
                    listed=listed
                )
            elif value in known:
                continue
            else:
                column = target_table.key[0]
                message = _("no {column} '{value}' in {where}").format(
                    column=column, value=value, where=where
                ) + suggest(value, known)
                expected = among(column, where, known, reference.wildcard)
            log.problem(
                result.label,
                message,
                row=row.number,
                column=reference.column,
                value=value,
                expected=expected,
            )


def _cofunding(log: Collector, checked: dict[str, CheckedTable]) -> None:
    capacities, interventions = checked.get("capacities"), checked.get("interventions")
    if capacities is None or interventions is None:
        return
    cost: dict[str, float] = {}
    for model in interventions.models():
        assert isinstance(model, Intervention)
        cost[model.intervention_id] = model.unit_cost
    for row in capacities.rows:
        capacity = row.model
        if not isinstance(capacity, Capacity):
            continue
        unit_cost = capacity.unit_cost
        if unit_cost is None:
            unit_cost = cost.get(capacity.intervention_id)
        if unit_cost is not None and capacity.cofunding_per_beneficiary > unit_cost:
            log.problem(
                capacities.label,
                f"cofunding per beneficiary is more than the unit cost ({unit_cost:g})",
                row=row.number,
                column="cofunding_per_beneficiary",
                value=row.cells["cofunding_per_beneficiary"],
                expected=f"at most the unit cost, {unit_cost:g}",
            )
