"""What a one-report build no longer does at its start (issue 19 §5), and that each shortcut answers as the long way:
the template check's cache key, the code fingerprint, the context's types, the garbage collector's pauses."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import pytest

from pipeline import cache
from pipeline.context import CHART_KEYS
from pipeline.context.vocabulary import Charts
from pipeline.render import RenderOptions
from pipeline.render.environment import make_environment
from pipeline.session import load_context
from pipeline.template.check import check_document
from pipeline.template.declared import CustomField
from pipeline.template.settings import default_settings

from .conftest import ROOT, SAMPLE

DEFAULT = ROOT / "templates" / "default" / "report.docx"


def test_chart_keys_are_the_declared_charts_but_enabled() -> None:
    assert tuple(key for key in Charts.__annotations__ if key != "enabled") == CHART_KEYS


def test_a_build_does_not_declare_the_context_types(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pipeline.cli import app\n"
        "try:\n"
        f"    app(['build', {str(SAMPLE)!r}, '-o', {str(tmp_path)!r}, '-q'], prog_name='genreport')\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        "print('pipeline.context.vocabulary' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.stdout.splitlines()[-1] == "False", out.stderr


def test_the_fingerprint_stats_the_modules_rglob_finds() -> None:
    found: list[tuple[str, Any]] = []
    cache._modules(str(cache.PACKAGE), "", found)
    by_rglob = {str(p.relative_to(cache.PACKAGE)): p.stat() for p in cache.PACKAGE.rglob("*.py")}
    assert {name: (s.st_size, s.st_mtime_ns) for name, s in found} == {
        name: (s.st_size, s.st_mtime_ns) for name, s in by_rglob.items()
    }


def _template(tmp_path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / f"t{len(list(tmp_path.glob('t*.docx')))}.docx"
    document.save(str(path))
    return path


def _answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cases: list[tuple[Path, Any, Any]]) -> list[Any]:
    """Each case checked twice with the cache (written, then read) and once without; all three must agree."""
    env = make_environment(RenderOptions())
    monkeypatch.setenv("GENREPORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GENREPORT_CACHE", raising=False)
    cached = [check_document(p, env, c, None, s) for p, c, s in cases]
    again = [check_document(p, env, c, None, s) for p, c, s in cases]
    monkeypatch.setenv("GENREPORT_CACHE", "0")
    fresh = [check_document(p, env, c, None, s) for p, c, s in cases]
    assert cached == again == fresh
    return fresh


def test_the_check_cache_answers_each_shape_and_settings_as_a_fresh_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Contexts of other shapes (a list emptied, a custom field present or not, a value of another type) and other
    settings never reuse one another's answer: the key is what the shape checked against is made from."""
    context, _ = load_context(SAMPLE)
    emptied: dict[str, Any] = copy.deepcopy(dict(context))
    emptied["projects"] = []
    with_custom: dict[str, Any] = copy.deepcopy(dict(context))
    with_custom["custom"] = {**with_custom.get("custom", {}), "绿化面积": "3"}
    as_number: dict[str, Any] = copy.deepcopy(with_custom)
    as_number["custom"]["绿化面积"] = 3
    declared = default_settings()
    declared = type(declared)(declared.values, declared.aliases, declared.tables, (CustomField("绿化面积"),))
    uses_custom = _template(tmp_path, "{{ custom.绿化面积 }}", "{{ custom.绿化面积.strip() }}")
    uses_projects = _template(tmp_path, "{% for p in projects %}{{ p.name }}{{ p.nosuch }}{% endfor %}")
    cases: list[tuple[Path, Any, Any]] = [
        (path, ctx, settings)
        for path in (DEFAULT, uses_custom, uses_projects)
        for ctx in (context, emptied, with_custom, as_number, None)
        for settings in (None, default_settings(), declared)
    ]
    answers = _answers(monkeypatch, tmp_path, cases)
    assert len({json.dumps([[p.severity, p.where, p.message] for p in a], ensure_ascii=False) for a in answers}) > 3


def test_the_collector_is_back_after_the_cli_loads_and_a_command_keeps_its_threshold() -> None:
    code = (
        "import atexit, gc, sys\n"
        "from pipeline.cli import app\n"
        "print(gc.isenabled(), gc.get_threshold(), gc.get_freeze_count() > 0)\n"
        "atexit.register(lambda: print('at exit', gc.get_count()[0] == 0 and gc.get_freeze_count() > 0))\n"
        "try:\n"
        "    app(['--version'], prog_name='genreport')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(gc.isenabled(), gc.get_threshold())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    lines = out.stdout.splitlines()
    assert lines[0] == "True (700, 10, 10) True", out.stderr
    # the command's threshold stays; what is left when the process ends is frozen before the last collection
    assert lines[-2:] == ["True (50000, 10, 10)", "at exit True"], out.stderr
