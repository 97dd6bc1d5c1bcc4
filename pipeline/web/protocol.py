"""uvicorn's HTTP/1.1 protocol (h11) with a deadline for a request's headers and a cap on connections.

uvicorn closes a keep-alive connection that stays idle after a response (``timeout_keep_alive``), but a connection
that sends nothing, or a request's headers a byte at a time, it keeps open for ever. Here a connection waiting for a
request's headers (a new one, or one between requests) is closed when they are not complete within
``header_seconds`` of when the wait began, however the bytes trickle in. The body has its own deadline, in the
upload reader (``uploads``).

uvicorn's own cap (``limit_concurrency``) answers in English; here a connection made while ``max_connections``
others are open has its requests answered with a Chinese 503 “服务器繁忙”, and is closed after it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from .page import message_page

DEFAULT_HEADER_SECONDS = 20.0


async def busy(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer on a connection over the cap."""
    text = "服务器繁忙：同时访问的人太多，请稍等一两分钟后再试。"
    response = message_page("暂不可用", text, 503)
    response.headers["Connection"] = "close"
    response.headers["Retry-After"] = "60"
    await response(scope, receive, send)


def with_header_deadline(
    header_seconds: float = DEFAULT_HEADER_SECONDS, max_connections: int | None = None
) -> type[H11Protocol]:
    """The protocol class to give uvicorn (``Config(http=...)``)."""

    class HeaderDeadline(H11Protocol):
        _waiting_since: float | None = None
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            if max_connections is not None and len(self.connections) > max_connections:
                self.app = busy  # this connection's requests, whatever they ask
            self._wait_for_headers()

        def data_received(self, data: bytes) -> None:
            cycle = self.cycle
            super().data_received(data)
            if self.cycle is not cycle:  # a request's headers are complete: its body and answer take their time
                self._stop_waiting()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._wait_for_headers()  # the next request's headers, on a connection kept alive

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_waiting()
            super().connection_lost(exc)

        def _wait_for_headers(self) -> None:
            self._stop_waiting()
            if self.transport.is_closing() or (self.cycle is not None and not self.cycle.response_complete):
                return  # closed, or a pipelined request already under way
            self._waiting_since = self.loop.time()
            self._header_timer = self.loop.call_later(header_seconds, self._headers_late)

        def _stop_waiting(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = None
            self._waiting_since = None

        def _headers_late(self) -> None:
            self._header_timer = None
            if self._waiting_since is not None and not self.transport.is_closing():
                self.transport.close()  # no request to answer yet: the connection just ends

    return HeaderDeadline
