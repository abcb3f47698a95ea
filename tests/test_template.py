"""The template: every table and setting documented, and a filled template loads."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from allocator.datasets.template import settings_template, toml_text, write_template
from allocator.errors import UsageError
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import Settings
from allocator.inputs.tables import SETTINGS, TABLES, ColumnType
from tests.scenario_factory import write_csv, write_xlsx


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
    assert book.sheetnames == [*(t.name for t in TABLES), "columns"]
    described = {(row[0], row[1]) for row in book["columns"].iter_rows(min_row=2, values_only=True)}
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
