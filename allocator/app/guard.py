"""The page only for the room: a secret per launch, the origin and the host checked.

``allocator app`` makes a new secret each time it starts (:func:`new_token`) and prints the page's
address with it (``http://127.0.0.1:8765/?token=…``, as Jupyter does). :class:`RoomGuard` is an
ASGI middleware around the Shiny app that refuses, before Shiny sees it, every HTTP request and
every WebSocket that

- names a host the page is not served as (``Host``): only loopback addresses and ``localhost``
  when bound to loopback, so a site that points its own name at 127.0.0.1 (DNS rebinding) is
  refused; IP addresses and this machine's names when bound beyond it;
- comes from a page of another site (``Origin`` present and not the page's own address: a
  WebSocket opened by ``http://evil.example`` gets 403, never 101);
- carries neither the secret in its address (``?token=``) nor the cookie set on the first visit
  with it (``HttpOnly``, ``SameSite=Strict``, named after the port).

Requests without ``Origin`` (scripts, ``curl``) still need the secret. The secret is compared in
constant time (:func:`secrets.compare_digest`).
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from allocator.i18n import _

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

TOKEN_PARAM = "token"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
log = logging.getLogger("allocator.app")


def new_token() -> str:
    """A new secret for one launch of the page (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def bare_host(host: str) -> str:
    """``host`` without its port and IPv6 brackets, lower case: ``[::1]:8765`` → ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        return host.partition(":")[0]
    return host


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name, without port) is this machine only."""
    host = bare_host(host)
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def machine_names() -> frozenset[str]:
    """This machine's own names (how the room's computers may reach it beyond loopback)."""
    names = {socket.gethostname(), socket.getfqdn()}
    return frozenset(n.lower() for n in names if n) | {f"{socket.gethostname().lower()}.local"}


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: the status and the sentence shown (and logged)."""

    reason: str
    message: str


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class RoomGuard:
    """ASGI middleware: the app behind it answers only requests that carry the secret, come
    from the page itself (or from no page), and name a host the page is served as.

    ``bind`` is the address the server listens on: loopback (the default) accepts only loopback
    hosts; beyond it, IP addresses and ``names`` (by default this machine's names and ``bind``).
    """

    def __init__(
        self,
        app: ASGIApp,
        token: str,
        port: int,
        bind: str = "127.0.0.1",
        names: Iterable[str] = (),
    ) -> None:
        if not token:
            raise ValueError("the page's secret is empty")
        self.app = app
        self.token = token
        self.cookie = f"allocator-token-{port}"
        self.loopback_only = is_loopback(bind)
        extra = frozenset(n.lower() for n in names)
        if not self.loopback_only:
            extra |= machine_names() | ({bare_host(bind)} - WILDCARD_HOSTS)
        self.names = LOOPBACK_NAMES | extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        refusal, by_address = self.check(scope)
        if refusal is not None:
            log.warning(
                "%s %s %s (%s)",
                _("Page: refused"),
                scope["type"],
                scope["path"],
                refusal.reason,
            )
            await self._refuse(scope, receive, send, refusal)
            return
        if by_address and scope["type"] == "http":
            send = self._with_cookie(send)
        await self.app(scope, receive, send)

    # ---------------------------------------------------------------------------- the checks

    def check(self, scope: Scope) -> tuple[Refusal | None, bool]:
        """Why ``scope`` is refused (None when it is not), and whether the secret came in the
        address (then the response sets the cookie)."""
        host = _header(scope, b"host")
        if host is None or not self.host_allowed(host):
            return Refusal(f"host {host!r}", self._wrong_host()), False
        origin = _header(scope, b"origin")
        if origin is not None and not same_origin(origin, host):
            return Refusal(f"origin {origin!r}", self._foreign_origin()), False
        by_address = self._token_in_address(scope)
        if not (by_address or self._token_in_cookie(scope)):
            return Refusal(_("no valid token"), self._no_token()), False
        return None, by_address

    def host_allowed(self, host: str) -> bool:
        name = bare_host(host)
        if not name:
            return False
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return name in self.names
        return address.is_loopback or not self.loopback_only

    def _matches(self, candidate: str) -> bool:
        return secrets.compare_digest(candidate.encode(), self.token.encode())

    def _token_in_address(self, scope: Scope) -> bool:
        query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
        return any(self._matches(value) for value in query.get(TOKEN_PARAM, ()))

    def _token_in_cookie(self, scope: Scope) -> bool:
        header = _header(scope, b"cookie")
        if not header:
            return False
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            return False
        morsel = jar.get(self.cookie)
        return morsel is not None and self._matches(morsel.value)

    # ---------------------------------------------------------------------------- the answers

    def _with_cookie(self, send: Send) -> Send:
        cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        return sending

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, refusal: Refusal) -> None:
        if scope["type"] == "websocket":
            await receive()  # websocket.connect; closing before accepting answers 403
            await send({"type": "websocket.close", "code": 1008})
            return
        body = refusal.message.encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _no_token() -> str:
        return _(
            "This page is for the meeting only: open it with the full address `allocator app` "
            "printed in the terminal (it ends with ?token=…)."
        )

    @staticmethod
    def _foreign_origin() -> str:
        return _(
            "Request refused: it comes from a page of another site, not from the meeting page."
        )

    @staticmethod
    def _wrong_host() -> str:
        return _(
            "Request refused: the address used is not one the page is served on (use the "
            "address `allocator app` printed)."
        )


def same_origin(origin: str, host: str) -> bool:
    """Whether the ``Origin`` header names the page's own address (scheme http or https, the
    same host and port as the ``Host`` header)."""
    parts = urlsplit(origin.strip().lower())
    return parts.scheme in ("http", "https") and parts.netloc == host.strip().lower()


def page_addresses(host: str, port: int, token: str) -> list[str]:
    """The addresses to print: the one the server is bound to, or, bound to every interface,
    this machine's loopback address and its name on the network."""
    if bare_host(host) in WILDCARD_HOSTS:
        hosts = ["127.0.0.1", socket.gethostname()]
    else:
        hosts = [f"[{host}]" if ":" in host else host]
    return [f"http://{h}:{port}/?{TOKEN_PARAM}={token}" for h in hosts]


def exposure_warning(host: str) -> str | None:
    """The warning printed when the page is reachable beyond this machine (None on loopback)."""
    if is_loopback(host):
        return None
    return _(
        "Warning: with --host {host} the page can be reached from other computers on "
        "the network. Whoever has the address with the token can move the controls and "
        "save plans into the archive: give it only to the people in the room, on a "
        "trusted network (not a public one), and stop the page (Ctrl+C) when the "
        "meeting ends. Traffic is not encrypted (http)."
    ).format(host=host)
