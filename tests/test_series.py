"""A row's yearly series (hyoka.read.raw ``series<i>``, hyoka.normalise.series) on real rows.

大船渡市's 事務事業評価 sheet (examples/real/published/ofunato_R7_kodomokatei.csv, SOURCES.md §1)
gives each indicator six yearly values (blocks 1–6, the years not labelled); the values below
are the cells as published, quoted from the file.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyoka.normalise.series import _median_change, _placeholder_zero, _repeated_last, _trailing_zeros
from hyoka.normalise.vocabulary import load_vocabulary
from hyoka.options import CheckOptions
from hyoka.pipeline import run_check
from hyoka.read.table import load_table

REAL = Path(__file__).parent.parent / "examples" / "real"
OFUNATO = REAL / "published" / "ofunato_R7_kodomokatei.csv"


@pytest.fixture(scope="module")
def ofunato():
    return run_check([OFUNATO], CheckOptions())


def _row(result, line, indicator):
    f = result.frame
    (i,) = f.index[(f["row"] == line) & (f["indicator"] == indicator)]
    return f.loc[i]


def _codes(result, code):
    found = result.findings[result.findings["code"] == code]
    return sorted(zip(found["row"], found["indicator"], found["col"]))


def test_the_series_is_kept_with_its_cells():
    raw = load_table(OFUNATO, load_vocabulary()).frame
    # 0240 大船渡市少年センター運営事業 (line 35), サ 巡回補導日数: 234, 230, 200, 159, 0, 0 in
    # columns 18, 21, 24, 27, 30, 33
    r = raw[(raw["row"] == 35) & (raw["block"] == "サ")].iloc[0]
    assert [r[f"series{i}"] for i in range(6)] == ["234", "230", "200", "159", "0", "0"]
    assert [r[f"col_series{i}"] for i in range(6)] == [18, 21, 24, 27, 30, 33]
    # シ has no name and no values in blocks 1–4: its series keeps the empty cells
    r = raw[(raw["row"] == 35) & (raw["block"] == "シ")].iloc[0]
    assert [r[f"series{i}"] for i in range(6)] == ["", "", "", "", "0", "0"]


def test_a_plain_table_has_no_series_columns():
    raw = load_table(REAL / "tidy" / "tottori_koteihyo.csv", load_vocabulary()).frame
    assert not [c for c in raw.columns if c.startswith(("series", "col_series"))]
    result = run_check([REAL / "tidy" / "tottori_koteihyo.csv"], CheckOptions())
    f = result.frame
    assert not f["series_repeated"].any() and (f["series_zero_at"] == -1).all()
    assert (f["series_text"] == "").all() and "col_series_zero" not in f


def test_a_placeholder_is_no_baseline(ofunato):
    # 1891 大船渡市こども家庭センター運営 (line 42), サ 交流広場の利用者数: －, －, －, -, 44239, 40000:
    # the baseline is the first value, 44239 (block 5, column 30), not the placeholder －
    r = _row(ofunato, 42, "交流広場の利用者数")
    assert (r["baseline_raw"], r["col_baseline"], r["current_raw"], r["col_current"]) == ("44239", 30, "40000", 33)
    assert "M001" not in set(ofunato.findings[ofunato.findings["row"] == 42]["code"])


def test_value_after_the_end(ofunato):
    # I-18: 0240 graded ３　終了・廃止・休止, 巡回補導日数 234, 230, 200, 159 then 0, 0: the first 0 (block 5)
    assert _codes(ofunato, "V001") == [(35, "巡回補導日数", 30)]
    found = ofunato.findings[ofunato.findings["code"] == "V001"].iloc[0]
    assert found["observed"] == "234 / 230 / 200 / 159 / 0 / 0"
    # the same zeros are not also a placeholder zero (V002)
    assert 35 not in [r for r, _, _ in _codes(ofunato, "V002")]


def test_placeholder_zero_among_real_values(ofunato):
    # I-19: 0234 (line 47) 割合 100, 0, 100, 100, 100, 100 → block 2 (column 21);
    # I-21: 1719 (line 32) 相談件数 74, 127, 97, 108, 91, 0 → block 6 (column 33)
    assert [(r, c) for r, _, c in _codes(ofunato, "V002")] == [(32, 33), (47, 21)]
    # quiet: 0230 (line 45) のべ利用者数 13, 11, 3, 0, 5, 17 (a small count); 1317 (line 37)
    # １世帯当たり平均受給額 0, 0, 0, 0, 0, 439 (zeros are the rule there, not the exception)
    assert _row(ofunato, 45, "のべ利用者数")["series_zero_at"] == -1
    assert _row(ofunato, 37, "１世帯当たり平均受給額")["series_zero_at"] == -1


def test_last_year_copied(ofunato):
    # I-22: block 6 = block 5 in 0192 (348 and 5024), 0237 (207), 0241 (37), 0162 (92), 1419 (2101)
    assert [(r, i) for r, i, _ in _codes(ofunato, "V003")] == [
        (28, "述べ利用人数（一時預かり事業）"),
        (43, "年間相談回数"),
        (44, "ひまわり教室利用者数（延べ人数）"),
        (44, "放課後等デイサービス利用者数（延べ人数）"),
        (49, "利用児童数（延長保育事業）"),
        (50, "年間相談件数（新規）"),
    ]
    assert set(ofunato.findings[ofunato.findings["code"] == "V003"]["severity"]) == {"info"}
    # quiet: 0235 障害児保育利用児童数 17, 12, 9, 14, 15, 15 (moves by ~4 a year);
    # 0231 登録児童数/必要とする児童数 100 in every year
    assert not _row(ofunato, 48, "障害児保育利用児童数")["series_repeated"]
    assert not _row(ofunato, 46, "登録児童数/必要とする児童数")["series_repeated"]


def test_a_long_table_keeps_its_actuals_as_a_series():
    sample = Path(__file__).parent / "data" / "longform" / "rs_3-1_sample.csv"
    raw = load_table(sample, load_vocabulary()).frame
    # 研修の受講者数 (line 3): 実績値 2021–2024 = 120, 150, 180, 21O on line 5, columns 43–46
    r = raw[raw["row"] == 3].iloc[0]
    texts = [r[f"series{i}"] for i in range(len([c for c in raw.columns if c[:6] == "series" and c[6:].isdigit()]))]
    assert [t for t in texts if t] == ["120", "150", "180", "21O"]
    at = texts.index("120")
    assert (r[f"col_series{at}"], r[f"cellrow_series{at}"], r[f"series{at}_year"]) == (43, 5, "2021")


# -- the series functions on their own ---------------------------------------------------------

_values = st.lists(st.one_of(st.none(), st.integers(0, 500).map(float)), min_size=1, max_size=8)


def _grid(rows):
    k = max(len(r) for r in rows)
    v = np.array([[np.nan if x is None else x for x in r] + [np.nan] * (k - len(r)) for r in rows], dtype=float)
    return v, ~np.isnan(v)


@settings(max_examples=200, deadline=None)
@given(_values, st.integers(0, 3))
def test_empty_cells_change_nothing_but_positions(row, where):
    # an empty year between values (not measured) neither makes nor hides a placeholder zero
    v, n = _grid([row])
    at = min(where, len(row))
    v2, n2 = _grid([row[:at] + [None] + row[at:]])
    z1, z2 = _placeholder_zero(v, n)[0], _placeholder_zero(v2, n2)[0]
    assert (z1 == -1) == (z2 == -1)
    c1, _ = _trailing_zeros(v, n)
    c2, _ = _trailing_zeros(v2, n2)
    assert c1[0] == c2[0]


@settings(max_examples=200, deadline=None)
@given(_values, st.integers(-100, 100))
def test_changes_do_not_depend_on_the_level(row, shift):
    v, n = _grid([row])
    a = _median_change(v, n)[0]
    b = _median_change(v + shift, n)[0]
    assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b)


@settings(max_examples=200, deadline=None)
@given(_values)
def test_a_flagged_zero_is_a_zero(row):
    v, n = _grid([row])
    z = _placeholder_zero(v, n)[0]
    assert z == -1 or v[0, z] == 0
    count, first = _trailing_zeros(v, n)
    assert count[0] == 0 or (v[0, first[0]] == 0 and (v[0, : first[0]][n[0, : first[0]]] != 0).any())


def test_repeat_needs_values_that_move():
    v, n = _grid([[445, 462, 503, 420, 348, 348], [17, 12, 9, 14, 15, 15], [100, 100, 100, 100]])
    assert _repeated_last(v, n, n).tolist() == [True, False, False]
    # one decimal: 97.5, 98.6, 97.2, 99.6 move by ~1.5 (15 tenths) → 99.6, 99.6 is a repeat
    v, n = _grid([[97.5, 98.6, 97.2, 99.6, 99.6]])
    assert _repeated_last(v, n, n).tolist() == [True]
    # a missing marker after the repeat: the current value is still the last number
    given_ = np.array([[True] * 5 + [False]])
    v, n = _grid([[445, 462, 503, 348, 348, None]])
    assert _repeated_last(v, n, given_).tolist() == [True]


def test_series_frames_mix_with_plain_ones():
    # a wide table and a plain one checked together: the plain rows get empty series and place 0
    result = run_check([OFUNATO, REAL / "tidy" / "tottori_koteihyo.csv"], CheckOptions())
    f = result.frame
    plain = f["source_file"] == "tottori_koteihyo.csv"
    assert (f.loc[plain, "series_text"] == "").all() and (f.loc[plain, "series_zero_at"] == -1).all()
    assert (f.loc[plain, "col_series_zero"] == 0).all()
    assert pd.api.types.is_integer_dtype(f["col_series_zero"])
    # the per-year columns stay with the reader: the normalised frame has only what rules read
    assert not [c for c in f.columns if c.startswith(("series0", "col_series0"))]


def test_mixed_notation_within_a_series(ofunato):
    # I-16: 1891 (line 42) サ 交流広場の利用者数 and ス 市内の子育て応援店・事業所数 write －, －, －
    # (U+FF0D) then - (ASCII) in block 4 (columns 27 and 29); シ is －, －, －, 35: one spelling
    assert _codes(ofunato, "V004") == [
        (42, "交流広場の利用者数", 27),
        (42, "市内の子育て応援店・事業所数", 29),
    ]
    # I-17: 0992 (line 36) ス 定員充足率 70.0, 66.099999999999994, 57, 44.3, 53.71, 51.4 → 53.71
    # (block 5, column 32); サ 39.3, 39.4, 36.700000000000003, 40.6, 37.4, 42 has no odd one
    assert _codes(ofunato, "V005") == [(36, "公立こども園定員充足率（入所児童数／定員）", 32)]
    assert set(ofunato.findings[ofunato.findings["code"].isin(["V004", "V005"])]["severity"]) == {"info"}


_markers = st.lists(st.sampled_from(["", "－", "-", "―"]), min_size=1, max_size=7)


@settings(max_examples=200, deadline=None)
@given(_markers)
def test_an_odd_marker_is_one_written_otherwise(row):
    from hyoka.normalise.series import _odd_marker

    at = _odd_marker(np.array([row], dtype=object))[0]
    spellings = {m for m in row if m}
    assert (at == -1) == (len(spellings) <= 1)
    if at >= 0:  # it is a marker, and not the spelling most cells use
        assert row[at] and row.count(row[at]) <= max(row.count(m) for m in spellings)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 99999).map(lambda n: n / 100)), min_size=1, max_size=8))
def test_an_odd_precision_is_the_one_most_precise_value(row):
    from hyoka.normalise.series import _decimals, _odd_decimals

    v, n = _grid([row])
    at = _odd_decimals(v, n)[0]
    if at >= 0:
        dec = _decimals(v)[0]
        others = [int(d) for j, d in enumerate(dec) if j != at and n[0, j]]
        assert n[0, at] and dec[at] > max(others) >= 1 and len(others) >= 3
