"""Review comments: the warnings validate gives stand in the .docx as Word comments at the figures they doubt."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import ROOT, SAMPLE

runner = CliRunner()


def build(*args: str) -> docx.document.Document:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-o", "out", *args])
    assert result.exit_code == 0, result.output
    return docx.Document("out/2022.docx")


def anchored(document: docx.document.Document) -> list[tuple[str, str]]:
    """(the text a comment covers, the comment's text), in document order."""
    texts = {c.comment_id: c.text for c in document.comments}
    open_ids: dict[str, list[str]] = {}
    out = []
    for el in document.element.body.iter():
        if el.tag == qn("w:commentRangeStart"):
            open_ids[el.get(qn("w:id"))] = []
        elif el.tag == qn("w:commentRangeEnd"):
            key = el.get(qn("w:id"))
            out.append(("".join(open_ids.pop(key)), texts[int(key)]))
        elif el.tag == qn("w:t"):
            for parts in open_ids.values():
                parts.append(el.text or "")
    return out


GOLDEN = Path(__file__).parent / "golden" / "review_comments.json"


@pytest.mark.parametrize("name", ["2022", "township-2023"])
def test_both_samples_keep_their_comments_and_anchors(name: str) -> None:
    """The comments are placed while the report renders (no second parse of the .docx): the text each covers and
    what each says are those the review pass gave when it re-opened the finished document (recorded in
    tests/golden/review_comments.json; a finding's wording changed on purpose is recorded again there)."""
    shutil.copy(ROOT / "inputs" / f"{name}.xlsx", f"{name}.xlsx")
    result = runner.invoke(app, ["build", f"{name}.xlsx", "-o", "out"])
    assert result.exit_code == 0, result.output
    document = docx.Document(f"out/{name}.docx")
    assert [list(pair) for pair in anchored(document)] == json.loads(GOLDEN.read_text("utf-8"))[name]
    assert all(c.author == "genreport" and c.initials == "GR" for c in document.comments)


def test_each_doubted_figure_carries_its_warning_where_it_prints() -> None:
    document = build()
    comments = anchored(document)[1:]  # the first is the title's
    e9 = "“支出合计”的全年执行数为 12678.39，而“基本支出”＋“项目支出”合计 12673.89，相差 4.50 万元（收支预决算!E9）"
    assert [text for text, note in comments if note == e9] == ["12678.39", "12678.39"]  # body, and 附件1's 按支出性质分
    covered = [text for text, _ in comments]
    assert covered.count("1206.56") == 2 and covered.count("5165161.87") == 2
    assert all(c.author == "genreport" and c.initials == "GR" for c in document.comments)
    # the figure alone is covered; the sentence around it reads as before
    body = next(p.text for p in document.paragraphs if "总支出12678.39万元" in p.text)
    assert body.startswith("2022年决算总收入12668.73万元，较预算增加9648.20万元，总支出12678.39万元，其中")


def test_a_figure_is_told_apart_from_others_printing_the_same_digits() -> None:
    """资产使用率 typed as 100.00% is doubted; the report also prints 预算执行率 100.00% (a computed rate) and a
    100.00% in 附件1. Found by its digits, the comment could not tell them apart and went to the title; the renderer
    marks the figure of 资产!B8 where it prints it, so the comment stands there and nowhere else."""
    document = build()
    comments = anchored(document)
    usage = [text for text, note in comments if note.endswith("（资产!B8）")]
    assert usage == ["100.00%"]
    assets = next(p for p in document.paragraphs if "资产使用率100.00%" in p.text)
    assert assets._p.xpath(".//w:commentRangeStart")  # in the 资产 sentence
    execution = next(p for p in document.paragraphs if "全年预算执行率100.00%" in p.text)
    assert not execution._p.xpath(".//w:commentRangeStart")
    # the title holds only what the report does not print: no 报告日期, the appendices' “—” (W_APPENDIX_BLANK)
    title = [note for _, note in comments if note.startswith("genreport 检查发现")]
    assert len(title) == 1 and "报告日期未填写" in title[0] and "资产!B8" not in title[0]
    # the marks the renderer placed are gone from every part
    with zipfile.ZipFile("out/2022.docx") as z:
        for name in z.namelist():
            data = z.read(name)
            assert "\ufdd0".encode() not in data and "\ufdd2".encode() not in data, name


def test_a_warning_without_a_printed_figure_goes_to_the_title() -> None:
    from pipeline.findings import codes
    from pipeline.findings.collector import Finding
    from pipeline.render.review import add_review_comments
    from pipeline.session import load_report

    report, _ = load_report(SAMPLE)
    document = docx.Document()
    document.add_paragraph("2022年度部门整体支出绩效自评报告", style="Title")
    document.add_paragraph("正文没有印出这个数字。")
    data = _saved(document)
    finding = Finding.of(codes.W_RATE_MISMATCH, "2022.xlsx", "资产", "B8", "“资产使用率”填写为 100.00%")
    marked = add_review_comments(data, [finding], report)
    title, note = anchored(docx.Document(_io(marked)))[0]
    assert title == "2022年度部门整体支出绩效自评报告"
    assert note.splitlines() == [
        "genreport 检查发现 1 处问题，正文中无对应数字可标注：",
        "1. 资产!B8：“资产使用率”填写为 100.00%",
    ]


def _saved(document: docx.document.Document) -> bytes:
    out = _io()
    document.save(out)
    return out.getvalue()


def _io(data: bytes = b"") -> io.BytesIO:
    return io.BytesIO(data)


def test_no_comments_leaves_them_out() -> None:
    document = build("--no-comments")
    assert list(document.comments) == []
    with zipfile.ZipFile("out/2022.docx") as z:
        assert "word/comments.xml" not in z.namelist()


def test_strict_still_refuses() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-o", "out", "--strict"])
    assert result.exit_code == 1
    assert not Path("out/2022.docx").exists()


@pytest.mark.parametrize("name", ["2022", "township-2023"])
def test_a_figure_looked_up_by_its_row_is_the_figure_read_from_the_whole_sheet(name: str) -> None:
    """place_comments finds an unmarked figure's value by its cell's row in a list (review._SheetValues) instead of
    reading every cell of the report: every cell gives what the whole read gives, a cell of no record nothing."""
    from pipeline.model import schema
    from pipeline.render.review import _SheetValues, placed_values
    from pipeline.session import inspect

    derived = inspect(ROOT / "inputs" / f"{name}.xlsx").derived
    assert derived is not None
    whole = placed_values(derived.report)
    lists = {sheet for sheet, _ in whole} & set(_SheetValues(derived.report)._tables)
    assert lists, "the sample has lists to look records up in"
    looked_up = _SheetValues(derived.report)
    assert {place: looked_up.get(*place) for place in whole} == whole
    assert all(looked_up.get(sheet, "B99999") == (None, schema.Kind.TEXT) for sheet in lists)
