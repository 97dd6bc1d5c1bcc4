"""The median of the other values, as the outlier check uses it, is statistics.median's over the others."""

from __future__ import annotations

import random
from decimal import Decimal
from statistics import median

from pipeline.checks.lists import _medians_of_others
from pipeline.model.record import Place


def test_each_median_of_the_others_is_statistics_median_of_them() -> None:
    rng = random.Random(19)
    for size in [3, 4, 5, 6, 7, 10, 11, 50, 51]:
        for _ in range(20):
            amounts = [Decimal(rng.choice([rng.randint(1, 9), rng.randint(1, 10_000)])) / 100 for _ in range(size)]
            values = [(f"项目{i}", v, Place("项目", f"B{i + 3}")) for i, v in enumerate(amounts)]
            expected = [Decimal(median([v for j, v in enumerate(amounts) if j != i])) for i in range(size)]
            assert [str(m) for m in _medians_of_others(values)] == [str(m) for m in expected], amounts
