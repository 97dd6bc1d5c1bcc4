"""Word refuses (“unreadable content”) property elements out of schema order; LibreOffice does not care.

The orders are the ECMA-376 sequences python-docx itself declares (read from its source, where they are
deleted after class creation), checked on every part of the rendered sample report.
"""

from __future__ import annotations

import ast
import inspect
import zipfile
from pathlib import Path

import docx.oxml.section
import docx.oxml.table
import docx.oxml.text.font
import docx.oxml.text.parfmt
import pytest
from lxml import etree

from pipeline import build

from .conftest import SAMPLE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def tag_sequences() -> dict[str, list[str]]:
    found = {}
    for module, classes in (
        (docx.oxml.text.parfmt, {"CT_PPr": "pPr"}),
        (docx.oxml.text.font, {"CT_RPr": "rPr"}),
        (docx.oxml.table, {"CT_TblPr": "tblPr", "CT_TcPr": "tcPr"}),
        (docx.oxml.section, {"CT_SectPr": "sectPr"}),
    ):
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", "") == "_tag_seq":
                        found[classes[node.name]] = [ast.literal_eval(e).split(":")[1] for e in stmt.value.elts]
    assert set(found) == {"pPr", "rPr", "tblPr", "tcPr", "sectPr"}
    return found


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    [result] = build([SAMPLE], tmp_path_factory.mktemp("ooxml"))
    assert result.output is not None
    with zipfile.ZipFile(Path(result.output)) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")}


def test_property_elements_are_in_schema_order(parts: dict[str, bytes]) -> None:
    sequences = tag_sequences()
    problems = []
    for name, data in parts.items():
        root = etree.fromstring(data)
        for parent_tag, order in sequences.items():
            for element in root.iter(W + parent_tag):
                children = [etree.QName(c).localname for c in element if etree.QName(c).namespace == W[1:-1]]
                known = [c for c in children if c in order]
                if known != sorted(known, key=order.index):
                    problems.append(f"{name}: <w:{parent_tag}> {children}")
    assert problems == []
