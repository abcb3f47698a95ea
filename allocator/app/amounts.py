"""A funder's money box on the meeting page (a Shiny module, one per funder).

A text box, not a browser number input (which reads ``800.000`` as 800,0): what is typed is read
when the box is left or Enter is pressed, with the project's number reader
(:func:`~allocator.app.reading.read_amount`), then shown formatted (``800.000 €``). A refused
entry (not a number, ambiguous, negative) says why under the box; an entry more than ten times
larger or smaller than the amount in use asks "È giusto?" with a button. Until then the plan keeps
the amount it uses: nothing is solved with an entry the room has not confirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from htmltools import Tag, TagList, tags
from shiny import Inputs, Outputs, Session, module, reactive, render, ui

from allocator.app.reading import AmountCheck, amount_text, read_amount


@module.ui
def amount_ui(label: str, start: float) -> TagList:
    """The box (id ``amount``) with the scenario's amount, and the note under it."""
    return TagList(
        ui.input_text("amount", label, value=amount_text(start), update_on="blur", width="100%"),
        ui.output_ui("note"),
    )


@module.server
def amount_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    name: str,
    start: float,
    reset: Callable[[], Any],
) -> reactive.Value[float]:
    """The amount in use for funder ``name`` (``start`` until the room changes it; back to it
    when ``reset`` fires)."""
    in_use = reactive.value(start)
    state = reactive.value(AmountCheck(start))

    def use(value: float) -> None:
        in_use.set(value)
        state.set(AmountCheck(value))
        if input.amount() != amount_text(value):
            ui.update_text("amount", value=amount_text(value))

    @reactive.effect
    @reactive.event(input.amount, ignore_init=True)
    def _typed() -> None:
        check = read_amount(input.amount(), name, in_use.get(), reference=start)
        if check.value is not None and not check.confirm:
            use(check.value)
        else:
            state.set(check)

    @reactive.effect
    @reactive.event(input.confirm, ignore_init=True)
    def _confirmed() -> None:
        check = state.get()
        if check.confirm and check.value is not None:
            use(check.value)

    @reactive.effect
    @reactive.event(reset, ignore_init=True)
    def _reset() -> None:
        use(start)

    @render.ui
    def note() -> Tag | TagList:
        check = state.get()
        if not check.message:
            return TagList()
        if check.confirm and check.value is not None:
            return tags.div(
                tags.p(check.message),
                ui.input_action_button(
                    "confirm", f"Sì, usa {amount_text(check.value)}", class_="btn-warning btn-sm"
                ),
                class_="alert alert-warning amount-note",
                role="alert",
            )
        return tags.div(check.message, class_="alert alert-danger amount-note", role="alert")

    return in_use
