"""The measure and fiscal-year parsers on every notation the seed table and docs/glossary.md show."""

import math

import pandas as pd
import pytest

from hyoka.normalise.measures import parse_fiscal_year, parse_fiscal_years, parse_measures


@pytest.mark.parametrize(
    "raw, value, unit",
    [
        ("17件", 17, "件"),  # seed: センターへの相談件数
        ("3地区", 3, "地区"),  # seed: コミュニティ未設置地区
        ("85.19％", 85.19, "%"),  # seed: 補助金活用自治会の割合 (full-width ％)
        ("８５．１９％", 85.19, "%"),  # glossary: full-width digits
        ("43人", 43, "人"),
        ("129団体", 129, "団体"),
        ("2回", 2, "回"),
        ("1,234人", 1234, "人"),
        ("1,200千円", 1200, "千円"),
        ("15か所", 15, "か所"),
        ("15箇所", 15, "か所"),  # glossary: か所/箇所 are one unit
        ("2,100人/年", 2100, "人/年"),
        ("▲5", -5, ""),  # ▲ and △ mean minus
        ("△5", -5, ""),
        ("93.75％", 93.75, "%"),
        ("3 地区", 3, "地区"),
        # units of the development tables (../shared/real SOURCES.md), read as units (#13)
        ("281km", 281, "km"),  # Tottori H28_dourokensetsu
        ("281a", 281, "a"),  # Tottori tottori_fukyu_2
        ("8千人", 8, "千人"),  # Tottori kikitaisaku
        ("12法人", 12, "法人"),  # Tottori hino_fukyu_2
        ("534m²", 534, "m2"),  # ² is 2 under NFKC: m2 is a unit with a digit
        ("１２０㎥／日", 120, "m3/日"),  # Ofunato's full-width notation
        ("67分", 67, "分"),  # the gender white paper's 育児・家事関連時間
    ],
)
def test_numbers_with_units(vocab, raw, value, unit):
    out = parse_measures(pd.Series([raw]), vocab).iloc[0]
    assert out["state"] == "value"
    assert math.isclose(out["value"], value)
    assert out["unit"] == unit
    assert out["unit_known"]


@pytest.mark.parametrize("raw", ["-", "－", "―", "—", "‐", "", "※", "未集計", "評価不能", None])
def test_missing_markers_are_missing_never_zero(vocab, raw):
    out = parse_measures(pd.Series([raw], dtype="object"), vocab).iloc[0]
    assert out["state"] == "missing"
    assert math.isnan(out["value"])


def test_levels_are_ordered(vocab):
    out = parse_measures(pd.Series(["未実施", "実施", "継続", "充実"]), vocab)
    assert out["state"].tolist() == ["level"] * 4
    assert out["value"].tolist() == [0, 1, 1, 2]  # 未実施 < 実施 = 継続 < 充実
    assert set(out["unit"]) == {"水準"}


def test_unreadable_and_unknown_unit(vocab):
    out = parse_measures(pd.Series(["年1回程度", "134団休"]), vocab)
    assert out["state"].tolist() == ["unparseable", "value"]
    assert out["unit_known"].tolist() == [True, False]  # 団休 is a typo of 団体
    assert out["unit"].iloc[1] == "団休"


@pytest.mark.parametrize(
    "label, year",
    [
        ("R3", 2021),
        ("R5", 2023),
        ("R9", 2027),
        ("H30", 2018),
        ("H31", 2019),
        ("R1", 2019),
        ("令和9年度", 2027),
        ("令和元年度", 2019),
        ("平成元年度", 1989),
        ("Ｒ３", 2021),
        ("2021", 2021),
        ("2021年度", 2021),
        ("FY2021", 2021),
        ("2014/15", 2014),
    ],
)
def test_fiscal_years(label, year):
    assert parse_fiscal_year(label) == year


def test_fiscal_year_states():
    out = parse_fiscal_years(pd.Series(["R3", "", "策定時"]))
    assert out["state"].tolist() == ["value", "missing", "unparseable"]
    assert out["year"].iloc[0] == 2021 and pd.isna(out["year"].iloc[2])


@pytest.mark.parametrize(
    "raw, value, unit",
    [
        ("３０件以上", 30, "件"),  # qualifiers do not change the number or its unit (kept aside: test_notation)
        ("約30件", 30, "件"),
        ("5回程度", 5, "回"),
        ("1.5万件", 15000, "件"),  # 万 multiplies
        ("3万円", 30000, "円"),
        ("2万", 20000, ""),
    ],
)
def test_qualifiers_and_multipliers(vocab, raw, value, unit):
    out = parse_measures(pd.Series([raw]), vocab).iloc[0]
    assert (out["state"], out["value"], out["unit"]) == ("value", value, unit)


@pytest.mark.parametrize("raw", ["1,234.5.6", "1e3", "12.3.4件"])
def test_malformed_numbers_are_unparseable(vocab, raw):
    assert parse_measures(pd.Series([raw]), vocab).iloc[0]["state"] == "unparseable"


def test_two_values_are_several_not_the_first(vocab):
    # read as written (#13): two measures in one cell are several values (P004), not one
    out = parse_measures(pd.Series(["30件 40件"]), vocab).iloc[0]
    assert (out["state"], out["labels"]) == ("several", "30件、40件")


def test_digits_of_other_scripts_are_unparseable_not_a_value_without_a_number():
    """Hypothesis found '𞋰' (Wancho digit zero) read as state value with no value: Python's \\d
    takes any script's digits. Only ASCII digits (full-width ones after NFKC) are numbers."""
    import pandas as pd

    from hyoka.normalise.measures import parse_measures
    from hyoka.normalise.vocabulary import load_vocabulary

    out = parse_measures(pd.Series(["𞋰", "१२件", "１２件"]), load_vocabulary())
    assert out["state"].tolist() == ["unparseable", "unparseable", "value"]
    assert out["value"].iloc[2] == 12.0
