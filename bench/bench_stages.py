"""Where a report's time goes: ``genreport build DIR --jobs 1`` run in this process over the bench workbooks, each
pipeline stage timed as it runs (wall ms per report; run it on a quiet machine).

    python bench/bench_stages.py                 # the 50 workbooks of part 1 of make bench
    python bench/bench_stages.py --n 20 --cold   # each workbook read as if it were the first of its batch

A batch keeps, between its workbooks, what they share word for word (the parts of one form, the texts they repeat):
``--cold`` lets all of it go before each workbook, to show what a batch of unlike workbooks would cost.
Workbooks are made once into ``--cache`` (bench/make_workbooks.py); nothing is left in the temp folder.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import importlib
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# (module, owner or None, function): the stages of session.BuildSession._render and of the prepared renderer
STAGES = [
    ("pipeline.session", None, "open_workbook"),
    ("pipeline.session", None, "normalize"),
    ("pipeline.session", None, "derive"),
    ("pipeline.session", None, "check_report"),
    ("pipeline.session", None, "check_declared"),
    ("pipeline.session", None, "appendix_gaps"),
    ("pipeline.session", None, "build_context"),
    ("pipeline.render.prepared", "PreparedTemplate", "render"),
    ("pipeline.render.prepared", None, "render_xml_part"),
    ("pipeline.render.prepared", "Steps", "fix_tables"),
    ("pipeline.render.prepared", None, "place_comments"),
    ("pipeline.render.prepared", None, "_serialized"),
    ("pipeline.render.prepared", "RenderedReport", "save"),
    ("pipeline.session", None, "atomic_write"),
]
INSIDE = {"render_xml_part", "fix_tables", "place_comments", "_serialized"}  # parts of PreparedTemplate.render


def timed(spent: collections.Counter[str], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return wrapper


def instrument(spent: collections.Counter[str], cold: bool) -> None:
    for module_name, owner_name, name in STAGES:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        label = f"{owner_name}.{name}" if owner_name else name
        setattr(owner, name, timed(spent, label, getattr(owner, name)))
    if cold:
        from pipeline.checks.text import forget_texts
        from pipeline.workbook.book_parts import forget_parts
        from pipeline.workbook.normalize import forget_labels

        session = importlib.import_module("pipeline.session")
        opened = session.open_workbook

        def first_of_its_batch(path: Path) -> Any:
            forget_texts()
            forget_parts()
            forget_labels()
            return opened(path)

        session.open_workbook = first_of_its_batch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50, help="workbooks (default 50)")
    parser.add_argument("--cold", action="store_true", help="let go of what the batch kept before each workbook")
    parser.add_argument("--cache", type=Path, default=None, help="where the workbooks are made once")
    args = parser.parse_args()
    from make_workbooks import generate

    cache = args.cache or ROOT / "bench-results" / "stages-workbooks"
    paths = generate(cache, args.n)
    spent: collections.Counter[str] = collections.Counter()
    instrument(spent, args.cold)
    from pipeline.cli import app

    work = Path(tempfile.mkdtemp(prefix="bench-stages-"))
    try:
        batch = work / "in"
        batch.mkdir()
        for path in paths:
            (batch / path.name).symlink_to(path)
        started = time.perf_counter()
        said = io.StringIO()
        try:
            with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
                app(["build", str(batch), "-o", str(work / "out"), "--jobs", "1", "--quiet"])
        except SystemExit as e:
            if e.code not in (0, None):
                print(said.getvalue()[-2000:], file=sys.stderr)
                raise
        whole = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = len(paths)
    print(f"{n} workbooks{' (each read cold)' if args.cold else ''}: {1000 * whole / n:.1f} ms a report in all")
    for label, seconds in spent.most_common():
        inside = label.split(".")[-1] in INSIDE
        print(f"  {'  ' if inside else ''}{label:<28} {1000 * seconds / n:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
