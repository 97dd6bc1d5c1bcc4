"""The checks' fast paths (issue 19) give what their exact paths give: each shortcut beside the code it skips."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from statistics import median

import pytest

from pipeline.checks import lists
from pipeline.checks import text as text_rules
from pipeline.checks.common import add, compare_parts, flagged, flagged_cell, money, quote, unit_hint
from pipeline.checks.text import proofread
from pipeline.findings import codes
from pipeline.findings.collector import Findings, short
from pipeline.model.record import Place, Record
from pipeline.model.records import FunctionLine
from pipeline.template.profile import default_rules
from pipeline.template.rules_model import Rules

# Texts made of what wakes the one-pass rules (6–8) and of what only looks like it.
ONE_PASS_PIECES = (
    *"绩效评价部门预决算年度其中元万亿千",
    *"0123456789.,",
    " ", "\u3000", "，", "。", "；", "\n", "较上年",
    "部门决算", "部门整体支出", "部门预算", "年初预算", "决算总收入", "决算总支出", "部门", "决算", "预算",
    "2021年", "2022年", "2023年度", "4.27元", "1.84万元", "2.43万元", "1,200元", "其中：", "1.2亿元",
    "4000万元", "8000万元", "总投资201.25万元",
)  # fmt: skip


def test_every_account_word_wakes_the_one_pass_rules() -> None:
    for account in text_rules._ACCOUNTS:
        assert text_rules._one_pass_cue(f"2021年{account}")


def test_a_text_the_one_pass_cue_passes_over_has_no_one_pass_slip() -> None:
    rng = random.Random(19)
    skipped = 0
    for n in range(6000):
        text = "".join(rng.choices(ONE_PASS_PIECES, k=rng.randint(1, 30)))
        year, forward = rng.choice((2021, 2022, None)), n % 5 == 0
        spaces = text_rules._SPACE.search(text) is not None
        if not spaces and not text_rules._one_pass_cue(text):
            skipped += 1
            assert text_rules.one_pass_slips(text, year, forward=forward) == [], text
    assert skipped > 500


def test_a_text_read_before_gives_the_slips_proofread_gives() -> None:
    read = text_rules._Read(60)
    texts = ["安全安全", "预计12月底前完工", "绩效评价", "x" * 61, "预计12月底前完工"]
    for year in (2022, 2023, None):
        for forward in (False, True):
            for text in texts:
                assert read.slips(text, year, forward) == tuple(proofread(text, year, forward=forward))
    assert read.chars <= read.limit
    assert ("x" * 61, None, True) not in read.kept  # longer than all it may keep: read each time


def test_what_is_kept_is_bounded_and_a_text_met_again_is_carried_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_rules, "ENTRY", 0)  # characters alone, to follow the generations by hand
    monkeypatch.setattr(text_rules, "SLIP", 0)
    read = text_rules._Read(10)
    calls: list[str] = []
    monkeypatch.setattr(text_rules, "proofread", lambda text, year, *, forward: calls.append(text) or [])
    read.slips("绩效评价绩效评价", 2022, False)
    assert read.chars == 8 and calls == ["绩效评价绩效评价"]
    read.slips("安全安全", 2022, False)  # 12 > 10: a new generation
    assert list(read.kept) == [("安全安全", 2022, False)] and read.chars == 4
    assert list(read.earlier) == [("绩效评价绩效评价", 2022, False)]
    read.slips("绩效评价绩效评价", 2022, False)  # found in the earlier generation: not read again, carried over
    assert calls == ["绩效评价绩效评价", "安全安全"]
    assert list(read.kept) == [("绩效评价绩效评价", 2022, False)] and list(read.earlier) == [("安全安全", 2022, False)]
    read.slips("一二三", 2022, False)  # 8 + 3 > 10: a new generation, and the one holding 安全安全 is let go
    read.slips("四五六七八九十", 2022, True)  # 3 + 7: still this generation
    assert ("安全安全", 2022, False) not in read.kept | read.earlier
    assert sum(len(text) for text, _, _ in read.kept) == read.chars <= read.limit


def test_many_short_texts_are_kept_by_their_entries_too() -> None:
    """A kept text costs its entry beside its characters: 2**18 two-character texts once held 36 MB."""
    read = text_rules._Read(1 << 12)
    for n in range(20_000):
        read.slips(chr(0x4E00 + n % 20_000) + "的", 2022, False)
    held = len(read.kept) + len(read.earlier)
    assert held < 200  # two generations of 4,096: 124 entries of 2 characters and 64 for the entry; 4,096 by characters


def test_a_workbook_reads_each_of_its_texts_once_whatever_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts the process cannot keep (a workbook of many long texts in turn) are still read once per workbook."""
    from pipeline.findings.collector import Findings as Collected
    from pipeline.session import inspect

    from .conftest import SAMPLE

    inspection = inspect(SAMPLE)
    assert inspection.derived is not None
    report = inspection.derived.report
    calls: list[tuple[str, bool]] = []
    real = text_rules.proofread

    def counted(text: str, year: int | None = None, *, forward: bool = False) -> list[text_rules.Slip]:
        calls.append((text, forward))
        return real(text, year, forward=forward)

    monkeypatch.setattr(text_rules, "proofread", counted)
    monkeypatch.setattr(text_rules, "_READ", text_rules._Read(0))  # keeps nothing
    text_rules.check_text(Collected(""), report)
    distinct = {(text, forward) for _, _, _, text, forward in text_rules._texts(report)}
    assert len(calls) == len(distinct) < len(list(text_rules._texts(report)))


# check_lists reads values as attributes and makes a place only for a finding; _outliers gives up before the
# medians where nothing is above the whole. The old code, kept here, says what each must still find.


def _outliers_as_before(
    out: Findings, rules: Rules, unit: str, items: list[tuple[str, Decimal | None, Place]], whole: Decimal | None
) -> None:
    values = [(name, v, place) for name, v, place in items if v is not None and v > 0]
    if len(values) < 3:
        return
    for name, value, place in values:
        typical = Decimal(median([v for _, v, p in values if p != place]))
        beyond_whole = whole is None or value > whole
        if typical > 0 and value > typical * rules.list_magnitude and beyond_whole:
            times = (value / typical).quantize(Decimal(1))
            add(
                out,
                codes.W_UNIT_SUSPECT,
                place,
                f"{quote(short(name))}为 {money(value)}，是同列其他数值中位数（{money(typical)}）的 {times} 倍，"
                f"数量级异常：{unit_hint(unit)}",
            )


def _raised(call: Callable[[], None]) -> type[Exception] | None:
    """What a check raised: every value at one place leaves no others to take a median of, then as before."""
    try:
        call()
    except ValueError as e:
        return type(e)
    return None


def test_outliers_finds_what_it_found_with_every_place_made() -> None:
    rng = random.Random(19)
    rules = default_rules()
    found = 0
    for n in range(3000):
        size = rng.randint(0, 9)
        lines = [
            FunctionLine(
                row=i + 3,
                cells={"basic": f"C{rng.choice([i + 3, 3]) if n % 7 == 0 else i + 3}"} if i % 5 else {},
                code=None,
                name=f"科目{i}",
                basic=rng.choice([None, Decimal(0), Decimal(-1), Decimal(rng.randint(1, 50)), Decimal(100000)]),
                project=None,
            )
            for i in range(size)
        ]
        whole = rng.choice([None, Decimal(0), Decimal(500), Decimal(200000)])
        new, old = Findings("f.xlsx"), Findings("f.xlsx")
        items: list[tuple[str, Decimal | None, Record]] = [(ln.name, ln.basic, ln) for ln in lines]
        said_new = _raised(partial(lists._outliers, new, rules, "万元", "basic", items, whole, Decimal(1)))
        places = [(name, v, ln.place("basic")) for name, v, ln in items]
        said_old = _raised(partial(_outliers_as_before, old, rules, "万元", places, whole))
        assert said_new == said_old and new.items == old.items
        found += len(new.items)
    assert found > 100


def _compare_parts_as_before(
    parts: list[tuple[str, Decimal | None]], stated: Decimal, named: str, blank_is_zero: bool
) -> list[tuple[str, str]]:
    given = [(label, value) for label, value in parts if value is not None]
    if not given:
        return []
    total = sum((value for _, value in given), Decimal(0))
    labels = "＋".join(quote(label) for label, _ in given)
    diff = total - stated
    complete = blank_is_zero or len(given) == len(parts)
    if complete and abs(diff) > Decimal("0.01"):
        return [
            (
                "W_SUM_MISMATCH",
                f"甲为 {money(stated)}，而{named or labels}合计 {money(total)}，相差 {money(abs(diff))} 万元",
            )
        ]
    if not complete and diff > Decimal("0.01"):
        return [
            ("W_PARTS_EXCEED", f"甲为 {money(stated)}，已填写的{labels}合计 {money(total)} 已超出 {money(diff)} 万元")
        ]
    return []


def test_compare_parts_says_what_it_said_with_its_labels_joined_first() -> None:
    rng = random.Random(7)
    for n in range(2000):
        parts = [(f"“项”{i}", rng.choice([None, Decimal(rng.randint(0, 30)) / 10])) for i in range(rng.randint(0, 4))]
        stated, named, blank_is_zero = Decimal(rng.randint(0, 60)) / 10, rng.choice(["", "其下级科目"]), n % 3 == 0
        out = Findings("f.xlsx")
        compare_parts(
            out, Place("表", "B3"), "甲", parts, stated, Decimal("0.01"), named=named, blank_is_zero=blank_is_zero
        )
        assert [(f.code, f.message) for f in out.items] == _compare_parts_as_before(parts, stated, named, blank_is_zero)
        assert all((f.sheet, f.cell) == ("表", "B3") for f in out.items)


def test_flagged_cell_is_flagged_at_any_of_the_cells() -> None:
    rng = random.Random(3)
    out = Findings("f.xlsx")
    for _ in range(300):
        sheet, cell = rng.choice(["三公经费", "资产"]), f"B{rng.randint(1, 9)}"
        out.add(rng.choice([codes.W_UNIT_SUSPECT, codes.W_SUM_MISMATCH]), sheet, cell, "…")
        cells = [f"B{rng.randint(1, 12)}" for _ in range(rng.randint(0, 3))]
        for code in (codes.W_UNIT_SUSPECT, codes.W_SUM_MISMATCH):
            expected = any(flagged(out, Place("三公经费", c), code) for c in cells)
            assert flagged_cell(out, "三公经费", cells, code) == expected


# the one-pass pattern as tests/test_proofreading_patterns.py has it, with a CJK test after "after"
OLD_ONE_PASS = re.compile(
    text_rules._ONE_PASS.pattern.replace(
        rf"(?P<after>[{text_rules.SPACES}]+)", rf"(?P<after>[{text_rules.SPACES}]+)(?=[{text_rules.CJK}])"
    )
)
OLD_REPEAT_CUE = re.compile(rf"([{text_rules.CJK}]{{2}})[{text_rules.CJK}]{{0,6}}\1|的的")


def test_the_repeat_cue_and_the_substring_test_say_what_the_one_pattern_said() -> None:
    rng = random.Random(5)
    pieces = [*"质量安全隐患的地得一是绩效评价ab1 ，。\n", "的的", "\u4e00", "\u9fff", "\u4dff", "质量安全质量"]
    woken = 0
    for _ in range(20000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 24)))
        cue = bool(text_rules._REPEAT_CUE.search(text) or "的的" in text)
        assert cue == bool(OLD_REPEAT_CUE.search(text)), text
        woken += cue
    assert 2000 < woken < 18000


# _finditer tries a pattern only where its ``starts`` pattern matches: the same matches as finditer, provided every
# match begins there. Texts of what begins a match, what nearly does, and what stands before it (look-behinds).
STARTS_PIECES = (
    *"截至止到目前正在现下半年将预计于在的的确标端项题目一二0123456789０１２３４５６７８９.．%％‰号第楼",
    *" \u3000\u00a0\n，,。；;：:！？〔〕【】[]［］（）()〖〗发办函字根据中",
    "截至目前", "截止到目前", "目前正在", "目前尚在正在", "现正在", "，现正在", "2021年下半年将", "12021年下半年将",
    "下半年将", "预计12月底前", "将于本年度12月末", "将在年底", "预计于2022年3月", "将到", "项目的的", "目的的",
    "标的的", "的的确确", "〔2022〕41号", "【2022】41号", "[2019]5号", "（201910号", "中发2018）34号", "湘政发2021",
    "2023第007号", "1999", "2000", "19", "20", "12 678.39", "1 234 567", "54 %", "２５ ％", "0734 5821234",
    "GB/T 9704 2012", "2023-03-31 10:00", "12．5 ‰",
    *"》」』”’、！？", "其中", "其中：", "2021年部门决算", "2022年度部门预算", "1,200元", "4.27元", "1.84 万元", "3亿元",
    "4000千元", "，2021年", "决算总支出", "》 ，", "完成 。", "， 固定", "（境） 费", "：\u3000资产", "，\xa0a",
)  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (text_rules._DOC, text_rules._DOC_STARTS),
        (text_rules._SPLIT, text_rules._SPLIT_STARTS),
        (text_rules._STALE, text_rules._STALE_STARTS),
        (text_rules._ONE_PASS, text_rules._ONE_PASS_STARTS),
        (OLD_ONE_PASS, text_rules._ONE_PASS_STARTS),
    ],
    ids=["doc", "split", "stale", "one-pass", "one-pass-with-cjk-test"],
)
def test_finditer_from_the_starts_finds_what_finditer_finds(pattern: re.Pattern[str], starts: re.Pattern[str]) -> None:
    rng = random.Random(19)
    found = 0
    for n in range(6000):
        text = "".join(rng.choices(STARTS_PIECES, k=rng.randint(0, 12 if n % 20 else 120)))
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in text_rules._finditer(pattern, starts, text)] == expected, text
        found += len(expected)
    assert found > 1000
    assert OLD_ONE_PASS.pattern != text_rules._ONE_PASS.pattern  # the CJK test found its place
    for m in starts.finditer("".join(STARTS_PIECES)):
        assert m.end() == m.start() + 1  # a place, one character: never a match the pattern could begin after


def test_the_starts_patterns_let_re_skip_to_their_first_character() -> None:
    """re skips along a text only for a pattern that begins with a class (its compiled info has a charset)."""
    if not hasattr(getattr(re, "_compiler", None), "_get_charset_prefix"):
        pytest.skip("this Python's re has other internals")
    for starts in (
        text_rules._DOC_STARTS,
        text_rules._SPLIT_STARTS,
        text_rules._STALE_STARTS,
        text_rules._ONE_PASS_STARTS,
        text_rules._REPEAT_CUE,
    ):
        parsed = re._parser.parse(starts.pattern)  # type: ignore[attr-defined]
        assert re._compiler._get_charset_prefix(parsed, 0), starts.pattern  # type: ignore[attr-defined]


def test_a_part_whose_label_was_blanked_stops_the_comparison_as_before() -> None:
    """Beside an error, its cell is blank (None) in the model the warnings are checked on; compare_parts quoted every
    label first, so such a part raised, and the checks' warnings were left out there (session._beside_errors):
    quoting only for a message must not let them through."""
    with pytest.raises(AttributeError):
        compare_parts(Findings(""), Place("表", "B3"), "“合计”", [(None, Decimal(1))], Decimal(1), Decimal(0))  # type: ignore[list-item]


def test_a_wrong_fund_source_leaves_the_list_warnings_out_as_before(tmp_path: Path) -> None:
    """项目资金来源!B3 not one of its choices (E_CHOICE): the findings are the error and what they were beside it."""
    import sys

    from pipeline.session import inspect

    from .conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from make_workbooks import make  # a department with some hundred list rows, whose totals the checks compare
    finally:
        sys.path.remove(str(ROOT / "bench"))
    book, _ = make(0, 9)
    book["项目资金来源"]["B3"] = "财政拨款"  # not 当年财政拨款, 上年结转资金 or 其他资金
    path = tmp_path / "fund.xlsx"
    book.save(path)
    found = {f.code for f in inspect(path).findings}
    assert codes.E_CHOICE.code in found
    assert not found & {codes.W_FUNCTIONS_TOTAL.code, codes.W_POINTS_TOTAL.code, codes.W_FUND_PROJECT.code}
