"""Every measurement of issue 19, paired in one run on this machine (``make bench``): each comparison runs its two
sides in alternating rounds (A B, B A, …) and states the medians against the issue's goal with PASS or MISS.

    python bench/run_all.py                    # the issue's sizes: part 1 at 50 workbooks, the others at BENCH_N (20)
    python bench/run_all.py --write            # the same; also replaces this run's section of RESULTS.md
    python bench/run_all.py --quick --skip web,pdf --out DIR     # the smallest run (tests/test_bench.py)

The parts (N = ``--n``; part 1's batch is ``--batch-n``, by default N and at least 50, the issue's Done-when size):

1. per report in a batch of ``--batch-n`` different workbooks (bench/make_workbooks.py), one worker: ``genreport
   build DIR --jobs 1`` as a whole process, with review comments (the default) and with ``--no-comments``, against the
   plain docxtpl loop — openpyxl load + ``DocxTemplate.render`` + save with genreport's template, Jinja environment and
   context (computed beforehand, not timed), in a process of its own that imports what a user's script would,
   without numpy and without genreport's disk cache, timed after a warm-up report (its start-up is not counted;
   genreport's is). Goal: plain ÷ genreport ≥ 12. Beside it, the libraries' floor (LIBRARY_FLOOR): the same
   workbooks read by calamine and rendered through genreport's prepared template, nothing else, timed as the loop is.
2. one report as a whole command, ``genreport build inputs/2022.xlsx``, against the plain one-report script (a fresh
   interpreter doing the same as one turn of the loop). Goal: genreport ÷ plain ≤ 0.5. The bare start-up of such a
   script (importing openpyxl, docxtpl and jinja2) is shown beside it.
3. PDFs of N reports: genreport's conversion (``pipeline.render.pdf.convert_to_pdf`` with a LibreOffice process per
   CPU, as ``build --format pdf`` does) against one ``soffice --headless --convert-to pdf`` call given all the
   files, each with a fresh LibreOffice profile. Goal: soffice ÷ genreport ≥ 1.8. Skipped, with a note, without
   LibreOffice.
4. ``genreport validate`` of a workbook with 1,000 × N projects (20,000 at N = 20) as a whole command; the time
   of ``session.inspect`` alone in a fresh process beside it. Goal: ≤ 2 s.
5. the web check: a real ``genreport serve``, 2 × N uploads of inputs/2022.xlsx to ``/check``, 8 at a time, after a
   warm-up round (bench/bench_serve.py). Goal: p50 ≤ 0.5 s.
6. peak RSS of ``genreport build DIR --jobs 1`` at N and at 2 × N workbooks (the kernel's own accounting of the
   finished process). Goal: 2N ÷ N ≤ 1.10.

The results go to ``--out`` (``BENCH_OUT``; default bench-results/<time>/ under the repository, not tracked) as
RESULTS.md; bench/RESULTS.md changes only with ``--write`` (``BENCH_WRITE=1``). Every temporary file of the run,
its children's included (TMPDIR points into the run's folder), is removed at the end; what the children left
there is counted in the results. Generated workbooks are kept between runs in ``--cache`` (default
bench-results/workbooks-<digest of the generators and the sample>/).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import pickle
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SAMPLE = ROOT / "inputs" / "2022.xlsx"
HEADING = "## Issue 19: every part paired in one run (`make bench`)"
PARTS = ("batch", "one", "pdf", "validate", "web", "rss")
USERS = 8  # the web check's goal is stated for 8 users at once

# A user's environment: openpyxl and docxtpl installed, numpy not (openpyxl imports it when it can).
NO_NUMPY = """
import sys
class _NoNumpy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NoNumpy())
"""

# The plain script: ``loop JOB`` renders every workbook of the job after one warm-up report and prints the loop's
# seconds; ``one JOB`` renders the job's single workbook (timed from outside, as a whole process).
PLAIN = """
import pickle, sys, time
sys.path.insert(0, {root!r})
{no_numpy}
import openpyxl
from pipeline.render.environment import make_environment
{naive_template}
mode, job = sys.argv[1], sys.argv[2]
with open(job, "rb") as fh:
    job = pickle.load(fh)

def one(workbook, context, out):
    openpyxl.load_workbook(workbook)
    doc = NaiveTemplate(job["template"])
    doc.render(context, jinja_env=make_environment(job["options"]), autoescape=True)
    doc.save(out)

items, out = job["items"], job["out"]
if mode == "one":
    one(*items[0], out + "/plain.docx")
else:
    one(*items[0], out + "/warm-up.docx")
    started = time.perf_counter()
    for i, (workbook, context) in enumerate(items):
        one(workbook, context, out + f"/plain-{{i}}.docx")
    print(time.perf_counter() - started)
"""

FLOOR = "{no_numpy}\nimport openpyxl, docxtpl, jinja2\n"

# The libraries' floor of one report (part 1): what any pipeline on calamine, Jinja and zlib pays at the least —
# every sheet's values read by calamine, genreport's prepared template (compiled once, in its bounded sandbox, as a
# user's template must be) rendered, and the rendered parts deflated into a zip; no model, checks, comments or XML
# well-formedness check. ``LIBRARY_FLOOR JOB`` prints the loop's seconds after a warm-up report, as ``loop`` does.
LIBRARY_FLOOR = """
import pickle, sys, time, zipfile
from pathlib import Path
sys.path.insert(0, {root!r})
from python_calamine import CalamineWorkbook
from pipeline.render.docx import DocxRenderer
with open(sys.argv[1], "rb") as fh:
    job = pickle.load(fh)
prepared = DocxRenderer(Path(job["template"]), job["options"])._prepare()
templates = [(prepared.source.document[1:], prepared.body)]
templates += [(name[1:], t) for (name, _, _), t in zip(prepared.source.headers_footers, prepared.headers_footers)]

def one(workbook, context, out):
    book = CalamineWorkbook.from_path(workbook)
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, template in templates:
            z.writestr(name, prepared.env.run_bounded(template.render, context))

items, out = job["items"], job["out"]
one(*items[0], out + "/floor-warm-up.docx")
started = time.perf_counter()
for i, (workbook, context) in enumerate(items):
    one(workbook, context, out + f"/floor-{{i}}.docx")
print(time.perf_counter() - started)
"""


@dataclass
class Part:
    """One line of the results: what was measured, the figures, and the goal."""

    key: str
    title: str
    figure: str = ""
    goal: str = ""
    verdict: str = ""  # PASS, MISS, or SKIPPED
    notes: list[str] = field(default_factory=list)


def spread(values: Sequence[float], scale: float = 1.0, digits: int = 0) -> str:
    """median (min–max)"""
    med, low, high = (v * scale for v in (statistics.median(values), min(values), max(values)))
    return f"{med:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def alternate(sides: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each side once per round, the order rotated round by round (A B C, B C A, …); → each side's values."""
    names = list(sides)
    found: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            found[name].append(sides[name]())
    return found


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    return [a / b for a, b in zip(numerators, denominators, strict=True)]


def genreport_command() -> list[str]:
    script = Path(sys.executable).parent / "genreport"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline"]


# A process started straight from this one counts this one's memory in its ru_maxrss: Linux keeps, across exec, the
# larger of the child's own peak and the memory it ran in before exec, which with vfork (subprocess) is this
# process's, grown by part 1's contexts past a build's peak. The launcher, started from here, forks the measured
# process from itself (a few MiB: its floor) and writes that process's own ru_maxrss to the file it is given.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run(
    argv: Sequence[str], env: dict[str, str], ok: Sequence[int] = (0,), *, own_peak: bool = False
) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB, the kernel's ru_maxrss of that process) and stdout of a whole process;
    ``own_peak``: started through LAUNCHER, so that the peak is the process's own, not this one's (a few ms later)."""
    shown = " ".join(map(str, argv))
    peak_file = Path(tempfile.mkstemp(prefix="peak-")[1]) if own_peak else None
    if peak_file is not None:
        argv = [sys.executable, "-S", "-c", LAUNCHER, str(peak_file), *argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:  # files: thousands of warnings
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in ok:
            err.seek(0)
            said = err.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"{shown} exited {process.returncode}:\n{said}")
        out.seek(0)
        peak = usage.ru_maxrss
        if peak_file is not None:
            peak = int(peak_file.read_text() or 0)
            peak_file.unlink()
        return seconds, peak, out.read().decode("utf-8", "replace")


# --- the parts -------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        import bench_batch  # after TMPDIR is set: it copies the environment for genreport's processes

        self.bb = bench_batch
        self.args = args
        self.n: int = args.n
        self.work = work
        self.genreport = genreport_command()
        self.env = {**os.environ, "GENREPORT_CACHE": "1"}  # genreport as a user runs it, with its disk cache
        self.plain_env = {**os.environ, "GENREPORT_CACHE": "0"}  # a user's own script has none
        self.plain_script = work / "plain.py"
        self.plain_script.write_text(
            PLAIN.format(root=str(ROOT), no_numpy=NO_NUMPY, naive_template=bench_batch.NAIVE_TEMPLATE),
            encoding="utf-8",
        )
        from pipeline.session import render_options
        from pipeline.template.profile import resolve_profile

        profile = resolve_profile(None)
        assert profile.document is not None
        self.template = str(profile.document)
        self.options = render_options(profile)

    def genreport_run(
        self, *args: str | Path, ok: Sequence[int] = (0,), own_peak: bool = False
    ) -> tuple[float, int, str]:
        return run([*self.genreport, *map(str, args)], self.env, ok, own_peak=own_peak)

    def plain_job(self, name: str, paths: Sequence[Path], out: Path) -> Path:
        from pipeline.session import load_context

        out.mkdir(parents=True, exist_ok=True)
        job = {
            "template": self.template,
            "options": self.options,
            "items": [(str(p), load_context(p)[0]) for p in paths],  # genreport's own context, not timed
            "out": str(out),
        }
        path = self.work / f"{name}.pickle"
        path.write_bytes(pickle.dumps(job))
        return path

    def batch(self, paths: Sequence[Path]) -> Part:
        part = Part("batch", f"1. per report, batch of {len(paths)} different workbooks, one worker")
        folder = self.bb.folder_of(paths, self.work / "batch-in")
        job = self.plain_job("batch", paths, self.work / "batch-plain")
        out = self.work / "batch-out"
        self.genreport_run("build", folder, "-o", out, "--jobs", "1")  # warms the disk cache and the file cache

        def plain() -> float:
            _, _, said = run([sys.executable, str(self.plain_script), "loop", str(job)], self.plain_env)
            return float(said.split()[-1]) / len(paths)

        def ours(*extra: str) -> Callable[[], float]:
            def side() -> float:
                shutil.rmtree(out, ignore_errors=True)
                return self.genreport_run("build", folder, "-o", out, "--jobs", "1", *extra)[0] / len(paths)

            return side

        floor_script = self.work / "library_floor.py"
        floor_script.write_text(LIBRARY_FLOOR.format(root=str(ROOT)), encoding="utf-8")

        def floor() -> float:
            _, _, said = run([sys.executable, str(floor_script), str(job)], self.plain_env)
            return float(said.split()[-1]) / len(paths)

        got = alternate(
            {"plain": plain, "comments": ours(), "no-comments": ours("--no-comments"), "floor": floor},
            self.args.rounds,
        )
        with_comments = ratios(got["plain"], got["comments"])
        without = ratios(got["plain"], got["no-comments"])
        ceiling = ratios(got["plain"], got["floor"])
        part.figure = (
            f"ms per report: plain loop {spread(got['plain'], 1000)}; genreport {spread(got['comments'], 1000)} "
            f"with comments, {spread(got['no-comments'], 1000)} with `--no-comments`. "
            f"plain ÷ genreport: **{spread(with_comments, 1, 2)}** with comments, "
            f"**{spread(without, 1, 2)}** without ({self.args.rounds} round(s))"
        )
        part.goal = "≥ 12× (with comments, the default; and without)"
        part.verdict = (
            f"{verdict(statistics.median(with_comments) >= 12)} with comments, "
            f"{verdict(statistics.median(without) >= 12)} without"
        )
        part.notes.append(
            "the plain loop is timed inside its process after a warm-up report (no start-up); genreport's "
            "whole process is timed, start-up included"
        )
        part.notes.append(
            f"the libraries' floor: {spread(got['floor'], 1000)} ms per report to read every sheet with calamine, "
            "render genreport's prepared template in its bounded sandbox and deflate the rendered parts (no model, "
            "checks, comments or XML check; timed as the plain loop is); plain ÷ floor "
            f"**{spread(ceiling, 1, 2)}**, about the most a pipeline that reads every sheet with calamine and "
            "renders the whole template through Jinja could reach here"
        )
        return part

    def one(self) -> Part:
        part = Part("one", "2. one report, whole command: `genreport build inputs/2022.xlsx`")
        out = self.work / "one-out"
        job = self.plain_job("one", [SAMPLE], out)
        self.genreport_run("build", SAMPLE, "-o", out)  # warm
        floor = self.work / "floor.py"
        floor.write_text(FLOOR.format(no_numpy=NO_NUMPY), encoding="utf-8")
        got = alternate(
            {
                "ours": lambda: self.genreport_run("build", SAMPLE, "-o", out)[0],
                "plain": lambda: run([sys.executable, str(self.plain_script), "one", str(job)], self.plain_env)[0],
                "floor": lambda: run([sys.executable, str(floor)], self.plain_env)[0],
            },
            self.args.runs,
        )
        ratio = ratios(got["ours"], got["plain"])
        part.figure = (
            f"ms: genreport {spread(got['ours'], 1000)}, plain script {spread(got['plain'], 1000)}; "
            f"genreport ÷ plain **{spread(ratio, 1, 2)}** ({self.args.runs} run(s) each). "
            f"Bare start-up of the plain script (import openpyxl, docxtpl, jinja2): {spread(got['floor'], 1000)} "
            f"(genreport ÷ it {statistics.median(ratios(got['ours'], got['floor'])):.2f})"
        )
        part.goal = "≤ 0.5×"
        part.verdict = verdict(statistics.median(ratio) <= 0.5)
        part.notes.append(
            "the plain script imports genreport's Jinja environment (its filters) and unpickles genreport's "
            "context, which the template needs; numpy is hidden from it as in a user's environment without numpy"
        )
        return part

    def pdf(self, paths: Sequence[Path]) -> Part:
        from pipeline.render.pdf import convert_to_pdf, find_soffice

        part = Part("pdf", f"3. PDFs of {len(paths)} reports: genreport vs one `soffice` call given all files")
        part.goal = "≥ 1.8×"
        exe = find_soffice()
        if exe is None:
            part.verdict = "SKIPPED"
            part.figure = "skipped: LibreOffice (soffice) is not installed on this machine"
            return part
        docx = self.work / "pdf-docx"
        self.genreport_run("build", self.bb.folder_of(paths, self.work / "pdf-in"), "-o", docx, "--no-comments")
        documents = sorted(docx.glob("*.docx"))

        def fresh(name: str) -> Path:
            folder = self.work / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            return folder

        def ours() -> float:
            copies = fresh("pdf-ours")
            mine = [Path(shutil.copy(d, copies / d.name)) for d in documents]
            started = time.perf_counter()
            done = convert_to_pdf(mine, workers=os.cpu_count() or 1)
            seconds = time.perf_counter() - started
            failed = [str(p) for p, r in done.items() if not isinstance(r, Path)]
            if failed:
                raise SystemExit(f"genreport's PDF conversion failed: {failed[:3]}")
            return seconds

        def plain() -> float:
            out, profile = fresh("pdf-plain"), fresh("pdf-profile")
            argv = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
            seconds = run([*argv, "--outdir", str(out), *map(str, documents)], self.plain_env)[0]
            if len(list(out.glob("*.pdf"))) != len(documents):
                raise SystemExit("soffice did not convert every document")
            return seconds

        got = alternate({"plain": plain, "ours": ours}, self.args.pdf_rounds)
        ratio = ratios(got["plain"], got["ours"])
        part.figure = (
            f"s: one soffice call {spread(got['plain'], 1, 1)}, genreport {spread(got['ours'], 1, 1)}; "
            f"soffice ÷ genreport **{spread(ratio, 1, 2)}** ({self.args.pdf_rounds} round(s); "
            f"{self.bb.soffice_version()})"
        )
        part.verdict = verdict(statistics.median(ratio) >= 1.8)
        return part

    def validate(self, workbook: Path, projects: int) -> Part:
        part = Part("validate", f"4. `genreport validate` of {projects:,} projects")
        self.genreport_run("validate", workbook, ok=(0, 1))  # warm

        def inspect_alone() -> float:
            said = run([sys.executable, str(BENCH / "bench_scale.py"), "--child", str(workbook)], self.env)[2]
            return float(said.strip().splitlines()[-1].split('"seconds": ')[1].split(",")[0])

        got = alternate(
            {"command": lambda: self.genreport_run("validate", workbook, ok=(0, 1))[0], "inspect": inspect_alone},
            self.args.runs_validate,
        )
        part.figure = (
            f"s: whole command **{spread(got['command'], 1, 2)}**; `session.inspect` alone "
            f"{spread(got['inspect'], 1, 2)} ({self.args.runs_validate} run(s) each)"
        )
        part.goal = "≤ 2 s (whole command; the issue's size is 20,000 projects, N = 20)"
        part.verdict = verdict(statistics.median(got["command"]) <= 2)
        return part

    def web(self) -> Part:
        import bench_serve

        uploads = max(USERS, 2 * self.n)
        part = Part("web", f"5. web check, {USERS} users at once ({uploads} uploads to `/check`)")
        part.goal = "p50 ≤ 0.5 s"
        tmpdir = self.work / "serve-tmp"
        tmpdir.mkdir()
        process, url = bench_serve.start_server(tmpdir)
        try:
            bench_serve.run(url, "check", USERS, USERS, process.pid)  # warm-up
            latencies, failed, peak = bench_serve.run(url, "check", uploads, USERS, process.pid)
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl+C, as the server tells its user (SIGTERM skips Python's exit)
            try:
                process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        left = sorted(str(p.relative_to(tmpdir)) for p in tmpdir.rglob("*"))
        part.notes.append(f"files the server left in its TMPDIR after it stopped: {len(left)} {left[:5] or ''}".strip())
        if not latencies:
            part.figure, part.verdict = f"every request failed ({failed})", "MISS"
            return part
        p50 = bench_serve.percentile(latencies, 50)
        part.figure = (
            f"p50 **{p50:.2f} s**, p95 {bench_serve.percentile(latencies, 95):.2f} s, max {max(latencies):.2f} s; "
            f"{failed} failed; server peak RSS {peak:.0f} MiB"
        )
        part.verdict = verdict(p50 <= 0.5 and not failed)
        return part

    def rss(self, small: Sequence[Path], large: Sequence[Path]) -> Part:
        part = Part("rss", f"6. peak RSS of `build --jobs 1`, N = {len(small)} vs 2N = {len(large)}")
        part.goal = "2N ÷ N ≤ 1.10 (flat)"
        folders = {
            "n": self.bb.folder_of(small, self.work / "rss-in-n"),
            "2n": self.bb.folder_of(large, self.work / "rss-in-2n"),
        }
        out = self.work / "rss-out"

        def side(key: str) -> Callable[[], float]:
            def peak() -> float:
                shutil.rmtree(out, ignore_errors=True)
                return float(self.genreport_run("build", folders[key], "-o", out, "--jobs", "1", own_peak=True)[1])

            return peak

        got = alternate({"n": side("n"), "2n": side("2n")}, self.args.rss_rounds)
        ratio = ratios(got["2n"], got["n"])
        part.figure = (
            f"MiB: {spread(got['n'], 1 / 1024)} at N, {spread(got['2n'], 1 / 1024)} at 2N; "
            f"2N ÷ N **{spread(ratio, 1, 2)}** ({self.args.rss_rounds} round(s))"
        )
        part.verdict = verdict(statistics.median(ratio) <= 1.10)
        return part


# --- workbooks ---------------------------------------------------------------------------------------------------


def cache_folder(args: argparse.Namespace) -> Path:
    if args.cache is not None:
        return Path(args.cache)
    digest = hashlib.sha256()
    for path in (BENCH / "make_workbooks.py", BENCH / "bench_scale.py", SAMPLE):
        digest.update(path.read_bytes())
    return ROOT / "bench-results" / f"workbooks-{digest.hexdigest()[:12]}"


def many_projects(cache: Path, projects: int) -> Path:
    """The sample with ``projects`` projects (bench_scale's maker), made in a process of its own once per cache."""
    path = cache / f"projects-{projects}.xlsx"
    if not path.exists():
        partial = path.with_suffix(".partial.xlsx")
        make = (
            f"import sys; sys.path.insert(0, {str(BENCH)!r}); from pathlib import Path; import bench_scale; "
            f"bench_scale.projects({projects})(Path({str(SAMPLE)!r}), Path({str(partial)!r}))"
        )
        subprocess.run([sys.executable, "-c", make], check=True, cwd=ROOT)
        partial.replace(path)
    return path


# --- the results -------------------------------------------------------------------------------------------------


def results_text(args: argparse.Namespace, parts: list[Part], left: list[str], seconds: float, machine: str) -> str:
    lines = [
        HEADING,
        "",
        f"`{' '.join(['python bench/run_all.py', *sys.argv[1:]])}` (N = {args.n}, part 1: {args.batch_n}) — "
        f"{time.strftime('%Y-%m-%d %H:%M')}, "
        f"{seconds:.0f} s in all; {machine}.",
        "Each comparison alternates its sides round by round (A B, B A, …); figures are median (min–max), ratios the "
        "medians of the round-by-round ratios. The machine is shared: quote medians and ratios. The issue's "
        "Done-when sizes are N = 50 for part 1 and 20 for parts 3 and 4.",
        "",
        "| part | figures | goal | result |",
        "|---|---|---|---|",
    ]
    lines += [f"| {p.title} | {p.figure} | {p.goal} | {p.verdict} |" for p in parts]
    lines.append("")
    notes = [f"{p.title.split('.')[0]}: {note}." for p in parts for note in p.notes]
    lines += [f"- part {note}" for note in notes]
    lines.append(
        f"- temporary files left by the run's processes (TMPDIR pointed into the run's folder, removed after): "
        f"{len(left)}{': ' + ', '.join(left[:10]) if left else ''}."
    )
    return "\n".join(lines).rstrip() + "\n"


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    env = os.environ.get
    quick = env("BENCH_QUICK", "") not in ("", "0")
    parser.add_argument("--n", type=int, default=None, help="sizes every part (BENCH_N; default 20, --quick 2)")
    parser.add_argument(
        "--batch-n", type=int, default=None, help="part 1's batch (BENCH_BATCH_N; default N, at least 50 but --quick)"
    )
    parser.add_argument("--quick", action="store_true", default=quick, help="smallest sizes (BENCH_QUICK=1)")
    parser.add_argument("--skip", default=env("BENCH_SKIP", ""), help=f"parts to skip, comma-separated: {PARTS}")
    parser.add_argument("--out", type=Path, default=env("BENCH_OUT"), help="results folder (BENCH_OUT)")
    parser.add_argument("--cache", type=Path, default=env("BENCH_CACHE"), help="generated workbooks kept here")
    parser.add_argument(
        "--write",
        action="store_true",
        default=env("BENCH_WRITE", "") not in ("", "0"),
        help="also replace this section of bench/RESULTS.md (BENCH_WRITE=1)",
    )
    args = parser.parse_args()
    if args.n is None:
        args.n = int(env("BENCH_N") or (2 if args.quick else 20))
    if args.batch_n is None:
        args.batch_n = int(env("BENCH_BATCH_N") or (args.n if args.quick else max(args.n, 50)))
    if args.n < 1 or args.batch_n < 1:
        parser.error("--n and --batch-n must be at least 1")
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; the parts are {', '.join(PARTS)}")
    args.rounds = 1 if args.quick else 3
    args.runs = 2 if args.quick else max(5, args.n // 2)
    args.runs_validate = 1 if args.quick else 3
    args.pdf_rounds = 1 if args.quick else 2
    args.rss_rounds = 1 if args.quick else 2
    return args


def main() -> int:
    args = options()
    started = time.perf_counter()
    out = (args.out or ROOT / "bench-results" / time.strftime("%Y%m%d-%H%M%S")).resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=out))
    tmp = scratch / "tmp"  # every temporary file of this process and its children, checked and removed at the end
    tmp.mkdir()
    os.environ["TMPDIR"] = str(tmp)
    # this checkout's pipeline in every child, the console script's included (an editable install may point elsewhere)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    tempfile.tempdir = str(tmp)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    from make_workbooks import generate

    try:
        cache = cache_folder(args)
        print(f"N = {args.n} (part 1: {args.batch_n}); results in {out}; workbooks in {cache} …", flush=True)
        paths = generate(cache, max(2 * args.n if "rss" not in args.skip else args.n, args.batch_n))
        work = scratch / "work"
        work.mkdir()
        bench = Bench(args, work)
        steps: list[tuple[str, str, Callable[[], Part]]] = [
            ("batch", "1. per report", lambda: bench.batch(paths[: args.batch_n])),
            ("one", "2. one report", bench.one),
            ("pdf", "3. PDFs", lambda: bench.pdf(paths[: args.n])),
            ("validate", "4. validate", lambda: bench.validate(many_projects(cache, 1000 * args.n), 1000 * args.n)),
            ("web", "5. web check", bench.web),
            ("rss", "6. RSS", lambda: bench.rss(paths[: args.n], paths[: 2 * args.n])),
        ]
        parts = []
        for key, title, step in steps:
            if key in args.skip:
                parts.append(Part(key, title, "skipped (--skip)", "", "SKIPPED"))
                continue
            print(f"{title} …", flush=True)
            parts.append(step())
            print(f"  {parts[-1].figure} → {parts[-1].verdict}", flush=True)
        left = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*"))
        text = results_text(args, parts, left, time.perf_counter() - started, bench.bb.machine())
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(scratch)
    (out / "RESULTS.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {out / 'RESULTS.md'}")
    if args.write:
        from results import write_section

        write_section(HEADING, text)
        print("and to bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
