"""docProps/core.xml of one report, written as python-docx's ``CoreProperties`` writes it, without python-docx: a
prepared report sets its file properties (title, author, when and by what it was made) on the template's core.xml.

Each property is the first child of its name, or one appended at the end; a date is written in W3CDTF with the
``xsi:type`` python-docx gives created and modified; text is capped at 255 characters by raising, as there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_PREFIX = {_CP: "cp", _DC: "dc", _DCTERMS: "dcterms"}
_TEXT = {
    "author": (_DC, "creator"),
    "category": (_CP, "category"),
    "comments": (_DC, "description"),
    "content_status": (_CP, "contentStatus"),
    "identifier": (_DC, "identifier"),
    "keywords": (_CP, "keywords"),
    "language": (_DC, "language"),
    "last_modified_by": (_CP, "lastModifiedBy"),
    "subject": (_DC, "subject"),
    "title": (_DC, "title"),
    "version": (_CP, "version"),
}
_DATES = {"created": (_DCTERMS, "created"), "modified": (_DCTERMS, "modified"), "last_printed": (_CP, "lastPrinted")}
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's parser


class CoreXml:
    """The core properties of one report; set them as attributes (``core.title = …``), then take ``blob()``."""

    _element: Any

    def __init__(self, blob: bytes) -> None:
        object.__setattr__(self, "_element", etree.fromstring(blob, _PARSER))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _TEXT:
            text = value if isinstance(value, str) else str(value)
            if len(text) > 255:
                raise ValueError(f"exceeded 255 char limit for property, got:\n\n'{text}'")
            self._child(*_TEXT[name]).text = text
        elif name in _DATES:
            self._date(name, value)
        elif name == "revision":
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"revision property requires positive int, got '{value}'")
            self._child(_CP, "revision").text = str(value)
        else:
            raise AttributeError(name)

    def blob(self) -> bytes:
        """python-docx's serialize_part_xml of the part."""
        return bytes(etree.tostring(self._element, encoding="UTF-8", standalone=True))

    def _child(self, namespace: str, name: str) -> Any:
        tag = f"{{{namespace}}}{name}"
        child = self._element.find(tag)
        if child is None:  # python-docx's OxmlElement: its own prefix declared on it, appended last
            child = etree.Element(tag, nsmap={_PREFIX[namespace]: namespace})
            self._element.append(child)
        return child

    def _date(self, name: str, value: dt.datetime) -> None:
        if not isinstance(value, dt.datetime):
            raise ValueError(f"property requires <type 'datetime.datetime'> object, got {type(value)}")
        child = self._child(*_DATES[name])
        child.text = value.strftime("%Y-%m-%dT%H:%M:%SZ")
        if name in ("created", "modified"):  # python-docx declares xsi on the root this way, then types the date
            root = self._element
            root.set(f"{{{_XSI}}}foo", "bar")
            child.set(f"{{{_XSI}}}type", "dcterms:W3CDTF")
            del root.attrib[f"{{{_XSI}}}foo"]
