"""hyoka serve (hyoka.serve) through its ASGI interface: the routes, the limits and the errors.

Requests go through httpx's ASGI transport (the application in this process, no socket). The
findings are the ones a person reads in examples/seed_r5.xlsx, sheet R5実施状況 (checked by hand
in the workbook):

- J7, 自治会加入率: target 60％ below the baseline 60.4％ of a rate that should rise (D001, error);
- F14, 同意取得者に対する個別計画の作成率: grade Ｂ while the rate fell from 60％ to 56.5％ (G002, warning);
- I17, コミュニティ・スクールの導入率: baseline 「-」 (M001, warning);
- F4, センターへの相談件数: 45件 against a target of 30件 and grade Ｂ, not the top (G008, info).

Every test runs with Python's temporary folder pointed at a folder of its own and checks that no
upload is left in it afterwards.
"""

from __future__ import annotations

import asyncio
import io
import re
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="hyoka serve needs starlette (the serve extra)")
pytest.importorskip("python_multipart", reason="hyoka serve needs python-multipart (the serve extra)")
httpx = pytest.importorskip("httpx", reason="the ASGI tests need httpx (the test extra)")

import openpyxl  # noqa: E402

from hyoka.serve import HEADERS, ServeSettings, create_app  # noqa: E402
from hyoka.serve import app as serve_app  # noqa: E402
from hyoka.serve.store import DownloadStore  # noqa: E402

from .conftest import ROOT, SEED_CSV, SEED_XLSX, SEED_XLSX_FINDINGS  # noqa: E402
from .inprocess import run_cli  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Python's temporary folder for the test; afterwards nothing of an upload may be in it (the
    Jinja bytecode cache, which is not an upload, aside)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    left = [p for p in folder.iterdir() if "jinja2" not in p.name]
    assert not left, f"left on disk: {left}"


def make_app(**settings):
    app = create_app(ServeSettings(**settings))
    return app


def run(app, work):
    """Run ``work(client)`` (a coroutine function) against ``app``; wait for the checks' threads."""

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await work(client)

    try:
        return asyncio.run(main())
    finally:
        app.state.server.pool.shutdown(wait=True)


async def form_token(client, **params) -> str:
    page = await client.get("/", params=params)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


async def post_file(client, name: str, data: bytes, **fields):
    """Post ``data`` as the file ``name`` from the form (with its token), as a browser does."""
    token = await form_token(client)
    return await client.post("/check", files={"file": (name, data)}, data={"csrf": token, **fields})


def cli_error(tmp_path: Path, name: str, data: bytes) -> str:
    """The line hyoka check prints for the file ``name`` holding ``data``, after ``hyoka: エラー: ``."""
    (tmp_path / name).write_bytes(data)
    r = run_cli("check", name, "--no-report", "--no-config", text=True, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert line.startswith("hyoka: エラー: "), line
    return line.removeprefix("hyoka: エラー: ")


def page_error(html: str) -> str:
    m = re.search(r'<p class="error" id="error" role="alert"><span class="sev sev-error">[^<]*</span> (.*?)</p>', html)
    assert m, html[:2000]
    return m.group(1)


def unescape(text: str) -> str:
    import html

    return html.unescape(text)


# --- the form --------------------------------------------------------------------------------


def test_form_is_japanese_with_a_token_in_field_and_cookie_and_the_safe_headers(private_tmp):
    async def work(client):
        return await client.get("/")

    r = run(make_app(), work)
    assert r.status_code == 200
    assert '<html lang="ja">' in r.text
    assert "<title>評価表のセルフチェック</title>" in r.text
    assert 'type="file" id="file" name="file"' in r.text
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    assert r.cookies["hyoka_csrf"] == token
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    for key, value in HEADERS.items():
        assert r.headers[key] == value
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "http" not in r.headers["content-security-policy"]  # no outside source
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    # nothing inline that the policy would block: the style and script come from the server
    assert "<style" not in r.text and "style=" not in r.text and "<script>" not in r.text
    assert '<link rel="stylesheet" href="static/hyoka.css">' in r.text
    assert '<select id="department"' not in r.text  # no department list configured


@pytest.mark.parametrize(
    ("params", "accept_language", "lang"),
    [
        ({"lang": "en"}, None, "en"),
        ({}, "en-US,en;q=0.9", "en"),
        ({}, "en;q=0.4, ja;q=0.8", "ja"),
        ({}, "de-DE", "ja"),
        ({"lang": "ja"}, "en", "ja"),
    ],
)
def test_form_language_follows_the_query_then_the_browser(private_tmp, params, accept_language, lang):
    async def work(client):
        headers = {"accept-language": accept_language} if accept_language else {}
        return await client.get("/", params=params, headers=headers)

    r = run(make_app(), work)
    assert f'<html lang="{lang}">' in r.text
    assert ("Evaluation table self-check" in r.text) == (lang == "en")


def test_form_offers_the_configured_departments(private_tmp):
    async def work(client):
        return await client.get("/")

    r = run(make_app(departments=["市民協働推進課", "社会福祉課", "<b>課</b>"]), work)
    assert '<select id="department" name="department">' in r.text
    assert "<option>社会福祉課</option>" in r.text
    assert "<option>&lt;b&gt;課&lt;/b&gt;</option>" in r.text


def test_static_files_and_nothing_else(private_tmp):
    async def work(client):
        return [
            await client.get(p)
            for p in (
                "/static/hyoka.css",
                "/static/serve.js",
                "/static/",
                "/static/x",
                "/static/..%2F..%2Fpyproject.toml",
            )
        ]

    css, js, folder, other, up = run(make_app(), work)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".drop" in css.text and ".sev-error" in css.text
    assert js.status_code == 200 and "dataTransfer" in js.text
    assert folder.status_code == 404 and other.status_code == 404 and up.status_code == 404


# --- checking --------------------------------------------------------------------------------


def test_seed_result_page_downloads_and_json(private_tmp, tmp_path):
    async def work(client):
        page = await post_file(client, "seed_r5.xlsx", SEED_XLSX.read_bytes())
        book_href = re.search(r'id="download-book" href="([^"]+)"', page.text).group(1)
        csv_href = re.search(r'id="download-csv" href="([^"]+)"', page.text).group(1)
        book = await client.get("/" + book_href)
        csv = await client.get("/" + csv_href)
        client.cookies.clear()  # a script: no cookie, no token
        as_json = await client.post(
            "/check", files={"file": ("seed_r5.xlsx", SEED_XLSX.read_bytes())}, headers={"accept": "application/json"}
        )
        return page, book, csv, as_json

    client_cookies_app = make_app()
    page, book, csv, as_json = run(client_cookies_app, work)
    assert page.status_code == 200
    html = page.text
    assert "15行を確認：エラー 1件、警告 2件、情報 1件" in html
    # the findings grouped by department, then by rule, as on the department page
    sections = re.findall(r'<h2 class="department-name">担当課：([^<]+)</h2>', html)
    assert sections == ["市民協働推進課", "社会福祉課", "生涯学習課"]
    cells = re.findall(
        r'<span class="code">(\w+)</span> <span class="rule-title">.*?<td class="cell">([^<]*(?:<wbr>[^<]*)*)</td>',
        html,
        re.S,
    )
    assert {(code, cell.replace("<wbr>", "")) for code, cell in cells} == SEED_XLSX_FINDINGS
    assert "基準値 60.4％ → 目標値 60％" in html  # the values as published
    assert "基準値 60.4％ より良い方向の目標値（増加が望ましい指標）" in html  # what is expected
    assert "計画書の目標値と基準値を確認してください。" in html  # how to fix it
    # the annotated copy: the finding's comment on J7, the findings sheet first
    assert book.status_code == 200 and book.headers["content-type"] == XLSX
    assert "seed_r5.hyoka.xlsx" in book.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(book.content))
    assert wb.sheetnames[0] == "hyoka指摘一覧"
    assert "D001" in wb["R5実施状況"]["J7"].comment.text
    assert wb["R5実施状況"]["J7"].value == "60％"
    # the CSV: Excel's UTF-8 with BOM, one line per finding
    assert csv.content.startswith("\ufeff".encode())
    assert len(csv.content.decode("utf-8-sig").strip().split("\r\n")) == 1 + 4
    # JSON for scripts: byte for byte what hyoka check --format json prints
    cli = run_cli("check", "seed_r5.xlsx", "--no-report", "--no-config", "--format", "json", cwd=SEED_XLSX.parent)
    assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    assert as_json.content == cli.stdout
    assert {(f["code"], f["cell"]) for f in as_json.json()} == SEED_XLSX_FINDINGS


def test_a_department_checks_its_own_rows(private_tmp):
    listed = ["市民協働推進課", "社会福祉課", "生涯学習課"]

    async def work(client):
        mine = await post_file(client, "seed_r5.xlsx", SEED_XLSX.read_bytes(), department="社会福祉課")
        other = await post_file(client, "seed_r5.xlsx", SEED_XLSX.read_bytes(), department="財政課")
        return mine, other

    mine, other = run(make_app(departments=listed), work)
    assert mine.status_code == 200
    assert "「社会福祉課」の行だけを確認しました。" in mine.text
    assert re.findall(r'<h2 class="department-name">担当課：([^<]+)</h2>', mine.text) == ["社会福祉課"]
    assert "R5実施状況!<wbr>F14" in mine.text and "J7" not in mine.text
    assert other.status_code == 400
    assert (
        page_error(other.text) == "担当課「財政課」は一覧にありません（一覧: 市民協働推進課, 社会福祉課, 生涯学習課）"
    )


def test_configured_language_applies_to_every_upload(private_tmp):
    async def work(client):
        return await client.post(
            "/check?lang=ja",
            files={"file": ("seed_r5.csv", SEED_CSV.read_bytes())},
            headers={"accept": "application/json"},
        )

    r = run(make_app(lang="en"), work)
    assert r.status_code == 200
    d001 = next(f for f in r.json() if f["code"] == "D001")
    assert d001["message"].startswith("自治会加入率") is False and "baseline" in d001["message"]


def test_a_csv_gets_no_workbook_download(private_tmp):
    async def work(client):
        return await post_file(client, "seed_r5.csv", SEED_CSV.read_bytes())

    r = run(make_app(), work)
    assert r.status_code == 200
    assert 'id="download-csv"' in r.text and 'id="download-book"' not in r.text
    assert "seed_r5.csv:6:target" in unescape(r.text.replace("<wbr>", ""))


def test_a_published_pdf_and_page_give_their_findings_at_page_places(private_tmp):
    # the seed printed to PDF and saved as a web page (examples/build_pdf.py, build_html.py):
    # the CSV's four findings, each at its page and cell (tests/test_seed_findings.py counted them)
    async def work(client):
        pdf = await post_file(client, "seed_r5.pdf", (ROOT / "examples" / "seed_r5.pdf").read_bytes())
        page = await post_file(client, "seed_r5.html", (ROOT / "examples" / "seed_r5.html").read_bytes())
        return pdf, page

    pdf, page = run(make_app(), work)
    assert pdf.status_code == 200 and page.status_code == 200
    assert 'id="download-book"' not in pdf.text  # an annotated copy is for workbooks only
    pdf_text, page_text = (unescape(r.text.replace("<wbr>", "")) for r in (pdf, page))
    for place in ("seed_r5.pdf#p1!R6C10", "seed_r5.pdf#p1!R13C6", "seed_r5.pdf#p2!R5C9"):
        assert place in pdf_text
    assert "seed_r5.html#table1!R6C10" in page_text and "seed_r5.html#table1!R16C9" in page_text


# --- bad files and errors --------------------------------------------------------------------


def test_a_broken_workbook_gets_the_cli_line_with_400_and_the_server_carries_on(private_tmp, tmp_path):
    broken = b"PK\x03\x04 this is not a workbook"
    expected = cli_error(tmp_path, "broken.xlsx", broken)

    async def work(client):
        bad = await post_file(client, "broken.xlsx", broken)
        good = await post_file(client, "seed_r5.xlsx", SEED_XLSX.read_bytes())
        return bad, good

    bad, good = run(make_app(), work)
    assert bad.status_code == 400
    assert unescape(page_error(bad.text)) == expected
    assert "broken.xlsx" in expected and "upload" not in expected
    assert good.status_code == 200 and "エラー 1件" in good.text


def test_an_unsupported_type_is_refused_as_the_cli_refuses_it(private_tmp, tmp_path):
    expected = cli_error(tmp_path, "report.docx", b"PK\x03\x04")

    async def work(client):
        return await post_file(client, "report.docx", b"PK\x03\x04")

    r = run(make_app(), work)
    assert r.status_code == 400
    assert unescape(page_error(r.text)) == expected


def test_json_clients_get_the_error_as_json(private_tmp, tmp_path):
    expected = cli_error(tmp_path, "empty.csv", b"")

    async def work(client):
        return await client.post("/check", files={"file": ("empty.csv", b"")}, headers={"accept": "application/json"})

    r = run(make_app(), work)
    assert r.status_code == 400 and r.json() == {"error": expected}


def test_no_file_and_not_a_form(private_tmp):
    async def work(client):
        token = await form_token(client)
        none = await client.post("/check", files={"file": ("", b"")}, data={"csrf": token})
        raw = await client.post(
            "/check", content=b"x", headers={"content-type": "text/plain", "accept": "application/json"}
        )
        return none, raw

    none, raw = run(make_app(), work)
    assert none.status_code == 400 and page_error(none.text) == "ファイルを選んでください"
    assert raw.status_code == 400 and "multipart/form-data" in raw.json()["error"]


def test_an_unexpected_error_is_one_line_with_500_and_the_server_carries_on(private_tmp, monkeypatch):
    real = serve_app.check_file
    calls = []

    def failing(path, name, options):
        calls.append(name)
        if len(calls) == 1:
            raise RuntimeError("boom\nsecond line")
        return real(path, name, options)

    monkeypatch.setattr(serve_app, "check_file", failing)

    async def work(client):
        return await post_file(client, "seed_r5.xlsx", SEED_XLSX.read_bytes()), await post_file(
            client, "seed_r5.xlsx", SEED_XLSX.read_bytes()
        )

    bad, good = run(make_app(), work)
    assert bad.status_code == 500
    assert page_error(bad.text).startswith("内部エラー: RuntimeError: boom（")
    assert good.status_code == 200


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../<script>alert(1)</script>\u202eslx.csv", "script&gt;\\u202eslx.csv"),
        ("..\\..\\<img src=x onerror=alert(1)>.csv", "&lt;img src=x onerror=alert(1)&gt;.csv"),
    ],
)
def test_names_are_escaped_and_never_a_path(private_tmp, sent, shown):
    """The sender's name is its last part (after / or \\), escaped, its direction override shown."""

    async def work(client):
        return await post_file(client, sent, SEED_CSV.read_bytes())

    r = run(make_app(), work)
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img" not in r.text
    assert f'<span id="file-checked">{shown}</span>' in r.text
    assert f"{shown}:<wbr>6:<wbr>target" in r.text


# --- CSRF ------------------------------------------------------------------------------------


def test_csrf(private_tmp):
    data = SEED_CSV.read_bytes()

    async def work(client):
        token = await form_token(client)
        good = await client.post("/check", files={"file": ("t.csv", data)}, data={"csrf": token})
        wrong = await client.post("/check", files={"file": ("t.csv", data)}, data={"csrf": token[:-1] + "0"})
        missing = await client.post("/check", files={"file": ("t.csv", data)})
        # a JSON request that carries the cookie is a browser's: checked like a form
        json_with_cookie = await client.post(
            "/check", files={"file": ("t.csv", data)}, headers={"accept": "application/json"}
        )
        client.cookies.clear()
        forged = await client.post("/check", files={"file": ("t.csv", data)}, data={"csrf": token})
        made_up = await client.post(
            "/check", files={"file": ("t.csv", data)}, data={"csrf": "a.b"}, headers={"cookie": "hyoka_csrf=a.b"}
        )
        return good, wrong, missing, json_with_cookie, forged, made_up

    good, *refused = run(make_app(), work)
    assert good.status_code == 200
    for r in refused:
        assert r.status_code == 403
    assert page_error(refused[0].text).startswith("フォームの有効期限が切れました")
    assert refused[2].json() == {
        "error": "フォームの有効期限が切れました。ページを読み込み直してから、もう一度送ってください"
    }


# --- limits ----------------------------------------------------------------------------------


def test_a_file_over_20_mb_is_refused_while_it_streams(private_tmp):
    sent = []

    async def body():  # a form with a 200 MB file, sent in chunks with no Content-Length
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\n'
        chunk = b"\0" * (1024 * 1024)
        for _ in range(200):
            sent.append(len(chunk))
            yield chunk
        yield b"\r\n--b--\r\n"

    async def work(client):
        streamed = await client.post(
            "/check",
            content=body(),
            headers={"content-type": "multipart/form-data; boundary=b", "accept": "application/json"},
        )
        over = bytes(20 * 1024 * 1024 + 1)
        declared = await post_file(client, "big.xlsx", over)
        sent.clear()
        huge = await client.post(  # declared as 200 MB: refused before a byte of it is read
            "/check",
            content=body(),
            headers={
                "content-type": "multipart/form-data; boundary=b",
                "content-length": str(200 * 1024 * 1024 + 100),
                "accept": "application/json",
            },
        )
        return streamed, declared, huge

    streamed, declared, huge = run(make_app(), work)
    assert huge.status_code == 413 and sent == []
    assert streamed.status_code == 413
    assert streamed.json()["error"].startswith("ファイルが大きすぎます（上限 20 MB）")
    assert sum(sent) <= 22 * 1024 * 1024  # stopped reading near the limit, not after 200 MB
    assert declared.status_code == 413 and page_error(declared.text).startswith("ファイルが大きすぎます（上限 20 MB）")


def test_the_limit_is_configurable(private_tmp):
    async def work(client):
        return await post_file(client, "seed_r5.xlsx", SEED_XLSX.read_bytes())

    r = run(make_app(max_bytes=8 * 1024), work)  # the seed is 10 KB
    assert r.status_code == 413 and "上限 8 KB" in page_error(r.text)


@pytest.mark.slow  # 4 s alone, 15 s on a busy two-core machine
def test_ten_uploads_at_once_are_all_answered(private_tmp):
    async def work(client):
        token = await form_token(client)
        return await asyncio.gather(
            *[
                client.post("/check", files={"file": (f"r{i}.xlsx", SEED_XLSX.read_bytes())}, data={"csrf": token})
                for i in range(10)
            ]
        )

    answers = run(make_app(concurrent=2), work)
    assert [r.status_code for r in answers] == [200] * 10
    for i, r in enumerate(answers):
        assert f"[r{i}.xlsx]<wbr>R5実施状況!<wbr>J7" in r.text
        assert "15行を確認：エラー 1件、警告 2件、情報 1件" in r.text


def test_beyond_the_waiting_room_the_server_says_it_is_busy(private_tmp):
    async def work(client):
        token = await form_token(client)
        return await asyncio.gather(
            *[
                client.post("/check", files={"file": ("r.xlsx", SEED_XLSX.read_bytes())}, data={"csrf": token})
                for _ in range(3)
            ]
        )

    answers = run(make_app(concurrent=1, waiting=0), work)
    codes = sorted(r.status_code for r in answers)
    assert codes[0] == 200 and 503 in codes
    busy = next(r for r in answers if r.status_code == 503)
    assert page_error(busy.text).startswith("確認の順番待ちがいっぱいです")


def test_a_stalled_upload_is_dropped_and_frees_its_place(private_tmp):
    # a sender that stops mid-body (a laptop put to sleep) must not hold a place for ever: with
    # one place in all, the stalled upload gets 408 after `idle`, then the next upload is checked
    app = make_app(concurrent=1, waiting=0, idle=0.5)

    async def stalled_body():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n\r\nabc'
        await asyncio.sleep(30)

    async def work(client):
        headers = {"content-type": "multipart/form-data; boundary=b", "accept": "application/json"}
        stalled = await client.post("/check", content=stalled_body(), headers=headers)
        after = await client.post(
            "/check", files={"file": ("seed_r5.csv", SEED_CSV.read_bytes())}, headers={"accept": "application/json"}
        )
        return stalled, after

    stalled, after = run(app, work)
    assert stalled.status_code == 408
    assert stalled.json()["error"].startswith("ファイルの送信が 0.5 秒止まったため")
    assert after.status_code == 200 and len(after.json()) == 4


def test_a_check_over_its_time_is_answered_and_its_folder_removed_when_it_ends(private_tmp):
    async def work(client):
        return await post_file(client, "seed_r5.xlsx", SEED_XLSX.read_bytes())

    r = run(make_app(timeout=0.001), work)
    assert r.status_code == 503
    assert page_error(r.text) == (
        "確認が 0.001 秒以内に終わりませんでした。表のシートだけを残したブックにするか、取りまとめの担当に相談してください"
    )
    # run() waited for the check's thread: the fixture finds its folder gone


def test_downloads_expire(private_tmp):
    async def work(client):
        page = await post_file(client, "seed_r5.csv", SEED_CSV.read_bytes())
        href = re.search(r'id="download-csv" href="([^"]+)"', page.text).group(1)
        first, again = await client.get("/" + href), await client.get("/" + href)
        unknown = await client.get("/download/nothing-here")
        return first, again, unknown

    first, again, unknown = run(make_app(), work)
    assert first.status_code == 200 and first.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''seed_r5.findings.csv" in first.headers["content-disposition"]
    assert again.content == first.content  # until it expires
    assert unknown.status_code == 404
    assert page_error(unknown.text).startswith("ダウンロードの期限（10分）が過ぎたか")

    app = make_app()
    app.state.server.store.ttl = 0.0  # expired as soon as it is made

    async def late(client):
        page = await post_file(client, "seed_r5.csv", SEED_CSV.read_bytes())
        href = re.search(r'id="download-csv" href="([^"]+)"', page.text).group(1)
        return await client.get("/" + href)

    assert run(app, late).status_code == 404


def test_the_download_store_is_bounded():
    store = DownloadStore(ttl=600, max_items=2, max_bytes=10)
    a = store.put(b"aaaa", "a", "text/plain")
    b = store.put(b"bbbb", "b", "text/plain")
    c = store.put(b"cccc", "c", "text/plain")  # a third item: the oldest goes
    assert store.get(a) is None and store.get(b).data == b"bbbb" and store.get(c).data == b"cccc"
    d = store.put(b"dddddddd", "d", "text/plain")  # 8 bytes: b and c (8 bytes) make room
    assert store.get(b) is None and store.get(c) is None and store.get(d).filename == "d"
    assert store.size == 8 and len(store) == 1
    assert store.put(b"x" * 11, "e", "text/plain") is None  # larger than the whole store: not kept


# --- the command -----------------------------------------------------------------------------


def test_without_its_libraries_serve_says_what_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("uvicorn", "python_multipart") else real(name, *a),
    )
    r = run_cli("serve", text=True)
    assert r.returncode == 2
    assert r.stderr == (
        "hyoka: エラー: hyoka serve には uvicorn, python-multipart が必要です: pip install 'hyoka[serve]'"
        "（開発用の環境では pip install -e '.[serve]'）\n"
    )


def test_serve_refuses_a_limit_below_one():
    r = run_cli("serve", "--concurrent", "0", text=True)
    assert r.returncode == 2 and r.stderr == "hyoka: エラー: --concurrent 0: 1以上の数を指定してください\n"


def test_the_command_serves_on_localhost_with_the_configuration(tmp_path):
    """``hyoka serve`` for real (uvicorn, in a process of its own): it says its address and the
    configuration it read, and the page offers that configuration's departments."""
    import socket
    import subprocess
    import sys
    import threading
    import time

    (tmp_path / "departments.yaml").write_text("departments: [市民協働推進課, 社会福祉課]\n", encoding="utf-8")
    (tmp_path / "hyoka.toml").write_text('departments = "departments.yaml"\n', encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hyoka.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    guard = threading.Timer(60, proc.kill)  # a line never written must not hang the suite
    guard.start()
    try:
        line = proc.stdout.readline()  # written and flushed before uvicorn starts: a pipe is block-buffered
        assert line == (
            f"hyoka serve: http://127.0.0.1:{port}/ で待ち受けています（設定: {tmp_path / 'hyoka.toml'}）。"
            "各課にこのアドレスを知らせてください。Ctrl-C で終了します。\n"
        )
        for _ in range(100):
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert page.status_code == 200
        assert "<option>社会福祉課</option>" in page.text
        assert "server" not in page.headers  # uvicorn's server header is off
    finally:
        guard.cancel()
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.stderr.read() == ""
