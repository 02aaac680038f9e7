"""Pandera schema failures become findings on their cells."""

import csv

from hyoka.output.places import with_cells
from hyoka.pipeline import run_check

ROW = {
    "項目": "（３）市職員の市民団体活動などへの参加促進",
    "事業名": "市職員研修",
    "担当課": "市民協働推進課",
    "協働の相手": "⑦",
    "事業の評価": "D",
    "効果、理由（問題点）": "研修の実施方法、対象や内容の検討が必要。",
    "目標指標": "実施回数",
    "基準値（R3)": "2回",
    "目標値（R9)": "3回",
    "現状値（R5)": "1回",
}


def _check(tmp_path, rows, headers=None):
    p = tmp_path / "t.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=headers or list(ROW))
        w.writeheader()
        w.writerows(rows)
    return with_cells(run_check([p]))


def test_seed_row_passes(tmp_path):
    assert _check(tmp_path, [ROW]).empty


def test_failures_point_at_cells(tmp_path):
    rows = [ROW, {**ROW, "担当課": ""}, {**ROW, "協働の相手": "1,7"}]
    f = _check(tmp_path, rows).set_index("code")
    assert f.loc["S001", "cell"] == "t.csv:3:department"
    assert f.loc["S002", "cell"] == "t.csv:4:partners"
    assert f.loc["S002", "observed"] == "1,7"
    assert f.loc["S001", "severity"] == "error"


def test_year_out_of_range(tmp_path):
    headers = list(ROW)
    headers[headers.index("基準値（R3)")] = "基準値（R99)"  # 令和99年度 = FY2117
    row = {**ROW, "基準値（R99)": ROW["基準値（R3)"]}
    del row["基準値（R3)"]
    f = _check(tmp_path, [row], headers)
    s3 = f[f["code"] == "S003"]
    assert s3["observed"].tolist() == ["2117"]
    assert s3["field"].tolist() == ["baseline_year"]
