"""The paragraph styles and page set-up of a rendered report, resolved as Word shows them.

The HTML stylesheet is generated from these, so a department that restyles its template (README › Templates) gets
the same fonts, sizes and alignment in HTML as in Word, without genreport knowing its style names in advance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS_PER_PT = 20
TWIPS_PER_MM = 1440 / 25.4
# Word's built-in styles are stored under lower-case names ("heading 1") and shown capitalised ("Heading 1")
_BUILTIN_NAMES = {"normal": "Normal", "title": "Title", "subtitle": "Subtitle", "caption": "Caption"}
_ALIGN = {"both": "justify", "distribute": "justify", "center": "center", "right": "right", "end": "right"}
_ALIGN |= {"left": "left", "start": "left"}


@dataclass(frozen=True)
class StyleFormat:
    """What a paragraph style looks like; ``None`` where neither the style nor its bases say."""

    style_id: str
    name: str
    font: str | None = None  # the East Asian face (the one CJK text is set in)
    size_pt: float | None = None
    bold: bool = False
    align: str | None = None  # a CSS text-align value
    first_line_pt: float | None = None  # negative: a hanging indent
    left_pt: float | None = None
    right_pt: float | None = None
    before_pt: float | None = None
    after_pt: float | None = None
    line: tuple[str, float] | None = None  # ("exact"|"atLeast", pt) or ("auto", multiple of single spacing)
    page_break_before: bool = False
    keep_next: bool = False


@dataclass(frozen=True)
class PageSetup:
    """Page size and margins in millimetres (defaults: A4 with GB/T 9704 margins)."""

    width_mm: float = 210.0
    height_mm: float = 297.0
    top_mm: float = 37.0
    bottom_mm: float = 35.0
    left_mm: float = 28.0
    right_mm: float = 26.0


def display_name(name: str) -> str:
    lower = name.lower()
    if lower.startswith("heading "):
        return "Heading " + name[8:]
    return _BUILTIN_NAMES.get(lower, name)


def read_styles(root: etree._Element | None) -> tuple[dict[str, StyleFormat], str]:
    """Paragraph styles by style id, each merged with its ``basedOn`` chain and the document defaults; and the id of
    the default paragraph style (what a paragraph without ``w:pStyle`` has)."""
    if root is None:
        return {"Normal": StyleFormat("Normal", "Normal")}, "Normal"
    raw: dict[str, etree._Element] = {}
    default_id = "Normal"
    for style in root.iter(W + "style"):
        if style.get(W + "type") != "paragraph" or not style.get(W + "styleId"):
            continue
        raw[style.get(W + "styleId")] = style
        if style.get(W + "default") in ("1", "true", "on"):
            default_id = style.get(W + "styleId")
    base = _apply(StyleFormat("", ""), root.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr"))
    base = _apply(base, root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr"))
    resolved: dict[str, StyleFormat] = {}

    def resolve(style_id: str, seen: frozenset[str]) -> StyleFormat:
        if style_id in resolved:
            return resolved[style_id]
        style = raw[style_id]
        parent = style.find(W + "basedOn")
        parent_id = parent.get(W + "val") if parent is not None else None
        inherited = resolve(parent_id, seen | {style_id}) if parent_id in raw and parent_id not in seen else base
        name_el = style.find(W + "name")
        name = display_name(name_el.get(W + "val", style_id) if name_el is not None else style_id)
        fmt = replace(inherited, style_id=style_id, name=name)
        fmt = _apply(_apply(fmt, style.find(W + "pPr")), style.find(W + "rPr"))
        resolved[style_id] = fmt
        return fmt

    for style_id in raw:
        resolve(style_id, frozenset())
    if default_id not in resolved:
        resolved[default_id] = replace(base, style_id=default_id, name="Normal")
    return resolved, default_id


def read_page(body: etree._Element) -> PageSetup:
    """The last section's page size and margins (a report has one section)."""
    sect = body.find(W + "sectPr")
    if sect is None:
        return PageSetup()
    size, margins = sect.find(W + "pgSz"), sect.find(W + "pgMar")
    page = PageSetup()
    values = {}
    for el, attrs in ((size, {"w": "width_mm", "h": "height_mm"}), (margins, _MARGINS)):
        for attr, field in attrs.items():
            twips = _twips(el, attr)
            if twips is not None:
                values[field] = round(abs(twips) / TWIPS_PER_MM, 1)
    return replace(page, **values)


_MARGINS = {"top": "top_mm", "bottom": "bottom_mm", "left": "left_mm", "right": "right_mm"}


def on(el: etree._Element | None) -> bool | None:
    """A Word toggle property: present and not switched off."""
    if el is None:
        return None
    return el.get(W + "val", "true").lower() not in ("0", "false", "off", "none")


def _twips(el: etree._Element | None, attr: str) -> float | None:
    if el is None or el.get(W + attr) is None:
        return None
    try:
        return float(el.get(W + attr))
    except ValueError:
        return None


def _pt(el: etree._Element | None, attr: str) -> float | None:
    twips = _twips(el, attr)
    return None if twips is None else twips / TWIPS_PER_PT


def _apply(fmt: StyleFormat, props: etree._Element | None) -> StyleFormat:
    """``fmt`` with what a ``w:pPr`` or ``w:rPr`` of a style sets."""
    if props is None:
        return fmt
    changes: dict[str, object] = {}
    fonts = props.find(W + "rFonts")
    if fonts is not None and (fonts.get(W + "eastAsia") or fonts.get(W + "ascii")):
        changes["font"] = fonts.get(W + "eastAsia") or fonts.get(W + "ascii")
    size = props.find(W + "sz")
    if size is not None and size.get(W + "val", "").isdigit():
        changes["size_pt"] = int(size.get(W + "val")) / 2  # half-points
    for key, tag in (("bold", "b"), ("page_break_before", "pageBreakBefore"), ("keep_next", "keepNext")):
        value = on(props.find(W + tag))
        if value is not None:
            changes[key] = value
    jc = props.find(W + "jc")
    if jc is not None and jc.get(W + "val") in _ALIGN:
        changes["align"] = _ALIGN[jc.get(W + "val")]
    ind = props.find(W + "ind")
    if ind is not None:
        first, hanging = _pt(ind, "firstLine"), _pt(ind, "hanging")
        if first is not None or hanging is not None:
            changes["first_line_pt"] = -hanging if hanging is not None else first
        for key, attrs in (("left_pt", ("left", "start")), ("right_pt", ("right", "end"))):
            indent = next((v for v in (_pt(ind, a) for a in attrs) if v is not None), None)
            if indent is not None:
                changes[key] = indent
    spacing = props.find(W + "spacing")
    if spacing is not None and props.tag == W + "pPr":
        for key, attr in (("before_pt", "before"), ("after_pt", "after")):
            space = _pt(spacing, attr)
            if space is not None:
                changes[key] = space
        line = _twips(spacing, "line")
        if line is not None:
            rule = spacing.get(W + "lineRule", "auto")
            changes["line"] = ("auto", line / 240) if rule == "auto" else (rule, line / TWIPS_PER_PT)
    return replace(fmt, **changes) if changes else fmt  # type: ignore[arg-type]
