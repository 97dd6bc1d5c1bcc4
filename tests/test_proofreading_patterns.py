"""The proofreading patterns without CJK classes (cheaper to compile, checks/text.py) find what the patterns with
them found: seeded texts proofread both ways give the same slips."""

from __future__ import annotations

import random
import re

import pytest

from pipeline.checks import text as rules

CJK = rules.CJK
# the patterns as they were, each CJK test inside the pattern
OLD_AGAIN = re.compile(rf"(?=(([{CJK}]{{2}})([{CJK}]{{2}})\2([{CJK}]{{2}})))")
NEW_AFTER = rf"|(?<=[{rules._PAUSING}])(?P<after>[{rules.SPACES}]+)"
OLD_ONE_PASS = re.compile(rules._ONE_PASS.pattern.replace(NEW_AFTER, NEW_AFTER + rf"(?=[{CJK}])"))

FRAGMENTS = [
    *"质量安全隐患目标防护工作信息化和资料的绩效评价一是个步",
    "质量安全质量隐患", "质量安全隐患", "防护目标防护工作", "绩效评价绩效评价", "一个一个", "项目的的",
    "中发2018）34号", "湘政发〔2021〕5号", "【2022】41号", "（201910号", "衡办[2020]7号", "第3号",
    "2021年部门决算", "2022年度部门预算", "较2020年部门预算", "4.27元，其中：", "1.84万元，", "2.43万元",
    "1,200元", "其中", "决算数4.27元，其中：1.84万元，2.43万元。", "1.2亿元，其中：4000万元，8000万元",
    "质量ab质量隐患", "质量ab隐患", "a1b2a1c3", "a1b2c3", "的的", "质量安全质量\n隐患", "截至目前", "目前正在", "现正在", "下半年将", "预计12月底", "将于2022年",
    "１７", "２５.７３", "12 678.39", "54 %", "0734 5821234", "GB/T 9704 2012", "10:00",
    "》 ，", "完成 。", "， 固定", "（境） 费", "：\u3000资产", "，\xa0a", "、 1", "。  ", "， \u4dff", "， \ua000",
    "\u4e00\u9fff", "\u4dff\u4dff", "（", "）", "“", "”", "‘", "’", "《", "》", "1）", "b)", "don’t",
    " ", "\u3000", "\xa0", "\n", "，", "。", "；", "a", "B", "0", "5", "年", "元", "号",
]  # fmt: skip


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 14)))


@pytest.mark.parametrize("seed", range(4))
def test_proofreading_finds_what_the_cjk_patterns_found(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    texts = [_text(rng) for _ in range(1500)]
    cases = [(t, rng.choice([None, 2021, 2022]), rng.random() < 0.2) for t in texts]
    new = [rules.proofread(t, year, forward=forward) for t, year, forward in cases]
    monkeypatch.setattr(rules, "_AGAIN", OLD_AGAIN)
    monkeypatch.setattr(rules, "_ONE_PASS", OLD_ONE_PASS)
    old = [rules.proofread(t, year, forward=forward) for t, year, forward in cases]
    assert new == old
    assert sum(map(len, new)) > 1000  # slips of every kind found, not only none alike
    assert {slip.code for slips in new for slip in slips} == set(rules.PROOFREADING)


def test_the_old_patterns_are_the_new_ones_with_the_cjk_tests() -> None:
    assert OLD_ONE_PASS.pattern != rules._ONE_PASS.pattern  # the replacement above found its place
    assert rules._AGAIN.pattern == r"(?=((..)(..)\2(..)))"


@pytest.mark.parametrize(
    "text", ["，\u3000中", "， a", "，  \u4e00", "。 \u9fff", "、 \ua000", "； \u4dff", "，\xa0\n"]
)
def test_a_space_after_a_mark_is_a_slip_only_before_a_cjk_character(text: str) -> None:
    new = rules.one_pass_slips(text, 2022)
    old = [m for m in OLD_ONE_PASS.finditer(text) if m.lastgroup == "after"]
    assert [s.start for s in new] == [max(0, m.start() - 2) for m in old]
