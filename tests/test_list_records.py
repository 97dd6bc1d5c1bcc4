"""The list sheets' records normalize builds without their __init__ (normalize._record) are the records __init__
builds: same class, same fields in the same order, same values and cells."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from pipeline.model.record import Table
from pipeline.session import Profiles, chosen_profile
from pipeline.workbook.normalize import normalize
from pipeline.workbook.reader import open_workbook

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["2022.xlsx", "township-2023.xlsx"])
def test_each_record_is_what_its_init_makes(name: str) -> None:
    source = open_workbook(ROOT / "inputs" / name)
    profile, _ = chosen_profile(source, Profiles().get)
    report = normalize(source, profile.layout).report()
    tables = [value for value in vars(report).values() if isinstance(value, Table)]
    assert sum(len(table) for table in tables) > 20
    for table in tables:
        for record in table:
            cls: Any = type(record)
            given = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
            made = cls(**given)
            assert record == made
            assert list(vars(record).items()) == list(vars(made).items())
            assert hash(record) == hash(made)
