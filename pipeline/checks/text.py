"""Proofreading the text a user types: the slips a reader of the printed report would mark, each at its cell.

Eight kinds, all warnings: a 发文字号 not in the GB/T 9704 form 〔YYYY〕N号, an unbalanced bracket or quotation mark,
full-width digits or a space inside a figure, a word typed twice in a row, wording that is stale in a year-end
report, a year that is not the report's where the text names this year's accounts, an amount whose unit word
differs from the total or parts it adds up with, and a space beside a full-width punctuation mark. Each rule is
narrow on purpose: what is correct must never be flagged, so a rule gives up a doubtful case rather than guess.
tests/test_proofreading.py runs them over every paragraph of the sample and of the published reference report and
lists exactly what they find.

Not checked: 的/地/得 (“精准地预算是抓好执行的基础”, where 预算 is a noun and 的 is meant). Whether 地 is wrong
depends on whether the next word is used as a verb or a noun, and 预算, 管理, 监督, 评价 are both, often in the
same report (“科学地预算”, “科学的预算”): without parsing the sentence a rule would flag correct text as often as
wrong.

Every finding quotes the offending text exactly as it stands in the cell (``Finding.anchor``), so that the Word
comment can be placed where that text prints.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .. import cache
from ..findings import codes
from ..findings.codes import Code
from ..findings.collector import Findings
from ..model import schema
from ..model.record import Form, Place, Table
from ..model.records import Report

PROOFREADING: tuple[Code, ...] = (
    codes.W_DOC_NUMBER,
    codes.W_BRACKETS,
    codes.W_DIGITS,
    codes.W_REPEATED_WORD,
    codes.W_STALE_WORDING,
    codes.W_STALE_YEAR,
    codes.W_UNIT_WORD,
    codes.W_STRAY_SPACE,
)
CJK = "\u4e00-\u9fff"
SPACES = " \u3000\u00a0"
_SPACE = re.compile(f"[{SPACES}]")


def _cjk(ch: str) -> bool:
    """One CJK character. A pattern's class of them takes ~0.5 ms to compile (re walks its 20,992 code points):
    where a plain test of the characters found does as well, the pattern leaves the class out."""
    return len(ch) == 1 and "\u4e00" <= ch <= "\u9fff"


def _finditer(pattern: re.Pattern[str], starts: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, for a pattern that never matches the empty string and whose every match begins
    where ``starts`` matches. A pattern whose alternatives begin with a look-behind or a group is tried by re at
    every position of the text (a 3,000-character paragraph: 0.2–0.3 ms a pattern); ``starts`` begins with a class,
    which re skips along in C, and its look-arounds leave a handful of places where the pattern is tried."""
    pos = 0
    while (at := starts.search(text, pos)) is not None:
        m = pattern.match(text, at.start())  # look-behinds see the text before it, as in finditer
        if m is None:
            pos = at.start() + 1
        else:
            yield m
            pos = m.end()


@dataclass(frozen=True)
class Slip:
    """One slip in one text: ``anchor`` is the offending substring, exactly as typed, starting at ``start``."""

    code: Code
    start: int
    anchor: str
    message: str


# Fields that never print as typed: the template's name, the names and types of 自定义字段 (keys a template refers
# to), and columns that only point at a project whose own name is proofread in 项目.
NOT_PRINTED = frozenset(
    {("basic", "template"), ("custom_fields", "name"), ("custom_fields", "type"), ("kpis", "project")}
    | {("project_funds", "project")}
)
# Text that states a plan rather than a result: its future tense is the point, so it is not stale.
FORWARD_SECTIONS = frozenset({schema.TEXT_SECTIONS["measures"], schema.TEXT_SECTIONS["goal"]})
FORWARD_FIELDS = frozenset({("projects", "goal"), ("kpis", "target")})


def check_text(out: Findings, report: Report) -> None:
    """Every printed free-text cell of the workbook, proofread."""
    year = report.basic.year
    # A text typed in many cells (a project's 资金使用情况, 剩余资金按进度拨付 on 20,000 rows) is read once, and so
    # is a text the workbooks of one batch share (a 科目's name, a standard phrase): see _Read.
    kept, read = _READ.kept, _READ.slips  # a text met before is looked up here, without a call
    # this workbook's own texts, read once however many there are (the kept ones are bounded, and could let a text
    # go before it is met again: 20 long texts in turn on 700 rows would be read 700 times)
    seen: dict[tuple[str, bool], tuple[Slip, ...]] = {}
    for sheet, cells, key, text, forward in _texts(report):
        slips = kept.get((text, year, forward))
        if slips is None:
            slips = seen.get((text, forward))
            if slips is None:
                slips = seen[text, forward] = read(text, year, forward)
        for slip in slips:
            out.add(slip.code, sheet, cells.get(key, ""), slip.message, anchor=slip.anchor)


class _Read:
    """The slips of each text read in this process. They are a function of the text, the report's year and whether
    the text is a plan alone (``proofread`` reads nothing else), so a text met again, in this workbook or the next
    one of a batch, is not read again. What is kept is bounded, in two generations: past ``limit`` the texts kept
    become the earlier generation, and the one before is let go; a text met again is carried into the new one. So
    the texts a batch shares (names, standard phrases, a copied paragraph) stay kept, and at most twice ``limit``
    is held, however large the batch. A text counts its characters plus ENTRY, about what its key, entry and slips
    cost beside them: 2**18 characters of two-character texts held 36 MB when only characters counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: dict[tuple[str, int | None, bool], tuple[Slip, ...]] = {}  # check_text looks here first
        self.earlier: dict[tuple[str, int | None, bool], tuple[Slip, ...]] = {}
        self.chars = 0

    def slips(self, text: str, year: int | None, forward: bool) -> tuple[Slip, ...]:
        key = (text, year, forward)
        slips = self.kept.get(key)
        if slips is not None:
            return slips
        slips = self.earlier.get(key)
        if slips is None:
            slips = tuple(proofread(text, year, forward=forward))
        cost = len(text) + ENTRY + SLIP * len(slips)
        if cost <= self.limit:
            if self.chars + cost > self.limit:
                self.earlier = self.kept.copy()  # not a new dict: check_text holds this one
                self.kept.clear()
                self.chars = 0
            self.kept[key] = slips
            self.chars += cost
        return slips


ENTRY, SLIP = 64, 64  # characters (of 2 to 4 bytes) a kept text and each of its slips count beside the text's own
_READ = _Read(1 << 18)  # characters a generation: 0.5 to 1 MB of text and entries


@cache.forgets
def forget_texts() -> None:
    """Let go of every text kept between workbooks: a web job's process takes the next user's job, which must not
    find the last one's texts (nor be any faster for them)."""
    _READ.kept.clear()  # cleared, not replaced: check_text holds this dict
    _READ.earlier = {}
    _READ.chars = 0


def printed_texts(report: Report) -> Iterator[tuple[Place, str, bool]]:
    """(place, text, forward-looking) of every free-text cell the report prints, walking the schema's text fields
    (choices from a dropdown are not free text); a kpi value that is a number is not text either."""
    for sheet, cells, key, text, forward in _texts(report):
        yield Place(sheet, cells.get(key, "")), text, forward


def _texts(report: Report) -> Iterator[tuple[str, Mapping[str, str], str, str, bool]]:
    """printed_texts with each place as its sheet, cells and key: a place is made only for a text with a slip
    (20,000 projects: 60,000 texts, nearly all without one)."""
    for sheet in schema.SHEETS:
        item = getattr(report, sheet.key)
        if isinstance(item, Form) and isinstance(sheet, schema.FormSheet):
            for row in sheet.rows:
                if _free_text(sheet.key, row):
                    value = getattr(item, row.key)
                    if isinstance(value, str) and value:
                        place = item.place(row.key)
                        yield place.sheet, {row.key: place.cell}, row.key, value, False
        elif isinstance(item, Table):
            # which columns are text is a property of the sheet: decided once, not on each of 20,000 rows
            columns = [
                (column.key, (sheet.key, column.key) in FORWARD_FIELDS)
                for column in item.sheet.columns
                if _free_text(sheet.key, column)
            ]
            texts = sheet is schema.TEXTS
            for record in item:
                plan = texts and getattr(record, "section", "") in FORWARD_SECTIONS
                for key, forward in columns:
                    value = getattr(record, key)
                    if isinstance(value, str) and value:
                        # not record.place(): it refuses the name “unit”, which a Form uses for its 金额单位
                        yield sheet.name, record.cells, key, value, forward or plan


def _free_text(sheet: str, field: schema.Field) -> bool:
    kinds = (schema.Kind.TEXT, schema.Kind.NUMBER_OR_TEXT)
    hint = field.hint  # last year's value beside this year's: printed nowhere, never proofread
    return field.kind in kinds and not field.choices and not hint and (sheet, field.key) not in NOT_PRINTED


def proofread(text: str, year: int | None = None, *, forward: bool = False) -> list[Slip]:
    """The slips of one text, in the order they stand. ``year`` is the report's year (stale dates are judged
    against it); ``forward`` marks a plan (下一步改进措施, a target), whose future tense is not stale."""
    # A rule runs only where the text holds what every one of its hits needs (the cues beside each rule): most
    # texts are plain prose or a name and wake one rule or none, so 60,000 cells do not pay for seven rules each.
    # What is found is exactly what running every rule finds (tests/test_proofreading.py compares the two).
    # (Searches, not set(text): a set of CJK text makes an object of every character.)
    digits = _ASCII_DIGIT.search(text) is not None
    spaces = _SPACE.search(text) is not None
    numbers = doc_number_slips(text) if digits and "号" in text else []
    kinds = [numbers]
    if _MARK.search(text):
        kinds.append(bracket_slips(text, numbers))
    if _WIDE_DIGIT.search(text) or (digits and spaces):
        kinds.append(digit_slips(text))
    if _REPEAT_CUE.search(text) or "的的" in text:
        kinds.append(repeat_slips(text))
    if not forward and _STALE_CUE.search(text):
        kinds.append(stale_slips(text, year))
    if spaces or (digits and _one_pass_cue(text)):
        later = one_pass_slips(text, year, forward=forward)
        if later:
            kinds += [[s for s in later if s.code is code] for code in _ONE_PASS_CODES]
    found = [slip for slips in kinds for slip in (slips if len(slips) <= PER_CELL else _at_most(slips))]
    return sorted(found, key=_start) if len(found) > 1 else found


PER_CELL = 10  # slips of one kind listed per cell: a pasted block (“绩效评价” × 5000) must not flood the report


def _at_most(slips: list[Slip]) -> list[Slip]:
    """The first PER_CELL slips; the last of them says how many there are in all, so none is dropped unseen."""
    slips = sorted(slips, key=_start)
    if len(slips) <= PER_CELL:
        return slips
    last = slips[PER_CELL - 1]
    note = f"（该单元格共有 {len(slips)} 处同类问题，只列出前 {PER_CELL} 处）"
    return [*slips[: PER_CELL - 1], Slip(last.code, last.start, last.anchor, last.message + note)]


def _start(slip: Slip) -> int:
    return slip.start


# 1. 发文字号: GB/T 9704-2012 7.2.4 — the year in full within 六角括号 〔〕, the number without 第 and without
# leading zeros (不编虚位). Only what is unmistakably a document number is read as one: a four-digit year in
# brackets followed by N号, a bracket missing on one side, or no brackets right after an issuer ending 发/办/函/字.

_YEAR = r"(?:19|20)[0-9]{2}"
_OPEN = "〔【[［（(〖"
_CLOSE = "〕】]］）)〗"
_DOC = re.compile(
    rf"(?<![0-9])(?P<open>[{re.escape(_OPEN)}])?(?P<year>{_YEAR})(?P<close>[{re.escape(_CLOSE)}])?"
    r"(?P<nth>第)?(?P<num>[0-9]{1,5})号(?![楼线院房室栋])"
)
# where a match of _DOC can begin: an opening bracket before a year, or a year's 19 or 20
_DOC_STARTS = re.compile(
    rf"[{re.escape(_OPEN)}12]"
    rf"(?:(?<=[{re.escape(_OPEN)}])(?=(?:19|20)[0-9]{{2}})|(?<=1)(?=9[0-9]{{2}})|(?<=2)(?=0[0-9]{{2}}))"
)
_ISSUER_END = "发办函字"  # 湘政发, 衡办, 国办函, 财预字: where a number without any bracket is still a 文号
_NOT_ISSUER = "据照按和与及的见于由经依即为在对"  # the word before an issuer (根据湘政发…): not part of it
_ISSUER_MAX = 8
_ASCII_DIGIT = re.compile("[0-9]")  # a 文号 needs one and 号 (proofread's cue)


def doc_number_slips(text: str) -> list[Slip]:
    slips = []
    for m in _finditer(_DOC, _DOC_STARTS, text):
        opened, closed, nth, num = m.group("open"), m.group("close"), m.group("nth"), m.group("num")
        before = text[m.start() - 1] if m.start() else ""
        if opened == "〔" and closed == "〕" and not nth and not num.startswith("0"):
            continue  # the standard form
        if opened is None and closed is None and (not before or before not in _ISSUER_END):
            continue  # a bare number (门牌, 编号) unless it follows an issuer
        if opened is None and not _cjk(before):
            continue  # “2018）34号” with no issuer before it is not recognisably a 文号
        if opened is not None and closed is None and opened not in "〔【[［":
            continue  # “（201910号” may be anything
        start = m.start()
        while start > 0 and m.start() - start < _ISSUER_MAX and _cjk(text[start - 1]):
            if text[start - 1] in _NOT_ISSUER:
                break
            start -= 1
        anchor = text[start : m.end()]
        fixed = f"{text[start : m.start()]}〔{m.group('year')}〕{int(num)}号"
        slips.append(Slip(codes.W_DOC_NUMBER, start, anchor, f"文号“{anchor}”格式不规范，应为“{fixed}”"))
    return slips


# 2. Brackets and quotation marks, each pair counted on its own within the cell. A lone closing parenthesis after
# an item number at the start of an item (“1）”“b)”“一）” at the start of the cell or a line, or after a space or a
# punctuation mark: “包括：1）…；2）…”) is numbering, not a slip; after other text (“总额为25）元”) it is one.

_PAIRS = {"（": "）", "(": ")", "【": "】", "〔": "〕", "《": "》", "〈": "〉", "“": "”", "‘": "’"}
_FAMILY = {
    "（": "括号",
    "(": "括号",
    "【": "方括号",
    "〔": "六角括号",
    "《": "书名号",
    "〈": "书名号",
    "“": "引号",
    "‘": "单引号",
}
_MARK = re.compile(f"[{re.escape(''.join(_PAIRS) + ''.join(_PAIRS.values()))}]")  # none: none unmatched
_OPENER = {closer: opener for opener, closer in _PAIRS.items()}
_CLOSED_AT_ONCE = re.compile(f"(?:{'|'.join(re.escape(o + c) for o, c in _PAIRS.items())})*")
_ITEM = re.compile("(?:[0-9]{1,2}|[A-Za-z]|[一二三四五六七八九十]{1,3})$")
_ITEM_BEFORE = f"{SPACES}\n。；;：:！!？?，,、"  # what may stand before an item number
_CONTEXT = 8  # characters quoted on each side of an unmatched mark


def bracket_slips(text: str, numbers: Sequence[Slip] = ()) -> list[Slip]:
    """The first unmatched mark of the text. A faulty 文号 (``numbers``) is left out: its stray bracket (中发2018）34号)
    is that one slip, not a second one."""
    masked = text
    if numbers:
        chars = list(text)
        for slip in numbers:
            chars[slip.start : slip.start + len(slip.anchor)] = "□" * len(slip.anchor)
        masked = "".join(chars)
    unmatched = _unmatched(masked)
    if not unmatched:
        return []
    i, mark, partner = unmatched[0]
    start, anchor = _around(text, i)
    family = _FAMILY.get(mark) or _FAMILY[partner]
    opening = mark in _PAIRS
    side, other = ("左", "右") if opening else ("右", "左")
    shown = "" if family.endswith("引号") else f"“{mark}”"
    shown_partner = "" if family.endswith("引号") else f"“{partner}”"
    message = f"{family}不成对：“{anchor}”中的{side}{family}{shown}没有对应的{other}{family}{shown_partner}"
    if len(unmatched) > 1:
        message += f"（该单元格共有 {len(unmatched)} 处不成对）"
    return [Slip(codes.W_BRACKETS, start, anchor, message)]


def _unmatched(text: str) -> list[tuple[int, str, str]]:
    """(position, the mark, its missing partner) of every mark without a partner, in the order they stand."""
    if _CLOSED_AT_ONCE.fullmatch("".join(_MARK.findall(text))):
        return []  # each mark closed by the next (a project's “（一期）…（98）”): nothing to walk
    unmatched: list[tuple[int, str, str]] = []
    open_at: dict[str, list[int]] = {}  # each pair counted on its own
    for m in _MARK.finditer(text):  # only where a mark stands, not every character
        i, ch = m.start(), m.group()
        if ch in _PAIRS:
            open_at.setdefault(ch, []).append(i)
        elif stack := open_at.get(opener := _OPENER[ch]):
            stack.pop()
        elif not _numbering(text, i) and not _apostrophe(text, i):
            unmatched.append((i, ch, opener))
    for opener, stack in open_at.items():
        unmatched += [(i, opener, _PAIRS[opener]) for i in stack]
    return sorted(unmatched)


def _numbering(text: str, i: int) -> bool:
    if text[i] not in "）)":
        return False
    start = max(0, i - 3)
    m = _ITEM.search(text, start, i)
    return m is not None and (m.start() == 0 or text[m.start() - 1] in _ITEM_BEFORE)


def _apostrophe(text: str, i: int) -> bool:
    """’ between two Latin letters (don’t) is an apostrophe, not a closing quote."""
    return text[i] == "’" and bool(re.fullmatch("[A-Za-z]’[A-Za-z]", text[i - 1 : i + 2]))


def _around(text: str, i: int) -> tuple[int, str]:
    """A short quote around position i, within its line (a line break starts a new paragraph in the report)."""
    line_start = text.rfind("\n", 0, i) + 1
    line_end = text.find("\n", i)
    line_end = len(text) if line_end < 0 else line_end
    start = max(line_start, i - _CONTEXT)
    end = min(line_end, i + _CONTEXT + 1)
    return start, text[start:end]


# 3. Figures: full-width digits (１７, ２５.７３), or a space inside a figure — digits grouped in thousands by spaces
# (12 678.39) — or before its percent sign (54 %). A space between a figure and its unit or between words (976 户,
# 2023年 3月, GB/T 9704) does not change how the figure reads and is left alone; so are two numbers side by side
# that are not thousands groups (0734 5821234, 2022 2023), a code after Latin letters (GB/T 9704 2012) and a time
# after a date (2023-03-31 10:00).

_FULL_WIDTH = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)*")
_SPLIT = re.compile(
    rf"(?<![0-9０-９])[0-9０-９]{{1,3}}(?:[{SPACES}]+[0-9０-９]{{3}})+(?![0-9０-９])(?:[.．][0-9０-９]+)?"
    rf"|(?<![0-9０-９])[0-9０-９]+(?:[.．][0-9０-９]+)?[{SPACES}]+[%％‰]"
)
# where a match of _SPLIT can begin: a figure's first digit, the figure followed by a space
_SPLIT_STARTS = re.compile(rf"[0-9０-９](?<![0-9０-９].)(?=[0-9０-９]*(?:[.．][0-9０-９]+)?[{SPACES}])")
_FIGURE_MAX = 24
_WIDE_DIGIT = re.compile("[０-９]")  # with no space, no full-width digit: nothing to find
_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


def digit_slips(text: str) -> list[Slip]:
    spans: list[tuple[int, int, str]] = []
    for m in _FULL_WIDTH.finditer(text):
        if _WIDE_DIGIT.search(m.group()):
            spans.append((m.start(), m.end(), "full"))
    for m in _finditer(_SPLIT, _SPLIT_STARTS, text):
        if not _code_or_time(text, m.start(), m.end()):
            spans.append((m.start(), m.end(), "space"))
    merged: list[tuple[int, int, set[str]]] = []
    for start, end, kind in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] | {kind})
        else:
            merged.append((start, end, {kind}))
    slips = []
    for start, end, kinds in merged:
        anchor = text[start:end]
        fixed = _SPACE.sub("", anchor.translate(_DIGITS))
        if len(anchor) > _FIGURE_MAX:  # no figure: a pasted run of digits, quoted by its start
            anchor = anchor[:_FIGURE_MAX]
            message = f"“{anchor}…”用了全角数字或中间有空格，应为半角数字、连续书写"
        elif kinds == {"full"}:
            message = f"“{anchor}”用了全角数字，应为半角“{fixed}”"
        elif kinds == {"space"}:
            message = f"数字“{anchor}”中间有空格，应为“{fixed}”"
        else:
            message = f"“{anchor}”用了全角数字且中间有空格，应为“{fixed}”"
        slips.append(Slip(codes.W_DIGITS, start, anchor, message))
    return slips


def _code_or_time(text: str, start: int, end: int) -> bool:
    """GB/T 9704 2012 (a code after Latin letters), 2023-03-31 10:00 (a time after a date)."""
    before = text[:start].rstrip(SPACES)[-1:]
    return bool(re.match(r"[A-Za-z\-/:：_]", before)) or text[end : end + 1] in (":", "：")


# 4. A word typed twice: two to eight characters repeated at once (安全安全), never a reduplication of one
# character (常常, 人人, 明明白白) except 的的; 一个一个, 一步一步 are counting, not slips (一是一是 is one).
# A two-character word typed again after the next word (质量安全质量隐患) is a slip only where the same
# paragraph also writes the phrase without it (质量安全隐患): “防护目标防护工作” and “信息化和信息资料” are
# correct Chinese of the same shape.

_REPEAT = re.compile(rf"([{CJK}]{{2,8}}?)\1")  # the shortest unit: 绩效评价绩效评价, not eight characters twice
# 目的的 (实现目的的手段), 标的的, 的的确确 are words; 项目的的, 科目的的 are not
_DE = re.compile(r"(?<![标端])(?<!(?<![项题节科栏数条名书账])目)的的(?!确)")
# (three CJK classes in the pattern cost ~1.5 ms to compile: each hit's eight characters are tested in Python
# instead, the same hits, since every group is of fixed width and a hit at one place leaves the next place open)
_AGAIN = re.compile(r"(?=((..)(..)\2(..)))")
# What every hit above needs: two characters typed again within eight (a unit of 2–8 repeated, or 质量 after the
# next word), or 的的. Most text has neither, and one search and a substring test say so. (The pattern begins with
# a class, not {2} of it nor a choice with 的的, so that re skips to each CJK character instead of trying every
# position: a fifth less time.)
_REPEAT_CUE = re.compile(rf"([{CJK}][{CJK}])[{CJK}]{{0,6}}\1")


def repeat_slips(text: str) -> list[Slip]:
    slips = []
    for m in _REPEAT.finditer(text):
        word = m.group(1)
        if len(set(word)) == 1 or (len(word) == 2 and word[0] == "一" and word[1] != "是"):
            continue
        slips.append(Slip(codes.W_REPEATED_WORD, m.start(), m.group(), f"“{m.group()}”中“{word}”重复"))
    for m in _DE.finditer(text) if "的的" in text else ():  # _DE begins with look-behinds: re tries it everywhere
        slips.append(Slip(codes.W_REPEATED_WORD, m.start(), m.group(), "“的的”中“的”重复"))
    in_text: dict[str, bool] = {}  # a pasted block repeats its candidates: look each up once
    for m in _AGAIN.finditer(text):
        whole, word, middle, rest = m.groups()
        if not all("\u4e00" <= ch <= "\u9fff" for ch in whole):
            continue
        intended = word + middle + rest
        if intended not in in_text:
            in_text[intended] = intended in text
        if word == middle or not in_text[intended]:
            continue
        paragraph = text[text.rfind("\n", 0, m.start()) + 1 :].split("\n", 1)[0]  # a line break starts one
        if intended in paragraph:
            slips.append(
                Slip(
                    codes.W_REPEATED_WORD,
                    m.start(),
                    whole,
                    f"“{whole}”中“{word}”重复，同一段另写作“{intended}”",
                )
            )
    return slips


# 5. Stale wording: what was written during the year and not brought up to the year's end. 截至目前; 目前…正在 or
# 现正在 (ongoing as of writing); 下半年将; and 预计/将于/将在 with a date in the report year (the year named,
# 本年/今年/年内/年底/年末, or 12月 without a year). A date in another year, or 1–11月 without a year (in a report
# written the next spring that may well be next year), is left alone; so is text that states a plan.

_CLAUSE = r"[^，,。；;！!？?\n]"
_WHEN = r"(?P<when>(?:[0-9]{4}年|本年度?|今年|年内)?(?:[0-9]{1,2}月(?:[0-9]{1,2}日|底|末|份|中旬|下旬)?|年底|年末)?)前?"
_STALE = re.compile(
    r"(?P<now>截[至止]到?目前)"
    rf"|(?P<ongoing>目前{_CLAUSE}{{0,8}}?正在)"
    rf"|(?:^|(?<=[{SPACES}，,。；;：:]))(?P<ongoing2>现正在)"
    r"|(?:(?P<h_year>[0-9]{4})年)?(?P<half>下半年将)"
    rf"|(?P<plan>(?:预计|将于|将在)(?:于|在|到)?{_WHEN})"
)
# where a match of _STALE can begin: the first character of each alternative's word, or the year before 下半年将
_STALE_STARTS = re.compile(
    "[截目现下预将0-9](?:(?<=截)(?=[至止])|(?<=目)(?=前)|(?<=现)(?=正在)|(?<=下)(?=半年将)|(?<=预)(?=计)"
    "|(?<=将)(?=[于在])|(?<=[0-9])(?=[0-9]{3}年下半年将))"
)
_STALE_CUE = re.compile("目前|现正在|下半年将|预计|将于|将在")  # a word each alternative above begins with or holds


def stale_slips(text: str, year: int | None) -> list[Slip]:
    slips = []
    end_of_year = f"截至{year}年12月31日" if year else "截至年末"
    for m in _finditer(_STALE, _STALE_STARTS, text):
        if m.group("half") and m.group("h_year") and year and int(m.group("h_year")) != year:
            continue
        if m.group("plan") and not _in_report_year(m, year):
            continue
        anchor = m.group()
        slips.append(
            Slip(
                codes.W_STALE_WORDING,
                m.start(),
                anchor,
                f"“{anchor}”是年中的写法，年度报告应写明{end_of_year}的实际情况",
            )
        )
    return slips


def _in_report_year(m: re.Match[str], year: int | None) -> bool:
    when = m.group("when")
    named = re.match(r"([0-9]{4})年", when)
    if named:
        return year is None or int(named.group(1)) == year
    return bool(re.match("本年|今年|年内|年底|年末|12月", when))


# 6–8, read in one pass over the text (``_ONE_PASS``):
#
# 6. A stale year: a year other than the report's right before words that name this year's accounts — 部门决算,
# 部门整体支出, 部门预算, 年初预算, 决算总收入/总支出 — as in “2021年部门决算为…” left in a 2022 report from last
# year's. Narrow on purpose: a bare 决算/预算 (“2021年决算数”) is often last year's figure quoted on purpose; a
# comparison (较/比/与/同/上年/去年 earlier in the clause) and next year's 部门预算/年初预算 are correct; a plan
# (下一步改进措施) may name any year; other years in the text (“已于2021年通气”) are history, never judged.
#
# 7. An amount whose unit word differs from the amounts it adds up with: a total followed by 其中 and its parts in
# the same sentence, whose numbers add up as typed but whose units differ (“决算数4.27元，其中：…1.84万元，…2.43
# 万元”): the figures were written in one unit and one unit word is wrong; the odd one out is flagged. Units that
# add up once converted (“1.2亿元，其中：4000万元，8000万元”) are correct, and an amount with no such sum beside it
# (“每户补助1200元” among 万元 totals) is never judged: no sum, no evidence.
#
# 8. A space before a full-width closing or pause mark (“》 ，”, “完成 。”), or after one and before a Chinese
# character (“31日， 固定资产”, “（境） 费”): a full-width mark carries its own spacing, so the space prints as a gap.
# An indent (spaces at a line's start) and a space before Latin text or a figure (“电话： 0734…”) are left alone.

_ACCOUNTS = ("部门决算", "部门整体支出", "部门预算", "年初预算", "决算总收入", "决算总支出")
_NEXT_YEARS = frozenset({"部门预算", "年初预算"})  # next year's budget is a subject a report may well name
_COMPARING = re.compile("较|比|与|同|上年|去年|上一年")
_CLAUSE_START = "，,。；;：:！!？?\n"
_CLOSING = "，。；：、！？）》」』”’】〕"  # marks a space must not stand before
_PAUSING = "，。；：、！？）》」』”】〕"  # marks a space must not follow, before a Chinese character
_UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_ONE_PASS = re.compile(
    rf"(?<![0-9])(?P<year>(?:19|20)[0-9]{{2}})年度?(?P<account>{'|'.join(_ACCOUNTS)})"
    rf"|(?<=[^\s])(?P<before>[{SPACES}]+)(?=[{_CLOSING}])"
    rf"|(?<=[{_PAUSING}])(?P<after>[{SPACES}]+)"  # and a CJK character next: tested in one_pass_slips
    r"|(?<![0-9.,])(?P<amount>[0-9][0-9,]*(?:\.[0-9]+)?) ?(?P<unit>亿元|万元|千元|元)"
    r"|(?P<part>其中)"
    r"|(?P<stop>[。；;\n])"
)
# where a match of _ONE_PASS can begin: a number's first digit before 年 or a unit word, a space, 其中, a stop
_ONE_PASS_STARTS = re.compile(
    rf"[0-9{SPACES}其。；;\n](?:(?<=[0-9])(?<![0-9].)(?=[0-9]{{3}}年|[0-9,]*(?:\.[0-9]+)? ?[亿万千元])"
    rf"|(?<=[{SPACES}])|(?<=其)(?=中)|(?<=[。；;\n]))"
)
# What it can find: a year (digits and 年), an amount (digits and 元), a space. proofread lists them in this order.
_ONE_PASS_CODES = (codes.W_STALE_YEAR, codes.W_UNIT_WORD, codes.W_STRAY_SPACE)


def _one_pass_cue(text: str) -> bool:
    """Whether a text with digits and no space can hold a stale year or a unit word: the first needs one of
    ``_ACCOUNTS`` (each holds 部门 or 算), the second a 其中. Amounts alone (“总投资201.25万元”, most texts with a
    figure) wake neither."""
    return "其中" in text or "算" in text or "部门" in text


@dataclass
class _Amount:
    start: int
    anchor: str
    number: Decimal
    unit: str


def one_pass_slips(text: str, year: int | None, *, forward: bool = False) -> list[Slip]:
    """Stale years, unit words and stray spaces (6–8 above), found in one reading of ``text``."""
    slips: list[Slip] = []
    sentence: list[_Amount | None] = []  # the amounts of the sentence being read, None where 其中 stands
    for m in _finditer(_ONE_PASS, _ONE_PASS_STARTS, text):
        kind = m.lastgroup
        if kind == "account":
            if year is not None and not forward:
                slips += _stale_year(text, m, year)
        elif kind in ("before", "after"):
            # an "after" with no CJK character next is no slip; its spaces could begin no other alternative
            if kind == "before" or _cjk(text[m.end() : m.end() + 1]):
                slips.append(_stray_space(text, m, kind == "before"))
        elif kind == "unit":
            number = Decimal(m.group("amount").replace(",", ""))
            sentence.append(_Amount(m.start(), m.group(), number, m.group("unit")))
        elif kind == "part":
            sentence.append(None)
        else:
            slips += _unit_slips(sentence)
            sentence = []
    return slips + _unit_slips(sentence)


def _stale_year(text: str, m: re.Match[str], year: int) -> list[Slip]:
    said, account = int(m.group("year")), m.group("account")
    if said == year or (said == year + 1 and account in _NEXT_YEARS):
        return []
    clause = text[: m.start()]
    clause = clause[max(clause.rfind(c) for c in _CLAUSE_START) + 1 :]
    if _COMPARING.search(clause):
        return []
    anchor = m.group()
    fixed = f"{year}{anchor[4:]}"
    return [Slip(codes.W_STALE_YEAR, m.start(), anchor, f"“{anchor}”的年份不是报告年度：本年度的应为“{fixed}”")]


def _stray_space(text: str, m: re.Match[str], before: bool) -> Slip:
    """Quoted with the mark and the characters either side: “》 ，”, “日， 固”."""
    start = m.start() - 1 if before else max(0, m.start() - 2)
    anchor = text[start : m.end() + 1]
    fixed = _SPACE.sub("", anchor)
    where = "前" if before else "后"
    return Slip(codes.W_STRAY_SPACE, start, anchor, f"“{anchor}”中标点{where}多了空格，应为“{fixed}”")


def _unit_slips(sentence: list[_Amount | None]) -> list[Slip]:
    """In one sentence, each total before 其中 with its parts after it: the odd unit out, where the numbers add up
    as typed and not once converted."""
    slips = []
    for i, item in enumerate(sentence):
        if item is not None or i == 0 or sentence[i - 1] is None:
            continue
        total = sentence[i - 1]
        parts: list[_Amount] = []
        for part in sentence[i + 1 :]:
            if part is None:
                break
            parts.append(part)
        group = [total, *parts]
        if total is None or len(parts) < 2 or len({a.unit for a in group if a}) < 2:
            continue
        if sum(p.number for p in parts) != total.number:
            continue
        if sum(p.number * _UNITS[p.unit] for p in parts) == total.number * _UNITS[total.unit]:
            continue
        units = Counter(a.unit for a in group if a)
        (common, n), *rest = units.most_common()
        if rest and rest[0][1] == n:
            continue  # no unit most of them share: which one is wrong is not clear
        for a in group:
            if a is not None and a.unit != common:
                fixed = a.anchor.removesuffix(a.unit) + common
                message = f"“{a.anchor}”的单位与同一句中与它相加的金额（{common}）不同，按数字应为“{fixed}”"
                slips.append(Slip(codes.W_UNIT_WORD, a.start, a.anchor, message))
    return slips
