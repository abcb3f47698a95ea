"""The leak guard: everything a planner reads, in Italian, holds no English and no internal name.

Every command runs in Italian (the default) on the bundled Milan scenario or on a small one, and
every text it gives a planner is scanned: the terminal (stdout and stderr, help included), the
minutes (``summary.md``), the HTML report, the cells and sheet names of ``results.xlsx``. What is
searched for is kept here, in :data:`ENGLISH` and in the ids and keys the package defines (status
words, KPI keys, column ids of the output tables, partner, role and funder ids where a name
exists), plus ``True``/``False``/``nan``/``None`` and numbers in scientific notation.

Some texts must show a few of those on purpose, and are left out of the scan: a file name or a
path (``area_interventions.csv``), a settings key a planner types (``policy.equity_weight=0.3``,
``--set``), the provenance of a report (input files, hashes, versions, the overrides as typed),
and an input error naming the column of the planner's own file. Each such allowance is a pattern
in :data:`ALLOWED`, removed from the text before it is scanned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from allocator.cli import app
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import LegalForm, Unit
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.kpis import KPIS
from tests.scenario_factory import write_scenario

pytestmark = [pytest.mark.cli, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
MILANO = ROOT / "scenarios" / "milano"

ENGLISH = (
    "the",
    "and",
    "of",
    "is",
    "are",
    "with",
    "for",
    "not",
    "must",
    "this",
    "that",
    "from",
    "into",
    "per area",
    "already exists",
    "written to",
    "Show this message and exit",
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Error",
    "default",
    "required",
    "local worker processes",
    "optimal",
    "feasible",
    "infeasible",
    "Needs are estimates",
    "Plans within",
)
"""English words and phrases that never belong in an Italian text (whole words, case-sensitive
for the capitalised ones)."""

ALLOWED = (
    r"(?:[\w.\-]+/)+[\w.\-]*",  # a path
    r"\b[\w\-]+\.(?:csv|json|xlsx|md|toml|sqlite|html|png|pdf|geojson)\b",  # a file name
    r"--[a-z][a-z\-]*",  # an option as typed
    r"\b[a-z]+(?:\.[a-z_<>]+)+(?:=\S*)?",  # a settings key as typed: policy.equity_weight=0.3
    r"\bstaff:[a-z_]+",  # the pseudo-intervention of earmarks.csv, as the planner types it
    r"\bALLOCATOR_[A-Z]+\b",  # an environment variable
    r"tcp://\S+",
    r"\bsha256\b",
)

SCIENTIFIC = re.compile(r"\b\d+(?:[.,]\d+)?e[+-]?\d+\b", re.IGNORECASE)
PYTHON_WORDS = re.compile(r"\b(?:True|False|nan|NaN|None|inf)\b")


@dataclass(frozen=True)
class Leak:
    face: str
    kind: str
    found: str
    context: str

    def __str__(self) -> str:
        return f"{self.face}: {self.kind} {self.found!r} in …{self.context}…"


@cache
def internal_names() -> dict[str, str]:
    """Internal name → what it is: KPI keys, status words, ids of the Milan scenario that have a
    name (partners, roles, funders, interventions), column ids of the output tables."""
    names: dict[str, str] = {k.key: "KPI key" for k in KPIS}
    scenario = load_scenario(MILANO)
    names.update({p.partner_id: "partner id" for p in scenario.partners})
    names.update({r.role_id: "role id" for r in scenario.staff})
    names.update({f.funder_id: "funder id" for f in scenario.funders})
    names.update({i.intervention_id: "intervention id" for i in scenario.interventions})
    names.update({c: "column id" for c in run_folder_columns() if "_" in c})
    names.update({u.value: "unit word" for u in Unit})
    names.update({f.value: "legal form id" for f in LegalForm if "_" in f.value})
    names.update({s.value: "status word" for s in SolveStatus})
    return names


@cache
def run_folder_columns() -> tuple[str, ...]:
    """The column ids of every table of a run folder, read from a run of the small scenario."""
    import tempfile

    import pandas as pd

    with tempfile.TemporaryDirectory() as scratch:
        folder = write_scenario(Path(scratch) / "s")
        out = Path(scratch) / "run"
        result = CliRunner().invoke(app, ["run", str(folder), "--out", str(out), "--no-history"])
        assert result.exit_code == 0, result.output
        columns: set[str] = set()
        for csv in out.glob("*.csv"):
            columns.update(str(c) for c in pd.read_csv(csv, nrows=0).columns)
    return tuple(sorted(columns))


def leaks(face: str, text: str) -> list[Leak]:
    """Everything English or internal in ``text``, once the allowed patterns are taken out."""
    cleaned = text
    for pattern in ALLOWED:
        cleaned = re.sub(pattern, " ", cleaned)
    found: list[Leak] = []

    def add(kind: str, match: re.Match[str]) -> None:
        start, end = max(match.start() - 40, 0), match.end() + 40
        context = " ".join(cleaned[start:end].split())
        found.append(Leak(face, kind, match.group(0), context))

    for phrase in ENGLISH:
        flags = 0 if phrase[0].isupper() else re.IGNORECASE
        for match in re.finditer(rf"(?<![\w'’]){re.escape(phrase)}(?![\w'’])", cleaned, flags):
            add("English", match)
    for name, kind in internal_names().items():
        for match in re.finditer(rf"(?<![\w\-]){re.escape(name)}(?![\w\-])", cleaned):
            add(kind, match)
    for match in SCIENTIFIC.finditer(cleaned):
        add("scientific notation", match)
    for match in PYTHON_WORDS.finditer(cleaned):
        add("Python value", match)
    return found


def html_text(html: str) -> str:
    """What a reader of the report sees: the text without tags, styles, scripts, images, and
    without the provenance footer (input files and hashes, versions, overrides as typed)."""
    html = html.split("<footer>")[0]
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<img[^>]*>", " ", html)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&[#\w]+;", " ", html)


def workbook_text(path: Path) -> str:
    """Every sheet name and every cell of a workbook, as text."""
    book = load_workbook(path, read_only=True)
    parts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts += [_cell(v) for v in row if v is not None]
    return "\n".join(parts)


def _cell(value: object) -> str:
    """A cell as the spreadsheet shows it: numbers are formatted by the workbook's own number
    formats, so only text and booleans are what a planner reads as written."""
    if isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


def invoke(args: Sequence[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every face of every command, in Italian: face name → the text a planner reads."""
    tmp = tmp_path_factory.mktemp("leaks")
    small = write_scenario(tmp / "small", settings={"uncertainty": {"need_spread": 0.2}})
    history = tmp / "history.sqlite"
    texts: dict[str, str] = {}
    keep = ["--history", str(history)]

    def command(name: str, *args: str, codes: Sequence[int] = (0,)) -> None:
        code, output = invoke(args)
        assert code in codes, f"{name}: exit {code}\n{output}"
        texts[f"terminal: {name}"] = output

    command("--help", "--help")
    for sub in (
        "run",
        "validate",
        "template",
        "needs",
        "synth",
        "compare",
        "sweep",
        "frontier",
        "batch",
        "uncertainty",
        "report",
        "alternatives",
        "app",
        "history",
    ):
        command(f"{sub} --help", sub, "--help")
    command("run milano", "run", str(MILANO), "--out", str(tmp / "milano"), *keep)
    command("run again", "run", str(MILANO), "--out", str(tmp / "milano"), *keep, codes=(2,))
    command("run small", "run", str(small), "--out", str(tmp / "small-run"), *keep)
    command("validate", "validate", str(small))
    command("history list", "history", "list", *keep)
    command("history show", "history", "show", "1", *keep)
    command("history compare", "history", "compare", "1", "2", *keep)
    compared = tmp / "compare"
    command(
        "compare",
        "compare",
        str(MILANO),
        str(ROOT / "scenarios" / "variants" / "milano-budget-90"),
        "--with-rules",
        "--out",
        str(compared),
    )
    texts["summary.md"] = (compared / "summary.md").read_text(encoding="utf-8")
    sweep = ["sweep", str(small), "--param", "budget.scale", "--values", "0.5,1"]
    command("sweep", *sweep, "--out", str(tmp / "sweep"))
    command("uncertainty", "uncertainty", str(small), "--samples", "4", "--out", str(tmp / "unc"))
    report = tmp / "report.html"
    command("report", "report", str(tmp / "milano"), "--out", str(report))
    texts["report"] = html_text(report.read_text(encoding="utf-8"))
    texts["results.xlsx"] = workbook_text(tmp / "milano" / "results.xlsx")
    return texts


def test_every_face_is_in_italian_without_internal_names(faces: dict[str, str]) -> None:
    found = [leak for face, text in faces.items() for leak in leaks(face, text)]
    shown = "\n".join(str(leak) for leak in found[:60])
    assert not found, f"{len(found)} leaks, the first:\n{shown}"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("esito optimal", "English"),
        ("personale community_social_worker (FTE)", "role id"),
        ("Show this message and exit.", "English"),
        ("Errore: the output folder outputs/x already exists", "English"),
        ("unità: minors", "unit word"),
        ("beneficiari 1.2e+04", "scientific notation"),
        ("copertura nan", "Python value"),
        ("seme 1: 2 local worker processes", "English"),
        ("ente SYN-0335", "partner id"),
        ("weighted_coverage 0,45", "KPI key"),
    ],
)
def test_the_guard_finds_the_leaks_of_the_past(text: str, kind: str) -> None:
    """The guard fails on each kind of leak seen on main before it (issue 19's list)."""
    assert leaks("example", text), text


@pytest.mark.parametrize(
    "text",
    [
        "Risultati scritti in outputs/milano-qubi-base: area_interventions.csv, kpis.json",
        "--set policy.equity_weight=0.3 --overwrite",
        "Quartieri esclusi: San Siro; copertura 45,2%; 1.234.567 €",
    ],
)
def test_the_guard_allows_what_a_planner_types(text: str) -> None:
    assert leaks("example", text) == []
