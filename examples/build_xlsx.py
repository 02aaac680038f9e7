"""Build ``seed_r5.xlsx`` from ``seed_r5.csv``.

The CSV holds one process of a Japanese city's published evaluation table
for its civic-collaboration action plan (令和5年度実施状況).  This script
turns it back into a workbook laid out the way the published table actually
looks, so it can serve as a realistic example input:

* Row 1 is the title line, merged across the whole table (A1:K1).
* Rows 2-3 are a two-row header: 項目 / 事業名 / 担当課 span both rows;
  （１）令和5年度実施状況 groups the four columns D:G and
  （２）目標指標の状況 groups the four columns H:K, whose sub-headings sit in
  row 3.  The year labels in 基準値/目標値/現状値 are taken from the CSV's
  baseline_year / target_year / current_year columns.
* Data starts in row 4, one row per CSV row.  Consecutive rows with the same
  項目 are merged into one vertical cell, with the value in the top cell only
  (which is how Excel stores a merged range).

Every value is written as a text cell exactly as it appears in the CSV
("17件", "-", "85.19％", full-width "Ｂ" ...); nothing is converted to a
number.  Workbook and zip timestamps are fixed so that rebuilding gives a
byte-identical file.

Run from anywhere:  python examples/build_xlsx.py
"""

import csv
import datetime
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "seed_r5.csv"
XLSX_PATH = HERE / "seed_r5.xlsx"

SHEET_TITLE = "R5実施状況"
TITLE = "プロセス３　夢を描く（集う） 【行動計画Ｐ．８～１０】"
FIXED_TIME = datetime.datetime(2024, 3, 31, 0, 0)

# CSV columns written to sheet columns A..K, in order.
FIELDS = [
    "item", "project", "department", "activities", "partners", "grade",
    "effect", "indicator", "baseline", "target", "current",
]
WIDTHS = [18, 22, 14, 50, 12, 8, 50, 22, 11, 11, 11]

HEADER_ROW_1 = 2
HEADER_ROW_2 = 3
FIRST_DATA_ROW = 4


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def build(rows):
    first = rows[0]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ncols = len(FIELDS)

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    data_align = Alignment(vertical="top", wrap_text=True)

    # Title line.
    ws.cell(row=1, column=1, value=TITLE).font = bold
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)

    # Two-row header.
    headers = {
        (HEADER_ROW_1, 1): "項目",
        (HEADER_ROW_1, 2): "事業名",
        (HEADER_ROW_1, 3): "担当課",
        (HEADER_ROW_1, 4): "（１）令和5年度実施状況",
        (HEADER_ROW_1, 8): "（２）目標指標の状況",
        (HEADER_ROW_2, 4): "取組内容",
        (HEADER_ROW_2, 5): "協働の相手\n①～⑦",
        (HEADER_ROW_2, 6): "事業の評価",
        (HEADER_ROW_2, 7): "効果、理由（問題点）",
        (HEADER_ROW_2, 8): "目標指標",
        (HEADER_ROW_2, 9): f"基準値（{first['baseline_year']})",
        (HEADER_ROW_2, 10): f"目標値（{first['target_year']})",
        (HEADER_ROW_2, 11): f"現状値（{first['current_year']})",
    }
    for r in (HEADER_ROW_1, HEADER_ROW_2):
        for c in range(1, ncols + 1):
            cell = ws.cell(row=r, column=c)
            if (r, c) in headers:
                cell.value = headers[(r, c)]
            cell.font = bold
            cell.alignment = header_align
            cell.border = border
    for c in (1, 2, 3):
        ws.merge_cells(start_row=HEADER_ROW_1, start_column=c,
                       end_row=HEADER_ROW_2, end_column=c)
    ws.merge_cells(start_row=HEADER_ROW_1, start_column=4,
                   end_row=HEADER_ROW_1, end_column=7)
    ws.merge_cells(start_row=HEADER_ROW_1, start_column=8,
                   end_row=HEADER_ROW_1, end_column=11)

    # Data rows, every value as a string exactly as in the CSV.
    for i, rec in enumerate(rows):
        r = FIRST_DATA_ROW + i
        for c, field in enumerate(FIELDS, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = rec[field]
            cell.alignment = data_align
            cell.border = border

    # Merge runs of identical 項目 in column A; value stays in the top cell.
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i]["item"] != rows[start]["item"]:
            if i - start > 1:
                top = FIRST_DATA_ROW + start
                bottom = FIRST_DATA_ROW + i - 1
                for r in range(top + 1, bottom + 1):
                    ws.cell(row=r, column=1).value = None
                ws.merge_cells(start_row=top, start_column=1,
                               end_row=bottom, end_column=1)
            start = i

    for c, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)

    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def save_deterministic(wb, path):
    """Save ``wb`` so that rebuilding produces a byte-identical file.

    ``Workbook.save`` overwrites ``properties.modified`` with the current time,
    so the writer is driven directly; the zip entries are then repacked with a
    fixed timestamp instead of the time of the build.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as raw:
        ExcelWriter(wb, raw).save()
    date_time = FIXED_TIME.timetuple()[:6]
    with zipfile.ZipFile(buf) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))


def main():
    rows = read_rows(CSV_PATH)
    wb = build(rows)
    save_deterministic(wb, XLSX_PATH)
    print(f"wrote {XLSX_PATH} ({len(rows)} data rows)")


if __name__ == "__main__":
    main()
