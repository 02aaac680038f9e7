"""The findings on the city's published R5 table, each checked by hand against the seed text.

Seed rows (CSV line / xlsx row), as published (baseline R3 → target R9, current R5):
- 自治会加入促進に関する連携 (line 6 / row 7): 自治会加入率 60.4％ → 60％, now 58.2％, grade C.
  A join rate should rise, yet the target is set *below* the baseline: D001 on the target.
  The grade C (lower half) agrees with the fall, so no grade finding.
- 避難行動要支援者の支援 (line 26 / row 14): 個別計画の作成率 60％ → 80％, now 56.5％, grade Ｂ.
  B is in the upper half of A–D while the rate fell below its baseline: G002 on the grade.
- コミュニティ・スクールの導入 (line 38 / row 17): baseline "-" (not known), target 100％,
  now 30％: M001 on the baseline; the dash must not be read as 0.
- 各種助成制度の情報提供 (line 2 / row 4): センターへの相談件数 17件 → 30件, now 45件 (150 % of the
  target), graded Ｂ, not the top grade A: G008, information only (issue #13: a target exceeded by
  far under an upper grade below the top is worth a look, not a warning).
In ``seed_r5.pdf`` (the workbook printed by LibreOffice: examples/build_pdf.py) the same cells are
placed by page, row and column as printed, counted on the rendered pages: page 1 holds the two
header rows (R1, R2) and the data rows 4–14 of the workbook (R3–R13), page 2 the header again and
rows 15–18 (R3–R6); columns A–K are C1–C11. So F4 is p1!R3C6, J7 p1!R6C10, F14 p1!R13C6 and I17
p2!R5C9.
Every other row is consistent: e.g. コミュニティ設立支援 (未設置地区 3 → 2, now 3, grade D) is a
lower-is-better indicator that did not improve, graded D; 市職員研修 (2回 → 3回, now 1回) is
graded D; 自治会活動支援 (85.19％ → 87％, now 89.7％) is graded Ａ.
"""

import pytest

from hyoka.options import CheckOptions
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check

from .conftest import SEED_CSV, SEED_EXCEL_HTM, SEED_HTML, SEED_PDF, SEED_PORTAL_HTML, SEED_XLSX

EXPECTED = {
    # code: (project, field, observed, cell per form)
    # The pages' places were counted by hand in the pages (examples/build_html.py writes them):
    # seed_r5.html has its two header rows in <thead> (R1, R2) and the data from R3, so each row
    # is the workbook's less one (no title row); its 項目 cell spans rows (rowspan) and still
    # counts as column 1 of the rows it covers, so 目標値 is C10, 事業の評価 C6, 基準値 C9.
    # seed_r5_excel.htm keeps the workbook's title row (R1), so its rows are the workbook's;
    # seed_r5_portal.html has a navigation and a breadcrumb table first: its table is table3.
    # seed_r5.pdf (examples/build_pdf.py) was counted on the rendered pages: R1 and R2 are the
    # header on both pages; M001's row is the fifth printed on page 2.
    "D001": (
        "自治会加入促進に関する連携",
        "target",
        "基準値 60.4％ → 目標値 60％",
        {
            "csv": "seed_r5.csv:6:target",
            "xlsx": "[seed_r5.xlsx]R5実施状況!J7",
            "html": "seed_r5.html#table1!R6C10",
            "excel_htm": "seed_r5_excel.htm#table1!R7C10",
            "portal_html": "seed_r5_portal.html#table3!R6C10",
            "pdf": "seed_r5.pdf#p1!R6C10",
        },
    ),
    "G002": (
        "避難行動要支援者の支援",
        "grade",
        "評価 Ｂ、基準値 60％ → 現状値 56.5％",
        {
            "csv": "seed_r5.csv:26:grade",
            "xlsx": "[seed_r5.xlsx]R5実施状況!F14",
            "html": "seed_r5.html#table1!R13C6",
            "excel_htm": "seed_r5_excel.htm#table1!R14C6",
            "portal_html": "seed_r5_portal.html#table3!R13C6",
            "pdf": "seed_r5.pdf#p1!R13C6",
        },
    ),
    "G008": (
        "各種助成制度の情報提供",
        "grade",
        "評価 Ｂ、現状値 45件、目標値 30件",
        {
            "csv": "seed_r5.csv:2:grade",
            "xlsx": "[seed_r5.xlsx]R5実施状況!F4",
            "html": "seed_r5.html#table1!R3C6",
            "excel_htm": "seed_r5_excel.htm#table1!R4C6",
            "portal_html": "seed_r5_portal.html#table3!R3C6",
            "pdf": "seed_r5.pdf#p1!R3C6",
        },
    ),
    "M001": (
        "コミュニティ・スクールの導入",
        "baseline",
        "-",
        {
            "csv": "seed_r5.csv:38:baseline",
            "xlsx": "[seed_r5.xlsx]R5実施状況!I17",
            "html": "seed_r5.html#table1!R16C9",
            "excel_htm": "seed_r5_excel.htm#table1!R17C9",
            "portal_html": "seed_r5_portal.html#table3!R16C9",
            "pdf": "seed_r5.pdf#p2!R5C9",
        },
    ),
}
FORMS = {
    "csv": SEED_CSV,
    "xlsx": SEED_XLSX,
    "html": SEED_HTML,
    "excel_htm": SEED_EXCEL_HTM,
    "portal_html": SEED_PORTAL_HTML,
    "pdf": SEED_PDF,
}


@pytest.fixture(scope="module", params=list(FORMS))
def result(request):
    return request.param, run_check([FORMS[request.param]])


def test_exactly_the_hand_checked_findings(result):
    form, r = result
    f = with_cells(r)
    assert sorted(f["code"]) == sorted(EXPECTED)
    for _, row in f.iterrows():
        project, field, observed, cells = EXPECTED[row["code"]]
        assert row["project"] == project
        assert row["field"] == field
        assert row["observed"] == observed
        assert row["cell"] == cells[form]


def test_severities_and_departments(result):
    _, r = result
    f = r.findings.set_index("code")
    assert f.loc["D001", "severity"] == "error"
    assert f.loc["G002", "severity"] == "warning"
    assert f.loc["M001", "severity"] == "warning"
    assert f.loc["G008", "severity"] == "info"
    assert f.loc["G002", "department"] == "社会福祉課"
    assert f.loc["M001", "department"] == "生涯学習課"


def test_japanese_messages_name_values_as_published(result):
    _, r = result
    msg = r.findings.set_index("code")["message"]
    assert msg["G002"] == (
        "評価「Ｂ」は上位の評価ですが、「同意取得者に対する個別計画の作成率」の現状値 56.5％ は"
        "基準値 60％ より悪化しています（増加が望ましい指標、指標名から判断）。"
    )
    assert "目標値 60％ が基準値 60.4％ より悪い方向" in msg["D001"]
    assert "基準値が「-」" in msg["M001"]


def test_consistent_rows_raise_no_grade_or_unit_finding(result):
    _, r = result
    f = r.findings
    warned = f[f["severity"] != "info"]
    graded = set(warned.loc[warned["code"].str.startswith("G"), "project"])
    assert graded == {"避難行動要支援者の支援"}
    assert not f["code"].str.startswith("U").any()
    assert not f["code"].str.startswith("S").any()  # the schema accepts every seed row


@pytest.mark.parametrize("form", [f for f in FORMS if f != "csv"])
def test_every_form_gives_the_csv_findings(form):
    a = run_check([SEED_CSV]).findings
    b = run_check([FORMS[form]]).findings
    cols = [
        "code",
        "severity",
        "department",
        "item",
        "project",
        "indicator",
        "field",
        "observed",
        "expected",
        "message",
    ]
    assert a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))


def test_english_messages():
    r = run_check([SEED_CSV], CheckOptions(lang="en"))
    msg = r.findings.set_index("code")["message"]
    assert msg["M001"] == (
        "The baseline of 'コミュニティ・スクールの導入率' reads '-', so progress and the grade 'Ｂ' cannot be checked."
    )


def test_department_filter_matches_the_previous_name():
    r = run_check([SEED_CSV], CheckOptions(department="危機管理室"))
    assert r.frame["department"].tolist() == ["危機管理課"]
    assert r.frame["department_previous"].tolist() == ["危機管理室"]
    assert r.findings.empty
    r = run_check([SEED_XLSX], CheckOptions(department="社会福祉課"))
    assert len(r.frame) == 2 and r.findings["code"].tolist() == ["G002"]
