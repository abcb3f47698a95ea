"""A self-contained HTML report of one or more runs, for co-programming meetings.

:func:`read_run` takes a run folder (written by ``allocator run``) or a scenario folder (solved in
memory); :func:`build_report` turns runs into one HTML string (charts as base64 PNG, CSS inline,
nothing fetched when it is opened); :func:`write_report` writes it atomically. Italian by
default, numbers in the language's format; every figure carries the run's provenance.

The parts: :mod:`.report_runs` (the runs), :mod:`.report_words` (words),
:mod:`.report_sections` (the HTML sections); this module assembles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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
    e,
    funders_table,
    kpi_cards,
    map_section,
    provenance,
    strengthen_section,
    summary_section,
)
from allocator.render.report_words import WORDS

__all__ = ["CREDIT", "ReportRun", "build_report", "read_run", "write_report"]

CREDIT = "Fonte: Comune di Milano – Open Data (CC BY 4.0)"


STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 20px; line-height: 1.45;
  color: #1a1a1a; background: #ffffff; margin: 0 auto; max-width: 1500px; padding: 24px 40px; }
h1 { font-size: 40px; margin: 0 0 4px; color: #0d3b66; }
h2 { font-size: 30px; margin-top: 48px; border-bottom: 3px solid #0d3b66; color: #0d3b66; }
h3 { font-size: 24px; margin-bottom: 6px; }
.subtitle { font-size: 22px; color: #333333; margin: 0 0 12px; }
.note { background: #fff4d6; border-left: 6px solid #d9822b; padding: 10px 16px; }
.badge { display: inline-block; background: #d9822b; color: #ffffff; font-size: 15px;
  font-weight: bold; padding: 1px 8px; border-radius: 10px; vertical-align: middle; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 14px; }
.card { border: 2px solid #c9ced6; border-radius: 10px; padding: 12px 16px; background: #f6f8fb; }
.card .value { font-size: 34px; font-weight: bold; color: #0d3b66; }
.card .label { font-size: 18px; color: #333333; }
img.chart, img.map { display: block; width: 100%; height: auto; margin: 18px 0; }
table { border-collapse: collapse; width: 100%; margin: 12px 0 24px; font-size: 19px; }
th { background: #0d3b66; color: #ffffff; padding: 8px 10px; }
td { padding: 7px 10px; border-bottom: 1px solid #c9ced6; }
tbody tr:nth-child(even) { background: #f2f4f7; }
.num { text-align: right; white-space: nowrap; }
.text { text-align: left; }
footer { margin-top: 48px; font-size: 16px; color: #333333; border-top: 2px solid #c9ced6; }
.hashes { columns: 2; font-size: 14px; }
code { font-size: 14px; }
"""

WATCH = """
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
document.addEventListener("DOMContentLoaded", function () {
  document.body.setAttribute("data-rendered", "yes");
  document.body.setAttribute("data-errors", String(window.__errors.length));
});
"""
"""A tiny inline script: marks the page rendered and counts script errors (for the tests)."""


def build_report(
    runs: Sequence[ReportRun],
    *,
    lang: str = "it",
    boundaries: str | Path | None = None,
    extra_sections: Sequence[str] = (),
) -> str:
    """The HTML report of ``runs[0]``, with the others side by side when there are several;
    ``extra_sections`` (HTML, each with its own heading) go before the summary document."""
    check_lang(lang)
    if not runs:
        raise ValueError("a report needs at least one run")
    run = runs[0]
    words = WORDS[lang]
    border = Path(boundaries) if boundaries is not None else None
    notes = run.data_notes
    estimate_note = ""
    if run.estimated:
        cited = ", ".join(notes) or "DATA.md"
        estimate_note = (
            f'<p class="note"><span class="badge">{e(words["estimate"])}</span> '
            f"{e(words['estimate_note'].format(notes=cited))}</p>"
        )
    credit = f"<p><strong>{e(CREDIT)}</strong></p>" if _credits_comune(runs) else ""
    today = status_quo(run)
    sections = [
        f'<h2 id="plan">{e(words["plan"])}</h2>{plan_section(run, lang)}',
        f"<h2>{e(words['kpis'])}</h2>{kpi_cards(run, lang)}",
        f'<h2 id="status-quo">{e(words["status_quo"])}</h2>{status_quo_section(run, today, lang)}',
        f"<h2>{e(words['map'])}</h2>{map_section(run, lang, border)}",
        f"<h2>{e(words['charts'])}</h2>{charts(run, lang)}",
        f"<h2>{e(words['areas'])}</h2>{areas_table(run, lang)}",
        f"<h2>{e(words['funders'])}</h2>{funders_table(run, lang)}",
        f'<h2 id="partners">{e(words["partners"])}</h2>{partners_section(run, today, lang)}',
        f"<h2>{e(words['strengthen'])}</h2>{strengthen_section(run, lang)}",
    ]
    sections += negotiation_sections(run, lang)  # locks, limits, near-optimal ranges
    if len(runs) > 1:
        sections.append(f"<h2>{e(words['compare'])}</h2>{compare_section(runs, lang)}")
    sections.extend(extra_sections)
    sections.append(f'<h2 id="summary">{e(words["summary"])}</h2>{summary_section(run, lang)}')
    footer = "".join(provenance(r, lang) for r in runs)
    title = f"{words['title']} – {run.plan_label or run.name}"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{REPORT_GENERATOR}'
        f"<title>{e(title)}</title><style>{STYLE}</style><script>{WATCH}</script></head>"
        f"<body><header><h1>{e(title)}</h1>"
        f'<p class="subtitle">{e(words["subtitle"])}</p>'
        f"<p>{e(run.settings.description)}</p>{estimate_note}</header>"
        f"<main>{''.join(sections)}</main>"
        f"<footer><h2>{e(words['provenance'])}</h2>{credit}{footer}</footer>"
        "</body></html>\n"
    )


def plan_section(run: ReportRun, lang: str) -> str:
    """The plan as the room set it: its name, note and date, and every setting it changed from
    the scenario's, in words (an area excluded, the money, the floor)."""
    words = WORDS[lang]
    facts = [(words["plan_name"], run.plan_label)] if run.plan_label else []
    note = str(run.provenance.get("note") or "")
    facts += [(words["plan_note"], note)] if note else []
    facts.append((words["plan_date"], moment(str(run.provenance.get("created") or ""), lang)))
    listed = "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in facts)
    scenario = {"scenario": run.name}
    if not run.changes:
        return f"<ul>{listed}</ul><p>{e(words['plan_unchanged'].format(**scenario))}</p>"
    changes = "".join(f"<li>{e(c)}</li>" for c in run.changes)
    return (
        f"<ul>{listed}</ul><p>{e(words['plan_changes'].format(**scenario))}</p>"
        f'<ul id="plan-changes">{changes}</ul>'
    )


def _credits_comune(runs: Sequence[ReportRun]) -> bool:
    """Whether any run rests on the Comune di Milano's open data (and must credit it)."""
    return any("comune di milano" in r.settings.description.lower() for r in runs)


def write_report(text: str, out: str | Path) -> Path:
    """Write the report atomically: a temporary file beside ``out``, then renamed."""
    return write_text_atomically(text, out)
