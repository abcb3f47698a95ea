"""The one registry of key figures (KPIs): key, kind, Italian and English label, format.

Every place that shows a KPI (the run summary, compare, the report, ``results.xlsx``, charts,
batch, sweep, the meeting page) reads its label and format here, so a KPI has one name in each
language; the terminal summary and the report show the KPIs flagged for them, in this order, so a
new KPI is one entry here plus its computation (``postprocess/results.py``). The keys are those of
``kpis.json`` (DESIGN.md §4 and §6); a key missing from the registry is shown as itself. Table
columns and coded values are named in :mod:`allocator.postprocess.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from allocator.i18n import chosen_lang

KpiFormat = Literal["count", "share", "euro", "decimal", "fte", "seconds", "text"]


@dataclass(frozen=True)
class Kpi:
    """One key figure: how it is named and written."""

    key: str
    it: str
    en: str
    format: KpiFormat
    higher_is_better: bool | None = None
    """True/False when a rise is good/bad news; None when neither (e.g. the budget)."""
    estimate: bool = False
    """True when the figure rests on estimated needs (shown as an estimate)."""
    summary: bool = True
    """A row of the summary ``allocator run`` prints."""
    report: bool = True
    """A card of the HTML report (and of its summary document)."""

    def label(self, lang: str | None = None) -> str:
        """In ``lang``, else the language in force."""
        return self.it if chosen_lang(lang) == "it" else self.en


KPIS: tuple[Kpi, ...] = (
    Kpi("status", "esito", "status", "text", summary=False, report=False),
    Kpi("beneficiaries_served", "beneficiari raggiunti", "beneficiaries served", "count", True),
    Kpi("need_total", "bisogno stimato", "estimated need", "count", None, True, summary=False),
    Kpi("coverage", "copertura del bisogno", "coverage of need", "share", True, True),
    Kpi("unmet_need", "bisogno non coperto", "unmet need", "count", False, True, summary=False),
    Kpi("weighted_coverage", "copertura ponderata", "weighted coverage", "share", True, True),
    Kpi(
        "worst_areas_coverage",
        "copertura dei quartieri più scoperti",
        "coverage of the worst-covered areas",
        "share",
        True,
        True,
    ),
    Kpi(
        "min_area_coverage",
        "copertura del quartiere meno coperto",
        "coverage of the least-covered area",
        "share",
        True,
        True,
    ),
    Kpi(
        "shortfall_total",
        "mancante rispetto alla soglia",
        "shortfall below the floor",
        "count",
        False,
        True,
        report=False,
    ),
    Kpi("budget_total", "risorse disponibili", "money available", "euro", summary=False),
    Kpi("funded", "spesa dei finanziatori", "funders' spending", "euro", summary=False),
    Kpi("budget_used_share", "quota delle risorse usata", "share of the money used", "share"),
    Kpi("funded_public", "di cui pubblica", "of which public", "euro"),
    Kpi("funded_private", "di cui privata", "of which private", "euro"),
    Kpi("cost_gross", "costo lordo", "gross cost", "euro", report=False),
    Kpi("cofunding", "cofinanziamento degli enti", "partners' cofunding", "euro"),
    Kpi("partners_engaged", "enti coinvolti", "partners engaged", "count"),
    Kpi(
        "partners_excluded",
        "enti esclusi dall'avviso",
        "partners excluded",
        "count",
        summary=False,
    ),
    Kpi("objective", "obiettivo (0-1)", "objective (0-1)", "decimal", True),
    Kpi("solve_seconds", "tempo di calcolo", "solve time", "seconds", summary=False, report=False),
)
"""The KPIs in the order they are shown."""

BY_KEY: dict[str, Kpi] = {kpi.key: kpi for kpi in KPIS}

STUDY_KPIS = (
    "objective",
    "weighted_coverage",
    "worst_areas_coverage",
    "min_area_coverage",
    "beneficiaries_served",
    "coverage",
    "unmet_need",
    "shortfall_total",
    "cost_gross",
    "funded",
    "budget_total",
    "budget_used_share",
    "partners_engaged",
)
"""The figures a study keeps of each plan it solves (a batch row, a point of a sweep)."""


def kpi_label(key: str, lang: str | None = None) -> str:
    """The label of KPI ``key`` in ``lang`` (``it`` or ``en``, else the language in force); the
    key itself if unknown."""
    kpi = BY_KEY.get(key)
    return kpi.label(lang) if kpi else key


def kpi_format(key: str) -> KpiFormat:
    """How KPI ``key`` is written; ``decimal`` if unknown."""
    kpi = BY_KEY.get(key)
    return kpi.format if kpi else "decimal"
