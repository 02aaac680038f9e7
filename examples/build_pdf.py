"""Build the PDF examples the way a city makes them: a workbook printed to PDF by LibreOffice.

* ``seed_r5.pdf``: ``seed_r5.xlsx`` (ruled cells, the two-row header, 項目 merged over its rows,
  wrapped text) in a print-ready copy — A4 landscape, one page wide, the two header rows repeated
  on every page (print titles), a page header (the sheet's name) and a page-number footer, and
  row heights that show every wrapped line (openpyxl writes no heights and LibreOffice does not
  grow a row to fit) — exported by ``soffice --headless --convert-to pdf``.
* ``pdf/multipage_r5.pdf``: another layout of the same kind of table, invented for the tests: 36
  indicator rows on A4 portrait, so the table runs over three pages with its header repeated; a
  header whose cells break over two lines (``基準値`` / ``（R2）``); indicator names too long for
  their column, so they wrap (one in English, which wraps at a space); a value whose number and
  unit fall on two lines; 施策 merged over its rows, across a page break; a page header and a
  ``- n -`` footer.
* ``pdf/browser_r5.pdf``: a web page's table printed by Chromium (``--print-to-pdf``), as a clerk
  prints a published page: Letter portrait, the header row repeated on every page (``thead``), and
  取組内容 cells so long that the browser cuts two rows at a page break, going on at the top of the
  next page under the header (Word's "allow row to break across pages" does the same; Excel and
  LibreOffice Calc never cut a row). Chromium writes no rule under a cut row's part, and its Noto
  CJK font writes some kanji as radicals in the text layer (用 as U+2F64, 戸 as U+2F3E, 民 as
  U+2EA0, 長 as U+2ED1) and ・ as U+2027.
* ``pdf/scanned_r5.pdf``: the first page of ``seed_r5.pdf`` as a picture only (no text layer), as
  a scanner makes it: pdftoppm renders it, Pillow wraps the image as a PDF.
* For the tests, ``../tests/data/pdf/``: a small table (the seed's 自治会加入率 and 補助金交付割合
  rows) exported as ``locked.pdf``, with a password to open it (``secret``), and as
  ``restricted.pdf``, with a permissions password only (no printing or changes; it opens without
  a password, as many published reports do); and ``wide_r5.pdf``, a web page's table wider than
  the page printed by Chromium, which cuts it at the page's right edge (取組内容 with no line on its right, 評価
  and 担当課 not at all), as a clerk's print of a wide published table is.

Rebuild (needs LibreOffice's ``soffice``, Chromium (``chromium``) and poppler's ``pdftoppm`` on
the PATH, and Pillow)::

    python examples/build_pdf.py

The PDFs are not byte-identical from one build to the next (LibreOffice stamps the time); their
text and ruling are. The tests read the committed PDFs and do not need LibreOffice.
"""

import math
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side

HERE = Path(__file__).resolve().parent
SEED_XLSX = HERE / "seed_r5.xlsx"
SEED_PDF = HERE / "seed_r5.pdf"
MULTIPAGE_PDF = HERE / "pdf" / "multipage_r5.pdf"
SCANNED_PDF = HERE / "pdf" / "scanned_r5.pdf"
BROWSER_PDF = HERE / "pdf" / "browser_r5.pdf"
TEST_PDFS = HERE.parent / "tests" / "data" / "pdf"
#: LibreOffice's PDF export options (JSON filter options) for the two protected copies
LOCKED = '{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}'
RESTRICTED = (
    '{"RestrictPermissions":{"type":"boolean","value":"true"},"PermissionPassword":{"type":"string","value":"owner"},'
    '"Printing":{"type":"long","value":"0"},"Changes":{"type":"long","value":"0"}}'
)

LINE_PT = 15.5  # the height of one line of 11 pt text in LibreOffice (the CJK fallback font is tall)
PAD_PT = 5.0


def _units(text: str) -> float:
    """The width of ``text`` in column-width units (the width of ``0``): a wide character
    (kanji, kana, full-width forms) takes two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def _lines(text: str, width: float) -> int:
    """The lines ``text`` takes in a column ``width`` units wide, wrapped (an estimate that errs
    on the side of one line too many)."""
    room = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(_units(part) / room)) for part in str(text).split("\n"))


def fit_rows(ws, first_row: int) -> None:
    """Set each row's height from ``first_row`` on so that every wrapped cell shows in full
    (a merged cell spanning rows is left to the rows it spans)."""
    merged = {
        (r, c)
        for g in ws.merged_cells.ranges
        if g.max_row > g.min_row
        for r in range(g.min_row, g.max_row + 1)
        for c in range(g.min_col, g.max_col + 1)
    }
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in merged:
                continue
            lines = max(lines, _lines(cell.value, widths.get(cell.column_letter, 8.43)))
        ws.row_dimensions[row[0].row].height = lines * LINE_PT + PAD_PT


def print_ready(ws, orientation: str, title_rows: str, header: str, footer: str) -> None:
    """Page setup as a clerk sets it before printing: A4, one page wide, the header rows on every
    page, a page header and footer."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = title_rows
    ws.oddHeader.center.text = header
    ws.oddFooter.center.text = footer
    ws.freeze_panes = None


def to_pdf(xlsx: Path, out: Path, work: Path, options: str = "") -> None:
    """Export ``xlsx`` to ``out`` with LibreOffice (a profile of its own, so a running office
    is not disturbed); ``options``: the PDF export's filter options (JSON)."""
    profile = (work / "lo-profile").as_uri()
    target = f"pdf:calc_pdf_Export:{options}" if options else "pdf"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(work),
            str(xlsx),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=300,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(work / (xlsx.stem + ".pdf"), out)


def seed_workbook(path: Path) -> None:
    wb = load_workbook(SEED_XLSX)
    ws = wb.active
    print_ready(ws, "landscape", "2:3", "&A", "&P / &N")
    fit_rows(ws, 2)
    wb.save(path)


#: the multi-page layout: 施策 (merged over its rows), indicator, unit, three values, grade, department
MULTI_HEADER = ["施策", "成果指標", "単位", "基準値\n（R2）", "目標値\n（R7）", "実績値\n（R5）", "評価", "担当課"]
MULTI_WIDTHS = [14, 16, 6, 10, 10, 10, 6, 12]
MULTI_POLICIES = [
    (
        "１　子育て支援の充実",
        "子育て支援課",
        [
            ("保育所待機児童数", "人", "12", "0", "3", "B"),
            ("放課後児童クラブの受入れ可能児童数の合計", "人", "480", "600", "560", "A"),
            ("乳幼児健康診査受診率", "％", "95.2", "98", "96.1", "B"),
            ("子育て支援センターの年間利用者延べ人数", "人", "18,200", "20,000", "21,350", "A"),
            ("病児保育の利用登録者数", "人", "310", "400", "352", "B"),
            ("ファミリー・サポート・センター提供会員数", "人", "85", "120", "78", "C"),
        ],
    ),
    (
        "２　学校教育の推進",
        "学校教育課",
        [
            ("全国学力・学習状況調査で全国平均を上回る教科の割合", "％", "50", "100", "75", "B"),
            ("不登校児童生徒の割合", "％", "1.8", "1.2", "2.1", "D"),
            ("ICT機器を授業で活用する教員の割合", "％", "62", "90", "84.5", "B"),
            ("学校図書館の児童生徒一人当たり貸出冊数", "冊", "28", "35", "31", "B"),
            ("Number of foreign language assistants in schools", "人", "4", "8", "6", "B"),
            ("学校給食における地場産物の使用割合", "％", "32.4", "40", "35.0", "B"),
        ],
    ),
    (
        "３　生涯学習の振興",
        "生涯学習課",
        [
            ("公民館講座の年間受講者数", "人", "9,850", "12,000", "10,400", "B"),
            ("市立図書館の市民一人当たり年間貸出冊数", "冊", "5.2", "6.0", "5.0", "C"),
            ("生涯学習ボランティア登録者数", "人", "140", "200", "165", "B"),
            ("市民大学講座修了者数（累計）", "人", "1,200", "1,800", "1,530", "B"),
            ("文化施設の年間利用者数", "人", "235,000", "260,000", "198,000", "C"),
            ("文化財公開事業の参加者数", "人", "1,850", "2,500", "2,210", "B"),
        ],
    ),
    (
        "４　スポーツの推進",
        "スポーツ振興課",
        [
            ("成人の週１回以上のスポーツ実施率", "％", "48.5", "65", "52.3", "B"),
            ("総合型地域スポーツクラブの会員数", "人", "1,320", "1,600", "1,410", "B"),
            ("市民体育館の年間利用者数", "人", "142,000", "160,000", "151,250", "B"),
            ("スポーツ教室の開催回数", "回", "96", "120", "88", "C"),
            ("全国大会出場選手への激励金交付件数", "件", "14", "20", "17", "B"),
            ("障がい者スポーツ大会の参加者数", "人", "260", "350", "298", "B"),
        ],
    ),
    (
        "５　健康づくりの推進",
        "健康増進課",
        [
            ("特定健康診査の受診率", "％", "38.2", "60", "41.7", "B"),
            ("がん検診（胃・肺・大腸）の平均受診率", "％", "12.5", "20", "11.8", "C"),
            ("健康ポイント事業の参加者数", "人", "2,400", "5,000", "3,950", "B"),
            ("食生活改善推進員の人数", "人", "74", "90", "69", "C"),
            ("こころの健康相談の延べ相談件数", "件", "420", "500", "512", "A"),
            ("健康寿命（男性）", "歳", "79.8", "81.0", "80.1", "B"),
        ],
    ),
    (
        "６　地域福祉の推進",
        "社会福祉課",
        [
            ("民生委員・児童委員の充足率", "％", "92.1", "100", "94.6", "B"),
            ("地域サロンの設置箇所数", "箇所", "58", "75", "66", "B"),
            ("避難行動要支援者の個別避難計画の作成率", "％", "35", "100", "28", "B"),
            ("生活困窮者自立相談の新規相談件数", "件", "310", "300", "355", "C"),
            ("成年後見制度の利用者数", "人", "112", "150", "131", "B"),
            ("福祉ボランティア登録団体数", "団体", "41", "50", "44", "B"),
        ],
    ),
]


def multipage_workbook(path: Path) -> None:
    """The multi-page layout (module doc), as a workbook to export."""
    wb = Workbook()
    ws = wb.active
    ws.title = "成果指標R5"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.cell(row=1, column=1, value="第２期総合計画 成果指標の達成状況（令和５年度）").font = Font(bold=True, size=12)
    for c, (text, width) in enumerate(zip(MULTI_HEADER, MULTI_WIDTHS), start=1):
        cell = ws.cell(row=2, column=c, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[cell.column_letter].width = width
    r = 3
    for policy, department, rows in MULTI_POLICIES:
        top = r
        for name, unit, base, target, current, grade in rows:
            values = [policy if r == top else None, name, unit, base, target, current, grade, department]
            for c, v in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c, value=v)
                cell.alignment = Alignment(
                    vertical="top", wrap_text=True, horizontal="right" if c in (4, 5, 6) else None
                )
                cell.border = border
            r += 1
        ws.merge_cells(start_row=top, start_column=1, end_row=r - 1, end_column=1)
    # a value whose unit is written in the cell, in a column too narrow for both: 12,345,678 / 円
    ws.cell(row=r, column=1, value="７　行財政運営").border = border
    for c, v in enumerate(
        ["ふるさと納税の寄附額", "", "12,345,678円", "30,000,000円", "25,432,100円", "B", "企画政策課"], start=2
    ):
        cell = ws.cell(row=r, column=c, value=v)
        cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="right" if c in (4, 5, 6) else None)
        cell.border = border
    print_ready(ws, "portrait", "2:2", "成果指標の達成状況", "- &P -")
    fit_rows(ws, 2)
    wb.save(path)


def small_workbook(path: Path) -> None:
    """Two of the seed's indicator rows under a one-row header, ruled (the protected copies)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "R5"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    rows = [
        ["事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)"],
        ["自治会加入促進に関する連携", "市民協働推進課", "C", "自治会加入率", "60.4％", "60％", "58.2％"],
        ["コミュニティ助成", "市民協働推進課", "Ｂ", "補助金交付割合", "75％", "100％", "93.75％"],
    ]
    for r, values in enumerate(rows, start=1):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, width in enumerate([26, 14, 10, 14, 11, 11, 11], start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = width
    print_ready(ws, "landscape", "1:1", "", "&P")
    fit_rows(ws, 1)
    wb.save(path)


def scanned(pdf: Path, out: Path, work: Path) -> None:
    """The first page of ``pdf`` as an image-only PDF (100 dpi, grey, as a scanner gives it)."""
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "100", "-gray", "-png", str(pdf), str(work / "scan")],
        check=True,
        timeout=120,
    )
    page = next(work.glob("scan*.png"))
    with Image.open(page) as img:
        img.save(out, "PDF", resolution=100.0)


#: the web page's rows: (施策, 取組内容 lines, 成果指標, 単位, 基準値, 目標値, 実績値, 評価, 担当課)
BROWSER_ROWS = [
    (
        "子育て支援",
        ["放課後児童クラブの運営を支援した。"],
        "放課後児童クラブの利用者数",
        "人",
        "420",
        "500",
        "468",
        "B",
        "子育て支援課",
    ),
    (
        "地域防災",
        [f"{i}. 自主防災組織の結成を各地区で呼びかけ、訓練用の資機材を貸与した。" for i in range(1, 31)],
        "自主防災組織の活動カバー率",
        "％",
        "80.4",
        "90.0",
        "84.1",
        "B",
        "危機管理課",
    ),
    ("住宅", ["空き家バンクの登録を進めた。"], "空き家バンクの登録戸数", "戸", "12", "40", "35", "A", "住宅政策課"),
    (
        "市民活動",
        ["市民活動・ボランティアの相談窓口を開いた。"],
        "市民活動団体の数",
        "団体",
        "85",
        "100",
        "91",
        "B",
        "市民協働推進課",
    ),
    (
        "保健",
        [f"{i}. 健康相談・健康診査を実施し、受診を勧奨した。" for i in range(1, 46)],
        "特定健康診査の受診率",
        "％",
        "35.2",
        "60.0",
        "38.9",
        "C",
        "健康長寿課",
    ),
    ("農業", ["園芸用ハウスの整備を補助した。"], "園芸用ハウスの面積", "ha", "3.0", "5.0", "4.2", "B", "農林振興課"),
]


def browser_page(path: Path, repeated: bool = True) -> None:
    """The web page of ``pdf/browser_r5.pdf``: :data:`BROWSER_ROWS` as a ruled table (module doc).
    ``repeated=False``: the header is a plain row, printed on the first page only."""
    head = ["施策", "取組内容", "成果指標", "単位", "基準値", "目標値", "実績値", "評価", "担当課"]
    rows = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in (r[0], "<br>".join(r[1]), *r[2:])) + "</tr>\n" for r in BROWSER_ROWS
    )
    path.write_text(
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>成果指標</title><style>'
        "table{border-collapse:collapse;font-size:9pt}td,th{border:1px solid #000;padding:2px}</style></head>"
        "<body><table>"
        + ("<thead>" if repeated else "<tbody>")
        + "<tr>"
        + "".join(f"<th>{h}</th>" for h in head)
        + ("</tr></thead><tbody>\n" if repeated else "</tr>\n")
        + f"{rows}</tbody></table></body></html>\n",
        encoding="utf-8",
    )


#: the columns of ``wide_r5.pdf``, and the width (px) each is printed at: 1,020 px in all, on a
#: Letter page whose printable width is 1,056 − 2 × 38 = 740 px (Chromium's default margins)
WIDE_COLUMNS = [
    ("施策", 120),
    ("成果指標", 260),
    ("単位", 60),
    ("基準値", 110),
    ("目標値", 110),
    ("実績値", 110),
    ("取組内容", 380),
    ("評価", 100),
    ("担当課", 250),
]


def wide_page(path: Path) -> None:
    """The web page of ``tests/data/pdf/wide_r5.pdf``: four of :data:`BROWSER_ROWS` as a ruled
    table wider than a Letter page (:data:`WIDE_COLUMNS`), its cells not wrapped, so Chromium's
    print cuts it at the page's right edge: 取組内容 is printed with no line on its right, 評価 and 担当課
    not at all."""
    head = "".join(f'<th style="width:{w}px">{h}</th>' for h, w in WIDE_COLUMNS)
    rows = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in (r[0], *r[2:7], r[1][0], r[7], r[8])) + "</tr>\n"
        for r in BROWSER_ROWS
        if len(r[1]) == 1
    )
    path.write_text(
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>成果指標</title><style>'
        "table{border-collapse:collapse;font-size:9pt;table-layout:fixed;width:1500px}"
        "td,th{border:1px solid #000;padding:2px;white-space:nowrap;overflow:hidden}</style></head>"
        f"<body><table><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table></body></html>\n",
        encoding="utf-8",
    )


def chromium_pdf(html: Path, out: Path) -> None:
    """``html`` printed to ``out`` by headless Chromium (no page header or footer)."""
    subprocess.run(
        [
            shutil.which("chromium") or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        seed_workbook(work / "seed_r5.xlsx")
        to_pdf(work / "seed_r5.xlsx", SEED_PDF, work)
        multipage_workbook(work / "multipage_r5.xlsx")
        to_pdf(work / "multipage_r5.xlsx", MULTIPAGE_PDF, work)
        scanned(SEED_PDF, SCANNED_PDF, work)
        browser_page(work / "browser_r5.html")
        chromium_pdf(work / "browser_r5.html", BROWSER_PDF)
        wide_page(work / "wide_r5.html")
        chromium_pdf(work / "wide_r5.html", TEST_PDFS / "wide_r5.pdf")
        small_workbook(work / "small.xlsx")
        to_pdf(work / "small.xlsx", TEST_PDFS / "locked.pdf", work, LOCKED)
        to_pdf(work / "small.xlsx", TEST_PDFS / "restricted.pdf", work, RESTRICTED)
    for p in (
        SEED_PDF,
        MULTIPAGE_PDF,
        SCANNED_PDF,
        BROWSER_PDF,
        TEST_PDFS / "wide_r5.pdf",
        TEST_PDFS / "locked.pdf",
        TEST_PDFS / "restricted.pdf",
    ):
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
