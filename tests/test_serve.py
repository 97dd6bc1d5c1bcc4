"""``genreport serve``: the page, its uploads and downloads, the access token, and that nothing stays behind.

A real server (``genreport serve`` in a subprocess, its TMPDIR a private folder) answers the main flow and the bad
uploads; starlette's TestClient covers the finer cases in-process.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import httpx
import openpyxl
import pytest
from starlette.testclient import TestClient

from pipeline.model import schema
from pipeline.web.app import Settings, create_app
from pipeline.web.store import ROOT_PREFIX
from pipeline.web.uploads import UploadRejected, safe_name

from .conftest import ROOT, SAMPLE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE_WARNINGS = 31  # genreport validate inputs/2022.xlsx: 0 errors, 31 warnings
TITLE = "2022年度部门整体支出绩效自评报告"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``genreport serve`` in a subprocess with a private TMPDIR; stopped (and its output kept) on ``stop``."""

    def __init__(self, tmpdir: Path, *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmpdir = tmpdir
        environ = {k: v for k, v in os.environ.items() if k != "GENREPORT_TOKEN"} | {"TMPDIR": str(tmpdir)}
        command = [sys.executable, "-m", "pipeline", "serve", "--port", str(self.port), *args]
        self.process = subprocess.Popen(
            command, cwd=cwd, env=environ | (env or {}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.process.communicate()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not start in 30 s")

    def stop(self) -> tuple[str, str]:
        self.process.terminate()
        out, err = self.process.communicate(timeout=15)
        return out, err


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    live = Server(tmp_path_factory.mktemp("server-tmp"))
    yield live
    _, err = live.stop()  # SIGTERM, as a service manager stops it
    assert "Traceback" not in err, err
    assert kept_in(live.tmpdir) == [] and list(live.tmpdir.glob(ROOT_PREFIX + "*")) == []  # gone with the server
    assert list(live.tmpdir.iterdir()) == []  # the jobs' forkserver's socket folder (pymp-…) too


def post(url: str, name: str, data: bytes, **fields: str) -> httpx.Response:
    return httpx.post(url, files={"workbook": (name, data, XLSX)}, data=fields, timeout=180)


def findings_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in body.split("</tr>") if "<td" in row]


def left_in(folder: Path) -> list[str]:
    """What is in a server's TMPDIR but the folder of multiprocessing's own socket (pymp-…, the forkserver's,
    removed when the server stops) and the folder of the kept reports (genreport-kept-…, removed when they expire
    and when the server stops: see ``kept_in``)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(("pymp-", ROOT_PREFIX)))


def kept_in(folder: Path) -> list[str]:
    """The kept files in a server's TMPDIR, as TOKEN/N/NAME."""
    return sorted(
        str(p.relative_to(root)) for root in folder.glob(ROOT_PREFIX + "*") for p in root.rglob("*") if p.is_file()
    )


def assert_empty(folder: Path) -> None:
    deadline = time.monotonic() + 5  # the response may arrive a moment before the folder is gone
    while left_in(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left_in(folder) == []


# --- the real server ---------------------------------------------------------------------------------------------


def display_name(template: str) -> tuple[str, str]:
    """A template's display name and description as its template.toml states them (the folder's name without)."""
    stated = tomllib.loads((ROOT / "templates" / template / "template.toml").read_text("utf-8")).get("template", {})
    return stated.get("name") or template, stated.get("description", "")


def test_page_offers_the_templates_by_display_name(server: Server) -> None:
    response = httpx.get(server.url + "/")
    assert response.status_code == 200
    page = response.text
    for template in ("default", "township"):
        label, description = display_name(template)
        title = f' title="{description}"' if description else ""
        assert f'<option value="{template}"{title}>{label}</option>' in page
    assert "下载空白填报表" in page and "由上年工作簿生成本年填报表" in page
    assert 'name="workbook" accept=".xlsx,.xlsm,.xls,.ods" multiple required' in page
    assert '<input type="hidden" name="wait" value="1">' in page
    assert "检查结果和生成的报告在服务器上保留 30 分钟，到时自动删除" in page
    assert "<script" not in page  # the whole flow works with forms alone


def test_upload_shows_the_sample_findings_and_the_preview(server: Server) -> None:
    response = post(server.url + "/check", "2022.xlsx", SAMPLE.read_bytes())
    assert response.status_code == 200
    html = response.text
    rows = findings_rows(html)
    assert len(rows) == SAMPLE_WARNINGS
    assert f"“2022.xlsx”：0 个错误，{SAMPLE_WARNINGS} 个警告" in html
    sheets_cells = {(r[0], r[1]) for r in rows}
    assert ("收支预决算", "E9") in sheets_cells and ("资产", "B5") in sheets_cells
    codes = {re.sub(r"<[^>]+>", "", r[4]) for r in rows}
    assert {"W_SUM_MISMATCH", "W_DOC_NUMBER", "W_STALE_WORDING"} <= codes
    assert 'href="explain/W_SUM_MISMATCH"' in html
    assert "相差 4.50 万元" in html
    # the preview is the report's own HTML, escaped into a sandboxed frame
    preview = re.search(r'<iframe class="preview"[^>]*sandbox srcdoc="([^"]*)"', html)
    assert preview is not None
    assert TITLE in preview.group(1) and "&lt;h1" in preview.group(1)
    assert str(server.tmpdir) not in html and "genreport-web-" not in html and ROOT_PREFIX not in html
    # every format of this one build is offered, the PDF opening in the page's progress frame
    token = re.search(r'href="files/([\w-]{32})/1/2022\.docx" download>下载Word', html)
    assert token is not None, html
    assert f'href="making/{token.group(1)}/1/2022.pdf" target="fetch">下载PDF' in html
    assert "在服务器上保留到" in html and "（30 分钟），到时自动删除" in html
    assert f"{token.group(1)}/1/2022.docx" in kept_in(server.tmpdir)
    assert_empty(server.tmpdir)


@pytest.mark.parametrize("fmt", ["docx", "html", "md", "pdf"])
def test_each_format_downloads(server: Server, fmt: str) -> None:
    if fmt == "pdf" and shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    response = post(server.url + "/report", "2022.xlsx", SAMPLE.read_bytes(), format=fmt, template="default")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].endswith(f"filename*=UTF-8''2022.{fmt}")
    assert response.headers["cache-control"] == "no-store"
    if fmt == "docx":
        document = docx.Document(io.BytesIO(response.content))
        assert document.paragraphs[0].text == TITLE
        assert document.tables
    elif fmt == "pdf":
        assert response.content.startswith(b"%PDF")
    elif fmt == "html":
        assert f"<title>{TITLE}</title>" in response.text
    else:
        assert response.text.startswith(f"# {TITLE}")
    assert_empty(server.tmpdir)


BAD_UPLOADS = [
    ("notes.txt", b"just some text", 415, "不是 Excel 工作簿"),
    ("2022.xlsx", b"just some text renamed", 415, "内容不是 Excel 工作簿"),
    ("old.xls", b"PK\x03\x04 a zip named .xls", 415, "内容不是 Excel 工作簿"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, 422, "有 1 处错误，未生成报告"),  # read: broken
    ("empty.xlsx", b"", 400, "是空文件"),
    ("..", SAMPLE.read_bytes(), 400, "文件名“..”无效"),
    ("PK.xlsx", b"PK\x03\x04 a zip that is not a workbook", 422, "有 1 处错误，未生成报告"),
]


@pytest.mark.parametrize(("name", "data", "status", "message"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_a_bad_upload_gets_a_clear_message_and_a_4xx(
    server: Server, name: str, data: bytes, status: int, message: str
) -> None:
    for route in ("/check", "/report"):
        response = post(server.url + route, name, data, format="docx")
        expected = 200 if route == "/check" and status == 422 else status  # /check shows the findings of any zip
        assert response.status_code == expected, (route, response.text)
        assert message in response.text, response.text
    assert_empty(server.tmpdir)


def test_an_empty_request_and_a_missing_file_are_refused(server: Server) -> None:
    response = httpx.post(server.url + "/check", data={"template": ""}, files={"other": ("", b"")})
    assert response.status_code == 400 and "没有收到文件" in response.text
    response = httpx.post(server.url + "/check")
    assert response.status_code == 400 and "请求格式不对" in response.text


def test_a_too_big_upload_is_refused_without_a_server_error(server: Server) -> None:
    big = b"PK\x03\x04" + b"\0" * (21 * 1024 * 1024)
    response = post(server.url + "/check", "big.xlsx", big)
    assert response.status_code == 413
    assert "文件太大：上传的工作簿不能超过 20 MB" in response.text
    assert_empty(server.tmpdir)


def test_a_path_in_the_file_name_is_reduced_to_its_base_name(server: Server) -> None:
    for name in ("../../etc/2022.xlsx", "C:\\Users\\x\\2022.xlsx"):
        response = post(server.url + "/report", name, SAMPLE.read_bytes(), format="md")
        assert response.status_code == 200
        assert response.headers["content-disposition"].endswith("filename*=UTF-8''2022.md")
    assert_empty(server.tmpdir)


def test_concurrent_users_see_only_their_own_workbook(server: Server, tmp_path: Path) -> None:
    other = tmp_path / "其他单位.xlsx"
    wb = openpyxl.load_workbook(SAMPLE)
    wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "year", "value")] = "二〇二二"  # an error: 年度 not a year
    wb.save(other)
    uploads = [("2022.xlsx", SAMPLE.read_bytes()), (other.name, other.read_bytes())] * 3
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda u: post(server.url + "/check", *u), uploads))
    for (name, _), response in zip(uploads, responses, strict=True):
        assert response.status_code == 200
        assert f"<h2>“{name}”：" in response.text
        foreign = "其他单位.xlsx" if name == "2022.xlsx" else "2022.xlsx"
        assert foreign not in response.text
        if name == "2022.xlsx":
            assert TITLE in response.text and "0 个错误" in response.text
        else:
            assert "未生成报告" in response.text and 'class="preview"' not in response.text
    assert_empty(server.tmpdir)


def test_small_load_leaves_nothing_behind(server: Server) -> None:
    data = SAMPLE.read_bytes()
    with ThreadPoolExecutor(4) as pool:
        statuses = list(
            pool.map(lambda _: post(server.url + "/report", "2022.xlsx", data, format="md").status_code, range(20))
        )
    assert statuses == [200] * 20
    assert_empty(server.tmpdir)


def test_blank_form_downloads_for_the_year_and_template(server: Server) -> None:
    response = httpx.get(server.url + "/blank", params={"template": "township", "year": "2025"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith("filename*=UTF-8''2025.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    basic = wb[schema.BASIC.name]
    assert basic[schema.form_cell(schema.BASIC, "year", "value")].value == 2025
    assert basic[schema.form_cell(schema.BASIC, "template", "value")].value == "township"
    response = httpx.get(server.url + "/blank", params={"year": "20x5"})
    assert response.status_code == 400 and "报告年度“20x5”无效" in response.text


# --- the access token --------------------------------------------------------------------------------------------


def test_a_non_loopback_server_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "GENREPORT_TOKEN"}
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True, text=True, cwd=ROOT, env=environ, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 2
    assert "错误：监听 0.0.0.0 时局域网中的其他电脑也能访问，必须设置访问令牌" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_busy_port_is_one_chinese_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "pipeline", "serve", "--port", str(port)],
            capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.strip() == f"错误：端口 {port} 已被占用：请用 --port 换一个端口，或先关闭占用它的程序"


def test_a_non_loopback_server_with_a_token_refuses_requests_without_it(tmp_path: Path) -> None:
    live = Server(tmp_path, "--host", "0.0.0.0", env={"GENREPORT_TOKEN": "s3cret-token-0123456789"})
    try:
        assert httpx.get(live.url + "/").status_code == 401
        refused = post(live.url + "/check", "2022.xlsx", SAMPLE.read_bytes())
        assert refused.status_code == 401 and "需要访问令牌" in refused.text
        assert httpx.get(live.url + "/", params={"token": "wrong"}).status_code == 403
        bearer = httpx.get(live.url + "/", headers={"Authorization": "Bearer s3cret-token-0123456789"})
        assert bearer.status_code == 200 and "上传填好的工作簿" in bearer.text
    finally:
        out, _ = live.stop()
    assert "?token=s3cret-token-0123456789" in out  # the address to hand out


def test_token_in_the_address_becomes_an_httponly_cookie() -> None:
    client = TestClient(create_app(Settings(token="s3cret-token")), follow_redirects=False)
    response = client.get("/?token=s3cret-token&x=1")
    assert response.status_code == 303 and response.headers["location"] == "/?x=1"
    cookie = response.headers["set-cookie"]
    assert "genreport_token=s3cret-token" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/").status_code == 200  # the cookie carries it from now on
    client.cookies.clear()
    client.cookies.set("genreport_token", "nearly-the-token")
    assert client.get("/").status_code == 403
    assert client.get("/", headers={"Authorization": "Bearer nope"}).status_code == 403


# --- in-process cases --------------------------------------------------------------------------------------------


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def client(private_tmp: Path) -> TestClient:
    return TestClient(create_app(Settings(max_upload_bytes=1024 * 1024)), raise_server_exceptions=False)


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/nowhere"), client.get("/explain/W_SUM_MISMATCH")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "style-src 'unsafe-inline'" in csp and "script-src" not in csp


def test_explain_page_shows_the_explain_text(client: TestClient) -> None:
    from pipeline.findings.codes import ALL
    from pipeline.findings.docs import explanation

    code = next(c for c in ALL if c.code == "W_SUM_MISMATCH")
    response = client.get("/explain/w_sum_mismatch")
    assert response.status_code == 200
    assert explanation(code).replace('"', "&#34;").replace("'", "&#39;") in response.text
    missing = client.get("/explain/W_NOPE")
    assert missing.status_code == 404 and "没有问题代码“W_NOPE”" in missing.text


def test_unknown_pages_and_methods_answer_in_chinese(client: TestClient) -> None:
    assert client.get("/nowhere").status_code == 404 and "没有这个页面" in client.get("/nowhere").text
    response = client.get("/check")
    assert response.status_code == 405 and "请用本页的按钮提交" in response.text


def test_a_template_is_a_name_from_the_list_never_a_path(client: TestClient, private_tmp: Path) -> None:
    for template in ("../../templates/default", "/etc", "nope"):
        response = client.post(
            "/report", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}, data={"template": template}
        )
        assert response.status_code == 400 and "的模板：请从列表中选择" in response.text
    response = client.post(
        "/report", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}, data={"format": "exe"}
    )
    assert response.status_code == 400 and "不支持的格式“exe”" in response.text
    assert_empty(private_tmp)


def test_the_size_limit_holds_without_a_content_length(client: TestClient, private_tmp: Path) -> None:
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="big.xlsx"\r\n\r\n'.encode()
        + b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    )  # fmt: skip

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = client.post(
        "/check", content=chunks(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 413 and "不能超过 1 MB" in response.text
    assert_empty(private_tmp)


def test_a_broken_multipart_body_is_a_400(client: TestClient) -> None:
    response = client.post("/check", content=b"garbage", headers={"content-type": "multipart/form-data"})
    assert response.status_code == 400 and "表单不完整" in response.text


def test_a_workbook_with_errors_shows_them_and_builds_nothing(
    client: TestClient, private_tmp: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "year", "value")] = "<b>二〇二二</b>"
    path = tmp_path / "坏.xlsx"
    wb.save(path)
    files = {"workbook": ("坏.xlsx", path.read_bytes(), XLSX)}
    checked = client.post("/check", files=files)
    assert checked.status_code == 200
    assert "“坏.xlsx”有 1 处错误，未生成报告" in checked.text
    assert "&lt;b&gt;二〇二二&lt;/b&gt;" in checked.text and "<b>二〇二二" not in checked.text
    assert 'class="preview"' not in checked.text
    built = client.post("/report", files=files, data={"format": "docx"})
    assert built.status_code == 422 and "未生成报告" in built.text
    assert_empty(private_tmp)


def test_rollover_answers_with_next_years_workbook(client: TestClient, private_tmp: Path) -> None:
    response = client.post("/rollover", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)})
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].endswith("filename*=UTF-8''2023.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "year", "value")].value == 2023
    assert_empty(private_tmp)


def test_rollover_of_a_broken_workbook_lists_its_errors(client: TestClient, private_tmp: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "year", "value")] = "二〇二二"
    path = tmp_path / "坏.xlsx"
    wb.save(path)
    response = client.post("/rollover", files={"workbook": ("坏.xlsx", path.read_bytes(), XLSX)})
    assert response.status_code == 422
    assert "无法由“坏.xlsx”生成本年填报表：上年工作簿有" in response.text
    assert f"{schema.BASIC.name}!{schema.form_cell(schema.BASIC, 'year', 'value')}：" in response.text
    assert str(private_tmp) not in response.text
    assert_empty(private_tmp)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("../x.xlsx", "x.xlsx"), ("C:\\a\\b\\2022.xlsx", "2022.xlsx"), ("报 告 2022.XLSX", "报_告_2022.xlsx"),
     ("a/b/..\\c<script>.xlsx", "c_script.xlsx")],
)  # fmt: skip
def test_safe_name_keeps_only_the_base_name(given: str, expected: str) -> None:
    assert safe_name(given) == expected


@pytest.mark.parametrize("given", ["..", "../", "C:\\", "...xlsx"])
def test_safe_name_refuses_a_name_with_nothing_left(given: str) -> None:
    with pytest.raises(UploadRejected) as e:
        safe_name(given)
    assert e.value.status == 400


def test_a_loopback_server_without_a_token_refuses_other_host_names(server: Server) -> None:
    """A page elsewhere that rebinds its DNS name to 127.0.0.1 reaches the server with its own Host: refused."""
    assert httpx.get(server.url + "/", headers={"Host": "evil.example"}).status_code == 400
    assert httpx.get(server.url + "/", headers={"Host": f"localhost:{server.port}"}).status_code == 200


# --- one build per upload, kept for a stated time ----------------------------------------------------------------


def links(html: str) -> dict[str, str]:
    """The result page's downloads: file name → address (files/… or making/…)."""
    return {href.rsplit("/", 1)[1]: href for href in re.findall(r'href="((?:\.\./)*(?:files|making)/[^"]+)"', html)}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function run as a job (a process of its own): a build is one job."""
    from pipeline.web import jobs

    started: list[str] = []
    real = jobs.run

    def run(function: object, *args: object, **how: object) -> object:
        started.append(getattr(function, "__name__", "?"))
        return real(function, *args, **how)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "run", run)
    return started


def test_one_build_serves_every_format(client: TestClient, private_tmp: Path, counted: list[str]) -> None:
    files = {"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}
    checked = client.post("/check", files=files, data={"template": "default"})
    assert checked.status_code == 200 and f"0 个错误，{SAMPLE_WARNINGS} 个警告" in checked.text
    assert f"报告预览（模板：{display_name('default')[0]}）" in checked.text
    assert counted == ["check"]
    found = links(checked.text)
    assert sorted(found) == ["2022.docx", "2022.html", "2022.md", "2022.pdf"]
    docx_bytes = client.get("/" + found["2022.docx"]).content
    assert docx.Document(io.BytesIO(docx_bytes)).paragraphs[0].text == TITLE
    assert client.get("/" + found["2022.html"]).text.count(f"<title>{TITLE}</title>") == 1
    assert client.get("/" + found["2022.md"]).text.startswith(f"# {TITLE}")
    again = client.get("/" + found["2022.docx"])
    assert again.content == docx_bytes and again.headers["content-disposition"].endswith("UTF-8''2022.docx")
    assert counted == ["check"]  # three formats, four downloads: no build but the check's
    if shutil.which("soffice") is None:
        return
    pdf = client.get("/" + found["2022.pdf"].replace("making/", "files/", 1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/" + found["2022.pdf"].replace("making/", "files/", 1)).content == pdf.content
    assert counted == ["check", "make_pdf"]  # the PDF made once, from the kept .docx
    assert_empty(private_tmp)


def test_the_pages_own_form_polls_a_waiting_page(client: TestClient, private_tmp: Path) -> None:
    """With wait=1 (the page's form) the answer is at once “正在生成…”, reloading itself until the result is there;
    the PDF's link shows its own progress, then downloads."""
    answer = client.post("/check", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}, data={"wait": "1"})
    assert answer.status_code == 200 and "正在检查并生成报告…" in answer.text
    refresh = re.search(r'<meta http-equiv="refresh" content="1;url=(result/[\w-]{32})">', answer.text)
    assert refresh is not None, answer.text
    for _ in range(600):  # a meta refresh each second in a browser; polled here until the jobs are done
        page = client.get("/" + refresh.group(1))
        if "正在检查并生成报告" not in page.text:
            break
        assert '<meta http-equiv="refresh" content="1">' in page.text
        time.sleep(0.1)
    assert page.status_code == 200 and f"0 个错误，{SAMPLE_WARNINGS} 个警告" in page.text
    assert 'href="../explain/W_SUM_MISMATCH"' in page.text  # relative to /result/TOKEN
    making = links(page.text)["2022.pdf"]
    assert making.startswith("../making/")
    if shutil.which("soffice") is None:
        return
    first = client.get("/" + making.removeprefix("../"))
    assert "正在生成 2022.pdf…" in first.text and 'class="spinner"' in first.text
    for _ in range(1200):
        shown = client.get("/" + making.removeprefix("../"))
        if "正在生成" not in shown.text:
            break
        time.sleep(0.1)
    download = re.search(r'content="0;url=\.\./\.\./\.\./(files/[^"]+)"', shown.text)
    assert download is not None and "2022.pdf 已生成，正在下载" in shown.text, shown.text
    assert client.get("/" + download.group(1)).content.startswith(b"%PDF")


def sample_with_error(tmp_path: Path) -> bytes:
    wb = openpyxl.load_workbook(SAMPLE)
    wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "year", "value")] = "二〇二二"
    path = tmp_path / "坏.xlsx"
    wb.save(path)
    return path.read_bytes()


def test_several_workbooks_give_each_ones_findings_the_summary_and_a_zip(
    client: TestClient, private_tmp: Path, tmp_path: Path, counted: list[str]
) -> None:
    sample = SAMPLE.read_bytes()
    files = [("workbook", ("2022.xlsx", sample, XLSX)), ("workbook", ("坏.xlsx", sample_with_error(tmp_path), XLSX)),
             ("workbook", ("2022.XLSX", sample, XLSX))]  # fmt: skip
    response = client.post("/check", files=files)
    assert response.status_code == 200
    html = response.text
    assert counted == ["check", "check", "check", "summarize"]  # each workbook in a job of its own
    assert "共 3 个工作簿：2 个已生成报告，1 个未生成" in html
    for name in ("2022.xlsx", "坏.xlsx", "2022-2.xlsx"):  # a second 2022 would overwrite the first's report
        assert f"<h2>“{name}”：" in html
    assert "“坏.xlsx”有 1 处错误，未生成报告" in html
    found = links(html)
    assert {"2022.docx", "2022-2.docx", "汇总.xlsx", "汇总说明.docx", "全部报告.zip"} <= set(found)
    assert "坏.docx" not in found
    archive = zipfile.ZipFile(io.BytesIO(client.get("/" + found["全部报告.zip"]).content))
    assert sorted(archive.namelist()) == ["2022-2.docx", "2022.docx"]
    assert docx.Document(io.BytesIO(archive.read("2022.docx"))).paragraphs[0].text == TITLE
    book = openpyxl.load_workbook(io.BytesIO(client.get("/" + found["汇总.xlsx"]).content))
    lines = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    at = next(i for i, line in enumerate(lines) if "工作簿" in line and "状态" in line)
    rows = [dict(zip(lines[at], line, strict=True)) for line in lines[at + 1 :] if any(line)]
    assert [(r["工作簿"], r["状态"]) for r in rows] == [("2022.xlsx", "已生成"), ("坏.xlsx", "未生成"),
                                                         ("2022-2.xlsx", "已生成")]  # fmt: skip
    text = " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value is not None)
    assert str(private_tmp) not in text and "genreport-web-" not in text
    assert_empty(private_tmp)


def test_an_upload_is_capped_in_files_and_bytes(private_tmp: Path) -> None:
    client = TestClient(create_app(Settings(max_upload_bytes=1024 * 1024, max_files=2)))
    three = [("workbook", (f"{i}.xlsx", b"PK\x03\x04", XLSX)) for i in range(3)]
    response = client.post("/check", files=three)
    assert response.status_code == 400 and "一次最多上传 2 个工作簿：请分几次上传" in response.text
    two = [("workbook", (f"{i}.xlsx", b"PK\x03\x04" + b"\0" * (600 * 1024), XLSX)) for i in range(2)]
    response = client.post("/check", files=two)
    assert response.status_code == 413 and "不能超过 1 MB" in response.text  # the cap is on the upload as a whole
    assert_empty(private_tmp)


def test_kept_files_expire_at_the_stated_time_and_are_deleted(private_tmp: Path) -> None:
    app = create_app(Settings(keep_seconds=600))
    client = TestClient(app)
    html = client.post("/check", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}).text
    assert "（10 分钟），到时自动删除" in html
    docx_link = links(html)["2022.docx"]
    token = docx_link.split("/")[1]
    assert client.get("/" + docx_link).status_code == 200
    assert f"{token}/1/2022.docx" in kept_in(private_tmp)
    store = app.state.store
    now = time.monotonic()
    store.clock = lambda: now + 599  # not yet
    assert client.get("/" + docx_link).status_code == 200
    store.clock = lambda: now + 601
    gone = client.get("/" + docx_link)
    assert gone.status_code == 404 and "检查结果已过期（只保留 10 分钟）或不存在，文件已删除" in gone.text
    assert client.get(f"/result/{token}").status_code == 404
    assert kept_in(private_tmp) == []
    store.close()
    assert list(private_tmp.glob(ROOT_PREFIX + "*")) == []


def test_the_oldest_uploads_go_first_when_the_disk_cap_is_reached(private_tmp: Path) -> None:
    app = create_app(Settings(kept_uploads=2, kept_bytes=10 * 1024 * 1024))
    client = TestClient(app)
    tokens = []
    for _ in range(3):
        html = client.post("/check", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}).text
        tokens.append(links(html)["2022.docx"].split("/")[1])
    assert [client.get(f"/files/{t}/1/2022.docx").status_code for t in tokens] == [404, 200, 200]
    assert sorted({k.split("/")[0] for k in kept_in(private_tmp)}) == sorted(tokens[1:])
    app.state.store.max_bytes = 1  # over the byte cap: every finished upload but the newest goes
    client.post("/check", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)})
    assert len({k.split("/")[0] for k in kept_in(private_tmp)}) == 1
    app.state.store.close()


@pytest.mark.parametrize(
    "address",
    ["/files/short/1/2022.docx", "/files/" + "A" * 32 + "/1/2022.docx", "/result/" + "A" * 32,
     "/files/{token}/1/..%2F..%2Fetc%2Fpasswd", "/files/{token}/1/%2E%2E", "/files/{token}/2/2022.docx",
     "/files/{token}/..%2F1/2022.docx", "/making/{token}/1/2022.docx", "/files/{token}/all/2022.docx"],
)  # fmt: skip
def test_a_kept_file_is_reached_only_by_its_token_and_listed_name(
    client: TestClient, private_tmp: Path, address: str
) -> None:
    html = client.post("/check", files={"workbook": ("2022.xlsx", SAMPLE.read_bytes(), XLSX)}).text
    token = links(html)["2022.docx"].split("/")[1]
    response = client.get(address.format(token=token))
    assert response.status_code == 404, response.text
    assert "<h2>" in response.text and str(private_tmp) not in response.text


def test_a_stopped_server_leaves_no_kept_file(tmp_path: Path) -> None:
    live = Server(tmp_path)
    try:
        response = post(live.url + "/check", "2022.xlsx", SAMPLE.read_bytes())
        assert response.status_code == 200
        assert any(k.endswith("/1/2022.docx") for k in kept_in(tmp_path))
    finally:
        _, err = live.stop()
    assert "Traceback" not in err, err
    assert kept_in(tmp_path) == [] and list(tmp_path.glob(ROOT_PREFIX + "*")) == []


@pytest.fixture(scope="module")
def saved_by_office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The sample saved by LibreOffice as .xls and .ods (as 预算管理一体化 and many units export or keep them)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice: scripts/install_office.sh")
        pytest.skip("LibreOffice is not installed (make test installs it)")
    folder = tmp_path_factory.mktemp("saved")
    saved = {}
    for fmt in ("xls", "ods"):
        subprocess.run(
            [soffice, "--headless", "--convert-to", fmt, "--outdir", str(folder), str(SAMPLE)],
            env={**os.environ, "HOME": str(folder)}, check=True, capture_output=True, timeout=240,
        )  # fmt: skip
        saved[fmt] = (folder / f"2022.{fmt}").read_bytes()
    return saved


def test_xls_and_ods_uploads_are_checked_like_the_xlsx(
    client: TestClient, private_tmp: Path, saved_by_office: dict[str, bytes]
) -> None:
    files = [("workbook", ("2022.xlsx", SAMPLE.read_bytes(), XLSX)),
             ("workbook", ("2022.xls", saved_by_office["xls"], "application/vnd.ms-excel")),
             ("workbook", ("2022.ods", saved_by_office["ods"], "application/vnd.oasis.opendocument.spreadsheet"))]  # fmt: skip
    response = client.post("/check", files=files)
    assert response.status_code == 200
    assert "共 3 个工作簿：3 个已生成报告，0 个未生成" in response.text
    for name in ("2022.xlsx", "2022-2.xls", "2022-3.ods"):
        assert f"<h2>“{name}”：0 个错误，{SAMPLE_WARNINGS} 个警告</h2>" in response.text
    sections = response.text.split('<div class="workbook"')[1:]
    assert len(findings_rows(sections[0])) == SAMPLE_WARNINGS
    assert len({tuple(map(tuple, findings_rows(s))) for s in sections}) == 1  # the same findings, cell for cell
    assert {"2022.docx", "2022-2.docx", "2022-3.docx"} <= set(links(response.text))
    assert_empty(private_tmp)


def test_an_upload_still_being_checked_is_never_evicted(private_tmp: Path) -> None:
    from pipeline.web.store import Store

    store = Store(keep_seconds=60, max_bytes=1, max_entries=1)
    running = store.create()
    (running.folder / "1").mkdir()
    (running.folder / "1" / "2022.docx").write_bytes(b"x" * 100)
    newer = store.create()  # over the cap of one upload: but the first is not done
    assert store.get(running.token) is running and running.folder.is_dir()
    newer.done.set()
    store.settle(newer)
    running.done.set()
    store.settle(running)  # over the byte cap: the other finished upload goes, never the one just settled
    assert store.get(newer.token) is None and not newer.folder.exists()
    assert store.get(running.token) is running
    store.close()
    assert not running.folder.exists() and list(private_tmp.iterdir()) == []
