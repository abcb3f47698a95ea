"""The report's sections on negotiation: the price of the locks and transition limits, and the
near-optimal ranges. Each reads files beside the run (``negotiation_price.csv`` and
``transition.csv`` in the run folder; ``ranges.csv`` and ``alternatives.csv`` in the folder above
when the run is the ``ottimo/`` of ``allocator alternatives``) and is empty when they are absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from allocator.i18n import _
from allocator.render.formats import euro, number, share
from allocator.render.ranges import firm_label
from allocator.render.report_runs import ReportRun
from allocator.render.report_sections import table
from allocator.render.report_words import columns
from allocator.render.templating import Markup, png_image, render


def negotiation_sections(run: ReportRun, lang: str = "it") -> list[Markup]:
    """The negotiation sections of a run: the price of its locks and limits (kept beside the
    plan), and the near-optimal ranges when it was read from the ``ottimo/`` folder of
    ``allocator alternatives``."""
    folder = Path(run.source)
    ranges = ranges_section(folder.parent, lang) if folder.is_dir() else Markup("")
    sections = [price_section(run.tables, lang), ranges]
    return [s for s in sections if s]


def price_section(tables: Mapping[str, pd.DataFrame], lang: str = "it") -> Markup:
    """The price of the locks and limits, and how the transition limits are kept."""
    price, transition = tables.get("negotiation_price"), tables.get("transition")
    if price is None and transition is None:
        return Markup("")
    short = None
    if transition is not None and not (below := transition[transition["shortfall"] > 0]).empty:
        short = table(below, columns("transition"), lang, "transition-short")
    return render(
        "price.html.j2",
        lang,
        price="" if price is None else price_sentence(price, lang),
        transition="" if transition is None else transition_kept(transition, lang),
        short=short,
    )


def price_sentence(price: pd.DataFrame, lang: str) -> str:
    """What the locks and transition limits cost: beneficiaries and objective without them."""
    price = price.set_index("measure")
    w, wo = price["with_negotiation"], price["without_negotiation"]
    lost = float(wo["beneficiaries_served"] - w["beneficiaries_served"])
    return _(
        "With the locks and transition limits the plan serves {served} beneficiaries instead "
        "of {served_without} (price: {lost}), with objective {objective} instead of "
        "{objective_without}.",
        lang,
    ).format(
        served=number(w["beneficiaries_served"], lang),
        served_without=number(wo["beneficiaries_served"], lang),
        lost=number(lost, lang),
        objective=number(w["objective"], lang, 4),
        objective_without=number(wo["objective"], lang, 4),
    )


def transition_kept(transition: pd.DataFrame, lang: str) -> str:
    """How many keep their floor against today, clipped, or stay below it."""
    short = int((transition["shortfall"] > 0).sum())
    clipped = int(transition["clipped"].astype(bool).sum())
    return _(
        "{kept} of {total} keep their floor against today; {clipped} with the floor clipped "
        "to capacity and needs; {short} stay below it (staff or money).",
        lang,
    ).format(kept=len(transition) - short, total=len(transition), clipped=clipped, short=short)


def ranges_section(folder: Path, lang: str = "it") -> Markup:
    """The near-optimal ranges of an ``allocator alternatives`` folder."""
    path = folder / "ranges.csv"
    if not path.is_file():
        return Markup("")
    ranges = pd.read_csv(path)
    firm = ranges[ranges["firm"].astype(bool)]
    wide = ranges.assign(width=ranges["served_max"] - ranges["served_min"]).nlargest(5, "width")
    title = _("Near-optimal alternatives", lang)
    chart = folder / "ranges.png"
    rows = pd.DataFrame(
        {
            "name": wide["name"],
            "served": [
                f"{number(a, lang)}–{number(b, lang)}"
                for a, b in zip(wide["served_min"], wide["served_max"], strict=True)
            ],
            "optimum": wide["served_optimum"],
            "funded": [
                f"{euro(a, lang)}–{euro(b, lang)}"
                for a, b in zip(wide["funded_min"], wide["funded_max"], strict=True)
            ],
        }
    )
    return render(
        "ranges.html.j2",
        lang,
        title=title,
        alternatives=alternatives_sentence(folder / "alternatives.csv", lang),
        picture=png_image(chart.read_bytes(), title, "ranges-chart") if chart.is_file() else None,
        firm_label=firm_label(True, lang),
        firm=", ".join(str(n) for n in firm["name"]) or _("no one", lang),
        table=table(rows, columns("ranges"), lang, "ranges-widest"),
    )


def alternatives_sentence(path: Path, lang: str) -> str:
    """How many alternatives, and how far below the optimum the farthest is ('' without them)."""
    if not path.is_file():
        return ""
    plans = pd.read_csv(path)
    lowest = float(plans["objective"].min())
    best = float(plans["objective"].iloc[0])
    loss = 1 - lowest / best if best else 0.0
    return _(
        "{count} alternatives, with objective at most {below} below the optimum.", lang
    ).format(count=len(plans) - 1, below=share(loss, lang))
