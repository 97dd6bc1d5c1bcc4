"""The routes of ``genreport serve``: one page, its forms, and the downloads.

| route | what |
|---|---|
| ``GET /`` | the page |
| ``GET /blank?template=&year=`` | the blank form of a template (``genreport init``) |
| ``POST /rollover`` | last year's workbook rolled over (``genreport init --from``) |
| ``POST /check`` | one or more workbooks checked and built once: the findings, the preview and the downloads |
| ``GET /result/TOKEN`` | “正在生成…” while the page's check runs (the page polls it), then its result |
| ``GET /files/TOKEN/N/NAME`` | a file the upload's build made (a PDF is made here on its first request) |
| ``GET /making/TOKEN/N/NAME`` | the PDF's progress, in the result page's small frame; then its download |
| ``POST /report`` | the report of one workbook as docx, pdf, html or md, built for this request (for scripts) |
| ``GET /explain/CODE`` | what ``genreport explain CODE`` prints |

The page's form posts with ``wait=1``: the answer is at once a page saying “正在检查并生成报告…” that reloads
itself (a meta refresh: no script) until the result is there; a client without it gets the result in the answer.
What a check made is kept (``store``) and served under its token until the page's stated time.

Each workbook's job runs in a process of its own (``jobs``: a memory limit, a deadline), a bounded number at once,
each waited for by a worker thread, so the event loop keeps answering and a job that blows up takes only itself
down. Before the routes: the Host guard of a loopback server, the cross-site guard and the token (``guards``,
``token``); the upload bytes held at once are capped. A user's mistake ends in a Chinese message and a 4xx; an
unexpected error in a generic Chinese 500, its details only in the server's log.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..render.formats import FORMATS
from . import checking, jobs, page, reports, rollover
from .guards import Busy, CrossSiteGuard, HostGuard, InFlight
from .kept import KeptPages
from .page import attachment, refused
from .store import KEEP_SECONDS, Entry, Store
from .store import MAX_BYTES as KEPT_BYTES
from .store import MAX_ENTRIES as KEPT_UPLOADS
from .token import TokenGate
from .uploads import FORM_SLACK, MAX_FILES, Upload, UploadRejected, declared_size, read_uploads, refuse

DEFAULT_MAX_MB = 20
# jobs (each a process) at once: the rest wait in line, holding only their upload. One per CPU: more would share the
# CPUs and finish every job of a burst late, where in line the first ones are answered at a job's own speed.
BUILDS_AT_ONCE = max(1, min(4, os.cpu_count() or 1))
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
    max_upload_bytes: int = DEFAULT_MAX_MB * 1024 * 1024  # one upload, all its workbooks together
    token: str | None = None  # every request must carry it when set
    # Without a token the page is for this machine only: a Host other than these is a page elsewhere reaching
    # the loopback server through a rebound DNS name, and is refused.
    allowed_hosts: tuple[str, ...] | None = None
    job_limits: jobs.Limits = field(default_factory=jobs.Limits)
    upload_seconds: float = 120.0  # an upload's body must arrive within this
    uploads_held: int = UPLOADS_HELD
    max_files: int = MAX_FILES  # workbooks in one upload
    keep_seconds: float = KEEP_SECONDS  # what a check made is served this long, then deleted
    kept_bytes: int = KEPT_BYTES  # on the disk, every upload's kept files together
    kept_uploads: int = KEPT_UPLOADS


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
    slots = threading.BoundedSemaphore(BUILDS_AT_ONCE)  # work at once, whichever thread waits for it
    held = InFlight(settings.uploads_held * (settings.max_upload_bytes + FORM_SLACK))
    store = Store(settings.keep_seconds, settings.kept_bytes, settings.kept_uploads)

    def limited(function: Callable[..., T], *args: Any) -> T:
        with slots:
            return function(*args)

    async def in_thread(function: Callable[..., T], *args: Any) -> T:
        if not limiter:
            limiter.append(anyio.CapacityLimiter(BUILDS_AT_ONCE))
        return await anyio.to_thread.run_sync(functools.partial(limited, function, *args), limiter=limiter[0])

    def job(name: str, function: Callable[..., T], args: tuple[Any, ...], **how: Any) -> T:
        """``function(*args)`` as the job of the upload ``name``: in a process of its own, under the job limits."""
        with slots:
            result: T = jobs.run(function, args, name, settings.job_limits, **how)
        return result

    async def in_process(upload: Upload, function: Callable[..., T], *args: Any, **how: Any) -> T:
        return await anyio.to_thread.run_sync(functools.partial(job, upload.name, function, args, **how))

    async def uploads_of(request: Request, max_files: int) -> tuple[list[Upload], int]:
        """The request's uploads, and the bytes they hold of the server's budget (give them back when done)."""
        size = min(declared_size(request) or 1 << 62, settings.max_upload_bytes + FORM_SLACK)
        try:
            held.take(size)
        except Busy:
            message = "服务器繁忙：正在处理的上传太多，请稍等一两分钟后再提交。"
            raise await refuse(request, 503, message, settings.upload_seconds, settings.max_upload_bytes) from None
        try:
            found = await read_uploads(request, settings.max_upload_bytes, settings.upload_seconds, max_files)
        except BaseException:
            held.give(size)
            raise
        return found, size

    max_mb = settings.max_upload_bytes // (1024 * 1024)
    kept = KeptPages(store, job)

    async def home(request: Request) -> Response:
        choices = await anyio.to_thread.run_sync(reports.template_choices)  # folder listings: never wait for builds
        minutes = round(settings.keep_seconds / 60)
        return page.home_page(choices, dt.date.today().year - 1, max_mb, settings.max_files, minutes)

    async def blank(request: Request) -> Response:
        template = await _template(request.query_params.get("template", ""))
        year_text = request.query_params.get("year", "").strip() or str(dt.date.today().year - 1)
        if not year_text.isdigit() or not 1990 <= int(year_text) <= 2100:
            return refused(400, f"报告年度“{year_text[:20]}”无效：请填写 1990 至 2100 之间的四位年份。")
        data = await in_thread(reports.blank_form, template, int(year_text))
        return attachment(data, f"{year_text}.xlsx", reports.XLSX_MEDIA_TYPE)

    async def roll(request: Request) -> Response:
        (upload,), size = await uploads_of(request, 1)
        try:
            name, data = await in_process(upload, rollover.roll_over, upload, expected=(rollover.RolloverFailed,))
        except rollover.RolloverFailed as e:
            message = f"无法由“{upload.name}”生成本年填报表：{e.message}"
            return page.message_page("无法处理", message, 422, e.details)
        finally:
            held.give(size)
        return attachment(data, name, reports.XLSX_MEDIA_TYPE)

    def check_in_background(
        entry: Entry, uploads: list[Upload], template: str | None, label: str | None, size: int
    ) -> None:
        try:
            checking.check_all(store, entry, uploads, template, label, job)
        finally:
            held.give(size)

    async def check(request: Request) -> Response:
        uploads, size = await uploads_of(request, settings.max_files)
        handed_over = False
        try:
            template = await _template(uploads[0].fields.get("template", ""))
            label = await anyio.to_thread.run_sync(reports.template_label, template)
            entry = store.create()
            if uploads[0].fields.get("wait"):  # the page's own form: it polls while the jobs run
                work = threading.Thread(
                    target=check_in_background, args=(entry, uploads, template, label, size), daemon=True
                )
                work.start()
                handed_over = True
                return kept.checking_page(entry, f"1;url=result/{entry.token}")
            outcome = await anyio.to_thread.run_sync(checking.check_all, store, entry, uploads, template, label, job)
        finally:
            if not handed_over:
                held.give(size)
        only = outcome.workbooks[0]
        if len(outcome.workbooks) == 1 and only.failure is not None:
            store.discard(entry)
            raise only.failure
        return kept.result_page(entry, outcome, "")

    async def report(request: Request) -> Response:
        (upload,), size = await uploads_of(request, 1)
        try:
            template = await _template(upload.fields.get("template", ""))
            fmt = upload.fields.get("format", "docx")
            if fmt not in FORMATS:
                return refused(400, f"不支持的格式“{fmt[:20]}”：只能下载 {'、'.join(FORMATS)} 之一。")
            data = await in_process(upload, reports.report, upload, template, fmt, expected=(reports.NotBuilt,))
        except reports.NotBuilt as e:
            item = page.Item(upload.name, e.rows, None, e.message)
            return page.result_page([item], template, status=e.status)
        finally:
            held.give(size)
        return attachment(data, _stem(upload) + FORMATS[fmt].extension, FORMATS[fmt].media_type)

    async def explain(request: Request) -> Response:
        from ..findings.codes import ALL
        from ..findings.docs import explanation

        wanted = str(request.path_params["code"]).strip().upper()
        found = next((c for c in ALL if c.code == wanted), None)
        if found is None:
            return refused(404, f"没有问题代码“{wanted[:40]}”。")
        return page.explain_page(found.code, found.title, explanation(found))

    routes = [
        Route("/", home),
        Route("/blank", blank),
        Route("/rollover", roll, methods=["POST"]),
        Route("/check", check, methods=["POST"]),
        Route("/result/{token}", kept.result),
        Route("/files/{token}/{part}/{name}", kept.files),
        Route("/making/{token}/{part}/{name}", kept.making),
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
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.store = store  # closed by whoever runs the app (genreport serve, on its way out)
    return app


async def _template(name: str) -> str | None:
    """The template a form chose: one of the offered names, or None (the workbook's own choice); never a path."""
    name = name.strip()
    if not name:
        return None
    if name not in await anyio.to_thread.run_sync(reports.template_names):
        raise UploadRejected(400, f"没有名为“{name[:40]}”的模板：请从列表中选择。")
    return name


def _stem(upload: Upload) -> str:
    return upload.name.rsplit(".", 1)[0]


async def _upload_rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UploadRejected)
    response = refused(exc.status, exc.message)
    response.headers["Connection"] = "close"  # what is left of the body (a trickle, a stall) is not waited for
    return response


async def _job_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, jobs.JobFailed)
    return refused(exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "没有这个页面。", 405: "请用本页的按钮提交，不要直接打开这个地址。"}
    return refused(exc.status_code, messages.get(exc.status_code, "请求无效。"))


async def _server_error(request: Request, exc: Exception) -> Response:
    # starlette raises the exception again after this answer: uvicorn logs it, with its traceback, in the server's log
    return page.message_page("服务器内部错误", "处理时出现程序错误，请把所做的操作告诉管理员。", 500)
