"""The page only for the room: the secret, the origin and the host checked on every HTTP request
and every WebSocket, first on the ASGI middleware alone (hand-made requests), then against
``allocator app`` served by uvicorn on a free port (real HTTP, a real WebSocket handshake)."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from allocator.app.guard import (
    RoomGuard,
    bare_host,
    exposure_warning,
    is_loopback,
    new_token,
    page_addresses,
    same_origin,
)
from tests.scenario_factory import write_scenario

pytestmark = pytest.mark.cli

TOKEN = "s3cret-token_for-the-room"
PORT = 8765
HOME = f"127.0.0.1:{PORT}"


async def _inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The app behind the guard: 200 "ok" to HTTP, accepts every WebSocket."""
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def call(
    guard: RoomGuard,
    kind: str = "http",
    query: str = "",
    host: str | None = HOME,
    origin: str | None = None,
    cookie: str | None = None,
) -> list[dict[str, Any]]:
    """The messages the guarded app sends for one request (``kind`` http or websocket)."""
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    path = "/websocket/" if kind == "websocket" else "/"
    scope = {"type": kind, "path": path, "query_string": query.encode(), "headers": headers}
    incoming = [{"type": "websocket.connect"} if kind == "websocket" else {"type": "http.request"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(guard(scope, receive, send))
    return sent


def outcome(sent: list[dict[str, Any]]) -> int:
    """The status: 200/403 for HTTP; 101 when a WebSocket was accepted, 403 when closed first."""
    first = sent[0]
    if first["type"] == "websocket.accept":
        return 101
    if first["type"] == "websocket.close":
        return 403
    return int(first["status"])


@pytest.fixture
def guard() -> RoomGuard:
    return RoomGuard(_inner, TOKEN, PORT)


COOKIE = f"allocator-token-{PORT}={TOKEN}"


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_without_the_secret_nothing_is_answered(guard: RoomGuard, kind: str) -> None:
    assert outcome(call(guard, kind)) == 403
    assert outcome(call(guard, kind, query="token=wrong")) == 403
    assert outcome(call(guard, kind, query=f"token={TOKEN[:-1]}")) == 403
    assert outcome(call(guard, kind, cookie=f"allocator-token-{PORT}=wrong")) == 403
    assert outcome(call(guard, kind, cookie=f"allocator-token-9999={TOKEN}")) == 403  # other port
    assert outcome(call(guard, kind, cookie="garbage;;=\x00")) == 403


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_the_secret_in_the_address_or_the_cookie_is_answered(guard: RoomGuard, kind: str) -> None:
    assert outcome(call(guard, kind, query=f"token={TOKEN}")) == (101 if kind != "http" else 200)
    assert outcome(call(guard, kind, cookie=COOKIE)) == (101 if kind != "http" else 200)
    same_page = f"http://{HOME}"
    assert outcome(call(guard, kind, cookie=COOKIE, origin=same_page)) in (101, 200)


@pytest.mark.parametrize("kind", ["http", "websocket"])
@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        f"http://127.0.0.1:{PORT + 1}",
        "null",
        f"file://{HOME}",
        "http://[::1]",
    ],
)
def test_a_page_of_another_site_is_refused_even_with_the_secret(
    guard: RoomGuard, kind: str, origin: str
) -> None:
    sent = call(guard, kind, origin=origin, cookie=COOKIE, query=f"token={TOKEN}")
    assert outcome(sent) == 403
    if kind == "http":
        assert "altro sito" in sent[1]["body"].decode()


@pytest.mark.parametrize("kind", ["http", "websocket"])
@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "10.0.0.7:8765", None])
def test_a_host_the_page_is_not_served_as_is_refused(
    guard: RoomGuard, kind: str, host: str | None
) -> None:
    """A site whose name points at 127.0.0.1 (DNS rebinding) sends its own name as Host."""
    assert outcome(call(guard, kind, host=host, cookie=COOKIE)) == 403


def test_loopback_hosts_are_the_page(guard: RoomGuard) -> None:
    for host in (f"localhost:{PORT}", f"[::1]:{PORT}", HOME):
        assert outcome(call(guard, host=host, cookie=COOKIE, origin=f"http://{host}")) == 200


def test_the_first_visit_with_the_secret_sets_the_cookie(guard: RoomGuard) -> None:
    sent = call(guard, query=f"token={TOKEN}")
    cookies = [v.decode() for k, v in sent[0]["headers"] if k == b"set-cookie"]
    assert cookies == [f"{COOKIE}; Path=/; HttpOnly; SameSite=Strict"]
    again = call(guard, cookie=COOKIE)
    assert not [v for k, v in again[0]["headers"] if k == b"set-cookie"]


def test_the_refusal_says_how_to_open_the_page(guard: RoomGuard) -> None:
    sent = call(guard)
    assert "?token=" in sent[1]["body"].decode() and "allocator app" in sent[1]["body"].decode()
    assert TOKEN not in sent[1]["body"].decode()


def test_beyond_loopback_the_network_addresses_are_the_page() -> None:
    room = RoomGuard(_inner, TOKEN, PORT, bind="0.0.0.0", names=["aula-consiglio"])
    for host in ("192.168.1.20:8765", "aula-consiglio:8765", HOME):
        assert outcome(call(room, host=host, cookie=COOKIE, origin=f"http://{host}")) == 200
    assert outcome(call(room, host="192.168.1.20:8765", origin="http://evil.example")) == 403
    assert outcome(call(room, host="evil.example:8765", cookie=COOKIE)) == 403
    assert outcome(call(room, host="192.168.1.20:8765")) == 403  # still no secret


def test_lifespan_passes_through() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    asyncio.run(RoomGuard(inner, TOKEN, PORT)({"type": "lifespan"}, None, None))  # type: ignore[arg-type]
    assert seen == ["lifespan"]


def test_helpers() -> None:
    assert bare_host("[::1]:8765") == "::1" and bare_host("LocalHost:80") == "localhost"
    assert is_loopback("127.0.0.5") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    assert same_origin("http://127.0.0.1:8765", "127.0.0.1:8765")
    assert not same_origin("http://127.0.0.1:8765.evil.example", "127.0.0.1:8765")
    assert len(new_token()) >= 40 and new_token() != new_token()
    assert page_addresses("127.0.0.1", 8765, "t") == ["http://127.0.0.1:8765/?token=t"]
    assert page_addresses("0.0.0.0", 8765, "t")[0] == "http://127.0.0.1:8765/?token=t"
    assert exposure_warning("127.0.0.1") is None
    warning = exposure_warning("0.0.0.0")
    assert warning is not None and "Attenzione" in warning and "rete" in warning
    with pytest.raises(ValueError, match="empty"):
        RoomGuard(_inner, "", PORT)


# ------------------------------------------------------------------- the page served by uvicorn


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("shiny", reason="the app extra is not installed: pip install -e '.[app]'")
    from tests.page_harness import running_page

    folder = tmp_path_factory.mktemp("guard")
    scenario = write_scenario(folder / "scenario")
    with running_page([str(scenario)], history=folder / "history.sqlite") as url:
        yield url


def status_of(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """The status of a GET and the cookie it sets (``name=value``, empty when none)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, received = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, received = error.code, error.headers
    return status, str(received.get("Set-Cookie", "")).split(";")[0]


def handshake(url: str, origin: str | None, cookie: str | None = None, path: str = "") -> int:
    """The status of a real WebSocket handshake to the page: 101 when it opened."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    parts = urlsplit(url)
    headers = {"Cookie": cookie} if cookie else {}
    try:
        with connect(
            f"ws://{parts.netloc}/websocket/{path}",
            origin=origin,  # type: ignore[arg-type]
            additional_headers=headers,
            open_timeout=30,
        ):
            return 101
    except InvalidStatus as refused:
        return int(refused.response.status_code)


def test_the_served_page_needs_its_secret(served: str) -> None:
    parts = urlsplit(served)
    bare = f"http://{parts.netloc}/"
    assert status_of(bare)[0] == 403
    assert status_of(bare + "?token=wrong")[0] == 403
    status, cookie = status_of(served)
    assert status == 200 and cookie.startswith(f"allocator-token-{parts.port}=")
    assert status_of(bare, {"Cookie": cookie})[0] == 200
    assert status_of(served, {"Host": f"evil.example:{parts.port}"})[0] == 403


def test_the_served_websocket_refuses_other_sites(served: str) -> None:
    parts = urlsplit(served)
    cookie = status_of(served)[1]
    own = f"http://{parts.netloc}"
    assert handshake(served, "http://evil.example", cookie) == 403
    assert handshake(served, f"http://127.0.0.1:{(parts.port or 0) + 1}", cookie) == 403
    assert handshake(served, own) == 403  # no secret
    assert handshake(served, own, cookie) == 101
    assert handshake(served, own, path=f"?{parts.query}") == 101


def test_the_page_prints_its_address_with_the_secret(served: str) -> None:
    assert "?token=" in served and len(urlsplit(served).query) > 40
    assert Path(urlsplit(served).path) == Path("/")
