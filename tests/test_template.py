"""The template: every table and setting documented, and a filled template loads."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from allocator.datasets.template import settings_template, toml_text, write_template
from allocator.errors import UsageError
from allocator.inputs.guide_words import range_text
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import Settings
from allocator.inputs.settings_spec import SETTINGS
from allocator.inputs.tables import TABLES, ColumnType
from tests.scenario_factory import write_csv, write_xlsx

pytestmark = pytest.mark.unit


def example_rows() -> dict[str, list[dict[str, Any]]]:
    """One row per table, from the columns' examples."""
    return {t.name: [{c.name: c.example for c in t.columns}] for t in TABLES}


def test_template_writes_every_file(tmp_path: Path) -> None:
    written = write_template(tmp_path / "new")
    names = {p.name for p in written}
    assert names == {t.file_name for t in TABLES} | {"inputs.xlsx", "scenario.toml", "README.md"}
    assert all(p.is_file() for p in written)
    areas = (tmp_path / "new" / "areas.csv").read_text(encoding="utf-8")
    assert (
        areas.strip() == "area_id,name,population,minors,households_with_minors,municipio,lat,lon"
    )


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "scenario.toml").write_text('name = "mine"\n')
    with pytest.raises(UsageError, match=r"scenario\.toml"):
        write_template(tmp_path)
    assert (tmp_path / "scenario.toml").read_text() == 'name = "mine"\n'
    assert not (tmp_path / "areas.csv").exists()


def test_readme_and_workbook_describe_every_column(tmp_path: Path) -> None:
    write_template(tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    book = load_workbook(tmp_path / "inputs.xlsx", read_only=True)
    assert book.sheetnames == ["Istruzioni", *(t.name for t in TABLES), "colonne"]
    described = {(row[0], row[1]) for row in book["colonne"].iter_rows(min_row=2, values_only=True)}
    for table in TABLES:
        assert f"## {table.file_name}" in readme
        header = next(book[table.name].iter_rows(values_only=True))
        assert list(header) == list(table.column_names)
        for column in table.columns:
            assert f"| {column.name} |" in readme
            assert (table.name, column.name) in described
    book.close()


def test_settings_template_holds_every_key_at_its_default() -> None:
    text = settings_template()
    data = tomllib.loads(text)
    assert Settings.model_validate(data) == Settings(name="New scenario")
    for setting in SETTINGS:
        assert setting.key.rpartition(".")[2] in text


def test_filled_csv_template_loads(tmp_path: Path) -> None:
    write_template(tmp_path)
    for name, rows in example_rows().items():
        write_csv(tmp_path / f"{name}.csv", rows)
    scenario = load_scenario(tmp_path)
    assert scenario.name == "New scenario"
    for table in TABLES:
        (row,) = getattr(scenario, table.name)
        for column in table.columns:
            value = getattr(row, column.name)
            if column.type in (ColumnType.NUMBER, ColumnType.SHARE):
                assert value == float(column.example)
            else:
                assert str(value) == column.example


def test_filled_workbook_template_loads(tmp_path: Path) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "t" / "inputs.xlsx").unlink()
    write_xlsx(tmp_path / "t" / "inputs.xlsx", example_rows())  # the CSVs stay empty
    from_xlsx = load_scenario(tmp_path / "t")
    assert [p.name for p in map(Path, from_xlsx.source_files)] == ["scenario.toml", "inputs.xlsx"]
    assert from_xlsx.areas[0].area_id == "nil_12"


# --- the specifications agree with the schema ---------------------------------------------


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_table_specification_matches_schema(table: Any) -> None:
    fields = table.model.model_fields
    assert list(fields) == list(table.column_names)
    for column in table.columns:
        info = fields[column.name]
        assert column.required == info.is_required(), column.name
        if not column.required:
            assert column.default == info.default, column.name
    assert set(table.key) <= set(table.column_names)


def leaf_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if name == "funders":
            keys.append("funders.<funder_id>.amount")
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += leaf_keys(annotation, f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


def test_settings_specification_matches_schema() -> None:
    assert sorted(s.key for s in SETTINGS) == sorted(leaf_keys(Settings))


def test_toml_text_round_trips() -> None:
    data = {
        "name": "Città – base",
        "budget": {"scale": 0.9},
        "funders": {"cariplo": {"amount": 4_000_000}, "f.x": {"amount": 1.5}},
        "policy": {"returns": [[0.5, 1.0], [1.0, 0.3]], "eligible_legal_forms": ["aps"]},
    }
    assert tomllib.loads(toml_text(data)) == data


# --- the template in Italian, with drop-down lists ----------------------------------------------


def test_readme_is_italian_and_states_every_range(tmp_path: Path) -> None:
    write_template(tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Gli input dello scenario")
    assert "| colonna | tipo | predefinito | intervallo | descrizione | esempio |" in readme
    assert "| fte_step | numero | 1 | da 0,01 a 100.000 |" in readme
    assert "| amount | numero | (obbligatoria) | da 0 a 100.000.000.000 |" in readme
    for table in TABLES:
        for column in table.columns:
            if column.type in (ColumnType.NUMBER, ColumnType.SHARE):
                assert range_text(table, column), column.name


def test_readme_in_english_on_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOCATOR_LANG", "en")
    write_template(tmp_path)
    assert (tmp_path / "README.md").read_text(encoding="utf-8").startswith("# Scenario inputs")
    assert load_workbook(tmp_path / "inputs.xlsx").sheetnames[0] == "Instructions"


def validations(sheet: Any) -> dict[str, Any]:
    """Column letter → the data validation covering its cells from row 2."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in str(validation.sqref).split():
            found[cells.split(":")[0].rstrip("0123456789")] = validation
    return found


def test_workbook_has_instructions_and_drop_down_lists(tmp_path: Path) -> None:
    write_template(tmp_path)
    book = load_workbook(tmp_path / "inputs.xlsx")
    instructions = [row[0] for row in book["Istruzioni"].iter_rows(values_only=True) if row[0]]
    assert instructions[0] == "Come compilare questo scenario"
    assert any("1.234,50" in line for line in instructions)
    # words: units, legal forms, kinds
    unit = validations(book["interventions"])["C"]
    assert unit.type == "list" and unit.formula1 == '"persone,minori,famiglie"'
    form = validations(book["partners"])["C"]
    assert form.type == "list" and "cooperativa sociale" in form.formula1 and "APS" in form.formula1
    kind = validations(book["funders"])["C"]
    assert kind.type == "list" and kind.formula1 == '"pubblico,privato"'
    # ids of other sheets
    needs = validations(book["needs"])
    assert needs["A"].type == "list" and needs["A"].formula1 == "areas!$A$2:$A$5000"
    assert needs["B"].formula1 == "interventions!$A$2:$A$5000"
    assert validations(book["capacities"])["A"].formula1 == "partners!$A$2:$A$5000"
    assert validations(book["interventions"])["G"].formula1 == "staff!$A$2:$A$5000"
    # numbers within their ranges (a warning, so an Italian text number can still be typed)
    step = validations(book["staff"])["F"]
    assert (step.type, step.formula1, step.formula2) == ("decimal", "0.01", "100000.0")
    assert book["areas"].freeze_panes == "A2"


def test_the_drop_down_words_load(tmp_path: Path) -> None:
    """What a planner picks from the lists is read: 'famiglie', 'APS', 'pubblico'."""
    write_template(tmp_path / "t")
    rows = example_rows()
    rows["interventions"][0]["unit"] = "famiglie"
    rows["partners"][0]["legal_form"] = "APS"
    rows["funders"][0]["kind"] = "pubblico"
    write_xlsx(tmp_path / "t" / "inputs.xlsx.new", rows)
    (tmp_path / "t" / "inputs.xlsx.new").replace(tmp_path / "t" / "inputs.xlsx")
    scenario = load_scenario(tmp_path / "t")
    assert scenario.interventions[0].unit.value == "households"
    assert scenario.partners[0].legal_form.value == "aps"
    assert scenario.funders[0].kind.value == "public"


def test_libreoffice_opens_the_template(tmp_path: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    write_template(tmp_path / "t")
    out = tmp_path / "converted"
    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(
        [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            str(tmp_path / "t" / "inputs.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    converted = (out / "inputs.csv").read_text(encoding="utf-8", errors="replace")
    assert "Come compilare questo scenario" in converted  # the first sheet, as LibreOffice read it
