"""A Word template prepared once per process: each report only renders compiled templates and zips the result.

docxtpl's ``DocxTemplate.render`` + ``save`` re-reads the package, re-patches and re-compiles every part, and
re-serializes and re-compresses every part for each report, though only the rendered parts depend on the data.
``prepare_template`` does that work once with docxtpl's and python-docx's own code; ``PreparedTemplate.render``
then repeats, per report, exactly what docxtpl 0.20.2 does after compiling (the steps are named after its
methods), and ``RenderedReport.save`` writes the parts as python-docx would, unchanged ones pre-compressed.

The result equals docxtpl's (tests/test_prepared_render.py): canonical XML of every rendered part, the bytes of
every other part, the member list. What this module does not reproduce raises ``NeedsDocxtpl``, and the caller
renders that template (or that report) with docxtpl itself: a template without docProps/core.xml or with a header
or footer related twice; a report with an image in a header, footer, footnote or file property, or a hyperlinked
image. docxtpl's tags ({%p %}, {%tr %}, {%tc %}, {%r %}, colspan, cellbg, vm, hm) are patch_xml's work, done here
when preparing; replace_pic, replace_media, replace_embedded, replace_zipname and subdocuments are calls on a
DocxTemplate object, which genreport never makes and a template cannot.
"""

from __future__ import annotations

import copy
import hashlib
import re
import struct
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import CT_Relationships, serialize_part_xml
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI, PackURI
from docx.opc.pkgwriter import _ContentTypesItem as _UntypedContentTypes
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml
from docx.oxml.shape import CT_Inline
from lxml import etree

from .properties import clean_package
from .review import (
    COMMENTS_PART,
    COMMENTS_REL,
    COMMENTS_TYPE,
    Review,
    TitleStyles,
    comments_xml,
    place_comments,
    unmark_xml,
)

# docxtpl's DocxTemplate.render_properties renders these core properties, in this order
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_HEADER_FOOTER = (RT.HEADER, RT.FOOTER)  # docxtpl renders every header, then every footer
_ContentTypesItem: Any = _UntypedContentTypes  # [Content_Types].xml as python-docx composes it
_P_START = re.compile(r"<w:p([ >])")
_P_LINE = re.compile(r"\n<w:p([ >])")
_SECTIONS = etree.XPath("./w:body/w:p/w:pPr/w:sectPr | ./w:body/w:sectPr", namespaces=nsmap)  # CT_Document.sectPr_lst


class NeedsDocxtpl(Exception):
    """Raised when a template, or one report, uses what only docxtpl's own path reproduces; says what."""


@dataclass(frozen=True)
class _Member:
    """One zip member, deflated once."""

    name: bytes
    packed: bytes
    crc: int
    size: int


def _member(name: str, data: bytes) -> _Member:
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # as zipfile's ZIP_DEFLATED
    return _Member(name.encode("utf-8"), packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


@dataclass(frozen=True)
class _Compiled:
    """A rendered part's source as docxtpl's render_xml_part holds it (``\\n`` before each paragraph), compiled."""

    partname: str
    src_xml: str
    template: jinja2.Template


@dataclass(frozen=True)
class _Rel:
    rId: str
    reltype: str
    target: str  # a partname, or the URL of an external relationship
    ref: str  # the Target written in the .rels file
    external: bool


@dataclass
class _PartEntry:
    partname: str
    content_type: str
    rels: list[_Rel]
    blob: _Member | None  # None: rendered per report
    rels_blob: _Member | None


def _walk(parts: dict[str, _PartEntry], roots: list[_Rel]) -> Iterator[str]:
    """The partnames in python-docx's order (OpcPackage.iter_parts: depth first along the relationships)."""
    visited: set[str] = set()

    def walk(rels: list[_Rel]) -> Iterator[str]:
        for rel in rels:
            if rel.external or rel.target in visited:
                continue
            visited.add(rel.target)
            yield rel.target
            yield from walk(parts[rel.target].rels)

    return walk(roots)


class _Images:
    """python-docx's ``StoryPart.new_pic_inline`` for the document part of one report, against the prepared
    package: an image is stored once per package (by SHA1), under the first free /word/media/imageN number, and
    related to the document part under its first free rId."""

    def __init__(self, prepared: PreparedTemplate) -> None:
        self.prepared = prepared
        self.rels = list(prepared.parts[prepared.document].rels)
        self.added: dict[str, Image] = {}  # partname -> image of the parts this report adds

    def new_pic_inline(self, image_descriptor: Any, width: Any = None, height: Any = None) -> Any:
        image = Image.from_file(image_descriptor)
        partname, image = self._get_or_add(image)
        rId = next(
            (r.rId for r in self.rels if r.reltype == RT.IMAGE and not r.external and r.target == partname), None
        )
        if rId is None:
            rel = _relate(self.rels, RT.IMAGE, partname, self.prepared.document)
            self.rels.append(rel)
            rId = rel.rId
        cx, cy = image.scaled_dimensions(width, height)
        return CT_Inline.new_pic_inline(self.prepared.next_id, rId, image.filename, cx, cy)

    def _get_or_add(self, image: Image) -> tuple[str, Image]:
        for partname, (blob, sha1) in self.prepared.template_images.items():
            if image.sha1 == sha1:
                return partname, Image.from_blob(blob)  # ImagePart.image of a part read from the file
        for partname, added in self.added.items():
            if image.sha1 == added.sha1:
                return partname, added
        used = [PackURI(p).idx for p in [*self.prepared.template_images, *self.added]]
        count = len(used)
        n = next((n for n in range(1, count + 1) if n not in used), count + 1)
        partname = f"/word/media/image{n}.{image.ext}"
        self.added[partname] = image
        return partname, image

    def __getattr__(self, name: str) -> Any:  # hyperlinked images and the like: docxtpl's part does it
        raise NeedsDocxtpl(f"图片用到 {name}（如超链接）")


def _free_rid(rels: list[_Rel]) -> str:
    """python-docx's ``_Relationships._next_rId``: the first rIdN not taken."""
    taken = {r.rId for r in rels}
    return next(f"rId{n}" for n in range(1, len(rels) + 2) if f"rId{n}" not in taken)


def _relate(rels: list[_Rel], reltype: str, partname: str, source: str) -> _Rel:
    """A new relationship from part ``source`` to ``partname``, under the first free rId."""
    return _Rel(_free_rid(rels), reltype, partname, PackURI(partname).relative_ref(PackURI(source).baseURI), False)


class _Elsewhere:
    """The rendering part of a header, footer or footnotes: images there are left to docxtpl."""

    def __getattr__(self, name: str) -> Any:
        raise NeedsDocxtpl("页眉、页脚、脚注或文件属性中有图片")


def render_xml_part(
    src_xml: str, template: jinja2.Template | None, context: Mapping[str, Any], doc: Any, env: jinja2.Environment
) -> str:
    """docxtpl's DocxTemplate.render_xml_part, given the compiled template; named and holding ``src_xml`` like
    it, because the renderer's error messages find the template line through this frame."""
    try:
        if template is None:
            template = env.from_string(src_xml)
        dst_xml = template.render(context)
    except jinja2.TemplateError as exc:
        if getattr(exc, "lineno", None) is not None:
            line_number = max(exc.lineno - 4, 0)  # type: ignore[attr-defined]
            exc.docx_context = [  # type: ignore[attr-defined]
                re.sub(r"<[^>]+>", "", x) for x in src_xml.splitlines()[line_number : line_number + 7]
            ]
        raise
    dst_xml = _P_LINE.sub(r"<w:p\1", dst_xml)
    dst_xml = dst_xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(c in dst_xml for c in "\t\a\n\f"):  # resolve_listing only rewrites these characters
        dst_xml = doc.resolve_listing(dst_xml)
    return str(dst_xml)


@dataclass
class RenderedReport:
    """One report's rendered parts; ``core`` takes the file properties until ``save``."""

    prepared: PreparedTemplate
    blobs: dict[str, bytes]
    core: CoreProperties
    core_element: Any
    images: _Images
    comments: list[Any]  # the review's w:comment elements, anchored in the body

    def save(self) -> bytes:
        """The .docx as python-docx's ``Document.save`` writes it: the same members, in the same order (the review
        comments, where there are any, as python-docx's ``add_comment`` adds their part)."""
        prepared, images = self.prepared, self.images
        blobs = {**self.blobs, prepared.core: serialize_part_xml(self.core_element)}
        parts = dict(prepared.parts)
        rels = images.rels
        added = {
            partname: _PartEntry(partname, image.content_type, [], _member(partname[1:], image.blob), None)
            for partname, image in images.added.items()
        }
        if self.comments:
            rels = [*rels, _relate(rels, COMMENTS_REL, COMMENTS_PART, prepared.document)]
            blob = _member(COMMENTS_PART[1:], comments_xml(self.comments))
            added[COMMENTS_PART] = _PartEntry(COMMENTS_PART, COMMENTS_TYPE, [], blob, None)
        members: list[_Member] = []
        if added:
            document = parts[prepared.document]
            parts[prepared.document] = _PartEntry(document.partname, document.content_type, rels, None, None)
            parts.update(added)
            order = list(_walk(parts, prepared.package_rels))
            types = _ContentTypesItem.from_parts([_TypedPart(PackURI(p), parts[p].content_type) for p in order])
            members.append(_member(CONTENT_TYPES_URI.membername, types.blob))
        else:
            order = prepared.order
            members.append(prepared.content_types)
        members.append(prepared.package_rels_blob)
        for partname in order:
            part = parts[partname]
            if partname in blobs:
                members.append(_member(partname[1:], blobs[partname]))
            else:
                assert part.blob is not None, partname  # every part not rendered was stored when prepared
                members.append(part.blob)
            if partname == prepared.document and added:
                members.append(_member(PackURI(partname).rels_uri.membername, _rels_xml(rels)))
            elif part.rels_blob is not None:
                members.append(part.rels_blob)
        return _zip(members)


@dataclass(frozen=True)
class _TypedPart:
    partname: PackURI
    content_type: str


def _rels_xml(rels: list[_Rel]) -> bytes:
    element = CT_Relationships.new()
    for rel in rels:
        element.add_rel(rel.rId, rel.reltype, rel.ref, rel.external)
    return bytes(element.xml)


@dataclass
class PreparedTemplate:
    """A template's parts, patched and compiled, and the unchanged rest of its package, compressed."""

    env: jinja2.Environment
    body: _Compiled
    shell: Any  # the document element, its body emptied
    headers_footers: list[tuple[_Compiled, str]]  # with the encoding docxtpl writes the part in
    footnotes: list[_Compiled]
    properties: list[tuple[str, jinja2.Template]]
    core: str
    core_blob: bytes
    document: str
    next_id: int
    template_images: dict[str, tuple[bytes, str]]  # partname -> blob and SHA1, in python-docx's ImageParts order
    parts: dict[str, _PartEntry]
    package_rels: list[_Rel]
    order: list[str]
    content_types: _Member
    package_rels_blob: _Member
    title_styles: TitleStyles
    has_comments: bool  # the template holds comments of its own: docxtpl's path adds the review's to them

    def render(self, doc: Any, context: Mapping[str, Any], review: Review | None = None) -> RenderedReport:
        """docxtpl's ``DocxTemplate.render(context, jinja_env=env, autoescape=True)`` for one report; ``doc`` is
        this report's (unloaded) DocxTemplate: its fix_tables, fix_docpr_ids and resolve_listing do the work
        after rendering, and InlineImage objects made with it (charts) add their images to this report. The
        ``review``'s comments are anchored in the rendered body before it is serialized, and the marks of doubted
        figures removed from every part."""
        if review is not None and review.warnings and self.has_comments:
            raise NeedsDocxtpl("模板自带批注")
        unmark = unmark_xml if review is not None and review.notes else str
        images = _Images(self)
        doc.current_rendering_part = images
        xml = render_xml_part(self.body.src_xml, self.body.template, context, doc, self.env)
        tree = doc.fix_tables(xml)
        doc.docx_ids_index = 1000  # as render_init sets it
        doc.fix_docpr_ids(tree)
        comments = place_comments(tree, review, self.title_styles) if review is not None else []
        root = copy.deepcopy(self.shell)
        root.replace(root.find(qn("w:body")), tree)
        blobs = {self.document: serialize_part_xml(root)}
        doc.current_rendering_part = _Elsewhere()
        for compiled, encoding in self.headers_footers:
            xml = unmark(render_xml_part(compiled.src_xml, compiled.template, context, doc, self.env))
            blobs[compiled.partname] = serialize_part_xml(parse_xml(xml.encode(encoding)))  # as XmlPart.load
        core_element = parse_xml(self.core_blob)
        core = CoreProperties(core_element)
        for name, prop in self.properties:
            setattr(core, name, unmark(prop.render(context)))
        for _ in range(len(_SECTIONS(root))):  # once per section of the rendered body, as docxtpl does
            for compiled in self.footnotes:
                previous = blobs.get(compiled.partname)
                if previous is None:
                    xml = render_xml_part(compiled.src_xml, compiled.template, context, doc, self.env)
                else:  # docxtpl renders its own output again: compiled per report, as there
                    src_xml = _P_START.sub(r"\n<w:p\1", doc.patch_xml(previous.decode("utf-8")))
                    xml = render_xml_part(src_xml, None, context, doc, self.env)
                blobs[compiled.partname] = xml.encode("utf-8")
        for compiled in self.footnotes:
            if compiled.partname in blobs:  # rendered again from its own output above, so unmarked only now
                blobs[compiled.partname] = unmark(blobs[compiled.partname].decode("utf-8")).encode("utf-8")
        return RenderedReport(self, blobs, core, core_element, images, comments)


def _compile(env: jinja2.Environment, partname: str, xml: str) -> _Compiled:
    src_xml = _P_START.sub(r"\n<w:p\1", xml)
    return _Compiled(partname, src_xml, env.from_string(src_xml))


def prepare_template(doc: Any, env: jinja2.Environment) -> PreparedTemplate:
    """Prepare ``doc``, a DocxTemplate of the template file (its patch_xml is the one reports render with);
    raise NeedsDocxtpl for what this module does not reproduce, and any error docxtpl would meet compiling."""
    doc.init_docx()
    document_part = doc.docx.part
    package = document_part.package
    clean_package(package)  # the template's own counts and history are no report's (properties.py)
    if not any(r.reltype == RT.CORE_PROPERTIES for r in package.rels.values()):
        raise NeedsDocxtpl("模板没有 docProps/core.xml（docxtpl 会新建一个，记下当时的时间）")
    body = _compile(env, str(document_part.partname), doc.patch_xml(doc.get_xml()))
    shell = copy.deepcopy(doc.docx.element)
    shell.replace(shell.find(qn("w:body")), etree.Element(qn("w:body")))
    rendered = {str(document_part.partname)}
    headers_footers = []
    for reltype in _HEADER_FOOTER:
        for _, part in doc.get_headers_footers(reltype):
            partname = str(part.partname)
            if partname in rendered:
                raise NeedsDocxtpl(f"模板中 {partname} 被引用了不止一次")
            rendered.add(partname)
            xml = doc.get_part_xml(part)
            compiled = _compile(env, partname, doc.patch_xml(xml))
            headers_footers.append((compiled, doc.get_headers_footers_encoding(xml)))
    footnotes = []
    for part in package.parts:
        if part.content_type == _FOOTNOTES:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            footnotes.append(_compile(env, str(part.partname), doc.patch_xml(blob)))
    core_part = package.part_related_by(RT.CORE_PROPERTIES)
    properties = [(name, env.from_string(getattr(doc.docx.core_properties, name))) for name in _PROPERTIES]
    rendered.add(str(core_part.partname))

    parts: dict[str, _PartEntry] = {}
    for part in package.iter_parts():
        partname = str(part.partname)
        rels = [_rel(rel) for rel in part.rels.values()]
        blob = None if partname in rendered else _member(part.partname.membername, part.blob)
        rels_blob = _member(part.partname.rels_uri.membername, part.rels.xml) if len(part.rels) else None
        parts[partname] = _PartEntry(partname, part.content_type, rels, blob, rels_blob)
    order = list(parts)
    types = _ContentTypesItem.from_parts(package.iter_parts())
    return PreparedTemplate(
        env=env,
        body=body,
        shell=shell,
        headers_footers=headers_footers,
        footnotes=footnotes,
        properties=properties,
        core=str(core_part.partname),
        core_blob=core_part.blob,
        document=str(document_part.partname),
        next_id=document_part.next_id,
        template_images={str(p.partname): (p.blob, hashlib.sha1(p.blob).hexdigest()) for p in package.image_parts},
        parts=parts,
        package_rels=[_rel(rel) for rel in package.rels.values()],
        order=order,
        content_types=_member(CONTENT_TYPES_URI.membername, types.blob),
        package_rels_blob=_member(PACKAGE_URI.rels_uri.membername, package.rels.xml),
        title_styles=TitleStyles.of(doc.docx.styles),
        has_comments=COMMENTS_PART in parts or any(r.reltype == RT.COMMENTS for r in document_part.rels.values()),
    )


def _rel(rel: Any) -> _Rel:
    target = rel.target_ref if rel.is_external else str(rel.target_part.partname)
    return _Rel(rel.rId, rel.reltype, target, rel.target_ref, rel.is_external)


def _zip(members: list[_Member]) -> bytes:
    """A zip archive of deflated members, as zipfile writes one (no ZIP64: a report is far below 4 GiB)."""
    too_big = any(m.size >= 0xFFFFFFFF for m in members)
    if too_big or len(members) >= 0xFFFF or sum(len(m.packed) + 2 * len(m.name) + 76 for m in members) >= 0xFFFFFFFF:
        raise NeedsDocxtpl("文档超过 4 GiB")
    now = time.localtime()
    dos_time = now.tm_hour << 11 | now.tm_min << 5 | now.tm_sec // 2
    dos_date = (now.tm_year - 1980) << 9 | now.tm_mon << 5 | now.tm_mday
    out, central = bytearray(), bytearray()
    for m in members:
        offset = len(out)
        utf8 = 0x800 if not m.name.isascii() else 0  # as zipfile flags a name that is not ASCII
        common = struct.pack("<HHHHIII", utf8, 8, dos_time, dos_date, m.crc, len(m.packed), m.size)
        out += struct.pack("<IH", 0x04034B50, 20) + common + struct.pack("<HH", len(m.name), 0) + m.name + m.packed
        central += struct.pack("<IHH", 0x02014B50, 0x0314, 20) + common
        central += struct.pack("<HHHHHII", len(m.name), 0, 0, 0, 0, 0o600 << 16, offset) + m.name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)
