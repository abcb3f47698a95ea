"""Typer's own words in the help's language: panel titles, ``[default: …]``, ``[required]``, the
usage line, the help option, the types of the values and the usage errors.

Typer (0.29 and later) carries its own copy of Click, whose English texts are plain literals: there
is no gettext domain to bind. What Typer lets an application change is used instead: the text
constants of :mod:`typer.rich_utils`, and the command classes :class:`typer.Typer` accepts through
``cls=`` (subclasses of :class:`typer.core.TyperCommand` and :class:`~typer.core.TyperGroup`),
which write the usage line, the help option and the types, and turn usage errors into sentences
of the catalog. Each text is Typer's English one as msgid, translated in ``allocator.po``.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

import typer
from typer import rich_utils
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from allocator.i18n import N_, _
from allocator.lang import DEFAULT_LANG

HELP_LANG = [DEFAULT_LANG]
"""The language of the help, set once by :func:`translate_typer` (the command line's)."""

TYPES = {
    "str": N_("text"),
    "int": N_("integer"),
    "float": N_("number"),
    "bool": N_("yes/no"),
    "path": N_("path"),
}
"""The words for the types Typer shows between angle brackets (``<float>``)."""

EXTRA_ARGUMENTS = "Got unexpected extra argument(s) ("
"""How Typer's Click starts the error for arguments left over (its text, matched)."""


def help_lang() -> str:
    return HELP_LANG[0]


def translate_typer(lang: str) -> None:
    """Typer's help and error texts in ``lang`` from now on (the ones its module exposes)."""
    HELP_LANG[0] = lang
    rich_utils.DEPRECATED_STRING = _("(deprecated) ", lang)
    rich_utils.DEFAULT_STRING = _("[default: {}]", lang)
    rich_utils.ENVVAR_STRING = _("[env var: {}]", lang)
    rich_utils.REQUIRED_LONG_STRING = _("[required]", lang)
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments", lang)
    rich_utils.OPTIONS_PANEL_TITLE = _("Options", lang)
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands", lang)
    rich_utils.ERRORS_PANEL_TITLE = _("Error", lang)
    rich_utils.ABORTED_TEXT = _("Aborted.", lang)
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.", lang)


def type_words(shown: str | None, lang: str) -> str | None:
    """A type as Typer shows it, in ``lang``: ``<float>`` → ``<numero>``, ``<list[str]>`` →
    ``<testo, ripetibile>``; choices (``<a|b>``), unknown types and English unchanged."""
    if shown is None or not shown.startswith("<") or lang == "en":
        return shown
    inner, _closing, rest = shown[1:].partition(">")
    repeated = inner.startswith("list[") and inner.endswith("]")
    name = inner[5:-1] if repeated else inner
    word = _(TYPES[name], lang) if name in TYPES else name
    if repeated:
        word = _("{type}, repeatable", lang).format(type=word)
    return f"<{word}>{rest}"


class TranslatedOption(TyperOption):
    """An option whose type is shown in the help's language."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return type_words(super().display_type_rich(ctx), help_lang())


class TranslatedArgument(TyperArgument):
    """An argument whose type is shown in the help's language."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return type_words(super().display_type_rich(ctx), help_lang())


def translated_param(param: Any) -> Any:
    """``param`` showing its type in the help's language: Typer builds its parameters itself, so
    each one is given the subclass above that only adds :meth:`display_type_rich`."""
    if type(param) is TyperOption:
        param.__class__ = TranslatedOption
    elif type(param) is TyperArgument:
        param.__class__ = TranslatedArgument
    return param


class TranslatedError(typer.BadParameter):
    """A usage error already worded in the help's language."""

    def format_message(self) -> str:
        return self.message


def hint(exc: Any) -> str:
    """The parameter a usage error is about, as Typer names it (``'--out'``, ``'run_id'``)."""
    if getattr(exc, "param_hint", None):
        given = exc.param_hint
        return given if isinstance(given, str) else " / ".join(repr(x) for x in given)
    param = getattr(exc, "param", None)
    return param.get_error_hint() if param is not None else ""


def no_such_option(exc: Any, lang: str) -> str:
    text = _("No such option: {name}", lang).format(name=exc.option_name)
    if exc.possibilities:
        options = ", ".join(sorted(exc.possibilities))
        text += " " + _("(Possible options: {options})", lang).format(options=options)
    return text


def missing_parameter(exc: Any, lang: str) -> str:
    kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "")
    if kind == "option":
        return _("Missing option {name}.", lang).format(name=hint(exc))
    return _("Missing argument {name}.", lang).format(name=hint(exc))


def bad_parameter(exc: Any, lang: str) -> str:
    param = getattr(exc, "param", None)
    if param is None:
        return _("Invalid value: {message}", lang).format(message=exc.message)
    expected = type_words(param.display_type(exc.ctx), lang) or ""
    return _("Invalid value for {name}: {expected} expected.", lang).format(
        name=hint(exc), expected=expected
    )


def bad_option_usage(exc: Any, lang: str) -> str:
    if "does not take a value" in exc.message:
        return _("Option {name} does not take a value.", lang).format(name=exc.option_name)
    return _("Option {name} requires a value.", lang).format(name=exc.option_name)


def usage_error(exc: Any, lang: str) -> str:
    if exc.message.startswith(EXTRA_ARGUMENTS):
        extra = exc.message[len(EXTRA_ARGUMENTS) : -1]
        return _("Unexpected extra arguments: {arguments}", lang).format(arguments=extra)
    return str(exc.message)


WORDING = {
    "NoSuchOption": no_such_option,
    "MissingParameter": missing_parameter,
    "BadParameter": bad_parameter,
    "BadOptionUsage": bad_option_usage,
    "BadArgumentUsage": usage_error,
    "UsageError": usage_error,
}
"""How each of Click's usage errors is worded, by class name (Typer's own copy of Click is not a
public module: its classes are told apart by name, as :mod:`typer.rich_utils` does)."""


def reworded(exc: Exception, lang: str) -> Exception:
    """``exc`` worded in ``lang`` when it is one of Click's usage errors; else ``exc``."""
    wording = WORDING.get(type(exc).__name__)
    if wording is None or lang == "en":
        return exc
    return TranslatedError(wording(exc, lang), ctx=getattr(exc, "ctx", None))


class Translated:
    """What a command and a group of commands share: the help option, the usage line and the
    usage errors in the help's language (mixed in before Typer's class)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _("Show this message and exit.", help_lang())
            translated_param(option)
        return option

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = " ".join(self.collect_usage_pieces(ctx))  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, pieces, prefix=_("Usage: ", help_lang()))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except typer.TyperException as exc:
            raise reworded(exc, help_lang()) from None


class TranslatedCommand(Translated, TyperCommand):
    """A command whose usage line, help option, types and usage errors are in the help's
    language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = _("[OPTIONS]", help_lang())
        super().__init__(*args, **kwargs)
        self.params = [translated_param(p) for p in self.params]


class TranslatedGroup(Translated, TyperGroup):
    """A group of commands with its usage line, help option, types and errors in the help's
    language (``No such command`` too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["subcommand_metavar"] = _("COMMAND [ARGS]...", help_lang())
        kwargs["options_metavar"] = _("[OPTIONS]", help_lang())
        super().__init__(*args, **kwargs)
        self.params = [translated_param(p) for p in self.params]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        known = self.get_command(ctx, name) is not None or name.startswith("-")
        if known or ctx.resilient_parsing or help_lang() == "en":
            return super().resolve_command(ctx, args)
        text = _("No such command {name}.", help_lang()).format(name=repr(name))
        close = get_close_matches(name, list(self.commands))
        if close:
            names = ", ".join(repr(m) for m in close)
            text += " " + _("Did you mean {names}?", help_lang()).format(names=names)
        raise TranslatedError(text, ctx=ctx)
