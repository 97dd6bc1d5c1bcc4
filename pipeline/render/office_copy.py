"""The copy of a report that LibreOffice converts to PDF: no punctuation hung into the margin.

LibreOffice reads ``w:overflowPunct`` inverted (on: no hanging punctuation; off or absent: hanging) and prints no
glyph for a full-width ，；。 it hangs past the right margin, so its PDF loses characters the .docx holds (issue 18:
"效益，" and "责任；" of the 2022 sample). The shipped templates set the property on in their document defaults; a
department's template saved by an older genreport, by WPS or with the option turned off in Word may not. The copy
sets it on in the document defaults and wherever a style or a paragraph turns it off; in LibreOffice's reading that
is "no hanging punctuation", which is also what Word does for off. The .docx the user gets is not touched.
A package that already says so everywhere (the shipped templates' reports) is copied byte for byte: parsing, writing
and compressing its 1 MB of XML again cost about 50 ms a document, before LibreOffice could start on it.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARTS = ("word/styles.xml", "word/document.xml")
# the form genreport's own templates write; any other spelling (prefix, value, attributes) goes through lxml
_ON = b'<w:overflowPunct w:val="1"/>'
_W_PREFIX = b'xmlns:w="' + W[1:-1].encode() + b'"'
_DEFAULT_PPR = re.compile(rb"<w:docDefaults>.*?<w:pPrDefault>\s*<w:pPr>(.*?)</w:pPr>", re.DOTALL)


def copy_for_office(docx: Path, folder: Path) -> Path:
    """``docx`` copied into ``folder`` under its own name with no hanging punctuation; the original where it cannot
    be read as a Word package (LibreOffice then says what is wrong with it)."""
    target = folder / docx.name
    try:
        with zipfile.ZipFile(docx) as source:
            changed = {
                name: _no_hanging(source.read(name), defaults=name == "word/styles.xml")
                for name in _PARTS
                if name in source.NameToInfo
            }
            if not any(data is not None for data in changed.values()):
                shutil.copyfile(docx, target)
                return target
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
                for item in source.infolist():
                    data = changed.get(item.filename)
                    copy.writestr(item, data if data is not None else source.read(item))
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError, KeyError, ValueError):
        target.unlink(missing_ok=True)
        return docx
    return target


def _no_hanging(xml: bytes, *, defaults: bool) -> bytes | None:
    """The part with every ``w:overflowPunct`` on (and one in the document defaults); None where it already is."""
    if _plainly_on(xml, defaults=defaults):
        return None
    root = etree.fromstring(xml)
    changed = False
    for setting in root.iter(W + "overflowPunct"):
        if setting.get(W + "val") != "1":
            setting.set(W + "val", "1")
            changed = True
    if defaults:
        doc_defaults = root.find(W + "docDefaults")
        if doc_defaults is None:
            doc_defaults = etree.Element(W + "docDefaults")
            root.insert(0, doc_defaults)
        ppr_default = doc_defaults.find(W + "pPrDefault")
        if ppr_default is None:
            ppr_default = etree.SubElement(doc_defaults, W + "pPrDefault")
        ppr = ppr_default.find(W + "pPr")
        if ppr is None:
            ppr = etree.SubElement(ppr_default, W + "pPr")
        if ppr.find(W + "overflowPunct") is None:
            etree.SubElement(ppr, W + "overflowPunct").set(W + "val", "1")
            changed = True
    if not changed:
        return None
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _plainly_on(xml: bytes, *, defaults: bool) -> bool:
    """Whether the bytes alone show every setting on, in genreport's own spelling: a few milliseconds where parsing
    the part takes tens. False only sends the part through lxml, which decides exactly."""
    if xml.count(b"overflowPunct") != xml.count(_ON) or xml.count(b"xmlns:w=") != 1 or _W_PREFIX not in xml:
        return False
    if not defaults:
        return True
    found = _DEFAULT_PPR.search(xml)
    return found is not None and _ON in found.group(1)
