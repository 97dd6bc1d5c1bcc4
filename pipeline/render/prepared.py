"""A Word template prepared once: each report only renders compiled templates and zips the result.

docxtpl's ``DocxTemplate.render`` + ``save`` re-reads the package, re-patches and re-compiles every part, and
re-serializes and re-compresses every part for each report, though only the rendered parts depend on the data.
``prepare_source`` does that work once with docxtpl's and python-docx's own code and keeps the outcome as plain data
(``PreparedSource``: part sources, the package's other members compressed), which the disk cache keeps per template
file, so a one-report build neither repeats it nor imports docxtpl and python-docx. ``PreparedTemplate.render`` then
repeats, per report, exactly what docxtpl 0.20.2 does after compiling (the steps are named after its methods), and
``RenderedReport.save`` writes the parts as python-docx would, unchanged ones pre-compressed.

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
import pickle
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from lxml import etree

from .. import cache
from ..template.document import parse_rendered, tables_to_fix
from .core_xml import CoreXml
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
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_RT_IMAGE, _RT_CORE = (
    f"{_RT}image",
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
)
_HEADER_FOOTER = (f"{_RT}header", f"{_RT}footer")  # docxtpl renders every header, then every footer
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _W_NS, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
_P_START = re.compile(r"<w:p([ >])")
_SECTIONS = etree.XPath("./w:body/w:p/w:pPr/w:sectPr | ./w:body/w:sectPr", namespaces=_NS)  # CT_Document.sectPr_lst
_DOC_PR = etree.XPath("//wp:docPr", namespaces=_NS)
_OXML_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's, for what it reads
_CACHE_FORMAT = b"prepared-1"


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


def _rels_membername(partname: str) -> str:
    """PackURI.rels_uri.membername: /word/document.xml → word/_rels/document.xml.rels."""
    folder, _, name = partname.rpartition("/")
    return f"{folder[1:]}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _free_rid(rels: list[_Rel]) -> str:
    """python-docx's ``_Relationships._next_rId``: the first rIdN not taken."""
    taken = {r.rId for r in rels}
    return next(f"rId{n}" for n in range(1, len(rels) + 2) if f"rId{n}" not in taken)


def _relate(rels: list[_Rel], reltype: str, partname: str, source: str) -> _Rel:
    """A new relationship from part ``source`` to ``partname``, under the first free rId."""
    from docx.opc.packuri import PackURI

    return _Rel(_free_rid(rels), reltype, partname, PackURI(partname).relative_ref(PackURI(source).baseURI), False)


@dataclass(frozen=True)
class _Package:
    """What adding parts to the document part changes in the package: the content types and the document's rels."""

    order: list[str]
    content_types: _Member
    document_rels: _Member


def _package_with(source: PreparedSource, rels: list[_Rel], added: dict[str, _PartEntry]) -> _Package:
    """The package's order, [Content_Types].xml and document rels once ``added`` parts hang off the document part
    under ``rels``, as python-docx writes them."""
    from docx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
    from docx.opc.oxml import CT_Relationship, CT_Relationships
    from docx.opc.packuri import CONTENT_TYPES_URI, PackURI
    from docx.opc.pkgwriter import _ContentTypesItem

    parts = dict(source.parts)
    document = parts[source.document]
    parts[source.document] = _PartEntry(document.partname, document.content_type, rels, None, None)
    parts.update(added)
    order = list(_walk(parts, source.package_rels))
    typed = [_TypedPart(PackURI(p), parts[p].content_type) for p in order]
    types: Any = _ContentTypesItem.from_parts(typed)  # type: ignore[no-untyped-call]
    element = CT_Relationships.new()
    for rel in rels:
        mode = RTM.EXTERNAL if rel.external else RTM.INTERNAL
        element.append(CT_Relationship.new(rel.rId, rel.reltype, rel.ref, mode))
    return _Package(
        order,
        _member(CONTENT_TYPES_URI.membername, types.blob),
        _member(_rels_membername(source.document), bytes(element.xml)),
    )


@dataclass(frozen=True)
class _TypedPart:
    partname: Any
    content_type: str


class _Images:
    """python-docx's ``StoryPart.new_pic_inline`` for the document part of one report, against the prepared
    package: an image is stored once per package (by SHA1), under the first free /word/media/imageN number, and
    related to the document part under its first free rId."""

    def __init__(self, prepared: PreparedTemplate) -> None:
        self.prepared = prepared
        self.rels = list(prepared.source.parts[prepared.source.document].rels)
        self.added: dict[str, Any] = {}  # partname -> image of the parts this report adds

    def new_pic_inline(self, image_descriptor: Any, width: Any = None, height: Any = None) -> Any:
        from docx.image.image import Image
        from docx.oxml.shape import CT_Inline

        image = Image.from_file(image_descriptor)
        partname, image = self._get_or_add(image)
        rId = next(
            (r.rId for r in self.rels if r.reltype == _RT_IMAGE and not r.external and r.target == partname), None
        )
        if rId is None:
            rel = _relate(self.rels, _RT_IMAGE, partname, self.prepared.source.document)
            self.rels.append(rel)
            rId = rel.rId
        cx, cy = image.scaled_dimensions(width, height)
        return CT_Inline.new_pic_inline(self.prepared.source.next_id, rId, image.filename, cx, cy)

    def _get_or_add(self, image: Any) -> tuple[str, Any]:
        from docx.image.image import Image
        from docx.opc.packuri import PackURI

        for partname, (blob, sha1) in self.prepared.source.template_images.items():
            if image.sha1 == sha1:
                return partname, Image.from_blob(blob)  # ImagePart.image of a part read from the file
        for partname, added in self.added.items():
            if image.sha1 == added.sha1:
                return partname, added
        used = [PackURI(p).idx for p in [*self.prepared.source.template_images, *self.added]]
        count = len(used)
        n = next((n for n in range(1, count + 1) if n not in used), count + 1)
        partname = f"/word/media/image{n}.{image.ext}"
        self.added[partname] = image
        return partname, image

    def __getattr__(self, name: str) -> Any:  # hyperlinked images and the like: docxtpl's part does it
        raise NeedsDocxtpl(f"图片用到 {name}（如超链接）")


class _Elsewhere:
    """The rendering part of a header, footer or footnotes: images there are left to docxtpl."""

    def __getattr__(self, name: str) -> Any:
        raise NeedsDocxtpl("页眉、页脚、脚注或文件属性中有图片")


class Steps:
    """docxtpl's steps after rendering a part (fix_tables, fix_docpr_ids, resolve_listing, patch_xml) for one report,
    without loading docxtpl where the report needs none of its code: its DocxTemplate (``doc``, made on first need
    by ``make_doc``) fixes a table docxtpl would change, resolves a listing, and owns the charts' images."""

    def __init__(self, make_doc: Callable[[], Any]) -> None:
        self._make_doc = make_doc
        self._doc: Any = None
        self.docx_ids_index = 1000  # as render_init sets it

    @property
    def doc(self) -> Any:
        if self._doc is None:
            self._doc = self._make_doc()
        return self._doc

    def rendering(self, part: Any) -> None:
        """Where images made with the doc (the charts') go while the next part renders; nothing without a doc."""
        if self._doc is not None:
            self._doc.current_rendering_part = part

    def fix_tables(self, xml: str) -> Any:
        """The WordTemplate's fix_tables: the rendered XML must parse as it is; docxtpl's own fix only where it would
        change a table."""
        tree = parse_rendered(xml)
        return self.doc.docxtpl_fix_tables(xml) if tables_to_fix(tree) else tree

    def fix_docpr_ids(self, tree: Any) -> None:
        """docxtpl renumbers every drawing's wp:docPr id from 1001, as it does after rendering the body."""
        for element in _DOC_PR(tree):
            self.docx_ids_index += 1
            element.attrib["id"] = str(self.docx_ids_index)

    def resolve_listing(self, xml: str) -> str:
        return str(self.doc.resolve_listing(xml))

    def patch_xml(self, xml: str) -> str:
        return str(self.doc.patch_xml(xml))


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
    dst_xml = dst_xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # docxtpl: re.sub(r"\n<w:p([ >])", …)
    # a body is ~300,000 characters, mostly CJK, where a search for a two-character string costs ~0.25 ms but one for
    # a single character (memchr) ~0.01 ms; a rendered body rarely holds a brace at all
    if "{" in dst_xml or "}" in dst_xml:
        dst_xml = dst_xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(c in dst_xml for c in "\t\a\n\f"):  # resolve_listing only rewrites these characters
        dst_xml = doc.resolve_listing(dst_xml)
    return str(dst_xml)


def _serialized(element: Any) -> bytes:
    """python-docx's serialize_part_xml."""
    return bytes(etree.tostring(element, encoding="UTF-8", standalone=True))


@dataclass
class RenderedReport:
    """One report's rendered parts; ``core`` takes the file properties until ``save``."""

    prepared: PreparedTemplate
    blobs: dict[str, bytes]
    core: CoreXml
    images: _Images
    comments: list[Any]  # the review's w:comment elements, anchored in the body

    def save(self) -> bytes:
        """The .docx as python-docx's ``Document.save`` writes it: the same members, in the same order (the review
        comments, where there are any, as python-docx's ``add_comment`` adds their part)."""
        source, images = self.prepared.source, self.images
        blobs = {**self.blobs, source.core: self.core.blob()}
        parts = source.parts
        added = {
            partname: _PartEntry(partname, image.content_type, [], _member(partname[1:], image.blob), None)
            for partname, image in images.added.items()
        }
        package: _Package | None = None
        if self.comments:
            added[COMMENTS_PART] = _PartEntry(
                COMMENTS_PART, COMMENTS_TYPE, [], _member(COMMENTS_PART[1:], comments_xml(self.comments)), None
            )
            if len(added) == 1 and source.commented is not None:  # comments alone: as prepared
                package, rels = source.commented, []
            else:
                rels = [*images.rels, _relate(images.rels, COMMENTS_REL, COMMENTS_PART, source.document)]
        else:
            rels = images.rels
        if added and package is None:
            package = _package_with(source, rels, added)
        parts = {**parts, **added}
        order = package.order if package else source.order
        members = [package.content_types if package else source.content_types, source.package_rels_blob]
        for partname in order:
            part = parts[partname]
            if partname in blobs:
                members.append(_member(partname[1:], blobs[partname]))
            else:
                assert part.blob is not None, partname  # every part not rendered was stored when prepared
                members.append(part.blob)
            if partname == source.document and package is not None:
                members.append(package.document_rels)
            elif part.rels_blob is not None:
                members.append(part.rels_blob)
        return _zip(members)


@dataclass
class PreparedSource:
    """A template prepared, as plain data (what the disk cache keeps): its parts patched, ready to compile, and the
    unchanged rest of its package, compressed."""

    body: tuple[str, str]  # partname, patched source as docxtpl's render_xml_part holds it
    shell: bytes  # the document element, its body emptied
    headers_footers: list[tuple[str, str, str]]  # partname, source, the encoding docxtpl writes the part in
    footnotes: list[tuple[str, str]]
    properties: list[tuple[str, str]]  # core property, its template
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
    commented: _Package | None = None  # the package with a review's comments part added (the usual report)


@dataclass
class PreparedTemplate:
    """A prepared template's parts compiled in ``env``, to render any number of reports."""

    env: jinja2.Environment
    source: PreparedSource
    body: jinja2.Template = field(init=False)
    headers_footers: list[jinja2.Template] = field(init=False)
    footnotes: list[jinja2.Template] = field(init=False)
    properties: list[jinja2.Template] = field(init=False)

    def __post_init__(self) -> None:
        compile_ = self.env.from_string
        self.body = compile_(self.source.body[1])
        self.headers_footers = [compile_(src) for _, src, _ in self.source.headers_footers]
        self.footnotes = [compile_(src) for _, src in self.source.footnotes]
        self.properties = [compile_(src) for _, src in self.source.properties]

    @property
    def title_styles(self) -> TitleStyles:
        return self.source.title_styles

    def render(self, steps: Steps, context: Mapping[str, Any], review: Review | None = None) -> RenderedReport:
        """docxtpl's ``DocxTemplate.render(context, jinja_env=env, autoescape=True)`` for one report; ``steps`` does
        docxtpl's work after rendering, and InlineImage objects made with its doc (charts) add their images to this
        report. The ``review``'s comments are anchored in the rendered body before it is serialized, and the marks
        of doubted figures removed from every part."""
        source = self.source
        if review is not None and review.warnings and source.has_comments:
            raise NeedsDocxtpl("模板自带批注")
        unmark = unmark_xml if review is not None and review.notes else str
        images = _Images(self)
        steps.rendering(images)  # the charts' images land in this report's body
        xml = render_xml_part(source.body[1], self.body, context, steps, self.env)
        tree = steps.fix_tables(xml)
        steps.fix_docpr_ids(tree)
        comments = place_comments(tree, review, source.title_styles) if review is not None else []
        root = etree.fromstring(source.shell, _OXML_PARSER)
        root.replace(root.find(f"{{{_W_NS}}}body"), tree)
        blobs = {source.document: _serialized(root)}
        steps.rendering(_Elsewhere())
        for (partname, src_xml, encoding), template in zip(source.headers_footers, self.headers_footers, strict=True):
            xml = unmark(render_xml_part(src_xml, template, context, steps, self.env))
            blobs[partname] = _serialized(etree.fromstring(xml.encode(encoding), _OXML_PARSER))  # as XmlPart.load
        core = CoreXml(source.core_blob)
        for (name, _), prop in zip(source.properties, self.properties, strict=True):
            setattr(core, name, unmark(prop.render(context)))
        for _ in range(len(_SECTIONS(root))):  # once per section of the rendered body, as docxtpl does
            for (partname, src_xml), template in zip(source.footnotes, self.footnotes, strict=True):
                previous = blobs.get(partname)
                if previous is None:
                    xml = render_xml_part(src_xml, template, context, steps, self.env)
                else:  # docxtpl renders its own output again: compiled per report, as there
                    src_again = _P_START.sub(r"\n<w:p\1", steps.patch_xml(previous.decode("utf-8")))
                    xml = render_xml_part(src_again, None, context, steps, self.env)
                blobs[partname] = xml.encode("utf-8")
        for partname, _ in source.footnotes:
            if partname in blobs:  # rendered again from its own output above, so unmarked only now
                blobs[partname] = unmark(blobs[partname].decode("utf-8")).encode("utf-8")
        return RenderedReport(self, blobs, core, images, comments)


def prepare_source(doc: Any) -> PreparedSource:
    """Prepare ``doc``, a DocxTemplate of the template file (its patch_xml is the one reports render with);
    raise NeedsDocxtpl for what this module does not reproduce, and any error docxtpl would meet parsing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
    from docx.opc.pkgwriter import _ContentTypesItem

    from .properties import clean_package

    doc.init_docx()
    document_part = doc.docx.part
    package = document_part.package
    clean_package(package)  # the template's own counts and history are no report's (properties.py)
    if not any(r.reltype == RT.CORE_PROPERTIES for r in package.rels.values()):
        raise NeedsDocxtpl("模板没有 docProps/core.xml（docxtpl 会新建一个，记下当时的时间）")
    body = (str(document_part.partname), _P_START.sub(r"\n<w:p\1", doc.patch_xml(doc.get_xml())))
    shell = copy.deepcopy(doc.docx.element)
    shell.replace(shell.find(f"{{{_W_NS}}}body"), etree.Element(f"{{{_W_NS}}}body"))
    rendered = {str(document_part.partname)}
    headers_footers = []
    for reltype in _HEADER_FOOTER:
        for _, part in doc.get_headers_footers(reltype):
            partname = str(part.partname)
            if partname in rendered:
                raise NeedsDocxtpl(f"模板中 {partname} 被引用了不止一次")
            rendered.add(partname)
            xml = doc.get_part_xml(part)
            src = _P_START.sub(r"\n<w:p\1", doc.patch_xml(xml))
            headers_footers.append((partname, src, doc.get_headers_footers_encoding(xml)))
    footnotes = []
    for part in package.parts:
        if part.content_type == _FOOTNOTES:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            footnotes.append((str(part.partname), _P_START.sub(r"\n<w:p\1", doc.patch_xml(blob))))
    core_part = package.part_related_by(RT.CORE_PROPERTIES)
    properties = [(name, getattr(doc.docx.core_properties, name)) for name in _PROPERTIES]
    rendered.add(str(core_part.partname))

    parts: dict[str, _PartEntry] = {}
    for part in package.iter_parts():
        partname = str(part.partname)
        rels = [_rel(rel) for rel in part.rels.values()]
        blob = None if partname in rendered else _member(part.partname.membername, part.blob)
        rels_blob = _member(part.partname.rels_uri.membername, part.rels.xml) if len(part.rels) else None
        parts[partname] = _PartEntry(partname, part.content_type, rels, blob, rels_blob)
    types: Any = _ContentTypesItem.from_parts(package.iter_parts())  # type: ignore[no-untyped-call]
    source = PreparedSource(
        body=body,
        shell=_serialized(shell),
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
        order=list(parts),
        content_types=_member(CONTENT_TYPES_URI.membername, types.blob),
        package_rels_blob=_member(PACKAGE_URI.rels_uri.membername, package.rels.xml),
        title_styles=TitleStyles.of(doc.docx.styles),
        has_comments=COMMENTS_PART in parts or any(r.reltype == RT.COMMENTS for r in document_part.rels.values()),
    )
    if not source.has_comments:
        rels = list(parts[source.document].rels)
        comments = {COMMENTS_PART: _PartEntry(COMMENTS_PART, COMMENTS_TYPE, [], None, None)}
        source.commented = _package_with(
            source, [*rels, _relate(rels, COMMENTS_REL, COMMENTS_PART, source.document)], comments
        )
    return source


def cached_source(data: bytes, make: Callable[[], PreparedSource]) -> PreparedSource:
    """The prepared source of the template file ``data``, from the disk cache where an earlier process prepared
    the same file (cache.py: never across versions of genreport or its libraries), else made and stored."""
    name = cache.key("prepared", _CACHE_FORMAT, data)
    blob = cache.read("prepared", name)
    if blob is not None:
        try:
            source = pickle.loads(blob)
            if isinstance(source, PreparedSource):
                return source
        except Exception:  # noqa: BLE001 - a damaged entry is only a slower build
            pass
    source = make()
    cache.write("prepared", name, pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL))
    return source


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
