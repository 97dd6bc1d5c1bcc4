"""The review stage's fast paths give what its exact paths give: the one-walk reading of a body's runs
(review._read) what review._read_exact reads, and the comments written as XML (review._comments) what
review._comment makes element by element, on the samples' rendered bodies and on bodies made to trip them up."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model.figure import CLOSE, MID, OPEN
from pipeline.render import prepared, review

from .conftest import ROOT

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
runner = CliRunner()


def body(inner: str) -> Any:
    return etree.fromstring(
        f'<w:body xmlns:w="{W}" xmlns:wps="urn:wps" xmlns:mc="urn:mc">{inner}<w:sectPr/></w:body>'.encode()
    )


def gives_text(run: Any) -> bool:
    """Whether a run has a child that gives it text (the runs review._read keeps)."""
    return any(
        child.tag in review._TEXT_TAGS
        and (child.tag != review._BR or child.get(review._BR_TYPE, "textWrapping") == "textWrapping")
        for child in run
    )


# the bodies the walk leaves to the exact read (a paragraph nested in a counted run: a text box)
DECLINED = {"text box in a body paragraph", "text box in a run between its texts", "text box in a cell, run after it"}


def assert_reads_alike(tree: Any, declined: bool = False) -> None:
    exact = review._read_exact(tree)
    fast = review._read(tree)
    assert (fast is None) == declined
    if fast is None:  # the walk declined: the exact read is used
        return
    kept = [(r, t) for r, t in zip(exact.elements, exact.texts, strict=True) if gives_text(r)]
    assert list(zip(fast.elements, fast.texts, strict=True)) == kept
    marked = [t for t in tree.iter(review._T) if t.text and (OPEN in t.text or CLOSE in t.text)]
    runs = review._Runs(tree)
    assert runs.marked is not None
    assert {t for t in runs.marked if OPEN in (t.text or "") or CLOSE in (t.text or "")} == set(marked)


def t(text: str, space: bool = False) -> str:
    preserve = ' xml:space="preserve"' if space else ""
    return f"<w:t{preserve}>{text}</w:t>"


def r(*children: str, props: bool = True) -> str:
    return f"<w:r>{'<w:rPr><w:b/></w:rPr>' if props else ''}{''.join(children)}</w:r>"


def p(*runs: str, props: str = "") -> str:
    return f"<w:p>{props}{''.join(runs)}</w:p>"


def table(*rows: list[str]) -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc><w:tcPr/>{c}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f"<w:tbl><w:tblPr/><w:tblGrid/>{cells}</w:tbl>"


MARK = f"{OPEN}3{MID}12678.39{CLOSE}"
BODIES = {
    "plain": p(r(t("总支出")), r(t("12678.39")), r(t(" 万元", True))) + table([p(r(t("1.00")))], [p(r(t("2")))]),
    "tables before paragraphs": table([p(r(t("表中")))]) + p(r(t("正文"))) + table([p(r(t("后表")))]),
    "specials": p(
        r(t("a"), "<w:tab/>", t("b")),
        r("<w:br/>", t("c"), '<w:br w:type="page"/>', t("d"), '<w:br w:type="textWrapping"/>'),
        r("<w:cr/>", "<w:noBreakHyphen/>", "<w:ptab/>", "<w:softHyphen/>", t("e")),
        props='<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>',
    ),
    "runs without text": p(
        r(), r('<w:br w:type="page"/>'), r("<w:fldChar/>", "<w:instrText>PAGE</w:instrText>"), r(t(""))
    ),
    "empty and commented w:t": p(r("<w:t/>", t("x")), r("<w:t>a<!-- c -->b</w:t>", t("y"))),
    "marks": p(r(t(MARK)), r(t(f"前{MARK}后")))
    + table([p(r(t(f"{OPEN}4{MID}5.00{CLOSE}")))])
    + f"<w:sdt><w:sdtContent>{p(r(t(MARK)))}</w:sdtContent></w:sdt>",
    "hyperlink and field": p(
        r(t("前")), f"<w:hyperlink>{r(t('链接'))}</w:hyperlink>", f"<w:fldSimple>{r(t('域'))}</w:fldSimple>", r(t("后"))
    ),
    "nested table": table([p(r(t("外"))) + table([p(r(t("内")))]) + p(r(t("外后")))], [p(r(t("下")))]),
    "content control in a cell": table([f"<w:sdt><w:sdtContent>{p(r(t('控件')))}</w:sdtContent></w:sdt>"]),
    "content control around a table": p(r(t("甲")))
    + table([p(r(t("表")))])
    + f"<w:sdt><w:sdtContent>{table([p(r(t('控件表')))])}{p(r(t('控件段')))}</w:sdtContent></w:sdt>"
    + table([p(r(t("再表")))]),
    "text box in a body paragraph": p(
        r(t("前")),
        r(f"<w:drawing><wps:txbx><w:txbxContent>{p(r(t('框')))}</w:txbxContent></wps:txbx></w:drawing>"),
        r(t("后")),
    ),
    "text box in a run between its texts": p(
        r(t("前"), f"<w:pict><w:txbxContent>{p(r(t('框')))}</w:txbxContent></w:pict>", t("后"))
    ),
    "text box in a cell": table(
        [p(r(t("前"), f"<w:pict><w:txbxContent>{p(r(t('框')))}</w:txbxContent></w:pict>")), p(r(t("后")))]
    ),
    "text box in a cell, run after it": table(
        [p(r(f"<w:pict><w:txbxContent>{p(r(t('框')))}</w:txbxContent></w:pict>"), r(t("后")))]
    ),
    "table in a text box of a body paragraph": p(
        r(f"<w:pict><w:txbxContent>{table([p(r(t('框表')))])}</w:txbxContent></w:pict>")
    )
    + table([p(r(t("表")))]),
    "alternate content": p(
        r(
            f"<mc:AlternateContent><mc:Choice>{r(t('选'))}</mc:Choice><mc:Fallback>{t('退')}</mc:Fallback></mc:AlternateContent>"
        )
    ),
    "two w:t in a run": p(r(t("12"), t("678.39"))),
    "comment children in a run": p("<w:r><!-- c --><w:rPr/><?pi x?>" + t("z") + "</w:r>"),
    "paragraphs only": p(r(t("一"))) * 3,
    "bookmarks between a table and a paragraph": table([p(r(t("表")))])
    + '<w:bookmarkStart w:id="0" w:name="a"/><w:bookmarkEnd w:id="0"/>'
    + p(r(t("段")))
    + table([p(r(t("末表")))]),
    "a table last, a section with children after it": table([p(r(t("表")))])
    + '<w:sectPr><w:pgSz w:w="11906"/></w:sectPr>',
    "a w:t and a break in the body, after a table": table([p(r(t("表")))]) + t(MARK) + "<w:br/>" + p(r(t("段"))),
    "an empty paragraph after a table": table([p(r(t("表")))]) + "<w:p/>" + p(r(t("段"))),
    "nothing": "",
}


@pytest.mark.parametrize("name", BODIES)
def test_the_walk_reads_what_the_exact_read_reads(name: str) -> None:
    assert_reads_alike(body(BODIES[name]), declined=name in DECLINED)


def test_a_cell_outside_a_tables_row_is_left_to_the_exact_read() -> None:
    """A w:tc after the body's table, in a content control (not a table's row): its paragraph is not a table's."""
    stray = f"<w:sdt><w:sdtContent><w:tc>{p(r(t('100.00%')))}</w:tc></w:sdtContent></w:sdt>"
    tree = body(table([p(r(t("甲")))]) + stray)
    assert review._read(tree) is None
    assert "100.00%" not in review._read_exact(tree).texts


def test_anchors_declare_the_namespace_as_python_docx_does_where_w_is_the_default() -> None:
    """Made apart and moved in: in a body whose w is its default namespace alone, the anchors' elements declare
    their prefixes as python-docx's add_comment makes them (the bytes before issue 19's changes)."""
    xml = f'<body xmlns="{W}"><p><r><t>A</t></r><r><t>x 12678.39 y</t></r></p><p><r><t>B</t></r></p></body>'
    tree = etree.fromstring(xml)
    runs = list(tree.iter(f"{{{W}}}r"))
    review._anchor(runs[-1], runs[-1], 0)
    review._anchor(runs[0], runs[0], 1)
    assert etree.tostring(tree).decode() == EXPECTED_DEFAULT_NAMESPACE


EXPECTED_DEFAULT_NAMESPACE = '<body xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><p><commentRangeStart xmlns:ns3="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ns3:id="1"/><r><t>A</t></r><commentRangeEnd xmlns:ns5="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ns5:id="1"/><r xmlns:ns4="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><rPr><rStyle ns4:val="CommentReference"/></rPr><commentReference ns4:id="1"/></r><r><t>x 12678.39 y</t></r></p><p><commentRangeStart xmlns:ns0="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ns0:id="0"/><r><t>B</t></r><commentRangeEnd xmlns:ns2="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ns2:id="0"/><r xmlns:ns1="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><rPr><rStyle ns1:val="CommentReference"/></rPr><commentReference ns1:id="0"/></r></p></body>'


@pytest.mark.parametrize(
    "name", ["text box in a run between its texts", "text box in a cell, run after it", "text box in a cell"]
)
def test_a_paragraph_nested_in_a_counted_run_is_left_to_the_exact_read(name: str) -> None:
    """Its runs come between the outer paragraph's in document order, after them in the exact read's."""
    tree = body(BODIES[name])
    exact = [t for r, t in zip(*(lambda e: (e.elements, e.texts))(review._read_exact(tree)), strict=True)]
    fast = review._read(tree)
    assert fast is None or fast.texts == [t for t in exact if t]


@pytest.mark.parametrize("name", ["2022", "township-2023"])
def test_the_samples_rendered_bodies_read_alike(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    place = prepared.place_comments

    def spy(tree: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(etree.fromstring(etree.tostring(tree)))
        assert review._read(tree) is not None  # the walk serves the samples
        return place(tree, *args, **kwargs)

    monkeypatch.setattr(prepared, "place_comments", spy)
    shutil.copy(ROOT / "inputs" / f"{name}.xlsx", f"{name}.xlsx")
    result = runner.invoke(app, ["build", f"{name}.xlsx", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert seen
    for tree in seen:
        assert_reads_alike(tree)


def test_unmarking_the_marked_texts_is_unmarking_the_tree() -> None:
    """_Runs.unmark looks only at the w:t the walk found marked and the pieces split off holding a mark."""
    xml = BODIES["marks"] + p(r(t(f"{MARK}与{OPEN}5{MID}9.99{CLOSE}")))
    whole, fast = body(xml), body(xml)
    review.unmark_tree(whole)
    runs = review._Runs(fast)
    at = next(i for i, text in enumerate(runs._texts) if text.startswith(MARK + "与"))
    pattern = review._marked(3)
    runs.split_at(at, 0, pattern)
    runs.unmark(fast)
    assert len(list(fast.iter(review._T))) == len(list(whole.iter(review._T))) + 1  # the split made a piece
    assert OPEN not in "".join(fast.itertext()) and CLOSE not in "".join(fast.itertext())
    assert "".join(whole.itertext()) == "".join(fast.itertext())


NOTES = [
    "“支出合计”的全年执行数为 12678.39，而……相差 4.50 万元（收支预决算!E9）",
    "genreport 检查发现 3 处问题，正文中无对应数字可标注：\n1. a!B2：x\n2. b\tc\n\n3.  前后空格 ",
    "A & B < C > D ]]> \r 回车",
    "",
    "\n",
    "\t",
    " ",
    f"{OPEN}1{MID}标记{CLOSE}",
]


@pytest.mark.parametrize("first_id", [0, 7])
def test_comments_written_as_xml_are_those_made_element_by_element(first_id: int) -> None:
    date = "2023-11-14T22:13:20Z"
    fast = review._comments(NOTES, first_id, date)
    exact = [review._comment(i, text, date) for i, text in enumerate(NOTES, first_id)]
    assert review.comments_xml(fast) == review.comments_xml(exact)
    assert review._comments([], first_id, date) == []


def test_a_comment_xml_cannot_hold_fails_as_before() -> None:
    with pytest.raises(ValueError, match="XML compatible"):
        review._comment(0, "bad \x01 char", "D")
    with pytest.raises(ValueError, match="XML compatible"):
        review._comments(["fine", "bad \x01 char"], 0, "D")
    for text in ("a\ud83d\ude00b", "lone \udc80"):  # a surrogate pair as two code points, or a lone one: unencodable
        with pytest.raises(UnicodeEncodeError):
            review._comment(0, text, "D")
        with pytest.raises(UnicodeEncodeError):
            review._comments(["fine", text], 0, "D")


@pytest.mark.parametrize("name", ["2022", "township-2023"])
def test_a_list_read_whole_gives_what_placed_values_gives(name: str) -> None:
    """Once a list sheet's cell is not found by its row, the sheet is read whole (where each cell is, its value
    read when asked): every cell, asked again, gives what placed_values gives."""
    from pipeline.model import schema
    from pipeline.session import inspect

    derived = inspect(ROOT / "inputs" / f"{name}.xlsx").derived
    assert derived is not None
    whole = review.placed_values(derived.report)
    values = review._SheetValues(derived.report)
    sheets = {sheet for sheet, _ in whole}
    assert all(values.get(sheet, "B99999") == (None, schema.Kind.TEXT) for sheet in sheets)
    assert set(values._tables) & set(values._lists)
    assert {place: values.get(*place) for place in whole} == whole
    assert values.get("附表", "A1") == (None, schema.Kind.TEXT)  # a sheet the report has nothing of (an extra sheet)
