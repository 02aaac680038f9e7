"""Published rates (達成率, 進捗率): read, recomputed from the row's values, R001 where they disagree.

The control is 富士市's 第5次総合計画 前期実施計画 investment table (../shared/real/published/
fuji_5ji_zenki_toushiteki_jigyohi.csv, SOURCES.md there): its 23 rows of 前期実施計画 事業費 (A),
H23-27実績額 (B) and 進捗率 (B)/(A), copied below under headers hyoka reads (項目, 目標値, 実績値,
達成率: the publisher's own headers are another issue's work). Every published rate is
round(B / A × 100, 1), checked by hand for the rows asserted one by one."""

import math

import pytest

from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

FUJI = """\
第1章 安全・安心 一般,"7,937,499","7,415,050",93.4%
第1章 安全・安心 計,"7,937,499","7,415,050",93.4%
第2章 健康・福祉 一般,"1,570,693","3,034,064",193.2%
第2章 健康・福祉 企業,"1,895,000","2,252,251",118.9%
第2章 健康・福祉 計,"3,465,693","5,286,315",152.5%
第3章 産業 一般,"5,888,375","6,248,204",106.1%
第3章 産業 土地改良,"621,549","555,404",89.4%
第3章 産業 計,"6,509,924","6,803,608",104.5%
第4章 環境 一般,"16,831,644","1,618,233",9.6%
第4章 環境 企業,"21,001,260","14,199,533",67.6%
第4章 環境 計,"37,832,904","15,817,766",41.8%
第5章 教育・文化 一般,"11,400,360","11,252,942",98.7%
第5章 教育・文化 計,"11,400,360","11,252,942",98.7%
第6章 都市基盤 一般,"24,477,850","19,079,275",77.9%
第6章 都市基盤 特別,"8,848,534","7,184,462",81.2%
第6章 都市基盤 計,"33,326,384","26,263,737",78.8%
第7章 都市経営 一般,"1,988,550","2,186,838",110.0%
第7章 都市経営 計,"1,988,550","2,186,838",110.0%
合計 一般,"70,094,971","50,834,606",72.5%
合計 特別,"8,848,534","7,184,462",81.2%
合計 企業,"22,896,260","16,451,784",71.9%
合計 土地改良,"621,549","555,404",89.4%
合計 計,"102,461,314","75,026,256",73.2%
"""


def check(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run_check([path], CheckOptions())


@pytest.fixture(scope="module")
def fuji(tmp_path_factory):
    # the 23 real rows, then one made by hand: 850 / 1,000 is 85.0 %, not the 80.5 % written
    text = "項目,目標値,実績値,達成率\n" + FUJI + '手作り 不一致,"1,000",850,80.5%\n'
    return check(tmp_path_factory.mktemp("fuji"), text)


def test_rates_are_read_in_percent(fuji):
    f = fuji.frame
    assert f["rate_raw"].tolist()[:3] == ["93.4%", "93.4%", "193.2%"]
    assert f["rate_value"].tolist()[:3] == [93.4, 93.4, 193.2]
    assert (f["rate_decimals"] == 1).all() and (f["rate_state"] == "value").all()
    assert (f["col_rate"] == 4).all()


def test_every_fuji_rate_recomputes(fuji):
    f = fuji.frame.iloc[:23]
    assert f["rate_consistent"].tolist() == [True] * 23
    assert (f["rate_formula"] == "achievement").all()
    # 7,415,050 / 7,937,499 = 0.93418 → 93.4; 1,618,233 / 16,831,644 = 0.09614 → 9.6;
    # 3,034,064 / 1,570,693 = 1.93166 → 193.2 (a project that spent twice its plan)
    assert f["rate_computed"].iloc[[0, 8, 2]].tolist() == [93.4, 9.6, 193.2]


def test_the_hand_made_mismatch_is_the_one_finding(fuji):
    r001 = fuji.findings[fuji.findings["code"] == "R001"]
    assert len(r001) == 1
    d = r001.iloc[0]
    assert (d["row"], d["field"], d["col"], d["char_col"]) == (25, "rate", 4, 21)
    assert d["observed"] == "80.5%"
    assert d["expected"] == "85％（現状値÷目標値×100）"
    assert d["severity"] == "warning"


def rates(tmp_path, rows):
    """The frame of a table of baseline, target, current and rate rows."""
    text = "事業名,目標指標,基準値,目標値,現状値,達成率\n" + "".join(
        f"事業{i},指標{i},{r}\n" for i, r in enumerate(rows)
    )
    return check(tmp_path, text).frame


def test_rounding_truncation_and_the_other_formulas(tmp_path):
    f = rates(
        tmp_path,
        [
            "-,1000,934.9,93.5%",  # 93.49 rounded
            "-,1000,934.9,93.4%",  # 93.49 cut off at one decimal
            "-,1000,934.9,93.3%",  # neither
            "-,1000,934.9,93%",  # no decimal: 93 ± 0.5
            "50,100,80,60.0%",  # 進捗率 (80 − 50) / (100 − 50), not 80 / 100
            "10,5,6,83.3%",  # lower is better (10 → 5): 5 / 6 = 0.8333
            "10,5,6,120.0%",  # 6 / 5 is no rate of a falling indicator: 83.3 (5 / 6) or 80.0 (progress)
            "-,1000,934.9,",  # no rate
            "-,1000,934.9,0.935",  # a bare number is a percent, so 0.935 % is wrong
        ],
    )
    assert f["rate_consistent"].tolist()[:7] == [True, True, False, True, True, True, False]
    assert f["rate_formula"].tolist()[4:6] == ["progress", "inverse"]
    assert (f["rate_computed"].iloc[6], f["rate_formula"].iloc[6]) == (83.3, "inverse")  # the nearer of the two
    assert f["rate_state"].iloc[7] == "missing" and f["rate_consistent"].isna().iloc[7]
    assert f["rate_consistent"].iloc[8] == False  # noqa: E712 (nullable)


def test_silent_without_a_rate_column(tmp_path):
    res = check(tmp_path, "事業名,目標指標,基準値,目標値,現状値\n事業,指標,-,1000,850\n")
    assert (res.frame["rate_state"] == "missing").all()
    assert math.isnan(res.frame["rate_value"].iloc[0])
    assert not (res.findings["code"] == "R001").any()


def test_a_grade_header_stays_a_grade(tmp_path):
    # 達成度 is a grade alias (A/B/C …); only 達成率 / 進捗率 columns are rates
    res = check(tmp_path, "事業名,目標値,現状値,達成度,達成率\n事業,1000,850,B,85%\n")
    assert res.frame["grade"].iloc[0] == "B" and res.frame["rate_value"].iloc[0] == 85.0
