"""Benchmark: ``genreport serve`` under a bounded load on loopback (issue 10 §4).

    python bench/bench_serve.py [--uploads 200] [--concurrency 8] [--route check|report] [--write]

Starts a real server (``python -m pipeline serve`` in a subprocess, its TMPDIR a private folder), warms it up with
one round of uploads, then sends the sample workbook UPLOADS times, CONCURRENCY at a time (httpx, one client per
thread) to ``/check`` (findings table and HTML preview, the page's main button) or ``/report`` (the .docx). Reports
failures (any status but 200, or a response without the findings), the files left in the server's TMPDIR, the
server's resident memory (VmRSS) before, after the warm-up, at its peak and after the run, and the latency
percentiles. ``--write`` replaces the section "## Web page load (issue 10 §4)" of bench/RESULTS.md (re-read just
before writing, so other sections edited meanwhile are kept). Exits 1 when a request failed or a file was left.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from results import write_section  # noqa: E402

SAMPLE = ROOT / "inputs" / "2022.xlsx"
RESULTS = ROOT / "bench" / "RESULTS.md"
# the page's findings line for a workbook without errors (the sample's warnings change as checks are added)
FINDINGS = re.compile(r"0 个错误，\d+ 个警告")
HEADING = "## Web page load (issue 10 §4)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: what a build costs, whatever else the machine is doing."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(tmpdir: Path, *options: str, wait: float = 30) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # a server as its users run it: its disk cache on, whatever the environment of the bench says
    env = {k: v for k, v in os.environ.items() if k != "GENREPORT_TOKEN"}
    env |= {"TMPDIR": str(tmpdir), "GENREPORT_CACHE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--port", str(port), *options],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def run(url: str, route: str, uploads: int, concurrency: int, pid: int) -> tuple[list[float], int, float]:
    """Latencies of the successful requests, the number that failed, and the peak RSS seen while they ran."""
    data = SAMPLE.read_bytes()
    local = threading.local()
    peak = [rss_mib(pid)]
    done = threading.Event()

    def sample_memory() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], rss_mib(pid))

    def one(_: int) -> float | None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=300)
        started = time.perf_counter()
        fields = {"format": "docx"} if route == "report" else {}
        response = local.client.post(url + "/" + route, files={"workbook": ("2022.xlsx", data, XLSX)}, data=fields)
        elapsed = time.perf_counter() - started
        ok = response.status_code == 200 and (route == "report" or FINDINGS.search(response.text) is not None)
        return elapsed if ok else None

    watcher = threading.Thread(target=sample_memory, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(uploads)))
    done.set()
    watcher.join()
    latencies = [r for r in results if r is not None]
    return latencies, len(results) - len(latencies), peak[0]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--route", choices=("check", "report"), default="check")
    parser.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        tmpdir = Path(folder)
        process, url = start_server(tmpdir)
        try:
            idle = rss_mib(process.pid)
            run(url, args.route, args.concurrency, args.concurrency, process.pid)  # warm-up: imports, first renders
            warm = rss_mib(process.pid)
            cpu, load = cpu_seconds(process.pid), os.getloadavg()[0]
            started = time.perf_counter()
            # in two halves: memory after the first is the steady state the second must not grow from
            half = args.uploads // 2
            latencies, failed, peak = run(url, args.route, half, args.concurrency, process.pid)
            middle = rss_mib(process.pid)
            more, failed_more, peak_more = run(url, args.route, args.uploads - half, args.concurrency, process.pid)
            latencies, failed, peak = latencies + more, failed + failed_more, max(peak, peak_more)
            wall = time.perf_counter() - started
            cpu = cpu_seconds(process.pid) - cpu
            load = max(load, os.getloadavg()[0])
            time.sleep(0.5)
            after = rss_mib(process.pid)
            # but the forkserver's socket folder and the reports kept for their stated time (gone once it stops)
            found = (p.relative_to(tmpdir) for p in tmpdir.rglob("*"))
            left = sorted(str(p) for p in found if not p.parts[0].startswith(("pymp-", "genreport-kept-")))
        finally:
            process.terminate()
            _, err = process.communicate(timeout=15)
        left += sorted(str(p.relative_to(tmpdir)) for p in tmpdir.glob("genreport-kept-*"))
    if b"Traceback" in err:
        print(err.decode(errors="replace"), file=sys.stderr)
        failed = failed or 1
    lines = figures(args, latencies, failed, (wall, cpu, load), left, (idle, warm, middle, peak, after))
    print("\n".join(lines))
    if args.write:
        write_section(HEADING, "\n".join(lines))
    return 1 if failed or left else 0


def figures(
    args: argparse.Namespace,
    latencies: list[float],
    failed: int,
    times: tuple[float, float, float],
    left: list[str],
    memory: tuple[float, float, float, float, float],
) -> list[str]:
    idle, warm, middle, peak, after = memory
    wall, cpu, load = times
    what = "findings table + HTML preview" if args.route == "check" else "the .docx"
    lines = [
        HEADING,
        "",
        f"`python bench/bench_serve.py --uploads {args.uploads} --concurrency {args.concurrency} --route {args.route}`"
        f" — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        f"A real `genreport serve` on loopback (TMPDIR a private folder); {args.uploads} uploads of inputs/2022.xlsx,"
        f" {args.concurrency} at a time, to `/{args.route}` ({what}), after a warm-up round of {args.concurrency}.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| requests failed (status ≠ 200 or findings missing) | {failed} of {args.uploads} |",
        f"| files left in the server's TMPDIR | {len(left)} |",
    ]
    if latencies:
        lines += [
            f"| latency p50 / p95 / max | {percentile(latencies, 50):.2f} s / {percentile(latencies, 95):.2f} s"
            f" / {max(latencies):.2f} s |",
            f"| throughput | {len(latencies) / wall:.2f} uploads/s ({wall:.0f} s in all) |",
        ]
    lines += [
        f"| server CPU time per upload (user + sys) | {cpu / args.uploads:.2f} s |",
        f"| machine load average (1 min, highest of start and end) | {load:.1f} |",
    ]
    lines += [
        f"| server RSS: idle → after warm-up | {idle:.0f} MiB → {warm:.0f} MiB |",
        f"| server RSS: peak during the run → after it | {peak:.0f} MiB → {after:.0f} MiB"
        f" ({after - warm:+.0f} MiB against the warm-up) |",
        f"| server RSS: after the first {args.uploads // 2} uploads → after the last {args.uploads - args.uploads // 2}"
        f" (flat memory: the second half must not grow) | {middle:.0f} MiB → {after:.0f} MiB"
        f" ({after - middle:+.0f} MiB) |",
        "",
    ]
    if latencies and cpu:
        lines += [
            f"The server used {cpu / wall:.2f} CPU on average, the machine's load being {load:.1f} on {os.cpu_count()}"
            " CPUs. Each build runs in a job process of its own (BUILDS_AT_ONCE, one per CPU, at once; the rest"
            " queue), whose CPU time is not the server's: the figure above is the server's own share (reading uploads,"
            " starting jobs, sending answers); latency beyond one build's time is waiting in line.",
            "",
        ]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
