"""Batch builds against plain docxtpl (issue 9 §6): one command measures everything, interleaved, and writes the
section "## Batch builds (issue 9 §1, §6–§8)" of bench/RESULTS.md.

    python bench/bench_batch.py --n 50                    # the full run (N = 1,000 for reports/s and memory)
    python bench/bench_batch.py --n 20 --large 60 --rss-small 20 --runs 5 --pdf 5    # a quick check

What is measured (wall time of whole processes where the user would wait for one):

(a) per report, on the same ``--n`` synthetic workbooks (bench/make_workbooks.py), in ``--rounds`` interleaved
    rounds: the naive loop in one process — ``openpyxl.load_workbook`` + ``DocxTemplate(template).render(context,
    jinja_env=…, autoescape=True)`` + ``save`` (docxtpl taught genreport's ``{% vmerge %}`` tag, without which
    the template does not render), with genreport's default template, a fresh genreport Jinja
    environment per report (its filters; no compile cache shared across reports) and the context genreport builds
    for that file (``pipeline.session.load_context``, computed beforehand, not timed) — against
    ``genreport build DIR --jobs 1 --no-comments`` (a real process, start-up included; the naive side writes no
    Word comments either). The ratio is naive ÷ genreport per round. (a′) is one run of genreport's default, with
    the warnings as Word comments (批注).
(b) reports/s of ``genreport build DIR --jobs 1`` and ``--jobs 2`` at N = ``--large`` (1,000), interleaved.
(c) one report: ``genreport build FILE`` against a naive one-shot script (a fresh interpreter: import openpyxl and
    docxtpl, load the workbook, render the pickled context with genreport's environment, save), ``--runs`` each.
(d) peak RSS (VmHWM from /proc) of each worker of ``genreport build DIR --jobs 2`` at N = ``--rss-small`` (100)
    and N = ``--large``, read while it runs; and of the parent.
(e) PDF of ``--pdf`` (20) reports: one ``soffice`` call per file against genreport's one batched call (both
    through pipeline.render.pdf.convert_to_pdf, each with its own fresh LibreOffice profile; the batched side with
    as many LibreOffice processes as CPUs, as ``build --format pdf`` runs with its default ``--jobs``). Skipped,
    with a note, without LibreOffice.

Workbooks are generated once into ``--work`` (default: a folder under the system temp directory) and reused.
Beyond 100 the files are copies of the first 100 under other names (make_workbooks.py --distinct).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_workbooks import generate  # noqa: E402
from results import write_section  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Batch builds (issue 9 §1, §6–§8)"
GENREPORT = [sys.executable, "-m", "pipeline"]

# docxtpl with the one addition genreport's template cannot do without: its ``{% vmerge %}`` tag, patched in as
# genreport does (pipeline/render/docx.py) but on every render, as a script that knows nothing of batches would.
NAIVE_TEMPLATE = """
from docxtpl import DocxTemplate
from pipeline.template.document import _VMERGE_CELL, _vmerge_cell


class NaiveTemplate(DocxTemplate):
    def patch_xml(self, src_xml):
        return _VMERGE_CELL.sub(_vmerge_cell, super().patch_xml(src_xml))
"""

NAIVE_ONE_SHOT = """
import pickle, sys
sys.path.insert(0, {root!r})
import openpyxl
from pipeline.render.environment import make_environment
{naive_template}
workbook, template, context, options, out = sys.argv[1:6]
openpyxl.load_workbook(workbook)
with open(context, "rb") as fh:
    ctx = pickle.load(fh)
with open(options, "rb") as fh:
    opts = pickle.load(fh)
doc = NaiveTemplate(template)
doc.render(ctx, jinja_env=make_environment(opts), autoescape=True)
doc.save(out)
"""


# --- helpers ---------------------------------------------------------------------------------------------------


def spread(values: Sequence[float], scale: float = 1.0, digits: int = 0) -> str:
    """median (min–max)"""
    med, low, high = (v * scale for v in (statistics.median(values), min(values), max(values)))
    return f"{med:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def folder_of(paths: Sequence[Path], where: Path) -> Path:
    """A folder holding exactly these workbooks (hard links where possible), for ``genreport build FOLDER``."""
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    for path in paths:
        try:
            os.link(path, where / path.name)
        except OSError:
            shutil.copyfile(path, where / path.name)
    return where


def run_genreport(args: Sequence[str], watch: bool = False) -> tuple[float, dict[int, int]]:
    """Wall seconds of ``genreport ARGS``; with ``watch``, the peak RSS (KiB) of each process it started, and of
    itself under key 0, read from /proc while it runs."""
    peaks: dict[int, int] = {}
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: thousands of warnings would fill a pipe
        started = time.perf_counter()
        process = subprocess.Popen(
            [*GENREPORT, *args], stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT, env=GENREPORT_ENV
        )
        while watch and process.poll() is None:
            for pid in [process.pid, *children(process.pid)]:
                peak = vm_hwm(pid)
                if peak:
                    key = 0 if pid == process.pid else pid
                    peaks[key] = max(peaks.get(key, 0), peak)
            time.sleep(0.05)
        process.wait()
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            stderr.seek(0)
            said = stderr.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"genreport {' '.join(args)} exited {process.returncode}:\n{said}")
    return seconds, peaks


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in task.read_text().split()]
    return found


def vm_hwm(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# --- the naive side ----------------------------------------------------------------------------------------------


class Naive:
    """openpyxl load + docxtpl render with genreport's template, environment and context, + save."""

    def __init__(self, paths: Sequence[Path]) -> None:
        from pipeline.session import load_context, render_options
        from pipeline.template.profile import resolve_profile

        profile = resolve_profile(None)
        assert profile.document is not None
        self.template = profile.document
        self.options = render_options(profile)
        self.contexts = {path: load_context(path)[0] for path in paths}  # not timed: genreport's own context
        scope: dict[str, Any] = {}
        exec(NAIVE_TEMPLATE, scope)
        self.cls = scope["NaiveTemplate"]

    def build(self, path: Path, out: Path) -> None:
        import openpyxl

        from pipeline.render.environment import make_environment

        openpyxl.load_workbook(path)
        doc = self.cls(str(self.template))
        doc.render(self.contexts[path], jinja_env=make_environment(self.options), autoescape=True)
        doc.save(str(out / f"{path.stem}.docx"))


# --- the measurements --------------------------------------------------------------------------------------------


def per_report(paths: Sequence[Path], work: Path, rounds: int) -> dict[str, Any]:
    """(a) naive loop against genreport build --jobs 1, interleaved rounds."""
    naive = Naive(paths)
    naive.build(paths[0], work)  # warm the imports, as a long-running naive script would be
    folder = folder_of(paths, work / "a-inputs")
    naive_s, ours_s, ratios = [], [], []
    for r in range(rounds):
        out = work / "a-out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()

        def naive_loop(out: Path = out) -> None:
            for path in paths:
                naive.build(path, out)

        def ours(out: Path = out) -> None:
            run_genreport(["build", str(folder), "-o", str(out / "g"), "--jobs", "1", "--no-comments"])

        first, second = (naive_loop, ours) if r % 2 == 0 else (ours, naive_loop)
        times = {first: timed(first), second: timed(second)}
        naive_s.append(times[naive_loop] / len(paths))
        ours_s.append(times[ours] / len(paths))
        ratios.append(times[naive_loop] / times[ours])
    out = work / "a-comments"
    shutil.rmtree(out, ignore_errors=True)
    seconds, _ = run_genreport(["build", str(folder), "-o", str(out), "--jobs", "1"])  # the default: with 批注
    return {"n": len(paths), "naive": naive_s, "ours": ours_s, "ratio": ratios, "comments": seconds / len(paths)}


def throughput(paths: Sequence[Path], work: Path, rounds: int) -> dict[str, Any]:
    """(b) reports/s with --jobs 1 and 2, and (d) the workers' peak RSS of the --jobs 2 runs."""
    folder = folder_of(paths, work / f"b-inputs-{len(paths)}")
    rates: dict[str, list[float]] = {"1": [], "2": []}
    workers: list[int] = []
    parent: list[int] = []
    for r in range(rounds):
        for jobs in ("1", "2") if r % 2 == 0 else ("2", "1"):
            out = work / "b-out"
            shutil.rmtree(out, ignore_errors=True)
            seconds, peaks = run_genreport(
                ["build", str(folder), "-o", str(out), "--jobs", jobs, "--no-comments"], watch=jobs == "2"
            )
            rates[jobs].append(len(paths) / seconds)
            if jobs == "2":
                workers += [v for k, v in peaks.items() if k != 0]
                parent.append(peaks.get(0, 0))
    return {"n": len(paths), "rates": rates, "workers": workers, "parent": parent}


def worker_memory(paths: Sequence[Path], work: Path) -> dict[str, Any]:
    folder = folder_of(paths, work / f"d-inputs-{len(paths)}")
    out = work / "d-out"
    shutil.rmtree(out, ignore_errors=True)
    _, peaks = run_genreport(["build", str(folder), "-o", str(out), "--jobs", "2", "--no-comments"], watch=True)
    return {"n": len(paths), "workers": [v for k, v in peaks.items() if k != 0], "parent": [peaks.get(0, 0)]}


def one_report(path: Path, work: Path, runs: int) -> dict[str, Any]:
    """(c) one-report CLI against a naive one-shot script, each a fresh process."""
    naive = Naive([path])
    script = work / "naive_one_shot.py"
    script.write_text(NAIVE_ONE_SHOT.format(root=str(ROOT), naive_template=NAIVE_TEMPLATE), encoding="utf-8")
    context, options = work / "context.pickle", work / "options.pickle"
    context.write_bytes(pickle.dumps(naive.contexts[path]))
    options.write_bytes(pickle.dumps(naive.options))
    out = work / "c-out"
    out.mkdir(exist_ok=True)
    naive_command = [sys.executable, str(script), str(path), str(naive.template), str(context), str(options)]
    ours_s, naive_s, ratios = [], [], []
    for r in range(runs):

        def ours() -> None:
            run_genreport(["build", str(path), "-o", str(out), "--no-comments"])

        def plain() -> None:
            subprocess.run([*naive_command, str(out / "naive.docx")], check=True, cwd=ROOT)

        first, second = (ours, plain) if r % 2 == 0 else (plain, ours)
        times = {first: timed(first), second: timed(second)}
        ours_s.append(times[ours])
        naive_s.append(times[plain])
        ratios.append(times[ours] / times[plain])
    return {"ours": ours_s, "naive": naive_s, "ratio": ratios}


def pdfs(paths: Sequence[Path], work: Path, rounds: int) -> dict[str, Any] | str:
    """(e) one soffice call per report against one batched call."""
    from pipeline.render.pdf import convert_to_pdf, find_soffice

    if find_soffice() is None:
        return "skipped: LibreOffice (soffice) is not installed on this machine"
    folder = folder_of(paths, work / "e-inputs")
    out = work / "e-docx"
    shutil.rmtree(out, ignore_errors=True)
    run_genreport(["build", str(folder), "-o", str(out), "--no-comments"])
    documents = sorted(out.glob("*.docx"))
    each, batched = [], []
    for r in range(rounds):

        def one_by_one() -> None:
            for document in documents:
                result = convert_to_pdf([document])[document]
                assert isinstance(result, Path), result

        def together() -> None:
            results = convert_to_pdf(documents, workers=os.cpu_count() or 1)  # as build's default --jobs
            assert all(isinstance(p, Path) for p in results.values()), results

        first, second = (one_by_one, together) if r % 2 == 0 else (together, one_by_one)
        times = {first: timed(first), second: timed(second)}
        each.append(times[one_by_one])
        batched.append(times[together])
    return {"n": len(documents), "each": each, "batched": batched, "version": soffice_version()}


def soffice_version() -> str:
    from pipeline.render.pdf import find_soffice

    exe = find_soffice()
    if exe is None:
        return ""
    with tempfile.TemporaryDirectory() as tmp:
        profile = f"-env:UserInstallation={Path(tmp).as_uri()}"
        out = subprocess.run([exe, profile, "--version"], capture_output=True, text=True, check=False, timeout=120)
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "?"


# --- the report ----------------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "?",
        )
    memory = ""
    with contextlib.suppress(OSError, StopIteration):
        kib = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        memory = f", {kib / 2**20:.0f} GiB"
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("typer", "openpyxl", "docxtpl", "Jinja2", "lxml", "rich")
    )
    return (
        f"{os.cpu_count()} × {cpu} ({platform.system()} {platform.release()} {platform.machine()}{memory}), "
        f"Python {platform.python_version()}, {versions}"
    )


def section(args: argparse.Namespace, found: dict[str, Any]) -> str:
    a, b, c, d_small, e = (found.get(k) for k in ("a", "b", "c", "d", "e"))
    lines = [
        HEADING,
        "",
        f"`python bench/bench_batch.py {' '.join(sys.argv[1:])}` — {time.strftime('%Y-%m-%d')}, {machine()}.",
        "Wall time of whole processes, median (min–max); ratios are the medians of the round-by-round ratios. "
        "The machine is shared and noisy.",
        "",
        "| measure | naive docxtpl | genreport | ratio |",
        "|---|---|---|---|",
    ]
    if a:
        lines.append(
            f"| (a) ms per report, N = {a['n']}, one process ({args.rounds} rounds) | {spread(a['naive'], 1000)} "
            f"| {spread(a['ours'], 1000)} (`build --jobs 1 --no-comments`) "
            f"| naive ÷ genreport {spread(a['ratio'], 1, 2)} |"
        )
        lines.append(
            f"| (a′) the same, genreport's default (warnings as Word comments), ms per report, 1 run | — "
            f"| {a['comments'] * 1000:.0f} | — |"
        )
    if c:
        lines.append(
            f"| (c) one report, whole command, ms ({args.runs} runs) | {spread(c['naive'], 1000)} "
            f"| {spread(c['ours'], 1000)} | genreport ÷ naive {spread(c['ratio'], 1, 2)} |"
        )
    if isinstance(e, dict):
        lines.append(
            f"| (e) PDF of {e['n']} reports, s ({args.pdf_rounds} round(s); {e['version']}) "
            "| one soffice call per file "
            f"{spread(e['each'], 1, 1)} | one batched call {spread(e['batched'], 1, 1)} "
            f"| per-file ÷ batched {statistics.median(e['each']) / statistics.median(e['batched']):.2f} |"
        )
    lines.append("")
    if b:
        one, two = b["rates"]["1"], b["rates"]["2"]
        lines += [
            f"(b) reports/s at N = {b['n']} ({args.large_rounds} round(s), interleaved): "
            f"`--jobs 1` {spread(one, 1, 1)}, `--jobs 2` {spread(two, 1, 1)} "
            f"(×{statistics.median(two) / statistics.median(one):.2f}).",
            "",
        ]
    memory = [m for m in (d_small, b) if m and m.get("workers")]
    if memory:
        lines.append(
            "(d) peak RSS (VmHWM) of `build --jobs 2`, MiB: "
            + "; ".join(
                f"N = {m['n']}: workers {spread(m['workers'], 1 / 1024)}, parent {spread(m['parent'], 1 / 1024)}"
                for m in memory
            )
            + "."
        )
        if len(memory) == 2:
            growth = statistics.median(memory[1]["workers"]) / statistics.median(memory[0]["workers"])
            lines.append(f"Worker peak at N = {memory[1]['n']} ÷ at N = {memory[0]['n']}: {growth:.2f}.")
        lines.append("")
    if isinstance(e, str):
        lines += [f"(e) PDF: {e}.", ""]
    lines += textwrap.dedent(
        """\
        genreport runs with `--no-comments` wherever it is compared (the naive script writes no 批注), except (a′).
        How it is measured (bench/bench_batch.py's docstring has the details): the naive loop is openpyxl load +
        `DocxTemplate(template).render(context, jinja_env=…, autoescape=True)` + save with genreport's default
        template, a fresh genreport environment per report and the context genreport builds (computed beforehand,
        not timed), in one warm process; genreport is a real `genreport build FOLDER --jobs N` process, start-up
        included. Workbooks from bench/make_workbooks.py (seeded; projects 5–200, KPIs 10–60, 支出明细 20–300
        lines; beyond 100, copies of the first 100). Workers' memory is read from /proc/PID/status while the build
        runs.
        """
    ).splitlines()
    return "\n".join(lines).rstrip() + "\n"


# genreport itself runs with its disk cache, as it does for a user
GENREPORT_ENV = {**os.environ, "GENREPORT_CACHE": "1"}


def main() -> int:
    # The naive loop runs in this process and is a user's own script: no genreport disk cache of compiled templates
    # (pipeline/cache.py) helps it. Set here, not on import, so a driver importing this module keeps its own cache.
    os.environ["GENREPORT_CACHE"] = "0"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50, help="workbooks for (a), the naive comparison")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of (a)")
    parser.add_argument("--large", type=int, default=1000, help="N of (b) reports/s and (d) memory; 0 skips")
    parser.add_argument("--large-rounds", type=int, default=1)
    parser.add_argument("--rss-small", type=int, default=100, help="the smaller N of (d)")
    parser.add_argument("--runs", type=int, default=9, help="runs of (c), one report")
    parser.add_argument("--pdf", type=int, default=20, help="reports of (e); 0 skips")
    parser.add_argument("--pdf-rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "genreport-bench")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args()

    wanted = max(args.n, args.large, args.rss_small, args.pdf)
    print(f"workbooks: {wanted} in {args.work / 'workbooks'} …", flush=True)
    paths = generate(args.work / "workbooks", wanted, args.seed)
    runs = args.work / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("a", lambda: per_report(paths[: args.n], runs, args.rounds)),
        ("c", lambda: one_report(paths[0], runs, args.runs)),
        ("d", lambda: worker_memory(paths[: args.rss_small], runs) if args.rss_small else None),
        ("b", lambda: throughput(paths[: args.large], runs, args.large_rounds) if args.large else None),
        ("e", lambda: pdfs(paths[: args.pdf], runs, args.pdf_rounds) if args.pdf else None),
    ]
    for key, step in steps:
        print(f"({key}) …", flush=True)
        found[key] = step()
    text = section(args, found)
    print(text)
    if not args.no_write:
        write_section(HEADING, text)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
