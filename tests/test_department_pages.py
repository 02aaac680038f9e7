"""A department's page and its annotated workbook, as a clerk reads and prints them (#14).

Checked by hand on examples/seed_r5.xlsx (sheet R5実施状況; the terminal run lists the same): four
findings, D001 on J7 (自治会加入率, target 60％ below baseline 60.4％: an error), G002 on F14
(同意取得者に対する個別計画の作成率 graded Ｂ while 60％ fell to 56.5％: a warning), M001 on I17
(コミュニティ・スクールの導入率, baseline "-": a warning) and G008 on F4 (センターへの相談件数
45件 against a target of 30件, graded Ｂ: information). 社会福祉課 is the fifth department of the
table (05_社会福祉課.html) and has G002 alone.

A comment box is anchored as Excel anchors a new one: one column right of its cell and one row
above. The seed sheet's column G is 50 characters wide, 350 pixels by Excel's rule
(trunc((256 × 50 + 18) / 256 × 7)); a 420-pixel box starting 15 pixels into G ends 85 pixels into H.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hyoka.options import CheckOptions
from hyoka.output.report import write_reports
from hyoka.pipeline import run_check

from .conftest import EXAMPLES, SEED_CSV, SEED_XLSX
from .test_dashboard import CHROMIUM, Tree

WHEN = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed_xlsx_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-xlsx") / "out"
    result = run_check([SEED_XLSX])
    result.options.title = "第2次市民協働推進計画 令和5年度評価"  # the plan's title (hyoka.toml `title`)
    write_reports(result, out, generated=WHEN)
    return out


def _page(out: Path, name: str):
    return Tree((out / name).read_text(encoding="utf-8")).root


def test_a_department_page_names_its_source_and_links_its_files(seed_xlsx_report):
    out = seed_xlsx_report
    dom = _page(out, "05_社会福祉課.html")
    assert dom.by_id("sources").text == "seed_r5.xlsx（シート：R5実施状況）"
    assert dom.by_id("plan-title").text == "第2次市民協働推進計画 令和5年度評価"
    index = _page(out, "index.html")
    assert dom.by_id("generated").text == index.by_id("generated").text.split("：")[-1]  # the index's stamp
    links = [(a.attrs["href"], a.text) for a in dom.by_id("files").find_all("a")]
    assert links == [
        ("seed_r5.hyoka.xlsx", "指摘を書き込んだブック（seed_r5.hyoka.xlsx）"),
        ("05_社会福祉課.md", "Markdown版（05_社会福祉課.md）"),
    ]
    assert all((out / href).is_file() for href, _ in links)
    md = (out / "05_社会福祉課.md").read_text(encoding="utf-8")
    assert "- 元のファイル：seed\\_r5.xlsx（シート：R5実施状況）\n" in md
    assert "- 指摘を書き込んだブック：seed\\_r5.hyoka.xlsx\n" in md
    assert "- 計画：第2次市民協働推進計画 令和5年度評価\n" in md


def test_every_rule_group_is_open_for_printing(seed_xlsx_report):
    dom = _page(seed_xlsx_report, "01_市民協働推進課.html")
    assert not dom.find_all("details")  # a closed <details> prints nothing
    assert [a.attrs["href"] for a in dom.by_id("contents").find_all("a")] == ["#rule-D001", "#rule-G008"]
    for code in ("D001", "G008"):
        group = dom.by_id(f"rule-{code}")
        assert group.tag == "section" and len(group.find_all("tbody")[0].find_all("tr")) == 1


def test_published_values_say_which_is_which(seed_xlsx_report, tmp_path):
    """#14: `公表値 Ｂ: 60％ → 56.5％` → 評価 Ｂ、基準値 60％ → 現状値 56.5％ (seed F14)."""
    row = _page(seed_xlsx_report, "05_社会福祉課.html").by_id("rule-G002").find_all("tbody")[0].find_all("tr")[0]
    observed = [td for td in row.children if td.tag == "td"][4]
    assert observed.text == "評価 Ｂ、基準値 60％ → 現状値 56.5％"
    g008 = _page(seed_xlsx_report, "01_市民協働推進課.html").by_id("rule-G008").find_all("td")
    assert "評価 Ｂ、現状値 45件、目標値 30件" in [td.text for td in g008]
    out = tmp_path / "en"
    write_reports(run_check([SEED_XLSX], CheckOptions(lang="en")), out, generated=WHEN)
    en = _page(out, "05_社会福祉課.html").by_id("rule-G002").find_all("td")
    assert "grade Ｂ, baseline 60％ → current 56.5％" in [td.text for td in en]


def test_a_csv_department_page_has_no_workbook_and_says_whose_rows(tmp_path):
    out = tmp_path / "out"
    write_reports(run_check([SEED_CSV]), out, generated=WHEN)
    dom = _page(out, "05_社会福祉課.html")
    assert dom.by_id("sources").text == "seed_r5.csv"
    assert [a.attrs["href"] for a in dom.by_id("files").find_all("a")] == ["05_社会福祉課.md"]
    assert "「行」は seed_r5.csv の行番号です。" in (out / "05_社会福祉課.html").read_text(encoding="utf-8")


# --- the annotated workbook ------------------------------------------------------------------


def test_the_summary_sheet_lists_every_finding_with_a_link_to_its_cell(seed_xlsx_report):
    wb = load_workbook(seed_xlsx_report / "seed_r5.hyoka.xlsx")
    assert wb.sheetnames[0] == "hyoka指摘一覧"
    ws = wb["hyoka指摘一覧"]
    assert [c.value for c in ws[1]] == [
        "重要度",
        "セル",
        "ルール",
        "担当課",
        "事業名 / 目標指標",
        "内容",
        "公表値",
        "期待される内容",
        "直し方",
        "除外理由",
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("エラー", "R5実施状況!J7", "D001 目標値が基準値より悪い方向"),
        ("警告", "R5実施状況!F14", "G002 上位の評価なのに基準値より悪化"),
        ("警告", "R5実施状況!I17", "M001 基準値が未記入"),
        ("情報", "R5実施状況!F4", "G008 目標を大きく上回るのに最上位でない評価"),
    ]
    assert [ws.cell(row=i, column=2).hyperlink.location for i in range(2, 6)] == [
        "'R5実施状況'!J7",
        "'R5実施状況'!F14",
        "'R5実施状況'!I17",
        "'R5実施状況'!F4",
    ]
    g002 = rows[1]
    assert g002[3:5] == ["社会福祉課", "避難行動要支援者の支援\n同意取得者に対する個別計画の作成率"]
    assert g002[6] == "評価 Ｂ、基準値 60％ → 現状値 56.5％" and g002[8].startswith("評価を見直すか")
    # printed: A4 landscape, one page wide, the header row on every page, long texts wrapped
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    assert all(c.alignment.wrap_text for c in ws[3])


def _anchors(path: Path) -> dict[tuple[int, int], list[int]]:
    """(row, column) of each note in the workbook's comment drawings (0-based) → its anchor."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".vml"):
                for shape in re.findall(r"<(?:\w+:)?shape\b.*?</(?:\w+:)?shape>", z.read(name).decode(), re.S):
                    row = int(re.search(r"<(?:\w+:)?Row>(\d+)<", shape).group(1))
                    col = int(re.search(r"<(?:\w+:)?Column>(\d+)<", shape).group(1))
                    anchor = re.search(r"<(?:\w+:)?Anchor>([^<]*)<", shape)
                    out[(row, col)] = [int(v) for v in anchor.group(1).split(",")] if anchor else []
    return out


def test_comments_sit_beside_their_cells(seed_xlsx_report):
    anchors = _anchors(seed_xlsx_report / "seed_r5.hyoka.xlsx")
    # F4, J7, F14, I17 (0-based rows 3, 6, 13, 16; columns 5, 9, 5, 8): one comment each
    assert sorted(anchors) == [(3, 5), (6, 9), (13, 5), (16, 8)]
    for (row, col), box in anchors.items():
        assert box[:4] == [col + 1, 15, row - 1, 10]  # one column right, one row above
        assert box[4] > box[0] and box[6] >= box[2]
    assert anchors[(13, 5)][4:6] == [7, 85]  # G is 350 px wide: the 420-px box ends 85 px into H
    wb = load_workbook(seed_xlsx_report / "seed_r5.hyoka.xlsx")
    assert wb["R5実施状況"]["F14"].comment.text.startswith("[G002 警告] 評価「Ｂ」は上位の評価ですが")


def _column_text(pdf: Path, heading: str, next_heading: str) -> str:
    """The printed text of one column of the findings tables, page by page, top to bottom (no
    whitespace): the words of each page (pdftotext -bbox) that start between the column's heading
    and the next heading (the header row is repeated on every page)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    out = []
    for page in re.findall(r"<page\b.*?</page>", xml, re.S):
        words = [
            (float(y), float(x), html.unescape(w))
            for x, y, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)
        ]
        starts = {w: x for _, x, w in sorted(words, reverse=True)}  # each heading's first place on the page
        if heading in starts and next_heading in starts:
            lo, hi = starts[heading] - 1, starts[next_heading] - 1
            out += [w for _, x, w in sorted(words) if lo <= x < hi and w != heading]
    return "".join(out)


@pytest.mark.slow
@pytest.mark.skipif(
    not CHROMIUM or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="Chromium or poppler-utils (pdftotext, pdfinfo) is not installed (.ci/run installs them)",
)
@pytest.mark.parametrize(
    "table, page",
    [
        (SEED_XLSX, "05_社会福祉課.html"),
        (EXAMPLES / "real" / "published" / "ofunato_R7_kodomokatei.csv", "01_保健福祉部こども家庭センター.html"),
    ],
)
def test_a_department_page_prints_on_a4_landscape_with_every_finding(tmp_path, table, page):
    out = tmp_path / "out"
    result = run_check([table])
    write_reports(result, out, generated=WHEN)
    pdf = tmp_path / "page.pdf"
    r = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (out / page).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert pdf.is_file(), r.stderr[-800:]
    info = subprocess.run(["pdfinfo", "-l", "999", str(pdf)], capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes and {(round(float(w)), round(float(h))) for w, h in sizes} == {(842, 595)}  # A4 landscape
    text = _column_text(pdf, "内容", "公表値")
    dom = _page(out, page)
    messages = [tr.find_all("td")[3].text for tr in dom.find_all("tr") if len(tr.find_all("td")) == 7]
    mine = result.findings[result.findings["department"] == ("社会福祉課" if table == SEED_XLSX else page[3:-5])]
    assert messages and sorted(messages) == sorted(mine["message"])  # every finding of the department is on the page
    missing = [m for m in messages if re.sub(r"\s+", "", m) not in text]
    assert not missing  # … and on paper, each whole in its column
