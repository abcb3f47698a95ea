"""A self-contained HTML report of one or more runs, for co-programming meetings.

:func:`read_run` takes a run folder (written by ``allocator run``) or a scenario folder (solved in
memory); :func:`build_report` turns runs into one HTML string (charts as base64 PNG, CSS inline,
nothing fetched when it is opened); :func:`write_report` writes it atomically. Italian by
default, numbers in the language's format; every figure carries the run's provenance.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.errors import UsageError
from allocator.inputs.schema import Settings
from allocator.outputs.atomic import write_text_atomically
from allocator.outputs.names import KPIS_FILE, REPORT_TABLES, RUN_FILE, is_run_folder, table_file
from allocator.outputs.table_io import read_table
from allocator.postprocess.explain import LIMIT_LABELS, explain, number
from allocator.render.maps import MapKeys, area_map
from allocator.render.plotting import (
    check_lang,
    coverage_by_area,
    efficiency_equity_frontier,
    funders_spending,
    png,
    served_versus_need,
)

CREDIT = "Fonte: Comune di Milano – Open Data (CC BY 4.0)"
ESTIMATE_MARKERS = ("estimat", "synthetic", "stima", "sintetic")
"""Words in a scenario's description that mark its figures as estimates."""


@dataclass
class ReportRun:
    """One run as the report reads it, from a run folder or solved in memory."""

    name: str
    source: str
    kpis: dict[str, Any]
    areas: pd.DataFrame
    area_interventions: pd.DataFrame
    funders: pd.DataFrame
    provenance: dict[str, Any]
    settings: Settings
    intervention_names: dict[str, str] = field(default_factory=dict)
    staff_names: dict[str, str] = field(default_factory=dict)
    """Role id → name, for the staff KPIs."""
    limits: pd.DataFrame | None = None
    strengthen: pd.DataFrame | None = None
    sentences: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The scenario's name, with the ``--set`` overrides of this run if any."""
        overrides = self.provenance.get("overrides") or []
        return f"{self.name} ({', '.join(overrides)})" if overrides else self.name

    @property
    def estimated(self) -> bool:
        """Whether the scenario says its figures are estimates or synthetic."""
        text = f"{self.name} {self.settings.description}".lower()
        return any(marker in text for marker in ESTIMATE_MARKERS)

    @property
    def data_notes(self) -> list[str]:
        """The DATA.md files beside the run's input files (where the estimates are explained)."""
        folders = {Path(p).parent for p in self.provenance.get("inputs", {})}
        return sorted(_shown_path(f / "DATA.md") for f in folders if (f / "DATA.md").is_file())


def _shown_path(path: Path) -> str:
    """A path relative to the working folder when it lies below it, else from ``scenarios/``."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        parts = resolved.parts
        start = parts.index("scenarios") if "scenarios" in parts else max(len(parts) - 3, 0)
        return str(Path(*parts[start:]))


def read_run(path: str | Path | None, overrides: Sequence[str] = (), lang: str = "it") -> ReportRun:
    """A run folder (holding run.json) as written, or a scenario folder solved now.

    ``None`` solves the bundled Milan scenario; ``overrides`` apply to scenarios only.
    """
    folder = None if path is None else Path(path)
    if folder is not None and is_run_folder(folder):
        return _read_run_folder(folder)
    return _solve_scenario(folder, overrides, lang)


def _read_run_folder(folder: Path) -> ReportRun:
    def table(name: str) -> pd.DataFrame | None:
        file = folder / table_file(name)
        return read_table(file) if file.is_file() else None

    provenance = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    kpis = json.loads((folder / KPIS_FILE).read_text(encoding="utf-8"))
    frames = {n: table(n) for n in REPORT_TABLES}
    missing = [table_file(n) for n, frame in frames.items() if frame is None]
    if missing:
        raise UsageError(f"the run folder {folder} lacks {', '.join(missing)}")
    limits = table("limits")
    names: dict[str, str] = {}
    if limits is not None:
        names = dict(zip(limits["intervention_id"], limits["intervention_name"], strict=True))
    names.update(_input_names(provenance, "interventions.csv", "intervention_id"))
    return ReportRun(
        name=str(provenance.get("scenario", folder.name)),
        source=str(folder),
        kpis=kpis,
        areas=frames["areas"],
        area_interventions=frames["area_interventions"],
        funders=frames["funders"],
        provenance=provenance,
        settings=Settings.model_validate(provenance.get("settings") or {"name": folder.name}),
        intervention_names=names,
        staff_names=_input_names(provenance, "staff.csv", "role_id"),
        limits=limits,
        strengthen=table("strengthen"),
    )


def _input_names(provenance: dict[str, Any], file_name: str, id_column: str) -> dict[str, str]:
    """Id → name from one of the run's input tables, when the file is still there."""
    names: dict[str, str] = {}
    for file in provenance.get("inputs", {}):
        if Path(file).name == file_name and Path(file).is_file():
            listed = pd.read_csv(file, dtype=str, keep_default_na=False)
            if {id_column, "name"} <= set(listed.columns):
                names.update(zip(listed[id_column], listed["name"], strict=True))
    return names


def _solve_scenario(folder: Path | None, overrides: Sequence[str], lang: str) -> ReportRun:
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.pipeline import run_scenario
    from allocator.outputs.run_folder import provenance

    scenario = load_scenario(folder, overrides)
    result = run_scenario(scenario)
    if result.plan is None:
        reasons = "; ".join(result.explanation)
        raise UsageError(
            f"scenario '{scenario.name}' has no plan ({result.status.value}): {reasons}"
        )
    why = explain(result, lang=lang, confirm=False)
    plan = result.plan
    return ReportRun(
        name=scenario.name,
        source=str(folder or "scenarios/milano"),
        kpis=plan.kpis,
        areas=plan.areas,
        area_interventions=plan.area_interventions,
        funders=plan.funders,
        provenance=provenance(result, list(overrides)),
        settings=scenario.settings,
        intervention_names={i.intervention_id: i.name for i in scenario.interventions},
        staff_names={r.role_id: r.name for r in scenario.staff},
        limits=why.limits,
        strengthen=why.strengthen,
        sentences=why.sentences,
    )


# --------------------------------------------------------------------------- words and numbers

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "title": "Piano di allocazione",
        "subtitle": "Contrasto alla povertà minorile – documento per la co-programmazione",
        "estimate": "Stima",
        "estimate_note": "Bisogni, costi e partner di questo scenario sono stime o dati sintetici, "
        "non statistiche ufficiali del Comune o di QuBì: vedere {notes}.",
        "kpis": "Indicatori principali",
        "map": "Mappa della copertura",
        "charts": "Grafici",
        "areas": "Quartieri",
        "funders": "Finanziatori",
        "strengthen": "Dove rafforzare",
        "strengthen_none": "Nessun quartiere è limitato da partner o personale: dove il bisogno "
        "resta scoperto, mancano fondi.",
        "strengthen_missing": "La spiegazione non è nella cartella del risultato: eseguire "
        "`allocator run --explain` per includerla.",
        "limits": "Cosa limita il piano",
        "compare": "Confronto tra scenari",
        "summary": "Documento di sintesi",
        "needs_found": "Bisogni rilevati",
        "resources": "Risorse disponibili",
        "proposal": "Aree di intervento proposte",
        "open": "Questioni aperte",
        "provenance": "Provenienza dei dati",
        "unmatched": "Quartieri non disegnati",
        "status": "Stato del calcolo",
        "optimal": "ottimo",
        "feasible": "ammissibile (ottimalità non dimostrata)",
        "created": "calcolato il",
        "solver": "risolutore",
        "inputs": "file di input (sha256)",
        "overrides": "modifiche",
        "public": "pubblico",
        "private": "privato",
        "yes": "sì",
        "no": "no",
        "kpi": "Indicatore",
    },
    "en": {
        "title": "Allocation plan",
        "subtitle": "Tackling child poverty – a document for co-programming",
        "estimate": "Estimate",
        "estimate_note": "Needs, costs and partners in this scenario are estimates or synthetic "
        "data, not official statistics of the Comune or QuBì: see {notes}.",
        "kpis": "Key figures",
        "map": "Coverage map",
        "charts": "Charts",
        "areas": "Areas",
        "funders": "Funders",
        "strengthen": "Where to strengthen",
        "strengthen_none": "No area is held back by partners or staff: where need stays unmet, "
        "money is missing.",
        "strengthen_missing": "The run folder holds no explanation: run `allocator run --explain` "
        "to include it.",
        "limits": "What limits the plan",
        "compare": "Scenarios side by side",
        "summary": "Summary document",
        "needs_found": "Needs identified",
        "resources": "Resources available",
        "proposal": "Proposed intervention areas",
        "open": "What remains open",
        "provenance": "Provenance",
        "unmatched": "Areas not drawn",
        "status": "Solver status",
        "optimal": "optimal",
        "feasible": "feasible (optimality not proven)",
        "created": "computed on",
        "solver": "solver",
        "inputs": "input files (sha256)",
        "overrides": "overrides",
        "public": "public",
        "private": "private",
        "yes": "yes",
        "no": "no",
        "kpi": "Key figure",
    },
}

KPI_ROWS: tuple[tuple[str, str, str, str, bool], ...] = (
    # key, Italian, English, format, estimate
    ("beneficiaries_served", "Beneficiari serviti", "Beneficiaries served", "count", True),
    ("need_total", "Bisogno stimato", "Estimated need", "count", True),
    ("coverage", "Copertura del bisogno", "Coverage of need", "share", True),
    ("weighted_coverage", "Copertura ponderata", "Weighted coverage", "share", True),
    ("min_area_coverage", "Quartiere meno coperto", "Least-covered area", "share", True),
    ("unmet_need", "Bisogno non coperto", "Unmet need", "count", True),
    ("budget_total", "Fondi disponibili", "Money available", "euro", False),
    ("funded", "Spesa dei finanziatori", "Funders' spending", "euro", False),
    ("budget_used_share", "Quota dei fondi usata", "Share of money used", "share", False),
    ("funded_public", "di cui pubblico", "of which public", "euro", False),
    ("funded_private", "di cui privato", "of which private", "euro", False),
    ("cofunding", "Cofinanziamento dei partner", "Partners' cofunding", "euro", True),
    ("partners_engaged", "Partner coinvolti", "Partners engaged", "count", False),
    ("partners_excluded", "Partner esclusi dall'avviso", "Partners excluded", "count", False),
    ("objective", "Obiettivo (0-1)", "Objective (0-1)", "decimal", False),
)
"""The KPIs shown, in order: kpis.json key, labels, format, whether it rests on estimates."""


def _fmt(value: Any, kind: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if kind == "share":
        return f"{number(100 * float(value), lang, 1)}%"
    if kind == "euro":
        return f"{number(float(value), lang)} €"
    if kind == "decimal":
        return number(float(value), lang, 3)
    if kind == "fte":
        return number(float(value), lang, 1)
    return number(float(value), lang)


def _e(text: Any) -> str:
    return html.escape(str(text))


def _kpi_label(key: str, lang: str) -> str:
    for row in KPI_ROWS:
        if row[0] == key:
            return row[1] if lang == "it" else row[2]
    return key


def _badge(run: ReportRun, estimate: bool, lang: str) -> str:
    if not (estimate and run.estimated):
        return ""
    return f' <span class="badge">{_e(WORDS[lang]["estimate"])}</span>'


def _image(data: bytes, alt: str, element_id: str, css: str = "chart") -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<img id="{element_id}" class="{css}" alt="{_e(alt)}" '
        f'src="data:image/png;base64,{encoded}">'
    )


Column = tuple[str, str, str]
"""(frame column, header, format: text, count, share, euro, fte)."""


def _table(frame: pd.DataFrame, columns: Sequence[Column], lang: str, table_id: str) -> str:
    head = "".join(
        f'<th class="{"text" if kind == "text" else "num"}">{_e(h)}</th>' for _, h, kind in columns
    )
    body = []
    for _, row in frame.iterrows():
        cells = "".join(
            f'<td class="text">{_e(row[c])}</td>'
            if kind == "text"
            else f'<td class="num">{_fmt(row[c], kind, lang)}</td>'
            for c, _, kind in columns
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


# --------------------------------------------------------------------------- sections


def _kpi_cards(run: ReportRun, lang: str) -> str:
    cards = []
    for key, it_label, en_label, kind, estimate in KPI_ROWS:
        if key not in run.kpis:
            continue
        cards.append(
            f'<div class="card"><div class="value">{_fmt(run.kpis[key], kind, lang)}</div>'
            f'<div class="label">{_e(it_label if lang == "it" else en_label)}'
            f"{_badge(run, estimate, lang)}</div></div>"
        )
    staff = run.kpis.get("staff_fte") or {}
    for role, fte in staff.items():
        word = "Personale FTE" if lang == "it" else "Staff FTE"
        cards.append(
            f'<div class="card"><div class="value">{_fmt(fte, "fte", lang)}</div>'
            f'<div class="label">{word}: {_e(run.staff_names.get(role, role))}</div></div>'
        )
    return f'<div class="cards" id="kpis">{"".join(cards)}</div>'


def _map_section(run: ReportRun, lang: str, boundaries: Path | None) -> str:
    drawn = area_map(
        run.areas, "coverage", boundaries=boundaries, keys=MapKeys.from_settings(run.settings),
        lang=lang,
    )  # fmt: skip
    words = WORDS[lang]
    alt = f"{words['map']}: {run.name}"
    parts = [_image(png(drawn.figure), alt, "map", "map")]
    if drawn.unmatched:
        items = "".join(f"<li>{_e(a)}</li>" for a in drawn.unmatched)
        parts.append(f'<p class="note">{_e(words["unmatched"])}:</p><ul>{items}</ul>')
    return "".join(parts)


def _charts(run: ReportRun, lang: str) -> str:
    figures = [
        ("chart-coverage", coverage_by_area(run.areas, lang)),
        (
            "chart-served",
            served_versus_need(run.area_interventions, run.intervention_names, lang),
        ),
        ("chart-funders", funders_spending(run.funders, lang)),
    ]
    return "".join(
        _image(png(figure), figure.axes[0].get_title(loc="left"), element_id)
        for element_id, figure in figures
    )


def _areas_table(run: ReportRun, lang: str) -> str:
    it = lang == "it"
    columns: list[Column] = [
        ("name", "Quartiere" if it else "Area", "text"),
        ("municipio", "Municipio", "text"),
        ("need", "Bisogno stimato" if it else "Estimated need", "count"),
        ("served", "Serviti" if it else "Served", "count"),
        ("coverage", "Copertura" if it else "Coverage", "share"),
        ("unmet_need", "Non coperto" if it else "Unmet", "count"),
        ("cost", "Costo" if it else "Cost", "euro"),
        ("staff_fte", "Personale FTE" if it else "Staff FTE", "fte"),
    ]
    frame = run.areas.fillna({"municipio": ""}).sort_values(["coverage", "area_id"])
    return _table(frame, columns, lang, "areas-table")


def _funders_table(run: ReportRun, lang: str) -> str:
    it = lang == "it"
    frame = run.funders.copy()
    frame["kind_shown"] = frame["kind"].map(lambda k: WORDS[lang].get(str(k), str(k)))
    columns: list[Column] = [
        ("name", "Finanziatore" if it else "Funder", "text"),
        ("kind_shown", "Tipo" if it else "Kind", "text"),
        ("amount", "Disponibile" if it else "Available", "euro"),
        ("spent", "Speso" if it else "Spent", "euro"),
        ("share_used", "Quota usata" if it else "Share used", "share"),
    ]
    return _table(frame.sort_values("amount", ascending=False), columns, lang, "funders-table")


def _strengthen_section(run: ReportRun, lang: str) -> str:
    words = WORDS[lang]
    if run.strengthen is None or run.limits is None:
        return f'<p class="note">{_e(words["strengthen_missing"])}</p>'
    parts = []
    if run.sentences:
        parts.append("<ul>" + "".join(f"<li>{_e(s)}</li>" for s in run.sentences) + "</ul>")
    it = lang == "it"
    if len(run.strengthen):
        frame = run.strengthen.head(12).copy()
        frame["limit_shown"] = frame["limit"].map(LIMIT_LABELS[lang]).str.capitalize()
        frame["money_shown"] = frame["money_available"].map(
            lambda v: words["yes"] if str(v).lower() == "true" else words["no"]
        )
        columns: list[Column] = [
            ("area_name", "Quartiere" if it else "Area", "text"),
            ("intervention_name", "Intervento" if it else "Intervention", "text"),
            ("limit_shown", "Limite" if it else "Limit", "text"),
            (
                "reachable_unmet",
                "Raggiungibili non serviti" if it else "Reachable unserved",
                "count",
            ),
            ("money_shown", "Fondi disponibili" if it else "Money available", "text"),
        ]
        parts.append(_table(frame, columns, lang, "strengthen-table"))
    else:
        parts.append(f"<p>{_e(words['strengthen_none'])}</p>")
    counts = _limit_counts(run.limits, lang)
    if len(counts):
        columns = [
            ("limit_shown", words["limits"], "text"),
            ("pairs", "Coppie quartiere-intervento" if it else "Area-intervention pairs", "count"),
            ("unmet_need", "Bisogno non coperto" if it else "Unmet need", "count"),
        ]
        parts.append(_table(counts, columns, lang, "limits-table"))
    return "".join(parts)


def _limit_counts(limits: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per limit kind: how many (area, intervention) pairs and how much unmet need."""
    grouped = limits.groupby("limit").agg(
        pairs=("area_id", "size"), unmet_need=("unmet_need", "sum")
    )
    grouped = grouped.reset_index().sort_values("unmet_need", ascending=False)
    grouped["limit_shown"] = grouped["limit"].map(LIMIT_LABELS[lang]).str.capitalize()
    return grouped


def _compare_section(runs: Sequence[ReportRun], lang: str) -> str:
    words = WORDS[lang]
    head = "".join(f'<th class="num">{_e(r.label)}</th>' for r in runs)
    rows = []
    for key, _, _, kind, estimate in KPI_ROWS:
        cells = "".join(f'<td class="num">{_fmt(r.kpis.get(key), kind, lang)}</td>' for r in runs)
        badge = _badge(runs[0], estimate, lang)
        rows.append(f'<tr><td class="text">{_e(_kpi_label(key, lang))}{badge}</td>{cells}</tr>')
    table = (
        f'<table id="compare-table"><thead><tr><th class="text">{_e(words["kpi"])}</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    frontier = pd.DataFrame(
        {
            "weighted_coverage": [r.kpis["weighted_coverage"] for r in runs],
            "min_area_coverage": [r.kpis["min_area_coverage"] for r in runs],
            "label": [r.label for r in runs],
        }
    )
    figure = efficiency_equity_frontier(frontier, lang)
    return table + _image(png(figure), figure.axes[0].get_title(loc="left"), "chart-frontier")


def _summary_section(run: ReportRun, lang: str) -> str:
    """The co-programming summary document: needs, resources, proposed areas, open questions."""
    it = lang == "it"
    words = WORDS[lang]
    k = run.kpis
    f: Callable[[Any, str], str] = lambda v, kind: _fmt(v, kind, lang)  # noqa: E731
    needs = run.area_interventions.groupby("intervention_id")[["need", "served"]].sum()
    needs = needs.sort_values("need", ascending=False)
    need_items = "".join(
        f"<li>{_e(run.intervention_names.get(str(i), i))}: {f(r.need, 'count')}</li>"
        for i, r in needs.iterrows()
    )
    lowest = run.areas[run.areas["need"] > 0].nsmallest(3, "coverage")
    lowest_text = ", ".join(f"{a.name} ({f(a.coverage, 'share')})" for a in lowest.itertuples())
    top = run.areas.nlargest(5, "cost")
    top_items = "".join(
        f"<li>{_e(a.name)}: {f(a.cost, 'euro')}, {f(a.served, 'count')} "
        f"{'beneficiari' if it else 'beneficiaries'} ({f(a.coverage, 'share')})</li>"
        for a in top.itertuples()
    )
    unused = max(float(k["budget_total"]) - float(k["funded"]), 0.0)
    staff = ", ".join(
        f"{run.staff_names.get(role, role)} {f(fte, 'fte')}"
        for role, fte in (k.get("staff_fte") or {}).items()
    )
    open_items = []
    if it:
        open_items.append(
            f"Restano non coperti {f(k['unmet_need'], 'count')} bisogni stimati; i quartieri "
            f"meno coperti sono {_e(lowest_text)}."
        )
        if unused > 1:
            open_items.append(f"Fondi non assegnati: {f(unused, 'euro')}.")
    else:
        open_items.append(
            f"{f(k['unmet_need'], 'count')} estimated needs stay unmet; the least-covered areas "
            f"are {_e(lowest_text)}."
        )
        if unused > 1:
            open_items.append(f"Money not allocated: {f(unused, 'euro')}.")
    if run.strengthen is not None and len(run.strengthen):
        where = ", ".join(
            sorted({str(a) for a in run.strengthen["area_name"].head(5)}, key=str.lower)
        )
        open_items.append(
            f"Servono nuovi partner o personale a: {_e(where)}."
            if it
            else f"New partners or staff are needed in: {_e(where)}."
        )
    if run.estimated:
        open_items.append(
            "I bisogni e i partner sono stime da verificare con le reti di quartiere."
            if it
            else "Needs and partners are estimates to be checked with the neighbourhood networks."
        )
    resources = (
        f"<li>{_e(_kpi_label('budget_total', lang))}: {f(k['budget_total'], 'euro')} "
        f"({words['public']} {f(k['funded_public'], 'euro')}, {words['private']} "
        f"{f(k['funded_private'], 'euro')} {'spesi' if it else 'spent'})</li>"
        f"<li>{_e(_kpi_label('cofunding', lang))}: {f(k['cofunding'], 'euro')}</li>"
        f"<li>{_e(_kpi_label('partners_engaged', lang))}: {f(k['partners_engaged'], 'count')}</li>"
    )
    if staff:
        resources += f"<li>{'Personale (FTE)' if it else 'Staff (FTE)'}: {_e(staff)}</li>"
    total = (
        f"<p>{'Bisogno stimato totale' if it else 'Total estimated need'}: "
        f"{f(k['need_total'], 'count')}{_badge(run, True, lang)}</p>"
    )
    return (
        f"<h3>1. {_e(words['needs_found'])}</h3>{total}<ul>{need_items}</ul>"
        f"<h3>2. {_e(words['resources'])}</h3><ul>{resources}</ul>"
        f"<h3>3. {_e(words['proposal'])}</h3><ul>{top_items}</ul>"
        f"<h3>4. {_e(words['open'])}</h3><ul>{''.join(f'<li>{i}</li>' for i in open_items)}</ul>"
    )


def _provenance(run: ReportRun, lang: str) -> str:
    words = WORDS[lang]
    p = run.provenance
    solver = p.get("solver", {})
    status = str(solver.get("status", run.kpis.get("status", "")))
    versions = p.get("versions", {})
    inputs = "".join(
        f"<li><code>{_e(Path(name).name)}</code> {_e(str(digest)[:16])}…</li>"
        for name, digest in p.get("inputs", {}).items()
    )
    overrides = ", ".join(p.get("overrides") or []) or "–"
    return (
        f'<div class="provenance"><p><strong>{_e(run.label)}</strong> ({_e(run.source)}) – '
        f"{_e(words['created'])} {_e(p.get('created', '–'))}; {_e(words['status'])}: "
        f"<strong>{_e(words.get(status, status))}</strong>; {_e(words['solver'])} "
        f"{_e(solver.get('name', ''))} ({_e(versions.get('solver', ''))}), "
        f"{_e(number(float(solver.get('seconds') or 0.0), lang, 2))} s; allocator "
        f"{_e(versions.get('allocator', ''))}; {_e(words['overrides'])}: {_e(overrides)}</p>"
        f'<p>{_e(words["inputs"])}:</p><ul class="hashes">{inputs}</ul></div>'
    )


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
    runs: Sequence[ReportRun], *, lang: str = "it", boundaries: str | Path | None = None
) -> str:
    """The HTML report of ``runs[0]``, with the others side by side when there are several."""
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
            f'<p class="note"><span class="badge">{_e(words["estimate"])}</span> '
            f"{_e(words['estimate_note'].format(notes=cited))}</p>"
        )
    credit = f"<p><strong>{_e(CREDIT)}</strong></p>" if _credits_comune(runs) else ""
    sections = [
        f"<h2>{_e(words['kpis'])}</h2>{_kpi_cards(run, lang)}",
        f"<h2>{_e(words['map'])}</h2>{_map_section(run, lang, border)}",
        f"<h2>{_e(words['charts'])}</h2>{_charts(run, lang)}",
        f"<h2>{_e(words['areas'])}</h2>{_areas_table(run, lang)}",
        f"<h2>{_e(words['funders'])}</h2>{_funders_table(run, lang)}",
        f"<h2>{_e(words['strengthen'])}</h2>{_strengthen_section(run, lang)}",
    ]
    if len(runs) > 1:
        sections.append(f"<h2>{_e(words['compare'])}</h2>{_compare_section(runs, lang)}")
    sections.append(f'<h2 id="summary">{_e(words["summary"])}</h2>{_summary_section(run, lang)}')
    footer = "".join(_provenance(r, lang) for r in runs)
    title = f"{words['title']} – {run.name}"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{STYLE}</style><script>{WATCH}</script></head>"
        f"<body><header><h1>{_e(title)}</h1>"
        f'<p class="subtitle">{_e(words["subtitle"])}</p>'
        f"<p>{_e(run.settings.description)}</p>{estimate_note}</header>"
        f"<main>{''.join(sections)}</main>"
        f"<footer><h2>{_e(words['provenance'])}</h2>{credit}{footer}</footer>"
        "</body></html>\n"
    )


def _credits_comune(runs: Sequence[ReportRun]) -> bool:
    """Whether any run rests on the Comune di Milano's open data (and must credit it)."""
    return any("comune di milano" in r.settings.description.lower() for r in runs)


def write_report(text: str, out: str | Path) -> Path:
    """Write the report atomically: a temporary file beside ``out``, then renamed."""
    return write_text_atomically(Path(out), text)
