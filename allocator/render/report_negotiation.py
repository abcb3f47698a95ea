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
from allocator.render.report_sections import e, image, table
from allocator.render.report_words import columns


def negotiation_sections(run: ReportRun, lang: str = "it") -> list[str]:
    """The negotiation sections of a run: the price of its locks and limits (kept beside the
    plan), and the near-optimal ranges when it was read from the ``ottimo/`` folder of
    ``allocator alternatives``."""
    folder = Path(run.source)
    ranges = ranges_section(folder.parent, lang) if folder.is_dir() else ""
    sections = [price_section(run.tables, lang), ranges]
    return [s for s in sections if s]


def price_section(tables: Mapping[str, pd.DataFrame], lang: str = "it") -> str:
    """The price of the locks and limits, and how the transition limits are kept."""
    price, transition = tables.get("negotiation_price"), tables.get("transition")
    if price is None and transition is None:
        return ""
    parts = ["<h2>" + e(_("Locks and transition limits", lang)) + "</h2>"]
    if price is not None:
        price = price.set_index("measure")
        w, wo = price["with_negotiation"], price["without_negotiation"]
        lost = float(wo["beneficiaries_served"] - w["beneficiaries_served"])
        text = _(
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
        parts.append(f'<p id="negotiation-price">{e(text)}</p>')
    if transition is not None:
        short = transition[transition["shortfall"] > 0]
        clipped = int(transition["clipped"].astype(bool).sum())
        text = _(
            "{kept} of {total} keep their floor against today; {clipped} with the floor clipped "
            "to capacity and needs; {short} stay below it (staff or money).",
            lang,
        ).format(
            kept=len(transition) - len(short),
            total=len(transition),
            clipped=clipped,
            short=len(short),
        )
        parts.append(f"<p>{e(text)}</p>")
        if not short.empty:
            parts.append(table(short, columns("transition"), lang, "transition-short"))
    return "".join(parts)


def ranges_section(folder: Path, lang: str = "it") -> str:
    """The near-optimal ranges of an ``allocator alternatives`` folder."""
    path = folder / "ranges.csv"
    if not path.is_file():
        return ""
    ranges = pd.read_csv(path)
    firm = ranges[ranges["firm"].astype(bool)]
    wide = ranges.assign(width=ranges["served_max"] - ranges["served_min"]).nlargest(5, "width")
    title = _("Near-optimal alternatives", lang)
    intro = _(
        "Plans that lose little against the optimum: what all share must be funded anyway, "
        "what varies is room to negotiate.",
        lang,
    )
    parts = [f"<h2>{e(title)}</h2><p>{e(intro)}</p>"]
    alternatives = folder / "alternatives.csv"
    if alternatives.is_file():
        plans = pd.read_csv(alternatives)
        lowest = float(plans["objective"].min())
        best = float(plans["objective"].iloc[0])
        loss = 1 - lowest / best if best else 0.0
        count = len(plans) - 1
        below = share(loss, lang)
        text = _(
            "{count} alternatives, with objective at most {below} below the optimum.", lang
        ).format(count=count, below=below)
        parts.append(f"<p>{e(text)}</p>")
    if (folder / "ranges.png").is_file():
        parts.append(image((folder / "ranges.png").read_bytes(), title, "ranges-chart"))
    names = ", ".join(str(n) for n in firm["name"]) or _("no one", lang)
    label = firm_label(True, lang)
    parts.append(f"<p><b>{e(label)}</b>: {e(names)}.</p>")
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
    parts.append(table(rows, columns("ranges"), lang, "ranges-widest"))
    return "".join(parts)
