"""The report in headless Chromium: it renders (title, map, tables), with no script errors.

Chromium is Debian's ``chromium`` package (``make chromium`` installs it when root); without it
the test is skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from allocator.render.report import build_report, read_run, write_report

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )


def need_chromium() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            "chromium is not installed: run `make chromium` as root (apt-get install -y chromium)"
        )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_chromium()
    folder = tmp_path_factory.mktemp("browser")
    boundaries = Path(__file__).resolve().parents[2] / "shared" / "data" / "milano"
    boundaries /= "milano_nil_boundaries.geojson"
    text = build_report([read_run(None)], boundaries=boundaries if boundaries.is_file() else None)
    return write_report(text, folder / "report.html")


def test_report_renders_in_chromium(page: Path, tmp_path: Path) -> None:
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<title>Piano di allocazione – Milano QuBì – base</title>" in dom
    assert 'data-rendered="yes"' in dom and 'data-errors="0"' in dom
    assert '<img id="map" class="map"' in dom
    for table in ("areas-table", "funders-table", "strengthen-table"):
        assert f'<table id="{table}">' in dom
    console = [
        line
        for line in result.stderr.splitlines()
        if "Uncaught" in line or ("CONSOLE" in line and "file://" in line)
    ]
    assert not console, console


def test_report_screenshot_is_taken(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1600,2400", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000  # a page, not a blank


@pytest.fixture(scope="module")
def xlsx_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a run folder whose inputs came from inputs.xlsx (read back, not re-solved)."""
    from typer.testing import CliRunner

    from allocator.cli import app
    from tests.scenario_factory import write_scenario

    need_chromium()
    folder = tmp_path_factory.mktemp("browser-xlsx")
    scenario = write_scenario(folder / "scenario", xlsx=True)
    run = folder / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(run), "--quiet"])
    assert result.exit_code == 0, result.output
    return write_report(build_report([read_run(run)]), folder / "report.html")


def test_report_of_an_xlsx_run_names_roles_and_has_the_partners(
    xlsx_page: Path, tmp_path: Path
) -> None:
    result = chromium(tmp_path, "--dump-dom", xlsx_page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert 'data-rendered="yes"' in dom and 'data-errors="0"' in dom
    assert "Personale (FTE): Educator" in dom  # the role by its name, not its id
    assert "FTE: educatore" not in dom
    assert '<table id="partners-table">' in dom and "Cooperativa Aurora" in dom
    assert "APS Ponte" in dom and "cooperativa sociale" in dom
    assert '<table id="status-quo-table">' in dom and "Situazione attuale" in dom
