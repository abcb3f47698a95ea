"""Near-optimal ranges drawn and written: ``ranges.png``, ``ranges.csv``, ``alternatives.csv``.

One horizontal bar per area (partner) from the least to the most beneficiaries it gets in a plan
within the slack of the optimum, the optimum marked; narrow bars are "da finanziare comunque",
wide ones "margine di trattativa" (GLOSSARY.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from rich.table import Table

from allocator.i18n import N_, _
from allocator.outputs.atomic import write_folder
from allocator.outputs.run_folder import write_outputs
from allocator.outputs.table_io import write_table
from allocator.render.facts import Names, fact_sentences
from allocator.render.formats import euro, kpi_value, number, share
from allocator.render.plotting import (
    SECOND_COLOUR,
    SERVED_COLOUR,
    new_figure,
    number_formatter,
    png,
    short_name,
    styled,
)
from allocator.studies.alternatives import NearOptimal

WIDE_COLOUR = "#d9822b"
TOP = 40
"""At most this many bars (the widest ranges) in one chart."""


def firm_label(firm: bool, lang: str = "it") -> str:
    """The planner's words for a narrow or a wide range (GLOSSARY.md)."""
    if firm:
        return _("fund anyway", lang)
    return _("room to negotiate", lang)


def describe_extreme(extreme: str, name: str, lang: str = "it") -> str:
    """An extreme plan in words: 'il meno possibile di fondi a Barona'."""
    if not extreme:
        return _("the optimal plan", lang)
    texts = {
        "funded_min": N_("as little money as possible for {name}"),
        "funded_max": N_("as much money as possible for {name}"),
        "served_min": N_("as few beneficiaries as possible for {name}"),
        "served_max": N_("as many beneficiaries as possible for {name}"),
    }
    return _(texts[extreme], lang).format(name=name)


def alternatives_frame(outcome: NearOptimal, lang: str = "it") -> pd.DataFrame:
    """:meth:`NearOptimal.alternatives_table` with a ``description`` of what each plan pushes,
    in ``lang``, after the area (partner) id."""
    table = outcome.alternatives_table()
    names = Names(outcome.scenario)
    name = names.area if outcome.by == "area" else names.partner
    described = [
        describe_extreme(str(extreme), name(str(of)), lang)
        for extreme, of in zip(table["extreme"], table[outcome.by + "_id"], strict=True)
    ]
    table.insert(3, "description", described)
    return table


def ranges_chart(ranges: pd.DataFrame, slack: float, lang: str = "it") -> Figure:
    """Bars from served_min to served_max per row, the optimum as a dot, widest on top."""
    frame = ranges.assign(width=ranges["served_max"] - ranges["served_min"])
    frame = frame.sort_values(["width", "name"], ascending=[True, False]).tail(TOP)
    with styled():
        figure, axes = new_figure(12, max(4.0, 0.42 * len(frame) + 2))
        y = range(len(frame))
        colours = [SERVED_COLOUR if firm else WIDE_COLOUR for firm in frame["firm"]]
        axes.barh(
            list(y),
            frame["width"].clip(lower=max(frame["served_max"].max(), 1) * 0.004),
            left=frame["served_min"],
            color=colours,
            height=0.6,
        )
        axes.scatter(
            frame["served_optimum"], list(y), color=SECOND_COLOUR, zorder=3, s=40, marker="D"
        )
        axes.set_yticks(list(y), [short_name(str(n)) for n in frame["name"]])
        axes.xaxis.set_major_formatter(number_formatter(lang))
        axes.set_xlabel(_("Beneficiaries served", lang))
        pct = share(slack, lang, 1)
        axes.set_title(
            _("How much each can vary within {pct} of the optimum", lang).format(pct=pct)
        )
        axes.legend(
            handles=[
                Patch(color=SERVED_COLOUR, label=firm_label(True, lang)),
                Patch(color=WIDE_COLOUR, label=firm_label(False, lang)),
                axes.scatter([], [], color=SECOND_COLOUR, marker="D", label=_("optimum", lang)),
            ],
            loc="lower right",
        )
        axes.set_xlim(left=0)
    return figure


def ranges_sentence(outcome: NearOptimal, lang: str = "it") -> str:
    """One sentence: how many rows are firm, and the widest range."""
    ranges = outcome.ranges
    if ranges.empty:
        return ""
    firm = int(ranges["firm"].sum())
    widest = ranges.assign(width=ranges["served_max"] - ranges["served_min"]).nlargest(1, "width")
    row = widest.iloc[0]
    text = _(
        "Within {pct} of the optimum, {firm} of {total} {what} must be funded anyway; the widest "
        "room to negotiate is {name} (from {least} to {most} beneficiaries, {cheapest}–{dearest}).",
        lang,
    )
    return text.format(
        pct=share(outcome.slack, lang, 1),
        firm=firm,
        total=len(ranges),
        what=_("areas", lang) if outcome.by == "area" else _("partners", lang),
        name=row["name"],
        least=number(row["served_min"], lang),
        most=number(row["served_max"], lang),
        cheapest=euro(row["funded_min"], lang),
        dearest=euro(row["funded_max"], lang),
    )


def alternatives_view(outcome: NearOptimal, lang: str = "it") -> Table:
    """The optimum and the alternatives as a terminal table, numbers in the language's format."""
    table = Table(title=_("Near-optimal alternatives", lang))
    heads = (N_("plan"), N_("what it pushes"), N_("objective"), N_("beneficiaries"), N_("distance"))
    for n, head in enumerate(heads):
        table.add_column(_(head, lang), justify="left" if n == 0 else "right")
    for row in alternatives_frame(outcome, lang).itertuples(index=False):
        table.add_row(
            str(row.plan),
            str(row.description),
            kpi_value("objective", row.objective, lang),
            kpi_value("beneficiaries_served", row.beneficiaries_served, lang),
            share(float(row.distance_from_optimum), lang),
        )
    return table


def write_alternatives(
    outcome: NearOptimal, out: Path, *, overwrite: bool = False, lang: str = "it"
) -> Path:
    """Write ranges.csv, ranges.png, alternatives.csv and each plan's folder (the optimum's in
    ``ottimo/``), all or nothing."""
    if outcome.optimum.plan is None or not outcome.ok:
        reasons = fact_sentences(outcome.scenario, outcome.facts, lang)
        raise ValueError("no ranges to write: " + " ".join(reasons))

    def fill(folder: Path) -> None:
        write_table(outcome.ranges, folder / "ranges.csv")
        (folder / "ranges.png").write_bytes(png(ranges_chart(outcome.ranges, outcome.slack, lang)))
        table = alternatives_frame(outcome, lang)
        write_table(table, folder / "alternatives.csv")
        write_outputs(outcome.optimum, folder / "ottimo")
        for alternative in outcome.alternatives:
            write_outputs(alternative.result, folder / alternative.name)

    return write_folder(out, fill, overwrite=overwrite)
