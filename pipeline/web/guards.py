"""What stands before the routes: the Host a request names, where a form post comes from, and how many upload bytes
the server holds at once. Each refusal is a Chinese page.

**Cross-site posts.** A page on another site can make a visitor's browser post a form here (with the visitor's
cookie, or to a server on their own machine that has no token). A browser says where a post comes from: modern ones
send ``Sec-Fetch-Site`` (``same-origin`` for this page's own forms), and every one sends ``Origin`` on a cross-origin
form post (the page's Referrer-Policy ``same-origin`` makes its own posts carry the real origin, never ``null``).
A post is refused when Sec-Fetch-Site says anything but ``same-origin`` or ``none`` (a ``same-site`` page on
another port of this machine is another origin too), or when, without it, Origin is not this server's own. A client
that sends neither (curl, httpx, a script) is no browser acting for someone else, and passes.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .page import message_page

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


def closing(response: Response) -> Response:
    """A refusal sent before the request's body was read: the connection closes after it."""
    response.headers["Connection"] = "close"
    return response


def split_host(host: str) -> tuple[str, str]:
    """``name`` and ``port`` of a Host header value (``[::1]:8000``, ``localhost``), lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else ""
    name, colon, port = host.rpartition(":")
    return (name, port) if colon and port.isdigit() else (host, "")


def same_origin(origin: str, host: str, scheme: str) -> bool:
    """Whether an Origin header names the server reached through ``host``."""
    try:
        parts = urlsplit(origin.strip())
        origin_port = str(parts.port) if parts.port is not None else DEFAULT_PORTS.get(parts.scheme, "")
    except ValueError:
        return False
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return False
    name, port = split_host(host)
    return parts.hostname.lower() == name.strip("[]") and origin_port == (port or DEFAULT_PORTS.get(scheme, ""))


def cross_site(method: str, headers: Headers, scheme: str) -> bool:
    if method.upper() in SAFE_METHODS:
        return False
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.strip().lower() not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False  # no browser: nobody's page is acting for them
    return not same_origin(origin, headers.get("host", ""), scheme)


class CrossSiteGuard:
    """ASGI middleware refusing a form post that another site's page made a browser send."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and cross_site(scope["method"], Headers(scope=scope), scope.get("scheme", "http")):
            text = "请求来自其他网站，已拒绝：请直接打开本页，用页面上的按钮上传和下载。"
            await closing(message_page("无法处理", text, 403))(scope, receive, send)
            return
        await self.app(scope, receive, send)


class HostGuard:
    """ASGI middleware letting through only requests naming one of ``allowed`` hosts (a loopback server's names):
    a page elsewhere that rebinds its DNS name to 127.0.0.1 reaches the server with its own Host, and is refused."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = {split_host(h)[0].strip("[]") for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name, _ = split_host(Headers(scope=scope).get("host", ""))
            if name.strip("[]") not in self.allowed:
                text = "访问地址不对：本页只供本机使用，请用 http://127.0.0.1 开头的地址打开。"
                await closing(message_page("无法访问", text, 400))(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Busy(Exception):
    """Raised when holding another upload would take the server over its bytes in flight."""


class InFlight:
    """The upload bytes the server holds at once, under ``capacity``; given back by the event loop or by the
    thread that checked an upload while the page polled, hence the lock."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.held = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> None:
        with self._lock:
            if self.held + size > self.capacity:
                raise Busy
            self.held += size

    def give(self, size: int) -> None:
        with self._lock:
            self.held -= size
