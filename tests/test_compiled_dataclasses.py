"""Dataclasses made from cached code (pipeline/cli/compiled.py) are the dataclasses ``exec`` of their text makes."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import compiled

from .conftest import ROOT


def _classes() -> list[type[Any]]:
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Frozen:
        name: str
        amount: int = 3
        tags: list[str] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(order=True)
    class Plain:
        x: float
        y: Any = None

    return [Frozen, Plain]


def _made(via_cache: bool) -> list[type[Any]]:
    hooked = dataclasses.__dict__.pop("exec", None)
    try:
        if via_cache:
            dataclasses.exec = compiled._exec  # type: ignore[attr-defined]
        return _classes()
    finally:
        dataclasses.__dict__.pop("exec", None)
        if hooked is not None:
            dataclasses.exec = hooked  # type: ignore[attr-defined]


def test_a_class_made_from_cached_code_behaves_as_one_made_from_its_text() -> None:
    for mine, theirs in zip(_made(True), _made(False), strict=True):
        for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__lt__"):
            a: Any = getattr(mine, name, None)
            b: Any = getattr(theirs, name, None)
            if not hasattr(b, "__code__"):
                assert a is b or not hasattr(a, "__code__"), name
                continue
            assert a.__code__.co_code == b.__code__.co_code, name
            assert a.__annotations__ == b.__annotations__, name  # no future flag of compiled.py inherited
            assert a.__code__.co_flags == b.__code__.co_flags, name
        assert str(inspect.signature(mine)) == str(inspect.signature(theirs))
    frozen, plain = _made(True)
    one = frozen(name="a")
    assert repr(one).endswith("Frozen(name='a', amount=3, tags=[])")
    assert one == frozen(name="a") and one != frozen(name="b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.name = "b"
    assert plain(1.0) < plain(2.0)


def test_code_is_compiled_once_and_read_back_by_the_next_process(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from pipeline.cli import compiled\n"
        "import pipeline.session\n"
        "print(json.dumps([len(compiled._codes), len(compiled._compiled)]))\n"
    )
    env = {**os.environ, "GENREPORT_CACHE_DIR": str(tmp_path), "GENREPORT_CACHE": "1"}

    def run() -> list[int]:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
        assert out.returncode == 0, out.stderr
        counts: list[int] = json.loads(out.stdout.splitlines()[-1])
        return counts

    first = run()
    assert first[0] == first[1] > 50  # every text compiled here
    assert len(list(tmp_path.rglob("dataclasses.marshal"))) == 1
    again = run()
    assert again == [first[0], 0]  # nothing compiled: all read from the cache
    for entry in tmp_path.rglob("dataclasses.marshal"):
        entry.write_bytes(b"\x00not marshal")
    assert run() == first  # a damaged entry is compiled again, not trusted
    off = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**env, "GENREPORT_CACHE": "0"}
    )
    assert json.loads(off.stdout.splitlines()[-1]) == [0, 0]  # no cache: dataclasses left alone
