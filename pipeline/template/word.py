"""docxtpl's template as genreport reads it (document.py says how): plus ``{% vmerge %}``, strict about the XML it
makes, and checked for size before python-docx reads a byte."""

from __future__ import annotations

import io
from typing import Any

from docxtpl import DocxTemplate

from .document import check_package, parse_rendered, patch_vmerge, tables_to_fix


class WordTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl plus ``{% vmerge %}``, and strict about the rendered XML.

    docxtpl re-parses rendered XML with recover=True, which silently drops content; refuse instead.
    The patched XML is shared through ``patched`` so that a batch patches each part once.
    """

    def __init__(self, data: bytes, patched: dict[str, str], shown: str = "模板") -> None:
        super().__init__(io.BytesIO(data))
        self._data = data
        self._patched = patched
        self._shown = shown

    def init_docx(self, reload: bool = True) -> None:
        """python-docx reads the whole package: its size is checked first (check_package)."""
        if not self.docx or (self.is_rendered and reload):
            check_package(self._data, self._shown)
        super().init_docx(reload)

    def patch_xml(self, src_xml: str) -> str:
        done = self._patched.get(src_xml)
        if done is None:
            done = self._patched[src_xml] = patch_vmerge(super().patch_xml(src_xml))
        return done

    def fix_tables(self, xml: str) -> Any:
        # docxtpl parses again (with recover=True, which finds nothing to recover from a tree that parsed);
        # where it would change no table, that tree is this one, and the second parse is skipped
        tree = parse_rendered(xml)
        return self.docxtpl_fix_tables(xml) if tables_to_fix(tree) else tree

    def docxtpl_fix_tables(self, xml: str) -> Any:
        """docxtpl's own fix_tables, for XML known to parse."""
        return super().fix_tables(xml)
