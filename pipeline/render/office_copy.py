"""The copy of a report that LibreOffice converts to PDF: no punctuation hung into the margin.

LibreOffice reads ``w:overflowPunct`` inverted (on: no hanging punctuation; off or absent: hanging) and prints no
glyph for a full-width ，；。 it hangs past the right margin, so its PDF loses characters the .docx holds (issue 18:
"效益，" and "责任；" of the 2022 sample). The shipped templates set the property on in their document defaults; a
department's template saved by an older genreport, by WPS or with the option turned off in Word may not. The copy
sets it on in the document defaults and wherever a style or a paragraph turns it off; in LibreOffice's reading that
is "no hanging punctuation", which is also what Word does for off. The .docx the user gets is not touched.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARTS = ("word/styles.xml", "word/document.xml")


def copy_for_office(docx: Path, folder: Path) -> Path:
    """``docx`` copied into ``folder`` under its own name with no hanging punctuation; the original where it cannot
    be read as a Word package (LibreOffice then says what is wrong with it)."""
    target = folder / docx.name
    try:
        with zipfile.ZipFile(docx) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
            for item in source.infolist():
                data = source.read(item)
                if item.filename in _PARTS:
                    data = _no_hanging(data, defaults=item.filename == "word/styles.xml")
                copy.writestr(item, data)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError, KeyError, ValueError):
        target.unlink(missing_ok=True)
        return docx
    return target


def _no_hanging(xml: bytes, *, defaults: bool) -> bytes:
    root = etree.fromstring(xml)
    for setting in root.iter(W + "overflowPunct"):
        setting.set(W + "val", "1")
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
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
