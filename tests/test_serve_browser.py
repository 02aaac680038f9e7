"""hyoka serve in a real browser: headless Chromium driven by Selenium through chromedriver.

uvicorn serves the application in a thread of this process on a free port of 127.0.0.1. The test
does what a clerk does: open the page, choose examples/seed_r5.xlsx, press 確認する, read the
findings, download the annotated workbook (opened here with openpyxl), then send a broken file
and read the one line that says why; a file over 20 MB is refused with its line. The findings are the seed's, checked by hand in the
workbook (tests/test_serve.py). The page's stylesheet and script come from the server under a
Content-Security-Policy with no other source: the test sees both at work (the drop area's dashed
border, the chosen file's name shown by the script).

Skipped, with the reason, where Chromium, chromedriver or Selenium is missing (.ci/run installs
them). With ``HYOKA_SCREENSHOTS=DIR`` the form and the result page are saved there as PNG.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .browser import CHROMIUM
from .conftest import SEED_XLSX, SEED_XLSX_FINDINGS
from .inprocess import run_cli

DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it with apt)"),
    pytest.mark.skipif(
        DRIVER is None, reason="chromedriver is not installed (.ci/run installs chromium-driver with apt)"
    ),
]
selenium = pytest.importorskip("selenium", reason="Selenium is not installed (the test extra)")
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is not installed (the serve extra)")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from hyoka.serve import ServeSettings, create_app  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    left = [p for p in folder.iterdir() if "jinja2" not in p.name]
    assert not left, f"left on disk: {left}"


@pytest.fixture
def server(private_tmp):
    """The application under uvicorn in a thread; its base URL."""
    app = create_app(ServeSettings())
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    thread.join(timeout=30)
    app.state.server.pool.shutdown(wait=True)


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--lang=ja",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'profile'}",
        # nothing outside this machine can be reached: a page that tried would fail to
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "ja",
        },
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for_file(folder: Path, suffix: str, timeout: float = 30) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done and not any(p.name.endswith(".crdownload") for p in folder.iterdir()):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} in {folder}: {list(folder.iterdir())}")


def _screenshot(driver, name: str) -> None:
    folder = os.environ.get("HYOKA_SCREENSHOTS")
    if folder:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, max(700, min(int(height) + 200, 5000)))
        driver.save_screenshot(str(Path(folder) / name))
        driver.set_window_size(1280, 1000)


def test_a_clerk_checks_the_seed_and_downloads_the_annotated_copy(server, browser, tmp_path):
    import openpyxl

    wait = WebDriverWait(browser, 60)
    browser.get(server)
    assert browser.find_element(By.TAG_NAME, "h1").text == "評価表のセルフチェック"
    drop = browser.find_element(By.ID, "drop")
    assert drop.value_of_css_property("border-top-style") == "dashed"  # the served stylesheet applies
    browser.find_element(By.ID, "file").send_keys(str(SEED_XLSX))
    assert browser.find_element(By.ID, "file-name").text == "seed_r5.xlsx"  # the served script runs
    _screenshot(browser, "serve_form.png")
    browser.find_element(By.ID, "submit").click()
    wait.until(EC.presence_of_element_located((By.ID, "summary")))
    assert browser.find_element(By.ID, "summary").text == "15行を確認：エラー 1件、警告 2件、情報 1件"
    assert [h.text for h in browser.find_elements(By.CSS_SELECTOR, "h2.department-name")] == [
        "担当課：市民協働推進課",
        "担当課：社会福祉課",
        "担当課：生涯学習課",
    ]
    found = set()
    for group in browser.find_elements(By.CSS_SELECTOR, "section.group"):
        code = group.find_element(By.CSS_SELECTOR, "h3 .code").text
        for cell in group.find_elements(By.CSS_SELECTOR, "td.cell"):
            found.add((code, cell.text.replace("\n", "")))
    assert found == SEED_XLSX_FINDINGS
    j7 = next(r for r in browser.find_elements(By.CSS_SELECTOR, "table.findings tbody tr") if "J7" in r.text)
    cells = [td.text for td in j7.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "エラー"
    assert cells[4] == "基準値 60.4％ → 目標値 60％"  # as published
    assert cells[5] == "基準値 60.4％ より良い方向の目標値（増加が望ましい指標）"  # what is expected
    assert cells[6].startswith("計画書の目標値と基準値を確認してください。")  # how to fix it
    _screenshot(browser, "serve_result.png")

    browser.find_element(By.ID, "download-book").click()
    book = _wait_for_file(browser.downloads, ".xlsx")
    assert book.name == "seed_r5.hyoka.xlsx"
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "hyoka指摘一覧"
    ws = wb["R5実施状況"]
    assert ws["J7"].value == "60％" and "D001" in ws["J7"].comment.text
    assert "G002" in ws["F14"].comment.text and "M001" in ws["I17"].comment.text

    # a broken file: the one line hyoka check gives, on the page
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    cli = run_cli("check", broken.name, "--no-report", "--no-config", text=True, cwd=tmp_path)
    assert cli.returncode == 2
    browser.get(server)
    browser.find_element(By.ID, "file").send_keys(str(broken))
    browser.find_element(By.ID, "submit").click()
    wait.until(EC.presence_of_element_located((By.ID, "error")))
    shown = browser.find_element(By.ID, "error").text
    assert shown == "エラー " + cli.stderr.strip().removeprefix("hyoka: エラー: ")
    assert "broken.xlsx" in shown
    # a file over 20 MB: refused with its line, the page shown (not a broken connection)
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"\0" * (20 * 1024 * 1024 + 1))
    browser.get(server)
    browser.find_element(By.ID, "file").send_keys(str(big))
    browser.find_element(By.ID, "submit").click()
    wait.until(EC.presence_of_element_located((By.ID, "error")))
    assert browser.find_element(By.ID, "error").text.startswith("エラー ファイルが大きすぎます（上限 20 MB）")
    # and the server carries on
    browser.find_element(By.ID, "file").send_keys(str(SEED_XLSX))
    browser.find_element(By.ID, "submit").click()
    wait.until(EC.presence_of_element_located((By.ID, "summary")))
    assert "エラー 1件" in browser.find_element(By.ID, "summary").text
