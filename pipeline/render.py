"""The one place a report is rendered: a docxtpl template, a sandboxed autoescaping Jinja, an atomic write."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from .errors import TemplateProblem, display_path
from .numbers import format_money, format_percent, format_plain
from .outfile import atomic_save


@dataclass(frozen=True)
class RenderOptions:
    percent_places: int = 2


def make_environment(options: RenderOptions) -> SandboxedEnvironment:
    """Sandboxed (templates are user-edited files) and autoescaping (cell text may hold & and <)."""
    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, finalize=_protect_braces)
    env.filters["money"] = format_money
    env.filters["pct"] = lambda value: format_percent(value, options.percent_places)
    env.filters["plain"] = format_plain
    env.filters["score"] = format_money  # scores print like amounts: two decimals, half-up
    return env


def _protect_braces(value: Any) -> Any:
    """Escape a printed value now, hiding "{_" and "_}" from docxtpl.

    After rendering, docxtpl turns {_{ }_} {_% %_} anywhere in the document into {{ }} {% %} (a template
    author's way to print braces); a cell holding "{_{" must print as typed, so the "_" becomes &#95;.
    """
    if value is None or isinstance(value, jinja2.Undefined):
        return value
    text = markupsafe.escape(value)
    if "{_" in text or "_}" in text:
        text = markupsafe.Markup(str(text).replace("{_", "{&#95;").replace("_}", "&#95;}"))
    return text


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
    """

    def patch_xml(self, src_xml: str) -> str:
        return _VMERGE_CELL.sub(_vmerge_cell, super().patch_xml(src_xml))

    def fix_tables(self, xml: str) -> Any:
        try:
            etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as e:
            raise TemplateProblem(f"渲染结果不是有效的 Word XML（{e}）；请检查模板中的标签") from e
        return super().fix_tables(xml)


def _set_properties(doc: DocxTemplate, properties: dict[str, str]) -> None:
    """File properties (title, author) as plain text: Word caps them at 255 characters and never unescapes."""
    core = doc.docx.core_properties
    for name, value in properties.items():
        setattr(core, name, value[:255])


class TemplateSource:
    """A template read once and rendered any number of times (one per input)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data = path.read_bytes()
        except OSError as e:
            raise TemplateProblem(f"{display_path(path)}：无法读取模板（{e.strerror or e}）") from e

    def render_docx(self, context: dict[str, Any], out_path: Path, options: RenderOptions) -> None:
        shown = display_path(self.path)
        try:
            doc = _StrictDocxTemplate(io.BytesIO(self.data))
            doc.render(context, jinja_env=make_environment(options), autoescape=True)
        except TemplateProblem:
            raise
        except jinja2.TemplateSyntaxError as e:
            near = "".join(getattr(e, "docx_context", []) or []).strip()
            raise TemplateProblem(
                f"{shown}：模板语法错误：{e.message}" + (f"（位于“{near[:60]}”附近）" if near else "")
            ) from e
        except jinja2.UndefinedError as e:
            raise TemplateProblem(f"{shown}：模板引用了不存在的字段：{e.message}") from e
        except jinja2.TemplateError as e:
            raise TemplateProblem(f"{shown}：模板渲染失败：{e}") from e
        except Exception as e:
            raise TemplateProblem(f"{shown}：不是可用的 Word 模板（{type(e).__name__}: {e}）") from e
        _set_properties(doc, context.get("document", {}))
        atomic_save(out_path, doc.save)
