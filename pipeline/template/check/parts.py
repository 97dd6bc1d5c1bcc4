"""The parts of a Word template that docxtpl renders, and where in them a line of the Jinja source comes from.

Before docxtpl's own patching, a marker ``\\n<?gr N?>`` goes in front of every paragraph, table, row and cell.
docxtpl's patching keeps XML outside tags (and a ``{%p %}`` paragraph becomes its tag where the paragraph was,
after its marker), so each line Jinja reports starts with the marker of the element it came from. The markers
are XML processing instructions: docxtpl treats them like the XML around tags, Jinja as template text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:  # the check reads a template through docxtpl; a build whose check is cached never loads it
    from ..word import WordTemplate

_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_HEADER, _FOOTER = f"{_RT}header", f"{_RT}footer"


def qn(tag: str) -> str:
    """w:p → {namespace}p, as python-docx's qn."""
    prefix, name = tag.split(":")
    return f"{{{_NS[prefix]}}}{name}"


_TAGS = {qn("w:p"): "p", qn("w:tr"): "tr", qn("w:tc"): "tc", qn("w:tbl"): "tbl"}
_START = re.compile(r"<w:(?:p|tr|tc|tbl)[ >/]")
_MARKER = re.compile(r"<\?gr (\d+)\?>")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # what Jinja counts as a line break
_HEADING_TEXT = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）|附件)")
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*\d", re.IGNORECASE)
_BLOCK_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
PROPERTIES = {
    "title": "标题",
    "subject": "主题",
    "author": "作者",
    "comments": "备注",
    "identifier": "标识",
    "language": "语言",
}
EXCERPT = 30


@dataclass
class Paragraph:
    """One paragraph's text (docxtpl joins a tag split across runs the same way), and what holds it."""

    element: int
    text: str
    cell: int | None = None
    row: int | None = None
    # (start, end, formatting) of each run's text, its character formatting as canonical text (tags checked by it)
    runs: tuple[tuple[int, int, str], ...] = ()


@dataclass
class Part:
    """A body, header, footer, footnotes or file property, as Jinja will see it and as a user can find it."""

    name: str  # 页眉, 页脚 …; "" for the body
    source: str = ""  # the patched Jinja source
    elements: list[etree._Element] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)
    places: dict[int, tuple[str, str]] = field(default_factory=dict)  # element → (where, heading)
    lines: list[int | None] = field(default_factory=list)  # source line (0-based) → element

    def element_at(self, lineno: int | None) -> int | None:
        if not lineno or not self.lines:
            return None
        return self.lines[min(lineno, len(self.lines)) - 1]

    def where(self, element: int | None, needle: str = "") -> str:
        if element is None or element not in self.places:
            return self.name or "正文"
        place, heading = self.places[element]
        text = excerpt(self.texts.get(element, ""), needle)
        quoted = f"「{text}」" if text else ""
        under = f"（位于“{heading}”下）" if heading else ""
        return f"{place}{quoted}{under}"


def excerpt(text: str, needle: str = "", width: int = EXCERPT) -> str:
    """The text as one line, cut to ``width`` around ``needle`` when it is longer."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    at = text.find(needle) if needle else -1
    start = 0 if at < 0 else max(0, min(at - (width - len(needle)) // 2, len(text) - width))
    cut = text[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")


def _heading_styles(tpl: WordTemplate) -> set[str]:
    ids = set()
    for style in tpl.docx.styles.element.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        outline = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        named = name is not None and _HEADING_STYLE.match(name.get(qn("w:val"), ""))
        if named or (outline is not None and outline.get(qn("w:val"), "9") < "9"):
            ids.add(style.get(qn("w:styleId"), ""))
    return ids


def _text(element: etree._Element) -> str:
    if _TAGS.get(element.tag) == "p":
        return "".join(t.text or "" for t in element.iter(qn("w:t")))
    return " ".join(_text(p) for p in element.iter(qn("w:p")) if _text(p))


_NOT_FORMAT = {qn("w:lang"), qn("w:noProof"), qn("w:webHidden"), qn("w:specVanish"), qn("w:rStyle")}


def _runs(paragraph: etree._Element) -> tuple[tuple[int, int, str], ...]:
    """Each run's span of the paragraph's text and how it looks (font, size, bold, colour …): what a reader sees
    differ, not the language or spell-check marks Word scatters between keystrokes."""
    out = []
    at = 0
    for run in paragraph.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if not text:
            continue
        props = run.find(qn("w:rPr"))
        look = (
            ""
            if props is None
            else ";".join(
                sorted(
                    etree.QName(child).localname + repr(sorted(child.attrib.items()))
                    for child in props
                    if child.tag not in _NOT_FORMAT
                )
            )
        )
        style = props.find(qn("w:rStyle")) if props is not None else None
        if style is not None:
            look = f"style={style.get(qn('w:val'))};{look}"
        out.append((at, at + len(text), look))
        at += len(text)
    return tuple(out)


def _is_heading(p: etree._Element, text: str, heading_styles: set[str]) -> bool:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    outline = p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    return bool(
        (style is not None and style.get(qn("w:val")) in heading_styles)
        or (outline is not None and outline.get(qn("w:val"), "9") < "9")
        or _HEADING_TEXT.match(text)
    )


def _ancestor(element: etree._Element, kind: str) -> etree._Element | None:
    return next((a for a in element.iterancestors() if _TAGS.get(a.tag) == kind), None)


def xml_part(tpl: WordTemplate, name: str, xml: str, heading_styles: set[str]) -> Part:
    """Mark, patch and index one XML part (the body, a header …)."""
    part = Part(name)
    count = iter(range(1 << 30))
    marked = _START.sub(lambda m: f"\n<?gr {next(count)}?>{m.group(0)}", xml)
    root = etree.fromstring(xml.encode("utf-8"))
    part.elements = [e for e in root.iter() if e.tag in _TAGS]
    index = {e: i for i, e in enumerate(part.elements)}
    heading, paragraph_no, table_no, tables = "", 0, 0, {}
    for i, element in enumerate(part.elements):
        kind = _TAGS[element.tag]
        part.texts[i] = _text(element)
        table = element if kind == "tbl" else _ancestor(element, "tbl")
        if kind == "tbl":
            table_no += 1
            tables[element] = (table_no, heading)
        if table is None:
            paragraph_no += 1
            part.places[i] = (f"{name}第{paragraph_no}段", heading)
            if _is_heading(element, part.texts[i], heading_styles) and part.texts[i].strip():
                heading = excerpt(_BLOCK_TAG.sub("", part.texts[i]), width=20)
        else:
            part.places[i] = _table_place(name, element, kind, table, tables[table])
        if kind == "p":
            cell, row = _ancestor(element, "tc"), _ancestor(element, "tr")
            part.paragraphs.append(
                Paragraph(
                    i, part.texts[i], index.get(cell) if cell is not None else None, index.get(row), _runs(element)
                )
            )
            if cell is not None:  # a paragraph in a cell is shown as its cell, so both read the same
                part.places[i], part.texts[i] = part.places[index[cell]], part.texts[index[cell]]
    part.source = tpl.patch_xml(marked)
    if next(count) == len(part.elements):  # else the markers and the elements disagree: name the part only
        part.lines = _line_elements(part.source)
    return part


def _table_place(
    name: str, element: etree._Element, kind: str, table: etree._Element, numbered: tuple[int, str]
) -> tuple[str, str]:
    number, heading = numbered
    if kind == "tbl":
        return f"{name}表格{number}", heading
    row = element if kind == "tr" else _ancestor(element, "tr")
    rows = [r for r in table if r.tag == qn("w:tr")]
    place = f"{name}表格{number} 第{rows.index(row) + 1 if row in rows else '?'}行"
    cell = element if kind == "tc" else _ancestor(element, "tc")
    if kind != "tr" and cell is not None and row is not None:
        place += f"第{[c for c in row if c.tag == qn('w:tc')].index(cell) + 1}列"
    return place, heading


def _line_elements(source: str) -> list[int | None]:
    out: list[int | None] = []
    carry: int | None = None
    for line in _NEWLINE.split(source):
        found = [int(m) for m in _MARKER.findall(line)]
        out.append(found[0] if found else carry)
        carry = found[-1] if found else carry
    return out


def property_part(key: str, value: str) -> Part:
    """A file property (title, author …): docxtpl renders these as templates too."""
    part = Part(f"文件属性“{PROPERTIES[key]}”", source=value, texts={0: value})
    part.places[0] = (part.name, "")
    part.paragraphs = [Paragraph(0, value)]
    part.lines = [0] * (len(_NEWLINE.split(value)))
    return part


def template_parts(tpl: WordTemplate) -> list[Part]:
    """Every part docxtpl renders, in its order: body, headers, footers, properties, footnotes."""
    tpl.init_docx()
    styles = _heading_styles(tpl)
    parts = [xml_part(tpl, "", tpl.get_xml(), styles)]
    names = _header_footer_names(tpl)
    for uri, word in ((_HEADER, "页眉"), (_FOOTER, "页脚")):
        for rel_id, rel in tpl.docx.part.rels.items():
            if rel.reltype == uri and rel.target_part.blob:
                xml = tpl.get_part_xml(rel.target_part)
                parts.append(xml_part(tpl, names.get(rel_id, word), xml, styles))
    for key in PROPERTIES:
        value = getattr(tpl.docx.core_properties, key) or ""
        if "{" in value or "｛" in value:
            parts.append(property_part(key, value))
    for package_part in tpl.docx.part.package.parts:
        if package_part.content_type == FOOTNOTES:
            blob = package_part.blob
            parts.append(xml_part(tpl, "脚注", blob.decode("utf-8") if isinstance(blob, bytes) else blob, styles))
    return parts


def _header_footer_names(tpl: WordTemplate) -> dict[str, str]:
    """页眉, 首页页眉, 偶数页页眉 … by relationship id; with several sections, the section's number too."""
    sections = tpl.docx.element.body.findall(f".//{qn('w:sectPr')}")
    kinds = {"default": "", "first": "首页", "even": "偶数页"}
    names: dict[str, str] = {}
    for number, sect in enumerate(sections, 1):
        for ref in sect:
            word = {qn("w:headerReference"): "页眉", qn("w:footerReference"): "页脚"}.get(ref.tag)
            if word:
                section = f"第{number}节" if len(sections) > 1 else ""
                names.setdefault(ref.get(qn("r:id")), section + kinds.get(ref.get(qn("w:type"), ""), "") + word)
    return names
