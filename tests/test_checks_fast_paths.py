"""The checks' fast paths (issue 19) give what their exact paths give: each shortcut beside the code it skips."""

from __future__ import annotations

import random

from pipeline.checks import text as text_rules
from pipeline.checks.text import proofread

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


def test_what_is_kept_starts_over_past_its_limit() -> None:
    read = text_rules._Read(10)
    read.slips("绩效评价绩效评价", 2022, False)
    assert read.chars == 8
    read.slips("安全安全", 2022, False)  # 12 > 10: the first is let go
    assert list(read.kept) == [("安全安全", 2022, False)] and read.chars == 4
