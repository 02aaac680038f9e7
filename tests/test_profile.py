"""The table profile (hyoka/check/profile.py): checks that need a field the table has no column for
do not run on its rows, and the table gets one H002 per such field instead (hyoka/check/skipped.py).

The tables are real rows of the development set with the columns their tables really have
(tests/data/profile/README.md). Every expectation below was read off the CSV by hand.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from hyoka.check.profile import has_fields, missing_fields
from hyoka.options import CheckOptions
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check

DATA = Path(__file__).parent / "data" / "profile"
GRADE_CHECKS = "G001 G002 G003 G004 G005 G006 G007 G008 Z002 T001 T002 F001"


def check(name: str, **options) -> pd.DataFrame:
    return with_cells(run_check([DATA / name], CheckOptions(**options)))


def h002(found: pd.DataFrame) -> dict[str, str]:
    """field → the codes its H002 lists (observed), one H002 per field asserted."""
    h = found[found["code"] == "H002"]
    assert not h["field"].duplicated().any()
    return dict(zip(h["field"], h["observed"]))


def test_has_fields_and_missing_fields_per_table():
    frame = pd.DataFrame(
        {
            "source_file": ["a.csv", "a.csv", "b.xlsx", "b.xlsx"],
            "sheet": ["", "", "R5", "R6"],
            "col_grade": np.array([3, 3, 0, 4], dtype="int16"),
            "col_department": np.array([0, 0, 2, 2], dtype="int16"),
        }
    )
    assert has_fields(frame, ["grade"]).tolist() == [True, True, False, True]
    assert has_fields(frame, ["grade", "department"]).tolist() == [False, False, False, True]
    assert has_fields(frame, []).tolist() == [True] * 4
    assert has_fields(frame, ["current"]).tolist() == [True] * 4  # no col_current: not known to be missing
    assert missing_fields(frame, ["grade", "department", "current"]) == [
        ("a.csv", "", "department"),
        ("b.xlsx", "R5", "grade"),
    ]


def test_no_department_and_no_project_column_kenko():
    found = check("kenko_nippon21.csv")
    # 10 rows of the table each got S001 before; a missing column is said once
    assert not found["code"].isin(["S001", "X001", "X003", "T001", "S002"]).any()
    # effect and partners are free text many templates lack: their absence is not a finding
    assert h002(found) == {"department": "X003 X004 S001", "project": "X001"}
    h = found[found["code"] == "H002"]
    assert set(h["cell"]) == {"kenko_nippon21.csv"} and set(h["row"]) == {0} and set(h["col"]) == {0}
    assert set(h["severity"]) == {"info"} and set(h["row_index"]) == {-1}
    # the table has grades: their checks still run. (A), (D), A and B* are the 健康日本21 scale's
    # (H004); on the circles scale each spelling is off the scale, said once
    assert found.loc[found["code"] == "H004", "observed"].tolist() == ["kenko"]
    circles = check("kenko_nippon21.csv", scale="circles")
    assert circles.loc[circles["code"] == "G001", ["cell", "observed"]].values.tolist() == [
        ["kenko_nippon21.csv:2:grade", "(A)"],
        ["kenko_nippon21.csv:3:grade", "(D)"],
        ["kenko_nippon21.csv:4:grade", "A"],
        ["kenko_nippon21.csv:5:grade", "B*"],
    ]


def test_no_grade_column_gender_whitepaper():
    found = check("gender_whitepaper_h27.csv")
    assert not found["code"].str.startswith("G").any()  # no G004 on each of the 3 rows
    assert h002(found) == {"department": "X003 X004 S001", "grade": GRADE_CHECKS, "project": "X001"}
    grade = found[(found["code"] == "H002") & (found["field"] == "grade")].iloc[0]
    assert grade["message"].startswith(
        "この表には事業の評価の列がないため、事業の評価についての次の検査は行っていません: G001 評価が評価尺度にない、G002 "
    )
    assert grade["message"].endswith("T002 指標のない評価、F001 計算されていない数式")
    assert grade["expected"] == "事業の評価の列"


def test_h002_in_english():
    found = check("gender_whitepaper_h27.csv", lang="en")
    dep = found[(found["code"] == "H002") & (found["field"] == "department")].iloc[0]
    assert dep["message"] == (
        "This table has no department column, so these checks did not run on it: "
        "X003 Department not in the department list, X004 One department written several ways, "
        "S001 Department missing"
    )
    assert dep["title"] == "Checks not run for a missing column"


def test_no_current_column_fukuoka_still_gets_missing_targets():
    found = check("fukuoka_seika_shihyo.csv")
    assert not found["code"].isin(["M003", "G004", "S001"]).any()
    listed = h002(found)
    assert listed["current"] == (
        "M003 M004 P001 P002 P004 P005 P006 U001 U003 U004 D003 G002 G003 G005 G006 U002 G007 G008 Y002 Y004 B001 Z002 F001 R001"
    )
    assert listed["current_year"] == "P003 G007 Y002 Y003 Y004 S003"
    # the target column is there: the two 上位概念 rows (lines 4, 5) leave it blank, a real gap
    assert found.loc[found["code"] == "M002", "cell"].tolist() == [
        "fukuoka_seika_shihyo.csv:4:target",
        "fukuoka_seika_shihyo.csv:5:target",
    ]


def test_blank_cell_in_a_department_column_still_gets_s001():
    found = check("tottori_koteihyo.csv")
    # line 3 (防災士登録者数) has the blank department; lines 2 and 4 name theirs
    assert found.loc[found["code"] == "S001", "cell"].tolist() == ["tottori_koteihyo.csv:3:department"]
    # the grade column is there, blank on all three rows: said once for the table (H003), not
    # G004 on each row; no H002 (the free-text columns it lacks are not worth one)
    assert "G004" not in set(found["code"])
    h003 = found[found["code"] == "H003"]
    assert h003["field"].tolist() == ["grade"] and h003["severity"].tolist() == ["warning"]
    assert h002(found) == {}


def test_select_and_ignore():
    found = check("gender_whitepaper_h27.csv", ignore=["H002"])
    assert "H002" not in set(found["code"])
    # only the checks that were selected are said not to have run; S001 was not selected
    found = check("gender_whitepaper_h27.csv", select=["G00", "H002"])
    assert h002(found) == {"grade": "G001 G002 G003 G004 G005 G006 G007 G008"}
    found = check("gender_whitepaper_h27.csv", select=["S001", "H"])
    assert h002(found) == {"department": "S001"}
    found = check("gender_whitepaper_h27.csv", severity={"H002": "warning"})
    assert set(found.loc[found["code"] == "H002", "severity"]) == {"warning"}


@pytest.fixture
def two_sheets(tmp_path):
    """A workbook whose first sheet has a grade column and whose second has none (rows of the seed)."""
    wb = Workbook()
    graded = wb.active
    graded.title = "R5"
    graded.append(["事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)"])
    graded.append(["市職員研修", "市民協働推進課", "", "実施回数", "2回", "3回", "1回"])
    plain = wb.create_sheet("R5追加")
    plain.append(["事業名", "担当課", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)"])
    plain.append(["市民活動センター団体登録事業", "市民協働推進課", "登録団体数", "129団体", "150団体", "134団体"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_per_sheet_of_a_workbook(two_sheets):
    found = with_cells(run_check([two_sheets]))
    # the graded sheet's blank grade (column C, row 2) is a real gap; the other sheet has no grade column
    assert found.loc[found["code"] == "G004", "cell"].tolist() == ["[book.xlsx]R5!C2"]
    grade = found[(found["code"] == "H002") & (found["field"] == "grade")]
    assert grade["cell"].tolist() == ["[book.xlsx]R5追加"]
    assert grade["observed"].tolist() == [GRADE_CHECKS]
    # the years come from the value headers (基準値（R3) …): both sheets have them
    assert not found.loc[found["code"] == "H002", "field"].str.endswith("_year").any()
