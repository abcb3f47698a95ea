"""A self-contained HTML report of one or more runs, for co-programming meetings.

:func:`read_run` takes a run folder (written by ``allocator run``) or a scenario folder (solved in
memory); :func:`build_report` turns runs into one HTML string (charts as base64 PNG, CSS inline,
nothing fetched when it is opened); :func:`write_report` writes it atomically. Italian by
default, numbers in the language's format; every figure carries the run's provenance.

The parts: :mod:`.report_runs` (the runs), :mod:`.report_words` (the tables' columns),
:mod:`.report_sections`, :mod:`.report_partners` and :mod:`.report_negotiation` (the sections,
each a template of ``templates/`` filled with plain data), :mod:`.templating` (the autoescaped
Jinja2 environment); this module assembles them into ``templates/report.html.j2``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from allocator.i18n import _
from allocator.outputs.files import write_text_atomically
from allocator.outputs.names import REPORT_GENERATOR
from allocator.render.formats import moment
from allocator.render.plotting import check_lang
from allocator.render.report_negotiation import negotiation_sections
from allocator.render.report_partners import partners_section, status_quo, status_quo_section
from allocator.render.report_runs import ReportRun, read_run
from allocator.render.report_sections import (
    areas_table,
    charts,
    compare_section,
    funders_table,
    kpi_cards,
    map_section,
    provenance,
    strengthen_section,
    summary_section,
)
from allocator.render.templating import Markup, render

__all__ = ["CREDIT", "ReportRun", "build_report", "read_run", "write_report"]

CREDIT = "Fonte: Comune di Milano – Open Data (CC BY 4.0)"


def build_report(
    runs: Sequence[ReportRun],
    *,
    lang: str = "it",
    boundaries: str | Path | None = None,
    extra_sections: Sequence[str] = (),
) -> str:
    """The HTML report of ``runs[0]``, with the others side by side when there are several;
    ``extra_sections`` (HTML written by the package, each with its own heading) go before the
    summary document."""
    check_lang(lang)
    if not runs:
        raise ValueError("a report needs at least one run")
    run = runs[0]
    title = _("Allocation plan", lang) + f" – {run.plan_label or run.name}"
    page = render(
        "report.html.j2",
        lang,
        generator=Markup(REPORT_GENERATOR),
        title=title,
        description=run.settings.description,
        estimate_notes=(", ".join(run.data_notes) or "DATA.md") if run.estimated else None,
        sections=sections(runs, lang, boundaries, extra_sections),
        credit=CREDIT if _credits_comune(runs) else "",
        provenances=[provenance(r, lang) for r in runs],
    )
    return str(page)


def sections(
    runs: Sequence[ReportRun],
    lang: str,
    boundaries: str | Path | None,
    extra_sections: Sequence[str],
) -> list[Markup]:
    """The report's sections in order, each with its heading."""
    run = runs[0]
    border = Path(boundaries) if boundaries is not None else None
    today = status_quo(run)
    found = [
        plan_section(run, lang),
        kpi_cards(run, lang),
        status_quo_section(run, today, lang),
        map_section(run, lang, border),
        charts(run, lang),
        areas_table(run, lang),
        funders_table(run, lang),
        partners_section(run, today, lang),
        strengthen_section(run, lang),
        *negotiation_sections(run, lang),  # locks, limits, near-optimal ranges
    ]
    if len(runs) > 1:
        found.append(compare_section(runs, lang))
    found += [Markup(s) for s in extra_sections]  # the package's own sections (uncertainty)
    found.append(summary_section(run, lang))
    return found


def plan_section(run: ReportRun, lang: str) -> Markup:
    """The plan as the room set it: its name, note and date, and every setting it changed from
    the scenario's, in words (an area excluded, the money, the floor)."""
    facts = [(_("Name", lang), run.plan_label)] if run.plan_label else []
    note = str(run.provenance.get("note") or "")
    facts += [(_("Note", lang), note)] if note else []
    facts.append((_("Computed on", lang), moment(str(run.provenance.get("created") or ""), lang)))
    return render("plan.html.j2", lang, facts=facts, scenario=run.name, changes=run.changes)


def _credits_comune(runs: Sequence[ReportRun]) -> bool:
    """Whether any run rests on the Comune di Milano's open data (and must credit it)."""
    return any("comune di milano" in r.settings.description.lower() for r in runs)


def write_report(text: str, out: str | Path) -> Path:
    """Write the report atomically: a temporary file beside ``out``, then renamed."""
    return write_text_atomically(text, out)
