"""Targets given as a minimum, a maximum or a range (results frameworks), on real rows of the
Government of Canada's GC InfoBase (../shared/real/published/canada_drr2016_TSB.csv, SOURCES.md
section 2: a lower-is-better target is given as target_max only, a higher-is-better one as
target_min only). Each row's status (success / failure) was checked by hand against its bounds:
656 > 450 not met, 438 ≤ 450 met, 64 < 65 not met, 6.3 ≤ 7 met. The two range rows are made by
hand (the TSB file has none)."""

import pytest

from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

TABLE = """\
indicator,target_min,target_max,current,grade
Average time for completing investigation reports,,450.00,656,failure
Average time for completing investigation reports,,450.00,438,success
Percentage of responses to recommendations assessed as fully satisfactory (since TSB’s creation),65.00,,64,failure
Average time recommendations have been outstanding (active and dormant),,7.00,6.3,success
Hand-made range,60,80,85,success
Hand-made range,60,80,70,failure
"""

#: GC InfoBase's result statuses, defined by the values (glossary RESULTS_MET / RESULTS_NOT_MET)
SCALE = """\
id: gc-status
name: {ja: 結果の状況, en: Result status}
grades:
  - {code: success, rank: 1, standing: upper, meaning: {ja: 目標達成, en: target met}, when: "target_met"}
  - {code: failure, rank: 2, standing: lower, meaning: {ja: 目標未達成, en: target not met}, when: "target_met == False"}
"""


@pytest.fixture(scope="module")
def canada(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("canada")
    (tmp / "table.csv").write_text(TABLE, encoding="utf-8")
    (tmp / "gc.yaml").write_text(SCALE, encoding="utf-8")
    return run_check([tmp / "table.csv"], CheckOptions(scale=str(tmp / "gc.yaml")))


def test_bounds_become_the_target(canada):
    f = canada.frame
    assert f["target_form"].tolist() == ["max", "max", "min", "max", "range", "range"]
    assert f["target_raw"].tolist() == ["450.00", "450.00", "65.00", "7.00", "60–80", "60–80"]
    assert f["target_value"].tolist()[:4] == [450.0, 450.0, 65.0, 7.0]
    assert f["target_value"].iloc[4:].isna().all() and (f["target_state"].iloc[4:] == "range").all()
    assert f["target_min"].tolist()[2] == 65.0 and f["target_max"].tolist()[0] == 450.0
    # the target's place is the bound's cell: column 3 (target_max) or 2 (target_min, and a range)
    assert f["col_target"].tolist() == [3, 3, 2, 3, 2, 2]


def test_bounds_imply_the_direction(canada):
    f = canada.frame
    assert f["direction"].tolist() == ["decrease", "decrease", "increase", "decrease", "keep", "keep"]
    assert (f["direction_basis"] == "target").all() and (f["direction_source"] == "declared").all()


def test_met_as_the_publisher_judged(canada):
    assert canada.frame["target_met"].tolist() == [False, True, False, True, False, True]
    # the four real statuses agree with the values; the hand-made range rows are graded the wrong way
    g005 = canada.findings[canada.findings["code"] == "G005"]
    assert g005["row"].tolist() == [6, 7]
    assert g005["observed"].tolist() == [
        "評価 success、基準値 （空欄） → 現状値 85、目標値 60–80",
        "評価 failure、基準値 （空欄） → 現状値 70、目標値 60–80",
    ]


def test_the_plans_direction_wins(tmp_path):
    (tmp_path / "table.csv").write_text(
        "indicator,target_max,current\nAverage time for completing investigation reports,450.00,438\n", encoding="utf-8"
    )
    (tmp_path / "ind.yaml").write_text(
        "indicators:\n- {pattern: Average time, direction: increase}\n", encoding="utf-8"
    )
    res = run_check([tmp_path / "table.csv"], CheckOptions(indicators=tmp_path / "ind.yaml"))
    assert (res.frame["direction"].iloc[0], res.frame["direction_basis"].iloc[0]) == ("increase", "plan")
    # a maximum stays a maximum: 438 ≤ 450 is met whatever the plan says of the direction
    assert res.frame["target_met"].iloc[0] == True  # noqa: E712 (nullable)


def test_no_false_alarm_against_a_baseline(tmp_path):
    # a ceiling above the baseline and a range below it are thresholds, not planned changes: no
    # D001 (target on the wrong side), no G002 while the current value meets them
    text = (
        "indicator,baseline,target_min,target_max,current,grade\n"
        "Average time for completing investigation reports,400,,450.00,438,A\n"
        "Hand-made range,90,60,80,70,A\n"
    )
    (tmp_path / "table.csv").write_text(text, encoding="utf-8")
    res = run_check([tmp_path / "table.csv"], CheckOptions())
    codes = res.findings.groupby("row")["code"].apply(set)
    assert not {"D001", "G002", "G003", "Y002"} & (codes.get(2, set()) | codes.get(3, set()))
    assert res.frame["target_form"].tolist() == ["max", "range"]
