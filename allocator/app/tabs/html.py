"""What every tab lays out the same way: plain tables, a note above a table, "no plan"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from htmltools import Tag, TagList, tags
from shiny import Inputs, Outputs, Session, module, render

from allocator.app.session import PlanView
from allocator.postprocess.results import Plan

NO_PLAN = tags.p("Nessun piano da mostrare.")


def table(frame: pd.DataFrame, columns: dict[str, str], table_id: str) -> Tag:
    """A plain HTML table of some columns of ``frame`` (column → header)."""
    head = tags.thead(tags.tr(*(tags.th(h) for h in columns.values())))
    body = tags.tbody(
        *(tags.tr(*(tags.td(str(row[c])) for c in columns)) for row in frame.to_dict("records"))
    )
    return tags.table(head, body, id=table_id, class_="plan-table")


def whole_table(frame: pd.DataFrame, table_id: str) -> Tag:
    """Every column of ``frame`` under its own name."""
    return table(frame, {c: c for c in frame.columns}, table_id)


def noted_table(note: str, frame: pd.DataFrame, columns: dict[str, str], table_id: str) -> TagList:
    """A note above a plain HTML table of ``frame`` (see :func:`table`)."""
    return TagList(tags.p(note, class_="note"), table(frame, columns, table_id))


def with_plan(
    view: Callable[[], PlanView], panel: Callable[[PlanView, Plan], Any]
) -> Callable[[], Any]:
    """An output showing ``panel`` of the plan ``view`` shows (``NO_PLAN`` while there is
    none); the output's id is the panel's name."""

    def shown() -> Any:
        current = view()
        return NO_PLAN if current.plan is None else panel(current, current.plan)

    shown.__name__ = panel.__name__
    return shown


Panel = Callable[[PlanView, Plan], Any]
"""What a tab draws of the plan shown; its name is the id of the tab's one output."""


@module.server
def panel_server(
    input: Inputs, output: Outputs, session: Session, view: Callable[[], PlanView], panel: Panel
) -> None:
    """A tab's one output: ``panel`` of the plan ``view`` shows (see :func:`with_plan`)."""
    render.ui(with_plan(view, panel))
