"""Shared parts of the command line: the Typer app, the edge that turns outcomes into messages
and exit codes, the common options.

Exit codes (DESIGN.md §3): 0 a plan was found; 2 bad input or usage; 3 infeasible; 4 the solver
failed or found no plan in time. A bad input is never a traceback (``--debug`` shows one).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from allocator.inputs.schema import Scenario

from allocator.cli import help_words
from allocator.errors import (
    EXIT_INPUT,
    EXIT_SOLVER,
    InputError,
    UsageError,
)
from allocator.i18n import _
from allocator.lang import ENV_VAR, set_lang, startup_lang

HELP_LANG = startup_lang()
"""The language of the help texts, read from the command line before Typer parses it."""


def tr(msgid: str) -> str:
    """A help text (an English msgid) in the language of this command line: Italian unless
    ``--lang en`` or ``ALLOCATOR_LANG=en``."""
    return _(msgid, HELP_LANG)


def option(msgid: str, *names: str, **settings: Any) -> Any:
    """A Typer option with its help text in the help's language (see :func:`tr`); ``names`` and
    ``settings`` as :func:`typer.Option` takes them."""
    return typer.Option(*names, help=tr(msgid), **settings)


def argument(msgid: str, **settings: Any) -> Any:
    """A Typer argument with its help text in the help's language (see :func:`tr`)."""
    return typer.Argument(help=tr(msgid), **settings)


help_words.translate_typer(HELP_LANG)

app = typer.Typer(
    cls=help_words.TranslatedGroup,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help=tr("Allocate interventions, staff and funding against child poverty across areas."),
)
# Output piped to a file or another program is not hard-wrapped at 80 columns (a sentence stays
# on one line, whatever the path's length); a terminal wraps at its own width.
console = Console(soft_wrap=not sys.stdout.isatty())
errors = Console(stderr=True, soft_wrap=not sys.stderr.isatty())
_state = {"debug": False}

F = TypeVar("F", bound=Callable[..., Any])


@app.callback()
def _options(
    debug: Annotated[
        bool,
        typer.Option("--debug", help=tr("Show tracebacks of errors.")),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=tr(
                "Language of the terminal, reports and files: it (default) or en; also {variable}."
            ).format(variable=ENV_VAR),
        ),
    ] = None,
) -> None:
    _state["debug"] = debug
    try:
        set_lang(lang)
    except UsageError as exc:
        title = tr("Error")
        errors.print(f"[bold red]{title}:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


def report_problems(problems: list[Any], title: str | None = None) -> None:
    title = title or _("The input has problems")
    errors.print(f"[bold red]{title}[/] ({len(problems)}):")
    for problem in problems:
        errors.print(f"  - {problem}", highlight=False, markup=False, emoji=False)


def edge(command: F) -> F:
    """Turn the library's errors into messages and exit codes."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            if _state["debug"]:
                raise
            report_problems(exc.problems)
            raise typer.Exit(EXIT_INPUT) from None
        except (UsageError, FileNotFoundError) as exc:
            if _state["debug"]:
                raise
            title = _("Error")
            errors.print(f"[bold red]{title}:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:
            if _state["debug"]:
                raise
            message = escape(file_system_error(exc))
            title = _("File-system error")
            errors.print(f"[bold red]{title}:[/] {message}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except Exception as exc:
            if _state["debug"]:
                raise
            title = _("Unexpected error")
            hint = _("(run with --debug for the traceback)")
            errors.print(
                f"[bold red]{title}:[/] {type(exc).__name__}: {escape(str(exc))} {hint}",
                highlight=False,
            )
            raise typer.Exit(EXIT_SOLVER) from None

    return wrapper  # type: ignore[return-value]


def command(
    msgid: str | None = None,
    *,
    name: str | None = None,
    group: typer.Typer | None = None,
) -> Callable[[F], F]:
    """Register a command on ``group`` (the main app unless given) behind the :func:`edge`,
    with its help text (an English msgid) in the help's language (see :func:`tr`); without one
    Typer shows the docstring."""

    def register(function: F) -> F:
        guarded = edge(function)
        help_text = None if msgid is None else tr(msgid)
        (group or app).command(name, help=help_text, cls=help_words.TranslatedCommand)(guarded)
        return guarded

    return register


def print_failure(title: str, lines: Iterable[str]) -> None:
    """A failure on standard error: its title in red, then each line quoted as is."""
    errors.print(f"[bold red]{title}:[/]")
    for line in lines:
        errors.print(f"  - {line}", highlight=False, markup=False)


def fail(title: str, lines: Iterable[str], code: int) -> NoReturn:
    """Print a failure (see :func:`print_failure`) and exit with ``code``."""
    print_failure(title, lines)
    raise typer.Exit(code)


def print_written(what: str, where: Path) -> None:
    """'Risultati scritti in outputs/milano': what was written (already in the planner's
    language, e.g. ``_("Outputs written to", lang)``) and where."""
    console.print(f"{what} [bold]{where}[/]")


def file_system_error(exc: OSError) -> str:
    """What went wrong and where: 'permission denied: /data/out/areas.csv'."""
    what = (exc.strerror or type(exc).__name__).lower()
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{what}: {' → '.join(paths)}" if paths else f"{what} ({exc})"


ScenarioArg = Annotated[
    Path | None,
    argument("Scenario folder (scenario.toml + tables); the bundled Milan one if omitted."),
]
ScenarioFolderArg = Annotated[Path, argument("Scenario folder.")]
"""A scenario folder the command cannot do without (sweep, frontier)."""
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help=tr("Override a scenario.toml key: --set budget.scale=0.9 (repeatable)."),
    ),
]


ScenarioLoader = Callable[[Path | None, Sequence[str]], "Scenario"]
"""What loads a scenario: ``(path, overrides) -> Scenario``, raising InputError on bad input."""


_LOADER: ContextVar[ScenarioLoader | None] = ContextVar("scenario_loader", default=None)


@contextlib.contextmanager
def using_loader(loader: ScenarioLoader) -> Iterator[None]:
    """Commands run inside this block load scenarios with ``loader`` (tests pass toy loaders)."""
    token = _LOADER.set(loader)
    try:
        yield
    finally:
        _LOADER.reset(token)


def scenario_loader() -> ScenarioLoader:
    """The commands' loader: ``allocator.inputs.loading.load_scenario``, unless a block of
    :func:`using_loader` gave another."""
    given = _LOADER.get()
    if given is not None:
        return given
    from allocator.inputs.loading import load_scenario as package_loader

    return package_loader


def load_scenario(path: Path | None, overrides: Sequence[str]) -> Scenario:
    """Load a scenario with the command's loader (see :func:`scenario_loader`)."""
    return scenario_loader()(path, overrides)


def load_without_overrides(loader: ScenarioLoader, folder: Path) -> Scenario:
    return loader(folder, [])


def folder_loader() -> Callable[[Path], Scenario]:
    """The command's loader for one folder, as batch jobs call it (picklable for workers)."""
    return functools.partial(load_without_overrides, scenario_loader())


def solver_overrides(solver: str | None, time_limit: float | None) -> list[str]:
    extra = []
    if solver is not None:
        extra.append(f'solver.name="{solver}"')
    if time_limit is not None:
        extra.append(f"solver.time_limit={time_limit}")
    return extra


OutOption = Annotated[Path | None, typer.Option("--out", help=tr("Output folder."))]
OverwriteOption = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help=tr(
            "Replace the outputs if they exist, only when the allocator wrote them (the old "
            "folder is kept beside as .NAME.old-… until the new one is in place)."
        ),
    ),
]


def guard_output(
    out: Path,
    *,
    inputs: Iterable[Path] = (),
    overwrite: bool = False,
    history: Path | None = None,
    file: Any = None,
) -> Path:
    """The one check of every command that writes, made before it solves: ``out`` is not an
    input of the run (``inputs``, see :func:`allocator.outputs.guard.run_inputs`), not the
    archive (``--history``, ``$ALLOCATOR_HISTORY`` or the default) and replaces only what the
    allocator wrote, with ``--overwrite``; ``file`` (a :class:`~allocator.outputs.guard.FileKind`)
    for a single-file output. See :mod:`allocator.outputs.guard`. Returns ``out``."""
    from allocator.outputs.archive import history_path
    from allocator.outputs.guard import check_output

    archive = history_path(history)
    return check_output(out, inputs=inputs, archive=archive, overwrite=overwrite, file=file)


def output_folder(
    out: Path | None,
    name: str,
    overwrite: bool,
    *,
    inputs: Iterable[Path] = (),
    history: Path | None = None,
) -> Path:
    """Where a command writes: ``--out``, or ``outputs/<name>``; refused before any solving when
    it must not be written (see :func:`guard_output`)."""
    from allocator.outputs.run_folder import default_output_dir

    destination = out or default_output_dir(name)
    return guard_output(destination, inputs=inputs, overwrite=overwrite, history=history)


def solved(scenarios: list[Path], overrides: list[str]) -> list[Any]:
    """Load and solve each scenario; exit with the contract's code if one has no plan."""
    from allocator.optimization.pipeline import run_scenario
    from allocator.render.facts import no_plan_sentences
    from allocator.studies.batch import EXIT_CODES

    results = [run_scenario(load_scenario(path, overrides)) for path in scenarios]
    failed = [r for r in results if not r.has_plan]
    for r in failed:
        no_plan = _("No plan for '{scenario}'").format(scenario=r.scenario.name)
        print_failure(f"{no_plan} ({r.status.value})", no_plan_sentences(r))
    if failed:
        raise typer.Exit(max(EXIT_CODES[r.status] for r in failed))
    return results


def print_notices(scenario: Any) -> None:
    """What loading read in a way worth telling (a Windows-1252 file, ignored columns), quoted as
    is: no markup, no emoji."""
    for notice in getattr(scenario, "notices", ()):
        errors.print(f"  ! {notice}", highlight=False, markup=False, emoji=False)
