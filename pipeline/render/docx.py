"""The Word renderer: a docxtpl template with genreport's ``{% vmerge %}``, strict about the XML it produces."""

from __future__ import annotations

import collections
import contextlib
import hashlib
import io
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jinja2

from ..errors import TemplateProblem, display_path
from ..template.document import read_template
from ..template.number_style import RenderOptions
from .chart_font import ChartsUnavailable
from .environment import make_environment
from .limits import RenderLimitExceeded, RenderLimits
from .prepared import NeedsDocxtpl, PreparedTemplate, Steps, cached_source, prepare_source
from .properties import clean_package, stamp_core
from .review import Review, review_document

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    """genreport's log (notes for -v), its module loaded only when a template needs a note: ~0.8 ms of a build."""
    import logging

    return logging.getLogger("genreport")


def _near(error: BaseException) -> str:
    """（位于“…”附近） for an error raised while a tag ran: docxtpl's source line (one per paragraph) at the
    template line in the traceback, without its XML, as docxtpl shows a syntax error."""
    source, line = None, None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "render_xml_part":
            source = tb.tb_frame.f_locals.get("src_xml")
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    if not isinstance(source, str) or not line:
        return ""
    lines = source.splitlines()
    near = re.sub(r"<[^>]+>", "", lines[line - 1]).strip() if line <= len(lines) else ""
    return f"（位于“{near[:60]}”附近）" if near else ""


def _with_charts(doc: Callable[[], Any], context: Mapping[str, Any]) -> Mapping[str, Any]:
    """The charts the template asks for (charts.enabled), drawn and made images of this report's DocxTemplate
    (``doc()``, made only when there are charts)."""
    slots = context.get("charts")
    if not isinstance(slots, dict) or not slots.get("enabled"):
        return context
    from .charts import draw_charts, inline_images

    images = inline_images(doc(), draw_charts(context))  # ChartsUnavailable: _template_errors names the template
    return {**context, "charts": {**slots, **images}}


def _set_properties(core: Any, properties: dict[str, str]) -> None:
    """File properties: the context's (title, author) as plain text, and when and by what the report was made."""
    stamp_core(core, properties)


_SHARED_MOST = 8  # prepared templates a process keeps: a county's templates, each a few MB at most
_shared: collections.OrderedDict[tuple[str, bytes, RenderOptions], DocxRenderer] = collections.OrderedDict()
_shared_lock = threading.Lock()


def shared_renderer(path: Path, options: RenderOptions) -> DocxRenderer:
    """The process's renderer of this template file as it is now (its bytes) and this number style: a template is
    prepared once per process, not once per session, so the web page's jobs, forked from a process that prepared
    the templates (web/warm.py), start with them compiled."""
    data = _read(path)
    key = (str(path), hashlib.sha256(data).digest(), options)
    with _shared_lock:
        renderer = _shared.get(key)
        if renderer is not None:
            _shared.move_to_end(key)
            return renderer
    renderer = DocxRenderer(path, options, data=data)
    with _shared_lock:
        renderer = _shared.setdefault(key, renderer)
        while len(_shared) > _SHARED_MOST:
            _shared.popitem(last=False)
    return renderer


def _read(path: Path) -> bytes:
    try:
        return read_template(path)  # refused past the size of any Word template
    except OSError as e:
        raise TemplateProblem(f"{display_path(path)}：无法读取模板（{e.strerror or e}）") from e


class DocxRenderer:
    """One Word template prepared once (read, its XML patched and compiled on first use) for any number of reports."""

    def __init__(
        self, path: Path, options: RenderOptions, limits: RenderLimits | None = None, *, data: bytes | None = None
    ) -> None:
        self.path = path
        self.data = _read(path) if data is None else data
        self.options = options
        self.env = make_environment(options, limits)
        self._patched: dict[str, str] = {}
        self._prepared: PreparedTemplate | Literal[False] | None = None  # False: docxtpl renders every report
        self._lock = threading.Lock()

    def render_bytes(self, context: Mapping[str, Any], review: Review | None = None) -> bytes:
        """The report as .docx bytes, what the HTML, Markdown and PDF are made from, with ``review``'s comments
        where it prints the figures they doubt. The session has checked the template (``template check``'s rules)
        before its first report; this only renders."""
        prepared = self._prepare()
        if prepared is not None:
            try:
                return self._render_prepared(prepared, context, review)
            except NeedsDocxtpl as e:
                _log().info("%s：%s，这份报告改由 docxtpl 渲染", display_path(self.path), e)
        return self._render_docxtpl(context, review)

    def _prepare(self) -> PreparedTemplate | None:
        """The template parsed, patched and compiled once (prepared.py), or None where docxtpl must render it."""
        with self._lock:
            if self._prepared is None:
                try:
                    # bounded as docxtpl's parsing and compiling are, inside its render
                    source = cached_source(self.data, self._prepare_source)
                    self._prepared = self.env.run_bounded(PreparedTemplate, self.env, source)
                except NeedsDocxtpl as e:
                    _log().info("%s：%s，每份报告由 docxtpl 渲染", display_path(self.path), e)
                    self._prepared = False
                except Exception as e:  # noqa: BLE001 - docxtpl meets the same problem and words it
                    _log().debug(
                        "%s：模板未能预先编译（%s: %s），由 docxtpl 渲染", display_path(self.path), type(e).__name__, e
                    )
                    self._prepared = False
            return self._prepared or None

    def _prepare_source(self) -> Any:
        return self.env.run_bounded(prepare_source, self._word_template())

    def _word_template(self) -> Any:
        """docxtpl's template of this file (loaded with docxtpl, only where a report needs its code)."""
        from ..template.word import WordTemplate

        return WordTemplate(self.data, self._patched)

    def _render_prepared(
        self, prepared: PreparedTemplate, context: Mapping[str, Any], review: Review | None = None
    ) -> bytes:
        steps = Steps(self._word_template)  # docxtpl's steps after rendering, its template made only if needed
        with _template_errors(display_path(self.path)):
            context = _with_charts(lambda: steps.doc, context)
            report = self.env.run_bounded(prepared.render, steps, context, review)
        _set_properties(report.core, context.get("document", {}))
        return report.save()

    def _render_docxtpl(self, context: Mapping[str, Any], review: Review | None = None) -> bytes:
        doc = self._word_template()
        with _template_errors(display_path(self.path)):
            context = _with_charts(lambda: doc, context)
            # one budget and one deadline for the whole document: body, headers, footers and properties
            self.env.run_bounded(doc.render, context, jinja_env=self.env, autoescape=True)
        if review is not None:
            review_document(doc.docx, review)
        _set_properties(doc.docx.core_properties, context.get("document", {}))
        clean_package(doc.docx.part.package)  # as prepare_template does once for the prepared path
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()


@contextlib.contextmanager
def _template_errors(shown: str) -> Iterator[None]:
    """A template's mistake met while rendering, as a TemplateProblem naming the template (and the line)."""
    try:
        yield
    except (TemplateProblem, NeedsDocxtpl):
        raise
    except ChartsUnavailable as e:
        raise TemplateProblem(f"{shown}：{e}") from e
    except RenderLimitExceeded as e:
        raise TemplateProblem(f"{shown}：{e.message}") from e
    except jinja2.TemplateSyntaxError as e:
        near = "".join(getattr(e, "docx_context", []) or []).strip()
        raise TemplateProblem(
            f"{shown}：模板语法错误：{e.message}" + (f"（位于“{near[:60]}”附近）" if near else "")
        ) from e
    except jinja2.UndefinedError as e:
        raise TemplateProblem(f"{shown}：模板引用了不存在的字段：{e.message}") from e
    except jinja2.TemplateError as e:
        raise TemplateProblem(f"{shown}：模板渲染失败：{e}{_near(e)}") from e
    except Exception as e:
        near = _near(e)
        if near:  # raised by a filter or an operation on a value the check could not foresee
            raise TemplateProblem(f"{shown}：模板渲染失败：{type(e).__name__}: {e}{near}") from e
        raise TemplateProblem(f"{shown}：不是可用的 Word 模板（{type(e).__name__}: {e}）") from e
