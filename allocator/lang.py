"""The language planners read: Italian by default, English when asked.

Chosen, in order, by the global ``--lang`` option of the command line (:func:`set_lang`), the
``ALLOCATOR_LANG`` environment variable, else Italian. Code and docs stay in English; every text a
planner reads (terminal, reports, workbooks, pages) asks :func:`current_lang` or takes a ``lang``.
"""

from __future__ import annotations

import os
import sys

from allocator.errors import UsageError

LANGS = ("it", "en")
"""The languages every planner-facing text exists in; the first is the default."""
DEFAULT_LANG = LANGS[0]
ENV_VAR = "ALLOCATOR_LANG"

_chosen: list[str] = []


def check_lang(lang: str, source: str = "--lang") -> str:
    """``lang`` normalised (``IT`` → ``it``), or a UsageError naming the accepted ones."""
    normal = lang.strip().lower()
    if normal not in LANGS:
        raise UsageError(f"{source} must be {' or '.join(LANGS)}, not {lang!r}")
    return normal


def set_lang(lang: str | None) -> None:
    """Fix the language for this process (the command line's ``--lang``); None forgets it."""
    _chosen.clear()
    if lang is not None:
        _chosen.append(check_lang(lang))


def current_lang() -> str:
    """The language in force: ``--lang``, else ``ALLOCATOR_LANG``, else Italian."""
    if _chosen:
        return _chosen[0]
    value = os.environ.get(ENV_VAR, "").strip()
    return check_lang(value, ENV_VAR) if value else DEFAULT_LANG


def lang_or_current(lang: str | None) -> str:
    """``lang`` checked when given, else the language in force."""
    return current_lang() if lang is None else check_lang(lang)


def startup_lang(argv: list[str] | None = None) -> str:
    """The language of the command line being parsed, read before parsing (for help texts, which
    Typer fixes when the commands are defined): ``--lang X`` / ``--lang=X``, else the current one.
    An unknown value falls back to the default here; the option itself refuses it later."""
    args = sys.argv[1:] if argv is None else argv
    for index, arg in enumerate(args):
        value = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None and value.strip().lower() in LANGS:
            return value.strip().lower()
    try:
        return current_lang()
    except UsageError:
        return DEFAULT_LANG
