"""The long format of the national 行政事業レビュー sheets (hyoka.read.longform): four rows per
indicator (1.目標年度 / 2.目標値 / 3.実績値 / 4.達成率), a column per year 2007 … 2060.

``tests/data/longform/rs_3-1_sample.csv`` is made by hand: no published rows of the file were
found to copy. Its 82 headers are the real ones of ``3-1_RS_<year>_効果発現経路_目標・実績.csv``
(RS system, https://rssystem.go.jp/download-csv), in the order public readers of that file give
them (28 label columns, the kind column at the 28th, years from the 29th); the projects, names
and values are invented. As in the RS files the 目標年度 row flags the target's year with ``1``
(indicator 1 and 2); indicator 3's 目標年度 row writes the year itself (2030) in the column of the
target set in 2024. Line by line:

- 1 header; 2 an アクティビティ row (no kind, no values);
- 3–6 地域防災力強化事業 / 研修の受講者数 (人, 上向き): 目標年度 2027 = 1; 目標値 2024 = 200,
  2027 = 300; 実績値 2021–2024 = 120, 150, 180, 21O (a letter O typed for a zero); 達成率 2024 = 105;
- 7–10 same project / 避難所情報の未登録率 (%, 下向き): 目標年度 2025 = 1; 目標値 2023–2025 = 20,
  15, 10; 実績値 2021–2023 = 40, 31, 25, 2024 empty; 達成率 2023 = 80;
- 11–14 再生可能エネルギー導入促進事業 / 再生可能エネルギーの導入量 (万kW, 上向き): 目標年度 2024 =
  2030; 目標値 2024 = 800; 実績値 2022–2024 = 420, 480, 530, 2025 ``-``; 達成率 2024 = 66.3.

A year column's number is its year − 1978 (2007 is column 29).
"""

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from hyoka.options import CheckOptions
from hyoka.pipeline import run_check
from hyoka.read.longform import find_long, kind_of
from hyoka.read.table import load_table

from .inprocess import run_cli

SAMPLE = Path(__file__).parent / "data" / "longform" / "rs_3-1_sample.csv"

#: per indicator (its first line), field → (text, line of its cell, column of its cell)
EXPECTED = {
    3: {
        "project": ("地域防災力強化事業", 3, 4),
        "department": ("架空省", 3, 7),
        "indicator": ("研修の受講者数", 3, 22),
        "unit": ("人", 3, 23),
        "direction": ("上向き", 3, 24),
        "current": ("21O", 5, 46),
        "current_year": ("2024", 1, 46),
        "baseline": ("120", 5, 43),
        "baseline_year": ("2021", 1, 43),
        "target": ("300", 4, 49),
        "target_year": ("2027", 1, 49),  # flagged by 1 in the 目標年度 row: the column's year
        "rate": ("", 6, 46),  # 105 rates 2024's target 200, not the target read (300)
    },
    7: {
        "project": ("地域防災力強化事業", 7, 4),
        "indicator": ("避難所情報の未登録率", 7, 22),
        "unit": ("%", 7, 23),
        "direction": ("下向き", 7, 24),
        "current": ("25", 9, 45),  # 2024 is empty: the latest actual is 2023's
        "current_year": ("2023", 1, 45),
        "baseline": ("40", 9, 43),
        "baseline_year": ("2021", 1, 43),
        "target": ("10", 8, 47),
        "target_year": ("2025", 1, 47),
        "rate": ("", 10, 45),  # 80 rates 2023's target 20, not 10
    },
    11: {
        "project": ("再生可能エネルギー導入促進事業", 11, 4),
        "indicator": ("再生可能エネルギーの導入量", 11, 22),
        "unit": ("万kW", 11, 23),
        "current": ("530", 13, 46),  # 2025's "-" is no value
        "current_year": ("2024", 1, 46),
        "baseline": ("420", 13, 44),
        "baseline_year": ("2022", 1, 44),
        "target": ("800", 12, 46),
        "target_year": ("2030", 11, 46),  # written in the 目標年度 row: placed on that cell
        "rate": ("66.3", 14, 46),  # 2024's target is the target read: 530 / 800 = 66.25 %
    },
}


def _place(frame: pd.DataFrame, i: int, f: str) -> tuple[str, int, int]:
    row = frame.loc[i]
    line = int(row[f"cellrow_{f}"]) if f"cellrow_{f}" in frame and row[f"cellrow_{f}"] > 0 else int(row["row"])
    return str(row[f]), line, int(row[f"col_{f}"])


def test_each_indicator_is_one_row_with_every_value_in_its_own_cell(vocab):
    t = load_table(SAMPLE, vocab)
    f = t.frame
    assert t.header_rows == [1]
    assert f["row"].tolist() == [3, 7, 11]
    assert [(row, why) for _, row, why, _ in t.skipped_rows] == [(2, "no_values")]
    for i, (first, fields) in enumerate(EXPECTED.items()):
        assert f.loc[i, "row"] == first
        for fld, want in fields.items():
            assert _place(f, i, fld) == want, (first, fld)


def test_csv_character_columns_point_at_the_value(vocab):
    t = load_table(SAMPLE, vocab)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    f = t.frame
    for i, fld, text in [(0, "current", "21O,"), (2, "target_year", "2030,"), (2, "rate", "66.3,"), (0, "unit", "人,")]:
        line = lines[_place(f, i, fld)[1] - 1]
        assert line[int(f.loc[i, f"char_{fld}"]) - 1 :].startswith(text)
    # a year from the header points at the header cell
    assert lines[0][int(f.loc[0, "char_current_year"]) - 1 :].startswith("2024,")


def test_the_layout_says_how_it_was_read(vocab):
    t = load_table(SAMPLE, vocab)
    by_col = {d["column"]: d for d in t.layout}
    assert (by_col[28]["field"], by_col[28]["note"]) == (None, "long")
    assert (by_col[46]["field"], by_col[46]["year"]) == ("series", "2024")
    assert by_col[24]["field"] == "direction"
    assert by_col[22]["field"] == "indicator"
    # CSV places name a year column by its year
    assert t.labels[46] == "2024" and t.labels[22] == "indicator"


def test_found_by_its_shape_not_its_name(vocab, tmp_path):
    renamed = tmp_path / "table.csv"
    renamed.write_bytes(SAMPLE.read_bytes())
    assert load_table(renamed, vocab).frame["row"].tolist() == [3, 7, 11]
    # the same grid as a worksheet, two title rows above it: the places are the sheet's cells
    wb = Workbook()
    ws = wb.active
    ws.title = "目標・実績"
    ws.append(["令和6年度 行政事業レビュー"])
    ws.append([])
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        ws.append(line.split(","))
    wb.save(tmp_path / "rs.xlsx")
    x = load_table(tmp_path / "rs.xlsx", vocab).frame
    assert x["row"].tolist() == [5, 9, 13]
    assert (x.loc[2, "target_year"], x.loc[2, "cellrow_target_year"], x.loc[2, "col_target_year"]) == ("2030", 13, 46)
    assert (x.loc[0, "current"], x.loc[0, "cellrow_current"], x.loc[0, "col_current"]) == ("21O", 7, 46)


def test_a_wide_table_with_year_columns_is_not_long():
    rows = [["事業名", "指標名", "R2", "2021", "2022"], ["防災訓練", "参加者数", "100", "110", "120"]]
    assert find_long(rows) is None
    assert kind_of("１．目標年度") == "target_year" and kind_of("3.実績値") == "current" and kind_of("備考") == ""


def test_the_declared_direction_is_the_tables():
    res = run_check([SAMPLE], CheckOptions())
    f = res.frame.set_index("indicator")
    # 未登録率 would read as "higher is better" from its name (率); the table says 下向き
    assert (f.loc["避難所情報の未登録率", "direction"], f.loc["避難所情報の未登録率", "direction_basis"]) == (
        "decrease",
        "table",
    )
    assert f.loc["研修の受講者数", "direction"] == "increase"
    assert set(res.findings["code"]) == {"H002", "P002", "U001"}  # no D001 on 未登録率's target of 10 below 40


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_runs_and_places_findings_on_the_value_cells(fmt):
    r = run_cli("check", str(SAMPLE), "--no-report", "--format", fmt, text=True)
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr
    # the unreadable actual 21O: on the 実績値 line (5), in the 2024 column
    assert "rs_3-1_sample.csv:5:2024" in r.stdout
