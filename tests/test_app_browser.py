"""The meeting page in a real browser: Debian's chromium driven by Playwright, the page served by
``allocator app`` in its own process on the bundled Milan scenario.

Skipped, saying why, when chromium (``make chromium``) or the ``app`` extra is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import EXIT_OK
from tests.page_harness import (
    BURST,
    CHROMIUM,
    chromium,
    italian_number,
    plan_shown,
    running_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

pytest.importorskip("shiny", reason="the app extra is not installed: pip install -e '.[app]'")
pytest.importorskip("playwright", reason="the app extra is not installed: pip install -e '.[app]'")
controller = pytest.importorskip("shiny.playwright.controller")

if not CHROMIUM.is_file():
    pytest.skip(
        "chromium is not installed: run `make chromium` as root (apt-get install -y chromium)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("page") / "history.sqlite"


@pytest.fixture(scope="module")
def url(history: Path) -> Iterator[str]:
    with running_page(history=history) as address:
        yield address


@pytest.fixture
def page(url: str) -> Iterator[Any]:
    with chromium() as browser_page:
        errors: list[str] = []
        browser_page.on("pageerror", lambda error: errors.append(str(error)))
        browser_page.goto(url)
        plan_shown(browser_page)
        yield browser_page
        assert errors == [], errors


def served(page: Any) -> float:
    return italian_number(page.locator("#kpi-beneficiaries_served").inner_text())


def changed(page: Any, before: str, timeout_ms: float = 60_000) -> str:
    """Wait until the served beneficiaries differ from ``before``; return the new text."""
    page.wait_for_function(
        "before => document.querySelector('#kpi-beneficiaries_served')?.innerText !== before",
        arg=before,
        timeout=timeout_ms,
    )
    page.wait_for_selector("html:not(.shiny-busy)", timeout=timeout_ms)
    return str(page.locator("#kpi-beneficiaries_served").inner_text())


def test_the_page_opens_on_the_milan_plan(page: Any) -> None:
    assert "Riunione di co-programmazione – Milano" in page.title()
    cards = page.locator(".kpi-card")
    assert cards.count() >= 5
    assert "beneficiari raggiunti" in cards.first.inner_text()
    assert served(page) > 10_000  # the bundled Milan plan serves about 20.000
    assert "Piano ottimo" in page.locator(".plan-status").inner_text()
    assert page.locator("svg.area-map [data-area]").count() == 24  # the 24 NIL of the scenario
    assert "Fonte: Comune di Milano – Open Data (CC BY 4.0)" in page.content()


def test_moving_the_budget_slider_changes_the_served_beneficiaries(page: Any) -> None:
    before_text = page.locator("#kpi-beneficiaries_served").inner_text()
    before = italian_number(before_text)
    controller.InputSlider(page, "budget_scale").set("80%")
    after = italian_number(changed(page, before_text))
    assert after < before
    change = page.locator(".kpi-card").first.locator(".kpi-change").inner_text()
    assert change.startswith("-")
    assert "variazioni rispetto al piano precedente" in page.locator(".plan-status").inner_text()
    status = page.locator(".plan-status").inner_text()
    assert "Scala degli importi dei finanziatori: 80% di quelli dello scenario" in status
    assert "budget.scale" not in status  # the change in words, not the key


def test_excluding_an_area_changes_the_plan(page: Any) -> None:
    before_text = page.locator("#kpi-beneficiaries_served").inner_text()
    controller.InputSelectize(page, "excluded_areas").set(["NIL_014"])
    changed(page, before_text)
    assert "Quartieri esclusi: Niguarda" in page.locator(".plan-status").inner_text()
    niguarda = page.locator('svg.area-map [data-area="NIL_014"] title').text_content()
    assert "(escluso)" in niguarda and "copertura 0,0%" in niguarda
    page.get_by_role("tab", name="Quartieri").click()
    page.wait_for_selector("#coverage-table")
    first_row = page.locator("#coverage-table tbody tr").first.inner_text()
    assert "(escluso)" in first_row and "0,0%" in first_row


PAGE_TABS = (
    "Mappa",
    "Quartieri",
    "Finanziatori",
    "Dove rafforzare",
    "Oggi e regole",
    "Salva e scarica",
)


def test_every_tab_reads_in_italian_without_internal_names(page: Any) -> None:
    """The leak guard (tests/test_leaks.py) on the page: after a change, each tab's text."""
    from tests.test_leaks import leaks

    before_text = page.locator("#kpi-beneficiaries_served").inner_text()
    controller.InputSelectize(page, "excluded_areas").set(["NIL_014"])
    changed(page, before_text)
    found = leaks("page", page.locator("body").inner_text())
    for tab in PAGE_TABS:
        page.get_by_role("tab", name=tab).click()
        page.wait_for_selector("html:not(.shiny-busy)")
        page.wait_for_timeout(500)  # the tab's output drawn after the click
        found += leaks(f"page, tab {tab}", page.locator("body").inner_text())
    assert not found, "\n".join(str(leak) for leak in found[:40])


def comune_box(page: Any) -> Any:
    """The Comune di Milano's money box (the first funder), its accordion opened."""
    box = page.locator("#funder_0-amount")
    if not box.is_visible():
        page.get_by_role("button", name="Importo di ogni finanziatore (€)").click()
        box.wait_for(state="visible")
    return box


def type_amount(page: Any, text: str) -> None:
    box = comune_box(page)
    box.fill(text)
    box.press("Enter")


def test_typing_800_000_sets_800_000_euros(page: Any) -> None:
    assert comune_box(page).input_value() == "1.000.000 €"
    before_text = page.locator("#kpi-beneficiaries_served").inner_text()
    type_amount(page, "800.000")
    changed(page, before_text)
    status = page.locator(".plan-status").inner_text()
    assert "Importo di Comune di Milano: 800.000 €" in status
    page.wait_for_function(
        "() => document.querySelector('#funder_0-amount').value === '800.000 €'", timeout=30_000
    )


def test_an_ambiguous_amount_is_refused_on_the_page(page: Any) -> None:
    before_text = page.locator("#kpi-beneficiaries_served").inner_text()
    type_amount(page, "1,250")
    page.wait_for_selector("#funder_0-note .alert-danger", timeout=30_000)
    note = page.locator("#funder_0-note").inner_text()
    assert "è ambiguo: 1,25 € o 1.250 €?" in note
    page.wait_for_selector("html:not(.shiny-busy)")
    assert page.locator("#kpi-beneficiaries_served").inner_text() == before_text
    assert "Importo di Comune di Milano" not in page.locator(".plan-status").inner_text()


def test_a_tenfold_change_waits_for_a_confirmation(page: Any) -> None:
    before_text = page.locator("#kpi-beneficiaries_served").inner_text()
    type_amount(page, "800.0")  # as a browser number box read "800.000"
    page.wait_for_selector("#funder_0-confirm", timeout=30_000)
    note = page.locator("#funder_0-note").inner_text()
    assert "oltre 10 volte meno di 1.000.000 €" in note and "È giusto?" in note
    page.wait_for_selector("html:not(.shiny-busy)")
    assert page.locator("#kpi-beneficiaries_served").inner_text() == before_text
    page.locator("#funder_0-confirm").click()
    changed(page, before_text)
    assert "Importo di Comune di Milano: 800 €" in page.locator(".plan-status").inner_text()
    assert page.locator("#funder_0-note .alert").count() == 0


def test_bad_settings_give_a_message_not_a_traceback(page: Any) -> None:
    type_amount(page, "-5")
    page.wait_for_selector("#funder_0-note .alert-danger", timeout=60_000)
    assert "non può essere negativo" in page.locator("#funder_0-note").inner_text()
    assert "Traceback" not in page.content()


def test_a_burst_of_changes_shows_only_the_last(page: Any) -> None:
    """30 changes of the budget in 2 s, as the red team fired them: the page ends on the last
    one, never shows an older plan after a newer one, and drops the stale solves."""
    page.evaluate(BURST)
    page.wait_for_function(
        "() => document.querySelector('.plan-status')?.innerText.includes('finanziatori: 89%')"
        " && document.querySelector('#plan-state')?.dataset.state === 'done'",
        timeout=120_000,
    )
    shown = page.evaluate("window.shownScales")
    assert shown and shown[-1] == 0.89
    assert shown == sorted(shown)  # never an older result after a newer one
    state = page.locator("#plan-state")
    solved = int(state.get_attribute("data-solved"))
    assert solved < 30 and int(state.get_attribute("data-submitted")) >= 30


def test_crafted_values_get_an_italian_message_not_pythons(page: Any) -> None:
    """What a script can put on the WebSocket: a text or ``true`` for the budget slider, a
    number for the areas to exclude."""
    for name, value, expected in (
        ("budget_scale", "'abc'", "«abc» non è un valore accettato"),
        ("budget_scale", "true", "«vero» non è un valore accettato"),
        ("excluded_areas", "5", "«5» non è un elenco di nomi"),
    ):
        page.evaluate(f"Shiny.setInputValue('{name}', {value})")
        page.wait_for_selector(f".plan-message >> text={expected}", timeout=60_000)
        message = page.locator(".plan-message").inner_text()
        assert "Impostazioni non valide" in message
        for python in ("could not convert", "TypeError", "Traceback", "float", "Errore inatteso"):
            assert python not in page.content()
        page.evaluate(
            f"Shiny.setInputValue('{name}', {'100' if name == 'budget_scale' else 'null'})"
        )
        page.wait_for_selector("#kpi-beneficiaries_served", timeout=60_000)


def test_a_saved_plan_appears_in_the_history_list(page: Any, history: Path) -> None:
    page.get_by_role("tab", name="Salva e scarica").click()
    controller.InputText(page, "save-plan_label").set("prova-pagina")
    controller.InputTextArea(page, "save-plan_note").set("salvato dal test del browser")
    controller.InputActionButton(page, "save-save").click()
    page.wait_for_selector("text=Piano salvato nell'archivio come #", timeout=60_000)
    page.wait_for_selector("#archive-table >> text=prova-pagina", timeout=60_000)
    listed = CliRunner().invoke(
        app, ["history", "list", "--history", str(history)], env={"COLUMNS": "200"}
    )
    assert listed.exit_code == EXIT_OK, listed.output
    assert "prova-pagina (pagina)" in listed.output


EVIL_PAGE = """<!DOCTYPE html><html><body><script>
window.trial = new Promise(resolve => {
  const socket = new WebSocket("ws://%s/websocket/");
  socket.onopen = () => resolve("aperta");
  socket.onerror = () => resolve("rifiutata");
});
</script></body></html>"""


@pytest.fixture
def other_site(tmp_path: Path, url: str) -> Iterator[str]:
    """A page served from another origin (127.0.0.1 on another port: the same site for cookies)
    that opens the meeting page's WebSocket, as the red team's page did."""
    (tmp_path / "evil.html").write_text(EVIL_PAGE % urlsplit(url).netloc)
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/evil.html"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_of_another_site_cannot_open_the_pages_websocket(page: Any, other_site: str) -> None:
    """The browser holds the page's cookie (the fixture opened the page with its secret) and
    sends it, since ports do not make another site for cookies; the Origin check refuses."""
    page.goto(other_site)
    assert page.evaluate("window.trial") == "rifiutata"
