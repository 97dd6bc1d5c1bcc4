"""The routes of ``genreport serve``: one page, its forms, and the downloads.

| route | what |
|---|---|
| ``GET /`` | the page |
| ``GET /blank?template=&year=`` | the blank form of a template (``genreport init``) |
| ``POST /rollover`` | last year's workbook rolled over (``genreport init --from``) |
| ``POST /check`` | the findings table and the report preview, into the page's result frame |
| ``POST /report`` | the report as docx, pdf, html or md |
| ``GET /explain/CODE`` | what ``genreport explain CODE`` prints |

Each upload's job runs in a process of its own (``jobs``: a memory limit, a deadline), a bounded number at once,
each waited for by a worker thread, so the event loop keeps answering and a job that blows up takes only itself
down. Before the routes: the Host guard of a loopback server, the cross-site guard and the token (``guards``,
``token``); the upload bytes held at once are capped. A user's mistake ends in a Chinese message and a 4xx; an
unexpected error in a generic Chinese 500, its details only in the server's log.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..render.formats import FORMATS
from . import jobs, page, reports, rollover
from .guards import Busy, CrossSiteGuard, HostGuard, InFlight
from .token import TokenGate
from .uploads import FORM_SLACK, Upload, UploadRejected, declared_size, read_upload, refuse

DEFAULT_MAX_MB = 20
BUILDS_AT_ONCE = 4  # jobs (each a process) at once: the rest wait in line, holding only their upload
UPLOADS_HELD = 8  # uploads held at once (read, queued or building), in units of the largest one allowed
# the preview's stylesheet is inline and its images are data: URIs; nothing else is loaded, no script runs
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),  # reports and findings are a department's figures: kept by no cache
    # same-origin: no Referer leaves for another site, and the page's own posts carry their real Origin (with
    # no-referrer a browser sends Origin: null, which the cross-site guard could not tell from another site's)
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    max_upload_bytes: int = DEFAULT_MAX_MB * 1024 * 1024
    token: str | None = None  # every request must carry it when set
    # Without a token the page is for this machine only: a Host other than these is a page elsewhere reaching
    # the loopback server through a rebound DNS name, and is refused.
    allowed_hosts: tuple[str, ...] | None = None
    job_limits: jobs.Limits = field(default_factory=jobs.Limits)
    upload_seconds: float = 120.0  # an upload's body must arrive within this
    uploads_held: int = UPLOADS_HELD


class SecurityHeaders:
    """ASGI middleware adding the same headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    limiter: list[anyio.CapacityLimiter] = []  # made inside the event loop, on the first build
    held = InFlight(settings.uploads_held * (settings.max_upload_bytes + FORM_SLACK))

    async def in_thread(function: Callable[..., T], *args: Any) -> T:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(BUILDS_AT_ONCE))
        return await anyio.to_thread.run_sync(function, *args, limiter=limiter[0])

    async def in_process(upload: Upload, function: Callable[..., T], *args: Any, **how: Any) -> T:
        """``function(*args)`` as the job of ``upload``: in a process of its own, under the job limits."""
        work = functools.partial(jobs.run, function, args, upload.name, settings.job_limits, **how)
        result: T = await in_thread(work)
        return result

    async def upload_of(request: Request) -> tuple[Upload, int]:
        """The request's upload, and the bytes it holds of the server's budget (give them back when done)."""
        size = min(declared_size(request) or 1 << 62, settings.max_upload_bytes + FORM_SLACK)
        try:
            held.take(size)
        except Busy:
            message = "服务器繁忙：正在处理的上传太多，请稍等一两分钟后再提交。"
            raise await refuse(request, 503, message, settings.upload_seconds, settings.max_upload_bytes) from None
        try:
            return await read_upload(request, settings.max_upload_bytes, settings.upload_seconds), size
        except BaseException:
            held.give(size)
            raise

    max_mb = settings.max_upload_bytes // (1024 * 1024)

    async def home(request: Request) -> Response:
        names = await anyio.to_thread.run_sync(reports.template_names)  # a folder listing: never waits for builds
        return page.home_page(names, dt.date.today().year - 1, max_mb)

    async def blank(request: Request) -> Response:
        template = await _template(request.query_params.get("template", ""))
        year_text = request.query_params.get("year", "").strip() or str(dt.date.today().year - 1)
        if not year_text.isdigit() or not 1990 <= int(year_text) <= 2100:
            return _refused(400, f"报告年度“{year_text[:20]}”无效：请填写 1990 至 2100 之间的四位年份。")
        data = await in_thread(reports.blank_form, template, int(year_text))
        return _attachment(data, f"{year_text}.xlsx")

    async def roll(request: Request) -> Response:
        upload, size = await upload_of(request)
        try:
            name, data = await in_process(upload, rollover.roll_over, upload, expected=(rollover.RolloverFailed,))
        except rollover.RolloverFailed as e:
            message = f"无法由“{upload.name}”生成本年填报表：{e.message}"
            return page.message_page("无法处理", message, 422, e.details)
        finally:
            held.give(size)
        return _attachment(data, name)

    async def check(request: Request) -> Response:
        upload, size = await upload_of(request)
        try:
            template = await _template(upload.fields.get("template", ""))
            checked = await in_process(upload, reports.check, upload, template, failed=_no_preview)
        finally:
            held.give(size)
        return page.result_page(upload.name, checked.rows, checked.preview, checked.problem, template)

    async def report(request: Request) -> Response:
        upload, size = await upload_of(request)
        try:
            template = await _template(upload.fields.get("template", ""))
            fmt = upload.fields.get("format", "docx")
            if fmt not in FORMATS:
                return _refused(400, f"不支持的格式“{fmt[:20]}”：只能下载 {'、'.join(FORMATS)} 之一。")
            data = await in_process(upload, reports.report, upload, template, fmt, expected=(reports.NotBuilt,))
        except reports.NotBuilt as e:
            return page.result_page(upload.name, e.rows, None, e.message, template, e.status)
        finally:
            held.give(size)
        return _attachment(data, _stem(upload) + FORMATS[fmt].extension, FORMATS[fmt].media_type)

    async def explain(request: Request) -> Response:
        from ..findings.codes import ALL
        from ..findings.docs import explanation

        wanted = str(request.path_params["code"]).strip().upper()
        found = next((c for c in ALL if c.code == wanted), None)
        if found is None:
            return _refused(404, f"没有问题代码“{wanted[:40]}”。")
        return page.explain_page(found.code, found.title, explanation(found))

    routes = [
        Route("/", home),
        Route("/blank", blank),
        Route("/rollover", roll, methods=["POST"]),
        Route("/check", check, methods=["POST"]),
        Route("/report", report, methods=["POST"]),
        Route("/explain/{code}", explain),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if settings.allowed_hosts is not None:
        middleware.append(Middleware(HostGuard, allowed=settings.allowed_hosts))
    middleware.append(Middleware(CrossSiteGuard))  # with a token or without
    if settings.token:
        middleware.append(Middleware(TokenGate, token=settings.token))
    handlers = {
        UploadRejected: _upload_rejected,
        jobs.JobFailed: _job_failed,
        HTTPException: _http_error,
        Exception: _server_error,
    }
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


async def _template(name: str) -> str | None:
    """The template a form chose: one of the offered names, or None (the workbook's own choice); never a path."""
    name = name.strip()
    if not name:
        return None
    if name not in await anyio.to_thread.run_sync(reports.template_names):
        raise UploadRejected(400, f"没有名为“{name[:40]}”的模板：请从列表中选择。")
    return name


def _no_preview(checked: reports.Checked) -> bool:
    return checked.preview is None


def _stem(upload: Upload) -> str:
    return upload.name.rsplit(".", 1)[0]


def _attachment(data: bytes, filename: str, media_type: str = reports.XLSX_MEDIA_TYPE) -> Response:
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def _refused(status: int, message: str) -> Response:
    heading = "无法处理" if status < 500 else "暂不可用"
    return page.message_page(heading, message, status)


async def _upload_rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UploadRejected)
    response = _refused(exc.status, exc.message)
    response.headers["Connection"] = "close"  # what is left of the body (a trickle, a stall) is not waited for
    return response


async def _job_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, jobs.JobFailed)
    return _refused(exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "没有这个页面。", 405: "请用本页的按钮提交，不要直接打开这个地址。"}
    return _refused(exc.status_code, messages.get(exc.status_code, "请求无效。"))


async def _server_error(request: Request, exc: Exception) -> Response:
    # starlette raises the exception again after this answer: uvicorn logs it, with its traceback, in the server's log
    return page.message_page("服务器内部错误", "处理时出现程序错误，请把所做的操作告诉管理员。", 500)
