"""Inheritance that keeps the parent's rules (issue 21): in a child scenario (``extends``) an
empty table means the parent's, with a notice, unless ``replace = [...]`` says it is given whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.errors import EXIT_INPUT, EXIT_OK, InputError
from allocator.inputs.loading import load_scenario
from tests.scenario_factory import flat, invoke, small_tables, write_csv, write_scenario

pytestmark = pytest.mark.cli

LOCKS = [
    {"partner_id": "aps_ponte", "area_id": "a1", "intervention_id": "*", "max_beneficiaries": 0}
]


@pytest.fixture(autouse=True)
def italian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOCATOR_LANG", raising=False)


def parent(tmp_path: Path) -> Path:
    """The small scenario, whose Cariplo may pay only for doposcuola (and educators in a1),
    with a lock."""
    folder = write_scenario(tmp_path / "milano")
    write_csv(folder / "locks.csv", LOCKS)
    return folder


def template_child(tmp_path: Path, extra: str = "") -> Path:
    """What `allocator template` writes, made a child of the parent."""
    child = tmp_path / "variante"
    assert invoke("template", child).exit_code == EXIT_OK
    (child / "scenario.toml").write_text(
        f'name = "Variante"\nextends = "../milano"\n{extra}', encoding="utf-8"
    )
    assert (child / "earmarks.csv").read_text().count("\n") == 1  # header only
    return child


def test_a_template_child_keeps_the_parents_earmarks_baseline_and_locks(tmp_path: Path) -> None:
    """The red team: header-only earmarks.csv, baseline.csv, locks.csv replaced the parent's, so
    an earmarked funder paid for what it never allowed; validate exited 0 without a word."""
    home = parent(tmp_path)
    child = template_child(tmp_path)
    result = invoke("validate", child)
    assert result.exit_code == EXIT_OK, result.output
    text = flat(result.output)
    for name in ("earmarks", "baseline", "locks"):
        assert f"{name}.csv non ha righe: vale quella dello scenario da cui deriva" in text
        assert f"../milano/{name}.csv" in text and f'replace = ["{name}"]' in text
    scenario, original = load_scenario(child), load_scenario(home)
    assert scenario.earmarks == original.earmarks and len(scenario.earmarks) == 2
    assert scenario.baseline == original.baseline and scenario.locks == original.locks
    assert not scenario.may_fund("cariplo", "emporio", "a1")
    files = {Path(f).resolve() for f in scenario.source_files}
    assert (child / "earmarks.csv").resolve() in files
    assert (home / "earmarks.csv").resolve() in files


def test_the_earmarked_funder_pays_only_what_it_allows_in_the_childs_plan(tmp_path: Path) -> None:
    parent(tmp_path)
    child = template_child(tmp_path)
    out = tmp_path / "out"
    assert invoke("run", child, "--out", out, "--quiet").exit_code == EXIT_OK
    rows = (out / "funding.csv").read_text().splitlines()
    paid = {tuple(r.split(",")[:3]) for r in rows[1:] if r.startswith("cariplo,")}
    assert paid, rows
    assert {item for _, item, _ in paid} <= {"doposcuola", "staff:educatore"}


def test_replace_drops_the_parents_rows(tmp_path: Path) -> None:
    parent(tmp_path)
    child = template_child(tmp_path, 'replace = ["earmarks", "locks.csv"]\n')
    scenario = load_scenario(child)
    assert scenario.earmarks == () and scenario.locks == ()
    assert len(scenario.baseline) == 1  # not replaced: the parent's
    assert not any("earmarks.csv non ha righe" in n for n in scenario.notices)
    assert scenario.may_fund("cariplo", "emporio", "a1")


def test_replace_without_the_file_means_none(tmp_path: Path) -> None:
    parent(tmp_path)
    child = write_scenario(
        tmp_path / "c",
        {"needs": small_tables()["needs"]},
        settings={"name": "C", "extends": "../milano", "replace": ["earmarks"]},
        base=False,
    )
    scenario = load_scenario(child)
    assert scenario.earmarks == () and len(scenario.locks) == 1


def test_a_child_table_with_rows_still_replaces_the_parents(tmp_path: Path) -> None:
    parent(tmp_path)
    rows = [{"funder_id": "comune", "intervention_id": "emporio", "area_id": "*"}]
    child = write_scenario(
        tmp_path / "c",
        {"earmarks": rows},
        settings={"name": "C", "extends": "../milano"},
        base=False,
    )
    scenario = load_scenario(child)
    assert [e.funder_id for e in scenario.earmarks] == ["comune"]
    assert not any("non ha righe" in n for n in scenario.notices)


def test_an_empty_required_table_in_a_child_is_the_parents(tmp_path: Path) -> None:
    parent(tmp_path)
    child = template_child(tmp_path)
    scenario = load_scenario(child)
    assert len(scenario.areas) == 2
    assert any(n.startswith("areas.csv non ha righe") for n in scenario.notices)


@pytest.mark.parametrize("value", ['["areas"]', '"earmarks"', '["nulla"]', "[1]"])
def test_replace_names_only_optional_tables(tmp_path: Path, value: str) -> None:
    parent(tmp_path)
    child = template_child(tmp_path, f"replace = {value}\n")
    result = invoke("validate", child)
    assert result.exit_code == EXIT_INPUT
    text = flat(result.output)
    assert "scenario.toml, colonna 'replace'" in text and "earmarks, staff, baseline, locks" in text


def test_an_empty_table_without_a_parent_stays_empty(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", {"earmarks": []})
    scenario = load_scenario(folder)
    assert scenario.earmarks == () and not scenario.notices


def test_an_empty_required_table_all_the_way_up_is_refused(tmp_path: Path) -> None:
    write_scenario(tmp_path / "milano", {"staff": []})
    write_csv(
        tmp_path / "milano" / "areas.csv", [], columns=["area_id", "name", "population", "minors"]
    )
    child = template_child(tmp_path)
    with pytest.raises(InputError) as caught:
        load_scenario(child)
    assert any(p.file == "areas.csv" and "non ha righe" in p.message for p in caught.value.problems)
