"""Loading a scenario: right values from good files, and every problem of bad files, located."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from allocator.errors import InputError, Problem
from allocator.inputs import locate
from allocator.inputs.loading import load_scenario
from allocator.inputs.numbers import parse_number
from allocator.inputs.schema import FunderKind, LegalForm, SolverName, Unit
from tests.scenario_factory import small_tables, write_csv, write_scenario, write_xlsx

pytestmark = pytest.mark.inputs


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the messages in English (tests/test_inputs_italian.py reads Italian)."""
    monkeypatch.setenv("ALLOCATOR_LANG", "en")


def problems_of(path: Path, overrides: tuple[str, ...] = ()) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load_scenario(path, overrides)
    return caught.value.problems


def only(problems: list[Problem], **where: Any) -> Problem:
    """The one problem matching ``where`` (file, row, column, value)."""
    found = [p for p in problems if all(getattr(p, k) == v for k, v in where.items())]
    assert len(found) == 1, f"wanted one problem with {where}, got:\n" + "\n".join(
        str(p) for p in problems
    )
    return found[0]


def with_row(table: str, index: int, **cells: Any) -> dict[str, list[dict[str, Any]]]:
    """The small tables' ``table`` with row ``index`` changed."""
    rows = small_tables()[table]
    rows[index] = {**rows[index], **cells}
    return {table: rows}


# --- good inputs ---------------------------------------------------------------------------------


def test_small_scenario_loads_with_values_and_defaults(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    scenario = load_scenario(folder)

    assert scenario.name == "Small test scenario"
    assert [a.area_id for a in scenario.areas] == ["a1", "a2"]
    a1, a2 = scenario.areas
    assert a1.households_with_minors is None and a1.municipio is None
    assert a2.households_with_minors == 3000 and a2.municipio == "8"
    doposcuola, emporio = scenario.interventions
    assert doposcuola.unit is Unit.MINORS and doposcuola.max_coverage == 0.8
    assert doposcuola.staff_role == "educatore" and doposcuola.beneficiaries_per_fte == 40
    assert emporio.value == 1.0 and emporio.max_coverage == 1.0 and emporio.staff_role is None
    assert [n.priority for n in scenario.needs] == [1.5, 1.0, 1.0, 1.0]
    assert scenario.partners[2].legal_form is LegalForm.ALTRO
    first, second = scenario.capacities[:2]
    assert first.unit_cost is None and first.cofunding_per_beneficiary == 0
    assert second.unit_cost == 1100 and second.cofunding_per_beneficiary == 100
    assert scenario.funders[1].kind is FunderKind.PRIVATE
    assert scenario.earmarks[0].max_amount == 200000 and scenario.earmarks[1].max_amount is None
    assert scenario.earmarks[1].intervention_id == "staff:educatore"
    (educatore,) = scenario.staff
    assert educatore.min_fte_per_area == 0 and educatore.fte_step == 1
    assert scenario.baseline[0].beneficiaries == 90
    settings = scenario.settings
    assert settings.budget.scale == 1.0 and settings.policy.equity_weight == 0.0
    assert settings.solver.name is SolverName.HIGHS and settings.funders == {}


def test_source_files_are_absolute_and_complete(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    scenario = load_scenario(folder / "scenario.toml")  # a path to the toml works too
    names = sorted(Path(f).name for f in scenario.source_files)
    assert names == sorted([p.name for p in folder.iterdir()])
    assert all(Path(f).is_absolute() for f in scenario.source_files)


def test_optional_tables_may_be_left_out(tmp_path: Path) -> None:
    rows = small_tables()["interventions"]
    for row in rows:
        row.pop("staff_role", None)
        row.pop("beneficiaries_per_fte", None)
    folder = write_scenario(
        tmp_path / "s",
        {"interventions": rows, "earmarks": None, "staff": None, "baseline": None},
    )
    scenario = load_scenario(folder)
    assert scenario.earmarks == () and scenario.staff == () and scenario.baseline == ()


def test_inputs_are_not_modified(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", settings={"policy": {"equity_weight": 0.2}})

    def digest() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    before = digest()
    load_scenario(folder, ["policy.equity_weight=0.5", "budget.scale=0.5"])
    assert digest() == before


def test_bom_is_accepted(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    write_csv(folder / "areas.csv", small_tables()["areas"], encoding="utf-8-sig")
    assert (folder / "areas.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_scenario(folder).areas[0].area_id == "a1"


def test_xlsx_and_csv_give_equal_scenarios(tmp_path: Path) -> None:
    from_csv = load_scenario(write_scenario(tmp_path / "csv"))
    xlsx_folder = write_scenario(tmp_path / "xlsx", xlsx=True)
    assert not list(xlsx_folder.glob("*.csv"))
    from_xlsx = load_scenario(xlsx_folder)
    assert from_xlsx.model_dump(exclude={"source_files"}) == from_csv.model_dump(
        exclude={"source_files"}
    )
    assert [Path(f).name for f in from_xlsx.source_files] == ["scenario.toml", "inputs.xlsx"]


def test_xlsx_problems_name_the_sheet_and_row(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("areas", 1, minors="many"), xlsx=True)
    problem = only(problems_of(folder), row=3, column="minors")
    assert problem.file == "inputs.xlsx (sheet areas)" and problem.value == "many"


# --- Italian Excel exports ----------------------------------------------------------------------


def test_parse_number_plain_and_italian() -> None:
    assert parse_number("1234.5") == 1234.5
    assert parse_number("1e-4") == 1e-4
    assert parse_number("1.234,5", italian=True) == 1234.5
    assert parse_number("0,5", italian=True) == 0.5
    assert parse_number("4.000.000", italian=True) == 4_000_000
    assert parse_number("12", italian=True) == 12
    # what a number can only mean is read, whatever the file's separator
    assert parse_number("0,5") == 0.5
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("0.5", italian=True) == 0.5
    assert parse_number("600.000", italian=True) == 600_000  # told: '.' groups thousands
    assert parse_number("€ 400.000,00") == 400_000
    assert parse_number("1,234.50") == 1234.5
    assert parse_number("80%", percent=True) == pytest.approx(0.8)
    bad = [("1,2,3", True), ("1.2.3", False), ("abc", False), ("80%", False), ("600.000", False)]
    for text, italian in bad:  # 600.000 alone: 600000 or 600, nothing says which
        with pytest.raises(ValueError):
            parse_number(text, italian)


def test_italian_export_loads_with_decimal_commas(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    interventions = small_tables()["interventions"]
    interventions[0].update(unit_cost="1.200,50", max_coverage="0,8")
    write_csv(folder / "interventions.csv", interventions, delimiter=";", encoding="utf-8-sig")
    funders = small_tables()["funders"]
    funders[0]["amount"] = "4.000.000"
    write_csv(folder / "funders.csv", funders, delimiter=";")

    scenario = load_scenario(folder)

    assert scenario.interventions[0].unit_cost == 1200.5
    assert scenario.interventions[0].max_coverage == 0.8
    assert scenario.interventions[1].unit_cost == 900
    assert scenario.funders[0].amount == 4_000_000


def test_italian_export_reads_a_dot_decimal_that_can_mean_nothing_else(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    rows = small_tables()["interventions"]
    rows[0]["max_coverage"] = "0.8"
    write_csv(folder / "interventions.csv", rows, delimiter=";")
    assert load_scenario(folder).interventions[0].max_coverage == 0.8


def test_decimal_comma_in_a_comma_file_is_read(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("needs", 0, need="1,5"))
    assert load_scenario(folder).needs[0].need == 1.5


def test_excel_sep_line_is_understood(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    write_csv(folder / "needs.csv", small_tables()["needs"], delimiter=";")
    text = (folder / "needs.csv").read_text()
    (folder / "needs.csv").write_text("sep=;\n" + text.replace("1.5", "1,5"))
    assert load_scenario(folder).needs[0].priority == 1.5


def test_windows_1252_file_is_read_with_a_notice(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    rows = small_tables()["areas"]
    rows[1]["name"] = "Quarto Oggiaro – città"
    write_csv(folder / "areas.csv", rows, encoding="cp1252")
    scenario = load_scenario(folder)
    assert scenario.areas[1].name == "Quarto Oggiaro – città"
    assert any("Windows-1252" in notice for notice in scenario.notices)


def test_other_encodings_are_refused_by_name(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    write_csv(folder / "areas.csv", small_tables()["areas"], encoding="utf-16")
    problem = only(problems_of(folder), file="areas.csv")
    assert "UTF-16" in problem.message
    raw = (folder / "areas.csv").read_bytes()
    (folder / "areas.csv").write_bytes(raw.decode("utf-16").encode("utf-8") + b"\x81\x8d")
    problem = only(problems_of(folder), file="areas.csv")
    assert "neither UTF-8 nor Windows-1252" in problem.message


# --- files and columns -------------------------------------------------------------------------


def test_missing_required_file(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", {"capacities": None})
    problem = only(problems_of(folder), file="capacities.csv")
    assert "missing" in problem.message


def test_missing_required_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if k != "need"} for row in small_tables()["needs"]]
    folder = write_scenario(tmp_path / "s", {"needs": rows})
    problems = problems_of(folder)
    problem = only(problems, file="needs.csv", column="need")
    assert problem.row is None and "missing" in problem.message
    assert len(problems) == 1  # not one more problem per row


def test_unknown_column_is_caught_with_a_suggestion(tmp_path: Path) -> None:
    rows = small_tables()["capacities"]
    rows[1]["unitcost"] = rows[1].pop("unit_cost")
    folder = write_scenario(tmp_path / "s", {"capacities": rows})
    problem = only(problems_of(folder), file="capacities.csv", column="unitcost")
    assert problem.row == 1 and "unit_cost" in problem.message


def test_misspelt_table_file_is_caught(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", {"earmarks": None})
    write_csv(folder / "earmark.csv", small_tables()["earmarks"])
    problem = only(problems_of(folder), file="earmark.csv")
    assert "earmarks.csv" in str(problem.expected)


def test_empty_required_table(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    write_csv(folder / "funders.csv", [], columns=["funder_id", "name", "kind", "amount"])
    assert "no rows" in only(problems_of(folder), file="funders.csv").message


def test_table_given_twice_is_a_problem(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    write_xlsx(folder / "inputs.xlsx", {"areas": small_tables()["areas"]})
    assert "twice" in only(problems_of(folder), file="areas.csv").message


def test_empty_csv_gives_way_to_the_workbook_sheet(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", xlsx=True)
    write_csv(folder / "areas.csv", [], columns=["area_id", "name", "population", "minors"])
    assert len(load_scenario(folder).areas) == 2


# --- values --------------------------------------------------------------------------------------

BAD_VALUES = [
    # table, row index, column, value, words of the message
    ("areas", 0, "population", "abc", "not a number"),
    ("areas", 0, "population", "nan", "not a finite number"),
    ("areas", 1, "population", "inf", "not a finite number"),
    ("areas", 0, "minors", "-5", "negative"),
    ("areas", 0, "minors", "30000", "exceed population"),
    ("areas", 0, "area_id", "a 1", "not a valid identifier"),
    ("areas", 1, "lat", "123", "too large"),
    ("interventions", 0, "max_coverage", "1.5", "not a share"),
    ("interventions", 1, "max_coverage", "-0.1", "not a share"),
    ("interventions", 1, "unit", "persone adulte", "not an accepted word"),
    ("interventions", 0, "beneficiaries_per_fte", "0", "too small"),
    ("partners", 0, "legal_form", "cooperativa", "more than one form"),
    ("funders", 0, "kind", "comunale", "not an accepted word"),
    ("capacities", 2, "capacity", "1 0000", "not a number"),
    ("staff", 0, "fte_step", "0", "too small"),
    ("earmarks", 0, "area_id", "a b", "not a valid identifier"),
    ("needs", 3, "priority", "50%", "percentage"),
]


@pytest.mark.parametrize(("table", "index", "column", "value", "words"), BAD_VALUES)
def test_bad_value_is_located(
    tmp_path: Path, table: str, index: int, column: str, value: str, words: str
) -> None:
    folder = write_scenario(tmp_path / "s", with_row(table, index, **{column: value}))
    problems = problems_of(folder)
    problem = only(problems, file=f"{table}.csv", row=index + 2, column=column)
    assert problem.value == value
    assert words in problem.message
    assert problem.expected or "exceed" in problem.message
    assert "validation error" not in str(problem).lower()  # pydantic's words stay out


def test_enum_problem_lists_the_allowed_values(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("interventions", 1, unit="utenti"))
    problem = only(problems_of(folder), column="unit")
    assert problem.expected is not None
    for word in ("people", "minors", "households", "famiglie", "bambini", "persone"):
        assert word in problem.expected


def test_blank_in_required_column(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("partners", 1, years_experience=""))
    problem = only(problems_of(folder), file="partners.csv", row=3, column="years_experience")
    assert "blank" in problem.message


def test_blank_in_optional_column_means_default(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("needs", 0, priority=""))
    assert load_scenario(folder).needs[0].priority == 1.0


def test_staff_role_without_beneficiaries_per_fte(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("interventions", 0, beneficiaries_per_fte=""))
    problem = only(problems_of(folder), file="interventions.csv", row=2)
    assert problem.column == "staff_role" and "go together" in problem.message


def test_cofunding_above_unit_cost(tmp_path: Path) -> None:
    rows = small_tables()["capacities"]
    rows[0]["cofunding_per_beneficiary"] = 1300  # intervention's unit cost is 1200
    rows[1]["cofunding_per_beneficiary"] = 1150  # this partner's unit cost is 1100
    rows[2]["cofunding_per_beneficiary"] = 900  # equal to the unit cost: fine
    folder = write_scenario(tmp_path / "s", {"capacities": rows})
    problems = problems_of(folder)
    assert len(problems) == 2
    first = only(problems, row=2, column="cofunding_per_beneficiary")
    assert first.value == "1300" and "1200" in str(first.expected)
    assert "1100" in str(only(problems, row=3).expected)


# --- duplicates and references ------------------------------------------------------------------

DUPLICATES = [
    ("areas", "area_id"),
    ("interventions", "intervention_id"),
    ("needs", "area_id, intervention_id"),
    ("partners", "partner_id"),
    ("capacities", "partner_id, area_id, intervention_id"),
    ("funders", "funder_id"),
    ("staff", "role_id"),
    ("baseline", "partner_id, area_id, intervention_id"),
]


@pytest.mark.parametrize(("table", "key"), DUPLICATES)
def test_duplicate_keys(tmp_path: Path, table: str, key: str) -> None:
    rows = small_tables()[table]
    rows.append(dict(rows[0]))
    folder = write_scenario(tmp_path / "s", {table: rows})
    problem = only(problems_of(folder), file=f"{table}.csv", column=key)
    assert problem.row == len(rows) + 1 and "row 2" in problem.message


REFERENCES = [
    ("needs", 0, "area_id", "a9"),
    ("needs", 1, "intervention_id", "mensa"),
    ("capacities", 0, "partner_id", "coop_nessuna"),
    ("capacities", 1, "area_id", "a9"),
    ("capacities", 2, "intervention_id", "mensa"),
    ("baseline", 0, "partner_id", "coop_nessuna"),
    ("baseline", 0, "area_id", "a9"),
    ("baseline", 0, "intervention_id", "mensa"),
    ("earmarks", 0, "funder_id", "vismara"),
    ("earmarks", 0, "intervention_id", "mensa"),
    ("earmarks", 0, "area_id", "a9"),
    ("earmarks", 1, "intervention_id", "staff:psicologo"),
    ("interventions", 0, "staff_role", "psicologo"),
]


@pytest.mark.parametrize(("table", "index", "column", "value"), REFERENCES)
def test_unknown_reference(tmp_path: Path, table: str, index: int, column: str, value: str) -> None:
    folder = write_scenario(tmp_path / "s", with_row(table, index, **{column: value}))
    problem = only(problems_of(folder), file=f"{table}.csv", row=index + 2, column=column)
    assert problem.value == value and "no " in problem.message


def test_wildcards_in_earmarks_are_accepted(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("earmarks", 1, intervention_id="*"))
    assert load_scenario(folder).earmarks[1].intervention_id == "*"


def test_staff_role_needs_a_staff_table(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", {"staff": None, "earmarks": None})
    problem = only(problems_of(folder), file="interventions.csv", column="staff_role")
    assert "staff.csv" in problem.message


def test_partner_eligibility_is_not_an_error(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("partners", 1, years_experience=1))
    scenario = load_scenario(folder)
    assert dict(scenario.excluded_partners()).keys() == {"aps_ponte", "srl_x"}


def test_many_problems_are_reported_at_once(tmp_path: Path) -> None:
    tables = {
        **with_row("areas", 0, population="lots"),
        **with_row("needs", 2, area_id="a9"),
        **with_row("funders", 1, kind="privatissimo"),
    }
    folder = write_scenario(tmp_path / "s", tables, settings={"policy": {"equity_weigth": 0.3}})
    problems = problems_of(folder, ("budget.scael=2",))
    assert {(p.file, p.row, p.column) for p in problems} == {
        ("scenario.toml", None, "policy.equity_weigth"),
        ("--set", None, "budget.scael"),
        ("areas.csv", 2, "population"),
        ("needs.csv", 4, "area_id"),
        ("funders.csv", 3, "kind"),
    }
    text = str(InputError(problems))
    assert "areas.csv, row 2, column 'population': is not a number (value: 'lots')" in text


# --- scenario.toml, extends and overrides ---------------------------------------------------------


def test_toml_syntax_error(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    (folder / "scenario.toml").write_text('name = "x"\n[policy\n')
    problem = only(problems_of(folder), file="scenario.toml")
    assert "not valid TOML" in problem.message


def test_toml_unknown_key_and_wrong_type(tmp_path: Path) -> None:
    settings = {"policy": {"equity_weigth": 0.3}, "solver": {"time_limit": "soon"}, "colour": 1}
    folder = write_scenario(tmp_path / "s", settings=settings)
    problems = problems_of(folder)
    typo = only(problems, file="scenario.toml", column="policy.equity_weigth")
    assert "policy.equity_weight" in typo.message and "policy.min_coverage" in str(typo.expected)
    wrong = only(problems, file="scenario.toml", column="solver.time_limit")
    assert wrong.value == "soon" and "not a number" in wrong.message
    assert only(problems, column="colour").file == "scenario.toml"


def test_bad_returns_in_toml(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", settings={"policy": {"returns": [[0.5, 1], [0.9, 2]]}})
    problem = only(problems_of(folder), column="policy.returns")
    assert "last share must be 1.0" in problem.message


def test_scenario_without_name(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    (folder / "scenario.toml").write_text('description = "no name"\n')
    problem = only(problems_of(folder), file="scenario.toml", column="name")
    assert "no name" in problem.message


def test_folder_without_scenario_toml(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    (folder / "scenario.toml").unlink()
    (problem,) = problems_of(folder)
    assert "scenario.toml" in problem.message


def test_missing_default_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locate, "DEFAULT_SCENARIO", tmp_path / "scenarios" / "milano")
    with pytest.raises(InputError) as caught:
        load_scenario()
    (problem,) = caught.value.problems
    assert "bundled default scenario" in problem.message


def test_default_scenario_is_used_when_no_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_scenario(tmp_path / "scenarios" / "milano")
    monkeypatch.setattr(locate, "DEFAULT_SCENARIO", folder)
    assert load_scenario().name == "Small test scenario"


def parent_and_child(tmp_path: Path) -> tuple[Path, Path]:
    parent = write_scenario(
        tmp_path / "milano",
        settings={
            "name": "Milano base",
            "description": "the parent",
            "policy": {"min_coverage": 0.1, "equity_weight": 0.2},
            "solver": {"time_limit": 30},
            "funders": {"cariplo": {"amount": 250000}},
        },
    )
    needs = small_tables()["needs"][:2]
    child = write_scenario(
        tmp_path / "equity",
        {"needs": needs},
        settings={"name": "Equity", "extends": "../milano", "policy": {"equity_weight": 0.5}},
        base=False,
    )
    return parent, child


def test_extends_inherits_tables_and_merges_settings(tmp_path: Path) -> None:
    parent, child = parent_and_child(tmp_path)
    scenario = load_scenario(child)

    assert scenario.name == "Equity" and scenario.settings.description == ""
    assert len(scenario.needs) == 2  # the child's table replaces the parent's
    assert len(scenario.areas) == 2 and len(scenario.capacities) == 5  # inherited
    policy = scenario.settings.policy
    assert policy.equity_weight == 0.5 and policy.min_coverage == 0.1  # deep merge
    assert scenario.settings.solver.time_limit == 30
    assert scenario.settings.funders["cariplo"].amount == 250000
    files = {Path(f) for f in scenario.source_files}
    assert child / "needs.csv" in files and parent / "needs.csv" not in files
    assert parent / "areas.csv" in files and parent / "scenario.toml" in files


def test_extends_is_recursive_and_problems_name_the_parent_file(tmp_path: Path) -> None:
    parent_and_child(tmp_path)
    write_scenario(
        tmp_path / "equity_late",
        {"areas": with_row("areas", 1, minors="x")["areas"]},
        settings={"name": "Later", "extends": "../equity", "solver": {"time_limit": 5}},
        base=False,
    )
    problems = problems_of(tmp_path / "equity_late")
    assert only(problems, row=3, column="minors").file == "areas.csv"

    (tmp_path / "equity_late" / "areas.csv").unlink()
    scenario = load_scenario(tmp_path / "equity_late")
    assert (
        scenario.settings.policy.equity_weight == 0.5 and scenario.settings.solver.time_limit == 5
    )
    assert len(scenario.needs) == 2

    write_csv(tmp_path / "milano" / "staff.csv", [{"role_id": "educatore", "name": "Educator"}])
    problem = only(problems_of(tmp_path / "equity_late"), column="available_fte")
    assert problem.file == "../milano/staff.csv"


def test_extends_cycle_is_detected(tmp_path: Path) -> None:
    parent, child = parent_and_child(tmp_path)
    text = (parent / "scenario.toml").read_text()
    (parent / "scenario.toml").write_text('extends = "../equity"\n' + text)
    problem = only(problems_of(child), column="extends")
    assert "cycle" in problem.message and problem.file == "../milano/scenario.toml"


def test_extends_to_a_missing_folder(tmp_path: Path) -> None:
    child = write_scenario(
        tmp_path / "c", settings={"name": "C", "extends": "../nowhere"}, base=False
    )
    problem = only(problems_of(child), column="extends")
    assert problem.value == "../nowhere" and problem.file == "scenario.toml"


def test_overrides_set_dotted_keys(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    scenario = load_scenario(
        folder,
        [
            "budget.scale=0.9",
            "policy.equity_weight=0.3",
            "solver.time_limit=10",
            "solver.name=cbc",
            "funders.cariplo.amount=4000000",
            "policy.returns=[[0.5,1.0],[1.0,0.3]]",
            "description=a bare string",
        ],
    )
    settings = scenario.settings
    assert settings.budget.scale == 0.9 and settings.policy.equity_weight == 0.3
    assert settings.solver.time_limit == 10 and settings.solver.name is SolverName.CBC
    assert settings.policy.returns == ((0.5, 1.0), (1.0, 0.3))
    assert settings.description == "a bare string"
    assert scenario.funder_amount(scenario.funders[1]) == pytest.approx(3_600_000)


def test_overrides_beat_the_toml_of_every_layer(tmp_path: Path) -> None:
    _, child = parent_and_child(tmp_path)
    scenario = load_scenario(child, ["policy.min_coverage=0.4", "policy.equity_weight=0"])
    assert scenario.settings.policy.min_coverage == 0.4
    assert scenario.settings.policy.equity_weight == 0


@pytest.mark.parametrize(
    ("override", "key", "listed"),
    [
        ("policy.equity_weigth=0.3", "policy.equity_weigth", "policy.equity_weight"),
        ("budgets.scale=2", "budgets.scale", "budget.scale"),
        ("solver.time_limit.x=1", "solver.time_limit.x", "solver.time_limit"),
        ("funders.cariplo.amout=1", "funders.cariplo.amout", "funders.<funder_id>.amount"),
    ],
)
def test_unknown_override_key(tmp_path: Path, override: str, key: str, listed: str) -> None:
    folder = write_scenario(tmp_path / "s")
    problem = only(problems_of(folder, (override,)), file="--set")
    assert problem.column == key and listed in str(problem.expected)


def test_override_of_an_unknown_funder(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    problem = only(problems_of(folder, ("funders.vismara.amount=5",)), column="funders.vismara")
    assert problem.file == "--set" and "cariplo" in str(problem.expected)


def test_override_with_a_bad_value(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    problems = problems_of(folder, ("policy.equity_weight=high", "budget.scale"))
    weight = only(problems, column="policy.equity_weight")
    assert weight.file == "--set" and weight.value == "high"
    assert only(problems, value="budget.scale").file == "--set"


# --- speed ----------------------------------------------------------------------------------------


def large_tables(partners: int = 500, areas: int = 50) -> dict[str, list[dict[str, Any]]]:
    tables = small_tables()
    tables["areas"] = [
        {"area_id": f"a{i}", "name": f"Area {i}", "population": 10000, "minors": 1500}
        for i in range(areas)
    ]
    tables["needs"] = [
        {"area_id": f"a{i}", "intervention_id": k, "need": 100}
        for i in range(areas)
        for k in ("doposcuola", "emporio")
    ]
    tables["partners"] = [
        {"partner_id": f"p{j}", "name": f"Partner {j}", "legal_form": "aps", "years_experience": 3}
        for j in range(partners)
    ]
    tables["capacities"] = [
        {
            "partner_id": f"p{j}",
            "area_id": f"a{(j + t) % areas}",
            "intervention_id": ("doposcuola", "emporio")[t % 2],
            "capacity": 50,
            "cofunding_per_beneficiary": 10.5,
        }
        for j in range(partners)
        for t in range(10)
    ]
    tables["baseline"] = []
    tables["earmarks"] = [{"funder_id": "cariplo", "intervention_id": "*", "area_id": "a1"}]
    return tables


def test_unknown_funder_in_toml_is_reported_beside_other_setting_problems(tmp_path: Path) -> None:
    settings = {"policy": {"min_coverage": 2}, "funders": {"vismara": {"amount": 5}}}
    folder = write_scenario(tmp_path / "s", settings=settings)
    problems = problems_of(folder)
    assert only(problems, column="funders.vismara").file == "scenario.toml"
    share = only(problems, column="policy.min_coverage")
    assert "share between 0 and 1" in share.message and share.value == 2


def test_broken_workbook_is_a_problem(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    (folder / "inputs.xlsx").write_bytes(b"not a zip file")
    problem = only(problems_of(folder), file="inputs.xlsx")
    assert "Excel workbook" in problem.message
