"""The meeting page: ``allocator app [SCENARIO] [--host 127.0.0.1] [--port 8765]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from rich.markup import escape

from allocator.cli import base
from allocator.errors import UsageError
from allocator.i18n import _


@base.command(
    "Serve the meeting page: move the controls, see the plan, save it in the archive.", name="app"
)
def app_(
    scenario: base.ScenarioArg = None,
    host: Annotated[
        str,
        base.option("Address to serve on (local by default)."),
    ] = ("127.0.0.1"),
    port: Annotated[int, base.option("Port to serve on.")] = 8765,
    boundaries: Annotated[
        Path | None,
        base.option(
            "Boundary GeoJSON of the areas (the Comune's NIL); without it the map shows "
            "the areas' centroids."
        ),
    ] = None,
    history_path: Annotated[
        Path | None,
        base.option("The archive where saved plans go.", "--history"),
    ] = None,
    set_: base.SetOption = None,
) -> None:
    """Serve the meeting page: move the controls, see the plan, save it in the archive."""
    try:
        import uvicorn

        from allocator.app.guard import RoomGuard, exposure_warning, new_token, page_addresses
        from allocator.app.page import create_app, scenario_header
    except ImportError as exc:
        raise UsageError(
            f"la pagina della riunione richiede l'extra 'app' ({exc.name} manca): "
            "pip install -e '.[app]'"
        ) from None
    from allocator.outputs.archive import Archive

    if boundaries is not None and not boundaries.is_file():
        raise UsageError(f"il file dei confini {boundaries} non esiste")
    Archive(history_path).close()  # an unusable archive is refused before the page opens
    loaded = base.load_scenario(scenario, set_ or [])
    token = new_token()
    page = RoomGuard(create_app(loaded, boundaries, history_path), token, port, bind=host)
    base.console.print(scenario_header(loaded), highlight=False)
    warning = exposure_warning(host)
    if warning is not None:
        base.errors.print(f"[bold yellow]{escape(warning)}[/]", highlight=False)
    where = _("Meeting page (Ctrl+C to stop):")
    base.console.print(where, highlight=False)
    for address in page_addresses(host, port, token):
        # one line however narrow the terminal: the address is copied whole
        base.console.print(f"  {address}", highlight=False, soft_wrap=True, markup=False)
    uvicorn.run(page, host=host, port=port, log_level="warning")
