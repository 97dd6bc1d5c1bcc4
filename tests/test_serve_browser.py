"""The page in a real browser: Debian's headless Chromium, driven by selenium through chromedriver.

It uploads the sample, sees its findings in the result frame, opens an explanation, downloads the Word report and
opens that with python-docx. Without Chromium the test is skipped, saying why, except under CI (the CI variable
set), where a missing browser is a failure: scripts/install_browser.sh installs it.
GENREPORT_SCREENSHOT=1 also saves the page to docs/serve-page.png for the README.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from .conftest import ROOT, SAMPLE
from .test_serve import SAMPLE_WARNINGS, TITLE, Server, assert_empty

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


def test_upload_see_findings_and_download_the_docx(browser: tuple[object, Path], tmp_path: Path) -> None:
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
        assert len(rows) == SAMPLE_WARNINGS
        heading = driver.find_element(By.TAG_NAME, "h2").text
        assert heading == f"“2022.xlsx”：0 个错误，{SAMPLE_WARNINGS} 个警告"
        first = rows[0].find_elements(By.TAG_NAME, "td")
        assert [first[0].text, first[1].text, first[2].text] == ["基本信息", "B7", "警告"]
        explain_href = first[4].find_element(By.TAG_NAME, "a").get_attribute("href")
        preview = driver.find_element(By.CSS_SELECTOR, "iframe.preview")
        driver.switch_to.frame(preview)
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith(TITLE)  # then [1]: a review note
        driver.switch_to.default_content()
        if os.environ.get("GENREPORT_SCREENSHOT"):
            driver.set_window_size(1280, 1900)  # the findings and the start of the report
            SCREENSHOT.write_bytes(driver.get_screenshot_as_png())

        # the file stays chosen on the page: the download button posts it again
        form = driver.find_element(By.CSS_SELECTOR, 'form[action="check"]')
        form.find_element(By.CSS_SELECTOR, 'button[name="format"][value="docx"]').click()
        target = downloads / "2022.docx"
        deadline = time.monotonic() + 120
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert target.exists(), sorted(p.name for p in downloads.iterdir())
        document = docx.Document(str(target))
        assert document.paragraphs[0].text == TITLE

        assert explain_href is not None and explain_href.endswith("/explain/W_DOC_NUMBER")
        driver.get(explain_href)
        assert "W_DOC_NUMBER" in driver.find_element(By.TAG_NAME, "pre").text
        assert "怎么改：" in driver.find_element(By.TAG_NAME, "pre").text
        assert_empty(server_tmp)
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
