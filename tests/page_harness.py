"""Serving the meeting page in a child process and driving it with Debian's Chromium: what the
browser tests, the latency benchmark and screenshots share.

The page runs as ``allocator app`` does in a meeting (a separate process, a real port), and the
browser is the system's ``/usr/bin/chromium`` driven by Playwright: nothing is downloaded.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)

BURST = """() => {
  window.shownScales = [];
  const status = document.querySelector('#plan-status');
  new MutationObserver(() => {
    const found = /importi dei finanziatori: ([0-9]+)%/.exec(status.innerText);
    if (found) window.shownScales.push(Number(found[1]) / 100);
  }).observe(status, {childList: true, subtree: true, characterData: true});
  for (let i = 0; i < 30; i++) {
    setTimeout(() => Shiny.setInputValue('budget_scale', 60 + i), 66 * i);  // 30 in 2 s
  }
}"""
"""A burst of 30 changes of the budget slider in 2 s (66 ms apart, as the red team fired them);
``window.shownScales`` records the budget scale of each plan the status line shows."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_page(
    arguments: Sequence[str] = (), history: Path | None = None, timeout: float = 120.0
) -> Iterator[str]:
    """Start ``allocator app ARGUMENTS`` on a free local port; yield its address with the
    secret it printed (``http://127.0.0.1:PORT/?token=…``); stop it."""
    port = free_port()
    command = [sys.executable, "-c", "from allocator.cli import main; main()", "app"]
    command += [*arguments, "--port", str(port)]
    if history is not None:
        command += ["--history", str(history)]
    with tempfile.TemporaryDirectory() as scratch:
        log_path = Path(scratch) / "app.log"
        # a file, never a pipe (which could fill and stall the page); read through its own handle
        with log_path.open("a") as log:
            # from the repository (python -c puts the working folder first on the import path)
            process = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True
            )
        try:
            yield _answering(process, log_path, port, time.monotonic() + timeout)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answering(process: subprocess.Popen[str], log: Path, port: int, deadline: float) -> str:
    """The address ``allocator app`` printed, once the page answers on it."""
    pattern = re.compile(rf"http://127\.0\.0\.1:{port}/\?token=[A-Za-z0-9_-]+")
    while True:
        output = log.read_text(errors="replace")
        if process.poll() is not None:
            raise RuntimeError(f"allocator app stopped (exit {process.returncode}): {output}")
        found = pattern.search(output)
        if found is not None:
            try:
                with urllib.request.urlopen(found.group(0), timeout=2):
                    return found.group(0)
            except OSError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"allocator app did not answer on port {port}: {output}")
        time.sleep(0.3)


@contextmanager
def chromium(width: int = 1600, height: int = 1000) -> Iterator[Any]:
    """A Playwright page in Debian's headless Chromium (no browser download)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} is missing: `make chromium` installs it (apt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def plan_shown(page: Any, timeout_ms: float = 120_000) -> None:
    """Wait until the page shows a plan (its KPI cards and its map)."""
    page.wait_for_selector("#kpi-beneficiaries_served", timeout=timeout_ms)
    page.wait_for_selector("svg.area-map", timeout=timeout_ms)


def italian_number(text: str) -> float:
    """``20.714`` → 20714.0, ``45,1%`` → 45.1 (as the page writes numbers)."""
    cleaned = text.replace("€", "").replace("%", "").replace(".", "").replace(",", ".").strip()
    return float(cleaned)
