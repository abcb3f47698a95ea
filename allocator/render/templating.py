"""The report's Jinja2 templates (``allocator/render/templates``): one cached environment,
autoescaped, so every name, note and label reaches the page as text, never as markup.

:func:`render` fills a template in a language: its ``_()`` is the catalog's
(:func:`allocator.i18n._` in that language), so templates hold their msgids and ``make
messages`` extracts them (pyproject's ``[[tool.babel.mappings]]``, Jinja2's extractor).
Python prepares plain data: rows of already formatted strings; only the package's own output (a
chart's base64 PNG, a section rendered here) is passed as :class:`~markupsafe.Markup`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from allocator.i18n import _

__all__ = ["Image", "Markup", "Table", "environment", "png_image", "render"]


@cache
def environment() -> Environment:
    """The report's environment: templates from the package, autoescaped, undefined names an
    error (a template never prints an empty hole)."""
    return Environment(
        loader=PackageLoader("allocator.render", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, lang: str, **context: Any) -> Markup:
    """The template ``name`` filled with ``context``, its words in ``lang``."""
    template = environment().get_template(name)
    return Markup(template.render(_=partial(_, lang=lang), lang=lang, **context))


@dataclass(frozen=True)
class Table:
    """An HTML table as the templates draw it: its element id, the headers and the rows, each
    cell a (css class, text) pair."""

    id: str
    head: list[tuple[str, str]]
    rows: list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Image:
    """An inline image: its element id, css class, alternative text and ``data:`` address."""

    id: str
    css: str
    alt: str
    src: Markup


def png_image(data: bytes, alt: str, element_id: str, css: str = "chart") -> Image:
    """A PNG drawn by the package, inline as base64 (safe: our own bytes, base64 characters)."""
    encoded = base64.b64encode(data).decode("ascii")
    return Image(element_id, css, alt, Markup(f"data:image/png;base64,{encoded}"))
