"""Patterns made from what the cache keeps (pipeline/cli/compiled_regex.py) are the patterns ``re`` makes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.checks import text as proofreading
from pipeline.cli import compiled_regex

from .conftest import ROOT

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<year>(?:19|20)[0-9]{2})年度?(?P<account>部门决算|部门预算)|(?<=[^\s])(?P<before>[ \u3000]+)", 0),
    (r"\033\[[;?0-9]*[a-zA-Z]", 0),
    (r"(?i)straße|[à-ÿ]+", 0),
    ("[一-鿿]{2,8}?", re.IGNORECASE),
    (
        r"""(?x) ^ \s* (?P<sign>[-+])? # a sign
          (?=\d|\.\d) (?P<num>\d*)""",
        0,
    ),
    (r"(a)(b)?(?:c)(?P<d>d)\2", re.MULTILINE | re.DOTALL),
    (rb"[\x00-\x1f\x7f]+|\xff", 0),
    (rb"(?P<x>ab)+", re.IGNORECASE),
    (r"\w+\b|\d{3,}", re.ASCII),
    ("", 0),
    *((p.pattern, p.flags) for p in vars(proofreading).values() if isinstance(p, re.Pattern)),
]
SAMPLES = ["", "abcdabd", "2021年部门决算 ，", "STRASSE straße ÀÿÉ", "  -12.5", "\x1b[1;31mred", "质量安全质量"]


@pytest.fixture
def on(monkeypatch: pytest.MonkeyPatch) -> None:
    if not compiled_regex._READY:
        pytest.skip("this Python's re has other internals: nothing is installed")
    monkeypatch.setattr(compiled_regex, "_on", True)
    monkeypatch.setattr(compiled_regex, "_kept", {})
    monkeypatch.setattr(compiled_regex, "_new", {})


def _matches(pattern: re.Pattern[Any]) -> list[Any]:
    found = []
    for sample in SAMPLES:
        text: Any = sample.encode("utf-8") if isinstance(pattern.pattern, bytes) else sample
        found.append([(m.span(), m.groups(), m.groupdict(), m.lastgroup) for m in pattern.finditer(text)])
    return found


@pytest.mark.parametrize(("source", "flags"), PATTERNS)
def test_a_kept_pattern_is_the_pattern_re_makes(source: str | bytes, flags: int, on: None) -> None:
    theirs = compiled_regex._ORIGINAL(source, flags)
    first = compiled_regex._compile(source, flags)  # compiled by re, and kept
    assert (source, int(flags)) in compiled_regex._new
    again = compiled_regex._compile(source, flags)  # made from what was kept
    assert again is not first
    for mine in (first, again):
        assert mine == theirs
        assert (mine.pattern, mine.flags, mine.groups, mine.groupindex) == (
            theirs.pattern,
            theirs.flags,
            theirs.groups,
            theirs.groupindex,
        )
        assert _matches(mine) == _matches(theirs)


def test_a_refused_pattern_raises_as_before_and_locale_or_debug_is_left_to_re(on: None) -> None:
    with pytest.raises(re.error) as refused:
        compiled_regex._compile("[a-", 0)
    assert "unterminated character set" in str(refused.value)
    compiled_regex._compile(rb"\w", re.LOCALE)
    assert compiled_regex._new == {} and compiled_regex._on


def test_a_kept_entry_this_python_cannot_take_turns_the_cache_off(on: None) -> None:
    compiled_regex._kept[("ab", 0)] = (0, [1, 2, 3], 0, {}, ())
    compiled_regex._new[("cd", 0)] = (0, [], 0, {}, ())
    assert compiled_regex._compile("ab", 0) == re.compile("ab")  # re compiles it
    assert not compiled_regex._on and compiled_regex._new == {}  # and nothing of this process is kept


def test_patterns_are_compiled_once_and_read_back_by_the_next_process(tmp_path: Path) -> None:
    code = (
        "import json\n"
        "from pipeline.cli import compiled_regex as c\n"
        "import pipeline.session, pipeline.checks.text as t\n"
        "print(json.dumps([c._on, len(c._kept), len(c._new), t.proofread('质量安全质量隐患，质量安全隐患 。', 2022) != []]))\n"
    )
    env = {**os.environ, "GENREPORT_CACHE_DIR": str(tmp_path), "GENREPORT_CACHE": "1"}

    def run(**extra: str) -> list[Any]:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**env, **extra}
        )
        assert out.returncode == 0, out.stderr
        said: list[Any] = json.loads(out.stdout.splitlines()[-1])
        return said

    first = run()
    assert first[0] and first[1] == first[2] > 20 and first[3]
    again = run()
    assert again == [True, first[1], 0, True]  # nothing compiled by re's compiler: all read from the cache
    for entry in tmp_path.rglob("regex.marshal"):
        entry.write_bytes(b"\x00not marshal")
    assert run() == first  # a damaged entry is compiled again, not trusted
    assert run(GENREPORT_CACHE="0") == [False, 0, 0, True]  # no cache: re left alone


def test_a_pattern_made_of_content_is_never_kept(on: None) -> None:
    """A figure or quoted words made into a pattern (cache.content_pattern) is compiled by re and kept nowhere."""
    from pipeline import cache

    assert cache.content_pattern(r"12678\.39").search("总支出12678.39万元")
    assert cache.content_pattern(rb"<c r=\"B7\"").pattern == rb"<c r=\"B7\""
    assert compiled_regex._new == {} and compiled_regex._kept == {} and compiled_regex._on
    re.compile("static pattern of genreport's own")
    assert list(compiled_regex._new) == [("static pattern of genreport's own", 0)]


def test_a_build_keeps_no_pattern_made_of_the_report(tmp_path: Path) -> None:
    """After building the sample, the kept patterns hold none of its figures or quoted words (the review comments'
    anchors, tests/golden/review_comments.json): the cache says nothing of anyone's data."""
    if not compiled_regex._READY:
        pytest.skip("this Python's re has other internals: nothing is installed")
    env = {**os.environ, "GENREPORT_CACHE_DIR": str(tmp_path / "cache"), "GENREPORT_CACHE": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(ROOT / "inputs" / "2022.xlsx"), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    import marshal

    (entry,) = (tmp_path / "cache").rglob("regex.marshal")
    kept = [str(pattern) for pattern, _ in marshal.loads(entry.read_bytes())]
    golden = json.loads((ROOT / "tests" / "golden" / "review_comments.json").read_text("utf-8"))["2022"]
    anchors = {covered for covered, _ in golden if len(covered) >= 4}
    assert anchors and "12678.39" in anchors
    leaked = [p for p in kept for a in anchors if a in p or re.escape(a) in p]
    assert leaked == []
