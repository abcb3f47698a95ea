"""Every sentence a planner reads, from the gettext catalogs in ``allocator/locale``.

The msgids are the English texts (English is the code's language); the translations live in
``allocator/locale/<lang>/LC_MESSAGES/allocator.po``, maintained with Babel (``make messages``
extracts the msgids from the code and merges them into the ``.po`` files). Each ``.po`` file is
compiled in memory the first time its language is asked for and kept for the process: there is
no ``.mo`` file to rebuild, so a catalog can never be older than its ``.po``.

Numbers, money, percentages and dates are written here too, through Babel's locale data
(``it_IT``, ``en``): ``10.000``, ``45,2%``, ``400.000 €`` in Italian. They live at the package's
root, beside the words, so that every folder may write a number in a sentence;
:mod:`allocator.render.formats` builds the KPI-aware formats on them.

The language is :mod:`allocator.lang`'s: ``lang`` when given, else the one in force. Values go in
through named placeholders filled with :meth:`str.format` after translation
(``_("Wrote {count} files into").format(count=3)``), never through f-strings inside a msgid,
so the msgid stays one literal string that extraction can read.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from allocator.errors import UsageError
from allocator.lang import DEFAULT_LANG, current_lang, lang_or_current

DOMAIN = "allocator"
LOCALES = {"it": "it_IT", "en": "en"}
"""The Babel locale of each language."""
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of ``lang``: ``allocator/locale/it/LC_MESSAGES/allocator.po``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.GNUTranslations:
    """The catalog of ``lang``, compiled in memory from its ``.po`` file (fuzzy and untranslated
    entries left out, so they fall back to the English msgid)."""
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def chosen_lang(lang: str | None) -> str:
    """``lang`` checked when given; else the language in force, or the default when the
    environment names an unknown one (the ``--lang`` option reports that itself)."""
    if lang is not None:
        return lang_or_current(lang)
    try:
        return current_lang()
    except UsageError:
        return DEFAULT_LANG


def _(msgid: str, lang: str | None = None) -> str:
    """``msgid`` (an English text) in ``lang``, or the language in force."""
    return translations(chosen_lang(lang)).gettext(msgid)


def ngettext(singular: str, plural: str, count: int, lang: str | None = None) -> str:
    """The form of ``singular``/``plural`` for ``count``, in ``lang`` or the language in force."""
    return translations(chosen_lang(lang)).ngettext(singular, plural, count)


def N_(msgid: str) -> str:
    """``msgid`` unchanged, marked for extraction: for texts kept in tables and translated
    later with :func:`_`."""
    return msgid


def decimal_pattern(decimals: int | None) -> str:
    """The CLDR pattern of a number: thousands grouped, ``decimals`` places (None: up to two,
    none for a whole number)."""
    if decimals is None:
        return "#,##0.##"
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def unsigned_zero(text: str) -> str:
    """``-0`` and ``-0,0`` without their sign (a value rounded to zero is not negative)."""
    if text.startswith("-") and set(text[1:]) <= set("0.,%"):
        return text[1:]
    return text


def number(value: float, lang: str | None = None, decimals: int | None = 0) -> str:
    """A number with thousands separators in ``lang``: ``10.000`` (it), ``10,000`` (en).

    ``decimals=None``: no decimals for a whole number, else up to two.
    """
    locale = LOCALES[chosen_lang(lang)]
    return unsigned_zero(format_decimal(value, decimal_pattern(decimals), locale=locale))


def share(value: float, lang: str | None = None, decimals: int = 1) -> str:
    """A share in [0, 1] as a percentage: ``45,2%`` (it), ``45.2%`` (en)."""
    pattern = decimal_pattern(decimals) + "%"
    return unsigned_zero(format_percent(value, pattern, locale=LOCALES[chosen_lang(lang)]))


def euro(value: float, lang: str | None = None) -> str:
    """Euros, whole: ``400.000 €`` (it), ``400,000 €`` (en)."""
    return f"{number(value, lang)} €"


def date(value: dt.date | dt.datetime, lang: str | None = None) -> str:
    """A date as planners read it: ``4 dic 2026`` (it), ``Dec 4, 2026`` (en); with its time
    (``4 dic 2026, 18:59``) when ``value`` is a datetime."""
    locale = LOCALES[chosen_lang(lang)]
    day = format_date(value, "medium", locale=locale)
    if isinstance(value, dt.datetime):
        return f"{day}, {format_time(value, 'short', locale=locale)}"
    return day
