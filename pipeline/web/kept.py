"""The pages of what a check kept (``store``): the result, reached through the waiting page while the check runs;
each file of the upload's one build; the PDF's progress, made on its first request. A token that is malformed,
unknown or expired, and a file the entry does not list, are a Chinese 404, whatever the address holds.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import Response

from ..render.formats import FORMATS
from . import checking, page
from .page import attachment, refused
from .reports import XLSX_MEDIA_TYPE
from .store import Entry, Making, Store
from .uploads import UploadRejected


class KeptPages:
    """The routes of kept uploads, over one store; ``job`` runs a function as an upload's job (``checking.Job``)."""

    def __init__(self, store: Store, job: checking.Job) -> None:
        self.store = store
        self.job = job

    def result_page(self, entry: Entry, outcome: checking.Outcome, root: str) -> Response:
        kept = checking.kept(self.store, entry, outcome, root)
        items = checking.items(entry, outcome, root)
        return page.result_page(items, outcome.template, root=root, kept=kept)

    def checking_page(self, entry: Entry, refresh: str) -> Response:
        done, total = entry.progress
        detail = f"已完成 {done}/{total} 个工作簿。" if total > 1 else "每个工作簿约需几秒钟。"
        return page.waiting_page("正在检查并生成报告…", detail, refresh=refresh)

    async def result(self, request: Request) -> Response:
        entry = self.store.get(request.path_params["token"])
        if entry is None:
            return self.gone()
        if not entry.done.is_set():
            return self.checking_page(entry, "1")
        if entry.outcome is None:  # the check stopped on a bug, logged where it happened
            return page.message_page("服务器内部错误", "处理时出现程序错误，请把所做的操作告诉管理员。", 500)
        return self.result_page(entry, entry.outcome, "../")

    async def files(self, request: Request) -> Response:
        entry, key, name = self._addressed(request)
        if entry is None:
            return self.gone()
        path = entry.files.get(key)
        if path is None and name.endswith(".pdf"):
            making = self._start_pdf(entry, key)
            if making is None:
                return refused(404, f"没有文件“{name[:60]}”。")
            await anyio.to_thread.run_sync(making.ready.wait)
            if making.error is not None:
                entry.making.pop(key, None)  # asked again, it is tried again
                return refused(422, making.error)
            path = entry.files.get(key)
        if path is None or not path.is_file():
            return refused(404, f"没有文件“{name[:60]}”，或它已被删除：请重新上传工作簿。")
        data = await anyio.to_thread.run_sync(path.read_bytes)
        return attachment(data, name, media_type(name))

    async def making(self, request: Request) -> Response:
        """The PDF's progress in the result page's small frame: “正在生成…” reloading itself, then its download."""
        entry, key, name = self._addressed(request)
        if entry is None:
            return self.gone()
        if not name.endswith(".pdf"):
            return refused(404, f"没有文件“{name[:60]}”。")
        if key not in entry.files:
            made = self._start_pdf(entry, key)
            if made is None:
                return refused(404, f"没有文件“{name[:60]}”。")
            if not made.ready.is_set():
                return page.waiting_page(f"正在生成 {name}…", "PDF 由 LibreOffice 转换，约需 5–10 秒。")
            if made.error is not None:
                entry.making.pop(key, None)
                return page.waiting_page(made.error, busy=False, refresh="")
        link = page.Link("若没有开始下载，请点这里", f"../../../files/{entry.token}/{key}")
        return page.waiting_page(f"{name} 已生成，正在下载。", refresh=f"0;url={link.href}", link=link, busy=False)

    def gone(self) -> Response:
        minutes = round(self.store.keep_seconds / 60)
        text = f"检查结果已过期（只保留 {minutes} 分钟）或不存在，文件已删除：请重新上传工作簿。"
        return page.message_page("结果已删除", text, 404)

    def _start_pdf(self, entry: Entry, key: str) -> Making | None:
        try:
            return checking.start_pdf(self.store, entry, key, self.job)
        except checking.Busy:
            raise UploadRejected(503, "服务器繁忙：正在生成的 PDF 太多，请稍等一两分钟后再点。") from None

    def _addressed(self, request: Request) -> tuple[Entry | None, str, str]:
        """The entry a file's address names (None when gone or not finished), the file's key and its name."""
        entry = self.store.get(request.path_params["token"])
        part, name = request.path_params["part"], request.path_params["name"]
        if entry is not None and not entry.done.is_set():
            entry = None
        return entry, f"{part}/{name}", name


def media_type(name: str) -> str:
    suffix = name[name.rfind(".") :].lower()
    known = {f.extension: f.media_type for f in FORMATS.values()} | {".xlsx": XLSX_MEDIA_TYPE}
    return known.get(suffix, "application/zip" if suffix == ".zip" else "application/octet-stream")
