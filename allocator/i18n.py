"""Every sentence a planner reads, from the gettext catalogs in ``allocator/locale``.

The msgids are the English texts (English is the code's language); the translations live in
``allocator/locale/<lang>/LC_MESSAGES/allocator.po``, maintained with Babel (``make messages``
extracts the msgids from the code and merges them into the ``.po`` files). Each ``.po`` file is
compiled in memory the first time its language is asked for and kept for the process: there is
no ``.mo`` file to rebuild, so a catalog can never be older than its ``.po``.

The language is :mod:`allocator.lang`'s: ``lang`` when given, else the one in force. Values go in
through named placeholders filled with :meth:`str.format` after translation
(``_("Wrote {count} files into").format(count=3)``), never through f-strings inside a msgid,
so the msgid stays one literal string that extraction can read.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from allocator.errors import UsageError
from allocator.lang import DEFAULT_LANG, current_lang, lang_or_current

DOMAIN = "allocator"
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
