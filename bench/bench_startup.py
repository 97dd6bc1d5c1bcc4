"""Benchmark: what a one-shot command costs as a whole process (start-up, imports, the CLI framework).

    python bench/bench_startup.py [--runs N] [--top K]     # default 9 runs, 15 imports
    python bench/bench_startup.py --against DIR            # also another version: DIR/pipeline, e.g. a git worktree

Each command runs as the ``genreport`` console script does (``from pipeline.cli import app; app()``), in a fresh
interpreter, N times in turn (A B C A B C …, so a drift of the machine's speed hits every command alike). Wall time
is measured around the process, CPU time (user + sys) from the kernel's accounting of the finished child. Prints
the medians with min–max, then the heaviest imports of each command from ``python -X importtime``. With
``--against``, each command also runs on that version (``PYTHONPATH=DIR python -P``), interleaved with this one,
and the table adds its medians and the median of the per-run ratios this/that.

Speed is measured here, never asserted in tests; tests/test_startup.py checks which modules load instead.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_SCRIPT = "import sys; from pipeline.cli import app; sys.exit(app(prog_name='genreport'))"


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]


def commands(out_dir: Path, python: list[str]) -> dict[str, list[str]]:
    genreport = [*python, "-c", CONSOLE_SCRIPT]
    return {
        "python -c pass (interpreter floor)": [*python, "-c", "pass"],
        "genreport --help": [*genreport, "--help"],
        "genreport build --help": [*genreport, "build", "--help"],
        "genreport build inputs/2022.xlsx -o OUT": [*genreport, "build", "inputs/2022.xlsx", "-o", str(out_dir)],
    }


def run_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv} exited {done.returncode}:\n{done.stderr.decode(errors='replace')}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_costs(argv: list[str], top: int) -> list[tuple[float, str, str]]:
    """The heaviest imports as (cumulative ms, module, the module that imported it), one line per package."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], cwd=ROOT, capture_output=True, text=True)
    rows: list[tuple[int, float, str]] = []  # (depth, cumulative µs, module) in the order Python prints them
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append((depth, float(cumulative), name.strip()))
    # importtime prints a module after everything it imported, so its importer is the next line less indented
    parents: list[str] = [""] * len(rows)
    pending: list[int] = []
    for i, (depth, _, name) in enumerate(rows):
        while pending and rows[pending[-1]][0] > depth:
            parents[pending.pop()] = name
        pending.append(i)
    best: dict[str, tuple[float, str, str]] = {}
    for (_, cumulative, name), parent in zip(rows, parents, strict=True):
        package = name.split(".")[0]
        if package == parent.split(".")[0]:
            continue  # counted in its importer's line
        key = name if package == "pipeline" else package  # the project's own modules one by one
        if cumulative / 1000 > best.get(key, (0.0, "", ""))[0]:
            best[key] = (cumulative / 1000, name, parent or "(the command)")
    return sorted(best.values(), reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (median of these; default 9)")
    parser.add_argument("--top", type=int, default=15, help="imports listed per command (default 15)")
    parser.add_argument("--against", type=Path, help="a folder holding another version's pipeline/ to time as well")
    args = parser.parse_args()
    other_env = None
    if args.against is not None:
        if not (args.against / "pipeline" / "__init__.py").is_file():
            parser.error(f"{args.against}/pipeline/__init__.py not found")
        other_env = {**os.environ, "PYTHONPATH": str(args.against.resolve())}
    with tempfile.TemporaryDirectory() as tmp:
        todo = commands(Path(tmp) / "this", [sys.executable])
        other = commands(Path(tmp) / "other", [sys.executable, "-P"])  # -P: not the repo's own folder first
        for name, argv in todo.items():  # warm the file cache and the .pyc files
            run_once(argv)
            if other_env is not None:
                run_once(other[name], other_env)
        timings = {name: Timing([], []) for name in todo}
        others = {name: Timing([], []) for name in todo}
        for _ in range(args.runs):
            for name, argv in todo.items():
                for timing, command, env, skip in (
                    (timings[name], argv, None, False),
                    (others[name], other[name], other_env, other_env is None),
                ):
                    if not skip:
                        wall, cpu = run_once(command, env)
                        timing.wall.append(wall)
                        timing.cpu.append(cpu)
        imports = {name: import_costs(argv, args.top) for name, argv in todo.items() if "floor" not in name}

    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs; {args.runs} runs each, median (min–max), ms")
    if other_env is not None:
        print(f"other version: {args.against}/pipeline; ratio = median of this/other, run by run")
    print()
    width = max(len(n) for n in timings)
    header = f"{'command':<{width}}  {'wall':>19}  {'cpu (user+sys)':>19}"
    if other_env is not None:
        header += f"  {'other wall':>19}  {'other cpu':>19}  {'wall ratio':>10}  {'cpu ratio':>9}"
    print(header)
    for name, t in timings.items():
        line = f"{name:<{width}}  {_spread(t.wall):>19}  {_spread(t.cpu):>19}"
        if other_env is not None:
            o = others[name]
            line += f"  {_spread(o.wall):>19}  {_spread(o.cpu):>19}"
            line += f"  {_ratio(t.wall, o.wall):>10}  {_ratio(t.cpu, o.cpu):>9}"
        print(line)
    for name, rows in imports.items():
        print()
        print(f"heaviest imports of `{name}` (cumulative ms under -X importtime, one line per package):")
        for ms, module, parent in rows:
            print(f"  {ms:7.1f}  {module:<34} imported by {parent}")
    return 0


def _ratio(this: list[float], other: list[float]) -> str:
    return f"{statistics.median(a / b for a, b in zip(this, other, strict=True)):.2f}"


def _spread(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):.0f} ({min(ms):.0f}–{max(ms):.0f})"


if __name__ == "__main__":
    sys.exit(main())
