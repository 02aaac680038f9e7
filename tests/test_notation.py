"""Measures read as written (#13): qualifiers, ranges, estimates, second quantities, several values,
multipliers, unit conversions, missing markers, direction-only targets and binary floats.

Every cell quoted here is a real cell of examples/real (its SOURCES.md names the publisher's page);
the readings were checked by hand against the published table. Hypothesis properties at the end."""

import functools
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hyoka.check.text import render
from hyoka.config import load_config
from hyoka.errors import ConfigError
from hyoka.normalise.derive import load_indicator_metadata
from hyoka.normalise.measures import (
    MeasureColumns,
    _grammar_of,
    number_text,
    parse_measures,
    read_measure,
    shown_numbers,
)
from hyoka.normalise.vocabulary import extend_vocabulary, load_vocabulary
from hyoka.options import CheckOptions
from hyoka.pipeline import options_from, run_check
from hyoka.read.xlsx import cell_text

REAL = Path(__file__).parent.parent / "examples" / "real"
VOCAB = load_vocabulary()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(text: str, vocab=VOCAB) -> pd.Series:
    return parse_measures(pd.Series([text]), vocab).iloc[0]


@functools.cache
def checked(name: str):
    """One real table run with no options (as measured), once per test session."""
    return run_check([next(REAL.glob(f"*/{name}"))], CheckOptions())


def codes_at(name: str, row: int) -> list[tuple[str, str]]:
    f = checked(name).findings
    f = f[(f["row"] == row) & f["severity"].isin(["error", "warning"])]
    return sorted(zip(f["code"], f["field"]))


def frame_row(name: str, row: int) -> pd.Series:
    f = checked(name).frame
    return f[f["row"] == row].iloc[0]


# 1. qualifiers are kept --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, value, unit, qualifier",
    [
        ("30%以上 (毎年度)", 30, "%", "ge"),  # gender_4ji: 国家公務員採用試験
        ("70%以上", 70, "%", "ge"),  # kenko_nippon21: 特定健康診査の実施率
        ("30%程度(注2)", 30, "%", "approx"),  # gender_whitepaper_h27: 民間企業の課長相当職
        ("10%程度", 10, "%", "approx"),  # gender_whitepaper_h27
        ("約30件", 30, "件", "approx"),  # docs/glossary.md
        ("5%以下", 5, "%", "le"),
        ("1%未満", 1, "%", "lt"),
        ("100件超", 100, "件", "gt"),
        ("13% (平成32年)", 13, "%", None),  # gender_4ji: no qualifier
    ],
)
def test_qualifiers_are_kept(raw, value, unit, qualifier):
    out = read(raw)
    assert (out["state"], out["value"], out["unit"]) == ("value", value, unit)
    assert (None if pd.isna(out["qualifier"]) else out["qualifier"]) == qualifier


def test_a_target_written_at_least_is_a_minimum_and_says_the_direction():
    # gender_4ji row 12 国家公務員採用試験: baseline 31.5%, target 30%以上 (毎年度), latest 36.8%
    row = frame_row("gender_4ji_seika_mokuhyo_R2hakusho.csv", 12)
    assert (row["target_form"], row["target_min"], row["target_value"]) == ("min", 30.0, 30.0)
    assert pd.isna(row["target_max"]) and row["target_qualifier"] == "ge"
    assert (row["direction"], row["direction_basis"]) == ("increase", "target")
    # kenko_nippon21 row 7 特定健康診査の実施率: 70%以上
    row = frame_row("kenko_nippon21_2nd_final.csv", 7)
    assert (row["target_form"], row["target_min"], row["direction"]) == ("min", 70.0, "increase")


def test_the_qualifier_basis_reads_right_in_a_message():
    row = frame_row("gender_4ji_seika_mokuhyo_R2hakusho.csv", 12).to_frame().T
    text = render("{direction|label}（{direction_basis|label}、{target_qualifier|label}）", row, "ja").iloc[0]
    assert (
        text == "増加が望ましい指標（目標値の書き方（「以上」「以下」、範囲、「減少傾向へ」などの語）から判断、以上）"
    )
    text = render("{direction|label} ({direction_basis|label})", row, "en").iloc[0]
    assert text.startswith("higher is better (by how the target is written (at least")


def test_at_most_is_a_maximum_and_bound_columns_still_win(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(
        "指標名,基準値,目標値,現状値,目標下限,目標上限\n"
        "待機児童数,12人,5人以下,4人,,\n"  # the cell's qualifier: a maximum
        "受診率,20%,30%以上,25%,,40%\n",  # a bound column: it wins, as before
        encoding="utf-8",
    )
    from hyoka.normalise.vocabulary import load_vocabulary as fresh

    vocab = fresh()
    vocab.extend_aliases({"目標下限": "target_min", "目標上限": "target_max"})
    from hyoka.normalise.frame import normalise
    from hyoka.normalise.scale import load_scale
    from hyoka.read.table import load_table

    f = normalise(load_table(table, vocab).frame, vocab, load_scale())
    assert f["target_form"].tolist() == ["max", "single"]
    assert f["target_max"].tolist() == [5.0, 40.0]
    assert pd.isna(f["target_min"]).all()


# 2. ranges ---------------------------------------------------------------------------------------


def test_a_baseline_range_keeps_both_ends():
    # tottori row 30 がん検診の受診率: 基準値 23.4〜30.7% (one rate per cancer screening)
    out = read("23.4〜30.7%")
    assert (out["state"], out["unit"], out["low"], out["high"]) == ("range", "%", 23.4, 30.7)
    assert math.isnan(out["value"])
    row = frame_row("tottori_koteihyo.csv", 30)
    assert (row["baseline_state"], row["baseline_low"], row["baseline_high"]) == ("range", 23.4, 30.7)
    assert ("P001", "baseline") not in codes_at("tottori_koteihyo.csv", 30)


def test_a_target_range_is_compared_at_both_ends():
    # gender_whitepaper_h27 row 18 国の審議会等委員に占める女性の割合: 33.2% → 40%以上,60%以下
    row = frame_row("gender_whitepaper_h27_seika_mokuhyo.csv", 18)
    assert (row["target_state"], row["target_form"]) == ("range", "range")
    assert (row["target_min"], row["target_max"]) == (40.0, 60.0)
    assert row["direction"] == "keep" and row["units_agree"]
    assert not [c for c in codes_at("gender_whitepaper_h27_seika_mokuhyo.csv", 18) if c[0] == "P001"]


@pytest.mark.parametrize("raw", ["10〜20件", "10~20件", "10件〜20件", "10-20件", "10から20件", "10件以上20件以下"])
def test_range_spellings(raw):
    out = read(raw)
    assert (out["state"], out["unit"], out["low"], out["high"]) == ("range", "件", 10, 20)


@pytest.mark.parametrize("raw", ["20〜10件", "10%〜20件"])
def test_not_a_range(raw):
    assert read(raw)["state"] == "unparseable"  # ends the wrong way round, or two units


# 3. estimates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, value, unit",
    [
        ("78.9%(推計)", 78.9, "%"),
        ("35件（速報値）", 35, "件"),
        ("120人（見込み）", 120, "人"),
        ("120人見込み", 120, "人"),
    ],
)
def test_estimates_are_read_and_marked(raw, value, unit):
    out = read(raw)  # 78.9%(推計): fukuoka row 5, 障がいのある人が暮らしやすいまち
    assert (out["state"], out["value"], out["unit"], bool(out["estimate"])) == ("value", value, unit, True)


def test_an_estimate_is_said_in_messages():
    f = checked("fukuoka_hofuku_seika_shihyo.csv").frame
    row = f[f["baseline_raw"] == "78.9%(推計)"].iloc[0]
    assert bool(row["baseline_estimate"]) and row["baseline_value"] == 78.9
    shown = render("{baseline_raw}（{baseline_estimate|label}）", row.to_frame().T, "ja").iloc[0]
    assert shown == "78.9%(推計)（推計・見込みなど確定前の値）"
    assert not read("78.9%")["estimate"]


# 4. second quantities, bases, several values ----------------------------------------------------


@pytest.mark.parametrize(
    "raw, value, unit, second, basis",
    [
        ("60(57)", 60, "", "57", None),  # mie: 生活排水処理率 2002 target (revised, original)
        ("62(60)", 62, "", "60", None),  # mie: the 2003 target of the same row (in note)
        ("100%(10施設)", 100, "%", None, "10施設"),  # tottori row 37 大気関係・排出施設監視
        ("100%(51施設)", 100, "%", None, "51施設"),
        ("100%(56施設", 100, "%", None, "56施設"),  # tottori row 49: the bracket is never closed
        ("5戸/14戸", 5, "戸", None, "14戸"),  # tottori row 18 日南トマト反収10t達成青年農業者数
        ("1月当たりの利用人数1136人", 1136, "人", None, "1月当たりの利用人数"),  # fukuoka row 3
        ("1日当たり67分 (平成23年)", 67, "分", None, "1日当たり"),  # gender_4ji row 9
        ("2,100人/年", 2100, "人/年", None, None),  # a unit with a slash is not a ratio
    ],
)
def test_second_quantities_and_bases_are_kept(raw, value, unit, second, basis):
    out = read(raw)
    assert (out["state"], out["value"], out["unit"]) == ("value", value, unit)
    assert (None if pd.isna(out["second"]) else out["second"]) == second
    assert (None if pd.isna(out["basis"]) else out["basis"]) == basis


def test_a_changed_basis_is_reported_u003():
    # tottori row 37: 100%(10施設) → 100%(51施設): the denominator changes inside the value
    assert ("U003", "target") in codes_at("tottori_koteihyo.csv", 37)
    # tottori row 18: 5戸/14戸 → 7戸/15戸 → 6戸/15戸 is a count over a total that grew (the young
    # growers of 日南町), not a rate whose basis changed: quiet (judged a false alarm when it fired)
    assert [c for c in codes_at("tottori_koteihyo.csv", 18) if c[0] == "U003"] == []
    # tottori rows 43 and 52: 100%(27施設) → 100%(27施設), 100%(90施設) → 100%(90施設): same basis
    for row in (43, 52):
        assert "U003" not in {c for c, _ in codes_at("tottori_koteihyo.csv", row)}
    # fukuoka row 3: 1月当たりの利用人数 on both sides
    assert "U003" not in {c for c, _ in codes_at("fukuoka_hofuku_seika_shihyo.csv", 3)}
    assert not [c for c in codes_at("fukuoka_hofuku_seika_shihyo.csv", 3) if c[0] == "P001"]


def test_several_values_in_one_cell_are_p004_not_the_first():
    # gender_4ji row 3 週労働時間60時間以上の雇用者の割合 (I-44)
    raw = "男女計:8.5% 男性:12.9% 女性:2.8% (平成26年)"
    out = read(raw)
    assert (out["state"], out["labels"]) == ("several", "男女計、男性、女性")
    assert math.isnan(out["value"]) and pd.isna(out["unit"])
    assert codes_at("gender_4ji_seika_mokuhyo_R2hakusho.csv", 3) == [
        ("P004", "baseline"),
        ("P004", "current"),
        ("Y003", "target_year"),
    ]
    f = checked("gender_4ji_seika_mokuhyo_R2hakusho.csv").findings
    (msg,) = f[(f["code"] == "P004") & (f["row"] == 3) & (f["field"] == "baseline")]["message"]
    assert "男女計、男性、女性" in msg
    # tottori row 16: 白ネギ and アスパラ in one cell, in all three values
    assert [c for c in codes_at("tottori_koteihyo.csv", 16) if c[0] in ("P001", "P004")] == [
        ("P004", "baseline"),
        ("P004", "current"),
        ("P004", "target"),
    ]
    assert read("白ネギ栽培面積42ha アスパラ生産額37,559千円")["labels"] == "白ネギ栽培面積、アスパラ生産額"
    assert read("30件 40件")["labels"] == "30件、40件"  # no names: the values themselves


def test_a_note_line_after_the_value_is_a_note():
    # gender_whitepaper_h27 row 6: the latest value and the source's own remark on its basis
    out = read("36.6%(注3)\n【参考】総合職試験等事務系区分")
    assert (out["state"], out["value"], out["unit"]) == ("value", 36.6, "%")


# 5. multipliers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, value, unit",
    [
        ("1兆7,319億円", 1.7319e12, "円"),  # tottori row 56 (TT_H30_shoukouseisaku)
        ("764億円", 7.64e10, "円"),  # tottori row 14
        ("1億2000万円", 1.2e8, "円"),
        ("1.5万人", 15000, "人"),  # tottori row 10's long-term target (in note)
        ("3千件", 3000, "件"),
        ("8千人", 8, "千人"),  # tottori row 10: 千人 is a unit of its own …
        ("1,200千円", 1200, "千円"),  # … as 千円 is
    ],
)
def test_multipliers_alone_and_combined(raw, value, unit):
    out = read(raw)
    assert out["state"] == "value" and out["unit"] == unit
    assert math.isclose(out["value"], value, rel_tol=1e-12)


def test_multipliers_out_of_order_are_unreadable():
    assert read("1万2兆円")["state"] == "unparseable"


def test_a_row_of_one_unit_family_is_compared_in_its_finest_unit(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(
        "指標名,基準値,目標値,現状値\n"
        "地域防災フェスタの集客数,8千人,1.5万人,9千人\n"  # tottori row 10 with its long-term target
        '予算額,"1,200千円","1,500千円","1,300千円"\n'  # a row of 千円 stays 千円
        "育児・家事関連時間,1日当たり67分,1日当たり 2時間30分,1日当たり83分\n",  # gender_4ji row 9
        encoding="utf-8",
    )
    result = run_check([table], CheckOptions(select=["U001", "P"]))
    f = result.frame
    assert f["baseline_value"].tolist() == [8000.0, 1200.0, 67.0]
    assert f["target_value"].tolist() == [15000.0, 1500.0, 150.0]
    assert f["target_unit"].tolist() == ["人", "千円", "分"]
    assert f["units_agree"].all() and result.findings[result.findings["code"].isin(["U001", "P001"])].empty
    assert f["baseline_converted"].tolist() == [True, False, False]  # 8千人 → 8000人 (U004, info)
    assert f["target_converted"].tolist() == [False, False, True]  # 2時間30分 → 150分
    assert f["target_raw"].tolist()[0] == "1.5万人"  # the text stays as written


def test_gender_4ji_time_target_is_read_in_minutes():
    # I-45: target 1日当たり 2時間30分 against values in minutes (67分, 83分): read, not P001, and
    # noted (U004, info) as written in another unit than the row's other values
    row = frame_row("gender_4ji_seika_mokuhyo_R2hakusho.csv", 9)
    assert (row["target_value"], row["target_unit"], row["baseline_value"]) == (150.0, "分", 67.0)
    assert row["units_agree"] and row["target_converted"] and not row["baseline_converted"]
    assert not [c for c in codes_at("gender_4ji_seika_mokuhyo_R2hakusho.csv", 9) if c[0] in ("P001", "U001")]
    f = checked("gender_4ji_seika_mokuhyo_R2hakusho.csv").findings
    (msg,) = f[(f["code"] == "U004") & (f["row"] == 9)]["message"]
    assert "「1日当たり 2時間30分 (平成32年)」" in msg and "150分に換算" in msg


# 6. unit aliases and conversions as data, extendable per plan -----------------------------------


def test_conversions_come_from_the_vocabulary():
    assert VOCAB.conversion("千人") == ("人", 1000.0)
    assert VOCAB.conversion("時間") == ("分", 60.0)
    assert VOCAB.conversion("千t") == ("g", 1e9)
    assert VOCAB.conversion("件") == ("件", 1.0)
    assert read("１２０㎥／日")["unit"] == "m3/日" and read("534㎡")["unit"] == "m2"


def test_a_plans_vocabulary_adds_units_markers_and_levels(tmp_path):
    path = tmp_path / "vocabulary.yaml"
    path.write_text(
        "zero_markers: [なし]\n"
        "missing_markers: [対象外]\n"
        "units:\n  - {unit: 万人, aliases: [万人], base: 人, factor: 10000}\n  - {unit: 反, aliases: [反]}\n"
        "levels:\n  - {level: 検討, rank: 0}\n",
        encoding="utf-8",
    )
    vocab = load_vocabulary()
    extend_vocabulary(vocab, path)
    out = parse_measures(pd.Series(["なし", "対象外", "3反", "検討"]), vocab)
    assert out["state"].tolist() == ["value", "missing", "value", "level"]
    assert out["value"].iloc[0] == 0 and out["unit"].iloc[0] == ""
    assert bool(out["unit_known"].iloc[2])
    assert read("なし")["state"] == "missing"  # the bundled vocabulary is unchanged


def test_a_plans_vocabulary_in_hyoka_toml(tmp_path):
    (tmp_path / "hyoka.toml").write_text('[vocabulary]\nzero_markers = ["なし"]\n', encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text('指標名,基準値,目標値,現状値\n年次計画,"1兆7,319億円",なし,なし\n', encoding="utf-8")
    result = run_check([table], options_from(load_config(tmp_path / "hyoka.toml")))
    assert result.frame["current_state"].tolist() == ["value"] and result.frame["current_value"].tolist() == [0.0]
    (tmp_path / "bad.toml").write_text('[vocabulary]\nunits = [{unit = "x", kind = "weight"}]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="units"):
        load_config(tmp_path / "bad.toml")


def test_a_looping_conversion_is_refused(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("units:\n  - {unit: a, base: b, factor: 2}\n  - {unit: b, base: a, factor: 2}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="loop"):
        extend_vocabulary(load_vocabulary(), path)


def test_the_indicator_list_accepts_any_unit(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_text("indicators:\n  - {name: 道路延長, unit: km}\n  - {name: 排出量, unit: t-NOx}\n", encoding="utf-8")
    metas = load_indicator_metadata(path, load_vocabulary())
    assert [m.unit for m in metas] == ["km", "t-NOx"]


def test_a_unit_in_the_indicator_name_is_the_bare_values_unit():
    # tochigi row 2 大気環境基準達成率(浮遊粒子状物質)【%】※*3: 93.8 (H16) → 95.0, now 100 (H17)
    frame = checked("tochigi_kankyo_H17_tasseido.csv").frame
    row = frame[frame["indicator"].str.contains("浮遊粒子状物質")].iloc[0]
    assert (row["baseline_unit"], row["target_unit"], row["current_unit"]) == ("%", "%", "%")
    assert (row["bound_min"], row["bound_max"]) == (0.0, 100.0)
    assert set(frame["target_unit"]) == {"%", "t-NOx"}  # 【t-NOx】 is a unit too; 【参考】 would not be


def test_a_unit_column_and_a_unit_at_the_end_of_the_name():
    # ofunato: units in their own column (サ：単位 ％, 人, 千円, 箇所); values are bare numbers
    f = checked("ofunato_R7_kodomokatei.csv").frame
    row = f[f["indicator"] == "乳児全戸訪問実施率"].iloc[0]
    assert (row["baseline_raw"], row["baseline_unit"], row["bound_max"]) == ("97.5", "%", 100.0)
    assert f[f["indicator"] == "支給額"]["current_unit"].tolist() == ["千円"]
    assert f[f["indicator"] == "市内の子育て応援店・事業所数"]["current_unit"].tolist() == ["か所"]
    assert (f[f["indicator"] == "0"]["current_unit"] == "").all()  # the unit cell 0 is a placeholder
    # mie: 生活排水処理率 (%): 57.2 → 60(57), now 60
    row = frame_row("mie_h15_kihonjigyo_excelhtml.csv", 2)
    assert (row["baseline_unit"], row["target_unit"], row["target_second_raw"]) == ("%", "%", "57")


# 7. missing markers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["N/A", "n/a", "なし", "該当なし", "−", "N/A In fiscal year 2016-17, no investigations"]
)
def test_missing_markers(raw):
    assert read(raw)["state"] == "missing"


def test_missing_with_an_explanation_is_missing_not_unreadable():
    # canada TSB rows 35 and 36: "N/A In fiscal year 2016-17, no investigations were completed…"
    # graded success (I-23): the current value is missing, not unreadable (P001); the status
    # "success" on a result not available is G005 (gc-results: "not available")
    for row in (35, 36):
        assert codes_at("canada_drr2016_TSB.csv", row) == [("G005", "grade")]
        assert frame_row("canada_drr2016_TSB.csv", row)["current_state"] == "missing"
    assert read("- 5")["value"] == -5  # a dash before a number is still a sign


def test_tottori_nashi_placeholders_are_missing():
    # tottori row 56 (TT_H30_shoukouseisaku): baseline 1兆7,319億円, target and actual なし: the
    # missing target is M002; the actual of an ungraded row in a graded table is not yet due (no M003)
    assert [c for c in codes_at("tottori_koteihyo.csv", 56) if c[0][0] in "MP"] == [("M002", "target")]
    assert frame_row("tottori_koteihyo.csv", 56)["current_state"] == "missing"
    assert frame_row("tottori_koteihyo.csv", 56)["baseline_value"] == 1.7319e12


# 8. binary floats shown as Excel shows them ------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("69.900000000000006", "69.9"),  # ofunato (SOURCES.md: Excel shows 69.9)
        ("36.700000000000003", "36.7"),  # ofunato 0992 サ (I-17)
        ("66.099999999999994", "66.1"),  # ofunato
        ("35.200000000000003", "35.2"),
        ("53.71", "53.71"),  # written as is: not a long float
        ("70.0", "70.0"),  # a number stored as text keeps its zero
    ],
)
def test_binary_floats_are_shown_as_excel_shows_them(raw, shown):
    assert shown_numbers(pd.Series([raw])).iloc[0] == shown
    assert read(raw)["value"] == float(shown)


def test_xlsx_numbers_keep_15_significant_digits():
    assert cell_text(69.900000000000006) == "69.9"
    assert cell_text(1234567.5) == "1234567.5"  # was 1.23457e+06
    assert cell_text(1.7319e12) == "1731900000000"
    assert cell_text(0.852, "0.0%") == "85.2%"
    assert number_text(1e-5) == "0.00001"


# direction-only targets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, direction",
    [
        (6, "decrease"),
        (4, "decrease"),
        (5, "decrease"),
        (2, "increase"),
    ],  # 減少傾向へ, 都道府県格差の縮小 ×2, 健康寿命の増加
)
def test_a_target_that_states_a_direction(row, direction):
    r = frame_row("kenko_nippon21_2nd_final.csv", row)
    assert (r["target_state"], r["target_form"], r["direction"], r["direction_basis"]) == (
        "direction",
        "direction",
        direction,
        "target",
    )
    assert ("P001", "target") not in codes_at("kenko_nippon21_2nd_final.csv", row)


def test_a_direction_word_is_not_a_baseline():
    table_row = read("減少傾向へ")
    assert table_row["state"] == "direction"  # the parser says what it reads …
    # … and a baseline that says only a direction is unreadable (frame: only a target states one)
    assert read("望まない受動喫煙のない社会の実現")["state"] == "unparseable"  # kenko rows 10–11: no direction word


# properties ----------------------------------------------------------------------------------------

UNITS = sorted({a for u in VOCAB.units.values() for a in u.aliases if not a.startswith(tuple(VOCAB.multipliers))})
numbers = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


#: cells as clerks write them: a qualifier, a sign, a number with a multiplier, a unit, a note
cells = st.builds(
    lambda pre, sign, n, mult, unit, post, note: f"{pre}{sign}{n}{mult}{unit}{post}{note}",
    st.sampled_from(["", "約", "およそ"]),
    st.sampled_from(["", "▲", "△", "-"]),
    numbers,
    st.sampled_from(["", "", "万", "億", "千"]),
    st.sampled_from(UNITS + ["", "", "団休", "人見込み"]),
    st.sampled_from(["", "", "以上", "以下", "未満", "超", "程度", "以内"]),
    st.sampled_from(["", "", "※", "※1", "（速報値）", "(推計)", " (平成26年)", "(注3)", "(57)", "(10施設)"]),
)


@FAST
@given(st.lists(cells | st.text(max_size=40), min_size=1, max_size=10))
def test_the_two_paths_read_alike(texts):
    """Every cell the column-wide pattern reads as a value, the one-by-one grammar reads alike."""
    out = parse_measures(pd.Series(texts, dtype="object"), VOCAB)
    g = _grammar_of(VOCAB)
    import unicodedata

    for text, (_, row) in zip(texts, out.iterrows()):
        if row["state"] != "value":
            continue
        one = read_measure(unicodedata.normalize("NFKC", text).strip(), VOCAB, g)
        assert one.state == "value", text
        assert math.isclose(one.value, row["value"], rel_tol=1e-12, abs_tol=1e-12), text
        assert one.unit == row["unit"], text
        assert one.qualifier == (None if pd.isna(row["qualifier"]) else row["qualifier"]), text


@FAST
@given(st.lists(cells | st.text(max_size=40), min_size=1, max_size=5))
def test_a_reading_does_not_depend_on_the_column(texts):
    """A cell reads the same alone and among 3,000 others (Arrow's path for large columns)."""
    alone = parse_measures(pd.Series(texts, dtype="object"), VOCAB)
    crowd = parse_measures(pd.Series(texts + [f"{i}件" for i in range(3000)], dtype="object"), VOCAB)
    crowd = crowd.iloc[: len(texts)]
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), crowd.reset_index(drop=True), check_dtype=False)


@FAST
@given(
    st.lists(
        st.lists(cells | st.text(max_size=40) | st.sampled_from(["", "-", "なし", "実施"]), max_size=6),
        min_size=1,
        max_size=4,
    )
)
def test_columns_read_together_read_as_each_alone(columns):
    """MeasureColumns (one pass over the distinct texts of several columns, #14) gives each column
    exactly the frame parse_measures gives it alone: values, dtypes and index."""
    given = {
        f"c{i}": pd.Series(c, index=[10 + 3 * j for j in range(len(c))], dtype="object") for i, c in enumerate(columns)
    }
    together = MeasureColumns(given, VOCAB)
    for name, column in given.items():
        pd.testing.assert_frame_equal(together.pop(name), parse_measures(column, VOCAB), check_exact=True)


def test_columns_read_together_on_hand_checked_cells():
    """Hand-checked: 17件 is 17 件 in both columns it stands in; a blank is missing ("" state
    missing); a column is forgotten once popped."""
    together = MeasureColumns(
        {"a": pd.Series(["17件", "", "3地区"]), "b": pd.Series(["-", "17件"], index=[5, 9])}, VOCAB
    )
    a, b = together.pop("a"), together.pop("b")
    assert a["value"].tolist()[::2] == [17.0, 3.0] and a["unit"].tolist()[::2] == ["件", "地区"]
    assert list(b.index) == [5, 9] and b["state"].tolist() == ["missing", "value"] and b.loc[9, "value"] == 17.0
    assert a.loc[1, "state"] == "missing"
    with pytest.raises(KeyError):
        together.pop("a")


@FAST
@given(a=numbers, b=numbers, unit=st.sampled_from(UNITS + [""]), sep=st.sampled_from(["〜", "~", "～", "-", "から"]))
@example(a=Decimal("0.00"), b=Decimal("0.00"), unit="%", sep="-")  # 0.00-0.00%: the second number read as -0
def test_range_round_trip(a, b, unit, sep):
    lo, hi = sorted((a, b))
    out = read(f"{lo}{sep}{hi}{unit}")
    assert out["state"] == "range"
    assert (float(out["low"]), float(out["high"])) == (float(lo), float(hi))


@FAST
@given(
    cho=st.integers(0, 9),
    oku=st.integers(0, 9999),
    man=st.integers(0, 9999),
    rest=st.integers(0, 9999),
)
def test_multipliers_compose(cho, oku, man, rest):
    parts = [(cho, "兆"), (oku, "億"), (man, "万")]
    text = "".join(f"{n:,}{m}" for n, m in parts if n) + (f"{rest:,}" if rest else "")
    if not text:
        return
    out = read(text + "円")
    assert out["state"] == "value" and out["unit"] == "円", text
    assert out["value"] == cho * 10**12 + oku * 10**8 + man * 10**4 + rest, text


@FAST
@given(h=st.integers(1, 30), m=st.integers(0, 59))
def test_hours_and_minutes_add_up(h, m):
    out = read(f"{h}時間{m}分")
    assert (out["state"], out["value"], out["unit"]) == ("value", 60 * h + m, "分")


@FAST
@given(value=numbers, count=st.integers(1, 9999), unit=st.sampled_from(["%", "件", "人"]))
def test_a_bracketed_count_is_the_basis(value, count, unit):
    out = read(f"{value}{unit}({count}施設)")
    assert (out["state"], float(out["value"]), out["basis"]) == ("value", float(value), f"{count}施設")


@FAST
@given(
    st.lists(
        st.tuples(st.sampled_from(["男女計", "男性", "女性", "白ネギ", "アスパラ"]), st.decimals(0, 99, places=1)),
        min_size=2,
        max_size=3,
    )
)
def test_several_labelled_values_are_never_one_value(parts):
    out = read(" ".join(f"{label}:{n}%" for label, n in parts))
    assert out["state"] == "several" and math.isnan(out["value"])
    assert out["labels"] == "、".join(label for label, _ in parts)


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_number_text_is_excels_15_digits(x):
    text = number_text(x)
    assert "e" not in text
    assert float(text) == float(f"{x:.15g}")


def test_a_target_written_as_a_sentence_is_words_not_an_unreadable_number(tmp_path):
    # kenko rows 10, 11: 目標値 望まない受動喫煙のない社会の実現 (健康日本21 states an aim, no number)
    for row in (10, 11):
        assert "P001" not in {c for c, _ in codes_at("kenko_nippon21_2nd_final.csv", row)}
        assert frame_row("kenko_nippon21_2nd_final.csv", row)["target_state"] == "text"
    # a number in kanji numerals is not a sentence: 百二十九団体 stays unreadable
    path = tmp_path / "t.csv"
    path.write_text(
        "事業名,目標指標,基準値,目標値,現状値\n支援,登録団体数,120団体,百二十九団体,125団体\n", encoding="utf-8"
    )
    found = run_check([path], CheckOptions()).findings
    assert found.loc[found["code"] == "P001", "field"].tolist() == ["target"]


@pytest.mark.parametrize(
    "raw, value, unit",
    [
        ("1万2千人", 12_000, "人"),  # 千 multiplies the 2 (not the unit 千人: 10,002千人)
        ("3千5百人", 3_500, "人"),
        ("1億2千万円", 120_000_000, "円"),  # (1)億 + (2千)万
        ("1兆7,319億円", 1.7319e12, "円"),  # tottori TT_H30_shoukouseisaku
        ("1,200千円", 1_200, "千円"),  # 千円 alone is the unit
        ("8千人", 8, "千人"),  # tottori TT_R2_kikitaisaku: compared with 1.5万人 through 千人 = 1,000人
        ("1.5百万円", 1.5, "百万円"),  # 百万円, a budget's unit
    ],
)
def test_japanese_numbers_count_in_groups_of_man_oku_cho(raw, value, unit):
    out = read(raw)
    assert (out["value"], out["unit"], out["state"]) == (value, unit, "value")
