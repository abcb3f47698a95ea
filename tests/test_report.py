"""The HTML report: from a run folder and from a scenario, Italian and English, self-contained."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import EXIT_INPUT
from allocator.optimization.pipeline import RunResult
from allocator.outputs.run_folder import write_outputs
from allocator.render.formats import moment, number
from allocator.render.report import CREDIT, build_report, read_run, write_report
from tests.conftest import BOUNDARIES

pytestmark = pytest.mark.cli

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "milano"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory, milano_run: RunResult) -> Path:
    from allocator.render.explanations import explain

    why = explain(milano_run, confirm=False)
    out = tmp_path_factory.mktemp("runs") / "base"
    return write_outputs(milano_run, out, extra_tables=why.tables())


def asset_urls(text: str) -> list[str]:
    """Every src/href of the page."""
    return re.findall(r'(?:src|href)="([^"]*)"', text)


def test_report_from_a_run_folder(run_folder: Path) -> None:
    run = read_run(run_folder)
    text = build_report([run], boundaries=BOUNDARIES if BOUNDARIES.is_file() else None)
    kpis = run.kpis
    assert '<html lang="it">' in text
    assert "Piano di allocazione – Milano QuBì – base" in text
    assert f"{number(kpis['beneficiaries_served'], 'it')}</div>" in text
    assert f"{number(100 * kpis['coverage'], 'it', 1)}%" in text
    assert f"{number(kpis['budget_total'], 'it')} €" in text
    assert re.search(r"\d\.\d{3}\.\d{3} €", text)  # Italian thousands
    assert '<img id="map" class="map"' in text
    for table in ("areas-table", "funders-table", "strengthen-table", "limits-table"):
        assert f'<table id="{table}">' in text
    for area in run.areas["name"]:
        assert f">{area}</td>" in html.unescape(text)
    assert "Documento di sintesi" in text and "Questioni aperte" in text
    assert 'class="badge">Stima' in text and "scenarios/milano/DATA.md" in text
    assert CREDIT in text
    for digest in run.provenance["inputs"].values():
        assert digest[:16] in text
    assert moment(run.provenance["created"], "it") in text and "ottimo" in text
    assert run.provenance["created"] not in text  # a date as planners write it, not ISO
    assert "Servono nuovi partner o personale" in text


def test_report_from_a_scenario_in_english_with_a_comparison() -> None:
    base = read_run(SCENARIO, lang="en")
    cut = read_run(SCENARIO, ["budget.scale=0.9"], lang="en")
    text = build_report([base, cut], lang="en")
    assert '<html lang="en">' in text and "Allocation plan" in text
    assert f"{number(base.kpis['budget_total'], 'en')} €" in text
    assert f"{number(cut.kpis['budget_total'], 'en')} €" in text
    scaled = "Scale of the funders' amounts: 90% of the scenario's"
    assert f"Milano QuBì – base ({scaled})" in html.unescape(text)
    assert '<table id="compare-table">' in text and 'id="chart-frontier"' in text
    assert "Summary document" in text and 'class="badge">Estimate' in text
    assert '<img id="map" class="map"' in text  # centroids: no boundary file given


def test_report_is_self_contained(run_folder: Path) -> None:
    text = build_report([read_run(run_folder)])
    urls = asset_urls(text)
    assert urls and all(u.startswith("data:image/png;base64,") for u in urls)
    assert "http" not in "".join(urls)
    assert "<link" not in text and "@import" not in text and "<script src" not in text


def test_cli_writes_the_report(run_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "report.html"
    result = CliRunner().invoke(
        app, ["report", str(run_folder), "--compare", str(SCENARIO), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Confronto tra scenari" in text
    assert not list(out.parent.glob(".report.html.*"))  # no temporary left behind


def test_cli_refuses_a_bad_language(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--lang", "fr", "--out", str(tmp_path / "r")])
    assert result.exit_code == EXIT_INPUT


def test_write_report_replaces_atomically(tmp_path: Path) -> None:
    target = write_report("<p>uno</p>", tmp_path / "r.html")
    write_report("<p>due</p>", target)
    assert target.read_text(encoding="utf-8") == "<p>due</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_a_plain_run_folder_is_enough_for_where_to_strengthen(tmp_path: Path) -> None:
    """`allocator run` without --explain writes limits and strengthen, which the report shows."""
    out = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", str(SCENARIO), "--out", str(out)]).exit_code == 0
    text = build_report([read_run(out)])
    assert '<table id="strengthen-table">' in text
    assert "allocator run --explain" not in text


def test_a_run_folder_keeps_names_and_today_whatever_the_inputs(tmp_path: Path) -> None:
    """The report reads the run as written, names and today's allocation included: changing or
    deleting the inputs afterwards changes nothing. An older folder without them reads them from
    the inputs only while they are unchanged, and says so when they are not."""
    from tests.scenario_factory import write_scenario

    scenario = write_scenario(tmp_path / "s")
    out = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)]).exit_code == 0
    fresh = build_report([read_run(out)])
    assert "Cooperativa Aurora" in fresh and '<table id="status-quo-table">' in fresh
    assert "mancano o sono cambiati" not in fresh
    with (scenario / "partners.csv").open("a", encoding="utf-8") as handle:
        handle.write("aps_nuova,APS Nuova,aps,3\n")
    (scenario / "baseline.csv").unlink()
    assert build_report([read_run(out)]) == fresh
    (out / "names.csv").unlink()  # as written before names were kept
    older = build_report([read_run(out)])
    assert "mancano o sono cambiati" in older
    assert '<table id="partners-table">' in older and "coop_aurora" in older


def test_people_are_whole_and_add_up(run_folder: Path) -> None:
    from allocator.render.formats import whole_people

    assert whole_people([0.4, 0.4, 0.2]) == [1, 0, 0] and sum(whole_people([2.5, 2.5])) == 5
    run = read_run(run_folder)
    text = build_report([run])
    table = re.search(r'<table id="areas-table">(.*?)</table>', text, re.S)
    assert table is not None
    served = [
        int(cells[3].replace(".", ""))
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", table[1])
        )
        if cells
    ]
    assert sum(served) == round(run.kpis["beneficiaries_served"])
