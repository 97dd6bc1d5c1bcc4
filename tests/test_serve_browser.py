"""The page in a real browser: Debian's headless Chromium, driven by selenium through chromedriver.

It uploads the sample, sees its findings in the result frame (reached through the waiting page), downloads the
report in each format from the one build (the PDF showing “正在生成…” while LibreOffice works), opens an explanation;
uploads two workbooks at once and gets the 汇总 and the zip; and checks at 375 px and 1280 px that neither the page
nor the findings are wider than the window. Without Chromium the test is skipped, saying why, except under CI (the CI variable
set), where a missing browser is a failure: scripts/install_browser.sh installs it.
GENREPORT_SCREENSHOT=1 also saves the page to docs/serve-page.png for the README.
"""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest

from .conftest import ROOT, SAMPLE
from .test_serve import SAMPLE_WARNINGS, TITLE, Server, assert_empty, sample_with_error

SCREENSHOT = ROOT / "docs" / "serve-page.png"


def _browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    reason = "Chromium or chromedriver is not installed (scripts/install_browser.sh installs them)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    print(f"skipped: {reason}")
    pytest.skip(reason)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[object, Path]]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = _browser()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,1500", f"--user-data-dir={tmp_path / 'profile'}", "--lang=zh-CN",
    ):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield driver, downloads
    finally:
        driver.quit()


def wait_for_file(target: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.exists(), sorted(p.name for p in target.parent.iterdir())


def no_overflow(driver: object) -> None:
    """Nothing wider than the window: the page, and the result frame's own document inside it."""
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    measure = "return [document.documentElement.scrollWidth, window.innerWidth]"
    driver.switch_to.default_content()
    width, window = driver.execute_script(measure)
    assert width <= window, ("page", width, window)
    driver.switch_to.frame("result")
    width, window = driver.execute_script(measure)
    assert width <= window, ("result frame", width, window)
    driver.switch_to.default_content()


def test_upload_see_findings_and_download_every_format(browser: tuple[object, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver, downloads = browser
    assert isinstance(driver, WebDriver)
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    server = Server(server_tmp)
    try:
        driver.get(server.url + "/")
        assert "部门整体支出绩效自评报告" in driver.title
        form = driver.find_element(By.CSS_SELECTOR, 'form[action="check"]')
        form.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(SAMPLE))
        form.find_element(By.ID, "check").click()

        wait = WebDriverWait(driver, 120)
        wait.until(ec.frame_to_be_available_and_switch_to_it("result"))
        rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.findings tbody tr"))
        assert driver.execute_script("return location.pathname").startswith("/result/")  # the waiting page refreshed
        assert len(rows) == SAMPLE_WARNINGS
        heading = driver.find_element(By.TAG_NAME, "h2").text
        assert heading == f"“2022.xlsx”：0 个错误，{SAMPLE_WARNINGS} 个警告"
        first = rows[0].find_elements(By.TAG_NAME, "td")
        assert [first[0].text, first[1].text, first[2].text] == ["基本信息", "B9", "警告"]  # 报告日期 blank
        explain_href = first[4].find_element(By.TAG_NAME, "a").get_attribute("href")
        assert "在服务器上保留到" in driver.find_element(By.TAG_NAME, "body").text
        preview = driver.find_element(By.CSS_SELECTOR, "iframe.preview")
        driver.switch_to.frame(preview)
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith(TITLE)  # then [1]: a review note
        driver.switch_to.parent_frame()
        if os.environ.get("GENREPORT_SCREENSHOT"):
            driver.switch_to.default_content()
            driver.set_window_size(1280, 1900)  # the findings and the start of the report
            SCREENSHOT.write_bytes(driver.get_screenshot_as_png())
            driver.switch_to.frame("result")

        # every format from the one build: links of the result, the file no longer posted again
        driver.find_element(By.LINK_TEXT, "下载Word（.docx）").click()
        wait_for_file(downloads / "2022.docx")
        assert docx.Document(str(downloads / "2022.docx")).paragraphs[0].text == TITLE
        driver.find_element(By.LINK_TEXT, "下载Markdown（.md）").click()
        wait_for_file(downloads / "2022.md")
        assert (downloads / "2022.md").read_text(encoding="utf-8").startswith(f"# {TITLE}")
        if shutil.which("soffice") is not None:
            driver.find_element(By.LINK_TEXT, "下载PDF").click()
            driver.switch_to.frame("fetch")
            shown = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "p.waiting"))
            assert shown.text.startswith("正在生成 2022.pdf…") and shown.is_displayed()  # while LibreOffice works
            WebDriverWait(driver, 120).until(lambda d: "已生成" in d.find_element(By.TAG_NAME, "body").text)
            wait_for_file(downloads / "2022.pdf")
            assert (downloads / "2022.pdf").read_bytes().startswith(b"%PDF")
        driver.switch_to.default_content()

        assert explain_href is not None and explain_href.endswith("/explain/W_REPORT_DATE_BLANK")
        driver.get(explain_href)
        assert "W_REPORT_DATE_BLANK" in driver.find_element(By.TAG_NAME, "pre").text
        assert "怎么改：" in driver.find_element(By.TAG_NAME, "pre").text
        assert_empty(server_tmp)
    finally:
        _, err = server.stop()
    assert "Traceback" not in err, err


@pytest.mark.parametrize("width", [375, 1280])
def test_no_horizontal_overflow_with_findings_or_menus(
    browser: tuple[object, Path], tmp_path: Path, width: int
) -> None:
    """At a phone's 375 px and a desktop's 1280 px, neither the page (its template menu, the file input) nor the
    findings table in the result frame is wider than the window. GENREPORT_SCREENSHOT=1 keeps a picture of each."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = browser
    assert isinstance(driver, WebDriver)
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    server = Server(server_tmp)
    try:
        driver.set_window_size(width, 900)
        driver.get(server.url + "/")
        assert driver.execute_script("return window.innerWidth") == width
        no_overflow(driver)
        broken = tmp_path / "坏.xlsx"  # long messages and a failed build in the findings too
        broken.write_bytes(sample_with_error(tmp_path))
        form = driver.find_element(By.CSS_SELECTOR, 'form[action="check"]')
        form.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(f"{SAMPLE}\n{broken}")
        form.find_element(By.ID, "check").click()
        WebDriverWait(driver, 120).until(ec.frame_to_be_available_and_switch_to_it("result"))
        WebDriverWait(driver, 120).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.findings tbody tr"))
        no_overflow(driver)
        if os.environ.get("GENREPORT_SCREENSHOT"):
            (ROOT / "outputs").mkdir(exist_ok=True)
            (ROOT / "outputs" / f"serve-{width}.png").write_bytes(driver.get_screenshot_as_png())
    finally:
        _, err = server.stop()
    assert "Traceback" not in err, err


def test_several_workbooks_give_the_summary_and_the_zip(browser: tuple[object, Path], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver, downloads = browser
    assert isinstance(driver, WebDriver)
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    server = Server(server_tmp)
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(sample_with_error(tmp_path))
    try:
        driver.get(server.url + "/")
        form = driver.find_element(By.CSS_SELECTOR, 'form[action="check"]')
        form.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(f"{SAMPLE}\n{broken}")
        form.find_element(By.ID, "check").click()
        WebDriverWait(driver, 120).until(ec.frame_to_be_available_and_switch_to_it("result"))
        heading = WebDriverWait(driver, 120).until(
            lambda d: next((h for h in d.find_elements(By.TAG_NAME, "h2") if "共 2 个工作簿" in h.text), None)
        )
        assert heading.text == "共 2 个工作簿：1 个已生成报告，1 个未生成"
        statuses = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "table.findings tbody tr td.at")][:2]
        assert statuses == ["已生成报告", "未生成报告"]
        assert "“坏.xlsx”有 1 处错误，未生成报告" in driver.find_element(By.TAG_NAME, "body").text
        driver.find_element(By.PARTIAL_LINK_TEXT, "汇总表").click()
        driver.find_element(By.PARTIAL_LINK_TEXT, "全部报告").click()
        wait_for_file(downloads / "汇总.xlsx")
        wait_for_file(downloads / "全部报告.zip")
        assert zipfile.ZipFile(downloads / "全部报告.zip").namelist() == ["2022.docx"]
        book = openpyxl.load_workbook(downloads / "汇总.xlsx")
        cells = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value is not None]
        assert "2022.xlsx" in cells and "坏.xlsx" in cells
        driver.switch_to.default_content()
    finally:
        _, err = server.stop()
    assert "Traceback" not in err, err


def test_a_form_on_another_origin_cannot_post_to_the_page(browser: tuple[object, Path], tmp_path: Path) -> None:
    """A page served on another loopback port posts a workbook to the server through the browser: refused."""
    import http.server
    import threading

    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = browser
    assert isinstance(driver, WebDriver)
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    server = Server(server_tmp)
    form = (
        f'<!DOCTYPE html><html><body><form method="post" action="{server.url}/check" enctype="multipart/form-data">'
        '<input type="file" name="workbook"><button id="go" type="submit">go</button></form></body></html>'
    ).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(form)))
            self.end_headers()
            self.wfile.write(form)

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        driver.get(f"http://127.0.0.1:{other.server_address[1]}/")
        driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(SAMPLE))
        driver.find_element(By.ID, "go").click()
        WebDriverWait(driver, 60).until(lambda d: d.current_url.startswith(server.url))
        text = WebDriverWait(driver, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").text)
        assert "请求来自其他网站，已拒绝" in text, text
        assert "0 个错误" not in text
        assert_empty(server_tmp)
    finally:
        other.shutdown()
        _, err = server.stop()
    assert "Traceback" not in err, err
