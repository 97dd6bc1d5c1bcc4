"""``genreport serve`` as a service (issue 16 §5, §1): posts from other sites, what error pages may say, deadlines
and caps, malformed forms, the token's length, and jobs that blow their memory or time in a process of their own.

The finer cases run against the app in a uvicorn server in a thread of this process (``Live``), so that a job's
function can be swapped for one that misbehaves: the job's process imports it from this module.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.testclient import TestClient

from pipeline.web import reports
from pipeline.web.app import Settings, create_app
from pipeline.web.jobs import Limits
from pipeline.web.protocol import with_header_deadline
from pipeline.web.public import public
from pipeline.web.uploads import Upload

from .conftest import ROOT, SAMPLE
from .test_serve import SAMPLE_WARNINGS, XLSX, Server, assert_empty, free_port, post

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PYTHON_NAMES = re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception)\b")


class Live:
    """The app in a uvicorn server on a thread of this process."""

    def __init__(self, settings: Settings, header_seconds: float = 20.0, max_connections: int | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, http=with_header_deadline(header_seconds, max_connections),
            log_level="warning", lifespan="off", timeout_keep_alive=1,
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def live_server(**how: object) -> Iterator[Live]:
    live = Live(Settings(max_upload_bytes=1024 * 1024, **how))  # type: ignore[arg-type]
    try:
        yield live
    finally:
        live.stop()


def assert_chinese_and_clean(response: httpx.Response, *folders: Path) -> None:
    """A page for a person: in Chinese, with no path of the server and no Python name."""
    text = response.text
    assert CHINESE.search(text), text
    assert not PYTHON_NAMES.search(text), text
    for folder in (ROOT, *folders):
        assert str(folder) not in text, text
        assert str(folder).lstrip("/") not in text, text  # relative to a server started from /


# --- posts from another site -------------------------------------------------------------------------------------

CROSS_SITE = [
    {"Origin": "http://evil.example"},
    {"Origin": "http://127.0.0.1:9"},  # another port of this machine is another origin
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
]


@pytest.mark.parametrize("token", [None, "a-token-of-twenty-chars"])
@pytest.mark.parametrize("headers", CROSS_SITE, ids=[str(h) for h in CROSS_SITE])
def test_a_post_from_another_site_is_refused_in_every_mode(headers: dict[str, str], token: str | None) -> None:
    client = TestClient(create_app(Settings(token=token)))
    if token:
        client.headers["Authorization"] = f"Bearer {token}"
    response = client.post("/check", files={"workbook": ("2022.xlsx", b"PK\x03\x04", XLSX)}, headers=headers)
    assert response.status_code == 403
    assert "请求来自其他网站，已拒绝" in response.text


SAME_ORIGIN = [{}, {"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}]


@pytest.mark.parametrize("headers", SAME_ORIGIN, ids=[str(h) for h in SAME_ORIGIN])
def test_the_page_itself_and_clients_without_a_browser_still_post(headers: dict[str, str]) -> None:
    client = TestClient(create_app(Settings()))
    response = client.post("/check", files={"workbook": ("x.txt", b"text", XLSX)}, headers=headers)
    assert response.status_code == 415  # past the guard: refused for what it is
    assert client.get("/", headers={"Origin": "http://evil.example"}).status_code == 200  # a GET changes nothing


def test_the_page_keeps_its_origin_on_its_own_posts() -> None:
    """With Referrer-Policy no-referrer a browser would send Origin: null on the page's own posts."""
    response = TestClient(create_app(Settings())).get("/")
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_host_guard_answers_in_chinese(private_tmp: Path) -> None:
    client = TestClient(create_app(Settings(allowed_hosts=("127.0.0.1", "localhost"))), base_url="http://evil.example")
    response = client.get("/")
    assert response.status_code == 400 and "访问地址不对" in response.text
    assert (
        TestClient(create_app(Settings(allowed_hosts=("127.0.0.1",))), base_url="http://127.0.0.1:8000")
        .get("/")
        .status_code
        == 200
    )


# --- the token ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["env", "option"])
def test_a_short_token_is_refused_at_start(where: str) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "GENREPORT_TOKEN"}
    command = [sys.executable, "-m", "pipeline", "serve", "--host", "0.0.0.0", "--port", str(free_port())]
    if where == "env":
        environ["GENREPORT_TOKEN"] = "x"
    else:
        command += ["--token", "fifteen-chars-x"]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environ, timeout=60, check=False)
    assert out.returncode == 2
    assert "错误：访问令牌太短" in out.stderr and "至少需要 16 个字符" in out.stderr
    assert "Traceback" not in out.stderr


# --- what an error page may say ----------------------------------------------------------------------------------


def test_no_error_page_names_a_path_or_a_python_error_from_root(tmp_path: Path) -> None:
    """Started from /, every refusal the page can give is Chinese and names nothing of the server."""
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    live = Server(server_tmp, cwd=Path("/"))
    try:
        url = live.url
        answers = [
            httpx.get(url + "/nowhere"),
            httpx.get(url + "/check"),
            httpx.get(url + "/explain/NOPE"),
            httpx.get(url + "/blank", params={"year": "x", "template": "default"}),
            httpx.get(url + "/blank", params={"template": "/etc"}),
            httpx.post(url + "/check"),
            httpx.post(url + "/check", content=b"x" * 100, headers={"content-type": "multipart/form-data"}),
            post(url + "/check", "x.txt", b"text"),
            post(url + "/check", "x.xlsx", b"text"),
            post(url + "/report", "x.xlsx", b"PK\x03\x04 broken", format="docx"),
            post(url + "/rollover", "x.xlsx", b"PK\x03\x04 broken"),
            post(url + "/report", "2022.xlsx", SAMPLE.read_bytes(), format="exe"),
            post(url + "/report", "2022.xlsx", SAMPLE.read_bytes(), template="../../etc"),
            post(url + "/check", "2022.xlsx", SAMPLE.read_bytes(), template="/etc/passwd"),
            httpx.post(url + "/check", files={"workbook": ("x.xlsx", b"PK", XLSX)}, headers={"Origin": "http://e.x"}),
            httpx.get(url + "/", headers={"Host": "evil.example"}),
        ]
        for response in answers:
            assert response.status_code >= 400, (response.request.url, response.text)
            assert_chinese_and_clean(response, server_tmp)
        assert_empty(server_tmp)
    finally:
        _, err = live.stop()
    assert "Traceback" not in err, err


def test_an_unexpected_error_is_a_generic_chinese_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> list[str]:
        raise OSError(2, "No such file or directory", "/srv/genreport/templates")

    monkeypatch.setattr(reports, "template_choices", broken)
    response = TestClient(create_app(Settings()), raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    assert "处理时出现程序错误" in response.text
    assert "/srv" not in response.text and "OSError" not in response.text


def test_a_message_loses_the_servers_paths_and_python_names() -> None:
    template = ROOT / "templates" / "default" / "report.docx"
    shown = public(f"{template}：不是可用的 Word 模板（KeyError: 'x'）；见 /srv/data/其他/file.xlsx 与 2022/12/31")
    assert shown == "default/report.docx：不是可用的 Word 模板（'x'）；见 file.xlsx 与 2022/12/31"
    job = "/tmp/x/genreport-web-ab12/genreport-web-cd34/in/2022.xlsx：处理时间超过上限"
    assert public(job) == public(job.lstrip("/")) == "2022.xlsx：处理时间超过上限"
    assert public("OSError: [Errno 36] File name too long") == "[Errno 36] File name too long"


def test_a_broken_template_in_the_working_folder_names_no_path(tmp_path: Path) -> None:
    """A template that fails to render: its message names the template, not where it lives nor Python's error."""
    folder = tmp_path / "work" / "templates" / "坏模板"
    folder.mkdir(parents=True)
    (folder / "report.docx").write_bytes(b"PK\x03\x04 not a word document")
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    live = Server(server_tmp, cwd=tmp_path / "work")
    try:
        for route in ("/check", "/report"):
            response = post(live.url + route, "2022.xlsx", SAMPLE.read_bytes(), template="坏模板", format="docx")
            assert "坏模板" in response.text, response.text
            assert_chinese_and_clean(response, server_tmp, tmp_path)
        assert_empty(server_tmp)
    finally:
        live.stop()


# --- malformed forms ---------------------------------------------------------------------------------------------

B = "b0undary"


def part(name: str, filename: str | None, data: bytes, extra: str = "") -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    return f"--{B}\r\nContent-Disposition: {disposition}\r\n{extra}\r\n".encode() + data + b"\r\n"


BIG = b"PK\x03\x04" + b"\0" * (600 * 1024)
MALFORMED = {
    "two files in one field": (part("workbook", "a.xlsx", BIG) + part("workbook", "b.xlsx", BIG) + f"--{B}--\r\n".encode(), f"multipart/form-data; boundary={B}"),
    "two files in two fields": (part("workbook", "a.xlsx", BIG) + part("other", "b.xlsx", BIG) + f"--{B}--\r\n".encode(), f"multipart/form-data; boundary={B}"),
    "no boundary": (part("workbook", "a.xlsx", BIG) + f"--{B}--\r\n".encode(), "multipart/form-data"),
    "truncated": (part("workbook", "a.xlsx", BIG)[: 300 * 1024], f"multipart/form-data; boundary={B}"),
    "wrong content type": (BIG, "application/octet-stream"),
    "url-encoded": (b"workbook=" + b"x" * 300_000, "application/x-www-form-urlencoded"),
    "huge part header": (part("workbook", "a.xlsx", b"PK\x03\x04", "X-Pad: " + "x" * 200_000 + "\r\n") + f"--{B}--\r\n".encode(), f"multipart/form-data; boundary={B}"),
    "huge field name": (part("n" * 300_000, None, b"v") + f"--{B}--\r\n".encode(), f"multipart/form-data; boundary={B}"),
    "huge field value": (part("template", None, b"v" * 300_000) + f"--{B}--\r\n".encode(), f"multipart/form-data; boundary={B}"),
    "too many fields": (b"".join(part(f"f{i}", None, b"v") for i in range(50)) + f"--{B}--\r\n".encode(), f"multipart/form-data; boundary={B}"),
    "no closing boundary": (part("workbook", "a.xlsx", b"PK\x03\x04"), f"multipart/form-data; boundary={B}"),
}  # fmt: skip


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    yield from live_server(upload_seconds=5.0)


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_form_is_a_chinese_4xx_never_a_reset(live: Live, case: str) -> None:
    body, content_type = MALFORMED[case]
    response = httpx.post(live.url + "/check", content=body, headers={"content-type": content_type}, timeout=30)
    assert 400 <= response.status_code < 500, (case, response.status_code, response.text)
    assert_chinese_and_clean(response)


@pytest.mark.parametrize("filename", [b"\xff\xfe\xcf\xd0.xlsx", "报告.xlsx".encode("gbk"), b"a\x00b.xlsx"])
def test_a_file_name_that_is_not_utf8_is_answered(live: Live, filename: bytes) -> None:
    body = (
        f'--{B}\r\nContent-Disposition: form-data; name="workbook"; filename="'.encode() + filename
        + b'"\r\n\r\nnot a workbook\r\n' + f"--{B}--\r\n".encode()
    )  # fmt: skip
    response = httpx.post(
        live.url + "/check", content=body, headers={"content-type": f"multipart/form-data; boundary={B}"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert_chinese_and_clean(response)


# --- deadlines and caps ------------------------------------------------------------------------------------------


def trickle(url: str, pause: float, stop_after: int | None = None, declared: int = 0) -> tuple[int, str, float]:
    """A multipart upload sent a few bytes at a time (and, with ``stop_after``, stalled after that many chunks;
    with ``declared``, claiming that many bytes): the status and the body of the answer, and the seconds it took."""
    host, port = url.removeprefix("http://").split(":")
    body = part("workbook", "slow.xlsx", b"PK\x03\x04" + b"\0" * 4000) + f"--{B}--\r\n".encode()
    head = (
        f"POST /check HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: multipart/form-data; boundary={B}\r\n"
        f"Content-Length: {declared or len(body)}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(head)
        try:
            for i in range(0, len(body), 100):
                if stop_after is not None and i // 100 >= stop_after:
                    break
                s.sendall(body[i : i + 100])
                time.sleep(pause)
        except OSError:
            pass  # the server answered and closed while we were still sending
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1") else 0
    return status, answer.decode("utf-8", "replace"), time.monotonic() - started


@pytest.mark.parametrize("stop_after", [None, 3], ids=["trickles", "stalls"])
def test_an_upload_that_trickles_or_stalls_is_cut_off_with_a_408(
    live: Live, private_tmp: Path, stop_after: int | None
) -> None:
    status, text, seconds = trickle(live.url, 0.2, stop_after)
    assert status == 408, text
    assert "上传超时：5 秒内没有收完文件" in text
    assert seconds < 12
    assert_empty(private_tmp)


def test_a_connection_that_never_sends_its_headers_is_closed() -> None:
    live = Live(Settings(), header_seconds=1.0)
    try:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", live.port), timeout=30) as s:
            s.sendall(b"POST /check HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for _ in range(20):  # a header line now and then does not keep it open
                try:
                    s.sendall(b"X-A: b\r\n")
                except OSError:
                    break
                time.sleep(0.2)
            assert s.recv(100) == b""
        assert time.monotonic() - started < 5
        assert httpx.get(live.url + "/").status_code == 200  # and it still answers
    finally:
        live.stop()


def test_connections_over_the_cap_are_answered_busy_in_chinese() -> None:
    live = Live(Settings(), max_connections=2)
    try:
        idle = [socket.create_connection(("127.0.0.1", live.port)) for _ in range(2)]
        time.sleep(0.2)
        response = httpx.get(live.url + "/")
        assert response.status_code == 503 and "服务器繁忙" in response.text
        for s in idle:
            s.close()
        time.sleep(0.2)
        assert httpx.get(live.url + "/").status_code == 200
    finally:
        live.stop()


def test_uploads_held_at_once_are_capped_with_a_503(private_tmp: Path) -> None:
    live = Live(Settings(max_upload_bytes=1024 * 1024, uploads_held=1, upload_seconds=5.0))
    try:
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(trickle, live.url, 0.3, 5, 1000 * 1024)  # holds the one upload's worth for a few seconds
            time.sleep(0.6)
            # declared larger than the room the trickle leaves (its 1000 KB of the 1 MB + form slack), whatever the
            # sample's own size: refused on its Content-Length, before a byte is read
            busy = post(live.url + "/check", "2022.xlsx", SAMPLE.read_bytes() + bytes(300 * 1024))
            assert busy.status_code == 503 and "服务器繁忙" in busy.text
            assert slow.result()[0] == 408
        assert post(live.url + "/check", "2022.xlsx", SAMPLE.read_bytes()).status_code == 200  # given back
    finally:
        live.stop()
    assert_empty(private_tmp)


# --- jobs in a process of their own ------------------------------------------------------------------------------


def hog_check(upload: Upload, template: str | None, *kept: Any) -> reports.Checked:
    """The page's check, but a workbook named hog*.xlsx allocates without end, and slow*.xlsx sleeps."""
    if upload.name.startswith("hog"):
        held = []
        while True:
            held.append(bytearray(16 * 2**20))
    if upload.name.startswith("slow"):
        time.sleep(60)
    if upload.name.startswith("dies"):
        os._exit(9)
    if upload.name.startswith("bug"):
        raise KeyError("/srv/genreport/secret")
    return reports.check(upload, template, *kept)


@pytest.fixture(scope="module")
def jobs_live() -> Iterator[Live]:
    yield from live_server(job_limits=Limits(memory_mb=300, seconds=8))


@pytest.mark.parametrize(
    ("name", "message", "seconds"),
    [("hog.xlsx", "需要的内存超过了上限 300 MB", 30), ("slow.xlsx", "超过了 8 秒的时限", 20),
     ("dies.xlsx", "的进程意外终止", 30)],
)  # fmt: skip
def test_a_job_that_blows_its_limit_is_answered_while_others_are_served(
    jobs_live: Live, private_tmp: Path, monkeypatch: pytest.MonkeyPatch, name: str, message: str, seconds: float
) -> None:
    monkeypatch.setattr(reports, "check", hog_check)
    data = SAMPLE.read_bytes()
    with ThreadPoolExecutor(3) as pool:
        started = time.monotonic()
        bad = pool.submit(post, jobs_live.url + "/check", name, data)
        time.sleep(0.3)
        good = [pool.submit(post, jobs_live.url + "/check", "2022.xlsx", data) for _ in range(2)]
        for future in good:
            response = future.result()
            assert response.status_code == 200 and f"0 个错误，{SAMPLE_WARNINGS} 个警告" in response.text
        response = bad.result()
        assert time.monotonic() - started < seconds
    assert response.status_code == 422, response.text
    assert f"处理“{name}”" in response.text and message in response.text
    assert_chinese_and_clean(response, private_tmp)
    assert_empty(private_tmp)


def test_a_bug_in_a_job_is_a_generic_500(jobs_live: Live, private_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's traceback goes to the server's stderr (the forkserver's, which the tests cannot capture)."""
    monkeypatch.setattr(reports, "check", hog_check)
    response = post(jobs_live.url + "/check", "bug.xlsx", SAMPLE.read_bytes())
    assert response.status_code == 500 and "处理时出现程序错误" in response.text
    assert "/srv" not in response.text and "KeyError" not in response.text
    assert_empty(private_tmp)
