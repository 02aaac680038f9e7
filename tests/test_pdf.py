"""Reading tables from PDF reports (issue #17): the committed PDFs of examples/ (made by
examples/build_pdf.py with LibreOffice; reading them needs no LibreOffice).

Places checked by rendering the pages (``pdftoppm -png``) and counting the ruled rows and
columns of each page's table, the repeated header included:

- ``examples/pdf/multipage_r5.pdf``: one table over two A4 pages, its one-row header repeated
  (R1 on both). Page 1: R2–R7 policy １ (保育所待機児童数 …), R8–R13 policy ２, R14–R19 policy ３.
  Page 2: R2–R7 policy ４, R8–R13 policy ５, R14–R19 policy ６ (R16 避難行動要支援者の個別避難計画の
  作成率: 35 → 100, now 28, graded B), R20 ふるさと納税の寄附額. Columns: 施策, 成果指標, 単位,
  基準値, 目標値, 実績値, 評価 (C7), 担当課. The header cells print 基準値 / （R2） on two lines; the
  name in p1 R3 wraps after 放課後児童クラブの and 受入れ可能児童数の (three lines); p1 R12's English name wraps
  after "foreign" and "assistants"; p2 R20's values wrap their unit: 12,345,678 / 円.
- ``examples/pdf/browser_r5.pdf``: a web page's table printed by Chromium over three Letter
  pages, its header row repeated (R1 on each). Page 1: R2 子育て支援, R3 地域防災, whose 30 取組内容
  lines run on to page 2 (lines 27–30 at p2 R2, under the header, with no rule under p1 R3); page 2:
  R3 住宅 (空き家バンクの登録戸数, 戸), R4 市民活動, R5 保健 (健康長寿課), whose 45 lines run on to
  page 3 (43–45 at p3 R2); page 3: R3 農業 (園芸用ハウスの面積).
- ``tests/data/pdf/wide_r5.pdf``: a web page's table 1,500 px wide printed by Chromium on one
  Letter page, cut at its right edge: the columns 施策, 成果指標, 単位, 基準値, 目標値, 実績値 are
  ruled, 取組内容 is printed with no line on its right (its row lines run past the page's edge),
  評価 and 担当課 are not on the page. R1 the header, R2 子育て支援 (420 → 500, 468), R5 農業.
- ``tests/data/pdf/restricted.pdf``: one page, a header row and two rows; R2 is 自治会加入率
  (60.4％ → 60％), its target in C6.
"""

import json
import shutil
import time
import zlib

import pandas as pd
import pytest

from hyoka.cellref import place_texts
from hyoka.errors import InputError
from hyoka.read import pdf as pdf_reader
from hyoka.read.pdf import join_lines, joined_row, text_layer_fixed
from hyoka.read.table import load_table

from .conftest import EXAMPLES, ROOT, SEED_CSV, SEED_PDF
from .corpus import text_pdf
from .inprocess import run_cli

MULTIPAGE = EXAMPLES / "pdf" / "multipage_r5.pdf"
BROWSER = EXAMPLES / "pdf" / "browser_r5.pdf"
SCANNED = EXAMPLES / "pdf" / "scanned_r5.pdf"
LOCKED = ROOT / "tests" / "data" / "pdf" / "locked.pdf"
RESTRICTED = ROOT / "tests" / "data" / "pdf" / "restricted.pdf"
WIDE = ROOT / "tests" / "data" / "pdf" / "wide_r5.pdf"


def _findings(*args):
    r = run_cli("check", *args, "--no-report", "--format", "json", "--fail-on", "never", text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize(
    "text, joined",
    [
        ("補助金活用経験のある自治公\n民館の割合", "補助金活用経験のある自治公民館の割合"),  # Japanese: no space
        ("Number of foreign\nlanguage assistants\nin schools", "Number of foreign language assistants in schools"),
        ("12,345,678\n円", "12,345,678円"),  # a unit on the next line
        ("1,234,5\n67", "1,234,567"),  # a number split
        ("基準値\n（R2）", "基準値（R2）"),
        ("Rate\n(%)", "Rate (%)"),
        ("効果 \n・見守り", "効果・見守り"),  # the spaces at a line's end are layout
        ("", ""),
    ],
)
def test_wrapped_lines_join_as_a_reader_reads_them(text, joined):
    assert join_lines(text) == joined


@pytest.mark.parametrize(
    "text, printed",
    [
        # lines of tottori_koteihyo printed by Chromium, as pdfplumber reads their text layer
        (
            "⿃取県公共事業環境配慮指針適⽤対象事業において環境配慮指針98.8%とする。",
            "鳥取県公共事業環境配慮指針適用対象事業において環境配慮指針98.8%とする。",
        ),
        ("6⼾/15⼾", "6戸/15戸"),  # 戸, not NFKC's 戶: the unit must stay one hyoka knows
        ("○防災‧減災の県⺠活動の推進", "○防災・減災の県民活動の推進"),
        ("国道の整備延⻑(地域⾼規格道路を除く)", "国道の整備延長(地域高規格道路を除く)"),
        ("ひとり親家庭⺟⼦", "ひとり親家庭母子"),  # a supplement radical NFKC decomposes
        ("2016‧17", "2016‧17"),  # ‧ between digits: nothing says it was ・
        ("‧見守り", "‧見守り"),
        ("Average time", "Average time"),
    ],
)
def test_the_text_layers_radicals_read_as_printed(text, printed):
    assert text_layer_fixed(text) == printed


def test_a_cut_rows_rest_joins_the_row():
    assert joined_row(["TT_R3", "安全・安", "課"], ["", "心・快適", ""]) == ["TT_R3", "安全・安心・快適", "課"]
    assert joined_row(["x", "Number of", ""], ["", "rows", "5"]) == ["x", "Number of rows", "5"]


def test_a_row_a_browser_cut_at_a_page_break_is_one_row_where_it_starts(vocab):
    """browser_r5.pdf (module doc): the two cut rows are read whole, placed where they start, and
    their rests are not rows of their own (no row with no 施策 or 担当課)."""
    t = load_table(BROWSER, vocab)
    f = t.frame.set_index(["sheet", "row"])
    assert f.index.tolist() == [("p1", 2), ("p1", 3), ("p2", 3), ("p2", 4), ("p2", 5), ("p3", 3)]
    assert f["department"].tolist() == [
        "子育て支援課",
        "危機管理課",
        "住宅政策課",
        "市民協働推進課",
        "健康長寿課",
        "農林振興課",
    ]
    disaster = "".join(f"{i}. 自主防災組織の結成を各地区で呼びかけ、訓練用の資機材を貸与した。" for i in range(1, 31))
    assert f.loc[("p1", 3), "activities"].replace("\n", "") == disaster
    # each item was typed on a line of its own (<br>): the breaks after a short line are kept, all
    # 28 but the one at the page break (after item 26, read as a wrap)
    items = f.loc[("p1", 3), "activities"].split("\n")
    assert len(items) == 29 and items[25].startswith("26. ") and "。27. " in items[25]
    assert (
        f.loc[("p2", 5), "activities"]
        .replace("\n", "")
        .endswith("44. 健康相談・健康診査を実施し、受診を勧奨した。45. 健康相談・健康診査を実施し、受診を勧奨した。")
    )
    assert f.loc[("p2", 5), "activities"].count("健康相談") == 45
    # Chromium's Noto CJK writes 戸 (U+2F3E), 民, 長, 用 and ・ otherwise in the text layer
    assert f.loc[("p2", 3), ["indicator", "unit"]].tolist() == ["空き家バンクの登録戸数", "戸"]
    assert f.loc[("p2", 4), "activities"] == "市民活動・ボランティアの相談窓口を開いた。"
    assert f.loc[("p3", 3), "indicator"] == "園芸用ハウスの面積"
    assert [(s, r, why) for s, r, why, _ in t.skipped_rows] == [("p2", 1, "header"), ("p3", 1, "header")]


def test_pdf_places_name_page_row_and_column():
    idx = pd.RangeIndex(4)
    texts = place_texts(
        pd.Series(["report.pdf", "report.pdf", "report.pdf", "book.xlsx"], index=idx),
        pd.Series(["p3", "p3", "p3.2", "R5"], index=idx),
        pd.Series([5, 5, 0, 5], index=idx),
        pd.Series([8, 0, 0, 8], index=idx),
        pd.Series(["", "", "", ""], index=idx),
    )
    assert texts.tolist() == ["report.pdf#p3!R5C8", "report.pdf#p3!R5", "report.pdf#p3.2", "[book.xlsx]R5!H5"]


def test_seed_pdf_holds_the_csvs_values(vocab):
    """The printed seed reads to the CSV's values; a cell's line breaks (typed or wrapped: a PDF
    cannot tell them apart) are joined, so only the long texts differ, by their breaks."""
    a = load_table(SEED_CSV, vocab).frame
    t = load_table(SEED_PDF, vocab)
    b = t.frame
    exact = ["item", "project", "department", "partners", "grade", "indicator", "baseline", "target", "current"]
    exact += ["baseline_year", "target_year", "current_year"]
    pd.testing.assert_frame_equal(a[exact], b[exact])
    assert (a["effect"].str.replace("\n", "") == b["effect"].str.replace("\n", "")).all()
    # a line break typed in the cell is kept where its line ends short of the cell's right side
    # (hyoka.read.pdf._typed_breaks); p1 R11's 効果 breaks after …つながった。, a full line: read as a wrap
    missed = b.loc[a["effect"] != b["effect"], ["sheet", "row"]].to_numpy().tolist()
    assert missed == [["p1", 11]]
    # the 項目 merged over the page break carries to page 2: 地域共生社会推進支援事業, p2 R3
    row = b[(b["sheet"] == "p2") & (b["row"] == 3)].iloc[0]
    assert (row["project"], row["item"]) == ("地域共生社会推進支援事業", "（２）相互交流のネットワーク化")
    assert t.sheets_read == ["p1", "p2"]
    assert set(b["table"]) == {"p1"}  # one table over both pages
    # the header printed again on page 2 (R1, R2) is left out as a repeated header
    assert [(s, r, why) for s, r, why, _ in t.skipped_rows] == [("p2", 1, "header"), ("p2", 2, "header")]
    assert t.headers["grade"] == "事業の評価"  # printed 事業の評 / 価


def test_a_table_over_two_pages_is_one_table(vocab):
    t = load_table(MULTIPAGE, vocab)
    f = t.frame
    assert len(f) == 37
    assert t.sheets_read == ["p1", "p2"]
    assert f.groupby("sheet")["row"].agg(["min", "max"]).to_dict("index") == {
        "p1": {"min": 2, "max": 19},
        "p2": {"min": 2, "max": 20},
    }
    assert [(s, r, why) for s, r, why, _ in t.skipped_rows] == [("p2", 1, "header")]
    assert t.headers["baseline"] == "基準値（R2）"  # a header over two lines
    assert f["baseline_year"].unique().tolist() == ["R2"]
    on = f.set_index(["sheet", "row"])
    assert on.loc[("p1", 3), "indicator"] == "放課後児童クラブの受入れ可能児童数の合計"
    assert on.loc[("p1", 12), "indicator"] == "Number of foreign language assistants in schools"
    assert on.loc[("p2", 20), "baseline"] == "12,345,678円"
    assert on.loc[("p2", 2), "item"] == "４ スポーツの推進"


def test_a_multipage_tables_findings_are_said_once_and_placed_on_their_page():
    found = _findings(MULTIPAGE)
    h002 = [f for f in found if f["code"] == "H002"]
    assert [f["cell"] for f in h002] == ["multipage_r5.pdf#p1"]  # once for the table, not per page
    g002 = [f for f in found if f["code"] == "G002"]
    assert [(f["cell"], f["indicator"], f["observed"]) for f in g002] == [
        ("multipage_r5.pdf#p2!R16C7", "避難行動要支援者の個別避難計画の作成率", "評価 B、基準値 35 → 現状値 28")
    ]
    pages = [f["cell"].split("#")[1].split("!")[0] for f in found]
    assert pages == sorted(pages)  # in page order, then row


def test_sarif_names_the_page_and_the_cell():
    r = run_cli("check", SEED_PDF, "--no-report", "--format", "sarif", "--fail-on", "never", text=True)
    results = json.loads(r.stdout)["runs"][0]["results"]
    d001 = next(x for x in results if x["ruleId"] == "D001")
    assert d001["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "p1!R6C10"


def test_a_report_names_pdf_places_and_annotates_no_copy(tmp_path):
    out = tmp_path / "reports"
    r = run_cli("check", SEED_PDF, "--out", out, "--fail-on", "never", text=True)
    assert r.returncode == 0, r.stderr
    assert "seed_r5.pdf#p1!R13C6" in r.stdout
    page = next(out.glob("*_社会福祉課.html")).read_text(encoding="utf-8")
    assert "seed_<wbr>r5.pdf#p1!<wbr>R13C6" in page
    assert "seed_r5.pdf（ページ：p1、p2）" in page
    assert ">p2!R3<" in page  # the row column names the page: rows are counted per page
    assert not list(out.glob("*.xlsx"))


def test_a_scanned_pdf_is_refused_in_one_line():
    r = run_cli("check", SCANNED, "--no-report", text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "scanned_r5.pdf" in r.stderr and "OCR" in r.stderr
    r = run_cli("--lang", "en", "check", SCANNED, "--no-report", text=True)
    assert "hyoka does not do OCR" in r.stderr


def test_a_password_protected_pdf_is_refused_and_a_permissions_only_one_is_read():
    r = run_cli("check", LOCKED, "--no-report", text=True)
    assert r.returncode == 2
    assert (
        r.stderr.strip()
        == "hyoka: エラー: locked.pdf: PDF がパスワードで保護されています。保護のない PDF を用意してください"
    )
    assert [(f["code"], f["cell"]) for f in _findings(RESTRICTED)] == [("D001", "restricted.pdf#p1!R2C6")]


@pytest.mark.parametrize(
    "content, says",
    [
        (lambda seed: seed[:3000], "PDF として読めません（PSEOF"),  # cut short
        (lambda seed: b"hello", "PDF ではありません"),
        (lambda seed: b"%PDF-1.4\n\x00\x01 trailer", "PDF として読めません"),
    ],
)
def test_a_damaged_pdf_is_one_line(tmp_path, content, says):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(content(SEED_PDF.read_bytes()))
    r = run_cli("check", bad, "--no-report", text=True)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert r.stderr.startswith("hyoka: エラー: bad.pdf: ") and says in r.stderr


def test_bounds(vocab, monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 1)
    with pytest.raises(InputError, match="has 2 pages, over the limit of 1"):
        load_table(SEED_PDF, vocab)
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 500)
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_CHARS", 100)
    with pytest.raises(InputError, match="page 1 holds .* characters, over the limit of 100"):
        load_table(SEED_PDF, vocab)
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_CHARS", 100_000)
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_CONTENT", 30_000)  # page 1 draws 36 KB (inflated), page 2 less
    with pytest.raises(InputError, match="page 1 holds over 30,000 bytes of drawing instructions"):
        load_table(SEED_PDF, vocab)
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_CONTENT", 2 * 1024 * 1024)
    monkeypatch.setattr(pdf_reader, "MAX_SECONDS", 0.01)  # the timer stops pdfminer on the first page
    with pytest.raises(InputError, match=r"still reading after 0 s \(at page 1\)"):
        load_table(SEED_PDF, vocab)
    monkeypatch.setattr(pdf_reader, "MAX_SECONDS", 120.0)
    monkeypatch.setattr(pdf_reader, "MAX_BYTES", 1000)
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        load_table(SEED_PDF, vocab)


def test_a_compressed_page_is_not_inflated_past_the_bound(tmp_path, vocab):
    """A page whose few KB of compressed drawing inflate to 60 MB (two million text drawings) is
    refused before pdfminer parses it (it took minutes and gigabytes)."""
    ops = zlib.compress(b"BT /F1 1 Tf 10 10 Td (x) Tj ET\n" * 2_000_000, 9)
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(text_pdf([], stream=ops))
    started = time.monotonic()
    with pytest.raises(InputError, match="page 1 holds over 2,097,152 bytes of drawing instructions"):
        load_table(bomb, vocab)
    assert time.monotonic() - started < 10
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(text_pdf([]))
    with pytest.raises(InputError, match="the PDF has no text and no images"):
        load_table(empty, vocab)


def test_a_pdf_without_a_ruled_table_is_one_line(tmp_path):
    """Text set in columns without ruling lines is not read as a table (hyoka reads ruled ones)."""
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(text_pdf(["Indicator  Baseline  Target  Current", "Visitors  120  150  140"]))
    r = run_cli("--lang", "en", "check", plain, "--no-report", text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "hyoka: error: plain.pdf: the PDF has no ruled table; hyoka reads tables drawn with ruling lines: "
        "give the original workbook or a CSV"
    )


@pytest.mark.slow
def test_the_build_script_remakes_the_seeds_pdf(tmp_path):
    """examples/build_pdf.py's print-ready copy, exported again by LibreOffice, gives the committed
    PDF's findings and places."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_pdf", EXAMPLES / "build_pdf.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.seed_workbook(tmp_path / "seed_r5.xlsx")
    build.to_pdf(tmp_path / "seed_r5.xlsx", tmp_path / "out" / "seed_r5.pdf", tmp_path)
    keys = ("code", "cell", "observed", "expected")
    again = [{k: f[k] for k in keys} for f in _findings(tmp_path / "out" / "seed_r5.pdf")]
    assert again == [{k: f[k] for k in keys} for f in _findings(SEED_PDF)]


def test_inspect_lists_the_repeated_header_on_its_page():
    r = run_cli("inspect", MULTIPAGE, text=True)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if "繰り返しの見出し行" in x)
    assert line.split()[:2] == ["p2", "1"]


def test_rows_listed_in_a_message_name_their_page():
    """G001 lists the rows with a grade off the scale, per table and department: 社会福祉課's two
    rows graded Ｂ sit on both pages of the seed (p1 R13, p2 R3), one finding for the table."""
    found = [f for f in _findings(SEED_PDF, "--scale", "rag") if f["department"] == "社会福祉課"]
    assert [(f["code"], f["cell"]) for f in found] == [("G001", "seed_r5.pdf#p1!R13C6")]
    assert found[0]["message"].endswith("（p1!R13、p2!R3の2行）。")


@pytest.mark.slow
def test_a_real_table_printed_by_a_browser_says_what_its_csv_says(tmp_path):
    """tottori_koteihyo (examples/real/tidy) as a web page's table printed by Chromium: ten Letter
    pages, rows cut at seven page breaks (p1 R3 TT_R3_chubu_ijikanri runs on to p2 R2), the text
    layer's radicals. Its findings are the CSV's, but where a cell's typed line break carries
    meaning, which a PDF cannot keep (module doc of hyoka.read.pdf): p4 R4's two values typed on
    two lines (白ネギ栽培面積42ha / アスパラ生産額37,559千円) read as one value (P001, not P004),
    and p1 R3's project numbered @ / A / B on three lines shows only @ (T004)."""
    if shutil.which("chromium") is None:
        pytest.skip("Chromium (chromium) is not installed")
    import csv
    import html
    import importlib.util
    import re

    spec = importlib.util.spec_from_file_location("build_pdf", EXAMPLES / "build_pdf.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    source = EXAMPLES / "real" / "tidy" / "tottori_koteihyo.csv"
    with open(source, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))

    def cells(tag, row):
        return "".join(f"<{tag}>{html.escape(c).replace(chr(10), '<br>')}</{tag}>" for c in row)

    page = tmp_path / "tottori_koteihyo.html"
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8"><style>table{border-collapse:collapse;font-size:9pt}'
        "td,th{border:1px solid #000;padding:2px}</style></head><body><table><thead><tr>"
        + cells("th", rows[0])
        + "</tr></thead><tbody>"
        + "".join(f"<tr>{cells('td', r)}</tr>" for r in rows[1:])
        + "</tbody></table></body></html>",
        encoding="utf-8",
    )
    printed = tmp_path / "tottori_koteihyo.pdf"
    build.chromium_pdf(page, printed)

    def said(path):
        return sorted(
            (f["code"], f.get("field"), re.sub(r"\s+", "", f.get("project") or ""), f.get("indicator") or "")
            for f in _findings(path, "--no-config")
        )

    from_csv, from_pdf = said(source), said(printed)
    assert len(from_pdf) == len(from_csv) == 46
    only_csv = [x[:2] for x in from_csv if x not in from_pdf]
    only_pdf = [x[:2] for x in from_pdf if x not in from_csv]
    assert (only_csv, only_pdf) == (
        [("P004", "baseline"), ("P004", "current")],
        [("P001", "baseline"), ("P001", "current")],
    )
    cut = {f["code"]: f for f in _findings(printed, "--no-config") if f["code"] in ("T002", "T004")}
    assert cut["T002"]["cell"] == "tottori_koteihyo.pdf#p1!R3C5"  # the cut row is placed where it starts
    assert cut["T004"]["observed"] == "@"  # the CSV's @ A B: its lines are joined


@pytest.mark.slow
def test_a_cut_rows_rest_at_the_top_of_a_page_with_no_header_joins_the_row(tmp_path, vocab):
    """browser_r5's page printed with its header as a plain row (not repeated): page 2 begins with
    the rest of 地域防災 under no rule (p2 R1), then 住宅 (p2 R2); the rest joins p1 R3."""
    if shutil.which("chromium") is None:
        pytest.skip("Chromium (chromium) is not installed")
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_pdf", EXAMPLES / "build_pdf.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.browser_page(tmp_path / "plain.html", repeated=False)
    build.chromium_pdf(tmp_path / "plain.html", tmp_path / "plain.pdf")
    f = load_table(tmp_path / "plain.pdf", vocab).frame
    assert list(zip(f["sheet"], f["row"], f["department"])) == [
        ("p1", 2, "子育て支援課"),
        ("p1", 3, "危機管理課"),
        ("p2", 2, "住宅政策課"),
        ("p2", 3, "市民協働推進課"),
        ("p2", 4, "健康長寿課"),
        ("p3", 2, "農林振興課"),
    ]
    assert f.iloc[1]["activities"].replace("\n", "").count("自主防災組織の結成") == 30


def _ruled_page(tmp_path, name: str, column_bottom: int, below: str = "", row_end: int = 300, right: str = "") -> list:
    """One page (595 pt wide): a table of two ruled rows (rules at y 700, 680, 660 from x 72 to
    ``row_end``; columns at x 72, 200, 300) whose column lines go down to ``column_bottom``, with
    ``below`` printed under its last rule and ``right`` in its second row at x 304, past its last
    column line."""
    ops = " ".join(
        [
            *(f"72 {y} m {row_end} {y} l S" for y in (700, 680, 660)),
            *(f"{x} 700 m {x} {column_bottom} l S" for x in (72, 200, 300)),
        ]
    )
    text = "BT /F1 10 Tf 76 686 Td (Indicator) Tj ET BT /F1 10 Tf 204 686 Td (Target) Tj ET "
    text += "BT /F1 10 Tf 76 666 Td (Visitors) Tj ET BT /F1 10 Tf 204 666 Td (150) Tj ET"
    if below:
        text += f" BT /F1 10 Tf 76 646 Td ({below}) Tj ET"
    if right:
        text += f" BT /F1 10 Tf 304 666 Td ({right}) Tj ET"
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(text_pdf([], stream=zlib.compress(f"{ops} {text}".encode())))
    return pdf_reader.read_pdf_tables(path, path.name)


def test_column_lines_drawn_a_little_long_are_no_cut_row(tmp_path):
    (t,) = _ruled_page(tmp_path, "long", 655)  # 5 pt past the last rule, nothing printed there
    assert t.rows == [["Indicator", "Target"], ["Visitors", "150"]]
    assert not t.runs_on


def test_column_lines_running_on_with_text_under_the_last_rule_are_a_cut_row(tmp_path):
    (t,) = _ruled_page(tmp_path, "cut", 620, below="and visitors")
    assert t.rows == [["Indicator", "Target"], ["Visitors", "150"], ["and visitors", ""]]
    assert t.runs_on


def test_row_lines_running_past_the_last_column_line_with_text_there_are_a_cut_table(tmp_path):
    (t,) = _ruled_page(tmp_path, "wide", 660, row_end=595, right="Grade")  # row lines to the page's edge
    assert t.cut == ("right",)
    assert t.rows == [["Indicator", "Target"], ["Visitors", "150"]]


@pytest.mark.parametrize(
    "row_end, right",
    [
        (304, "Grade"),  # row lines drawn 4 pt long: a margin note beside the table
        (595, ""),  # row lines to the page's edge with nothing printed past the last column line
        (300, "Grade"),  # a note beside the table with no row lines under it
    ],
)
def test_a_table_with_nothing_cut_at_its_side_is_not_cut(tmp_path, row_end, right):
    (t,) = _ruled_page(tmp_path, "whole", 660, row_end=row_end, right=right)
    assert t.cut == ()


@pytest.mark.parametrize("path", [SEED_PDF, MULTIPAGE, BROWSER])
def test_the_examples_tables_fit_their_pages(path):
    cuts = [t.cut for t in pdf_reader.read_pdf_tables(path, path.name)]
    assert cuts and not any(cuts)


def test_a_table_cut_at_the_pages_right_edge_is_said_once_naming_the_page(vocab):
    (t,) = pdf_reader.read_pdf_tables(WIDE, WIDE.name)
    assert t.cut == ("right",)
    assert t.rows[0] == ["施策", "成果指標", "単位", "基準値", "目標値", "実績値"]  # 取組内容 on: no closing line
    table = load_table(WIDE, vocab)
    assert table.cut == [("p1", "right")]
    assert table.frame.loc[0, ["baseline", "target", "current"]].tolist() == ["420", "500", "468"]
    assert "grade" not in table.frame and "department" not in table.frame  # cut off: what H007 says
    found = [f for f in _findings(str(WIDE), "--lang", "en") if f["code"] == "H007"]
    assert len(found) == 1
    assert found[0]["severity"] == "warning" and found[0]["cell"] == "wide_r5.pdf#p1"
    assert "cut at the right edge of the page (p1)" in found[0]["message"]
