"""Review comments: the warnings validate gives stand in the .docx as Word comments at the figures they doubt."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import SAMPLE

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


def test_a_warning_without_a_printed_figure_goes_to_the_title() -> None:
    document = build()
    title, note = anchored(document)[0]
    assert title == "2022年度部门整体支出绩效自评报告"
    assert note.splitlines() == [
        "genreport 检查发现 1 处问题，正文中无对应数字可标注：",
        "1. 资产!B8：“资产使用率”填写为 100.00%，而在用固定资产 517.91 ÷ 固定资产原值 2317.93 = 22.34%",
    ]


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
