"""The package's layout holds (``docs/architecture.md``): short modules, no private name used across
modules, and each folder importing only from the folders above it in the pipeline.

Read from the source with :mod:`ast`; nothing of the package is imported.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.exact

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "allocator"
MAX_LINES = 500

PIPELINE = (
    "inputs",
    "optimization",
    "postprocess",
    "outputs",
    "studies",
    "render",
    "app",
    "datasets",
    "cli",
)
"""The folders in pipeline order: each imports only from those before it (and from the modules at
the package's root, ``errors``, ``lang`` and ``i18n``, which import no folder)."""

UPWARD: dict[str, frozenset[str]] = {
    "optimization/pipeline.py": frozenset({"postprocess"}),
}
"""The one import against the order that the architecture draws: ``pipeline.run_scenario`` in
``optimization/`` chains the whole run into a ``RunResult``, extracting and checking its plan."""


@dataclass(frozen=True)
class Module:
    path: Path
    tree: ast.Module

    @property
    def name(self) -> str:
        """The path below ``allocator/``, e.g. ``inputs/tables.py``."""
        return self.path.relative_to(PACKAGE).as_posix()

    @property
    def folder(self) -> str | None:
        """Its folder below ``allocator/``; None for the modules at the root."""
        parts = self.path.relative_to(PACKAGE).parts
        return parts[0] if len(parts) > 1 else None

    @property
    def dotted(self) -> str:
        """Its package, e.g. ``allocator.inputs`` (for relative imports)."""
        return ".".join(("allocator", *self.path.relative_to(PACKAGE).parent.parts))


@cache
def modules() -> tuple[Module, ...]:
    paths = sorted(PACKAGE.rglob("*.py"))
    return tuple(Module(p, ast.parse(p.read_text(encoding="utf-8"), str(p))) for p in paths)


def is_private(name: str) -> bool:
    """A leading underscore, except dunders and ``_`` itself (gettext's name for translating,
    ``allocator.i18n._``)."""
    return (
        name.startswith("_") and name != "_" and not (name.startswith("__") and name.endswith("__"))
    )


def absolute(module: Module, node: ast.ImportFrom) -> str:
    """The module an ``from … import`` reads, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = module.dotted.split(".")[: len(module.dotted.split(".")) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imported(module: Module) -> Iterator[tuple[int, str]]:
    """Every dotted name the module imports (``from a.b import c`` gives ``a.b.c``), with its line;
    imports inside functions and ``TYPE_CHECKING`` blocks count too."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            for alias in node.names:
                yield node.lineno, f"{source}.{alias.name}"


def bound_by_import(tree: ast.Module) -> set[str]:
    """The local names that import statements bind (modules, and names taken from modules)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return names


def private_uses(module: Module) -> Iterator[str]:
    for line, name in imported(module):
        if any(is_private(part) for part in name.split(".")):
            yield f"{module.name}:{line} imports {name}"
    names = bound_by_import(module.tree)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in names:
                yield f"{module.name}:{node.lineno} reads {ast.unparse(node)}"


def upward_imports(module: Module) -> Iterator[str]:
    allowed = UPWARD.get(module.name, frozenset())
    rank = PIPELINE.index(module.folder) if module.folder is not None else -1
    for line, name in imported(module):
        parts = name.split(".")
        if parts[0] != "allocator" or len(parts) < 2 or parts[1] not in PIPELINE:
            continue  # another package, or a module at the root (errors, lang, __version__)
        folder = parts[1]
        if folder != module.folder and folder not in allowed and PIPELINE.index(folder) > rank:
            yield f"{module.name}:{line} ({module.folder or 'root'}) imports {name}"


def test_the_package_is_read() -> None:
    names = {m.name for m in modules()}
    assert {"__init__.py", "inputs/tables.py", "cli/__init__.py"} <= names
    assert {m.folder for m in modules()} == {None, *PIPELINE}


def test_no_module_imports_a_private_name_of_another() -> None:
    found = [use for module in modules() for use in private_uses(module)]
    assert not found, "private names used across modules:\n" + "\n".join(found)


def test_no_module_is_longer_than_500_lines() -> None:
    lengths = {m.name: len(m.path.read_text(encoding="utf-8").splitlines()) for m in modules()}
    long = [f"{name}: {count} lines" for name, count in lengths.items() if count > MAX_LINES]
    assert not long, "modules over 500 lines:\n" + "\n".join(long)


def test_each_folder_imports_only_from_the_folders_above_it() -> None:
    found = [use for module in modules() for use in upward_imports(module)]
    assert not found, "imports against the pipeline order:\n" + "\n".join(found)


def test_the_checks_see_what_they_look_for() -> None:
    """The checks on made-up modules: each kind of violation is found."""
    source = (
        "import allocator.render.formats as f\n"
        "from allocator.inputs import schema\n"
        "from allocator.inputs.tables import _values\n"
        "from . import _hidden\n"
        "x = schema._Row\n"
        "y = f._hidden.z\n"
        "from allocator.cli import base\n"
        "from allocator import errors, lang, __version__\n"
    )
    module = Module(PACKAGE / "inputs" / "made_up.py", ast.parse(source))
    assert [use.split(" ", 1)[1] for use in private_uses(module)] == [
        "imports allocator.inputs.tables._values",
        "imports allocator.inputs._hidden",
        "reads schema._Row",
        "reads f._hidden",
    ]
    assert [use.split(" ", 2)[2] for use in upward_imports(module)] == [
        "imports allocator.render.formats",
        "imports allocator.cli.base",
    ]


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PYTEST_OPTIONS = PYPROJECT["tool"]["pytest"]
MARKERS = tuple(line.split(":")[0] for line in PYTEST_OPTIONS["ini_options"]["markers"])
"""The test layers, as pyproject.toml declares them."""


def test_every_test_file_declares_its_layer() -> None:
    """Each test file says its layer with a module-level ``pytestmark`` naming one of the markers
    of pyproject.toml, so ``-m`` selects whole layers (the inner loop leaves the slow ones)."""
    unmarked = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        marks = [
            ast.unparse(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        ]
        if not any(f"pytest.mark.{m}" in text for text in marks for m in MARKERS):
            unmarked.append(path.name)
    assert unmarked == []
