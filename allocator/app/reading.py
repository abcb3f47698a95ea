"""What the page's controls send, read and checked on the server.

A browser sends whatever its page (or a script) puts on the WebSocket: ``"abc"`` for a slider,
``true`` for the budget scale, a number where a list of areas is expected. Every value is read
here before it reaches the scenario: a slider must be a finite number within its own range (a
JSON ``true`` is not 1,0), a choice one of those offered, a list of areas or partners a list of
offered ids, a text a text of bounded length. Anything else is a :class:`UsageError` in Italian
naming the control and what it expects; no Python text ever reaches the page.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from allocator.app.state import EQUITY_MEASURES, LOSS_LIMITS, Controls, has_policy
from allocator.errors import UsageError
from allocator.i18n import _
from allocator.inputs.numbers import NotANumber, number_text, read_number
from allocator.inputs.schema import Scenario
from allocator.render.formats import number

MAX_TEXT = 500
"""The longest plan name or note the page accepts (characters)."""


@dataclass(frozen=True)
class SliderSpec:
    """A slider, drawn in whole percentages (no decimal mark to misread: ``80%``, not ``0.8``):
    its label, lowest and highest setting (as the scenario writes it: 0,8 is 80%), the step in
    percentage points."""

    label: str
    lowest: float
    highest: float
    step: float = 5.0


SLIDERS = {
    "budget_scale": SliderSpec(
        "Budget: quota degli importi di tutti i finanziatori", 0.5, 1.5, 1.0
    ),
    "equity_weight": SliderSpec(
        "Peso dell'equità (0% = massima copertura totale, 100% = solo equità)", 0.0, 1.0
    ),
    "min_coverage": SliderSpec("Soglia minima di copertura per quartiere e intervento", 0.0, 0.6),
    "max_area_loss": SliderSpec(
        "Perdita massima di un quartiere rispetto a oggi (100% = nessun limite)", 0.0, 1.0
    ),
    "max_partner_loss": SliderSpec(
        "Perdita massima di un ente rispetto a oggi (100% = nessun limite)", 0.0, 1.0
    ),
}
"""Every slider of the page (name → spec): the page draws them and the server checks them."""


def slider_range(name: str, start: float) -> tuple[float, float]:
    """The range of slider ``name`` in percent, widened to hold the scenario's own ``start``."""
    spec = SLIDERS[name]
    return min(spec.lowest, start) * 100, max(spec.highest, start) * 100


def percent(value: float) -> float:
    """A setting (0,8) as the slider shows it (80), rounded off binary noise."""
    return round(100 * value, 6)


LOCK_CONTROLS = (
    ("excluded_areas", "Escludi quartieri (nessun intervento finanziato)"),
    ("protected_areas", "Proteggi quartieri (almeno i beneficiari di oggi)"),
    ("excluded_partners", "Escludi enti (nessuna assegnazione)"),
    ("protected_partners", "Garantisci agli enti almeno quanto oggi"),
)
"""The lock controls (rows added to the scenario's locks) and their labels."""


def offered_locks(scenario: Scenario) -> dict[str, dict[str, str]]:
    """What each lock control offers (id → name): "protected" lists only the areas and partners
    served today (baseline.csv), the partners only those admitted by the notice. A control with
    nothing to offer is not shown."""
    eligibility = scenario.eligibility()
    areas = sorted(scenario.areas, key=lambda a: a.name)
    partners = sorted(
        (p for p in scenario.partners if eligibility[p.partner_id] is None), key=lambda p: p.name
    )
    today = {r.area_id for r in scenario.baseline} | {r.partner_id for r in scenario.baseline}
    choices = {
        "excluded_areas": {a.area_id: a.name for a in areas},
        "protected_areas": {a.area_id: a.name for a in areas if a.area_id in today},
        "excluded_partners": {p.partner_id: p.name for p in partners},
        "protected_partners": {p.partner_id: p.name for p in partners if p.partner_id in today},
    }
    return {name: offered for name, offered in choices.items() if offered}


def shows_losses(scenario: Scenario, name: str) -> bool:
    """Whether the page offers the loss limit ``name`` (the schema has it, today is known)."""
    return has_policy(name) and bool(scenario.baseline)


def _setting(start: Controls, name: str) -> float:
    value = getattr(start, name)
    return 1.0 if value is None else float(value)  # a loss limit of None: 100%, no limit


def page_controls(
    raw: Mapping[str, Any],
    start: Controls,
    offered: Mapping[str, Mapping[str, str]],
    amounts: Mapping[str, float],
) -> Controls:
    """The controls as the page sent them (``raw``: input name → value as received; the
    sliders, ``equity_measure`` and the lock selectors present on the page), each read and
    checked; ``amounts`` are the funders' amounts already read. Raises :class:`UsageError`
    naming the first control refused."""
    values = {n: slider_value(n, raw[n], _setting(start, n)) for n in SLIDERS if n in raw}
    losses = {n: None if values[n] >= 1.0 else values[n] for n in LOSS_LIMITS if n in values}
    measure = start.equity_measure
    if "equity_measure" in raw:
        measure = choice_value("Misura dell'equità", raw["equity_measure"], EQUITY_MEASURES)
    labels = dict(LOCK_CONTROLS)
    locks = {n: chosen_ids(labels[n], raw.get(n), offered.get(n, {})) for n in labels}
    return start.with_(
        budget_scale=values.get("budget_scale", start.budget_scale),
        funder_amounts=dict(amounts),
        equity_weight=values.get("equity_weight", start.equity_weight),
        equity_measure=measure,
        min_coverage=values.get("min_coverage", start.min_coverage),
        **locks,
        **losses,
    )


def shown(value: Any, limit: int = 40) -> str:
    """A value the browser sent, quoted for a message (never a Python repr: ``«abc»``)."""
    if value is None:
        return _("no value")
    if isinstance(value, bool):
        return _("«true»") if value else _("«false»")
    text = str(value)
    return f"«{text[:limit]}…»" if len(text) > limit else f"«{text}»"


def slider_value(name: str, raw: Any, start: float) -> float:
    """The setting slider ``name`` sends (it shows percent: 80 → 0,8): a finite number, not a
    boolean, within its range (see :func:`slider_range`, ``start`` the scenario's setting)."""
    lowest, highest = slider_range(name, start)
    expected = _(
        "«{label}»: {raw} is not an accepted value (a number between {lowest} and {highest}, "
        "in percent)"
    ).format(
        label=SLIDERS[name].label,
        raw=shown(raw),
        lowest=number(lowest, decimals=None),
        highest=number(highest, decimals=None),
    )
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise UsageError(expected)
    value = float(raw)
    if not math.isfinite(value) or not lowest - 1e-9 <= value <= highest + 1e-9:
        raise UsageError(expected)
    return round(min(max(value, lowest), highest) / 100, 9)


def choice_value(label: str, raw: Any, offered: Mapping[str, str]) -> str:
    """One of the ``offered`` keys (a radio button's value)."""
    if isinstance(raw, str) and raw in offered:
        return raw
    names = ", ".join(f"«{v}»" for v in offered.values())
    raise UsageError(
        _("«{label}»: {raw} is not one of the choices ({names})").format(
            label=label, raw=shown(raw), names=names
        )
    )


def chosen_ids(label: str, raw: Any, offered: Collection[str]) -> frozenset[str]:
    """The ids chosen in a multiple selector: nothing, or a list of ``offered`` ids."""
    if raw is None:
        return frozenset()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise UsageError(
            _("«{label}»: {raw} is not a list of names").format(label=label, raw=shown(raw))
        )
    unknown = sorted(set(items) - set(offered))
    if unknown:
        raise UsageError(
            _("«{label}»: {unknown} is not one of the choices").format(
                label=label, unknown=", ".join(shown(u) for u in unknown[:5])
            )
        )
    return frozenset(items)


def text_value(label: str, raw: Any) -> str:
    """A short text (a plan's name or note): a string of at most :data:`MAX_TEXT` characters;
    nothing is an empty text."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise UsageError(_("«{label}»: {raw} is not text").format(label=label, raw=shown(raw)))
    if len(raw) > MAX_TEXT:
        raise UsageError(
            _("«{label}»: at most {most} characters (it has {length})").format(
                label=label, most=MAX_TEXT, length=len(raw)
            )
        )
    return raw


# ---------------------------------------------------------------------------- money

MAX_AMOUNT = 1e12
"""No funder of a city programme gives a thousand billion euros: above it, a typing slip."""
CONFIRM_RATIO = 10.0
"""An amount more than this many times larger or smaller than the one in use asks first."""


@dataclass(frozen=True)
class AmountCheck:
    """What a money box's text says: the amount (None when refused), why it is refused or
    what to confirm, and whether it waits for a confirmation before the plan uses it."""

    value: float | None
    message: str = ""
    confirm: bool = False


def amount_text(value: float) -> str:
    """An amount as the box shows it: ``1.000.000 €``, ``800.000,5 €``."""
    return f"{number(value, decimals=None)} €"


def read_amount(text: Any, name: str, in_use: float, reference: float | None = None) -> AmountCheck:
    """The amount typed for funder ``name``, read as Italians write it with the project's number
    reader (``800.000``, ``€ 1.200.000``, ``800000,50``, also ``1,200,000``); ``in_use`` is the
    amount the plan uses now. Refused: not a number, negative, more than two decimals, beyond
    :data:`MAX_AMOUNT`, or ambiguous (``1,250``: 1.250 € or 1,25 €?). A change of more than
    :data:`CONFIRM_RATIO` times against ``in_use`` (against ``reference``, the scenario's amount,
    when ``in_use`` is 0) waits for a confirmation."""
    if not isinstance(text, str):
        return AmountCheck(None, _not_an_amount(text, name, _("not text")))
    if not text.strip():
        return AmountCheck(None, _("{name}'s amount is missing").format(name=name))
    try:
        reading = read_number(text)
    except NotANumber as error:
        return AmountCheck(None, _not_an_amount(text, name, error.message))
    if reading.ambiguous and reading.italian < reading.english:  # 1,250: decimals or thousands
        return AmountCheck(None, _ambiguous(text, name, reading.italian, reading.english))
    value = reading.italian
    if value < 0:
        return AmountCheck(
            None,
            _("{name}'s amount cannot be negative").format(name=name),
        )
    if abs(round(value, 2) - value) > 1e-9 * max(1.0, value):
        return AmountCheck(
            None,
            _not_an_amount(
                text,
                name,
                _("has more than two decimals (cents)"),
            ),
        )
    if value > MAX_AMOUNT:
        return AmountCheck(
            None,
            _not_an_amount(
                text,
                name,
                _("is over a thousand billion euros"),
            ),
        )
    return _against(value, name, in_use if in_use > 0 else (reference or 0.0), in_use)


def _against(value: float, name: str, before: float, in_use: float) -> AmountCheck:
    if before <= 0 or before / CONFIRM_RATIO <= value <= before * CONFIRM_RATIO:
        return AmountCheck(value)
    times = value / before if value > before else before / value if value > 0 else math.inf
    if not math.isfinite(times):
        how = _("sets the amount to zero (now {before})").format(before=amount_text(before))
    else:
        more = value > before
        how = (
            _("over {ratio} times more than {before}")
            if more
            else _("over {ratio} times less than {before}")
        ).format(ratio=number(CONFIRM_RATIO), before=amount_text(before))
    return AmountCheck(
        value,
        _(
            "{value} for {name}: {how}. Is it right? Until it is confirmed, the plan still "
            "uses {in_use}."
        ).format(value=amount_text(value), name=name, how=how, in_use=amount_text(in_use)),
        confirm=True,
    )


def _not_an_amount(text: Any, name: str, why: str) -> str:
    quoted = shown(text.strip() if isinstance(text, str) else text)
    return _(
        "{quoted} for {name} is not an accepted amount: {why}. Write for example "
        "800.000 or 1.250.000,50 (dot for thousands, comma for cents)."
    ).format(quoted=quoted, name=name, why=why)


def _ambiguous(text: str, name: str, italian: float, english: float) -> str:
    return _(
        "«{text}» for {name} is ambiguous: {italian} or {english}? Write {english_number} "
        "or {italian_number}."
    ).format(
        text=text.strip()[:40],
        name=name,
        italian=amount_text(italian),
        english=amount_text(english),
        english_number=number_text(english),
        italian_number=number(italian, decimals=2),
    )
