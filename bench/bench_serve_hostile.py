"""Benchmark: ``genreport serve`` under a load with hostile uploads mixed in (issue 16 §5, §7).

    python bench/bench_serve_hostile.py [--uploads 200] [--hostile 10] [--concurrency 8] [--write]

Starts a real server on loopback (``python -m pipeline serve`` in a subprocess, its TMPDIR a private folder, a job
memory limit of ``--job-memory-mb`` and an upload deadline of ``--upload-seconds``), warms it up, then sends UPLOADS
requests to ``/check``, CONCURRENCY at a time: HOSTILE of them, spread evenly through the run, are hostile, taking
turns among the kinds below; the others are the sample workbook, which must come back with its findings.

| kind | what it sends | expected answer |
|---|---|---|
| oversized | 21 MB that claims to be a workbook | 413 |
| trickling | a form sent a few bytes at a time, then stalled | 408 after the upload deadline |
| malformed | a multipart form with a 600 kB file in a field the page does not have, beside a workbook | 400 |
| cross-site | the sample, posted with another site's Origin | 403 |
| memory | a 0.9 MB workbook: 19,000 rows of long text in 内设机构 (under the row limit) | 422 naming the limit |

(The memory workbook's check needs more than the job's memory limit; should the reader one day refuse it first,
any Chinese 4xx counts.)

Reports whether the other uploads were all answered with their findings, each hostile answer (status, Chinese,
no Python name), the files left in the server's TMPDIR, the latency of the normal uploads, and the resident memory
(VmRSS) of the server process and of the process the jobs fork from, at the start (after the warm-up), in the
middle and at the end: flat memory means a hostile upload cost the server nothing it kept. Only loopback
addresses; nothing outside the repository. ``--write`` replaces the section "## Web page under hostile load
(issue 16 §5)" of bench/RESULTS.md. Exits 1 when a normal upload failed, a hostile one was not refused in Chinese,
or a file was left.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import socket
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_serve import FINDINGS, percentile, start_server  # noqa: E402
from results import write_section  # noqa: E402

SAMPLE = ROOT / "inputs" / "2022.xlsx"
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Web page under hostile load (issue 16 §5)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("oversized", "trickling", "malformed", "cross-site", "memory")
EXPECTED = {"oversized": (413,), "trickling": (408,), "malformed": (400,), "cross-site": (403,), "memory": None}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PYTHON_NAMES = re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception)\b")
BOUNDARY = "b0undary"


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def forkserver_of(pid: int) -> int | None:
    """The server's child that jobs fork from (multiprocessing's forkserver), if it runs."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"forkserver" in command:
            return int(entry.name)
    return None


def memory_workbook(sample: bytes, rows: int = 19_000) -> bytes:
    """The sample with ``rows`` rows of long text added to 内设机构: under the form's row limit, small zipped, and
    needing a few hundred MB to check."""
    source = zipfile.ZipFile(io.BytesIO(sample))
    names = re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="(rId\d+)"', source.read("xl/workbook.xml"))
    rid = dict((n.decode(), r.decode()) for n, r in names)["内设机构"]
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'Id="{rid}"[^>]*Target="/?(?:xl/)?([^"]+)"|Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels)
    assert target is not None
    member = "xl/" + (target.group(1) or target.group(2))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                filler = b"".join(
                    b'<row r="%d">' % i
                    + b"".join(
                        b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col, i, b"%d" % i * 200)
                        for col in (b"A", b"B", b"C", b"D", b"E", b"F")
                    )
                    + b"</row>"
                    for i in range(1000, 1000 + rows)
                )
                head, _, tail = data.partition(b"</sheetData>")
                data = head + filler + b"</sheetData>" + tail
            z.writestr(info, data)
    return out.getvalue()


def _part(name: str, filename: str, data: bytes) -> bytes:
    disposition = f'form-data; name="{name}"; filename="{filename}"'
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"


def trickle(url: str, pause: float = 0.5, chunks: int = 6) -> tuple[int, str]:
    """A form that claims 1 MB, sends a few bytes every ``pause`` seconds, then stalls: the answer's status and
    text."""
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"POST /check HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {1024 * 1024}\r\n\r\n"
    ).encode()
    body = _part("workbook", "slow.xlsx", b"PK\x03\x04" + b"\0" * 1000)
    with socket.create_connection((host, int(port)), timeout=300) as s:
        s.sendall(head)
        try:
            for i in range(chunks):
                s.sendall(body[i * 50 : (i + 1) * 50])
                time.sleep(pause)
        except OSError:
            pass
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1") else 0
    return status, answer.decode("utf-8", "replace")


def send_hostile(client: httpx.Client, url: str, kind: str, bomb: bytes) -> tuple[int, str]:
    if kind == "oversized":
        big = b"PK\x03\x04" + b"\0" * (21 * 1024 * 1024)
        r = client.post(url + "/check", files={"workbook": ("big.xlsx", big, XLSX)})
    elif kind == "trickling":
        return trickle(url)
    elif kind == "malformed":
        part = b"PK\x03\x04" + b"\0" * (600 * 1024)
        body = _part("workbook", "a.xlsx", part) + _part("other", "b.xlsx", part) + f"--{BOUNDARY}--\r\n".encode()
        headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
        r = client.post(url + "/check", content=body, headers=headers)
    elif kind == "cross-site":
        files = {"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}
        r = client.post(url + "/check", files=files, headers={"Origin": "http://evil.example"})
    else:
        r = client.post(url + "/check", files={"workbook": ("memory.xlsx", bomb, XLSX)})
    return r.status_code, r.text


def refused_well(kind: str, status: int, text: str) -> bool:
    """A hostile upload's answer: the expected status (any 4xx for a memory bomb), in Chinese, no Python name."""
    expected = EXPECTED[kind]
    good_status = status in expected if expected else 400 <= status < 500
    return good_status and bool(CHINESE.search(text)) and not PYTHON_NAMES.search(text)


# --- the load ----------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    normal_ok: int = 0
    normal_failed: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    hostile: list[tuple[str, int, bool, float, str]] = field(default_factory=list)  # kind, status, well, s, text


def plan(uploads: int, hostile: int, among: tuple[str, ...] = KINDS) -> list[str | None]:
    """Which request is which: None for the sample, else a hostile kind (taking turns ``among``); hostile ones
    spread evenly."""
    kinds: list[str | None] = [None] * uploads
    for i in range(hostile):
        kinds[(i * uploads) // hostile + uploads // (2 * hostile)] = among[i % len(among)]
    return kinds


def load(url: str, kinds: list[str | None], concurrency: int) -> Outcome:
    data = SAMPLE.read_bytes()
    bomb = memory_workbook(data) if any(k == "memory" for k in kinds) else b""
    local = threading.local()
    outcome = Outcome()
    lock = threading.Lock()

    def one(kind: str | None) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=600)
        started = time.perf_counter()
        if kind is None:
            try:
                r = local.client.post(url + "/check", files={"workbook": ("2022.xlsx", data, XLSX)})
                ok, note = r.status_code == 200 and FINDINGS.search(r.text) is not None, f"{r.status_code}"
            except httpx.HTTPError as e:
                ok, note = False, type(e).__name__
            with lock:
                if ok:
                    outcome.normal_ok += 1
                    outcome.latencies.append(time.perf_counter() - started)
                else:
                    outcome.normal_failed.append(note)
            return
        try:
            status, text = send_hostile(local.client, url, kind, bomb)
        except (httpx.HTTPError, OSError) as e:
            status, text = 0, type(e).__name__
        message = re.search(r'<p class="error">(.*?)</p>', text, re.DOTALL)
        with lock:
            outcome.hostile.append(
                (kind, status, refused_well(kind, status, text), time.perf_counter() - started,
                 message.group(1)[:90] if message else text[:90])
            )  # fmt: skip

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, kinds))
    return outcome


def left_in(folder: Path, running: bool = True) -> list[str]:
    """Files left in the server's TMPDIR, but multiprocessing's own socket folder (pymp-…) and, while the server
    runs, the reports it keeps for their stated time (genreport-kept-…, which must be gone once it stopped)."""
    found = (p.relative_to(folder) for p in folder.rglob("*"))
    ignored = ("pymp-", "genreport-kept-") if running else ("pymp-",)
    return sorted(str(p) for p in found if not p.parts[0].startswith(ignored))


@dataclass
class Run:
    outcome: Outcome
    memory: dict[str, tuple[float, float, float, float]]  # process: start, middle, peak, end
    left: list[str]
    wall: float
    server_log: str


def bench(
    uploads: int,
    hostile: int,
    concurrency: int,
    job_memory_mb: int,
    upload_seconds: int,
    among: tuple[str, ...] = KINDS,
) -> Run:
    kinds = plan(uploads, hostile, among)
    half = uploads // 2
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        tmpdir = Path(folder)
        options = ("--job-memory-mb", str(job_memory_mb), "--upload-seconds", str(upload_seconds))
        process, url = start_server(tmpdir, *options, wait=60)
        try:
            load(url, [None] * concurrency, concurrency)  # warm-up
            pids = {"server": process.pid, "forkserver": forkserver_of(process.pid) or process.pid}
            start = {name: rss_mib(pid) for name, pid in pids.items()}
            peak = dict(start)
            done = threading.Event()

            def watch() -> None:
                while not done.wait(0.2):
                    for name, pid in pids.items():
                        peak[name] = max(peak[name], rss_mib(pid))

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            started = time.perf_counter()
            first = load(url, kinds[:half], concurrency)
            middle = {name: rss_mib(pid) for name, pid in pids.items()}
            second = load(url, kinds[half:], concurrency)
            wall = time.perf_counter() - started
            done.set()
            watcher.join()
            time.sleep(0.5)
            end = {name: rss_mib(pid) for name, pid in pids.items()}
            left = left_in(tmpdir)
        finally:
            process.terminate()
            _, err = process.communicate(timeout=30)
        left += left_in(tmpdir, running=False)
    outcome = Outcome(
        first.normal_ok + second.normal_ok,
        first.normal_failed + second.normal_failed,
        first.latencies + second.latencies,
        first.hostile + second.hostile,
    )
    memory = {name: (start[name], middle[name], peak[name], end[name]) for name in start}
    return Run(outcome, memory, left, wall, err.decode(errors="replace"))


def figures(args: argparse.Namespace, run: Run) -> list[str]:
    o = run.outcome
    normal = args.uploads - args.hostile
    lines = [
        HEADING,
        "",
        f"`python bench/bench_serve_hostile.py --uploads {args.uploads} --hostile {args.hostile} --concurrency"
        f" {args.concurrency}` — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, Python"
        f" {platform.python_version()}, machine load {os.getloadavg()[0]:.1f} at the end.",
        "",
        f"A real `genreport serve --job-memory-mb {args.job_memory_mb} --upload-seconds {args.upload_seconds}` on"
        f" loopback; {args.uploads} requests to `/check`, {args.concurrency} at a time: {normal} uploads of"
        f" inputs/2022.xlsx and {args.hostile} hostile ones spread through the run ({', '.join(KINDS)}, in turn).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| normal uploads answered with their findings | {o.normal_ok} of {normal} |",
    ]
    if o.latencies:
        lines.append(
            f"| their latency p50 / p95 / max | {percentile(o.latencies, 50):.2f} s / {percentile(o.latencies, 95):.2f}"
            f" s / {max(o.latencies):.2f} s ({run.wall:.0f} s in all) |"
        )
    well = sum(h[2] for h in o.hostile)
    lines += [
        f"| hostile uploads refused with the expected Chinese 4xx | {well} of {len(o.hostile)} |",
        f"| files left in the server's TMPDIR | {len(run.left)} |",
        f"| tracebacks in the server's log | {run.server_log.count('Traceback')} |",
    ]
    for name, (start, middle, peak, end) in run.memory.items():
        lines.append(
            f"| {name} RSS: start → middle → end (peak) | {start:.0f} → {middle:.0f} → {end:.0f} MiB ({peak:.0f}) |"
        )
    lines += ["", "| hostile upload | status | refused well | seconds | message (start) |", "|---|---|---|---|---|"]
    for kind, status, ok, seconds, text in o.hostile:
        shown = re.sub(r"\s+", " ", text).replace("|", "\\|")
        lines.append(f"| {kind} | {status} | {'yes' if ok else 'NO'} | {seconds:.1f} | {shown} |")
    lines.append("")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--hostile", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--job-memory-mb", type=int, default=256)
    parser.add_argument("--upload-seconds", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()
    run = bench(args.uploads, args.hostile, args.concurrency, args.job_memory_mb, args.upload_seconds)
    lines = figures(args, run)
    print("\n".join(lines))
    if "Traceback" in run.server_log:
        print(run.server_log, file=sys.stderr)
    if args.write:
        write_section(HEADING, "\n".join(lines))
    o = run.outcome
    bad = o.normal_failed or not all(h[2] for h in o.hostile) or run.left
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
