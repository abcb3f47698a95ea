"""Text made safe for the formats the allocator writes: CSV cells that no spreadsheet runs as a
formula, Markdown that shows names literally.

The CSV rule is OWASP's: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is prefixed with an apostrophe, so a spreadsheet shows it as text instead of evaluating it.
A real number (``-5``, ``+1.5e3``) is left as it is, and so is every numeric column. A cell that
already begins with an apostrophe gets one more, so :func:`restore_cell` gives back exactly the
text that was written (carriage returns aside: they are written as line feeds).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP, CSV injection)."""
ESCAPE = "'"
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
"""A plain decimal number, which a spreadsheet reads as a number and never as a formula."""
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|#~])")
"""Characters that start Markdown markup or HTML within a line (links, emphasis, code, tags,
entities, table cells, headings)."""
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (numbers are numbers)."""
    return text.startswith(FORMULA_STARTS) and NUMBER.fullmatch(text) is None


def csv_cell(text: str) -> str:
    """One text cell neutralised against formula injection: ``=SUM(A1)`` → ``'=SUM(A1)``.

    Carriage returns become line feeds: a CSV writer with ``\n`` line ends leaves a lone
    ``\r`` unquoted, and a spreadsheet would start a new row (and a new, unescaped cell) there.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if is_formula_like(text) or text.startswith(ESCAPE):
        return ESCAPE + text
    return text


def restore_cell(text: str) -> str:
    """The text :func:`csv_cell` was given: ``'=SUM(A1)`` → ``=SUM(A1)``."""
    return text[1:] if text.startswith(ESCAPE) else text


def markdown_text(text: object) -> str:
    """A name or sentence shown literally in Markdown (and in the HTML it becomes): markup
    characters backslash-escaped, line breaks and other control characters as spaces."""
    flat = CONTROL.sub(" ", str(text))
    return MARKDOWN_SPECIAL.sub(r"\\\1", flat)
