"""The meeting page's logic without a browser: controls → settings → plan → panels, the map,
saving to the archive, the downloads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from allocator.app.mapview import colour, map_shapes, map_svg
from allocator.app.panels import (
    change_text,
    comparison_rows,
    coverage_rows,
    funder_rows,
    kpi_cards,
    movers_against_today,
    strengthen_rows,
)
from allocator.app.reading import (
    amount_text,
    offered_locks,
    page_controls,
    percent,
    read_amount,
    text_value,
)
from allocator.app.session import MeetingSession
from allocator.app.state import (
    Controls,
    control_overrides,
    has_policy,
    initial_controls,
    scenario_for,
    setting_changes,
)
from allocator.errors import AllocatorError, UsageError
from allocator.inputs.loading import load_scenario
from allocator.inputs.locks import all_locks
from allocator.inputs.schema import Lock, Scenario
from allocator.optimization.pipeline import RunResult
from allocator.outputs.archive import Archive
from tests.scenario_factory import small_tables, write_scenario

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(write_scenario(tmp_path_factory.mktemp("small") / "s"))


@pytest.fixture(scope="module")
def milano() -> Scenario:
    return load_scenario(None)


# ------------------------------------------------------------------------------------ state


def test_the_page_opens_on_the_scenario_as_it_is(small: Scenario) -> None:
    start = initial_controls(small)
    assert start.budget_scale == 1.0
    assert start.funder_amounts == {"comune": 500_000.0, "cariplo": 300_000.0}
    assert setting_changes(small, start) == {}
    assert control_overrides(small, start) == []
    assert scenario_for(small, start) == small


def test_controls_become_the_overrides_of_allocator_run(small: Scenario) -> None:
    controls = initial_controls(small).with_(
        budget_scale=0.9,
        funder_amounts={"comune": 400_000.0, "cariplo": 300_000.0},
        equity_weight=0.3,
        min_coverage=0.1,
        excluded_areas=frozenset({"a2"}),
    )
    assert control_overrides(small, controls) == [
        "budget.scale=0.9",
        "funders.comune.amount=400000.0",
        "policy.equity_weight=0.3",
        "policy.min_coverage=0.1",
        'room.exclude_areas=["a2"]',
    ]
    changed = scenario_for(small, controls)
    comune = next(f for f in changed.funders if f.funder_id == "comune")
    assert changed.funder_amount(comune) == pytest.approx(360_000.0)
    assert changed.settings.policy.equity_weight == 0.3
    assert changed.settings.policy.min_coverage == 0.1
    assert all_locks(changed) == (
        Lock(partner_id="*", area_id="a2", intervention_id="*", max_beneficiaries=0),
    )
    assert small.locks == ()  # the base is untouched


def test_protecting_locks_in_todays_beneficiaries(small: Scenario) -> None:
    controls = initial_controls(small).with_(
        protected_areas=frozenset({"a1"}),
        protected_partners=frozenset({"coop_aurora"}),
        excluded_partners=frozenset({"srl_x"}),
    )
    assert control_overrides(small, controls) == [
        'room.protect_areas=["a1"]',
        'room.exclude_partners=["srl_x"]',
        'room.protect_partners=["coop_aurora"]',
    ]
    locks = all_locks(scenario_for(small, controls))
    assert Lock(partner_id="srl_x", area_id="*", intervention_id="*", max_beneficiaries=0) in locks
    floors = {(k.partner_id, k.area_id): k.min_beneficiaries for k in locks if k.min_beneficiaries}
    assert floors == {("*", "a1"): 90.0, ("coop_aurora", "*"): 90.0}  # baseline.csv: 90 today
    meeting = MeetingSession(small)
    view = meeting.solve(controls.with_(budget_scale=0.3))
    assert view.plan is not None
    allocation = view.plan.allocation
    assert allocation[allocation["area_id"] == "a1"]["beneficiaries"].sum() >= 90 - 1e-6
    assert "srl_x" not in set(allocation["partner_id"])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"equity_weight": 1.5}, "policy.equity_weight"),
        ({"budget_scale": -0.1}, "budget.scale"),
        ({"funder_amounts": {"comune": -5.0, "cariplo": 1.0}}, "non può essere negativo"),
        ({"funder_amounts": {"comune": float("nan"), "cariplo": 1.0}}, "manca l'importo"),
        ({"funder_amounts": {"unknown": 1.0}}, "non è nello scenario"),
        ({"excluded_areas": frozenset({"zz"})}, "quartieri sconosciuti: zz"),
        ({"protected_partners": frozenset({"nobody"})}, "enti sconosciuti: nobody"),
        (
            {"excluded_areas": frozenset({"a1"}), "protected_areas": frozenset({"a1"})},
            "sia esclusi sia protetti: a1",
        ),
    ],
)
def test_bad_controls_are_a_usage_error_in_words(
    small: Scenario, change: dict[str, object], words: str
) -> None:
    with pytest.raises(UsageError, match=words):
        scenario_for(small, initial_controls(small).with_(**change))


def test_controls_for_settings_the_schema_lacks_are_refused(small: Scenario) -> None:
    if has_policy("max_area_loss"):
        pytest.skip("the schema has policy.max_area_loss: the control is offered")
    with pytest.raises(UsageError, match="max_area_loss"):
        setting_changes(small, Controls(max_area_loss=0.1, funder_amounts={}))


# ------------------------------------------------------------------------------------ panels


def test_change_text_reads_as_planners_write() -> None:
    assert change_text("beneficiaries_served", 1066.4) == "+1.066"
    assert change_text("coverage", -0.0234) == "-2,3 pp"
    assert change_text("funded", 50_000) == "+50.000 €"
    assert change_text("coverage", 0.0) == "0"
    assert change_text("coverage", -0.00004) == "0"  # not "-0,0 pp"
    assert change_text("funded", 0.4) == "0" and change_text("funded", -0.6) == "-1 €"


def test_a_change_that_rounds_to_nothing_is_not_bad_news(milano_run: RunResult) -> None:
    plan = milano_run.plan
    assert plan is not None
    previous = {**plan.kpis, "coverage": plan.kpis["coverage"] + 0.00004}
    card = next(c for c in kpi_cards(plan.kpis, previous) if c.key == "coverage")
    assert (card.change, card.tone) == ("", "neutral")
    previous["coverage"] = plan.kpis["coverage"] + 0.002
    card = next(c for c in kpi_cards(plan.kpis, previous) if c.key == "coverage")
    assert (card.change, card.tone) == ("-0,2 pp", "bad")


def test_kpi_cards_show_the_change_since_the_previous_state(milano_run: RunResult) -> None:
    plan = milano_run.plan
    assert plan is not None
    first = kpi_cards(plan.kpis)
    assert [c.change for c in first] == [""] * len(first)
    served = plan.kpis["beneficiaries_served"]
    assert first[0].label == "beneficiari raggiunti"
    assert first[0].value == f"{round(served):,}".replace(",", ".")  # Italian thousands
    previous = {**plan.kpis, "beneficiaries_served": plan.kpis["beneficiaries_served"] + 100}
    previous["coverage"] = plan.kpis["coverage"] - 0.02
    cards = {c.key: c for c in kpi_cards(plan.kpis, previous)}
    assert (cards["beneficiaries_served"].change, cards["beneficiaries_served"].tone) == (
        "-100",
        "bad",
    )
    assert (cards["coverage"].change, cards["coverage"].tone) == ("+2,0 pp", "good")
    assert cards["coverage"].estimate and cards["funded"].tone == "neutral"


def test_coverage_funders_and_strengthen_tables(milano_run: RunResult) -> None:
    plan = milano_run.plan
    assert plan is not None
    rows = coverage_rows(plan, ["NIL_014"])
    assert list(rows["coverage"]) == sorted(rows["coverage"])
    assert len(rows) == 24 and rows["excluded"].sum() == 1
    assert rows["coverage_text"].str.endswith("%").all()
    funders = funder_rows(plan)
    assert set(funders["kind"]) <= {"pubblico", "privato"}
    assert funders["spent"].sum() == pytest.approx(plan.kpis["funded"])
    assert strengthen_rows(pd.DataFrame()).empty


def test_comparison_with_today_and_the_rules_states_each_plans_money(milano: Scenario) -> None:
    meeting = MeetingSession(milano)
    view = meeting.solve(meeting.initial())
    assert view.result is not None and view.result.plan is not None
    plan = view.result.plan
    table = comparison_rows(plan, meeting.rules(view), meeting.today())
    assert list(table["piano"]) == [
        "questo piano",
        "regola: quota pro capite (minori)",
        "regola: proporzionale al bisogno",
        "oggi (situazione attuale)",
    ]
    assert "spesa dei finanziatori" in table.columns
    assert table["spesa dei finanziatori"].str.endswith("€").all()
    assert all(text.startswith("+") for text in table["questo piano serve in più"][1:])
    movers = movers_against_today(plan, meeting.today(), meeting.partner_names)
    assert {"quartiere che guadagna", "ente che guadagna"} <= set(movers["chi"])


# ------------------------------------------------------------------------------------ map


def test_the_map_draws_centroids_without_boundaries(milano_run: RunResult) -> None:
    shapes = map_shapes(milano_run.scenario)
    assert shapes.mode == "centroids" and len(shapes.shapes) == 24
    plan = milano_run.plan
    assert plan is not None
    svg = map_svg(shapes, plan.areas, ["NIL_014"])
    assert svg.startswith("<svg") and svg.count("<circle") == 24
    assert svg.count('fill="url(#escluso)"') == 1 and "(escluso)" in svg
    assert colour(0.0) != colour(1.0)


def test_the_map_draws_the_nil_polygons(milano_run: RunResult, boundaries: Path) -> None:
    shapes = map_shapes(milano_run.scenario, boundaries)
    assert shapes.mode == "polygons" and len(shapes.shapes) == 24
    assert len(shapes.background) == 88 - 24 and shapes.unmatched == ()
    plan = milano_run.plan
    assert plan is not None
    svg = map_svg(shapes, plan.areas)
    assert svg.count("data-area=") == 24 and "Comune di Milano" in svg


# ------------------------------------------------------------------------------------ session


def test_each_change_solves_again_and_keeps_the_previous_kpis(small: Scenario) -> None:
    meeting = MeetingSession(small)
    start = meeting.initial()
    first = meeting.solve(start)
    assert first.ok and first.previous_kpis is None and first.message == ""
    second = meeting.solve(start.with_(budget_scale=0.5))
    assert second.ok and second.overrides == ["budget.scale=0.5"]
    assert first.result is not None and first.result.plan is not None
    assert second.previous_kpis == first.result.plan.kpis
    assert meeting.solver.reused == 1  # only the money changed: the model was kept
    bad = meeting.solve(start.with_(equity_weight=7.0))
    assert not bad.ok and bad.message.startswith("Impostazioni non valide")
    third = meeting.solve(start)
    assert second.result is not None and second.result.plan is not None
    assert third.previous_kpis == second.result.plan.kpis  # a refused state is skipped


def test_an_infeasible_state_is_a_message(tmp_path: Path) -> None:
    tables = small_tables()
    tables["staff"] = [
        {
            "role_id": "educatore",
            "name": "Educator",
            "available_fte": 8,
            "cost_per_fte": 40000,
            "min_fte_per_area": 1,
        }
    ]
    meeting = MeetingSession(load_scenario(write_scenario(tmp_path / "s", tables)))
    view = meeting.solve(meeting.initial().with_(budget_scale=0.0))
    assert not view.ok and view.message.startswith("Con queste impostazioni non esiste un piano")
    assert view.reasons


def test_save_and_downloads(small: Scenario, tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite"
    meeting = MeetingSession(small, history=history)
    view = meeting.solve(meeting.initial().with_(budget_scale=0.8))
    with pytest.raises(AllocatorError, match="nome"):
        meeting.save(view, "  ")
    run_id = meeting.save(view, "proposta", "nota della riunione")
    with Archive(history) as archive:
        stored = archive.get(run_id)
    assert (stored.label, stored.note, stored.origin) == ("proposta", "nota della riunione", "app")
    assert stored.overrides == ["budget.scale=0.8"]
    assert "strengthen" in stored.tables
    workbook = zipfile.ZipFile(io.BytesIO(meeting.results_xlsx(view)))
    assert "xl/workbook.xml" in workbook.namelist()
    sheets = pd.ExcelFile(io.BytesIO(meeting.results_xlsx(view))).sheet_names
    assert {"Impostazioni", "Indicatori", "Assegnazione", "Quartieri"} <= set(sheets)
    page = meeting.report_html(view)
    assert page.startswith("<!DOCTYPE html>") and "budget.scale=0.8" in page


# ------------------------------------------------------------------------------------ reading


def _raw(small: Scenario, **changes: object) -> dict[str, object]:
    start = initial_controls(small)
    raw: dict[str, object] = {
        "budget_scale": percent(start.budget_scale),
        "equity_weight": percent(start.equity_weight),
        "min_coverage": percent(start.min_coverage),
        "excluded_areas": None,
    }
    return {**raw, **changes}


def test_the_page_sends_percentages_read_as_settings(small: Scenario) -> None:
    start = initial_controls(small)
    offered = offered_locks(small)
    read = page_controls(
        _raw(small, budget_scale=80, equity_weight=30, excluded_areas=["a2"]),
        start,
        offered,
        start.funder_amounts,
    )
    assert (read.budget_scale, read.equity_weight, read.min_coverage) == (0.8, 0.3, 0.0)
    assert read.excluded_areas == frozenset({"a2"})
    assert control_overrides(small, read)[:2] == ["budget.scale=0.8", "policy.equity_weight=0.3"]
    assert page_controls(_raw(small), start, offered, start.funder_amounts) == start


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"budget_scale": "abc"}, "«abc» non è un valore accettato (un numero tra 50 e 150"),
        ({"budget_scale": True}, "«vero» non è un valore accettato"),
        ({"budget_scale": None}, "nessun valore non è un valore accettato"),
        ({"budget_scale": [1, 2]}, "«[1, 2]» non è un valore accettato"),
        ({"budget_scale": float("nan")}, "«nan» non è un valore accettato"),
        ({"budget_scale": 1e9}, "non è un valore accettato"),
        ({"equity_weight": -1}, "«Peso dell'equità"),
        ({"min_coverage": {"x": 1}}, "«Soglia minima"),
        ({"excluded_areas": 7}, "«7» non è un elenco di nomi"),
        ({"excluded_areas": [1]}, "non è un elenco di nomi"),
        ({"excluded_areas": ["zz"]}, "«zz» non è tra le scelte"),
        ({"equity_measure": "max"}, "«max» non è tra le scelte"),
        ({"equity_measure": 3}, "«3» non è tra le scelte"),
    ],
)
def test_whatever_the_browser_sends_is_refused_in_italian(
    small: Scenario, change: dict[str, object], words: str
) -> None:
    start = initial_controls(small)
    with pytest.raises(UsageError) as refused:
        page_controls(_raw(small, **change), start, offered_locks(small), start.funder_amounts)
    assert words in str(refused.value)
    for python in ("could not convert", "Error", "float", "None", "True", "['", "'abc'"):
        assert python not in str(refused.value)


def test_texts_are_texts(small: Scenario) -> None:
    assert text_value("Nota", None) == "" and text_value("Nota", "ok") == "ok"
    with pytest.raises(UsageError, match="«Nota»: «12» non è un testo"):
        text_value("Nota", 12)
    with pytest.raises(UsageError, match="al massimo 500 caratteri"):
        text_value("Nota", "x" * 501)


def test_a_refused_state_and_an_unexpected_error_say_so_in_italian(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = MeetingSession(small)
    refused = meeting.refused("«Budget»: «abc» non è un valore accettato")
    assert not refused.ok and refused.message.startswith("Impostazioni non valide: «Budget»")

    def broken(scenario: Scenario) -> RunResult:
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(meeting.solver, "run", broken)
    view = meeting.solve(meeting.initial())
    assert not view.ok and view.message.startswith("Errore inatteso durante il calcolo")
    assert "TypeError" not in view.message and "operand" not in view.message


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("800.000", 800_000.0),
        ("€ 1.200.000", 1_200_000.0),
        ("800000,50", 800_000.5),
        ("1.000.000 €", 1_000_000.0),
        ("1,200,000", 1_200_000.0),
        ("  950000 ", 950_000.0),
        ("€ 1.200.000,00", 1_200_000.0),
    ],
)
def test_amounts_are_read_as_italians_type_them(typed: str, value: float) -> None:
    check = read_amount(typed, "Comune di Milano", 1_000_000.0)
    assert (check.value, check.confirm, check.message) == (value, False, "")
    assert amount_text(value) in (
        "800.000 €",
        "1.200.000 €",
        "800.000,5 €",
        "1.000.000 €",
        "950.000 €",
    )


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("1,250", "è ambiguo: 1,25 € o 1.250 €?"),
        ("abc", "«abc» per Comune di Milano non è un importo accettato: non è un numero"),
        ("", "manca l'importo di Comune di Milano"),
        ("-5", "non può essere negativo"),
        ("800000,505", "più di due decimali"),
        ("1e15", "mille miliardi"),
        (True, "«vero» per Comune di Milano non è un importo accettato"),
        ("nan", "non è un numero finito"),
    ],
)
def test_an_ambiguous_or_impossible_amount_is_refused(typed: object, words: str) -> None:
    check = read_amount(typed, "Comune di Milano", 1_000_000.0)
    assert check.value is None and words in check.message


@pytest.mark.parametrize(
    ("typed", "in_use", "words"),
    [
        ("800.0", 1_000_000.0, "800 € per Comune di Milano: oltre 10 volte meno di 1.000.000 €"),
        ("99.999.999", 1_000_000.0, "oltre 10 volte più di 1.000.000 €"),
        ("0", 1_000_000.0, "azzera l'importo (ora 1.000.000 €)"),
        (
            "5.000",
            0.0,
            "meno di 1.000.000 €. È giusto? Finché non si conferma, il piano usa ancora 0 €",
        ),
    ],
)
def test_a_change_of_more_than_ten_times_asks_first(typed: str, in_use: float, words: str) -> None:
    check = read_amount(typed, "Comune di Milano", in_use, reference=1_000_000.0)
    assert check.confirm and check.value is not None and words in check.message
    assert "il piano usa ancora" in check.message
    assert not read_amount("150.000", "Comune di Milano", 1_000_000.0).confirm  # 6,7 times less


def test_the_first_plan_is_solved_once_for_every_visitor(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page solves the scenario's own plan when it starts; a visitor opening it gets that
    plan without a solve, and any change of the controls is solved as usual."""
    start = initial_controls(small)
    first = MeetingSession(small).compute(start)
    assert first.plan is not None
    visitor = MeetingSession(small, first=first)
    solves: list[object] = []
    original = visitor.solver.run

    def counted(scenario: Scenario) -> RunResult:
        solves.append(scenario)
        return original(scenario)

    monkeypatch.setattr(visitor.solver, "run", counted)
    opened = visitor.solve(start)
    assert solves == [] and opened.plan is not None
    assert opened.plan.kpis == first.plan.kpis and opened is not first
    changed = visitor.solve(start.with_(budget_scale=0.5))
    assert len(solves) == 1 and changed.plan is not None
    assert changed.plan.kpis["budget_total"] < first.plan.kpis["budget_total"]
