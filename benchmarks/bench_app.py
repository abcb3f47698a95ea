"""How fast the meeting page answers the room, and how fast the archive writes and reads.

    python benchmarks/bench_app.py [--changes 8] [--no-browser]

1. On the bundled Milan scenario, in this process: one change of the budget scale solved by the
   page's logic (MeetingSession.solve: settings, warm model, solve, plan) and the panels computed
   (KPI cards, coverage, map SVG, where to strengthen).
2. In Debian's Chromium (Playwright) against ``allocator app`` in its own process: from a change of
   the budget slider's value to the new plan on screen (the served-beneficiaries card showing the
   new figure and the page no longer busy). Target (issue 13): under 1 s on a 2-core machine.
3. The archive: writing one Milan plan, listing the archive, reading one plan back.

Prints the figures and the machine (cores, load); asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocator.app.mapview import map_svg  # noqa: E402
from allocator.app.panels import coverage_rows, kpi_cards, strengthen_rows  # noqa: E402
from allocator.app.session import MeetingSession  # noqa: E402
from allocator.inputs.loading import load_scenario  # noqa: E402
from allocator.outputs.archive import Archive  # noqa: E402

BOUNDARIES = ROOT.parent / "shared" / "data" / "milano" / "milano_nil_boundaries.geojson"
SCALES = (0.9, 0.8, 1.1, 1.2, 0.7, 1.0, 0.85, 1.15, 0.95, 1.05)


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    python = platform.python_version()
    return f"{platform.machine()}, {os.cpu_count()} cores, load average {load}, Python {python}"


def summary(label: str, seconds: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(seconds):.3f} s, best {min(seconds):.3f} s, "
        f"worst {max(seconds):.3f} s over {len(seconds)}"
    )


def in_process(changes: int) -> None:
    scenario = load_scenario(None)
    boundaries = BOUNDARIES if BOUNDARIES.is_file() else None
    meeting = MeetingSession(scenario, boundaries)
    start = meeting.initial()
    meeting.solve(start)
    solving, panels = [], []
    for scale in SCALES[:changes]:
        t = time.perf_counter()
        view = meeting.solve(start.with_(budget_scale=scale))
        solving.append(time.perf_counter() - t)
        assert view.result is not None and view.result.plan is not None
        t = time.perf_counter()
        kpi_cards(view.result.plan.kpis, view.previous_kpis)
        coverage_rows(view.result.plan)
        map_svg(meeting.shapes, view.result.plan.areas)
        strengthen_rows(meeting.strengthen(view))
        panels.append(time.perf_counter() - t)
    print(f"models built {meeting.solver.built}, reused {meeting.solver.reused}")
    summary("budget change solved (page logic, in process)", solving)
    summary("panels computed (cards, coverage, map, where to strengthen)", panels)


def in_browser(changes: int) -> None:
    from allocator.app.serving import chromium, plan_shown, running_page

    arguments = ["--boundaries", str(BOUNDARIES)] if BOUNDARIES.is_file() else []
    with tempfile.TemporaryDirectory() as scratch:
        history = Path(scratch) / "history.sqlite"
        with running_page(arguments, history=history) as url, chromium() as page:
            page.goto(url)
            plan_shown(page)
            page.wait_for_selector("html:not(.shiny-busy)")
            seconds = []
            for scale in SCALES[:changes]:
                before = page.locator("#kpi-beneficiaries_served").inner_text()
                t = time.perf_counter()
                page.evaluate(f"Shiny.setInputValue('budget_scale', {round(100 * scale)})")
                page.wait_for_function(
                    "before => document.querySelector('#kpi-beneficiaries_served')"
                    "?.innerText !== before && !document.documentElement.classList"
                    ".contains('shiny-busy')",
                    arg=before,
                    timeout=600_000,  # a loaded machine can take seconds; the figure says so
                    polling="raf",
                )
                seconds.append(time.perf_counter() - t)
    summary("slider change → new plan on screen (Chromium, Milan)", seconds)
    print("target: under 1 s")


def archive_times(repeat: int) -> None:
    from allocator.optimization.pipeline import run_scenario

    result = run_scenario(load_scenario(None))
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "history.sqlite"
        writes, lists, reads = [], [], []
        for _ in range(repeat):
            t = time.perf_counter()
            with Archive(path) as archive:
                run_id = archive.record(result, label="bench")
            writes.append(time.perf_counter() - t)
            t = time.perf_counter()
            with Archive(path) as archive:
                archive.runs()
            lists.append(time.perf_counter() - t)
            t = time.perf_counter()
            with Archive(path) as archive:
                archive.get(run_id).plan()
            reads.append(time.perf_counter() - t)
        size = path.stat().st_size + sum(
            p.stat().st_size for p in path.parent.glob("history.sqlite-*")
        )
    summary("archive: record one Milan plan (open + write)", writes)
    summary(f"archive: list {repeat} plans (open + read)", lists)
    summary("archive: read one plan back with its tables", reads)
    print(f"archive size with {repeat} Milan plans: {size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=8)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--archive-repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    in_process(args.changes)
    if not args.no_browser:
        in_browser(args.changes)
    archive_times(args.archive_repeat)
    print(f"machine after: {machine()}")


if __name__ == "__main__":
    main()
