"""Workbooks as departments really fill them, read cell by cell, and the annotated copy.

The rows are the seed table's (a city's published R5 report); the workbook layout is what
departments send: one sheet per department, a legend sheet, a hidden working sheet, a title and a
note above a two-row header, merged 項目/事業名 cells, a blank spacer row, a ※ note below, column
names that vary (所管課, 実績値, 自己評価, 成果指標), numbers typed as numbers (0.604 formatted
0.0%, 2 formatted #,##0"回"), a furigana run on a name, and a formula saved without its value.
"""

import re
import shutil
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.worksheet.datavalidation import DataValidation

from hyoka.output.places import with_cells
from hyoka.pipeline import run_check
from hyoka.read.table import load_table
from hyoka.read.xlsx import read_grids

from .test_cli import hyoka

HEAD1 = ["項目", "事業名", "所管課", "令和5年度の取組", None, None, "成果指標の状況", None, None, None]
HEAD2 = [
    None,
    None,
    None,
    "実施内容",
    "自己評価",
    "効果、理由（問題点）",
    "成果指標",
    "基準値（R3)",
    "目標値（R9)",
    "実績値（R5)",
]


def _sheet(wb, title, rows):
    ws = wb.create_sheet(title)
    ws.append(["令和5年度 実施状況調書"])
    ws.append(["※ 担当課で記入し、7月末までに提出"])
    ws.append(HEAD1)
    ws.append(HEAD2)
    for m in ("A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:J3"):
        ws.merge_cells(m)
    first = ws.max_row + 1
    for r in rows:
        ws.append(r)
    ws.merge_cells(f"A{first}:A{ws.max_row}")
    ws.append([])  # spacer
    ws.append(["※ 数値は速報値"])  # note below the table
    ws.column_dimensions["D"].width = 40
    return ws


def build(path):
    wb = Workbook()
    wb.remove(wb.active)
    ws = _sheet(
        wb,
        "市民協働推進課",
        [
            [
                "（１）市民の組織機能を強化するための支援",
                "自治会加入促進に関する連携",
                "市民協働推進課",
                "キャンペーンを行った。",
                "C",
                "機会を持つことができた。",
                "自治会加入率",
                0.604,
                0.60,
                0.582,
            ],
            [None, "市職員研修", "市民協働推進課", "研修を実施した。", "D", "検討が必要。", "実施回数", 2, 3, "=H6-1"],
        ],
    )
    for c in ("H5", "I5", "J5"):
        ws[c].number_format = "0.0%"
    ws["B6"] = CellRichText(TextBlock(InlineFont(b=True), "市職員"), "研修")  # rich text: two runs
    for c in ("H6", "I6"):
        ws[c].number_format = '#,##0"回"'
    dv = DataValidation(type="list", formula1='"A,B,C,D"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("E5:E6")
    _sheet(
        wb,
        "社会福祉課",
        [
            [
                "（２）相互交流のネットワーク化",
                "避難行動要支援者の支援",
                "社会福祉課",
                "名簿システムを構築した。",
                "Ｂ",
                "名簿作成の効率化を図ることができた。",
                "同意取得者に対する個別計画の作成率",
                "60％",
                "80％",
                "56.5％",
            ],
        ],
    )
    legend = wb.create_sheet("凡例")
    legend.append(["評価", "意味"])
    legend.append(["A", "順調"])
    hidden = wb.create_sheet("作業用")
    hidden.sheet_state = "hidden"
    hidden.append(["事業名", "担当課", "評価", "目標指標", "基準値"])
    wb.save(path)
    _add_furigana(path, "社会福祉課", "シャカイフクシカ")
    return path


def _add_furigana(path, text, reading):
    """Add a phonetic run (furigana) to the inline string `text`, as Japanese Excel stores it."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet2"):
                data = data.replace(
                    f"<is><t>{text}</t></is>".encode(),
                    f'<is><t>{text}</t><rPh sb="0" eb="5"><t>{reading}</t></rPh></is>'.encode(),
                )
            dst.writestr(item, data)
    shutil.move(tmp, path)


@pytest.fixture()
def book(tmp_path):
    return build(tmp_path / "調書.xlsx")


def test_read_cell_by_cell(book, vocab):
    t = load_table(book, vocab)
    f = t.frame
    assert t.sheets_read == ["市民協働推進課", "社会福祉課"]
    assert t.sheets_skipped == ["凡例", "作業用"]
    assert len(f) == 3  # spacer and ※ notes are not rows
    r = f.iloc[0]
    assert (r["sheet"], r["row"]) == ("市民協働推進課", 5)
    assert (r["department"], r["grade"], r["indicator"]) == ("市民協働推進課", "C", "自治会加入率")
    assert (r["baseline"], r["target"], r["current"]) == ("60.4%", "60%", "58.2%")  # 0.604 as 0.0%
    assert (r["sheet"], r["row"], r["col_current"]) == ("市民協働推進課", 5, 10)  # J5
    r = f.iloc[1]
    assert r["item"] == "（１）市民の組織機能を強化するための支援"  # merged A5:A6
    assert (r["baseline"], r["target"]) == ("2回", "3回")  # #,##0"回"
    assert r["project"] == "市職員研修"  # rich text: its visible text
    assert r["current"] == "" and bool(r["nocache_current"])  # =H6-1 never calculated
    r = f.iloc[2]
    assert r["department"] == "社会福祉課"  # furigana not read as text
    assert (r["sheet"], r["row"], r["col_grade"]) == ("社会福祉課", 5, 5)  # E5


def test_both_readers_read_the_same_text(book):
    cal, _ = read_grids(book, book.name, "calamine")
    opx, _ = read_grids(book, book.name, "openpyxl")
    assert [g.title for g in cal] == [g.title for g in opx]
    # without number formats calamine sees 0.604; everything else is the same text
    a, b = cal[1].rows, opx[1].rows
    assert [x for row in a for x in row if x] == [x for row in b for x in row if x]
    assert cal[0].uncached == opx[0].uncached == {(5, 9)}
    _, used = read_grids(book, book.name, "auto")
    assert used == "openpyxl"  # percent formats in use


def test_formula_cached_as_empty_text_is_an_empty_cell(tmp_path, vocab):
    """=IF(…,"",…) saved by Excel: <c t="str"><f>…</f><v></v></c> (or <v/>) caches the empty
    string; only the formula with no <v>, or an empty <v> of no text type, was never calculated."""
    wb = Workbook()
    ws = wb.active
    ws.append(["事業名", "担当課", "評価", "目標指標", "基準値", "目標値", "現状値"])
    ws.append(["事業", "総務課", "A", "件数", '=""', '=""', "=E2+1"])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    tmp = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cells = re.findall(rb'<c r="[EFG]2"[^>]*>.*?</c>', data)
                assert len(cells) == 3  # openpyxl writes each as <c r="E2"><f>""</f><v></v></c>
                data = data.replace(cells[0], b'<c r="E2" t="str"><f>""</f><v></v></c>')
                data = data.replace(cells[1], b'<c r="F2" t="str"><f>""</f><v/></c>')
                data = data.replace(cells[2], b'<c r="G2"><f>E2+1</f><v></v></c>')  # never calculated
            dst.writestr(item, data)
    for reader in ("calamine", "openpyxl"):
        grids, _ = read_grids(tmp, tmp.name, reader)
        assert grids[0].uncached == {(1, 6)}, reader  # G2 only
        assert grids[0].rows[1][4:7] == ["", "", ""], reader
    f = load_table(tmp, vocab).frame
    assert f[["nocache_baseline", "nocache_target", "nocache_current"]].iloc[0].tolist() == [False, False, True]


def test_findings_on_the_workbook(book):
    f = with_cells(run_check([book]))
    got = sorted(zip(f["code"], f["cell"]))
    assert got == [
        ("D001", "[調書.xlsx]市民協働推進課!I5"),  # join rate target 60 % below baseline 60.4 %
        ("F001", "[調書.xlsx]市民協働推進課!J6"),  # the formula with no value, not "blank"
        ("G002", "[調書.xlsx]社会福祉課!E5"),  # Ｂ while 60 % fell to 56.5 %
    ]  # neither sheet has a 協働の相手 column: free text many templates lack, not worth an H002


def test_unmapped_header_is_reported(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(
        ["事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)", "基準値の出典"]
    )
    ws.append(["市職員研修", "市民協働推進課", "D", "実施回数", "2回", "3回", "1回", "研修記録"])
    wb.save(tmp_path / "u.xlsx")
    f = with_cells(run_check([tmp_path / "u.xlsx"]))
    h = f[f["code"] == "H001"]
    assert h["cell"].tolist() == ["[u.xlsx]Sheet!H1"] and h["observed"].tolist() == ["基準値の出典"]
    assert h[["sheet", "row", "cell_row", "col"]].values.tolist() == [["Sheet", 0, 1, 8]]


def test_annotated_copy(book, tmp_path):
    before = book.read_bytes()
    out = tmp_path / "out" / "annotated.xlsx"
    r = hyoka("check", book, "--annotate", out, "--no-report", "--fail-on", "never")
    assert r.returncode == 0, r.stderr
    assert book.read_bytes() == before  # the input is never touched
    wb = load_workbook(out)
    assert wb.sheetnames == ["hyoka指摘一覧", "市民協働推進課", "社会福祉課", "凡例", "作業用", "hyoka_marks"]
    assert wb["hyoka_marks"].sheet_state == "veryHidden"  # what each marked cell had (#15): not shown
    ws = wb["市民協働推進課"]
    assert ws["I5"].fill.fgColor.rgb.endswith("FFC7CE")  # error: red
    assert ws["I5"].comment.text.startswith("[D001 エラー] 「自治会加入率」は増加が望ましい指標")
    assert "直し方: " in ws["I5"].comment.text
    assert ws["J6"].fill.fgColor.rgb.endswith("FFC7CE") and "F001" in ws["J6"].comment.text
    assert wb["社会福祉課"]["E5"].fill.fgColor.rgb.endswith("FFEB9C")  # warning: yellow
    # what the department filled stays as it was
    assert ws["J6"].value == "=H6-1"
    assert ws["H5"].number_format == "0.0%"
    assert "A5:A6" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.column_dimensions["D"].width == 40
    assert [str(d.sqref) for d in ws.data_validations.dataValidation] == ["E5:E6"]
    summary = wb["hyoka指摘一覧"]
    rows = [[c.value for c in row] for row in summary.iter_rows(min_row=2)]
    assert [(row[0], row[1], row[2][:4]) for row in rows] == [
        ("エラー", "市民協働推進課!I5", "D001"),
        ("エラー", "市民協働推進課!J6", "F001"),
        ("警告", "社会福祉課!E5", "G002"),
    ]
    assert summary["B2"].hyperlink.location == "'市民協働推進課'!I5"


def test_annotate_refuses_the_input_and_several_books(book, tmp_path):
    r = hyoka("check", book, "--annotate", book, "--no-report")
    assert r.returncode == 2 and "入力ファイル" in r.stderr
    other = tmp_path / "b.xlsx"
    shutil.copy(book, other)
    r = hyoka("check", book, other, "--annotate", tmp_path / "x.xlsx", "--no-report")
    assert r.returncode == 2 and ".xlsx の入力がちょうど1つのときに使えます（入力の .xlsx は 2 個）" in r.stderr


def test_formula_looking_text_is_neutralised(tmp_path):
    from hyoka.output.annotate import neutralise

    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+1") == "'+1" and neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-") == "-"  # the missing marker stays
    assert re.match("^'", neutralise("\tx"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_annotated_seed_opens_in_libreoffice(tmp_path):
    from .conftest import SEED_XLSX

    out = tmp_path / "seed_r5.hyoka.xlsx"
    before = SEED_XLSX.read_bytes()
    assert hyoka("check", SEED_XLSX, "--annotate", out, "--no-report", "--fail-on", "never").returncode == 0
    import subprocess

    r = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "seed_r5.hyoka.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000, r.stderr  # converted: no repair, no failure
    assert SEED_XLSX.read_bytes() == before
