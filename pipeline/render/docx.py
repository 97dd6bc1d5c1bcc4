"""The Word renderer: a docxtpl template with genreport's ``{% vmerge %}``, strict about the XML it produces."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jinja2
from docxtpl import DocxTemplate
from lxml import etree

from ..errors import TemplateProblem, display_path
from ..outfile import atomic_write
from .environment import RenderOptions, make_environment
from .limits import RenderLimitExceeded, RenderLimits
from .prepared import NeedsDocxtpl, PreparedTemplate, prepare_template

if TYPE_CHECKING:
    from ..template_check import Problem

log = logging.getLogger("genreport")

_VMERGE_CELL = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?\{%\s*vmerge\s+(.*?)\s*%\}.*?</w:tc>", re.DOTALL)
_VMERGE_TAG = re.compile(r"\{%\s*vmerge\s+.*?%\}", re.DOTALL)
_TCPR_HEAD = re.compile(r"<w:tcPr>(?:<w:tcW[^>]*/>)?(?:<w:gridSpan[^>]*/>)?")


def _vmerge_cell(m: re.Match[str]) -> str:
    """``{% vmerge COND %}`` in a cell: start a vertical merge where COND holds, continue it elsewhere.

    docxtpl's own ``{% vm %}`` merges a whole loop into one cell; grouping rows by value needs a condition.
    """
    cell, cond = m.group(0), m.group(1)
    merge = f'<w:vMerge w:val="{{% if {cond} %}}restart{{% else %}}continue{{% endif %}}"/>'
    head = _TCPR_HEAD.search(cell)
    if head:  # CT_TcPr order: tcW, gridSpan, then vMerge
        cell = cell[: head.end()] + merge + cell[head.end() :]
    else:
        cell = re.sub(r"(<w:tc[ >][^>]*>|<w:tc>)", lambda t: t.group(1) + f"<w:tcPr>{merge}</w:tcPr>", cell, count=1)
    cell = _VMERGE_TAG.sub(lambda _: f"{{% if {cond} %}}", cell, count=1)
    end = cell.rfind("</w:t>")
    return cell[:end] + "{% endif %}" + cell[end:]


class _StrictDocxTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl plus ``{% vmerge %}``, and strict about the rendered XML.

    docxtpl re-parses rendered XML with recover=True, which silently drops content; refuse instead.
    The patched XML is shared through ``patched`` so that a batch patches each part once.
    """

    def __init__(self, data: bytes, patched: dict[str, str]) -> None:
        super().__init__(io.BytesIO(data))
        self._patched = patched

    def patch_xml(self, src_xml: str) -> str:
        done = self._patched.get(src_xml)
        if done is None:
            done = self._patched[src_xml] = _VMERGE_CELL.sub(_vmerge_cell, super().patch_xml(src_xml))
        return done

    def fix_tables(self, xml: str) -> Any:
        try:
            tree = etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as e:
            raise TemplateProblem(f"渲染结果不是有效的 Word XML（{e}）；请检查模板中的标签") from e
        # docxtpl parses again (with recover=True, which finds nothing to recover from a tree that parsed);
        # where it would change no table, that tree is this one, and the second parse is skipped
        return super().fix_tables(xml) if _tables_to_fix(tree) else tree


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NS = {"w": _W[1:-1]}
# fix_tables counts the cells of every row under a table (nested tables' rows too), a cell spanning its first
# tcPr's first gridSpan
_GRID = etree.XPath("boolean(w:tblGrid)", namespaces=_NS)
_COLUMNS = etree.XPath("count(w:tblGrid[1]/w:gridCol)", namespaces=_NS)
_TOO_MANY_CELLS = etree.XPath("boolean(.//w:tr[count(w:tc) > $columns])", namespaces=_NS)
_SPANS_THE_GRID = etree.XPath(
    "boolean(.//w:tr[count(w:tc) - count(w:tc[w:tcPr[1]/w:gridSpan]) + sum(w:tc/w:tcPr[1]/w:gridSpan[1]/@w:val)"
    " >= $columns])",
    namespaces=_NS,
)
_NOT_A_NUMBER = etree.XPath(  # what int() may read otherwise, or fail on: left to docxtpl
    "boolean(.//w:tc/w:tcPr[1]/w:gridSpan[1][not(@w:val) or translate(@w:val, '0123456789', '') != '' or @w:val = ''])",
    namespaces=_NS,
)


def _tables_to_fix(tree: Any) -> bool:
    """Whether docxtpl's fix_tables would change (or fail on) a table: a row with more cells than the grid has
    columns, or a grid with more columns than the widest row spans. Counted as it counts them, in XPath rather
    than Python loops; anything it might stumble on (no grid, a gridSpan that is not plain digits) answers True."""
    if tree.nsmap.get("w") != _NS["w"]:
        return True
    for table in tree.iter(_W + "tbl"):
        if not _GRID(table) or _NOT_A_NUMBER(table):
            return True
        columns = _COLUMNS(table)
        if _TOO_MANY_CELLS(table, columns=columns) or not _SPANS_THE_GRID(table, columns=columns):
            return True
    return False


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


def _with_charts(doc: DocxTemplate, context: dict[str, Any]) -> dict[str, Any]:
    """The charts the template asks for (charts.enabled), drawn and made images of this document."""
    slots = context.get("charts")
    if not isinstance(slots, dict) or not slots.get("enabled"):
        return context
    from .chart_font import ChartsUnavailable
    from .charts import draw_charts, inline_images

    try:
        images = inline_images(doc, draw_charts(context))
    except ChartsUnavailable as e:
        raise TemplateProblem(str(e)) from e
    return {**context, "charts": {**slots, **images}}


def _set_properties(core: Any, properties: dict[str, str]) -> None:
    """File properties (title, author) as plain text: Word caps them at 255 characters and never unescapes."""
    for name, value in properties.items():
        setattr(core, name, value[:255])


class DocxRenderer:
    """One Word template prepared once (read, its XML patched and compiled on first use) for any number of reports."""

    def __init__(self, path: Path, options: RenderOptions, limits: RenderLimits | None = None) -> None:
        self.path = path
        try:
            self.data = path.read_bytes()
        except OSError as e:
            raise TemplateProblem(f"{display_path(path)}：无法读取模板（{e.strerror or e}）") from e
        self.options = options
        self.env = make_environment(options, limits)
        self._patched: dict[str, str] = {}
        self._errors: list[Problem] | None = None
        self._prepared: PreparedTemplate | Literal[False] | None = None  # False: docxtpl renders every report
        self._lock = threading.Lock()

    def check(self, context: dict[str, Any]) -> None:
        """Raise the template's mistakes as ``template check`` words them; checked once, on the first report
        (every branch, so a typo that this workbook's data does not reach stops the build all the same)."""
        if self._errors is None:
            from ..template_check import ERROR, check_document

            problems = check_document(self.path, self.env, context, self.data)
            self._errors = [p for p in problems if p.severity == ERROR]
        if self._errors:
            from ..template_check import TemplateInvalid

            raise TemplateInvalid(display_path(self.path), self._errors)

    def render(self, context: dict[str, Any], out_path: Path) -> None:
        atomic_write(out_path, self.render_bytes(context))

    def render_bytes(self, context: dict[str, Any]) -> bytes:
        """The report as .docx bytes: what ``render`` writes, and what the HTML, Markdown and PDF are made from."""
        self.check(context)
        prepared = self._prepare()
        if prepared is not None:
            try:
                return self._render_prepared(prepared, context)
            except NeedsDocxtpl as e:
                log.info("%s：%s，这份报告改由 docxtpl 渲染", display_path(self.path), e)
        return self._render_docxtpl(context)

    def _prepare(self) -> PreparedTemplate | None:
        """The template parsed, patched and compiled once (prepared.py), or None where docxtpl must render it."""
        with self._lock:
            if self._prepared is None:
                try:
                    # bounded as docxtpl's parsing and compiling are, inside its render
                    doc = _StrictDocxTemplate(self.data, self._patched)
                    self._prepared = self.env.run_bounded(prepare_template, doc, self.env)
                except NeedsDocxtpl as e:
                    log.info("%s：%s，每份报告由 docxtpl 渲染", display_path(self.path), e)
                    self._prepared = False
                except Exception as e:  # noqa: BLE001 - docxtpl meets the same problem and words it
                    log.debug(
                        "%s：模板未能预先编译（%s: %s），由 docxtpl 渲染", display_path(self.path), type(e).__name__, e
                    )
                    self._prepared = False
            return self._prepared or None

    def _render_prepared(self, prepared: PreparedTemplate, context: dict[str, Any]) -> bytes:
        doc = _StrictDocxTemplate(self.data, self._patched)  # never loaded: its post-render steps and images
        with _template_errors(display_path(self.path)):
            context = _with_charts(doc, context)
            report = self.env.run_bounded(prepared.render, doc, context)
        _set_properties(report.core, context.get("document", {}))
        return report.save()

    def _render_docxtpl(self, context: dict[str, Any]) -> bytes:
        doc = _StrictDocxTemplate(self.data, self._patched)
        with _template_errors(display_path(self.path)):
            context = _with_charts(doc, context)
            # one budget and one deadline for the whole document: body, headers, footers and properties
            self.env.run_bounded(doc.render, context, jinja_env=self.env, autoescape=True)
        _set_properties(doc.docx.core_properties, context.get("document", {}))
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
