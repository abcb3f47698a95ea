"""One complete run: a plan saved from the meeting page and ``allocator run`` with the same
``--set`` are the same bundle, and every face renders the same tables and the same report."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.app.session import MeetingSession
from allocator.app.state import control_overrides, initial_controls
from allocator.cli import app
from allocator.inputs.loading import load_scenario
from allocator.outputs.archive import Archive
from allocator.render.bundle import NAMES_TABLE, TODAY_TABLE, RoomNote, plan
from allocator.render.report import build_report
from allocator.render.report_runs import from_bundle, read_run
from tests.scenario_factory import write_scenario

pytestmark = pytest.mark.cli

EXCLUDED = "a2"
EXCLUDED_NAME = "Quarto Oggiaro"


def masked(text: str, label: str, note: str = "") -> str:
    """The report's text without what may differ between two renderings of one plan: the
    timestamps, the solver's seconds, where the run was read from, the plan's name and note."""
    text = re.sub(r"\d{1,2} \w+ \d{4}, \d{2}:\d{2}", "<date>", text)
    text = re.sub(r"\d+,\d\d s;", "<seconds> s;", text)
    text = re.sub(r"</strong> \([^()]*\) – ", "</strong> (<source>) – ", text)
    text = text.replace(f"<li>Nota: {note}</li>", "") if note else text
    return text.replace(label, "<label>")


def first_difference(a: str, b: str) -> str:
    """Where two texts first differ, with some context of each (for an assertion's message)."""
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return f"at {at}:\n{a[at - 150 : at + 150]}\n---\n{b[at - 150 : at + 150]}"


PAGE_LABEL, PAGE_NOTE = "prova riunione - senza Quarto Oggiaro", "dalla pagina"
CLI_LABEL = "da riga di comando"


def test_a_plan_saved_on_the_page_and_run_with_the_same_set_give_the_same_report(
    tmp_path: Path,
) -> None:
    folder = write_scenario(tmp_path / "s")
    history = tmp_path / "history.sqlite"
    scenario = load_scenario(folder)
    meeting = MeetingSession(scenario, history=history)
    controls = initial_controls(scenario).with_(excluded_areas=frozenset({EXCLUDED}))
    overrides = control_overrides(scenario, controls)
    assert overrides == [f'room.exclude_areas=["{EXCLUDED}"]']
    page_id = meeting.save(meeting.solve(controls), PAGE_LABEL, PAGE_NOTE)

    args = ["run", str(folder), "--out", str(tmp_path / "run"), "--history", str(history)]
    ran = CliRunner().invoke(app, [*args, "--set", overrides[0], "--label", CLI_LABEL])
    assert ran.exit_code == 0, ran.output
    with Archive(history) as archive:
        cli_id = archive.runs()[-1].run_id
    assert cli_id != page_id

    reports = {}
    for run_id in (page_id, cli_id):
        out = tmp_path / f"report-{run_id}.html"
        made = CliRunner().invoke(
            app, ["report", str(run_id), "--history", str(history), "--out", str(out)]
        )
        assert made.exit_code == 0, made.output
        reports[run_id] = out.read_text(encoding="utf-8")
    page = masked(reports[page_id], PAGE_LABEL, PAGE_NOTE)
    cli = masked(reports[cli_id], CLI_LABEL)
    assert page == cli, first_difference(page, cli)
    from_folder = masked(build_report([read_run(tmp_path / "run")]), CLI_LABEL)
    assert from_folder == cli, first_difference(from_folder, cli)

    text = reports[page_id]
    start = text.index('<h2 id="plan">')
    first_section = text[start : text.index("<h2>", start)]
    assert PAGE_LABEL in first_section and PAGE_NOTE in first_section
    assert f"Quartieri esclusi: {EXCLUDED_NAME}" in first_section
    assert "mancano o sono cambiati" not in text
    body = text.split("<footer>")[0]
    assert "Cooperativa Aurora" in body and "coop_aurora" not in body  # names, not ids


def test_the_bundle_keeps_what_a_report_needs_without_the_inputs(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    scenario = load_scenario(folder, [f'room.exclude_areas=["{EXCLUDED}"]'])
    bundle = plan(
        scenario, RoomNote(label="prova", overrides=(f'room.exclude_areas=["{EXCLUDED}"]',))
    )
    tables = bundle.tables()
    names = tables[NAMES_TABLE]
    assert set(names["kind"]) == {"area", "intervention", "partner", "funder", "role"}
    assert ("partner", "coop_aurora", "Cooperativa Aurora") in set(
        zip(names["kind"], names["id"], names["name"], strict=True)
    )
    today = tables[TODAY_TABLE]
    assert bundle.today is not None
    served_today = bundle.today.plan.kpis["beneficiaries_served"]
    assert today["beneficiaries"].sum() == pytest.approx(served_today)
    served = bundle.plan.allocation
    assert served[served["area_id"] == EXCLUDED]["beneficiaries"].sum() == pytest.approx(0.0)
    details = bundle.details()
    assert details["changes"] == [f"Quartieri esclusi: {EXCLUDED_NAME}"]
    assert details["label"] == "prova" and details["today_kpis"] is not None
    report = build_report([from_bundle(bundle)])
    assert "Piano di allocazione – prova" in report
    assert isinstance(tables["rules"], pd.DataFrame) and not tables["rules"].empty


def test_room_settings_name_the_ids_they_get_wrong(tmp_path: Path) -> None:
    """An id the scenario lacks, or one both excluded and protected, is refused in Italian,
    naming the setting and the ids (never a plan without the choice the room made)."""
    from allocator.errors import InputError

    folder = write_scenario(tmp_path / "s")
    with pytest.raises(InputError) as unknown:
        load_scenario(folder, ['room.exclude_areas=["zz"]'])
    assert "room.exclude_areas" in str(unknown.value) and "zz" in str(unknown.value)
    with pytest.raises(InputError) as both:
        load_scenario(folder, ['room.exclude_areas=["a1"]', 'room.protect_areas=["a1"]'])
    assert "quartieri sia esclusi sia protetti: a1" in str(both.value)
