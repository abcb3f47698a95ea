"""Numbers in cells, as Italians and as machines write them."""

from __future__ import annotations

import re

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ITALIAN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?:[eE][+-]?\d+)?")
_NON_FINITE = {"nan", "inf", "infinity"}


class NotANumber(Exception):
    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


def parse_number(text: str, italian: bool = False) -> float:
    """The number in a cell; ``italian``: ``,`` marks decimals and ``.`` thousands.

    Raises ``ValueError`` (with a plain-English message) on anything else, never guessing.
    """
    try:
        return read_number(text, italian)
    except NotANumber as error:
        raise ValueError(f"{error.message}; expected {error.expected}") from None


def read_number(text: str, italian: bool) -> float:
    if italian:
        if _ITALIAN_NUMBER.fullmatch(text):
            return float(text.replace(".", "").replace(",", "."))
    elif _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    if text.lower().lstrip("+-") in _NON_FINITE:
        raise NotANumber("is not a finite number", "a finite number")
    if italian and _PLAIN_NUMBER.fullmatch(text):
        raise NotANumber(
            "uses '.' for decimals, but in this ';'-separated file (an Italian Excel export) "
            "',' marks decimals and '.' thousands",
            "a number such as 0,5 or 1.234,5",
        )
    if not italian and _ITALIAN_NUMBER.fullmatch(text):
        raise NotANumber(
            "has a decimal comma",
            "a number with '.' for decimals and no thousands separators, such as 1234.5",
        )
    if text.endswith("%"):
        raise NotANumber("is a percentage", "a plain number (a share: 0.25 for 25%)")
    raise NotANumber(
        "is not a number",
        "a number such as 1234.5 (no currency signs or thousands separators)",
    )
