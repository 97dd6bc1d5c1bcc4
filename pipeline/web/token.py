"""The access token of a server reachable from other machines, and which addresses need one.

A token arrives as ``Authorization: Bearer T``, as the cookie the page set, or once as ``?token=T`` in the address
the IT person hands out: that request gets the token as an HttpOnly cookie and is redirected to the same address
without it, so the token does not stay in the address bar, the history or a Referer. Tokens are compared in constant
time (hmac.compare_digest).
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL
from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .page import message_page

COOKIE = "genreport_token"
QUERY = "token"


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1 and localhost reach this machine only; any other address (0.0.0.0 included) others too."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class TokenGate:
    """ASGI middleware letting through only requests that carry the token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        response = self._check(conn)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)

    def _check(self, conn: HTTPConnection) -> Response | None:
        bearer = conn.headers.get("authorization", "")
        if bearer[:7].lower() == "bearer ":
            return None if same(bearer[7:].strip(), self.token) else _refused(403)
        in_query = conn.query_params.get(QUERY)
        if in_query is not None:
            if not same(in_query, self.token):
                return _refused(403)
            return _remember(conn.url)
        cookie = conn.cookies.get(COOKIE)
        if cookie is None:
            return _refused(401)
        return None if same(cookie, self.token) else _refused(403)


def _remember(url: URL) -> Response:
    """The same address without ?token=, with the token kept in a cookie the page's scripts cannot read."""
    rest = urlencode([(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != QUERY])
    response = RedirectResponse(url.path + (f"?{rest}" if rest else ""), status_code=303)
    response.set_cookie(COOKIE, _token_of(url), httponly=True, samesite="strict", secure=url.scheme == "https")
    return response


def _token_of(url: URL) -> str:
    return dict(parse_qsl(url.query)).get(QUERY, "")


def _refused(status: int) -> Response:
    if status == 401:
        text = "需要访问令牌：请使用管理员提供的完整地址（含 ?token=…）打开本页。"
    else:
        text = "访问令牌不正确：请向管理员索取正确的地址（含 ?token=…）。"
    response = message_page("无法访问", text, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="genreport"'
    return response
