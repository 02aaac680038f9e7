"""Fiscal-year cells as real tables write them (../shared/real SOURCES.md: Tottori's year
columns, the gender white paper's bracketed years, Fuji's H23-27 header). The fiscal year runs
April–March, so a date in January–March belongs to the fiscal year before; each expectation below
was worked out by hand from the label."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyoka.normalise.measures import fiscal_year_of, parse_fiscal_years


@pytest.mark.parametrize(
    "label, year, era_ok",
    [
        ("R3", 2021, True),
        ("令和元年度末", 2019, True),  # Tottori nouchimizu
        ("H30年度末", 2018, True),  # Tottori hino_fukyu
        ("R3年度末", 2021, True),
        ("(平成21年)", 2009, True),  # gender white paper H27: a year in brackets
        ("平成20年度 (平成20年4月1日時点)", 2008, True),  # Tottori R4_shoubou_1: the label, then a note
        ("平成27年4月1日", 2015, True),  # 1 April starts fiscal 2015
        ("平成25年3月31日", 2012, True),  # 31 March ends fiscal 2012 (H24)
        ("2022年3月", 2021, True),
        ("R5.3.31", 2022, True),
        ("2023/3/31", 2022, True),
        ("2019/20", 2019, True),  # the fiscal year written as UK and Canadian tables do
        ("H30〜35年度", 2023, False),  # a period is dated by its end; H35 is past 平成's end
        ("H23-27", 2015, True),
        ("H35年度末", 2023, False),
        ("平成32年", 2020, False),  # I-41: an era label after the era ended
        ("2025年", 2025, True),
        ("R5見込", 2023, True),
        ("令和2年度当初", 2020, True),
        ("令和4年度 (令和5年3月", 2022, True),  # Tottori: a note opened and never closed
    ],
)
def test_year_notations(label, year, era_ok):
    assert fiscal_year_of(label) == (float(year), "value", era_ok)


@pytest.mark.parametrize("label", ["", "毎年度", "毎年", "なし"])
def test_no_year_is_missing_not_unreadable(label):
    assert fiscal_year_of(label)[:2] == (None, "missing")


def test_placeholders_are_missing(vocab):
    # Tottori H25_sakyu writes − (U+2212) for "no year"
    out = parse_fiscal_years(pd.Series(["−", "未定", "R3"]), vocab.missing_markers)
    assert out["state"].tolist() == ["missing", "missing", "value"]


@pytest.mark.parametrize("label", ["令3年度", "令和2年3月31日年", "来年度", "R"])
def test_unreadable_labels(label):
    assert fiscal_year_of(label)[:2] == (None, "unparseable")


@given(n=st.integers(min_value=1, max_value=30), suffix=st.sampled_from(["", "年度", "年度末", "年度当初", "年度見込"]))
def test_reiwa_labels_in_every_width_and_suffix(n, suffix):
    # R{n} and 令和{n} with any point in the year are fiscal 2018 + n, full-width digits too
    full = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    got = parse_fiscal_years(pd.Series([f"R{n}{suffix}", f"令和{full}{suffix}"]))
    assert got["year"].tolist() == [2018 + n, 2018 + n]
    assert got["era_ok"].tolist() == [True, True]


def test_a_year_in_the_value_cell_is_that_values_year():
    # 男女共同参画白書 令和2年版 (examples/real/published, SOURCES.md §5): every target is dated 平成32年
    # inside its cell (I-41, an era label after the era ended), and 検察官's latest value reads
    # 25.4% (令和2年3月31日年) with a stray 年 (I-42). Both were dropped with the year before.
    from pathlib import Path

    from hyoka.options import CheckOptions
    from hyoka.output.places import with_cells
    from hyoka.pipeline import run_check

    table = Path(__file__).parent.parent / "examples/real/published/gender_4ji_seika_mokuhyo_R2hakusho.csv"
    result = run_check([table], CheckOptions())
    f = result.frame.set_index("row")
    assert (f.loc[7, "target_year_raw"], f.loc[7, "target_year"], f.loc[7, "target_year_era_ok"]) == (
        "平成32年",
        2020,
        False,
    )
    assert (f.loc[7, "baseline_year_raw"], f.loc[7, "current_year_raw"]) == ("平成26年", "平成30年")
    found = with_cells(result)
    y003 = found[found["code"] == "Y003"]
    assert len(y003) == 9 and set(y003["field"]) == {"target_year"}
    assert y003["cell"].tolist()[0] == "gender_4ji_seika_mokuhyo_R2hakusho.csv:3:target"  # the value's cell
    p003 = found[found["code"] == "P003"]
    assert p003[["row", "observed"]].values.tolist() == [[11, "令和2年3月31日年"]]
