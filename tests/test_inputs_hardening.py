"""Hardened inputs (issue 15, input side): every input that validates solves or is explained;
what cannot be taken is refused at input, exit 2, naming the file and the cell; never exit 4."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from allocator.errors import EXIT_INPUT, EXIT_OK
from allocator.inputs.loading import load_scenario
from tests.scenario_factory import flat, invoke, small_tables, with_row, write_scenario, write_xlsx

pytestmark = pytest.mark.cli


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOCATOR_LANG", "en")


def refused(folder: Path, *fragments: str, extra: tuple[str, ...] = ()) -> str:
    """``validate`` and ``run`` both exit 2 naming ``fragments``; nothing is written."""
    out = folder.parent / "out"
    for command in (["validate", folder, *extra], ["run", folder, "--out", out, *extra]):
        result = invoke(*command)
        assert result.exit_code == EXIT_INPUT, result.output
        text = flat(result.output)
        assert "Traceback" not in text and "Unexpected error" not in text
        for fragment in fragments:
            assert fragment in text, (fragment, text)
    assert not out.exists()
    return text


# --- names and cells -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Area\x07", "Riga\nnuova", "Zona\x00", "A\u202eB"])
def test_control_characters_in_names_are_refused_with_the_cell(tmp_path: Path, name: str) -> None:
    folder = write_scenario(tmp_path / "s", with_row("areas", 1, name=name))
    refused(folder, "areas.csv, row 3, column 'name'", "control character")


def test_a_cell_longer_than_the_csv_limit_is_refused_with_the_cell(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("partners", 0, name="x" * 200_000))
    text = refused(folder, "partners.csv, row 2, column 'name'", "200000 characters")
    assert "x" * 1000 not in text  # the value is not echoed whole


# --- numbers within the ranges the guide states ------------------------------------------------

HUGE = [
    ("interventions", 0, "value", "1e308"),
    ("needs", 0, "priority", "1e308"),
    ("interventions", 0, "unit_cost", "1e308"),
    ("staff", 0, "cost_per_fte", "1e308"),
    ("staff", 0, "available_fte", "1e308"),
    ("staff", 0, "fte_step", "1e308"),
    ("staff", 0, "fte_step", "1e-320"),
    ("funders", 0, "amount", "1.7e308"),
    ("areas", 0, "population", "9e307"),
    ("capacities", 0, "capacity", "1e300"),
]


@pytest.mark.parametrize(("table", "index", "column", "value"), HUGE)
def test_numbers_beyond_their_range_are_refused(
    tmp_path: Path, table: str, index: int, column: str, value: str
) -> None:
    folder = write_scenario(tmp_path / "s", with_row(table, index, **{column: value}))
    refused(folder, f"{table}.csv, row {index + 2}, column '{column}'")


@pytest.mark.parametrize(
    "setting",
    ["budget.scale=1e308", "solver.threads=1000000", "solver.threads=99999999999999999999"],
)
def test_settings_beyond_their_range_are_refused(tmp_path: Path, setting: str) -> None:
    folder = write_scenario(tmp_path / "s")
    refused(folder, "--set", setting.partition("=")[0], extra=("--set", setting))


def test_the_largest_accepted_values_solve(tmp_path: Path) -> None:
    """At the top of every range the model still solves (exit 0): the ranges are safe."""
    tables = {
        **with_row("funders", 0, amount="1e11"),
        **with_row("interventions", 1, value="10000", unit_cost="1e7"),
        **with_row("needs", 1, priority="10000", need="1e8"),
        **with_row("staff", 0, available_fte="1e5", cost_per_fte="1e7", fte_step="0.01"),
    }
    folder = write_scenario(tmp_path / "s", tables)
    result = invoke("run", folder, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == EXIT_OK, result.output


# --- scenario.toml and --set: strict types ------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"budget": {"scale": True}}, "budget.scale"),
        ({"solver": {"threads": True}}, "solver.threads"),
        ({"solver": {"threads": 2.5}}, "solver.threads"),
        ({"map_match_number": "yes"}, "map_match_number"),
        ({"policy": {"equity_weight": "0.3"}}, "policy.equity_weight"),
    ],
)
def test_settings_have_strict_types(tmp_path: Path, settings: dict[str, Any], key: str) -> None:
    folder = write_scenario(tmp_path / "s", settings=settings)
    refused(folder, "scenario.toml", f"column '{key}'")


def test_a_line_break_inside_a_set_value_is_refused(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    refused(folder, "--set", "control character", extra=("--set", "budget.scale=0.9\nfoo=1"))


def test_an_italian_number_in_set_is_read(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    assert load_scenario(folder, ["budget.scale=0,9"]).settings.budget.scale == 0.9


def test_an_embedded_nul_in_extends_is_refused(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    (folder / "scenario.toml").write_text('name = "x"\nextends = "../b\\u0000ase"\n')
    refused(folder, "scenario.toml", "column 'extends'")


# --- files ---------------------------------------------------------------------------------------


def test_an_optional_table_that_is_a_folder_is_refused_with_its_path(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", {"earmarks": None})
    (folder / "earmarks.csv").mkdir()
    refused(folder, "earmarks.csv", "not a file but a folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_an_optional_table_that_is_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", {"baseline": None})
    os.mkfifo(folder / "baseline.csv")
    refused(folder, "baseline.csv", "FIFO")


def test_a_dangling_link_is_refused_with_its_path(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", {"staff": None})
    (folder / "staff.csv").symlink_to(tmp_path / "nowhere.csv")
    refused(folder, "staff.csv", "cannot be read")


def test_an_unreadable_table_is_refused_with_its_path(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file: permissions cannot make one unreadable")
    folder = write_scenario(tmp_path / "s")
    (folder / "needs.csv").chmod(0)
    try:
        refused(folder, "needs.csv", "cannot be read")
    finally:
        (folder / "needs.csv").chmod(0o644)


def test_a_table_linked_to_a_system_file_does_not_echo_it(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/sbin/nologin\n")
    folder = write_scenario(tmp_path / "s", {"areas": None})
    (folder / "areas.csv").symlink_to(secret)
    text = refused(folder, "areas.csv", "does not look like table areas")
    assert "root" not in text and "/bin/bash" not in text


def test_a_sep_tab_hint_is_honoured(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    lines = (folder / "needs.csv").read_text().splitlines()
    (folder / "needs.csv").write_text("sep=\t\n" + "\n".join(x.replace(",", "\t") for x in lines))
    assert load_scenario(folder).needs[0].priority == 1.5
    (folder / "needs.csv").write_text("sep=#\n" + "\n".join(lines))
    refused(folder, "needs.csv, row 1", "separator")


def test_a_value_is_quoted_as_typed_never_as_an_emoji(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("needs", 0, area_id="6:x:0"))
    text = refused(folder, "6:x:0")
    assert "\u274c" not in text


# --- workbooks read faithfully -------------------------------------------------------------------


def xlsx_scenario(folder: Path, tables: dict[str, Any] | None = None) -> Path:
    write_scenario(folder, {name: None for name in small_tables()}, base=True)
    write_xlsx(folder / "inputs.xlsx", {**small_tables(), **(tables or {})})
    return folder


def test_a_formula_without_a_stored_result_is_refused_with_the_cell(tmp_path: Path) -> None:
    folder = xlsx_scenario(tmp_path / "s")
    book = load_workbook(folder / "inputs.xlsx")
    book["needs"]["D2"] = "=3/2"  # openpyxl stores no result: Excel would compute it on opening
    book.save(folder / "inputs.xlsx")
    refused(folder, "inputs.xlsx (sheet needs)", "D2", "formula")


def test_a_formula_with_a_stored_result_is_read(tmp_path: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is needed to store a formula's result")
    folder = xlsx_scenario(tmp_path / "s")
    book = load_workbook(folder / "inputs.xlsx")
    book["needs"]["D2"] = "=3/2"
    book.save(tmp_path / "formula.xlsx")
    profile = (tmp_path / "profile").as_uri()
    command = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx"]
    converted = tmp_path / "converted"
    subprocess.run(
        [*command, "--outdir", str(converted), str(tmp_path / "formula.xlsx")],
        capture_output=True,
        timeout=180,
        check=True,
    )
    shutil.copy(converted / "formula.xlsx", folder / "inputs.xlsx")
    assert load_scenario(folder).needs[0].priority == 1.5


def test_a_cell_merged_across_data_rows_is_refused(tmp_path: Path) -> None:
    folder = xlsx_scenario(tmp_path / "s")
    book = load_workbook(folder / "inputs.xlsx")
    book["needs"].merge_cells("A2:A3")
    book.save(folder / "inputs.xlsx")
    refused(folder, "inputs.xlsx (sheet needs)", "A2:A3", "merged")


def test_a_hidden_sheet_shadowing_a_visible_one_is_refused(tmp_path: Path) -> None:
    folder = xlsx_scenario(tmp_path / "s")
    book = load_workbook(folder / "inputs.xlsx")
    shadow = book.create_sheet("Funders ")
    for row in book["funders"].iter_rows(values_only=True):
        shadow.append([999 if value == 500000 else value for value in row])
    shadow.sheet_state = "veryHidden"
    book.save(folder / "inputs.xlsx")
    refused(folder, "inputs.xlsx", "two sheets for table funders", "'Funders '", "hidden")


def test_a_plain_workbook_still_loads(tmp_path: Path) -> None:
    folder = xlsx_scenario(tmp_path / "s")
    assert isinstance(load_workbook(folder / "inputs.xlsx"), Workbook)
    assert invoke("validate", folder).exit_code == EXIT_OK
