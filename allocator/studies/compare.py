"""Scenarios side by side, for co-programming meetings: KPIs, areas, interventions, partners.

:func:`compare_plans` turns plans (of scenarios, or rules of thumb) into tables, each with the
differences to the first plan; :func:`allocator.render.comparison.write_comparison` writes them as
a workbook, CSV files and a Markdown summary (in Italian, for the minutes), atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from allocator.optimization.pipeline import RunResult
from allocator.outputs.archive import PARTNER_NAMES, ArchivedRun
from allocator.postprocess.kpis import KPIS
from allocator.postprocess.results import Plan, frames_by_name

DELTA = "Δ "
"""Prefix of a difference column: the value minus the first plan's."""

SHARE_KPIS = {kpi.key for kpi in KPIS if kpi.format == "share"}
"""KPIs written as percentages (differences in percentage points)."""


@dataclass(frozen=True)
class RuleApplied:
    """A rule of thumb's plan in a comparison: applied to the first plan's inputs, with its cuts."""

    rule: str
    """The rule's id (:data:`allocator.studies.rules.RULES`)."""
    applied_to: str
    """The label of the plan whose inputs the rule was applied to."""
    cuts: int
    """How many cuts keep it within the limits."""


Description = str | RuleApplied
"""What a comparison says of a plan: its note as written, or the rule of thumb it applies
(:func:`allocator.render.comparison.summary_markdown` words it)."""


@dataclass(frozen=True)
class Comparison:
    """Every view of a comparison; the first label is the reference of every Δ column."""

    labels: tuple[str, ...]
    kpis: pd.DataFrame
    """kpi, one column per plan, then Δ columns."""
    areas: pd.DataFrame
    """Per area: need; served, coverage and cost per plan; their Δ."""
    interventions: pd.DataFrame
    """Per intervention: need; served and coverage per plan; their Δ."""
    partners: pd.DataFrame
    """Per partner: beneficiaries and euros received per plan; their Δ."""
    winners_losers: pd.DataFrame
    """Per plan after the first: the areas and partners gaining and losing most."""
    objective_compared: bool = True
    """False when the plans' objectives weigh equity differently: the KPI ``objective`` is then
    left out of :attr:`kpis` (numbers that do not measure the same thing are not set side by
    side)."""
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Kind (``intervention``, ``role``) → id → name, where the plans' inputs or records name
    them."""

    @property
    def intervention_names(self) -> Mapping[str, str]:
        return self.names.get("intervention", {})

    @property
    def role_names(self) -> Mapping[str, str]:
        return self.names.get("role", {})

    def tables(self) -> dict[str, pd.DataFrame]:
        """The frames by sheet name, in order."""
        return frames_by_name(
            self, ("kpis", "areas", "interventions", "partners", "winners_losers")
        )


OBJECTIVE_TERMS = ("equity_weight", "equity_measure", "equity_share")
"""The policy settings the KPI ``objective`` depends on besides the plan itself."""


def comparable_objectives(policies: Iterable[Mapping[str, Any] | None]) -> bool:
    """Whether plans' objectives measure the same thing: their policies (as run.json records
    them, or ``Policy.model_dump(mode="json")``) agree on :data:`OBJECTIVE_TERMS`. A policy not
    known (None) makes them not comparable."""
    terms = set()
    for policy in policies:
        if policy is None:
            return False
        weight = float(policy.get("equity_weight") or 0.0)
        # without weight on equity, its measure and share do not enter the objective
        terms.add(tuple(str(policy.get(key)) for key in OBJECTIVE_TERMS) if weight else (0.0,))
    return len(terms) <= 1


def unique_labels(names: list[str]) -> list[str]:
    """Names made unique by numbering repeats: ['a', 'a'] → ['a', 'a (2)']."""
    seen: dict[str, int] = {}
    labels = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return labels


def kpi_rows(plan: Plan) -> dict[str, Any]:
    """The plan's KPIs as flat rows: staff_fte becomes one row per role."""
    rows: dict[str, Any] = {}
    for key, value in plan.kpis.items():
        if isinstance(value, dict):
            rows.update({f"{key}.{role}": fte for role, fte in value.items()})
        else:
            rows[key] = value
    return rows


def compare_plans(
    plans: Mapping[str, Plan],
    partner_names: Mapping[str, str] | None = None,
    top: int = 5,
    objective_compared: bool = True,
    names_by_kind: Mapping[str, Mapping[str, str]] | None = None,
) -> Comparison:
    """Compare plans by label; the first is the reference of every difference.

    ``objective_compared``: False when the plans' objectives weigh equity differently (see
    :func:`comparable_objectives`); the KPI ``objective`` is then left out.
    """
    if not plans:
        raise ValueError("nothing to compare")
    labels = tuple(plans)
    kpis = _kpi_view(plans)
    if not objective_compared:
        kpis = kpis[kpis["kpi"] != "objective"].reset_index(drop=True)
    return Comparison(
        labels=labels,
        kpis=kpis,
        areas=_area_view(plans),
        interventions=_intervention_view(plans),
        partners=_partner_view(plans, partner_names or {}),
        winners_losers=_winners_losers(plans, partner_names or {}, top),
        objective_compared=objective_compared,
        names=dict(names_by_kind or {}),
    )


def _with_deltas(frame: pd.DataFrame, measures: list[str], labels: tuple[str, ...]) -> pd.DataFrame:
    """Add Δ columns (value − the first label's) for each measure, each later label."""
    first = labels[0]
    for label in labels[1:]:
        for measure in measures:
            frame[f"{DELTA}{measure} {label}"] = (
                frame[f"{measure} {label}"] - frame[f"{measure} {first}"]
            )
    return frame


def _kpi_view(plans: Mapping[str, Plan]) -> pd.DataFrame:
    rows = {label: kpi_rows(plan) for label, plan in plans.items()}
    keys = list(dict.fromkeys(k for r in rows.values() for k in r))
    frame = pd.DataFrame({"kpi": keys})
    for label, values in rows.items():
        frame[label] = [values.get(k) for k in keys]
    labels = tuple(plans)
    for label in labels[1:]:
        frame[f"{DELTA}{label}"] = [
            values - ref
            if isinstance(values, int | float) and isinstance(ref, int | float)
            else None
            for values, ref in zip(frame[label], frame[labels[0]], strict=True)
        ]
    return frame


def _served_view(plans: Mapping[str, Plan], key: str, with_cost: bool) -> pd.DataFrame:
    """Need, served, coverage (and cost) per ``key`` (area_id or intervention_id), per plan."""
    labels = tuple(plans)
    merged: pd.DataFrame | None = None
    for label, plan in plans.items():
        part = plan.area_interventions.groupby(key)[["need", "served", "cost"]].sum()
        if key == "area_id":  # staff costs count in the area's cost
            part["cost"] = plan.areas.set_index("area_id")["cost"]
        part = pd.DataFrame(
            {
                f"need {label}": part["need"],
                f"served {label}": part["served"],
                f"coverage {label}": (part["served"] / part["need"]).where(part["need"] > 0, 0.0),
                **({f"cost {label}": part["cost"]} if with_cost else {}),
            }
        )
        merged = part if merged is None else merged.join(part, how="outer")
    assert merged is not None
    merged = merged.fillna(0.0)
    merged.insert(0, "need", merged[[f"need {label}" for label in labels]].max(axis=1))
    merged = merged.drop(columns=[f"need {label}" for label in labels])
    measures = ["served", "coverage", *(["cost"] if with_cost else [])]
    return _with_deltas(merged, measures, labels).reset_index()


def _area_view(plans: Mapping[str, Plan]) -> pd.DataFrame:
    frame = _served_view(plans, "area_id", with_cost=True)
    names: dict[str, str] = {}
    for plan in plans.values():
        names.update(plan.areas.set_index("area_id")["name"].to_dict())
    frame.insert(1, "name", frame["area_id"].map(names).fillna(""))
    return frame


def _intervention_view(plans: Mapping[str, Plan]) -> pd.DataFrame:
    return _served_view(plans, "intervention_id", with_cost=False)


def _partner_view(plans: Mapping[str, Plan], names: Mapping[str, str]) -> pd.DataFrame:
    labels = tuple(plans)
    merged: pd.DataFrame | None = None
    for label, plan in plans.items():
        part = plan.allocation.groupby("partner_id")[["beneficiaries", "funded_cost"]].sum()
        part.columns = [f"beneficiaries {label}", f"euros {label}"]
        merged = part if merged is None else merged.join(part, how="outer")
    assert merged is not None
    merged = _with_deltas(merged.fillna(0.0), ["beneficiaries", "euros"], labels).reset_index()
    if merged.empty:
        merged = pd.DataFrame(columns=["partner_id", *merged.columns[1:]])
    merged.insert(1, "name", merged["partner_id"].map(dict(names)).fillna(""))
    return merged


def _winners_losers(
    plans: Mapping[str, Plan], partner_names: Mapping[str, str], top: int
) -> pd.DataFrame:
    """The ``top`` areas and partners gaining and losing most beneficiaries, per later plan."""
    labels = tuple(plans)
    areas = _area_view(plans)
    partners = _partner_view(plans, partner_names)
    rows = []
    for label in labels[1:]:
        for kind, frame, ident, gained, euros in (
            ("area", areas, "area_id", f"{DELTA}served {label}", f"{DELTA}cost {label}"),
            (
                "partner",
                partners,
                "partner_id",
                f"{DELTA}beneficiaries {label}",
                f"{DELTA}euros {label}",
            ),
        ):
            ranked = frame.sort_values([gained, ident], ascending=[False, True])
            for side, part in (
                ("gains", ranked[ranked[gained] > 1e-6].head(top)),
                ("loses", ranked[ranked[gained] < -1e-6].iloc[::-1].head(top)),
            ):
                rows += [
                    {
                        "scenario": label,
                        "versus": labels[0],
                        "kind": kind,
                        "side": side,
                        "id": frame.at[index, ident],
                        "name": frame.at[index, "name"],
                        "delta_beneficiaries": float(frame.at[index, gained]),
                        "delta_euros": float(frame.at[index, euros]),
                    }
                    for index in part.index
                ]
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "versus",
            "kind",
            "side",
            "id",
            "name",
            "delta_beneficiaries",
            "delta_euros",
        ],
    )


def compare_results(
    results: Sequence[RunResult], with_rules: bool = False
) -> tuple[Comparison, dict[str, Description]]:
    """Compare solved runs (each with a plan), with the first one's rules of thumb if asked.

    Returns the comparison and each label's description (for the summary).
    """
    from allocator.studies.compare_inputs import compare_many, from_result

    return compare_many([from_result(r) for r in results], with_rules=with_rules)


def compare_archived(runs: Sequence[ArchivedRun]) -> tuple[Comparison, dict[str, Description]]:
    """Archived plans compared as they were recorded (no re-solve), each labelled by its title
    and its partners named as recorded; with each plan's note, to describe it."""
    labels = unique_labels([run.title for run in runs])
    names: dict[str, str] = {}
    kinds: dict[str, dict[str, str]] = {"intervention": {}, "role": {}}
    for run in runs:
        partners = run.tables.get(PARTNER_NAMES)
        if partners is not None:
            names.update(zip(partners["partner_id"], partners["name"], strict=True))
        kept = run.tables.get("names")
        if kept is not None:
            for kind, found in kinds.items():
                rows = kept[kept["kind"] == kind]
                found.update(zip(rows["id"].astype(str), rows["name"], strict=True))
    plans = {label: run.plan() for label, run in zip(labels, runs, strict=True)}
    descriptions: dict[str, Description] = {
        label: run.note for label, run in zip(labels, runs, strict=True)
    }
    comparable = comparable_objectives(run.settings.get("policy") for run in runs)
    compared = compare_plans(plans, names, objective_compared=comparable, names_by_kind=kinds)
    return compared, descriptions
