"""The first sheet of ``results.xlsx``: which plan this is and how it was made.

Read from the run's provenance (``run.json``, :func:`allocator.outputs.run_folder.provenance`):
the plan's name and note (``label``, ``note``, when the run has them), its date, the scenario, every
setting changed from the scenario (the ``--set`` overrides, the page's choices among them: as the
run worded them, ``changes``, else by the labels of :mod:`allocator.postprocess.labels` with areas
and partners by name), the solver's status in words, and the input files with their sha256.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from allocator.i18n import _
from allocator.inputs.settings_layers import set_value
from allocator.postprocess.labels import column_format, column_label, shown_code, status_word

Row = tuple[str, Any, str]
"""(label, value, format kind: a KPI format, ``general`` (a decimal as written: ``0,8``),
``date``, ``heading``, or "" for text)."""

TIME_ZONE = "Europe/Rome"
"""Dates are shown in Milan's time."""


def local_time(created: Any) -> datetime | None:
    """An ISO time (``2026-12-03T13:26:54+00:00``) as Milan's wall-clock time; None if not one."""
    try:
        moment = datetime.fromisoformat(str(created))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        try:
            from zoneinfo import ZoneInfo

            moment = moment.astimezone(ZoneInfo(TIME_ZONE))
        except (ImportError, KeyError, OSError):  # no time zone data: the time as recorded
            pass
    return moment.replace(tzinfo=None)


def override_row(override: str, lang: str, names: Mapping[str, Mapping[str, str]]) -> Row:
    """One ``key=value`` override (``budget.scale=0.8``) as (its label, its value, its format),
    for a run whose provenance has no ``changes`` in words."""
    key, _sep, text = override.partition("=")
    key = key.strip()
    try:
        value: Any = set_value(text.strip())
    except ValueError:
        value = text.strip()
    label = column_label(key, lang, names=names)
    kind = column_format(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return label, shown_code(key, value, lang, names=names), ""
    if kind == "text":
        return label, value, ""
    return label, value, "general" if kind == "decimal" else kind


def change_row(change: str) -> Row:
    """One change in words (``Quartieri esclusi: San Siro``) as (what, how)."""
    what, _sep, how = change.partition(": ")
    return (what, how, "") if how else (change, None, "")


def _text(value: Any, missing: str) -> str:
    return str(value) if value not in (None, "") else missing


def settings_rows(
    run: Mapping[str, Any], lang: str, names: Mapping[str, Mapping[str, str]]
) -> list[Row]:
    """The rows of the settings sheet from the provenance ``run``."""
    missing = _("not given", lang)
    solver = run.get("solver") or {}
    versions = run.get("versions") or {}
    created = local_time(run.get("created")) if run.get("created") else None
    rows: list[Row] = [
        (_("Plan name", lang), _text(run.get("label"), missing), ""),
        (_("Note", lang), _text(run.get("note"), ""), ""),
        (_("Date", lang), created or missing, "date" if created else ""),
        (_("Scenario", lang), _text(run.get("scenario"), missing), ""),
        (_("Description", lang), _text(run.get("description"), ""), ""),
        (
            _("Solver status", lang),
            status_word(solver.get("status"), lang) if solver.get("status") else missing,
            "",
        ),
        (
            _("Solver", lang),
            " ".join(str(v) for v in (solver.get("name"), versions.get("solver")) if v) or missing,
            "",
        ),
        (_("allocator version", lang), versions.get("allocator"), ""),
        (
            _("Settings changed from the scenario", lang),
            None,
            "heading",
        ),
    ]
    overrides = list(run.get("overrides") or [])
    changes = run.get("changes")
    if isinstance(changes, list) and len(changes) == len(overrides):  # worded by the run
        rows += [change_row(str(c)) for c in changes]
    else:
        rows += [override_row(str(o), lang, names) for o in overrides]
    if not overrides:
        rows.append((_("none", lang), None, ""))
    rows.append((_("Input files", lang), "sha256", "heading"))
    inputs = run.get("inputs") or {}
    rows += [(str(path), str(digest), "") for path, digest in inputs.items()]
    if not inputs:
        rows.append((missing, None, ""))
    return rows
