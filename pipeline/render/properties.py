"""A report's file properties (docProps): what Word's 属性 dialog and a file manager say about the file.

A template made with python-docx (or saved long ago) carries its own history: created 2013-12-23, AppVersion 14,
Pages 1, Words 0. Copied into a report, that history is false. Each report says instead:

- core.xml: the title and author the context gives (the report's title, the unit as 作者), last modified by
  genreport, created and modified when the report was made, revision 1. The time is the file's, not the report's
  成文日期 (which prints under the 落款 and may be blank): a file's properties say when the file was written.
  ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) fixes that time.
- app.xml: Application genreport; the counts Word keeps (pages, words, characters, lines, paragraphs), the editing
  time, the Word version and the template name are left out rather than copied: Word computes them when it saves,
  and no count is better than a wrong one. What a department's template says of itself (Company, Manager) stays.
- docProps/thumbnail: left out. The template's is a picture of the template, not of the report.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from lxml import etree

APPLICATION = "genreport"
EXTENDED_PROPERTIES = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
# what Word counts or records about its own editing session: stale in any file it did not save last
_STALE = frozenset(
    _EP + name
    for name in (
        "Template",
        "TotalTime",
        "Pages",
        "Words",
        "Characters",
        "CharactersWithSpaces",
        "Lines",
        "Paragraphs",
        "Notes",
        "HiddenSlides",
        "MMClips",
        "HeadingPairs",
        "TitlesOfParts",
        "AppVersion",
        "Application",
    )
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
_MINIMAL = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)


def made_at() -> dt.datetime:
    """Now (UTC, whole seconds), or the time ``SOURCE_DATE_EPOCH`` gives."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def stamp_core(core: Any, properties: dict[str, str]) -> None:
    """python-docx ``CoreProperties`` of one report: the context's properties (title, author) as plain text capped
    at Word's 255 characters, and this report's making."""
    for name, value in properties.items():
        setattr(core, name, value[:255])
    when = made_at()
    core.created = when
    core.modified = when
    core.last_modified_by = APPLICATION
    core.revision = 1
    element = getattr(core, "_element", None)  # a template printed once says so; no report has been printed
    if element is not None:
        for printed in element.findall(_CP + "lastPrinted"):
            element.remove(printed)


def app_xml(template: bytes | None) -> bytes:
    """docProps/app.xml of a report made from a template whose app.xml is ``template``: its counts and editing
    history left out, Application genreport, the rest as the template has it."""
    try:
        root = etree.fromstring(template, _PARSER) if template else None
    except etree.XMLSyntaxError:
        root = None
    if root is None or root.tag != _EP + "Properties":
        root = etree.fromstring(_MINIMAL, _PARSER)
    for child in list(root):
        if child.tag in _STALE:
            root.remove(child)
    application = etree.Element(_EP + "Application")
    application.text = APPLICATION
    application.tail = root.text  # the template's indentation, if any
    root.insert(0, application)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def clean_package(package: Any) -> None:
    """A python-docx package (a template loaded for reports): its app.xml rewritten by ``app_xml``, and its
    thumbnail left out (python-docx's template carries a picture of a blank page, which a file manager would show
    as every report's preview)."""
    for part in package.parts:
        if part.content_type == EXTENDED_PROPERTIES:
            part._blob = app_xml(part.blob)
    for rId, rel in list(package.rels.items()):
        if rel.reltype == THUMBNAIL and not rel.is_external:
            package.rels.pop(rId)
