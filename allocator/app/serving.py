"""Serving the meeting page in a child process and driving it with Debian's Chromium: what the
browser tests, the latency benchmark and screenshots share.

The page runs as ``allocator app`` does in a meeting (a separate process, a real port), and the
browser is the system's ``/usr/bin/chromium`` driven by Playwright: nothing is downloaded.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parents[2]
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_page(
    arguments: Sequence[str] = (), history: Path | None = None, timeout: float = 120.0
) -> Iterator[str]:
    """Start ``allocator app ARGUMENTS`` on a free local port; yield its URL; stop it."""
    port = free_port()
    command = [sys.executable, "-c", "from allocator.cli import main; main()", "app"]
    command += [*arguments, "--port", str(port)]
    if history is not None:
        command += ["--history", str(history)]
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed below; never a pipe, which could fill and stall the page)
    # run from the repository (python -c puts the working folder first on the import path)
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                output = log.read()
                raise RuntimeError(f"allocator app stopped (exit {process.returncode}): {output}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"allocator app did not answer on {url}") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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
