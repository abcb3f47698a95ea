"""The catalogs of planner texts (``allocator/locale``): in step with the code, every text
translated into Italian, placeholders kept; Typer's own help and errors in Italian too."""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from allocator import lang
from allocator.i18n import (
    LOCALE_DIR,
    _,
    catalog_path,
    date,
    euro,
    ngettext,
    number,
    share,
    translations,
)
from allocator.lang import LANGS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "allocator"


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def msgids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The msgids of the code, extracted as ``make messages`` does (pyproject's Babel tables)."""
    output = tmp_path_factory.mktemp("pot") / "allocator.pot"
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(output)])
    finally:
        os.chdir(here)
    return read(output)


def placeholders(text: str) -> list[str]:
    return sorted(name for _text, name, _spec, _conv in Formatter().parse(text) if name is not None)


@pytest.mark.exact
@pytest.mark.parametrize("lang", LANGS)
def test_each_catalog_holds_exactly_the_texts_of_the_code(extracted: Catalog, lang: str) -> None:
    code, catalog = msgids(extracted), msgids(read(catalog_path(lang)))
    assert len(code) > 150  # the extraction saw the package
    assert not code - catalog, f"not in {lang}.po (run `make messages`): {sorted(code - catalog)}"
    assert not catalog - code, f"{lang}.po has texts the code lost: {sorted(catalog - code)}"


@pytest.mark.exact
def test_every_text_has_an_italian_translation_with_its_placeholders() -> None:
    catalog = read(catalog_path("it"))
    assert len(catalog) > 150
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated and not fuzzy, f"untranslated {untranslated}, fuzzy {fuzzy}"
    for message in catalog:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str):
            assert placeholders(message.id) == placeholders(message.string), message.id


@pytest.mark.exact
def test_the_catalogs_are_compiled_at_first_use() -> None:
    assert _("Error", "it") == "Errore" and _("Error", "en") == "Error"
    assert _("No such text in the catalog", "it") == "No such text in the catalog"
    assert translations("it") is translations("it")  # compiled once
    wrote = _("Wrote {count} files into", "it").format(count=3)
    assert wrote == "Scritti 3 file in"
    assert ngettext("{n} file", "{n} files", 2, "en") == "{n} files"
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == sorted(LANGS)


@pytest.mark.exact
def test_numbers_money_shares_and_dates_in_each_language() -> None:
    assert [number(10_000, lang) for lang in LANGS] == ["10.000", "10,000"]
    assert [number(1234.5, lang, None) for lang in LANGS] == ["1.234,5", "1,234.5"]
    assert number(3.0, "it", None) == "3" and number(0.25, "it", 1) == "0,2"
    assert [share(0.452, lang) for lang in LANGS] == ["45,2%", "45.2%"]
    assert [euro(400_000, lang) for lang in LANGS] == ["400.000 €", "400,000 €"]
    assert number(-0.004, "it", 2) == "0,00" and share(-1e-6, "it") == "0,0%"  # no "-0"
    assert number(-1500, "it") == "-1.500"
    assert date(dt.date(2026, 3, 9), "it") == "9 mar 2026"
    assert date(dt.datetime(2026, 3, 9, 18, 5), "it") == "9 mar 2026, 18:05"
    assert date(dt.date(2026, 3, 9), "en") == "Mar 9, 2026"


@pytest.mark.exact
def test_every_text_goes_through_the_catalog_not_words() -> None:
    """``lang.words(it, en)`` is gone: a pair of literal texts comes back only as a msgid."""
    users = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"(?<![\w.])words\(", path.read_text(encoding="utf-8"))
    )
    assert len(list(PACKAGE.rglob("*.py"))) > 100  # the scan saw the package
    assert users == []
    assert not hasattr(lang, "words")


@pytest.mark.exact
def test_no_msgid_is_hidden_inside_an_f_string() -> None:
    """``_()`` inside an f-string is invisible to extraction: its text would never be translated."""
    hidden = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for joined in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
            hidden += [
                f"{path.relative_to(PACKAGE)}:{call.lineno}"
                for call in ast.walk(joined)
                if isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id in ("_", "N_", "ngettext")
            ]
    assert hidden == []


def cli(*args: str, lang: str = "it") -> str:
    """The command line's terminal output, 200 columns wide whatever the terminal."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200", "ALLOCATOR_LANG": lang, "NO_COLOR": "1"},
    )
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", done.stdout + done.stderr).split())


TYPER_ENGLISH = (
    "Show this message and exit.",
    "Usage:",
    "[OPTIONS]",
    "Options",
    "Arguments",
    "[default:",
    "[required]",
    "<path>",
    "<float>",
    "<list[str]>",
    "<bool>",
)


@pytest.mark.cli
def test_typer_help_is_italian() -> None:
    top = cli("--help")
    assert "Uso: " in top and "[OPZIONI] COMANDO [ARGOMENTI]..." in top
    assert "Opzioni" in top and "Comandi" in top and "Mostra questo aiuto ed esce." in top
    run = cli("run", "--help")
    assert "Argomenti" in run and "<percorso>" in run and "<numero>" in run
    assert "<testo, ripetibile>" in run and "<sì/no>" in run
    assert "[predefinito: 100]" in cli("uncertainty", "--help")
    assert "[obbligatorio]" in cli("history", "label", "--help")
    for english in TYPER_ENGLISH:
        assert english not in top + run, english


@pytest.mark.cli
def test_typer_help_stays_english_when_asked() -> None:
    run = cli("run", "--help", lang="en")
    assert "Usage: " in run and "run [OPTIONS]" in run and "Show this message and exit." in run
    assert "<path>" in run and "<float>" in run and "Solve one scenario" in run


@pytest.mark.cli
def test_usage_errors_are_italian() -> None:
    assert "Opzione sconosciuta: --bogus" in cli("run", "--bogus")
    assert "Manca l'argomento 'run_id'." in cli("history", "label")
    assert "Valore non valido per '--time-limit': atteso <numero>." in cli(
        "run", "--time-limit", "abc"
    )
    assert "Comando sconosciuto: 'runn'. Forse 'run'?" in cli("runn")
    assert "Argomenti in più non previsti: a b" in cli("validate", "x", "a", "b")
    assert "No such option: --bogus" in cli("run", "--bogus", lang="en")
