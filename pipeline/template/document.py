"""A Word template as genreport reads it: docxtpl's template plus ``{% vmerge %}``, strict about the XML it makes.

The renderer and ``template check`` both parse a template through ``WordTemplate``, so the check sees exactly the
Jinja source the renderer compiles.
"""

from __future__ import annotations

import io
import re
from typing import Any

from docxtpl import DocxTemplate
from lxml import etree

from ..errors import TemplateProblem

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


class WordTemplate(DocxTemplate):  # type: ignore[misc]
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
        return super().fix_tables(xml) if tables_to_fix(tree) else tree


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


def tables_to_fix(tree: Any) -> bool:
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
