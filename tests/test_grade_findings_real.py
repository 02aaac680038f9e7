"""Grade and status findings on the real tables (examples/real, SOURCES.md beside each file),
checked by hand against the CSV lines quoted (issue #13: report what is wrong, stay quiet on what
a table simply does not have).
"""

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyoka.normalise.status import as_of_year
from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

REAL = Path(__file__).parent.parent / "examples" / "real"
CANADA = REAL / "published" / "canada_drr2016_TSB.csv"
TOTTORI = REAL / "tidy" / "tottori_koteihyo.csv"


def codes_at(found, code):
    sub = found[found["code"] == code]
    return sub["row"].tolist()


@pytest.fixture(scope="module")
def canada():
    return run_check([CANADA])


def test_canada_reads_its_status_legend(canada):
    # status_color success / failure are the GC results legend (met / not met), not 達成 / 未達成
    assert canada.scale.id == "gc-results"
    f = canada.frame.set_index("row")
    # NI101-0008-2016 (line 6) is a text indicator: target "Continue downward trend in accident
    # rate", actual "Met: There has been a significant downward trend in the accident rate …"
    assert (f.at[6, "value_type_raw"], f.at[6, "target_raw"]) == ("text", "Continue downward trend in accident rate")
    assert (f.at[6, "target_state"], f.at[6, "current_state"]) == ("text", "text")
    # NI101-0022-2016 (line 35): "N/A In fiscal year 2016-17, no investigations were completed." —
    # words that open with N/A: the result is not available
    assert f.at[35, "current_state"] == "missing"
    # NI101-0004-2016 (line 2): target_year 2018, target_month 3 = March 2018, the fiscal year 2017
    assert (f.at[2, "target_year_raw"], f.at[2, "target_year"]) == ("2018年3月", 2017)
    assert (f.at[3, "target_year_raw"], f.at[3, "target_year"]) == ("2017年3月", 2016)
    # status_period future (line 2), past (line 3), other (line 37: tells neither)
    assert f.loc[[2, 3, 37], "target_future"].tolist() == [True, False, pd.NA]


def test_canada_narrative_results_are_not_unreadable(canada):
    # before: P001 on each of the 12 text indicators' results ("Met: …", "Not met: …", "N/A …",
    # "At this time, there are no outstanding active Pipeline recommendations …")
    assert codes_at(canada.findings, "P001") == []
    # target_year "other" (NI101-0024, -0031; I-25) stays unreadable
    assert codes_at(canada.findings, "P003") == [37, 44]


def test_canada_met_or_not_met_before_the_date_to_achieve(canada):
    # I-24: status_period future (target_year 2018) yet a met / not-met colour: NI101-0004 (line 2),
    # -0006 (4), -0017 (28), -0022 (35), -0023 (36), -0028 (41), -0029 (42), -0030 (43)
    g5 = canada.findings[canada.findings["code"] == "G005"]
    assert g5["row"].tolist() == [2, 4, 28, 35, 36, 41, 42, 43]
    expected = dict(zip(g5["row"], g5["expected"]))
    assert expected[2] == "future（値から求めた評価）"
    # I-23: NI101-0022/-0023 report "N/A … no investigations were completed" as success: the
    # values say the result is not available (said once, on the grade: no M003 beside it)
    assert expected[35] == expected[36] == "not available（値から求めた評価）"
    assert codes_at(canada.findings, "M003") == []
    # the past rows agree with their colours: 64 < 65 failure (line 3), 438 ≤ 450 success (line 12)
    assert not set(g5["row"]) & {3, 5, 12, 13, 14}


def test_canada_judged_against_a_report_date():
    # --as-of the end of fiscal year 2017-18: March 2018 targets are due, so the colours stand,
    # but N/A is still not "met"
    r = run_check([CANADA], CheckOptions(as_of="2018-03-31"))
    assert codes_at(r.findings, "G005") == [35, 36]
    # the end of 2016-17 (the report's own year): the same as the table's status_period says
    r = run_check([CANADA], CheckOptions(as_of="2017-03-31"))
    assert codes_at(r.findings, "G005") == [2, 4, 28, 35, 36, 41, 42, 43]


@pytest.mark.parametrize(
    "value, year",
    [("2017-03-31", 2016), ("2017-04-01", 2017), ("2016-10", 2016), ("R5", 2023), ("2016/17", 2016), (None, None)],
)
def test_as_of_is_a_fiscal_year(value, year):
    assert as_of_year(value) == year


def test_as_of_in_the_configuration(tmp_path):
    from hyoka.config import load_config
    from hyoka.errors import ConfigError

    p = tmp_path / "hyoka.toml"
    p.write_text("as-of = 2017-03-31\n", encoding="utf-8")
    assert as_of_year(load_config(p).as_of) == 2016
    p.write_text('as-of = "soon"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="as-of 'soon'"):
        load_config(p)


@pytest.fixture(scope="module")
def tottori():
    return run_check([TOTTORI])


def test_tottori_grades_on_two_rows_are_said_once(tottori):
    # the grade column is filled on lines 2 (◎(予定以上)) and 3 (○(予定どおり)) only: the source
    # stores evaluations only on short pages. Before: G004 on each of the other 24 rows
    found = tottori.findings
    assert codes_at(found, "G004") == []
    h6 = found[found["code"] == "H006"].set_index("field")
    assert h6.at["grade", "observed"] == "24/26"
    assert "記入のある行: 2、3行目" in h6.at["grade", "message"] and "G004" in h6.at["grade", "message"]
    # 今年度実績値 blank on 17 of 26 rows: the work plans of the year, not evaluated yet (with
    # line 56's なし, a missing marker, not a value)
    assert h6.at["current", "observed"] == "17/26"
    assert (h6["severity"] == "warning").all() and (h6["row"] == 0).all()


def test_tottori_current_missing_only_under_a_grade(tottori):
    # TT_R3_dourokensetsu (line 2): ◎(予定以上), reason 「目標値に対して実績値が上回った」, yet the
    # 今年度実績値 cell is empty. TT_R3_chubu_ijikanri (line 3): ○(予定どおり) on 測定指標なし is a grade
    # without an indicator (T002), not a missing value. Before: M003 on 16 rows, 14 of them
    # ungraded plan-stage rows (自主防災組織率 63.2% → 93.2%, 防災士登録者数 378人 → 1,600人, …)
    m3 = tottori.findings[tottori.findings["code"] == "M003"]
    assert m3["row"].tolist() == [2]
    assert m3["observed"].tolist() == ["評価 ◎(予定以上)、現状値 （空欄）"]
    assert "評価「◎(予定以上) (◎)」がついていますが、現状値が「（空欄）」" in m3["message"].iloc[0]
    assert codes_at(tottori.findings, "T002") == [3]
    assert not (tottori.findings["code"] == "M004").any()


def test_a_blank_current_in_a_table_without_grades(tmp_path):
    # the gender white paper (tidy, no grade column; every 最新値 given): 衆議院議員の候補者 16.6%
    # blanked — the one gap of the table is M004; a 未集計 there says plainly there is no value
    src = REAL / "tidy" / "gender_whitepaper_h27_seika_mokuhyo.csv"
    rows = list(csv.reader(src.open(encoding="utf-8")))
    assert rows[1][5].startswith("衆議院議員の候補者") and rows[1][10] == "16.6%"
    for blank, fires in (("", [2]), ("未集計", [])):
        rows[1][10] = blank
        p = tmp_path / "gender.csv"
        with p.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        found = run_check([p]).findings
        assert codes_at(found, "M004") == fires
        assert codes_at(found, "M003") == []


SEED_HEAD = ["事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)"]
# the seed's 市職員研修 (実施回数 2回 → 3回, now 1回, graded D) and 自治会活動支援 (85.19％ → 87％, Ａ)
SEED_ROWS = [
    ["市職員研修", "市民協働推進課", "D", "実施回数", "2回", "3回", "1回"],
    ["自治会活動支援", "市民協働推進課", "Ａ", "補助金活用自治会の割合", "85.19％", "87％", "89.7％"],
]


@pytest.mark.parametrize(
    "header, fires",
    [("効果、理由（問題点）", [2]), ("課題", [2]), ("備考", []), (None, [])],
)
def test_no_reason_only_where_the_table_has_a_reason_column(tmp_path, header, fires):
    # a D with its reason column empty is T001; a remarks column (備考) is no reason column, and a
    # table without either has nowhere to give one (the other row fills the column in, so it is
    # not empty in every row)
    p = tmp_path / "t.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SEED_HEAD + ([header] if header else []))
        for row, note in zip(SEED_ROWS, ["", "加入率が目標を上回った。"]):
            w.writerow(row + ([note] if header else []))
    assert codes_at(run_check([p]).findings, "T001") == fires


def test_upper_grade_below_the_top_on_a_far_exceeded_target():
    # the seed (examples/seed_r5.csv, the record from line 2): センターへの相談件数 17件 → 30件, now 45件 (150 %),
    # graded Ｂ: information, not a warning; its three hand-checked findings stay
    from .conftest import SEED_CSV

    found = run_check([SEED_CSV]).findings
    g8 = found[found["code"] == "G008"]
    assert g8["row"].tolist() == [2] and g8["severity"].tolist() == ["info"]
    assert g8["observed"].tolist() == ["評価 Ｂ、現状値 45件、目標値 30件"]
    assert g8["expected"].tolist() == ["A の評価、または目標値の見直し（最上位としない理由の記載）"]


@given(st.integers(1990, 2100), st.integers(1, 12), st.booleans())
def test_a_target_month_dates_the_fiscal_year(year, month, wide):
    # property: target_year + target_month (Canada's 2018 / 3) is the fiscal year April–March
    from hyoka.normalise.measures import parse_fiscal_years
    from hyoka.normalise.status import with_month

    m = str(month).translate(str.maketrans("0123456789", "０１２３４５６７８９")) if wide else str(month)
    label = with_month(pd.Series([str(year)]), pd.Series([m]))
    fy = parse_fiscal_years(label)["year"].iloc[0]
    assert fy == (year - 1 if month <= 3 else year)
    assert as_of_year(f"{year}-{month:02d}-15") == fy  # a report dated that month: the same year
