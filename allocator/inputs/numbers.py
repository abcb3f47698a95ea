"""Numbers in cells, as Italians and as machines write them.

A cell is read in two steps. :func:`read_number` reads the text alone: ``1.234,50``, ``4.000.000``,
``€ 400.000,00``, ``0,5``, ``1e-4``, ``80%`` (in a share column) and ``1,234.50`` are each one
number; ``1.200`` or ``1,250`` have two readings (thousands or decimals) and the cell says so.
:func:`resolve` then chooses, never by guessing: the file's convention when its other numbers (or
its ``;`` separator) show one; else the one reading in the column's range; else the cell is
refused naming both readings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from allocator.i18n import _

ITALIAN, ENGLISH = "it", "en"
"""The two conventions: ``.`` thousands and ``,`` decimals, or the other way round."""

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"^(?:€|eur|euro)\s*|\s*(?:€|eur|euro)$", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+")
_DIGITS = re.compile(r"\d+")
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})+"), ",": re.compile(r"\d{1,3}(?:,\d{3})+")}
_SPACE_GROUPED = re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?")
_NON_FINITE = {"nan", "inf", "infinity", "-inf", "+inf"}


class NotANumber(Exception):
    """A cell that is not a number, or not one number: ``message`` and ``expected`` in words."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


@dataclass(frozen=True)
class Reading:
    """What a cell's text says: one value, or two (``italian`` and ``english``) to choose from."""

    text: str
    italian: float
    english: float
    convention: str | None = None
    """The convention the text shows by itself (``it``, ``en``), None if it shows neither."""

    @property
    def ambiguous(self) -> bool:
        return self.italian != self.english


def _plain_expected() -> str:
    return _("a number such as 1234.5 or 1.234,5 (also 600.000, € 400.000)")


def read_number(text: str, percent: bool = False) -> Reading:
    """The number(s) a cell's text can mean; ``percent``: ``80%`` is accepted and means 0.8.

    Raises :class:`NotANumber` on anything that is not a number.
    """
    body = _SPACES.sub(" ", text).strip()
    sign = 1.0
    if body[:1] in ("-", "+", "\u2212"):
        sign = -1.0 if body[0] != "+" else 1.0
        body = body[1:].strip()
    body = _CURRENCY.sub("", body).strip()
    if body[:1] in ("-", "\u2212"):  # € -5
        sign, body = -sign, body[1:].strip()
    scale = 1.0
    if body.endswith("%"):
        if not percent:
            raise NotANumber(
                _("is a percentage"),
                _("a number without % (percentages are for shares only)"),
            )
        body, scale = body[:-1].strip(), 0.01
    if body.lower() in _NON_FINITE:
        raise NotANumber(
            _("is not a finite number"),
            _("a finite number"),
        )
    if " " in body:
        if not _SPACE_GROUPED.fullmatch(body):
            raise NotANumber(_("is not a number"), _plain_expected())
        body = body.replace(" ", "")
    italian, english, convention = _readings(body)
    return Reading(text, sign * scale * italian, sign * scale * english, convention)


def _readings(body: str) -> tuple[float, float, str | None]:
    """(Italian reading, English reading, the convention shown) of an unsigned number."""
    not_a_number = NotANumber(_("is not a number"), _plain_expected())
    if _DIGITS.fullmatch(body):
        return float(body), float(body), None
    if _SCIENTIFIC.fullmatch(body):
        mantissa = body.lower().partition("e")[0]
        if "." in mantissa and "," in mantissa:
            raise not_a_number
        value = float(body.replace(",", "."))
        return value, value, ITALIAN if "," in mantissa else None
    if "." in body and "," in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _mark, fraction = body.rpartition(decimal)
        if not _GROUPED[thousands].fullmatch(whole) or not _DIGITS.fullmatch(fraction):
            raise not_a_number
        value = float(whole.replace(thousands, "") + "." + fraction)
        return value, value, ITALIAN if decimal == "," else ENGLISH
    separator = "." if "." in body else ","
    parts = body.split(separator)
    if len(parts) < 2:  # letters, signs in the middle, ...
        raise not_a_number
    if len(parts) > 2:  # several separators: thousands
        if not _GROUPED[separator].fullmatch(body):
            raise not_a_number
        value = float(body.replace(separator, ""))
        return value, value, ITALIAN if separator == "." else ENGLISH
    whole, fraction = parts
    if not _DIGITS.fullmatch(fraction) or (whole and not _DIGITS.fullmatch(whole)):
        raise not_a_number
    as_decimal = float(f"{whole or '0'}.{fraction}")
    if len(fraction) != 3 or not whole or whole.startswith("0") or len(whole) > 3:
        return as_decimal, as_decimal, ENGLISH if separator == "." else ITALIAN
    as_thousands = float(whole + fraction)
    if separator == ".":
        return as_thousands, as_decimal, None
    return as_decimal, as_thousands, None


@dataclass(frozen=True)
class Evidence:
    """What a file says about its convention: for each convention it shows (``it``, ``en``),
    where it shows it first (``riga 4, colonna unit_cost: 2.5``, or the ``;`` separator)."""

    shown: dict[str, str]

    @property
    def settled(self) -> str | None:
        """The file's convention when it shows exactly one, else None."""
        return next(iter(self.shown)) if len(self.shown) == 1 else None


def convention_words(convention: str) -> str:
    """A convention in words, for messages."""
    if convention == ITALIAN:
        return _("',' for decimals, '.' thousands")
    return _("'.' for decimals, ',' thousands")


class Ambiguous(NotANumber):
    """A cell with two readings that nothing in its file chooses between."""


def resolve(reading: Reading, fits: Callable[[float], bool], evidence: Evidence) -> float:
    """The value of a cell (the one rule for numbers, docs/DESIGN.md §5):

    - a cell with one reading is that number;
    - a cell with two (``1.250``, ``168,000``) takes its file's convention when the file's
      other numbers (or its ``;`` separator) show exactly one;
    - else the one reading that lies in the column's range (the other would be refused);
    - else it is refused naming both readings (:class:`Ambiguous`).
    """
    if not reading.ambiguous:
        return reading.italian
    settled = evidence.settled
    if settled is not None:
        return reading.italian if settled == ITALIAN else reading.english
    italian_fits, english_fits = fits(reading.italian), fits(reading.english)
    if italian_fits != english_fits:
        return reading.italian if italian_fits else reading.english
    raise ambiguity(reading, evidence)


def ambiguity(reading: Reading, evidence: Evidence, why: str | None = None) -> Ambiguous:
    """The refusal of a cell with two readings, both named, and ``why`` nothing chooses (by
    default: what the file's other numbers show)."""
    italian, english = number_text(reading.italian), number_text(reading.english)
    thousands = _("separating thousands")
    decimals = _("for decimals")
    mark = "." if "." in reading.text else ","
    italian_way, english_way = (thousands, decimals) if mark == "." else (decimals, thousands)
    if why is not None:
        pass
    elif evidence.shown:
        why = _("the file writes numbers both ways")
        why += " (" + "; ".join(evidence.shown.values()) + ")"
    else:
        why = _("no other number of the file says which way it writes them")
    return Ambiguous(
        _(
            "is ambiguous: it may be {italian} ('{mark}' {italian_way}) or {english} "
            "('{mark}' {english_way}), and {why}"
        ).format(
            italian=italian,
            mark=mark,
            italian_way=italian_way,
            english=english,
            english_way=english_way,
            why=why,
        ),
        _("the number without thousands separators: {italian} or {english}").format(
            italian=italian, english=english
        ),
    )


def number_text(value: float) -> str:
    """A number as messages quote it: no thousands separators, the language's decimal mark."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    return text.replace(".", ",") if _("en") == "it" else text


def parse_number(text: str, italian: bool = False, percent: bool = False) -> float:
    """The number in a text alone: ``italian`` settles the convention (``1.250`` is 1250), else
    nothing does and a text with two readings is refused. Raises ``ValueError`` with the
    message."""
    told = _("told by the caller")
    evidence = Evidence({ITALIAN: told} if italian else {})
    try:
        reading = read_number(text, percent)
        return resolve(reading, lambda _: True, evidence)
    except NotANumber as error:
        raise ValueError(f"{error.message}; {error.expected}") from None
