"""Property tests: the parsers and the normaliser on any text, and the rule engine's cells."""

import csv
import math
import unicodedata

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyoka.normalise.frame import _partners, _squeeze, _text, era_label
from hyoka.normalise.measures import parse_fiscal_year, parse_fiscal_years, parse_measures
from hyoka.normalise.vocabulary import load_vocabulary
from hyoka.pipeline import run_check

VOCAB = load_vocabulary()
UNITS = sorted({a for u in VOCAB.units.values() for a in u.aliases})
STATES = {"value", "level", "missing", "unparseable", "range", "several", "direction"}
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@FAST
@given(st.lists(st.text(max_size=60), min_size=1, max_size=20))
def test_measures_never_crash_and_states_are_consistent(texts):
    out = parse_measures(pd.Series(texts, dtype="object"), VOCAB)
    assert set(out["state"]) <= STATES
    has_value = out["value"].notna()
    assert (has_value == out["state"].isin(["value", "level"])).all()


@FAST
@given(
    number=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    unit=st.sampled_from(UNITS + [""]),
    negative=st.booleans(),
    thousands=st.booleans(),
    full_width=st.booleans(),
    sign=st.sampled_from(["▲", "△", "-"]),
)
def test_measure_round_trip(number, unit, negative, thousands, full_width, sign):
    text = f"{number:,}" if thousands else f"{number}"
    text = (sign if negative and number else "") + text + unit
    if full_width:
        text = _full_width(text)
    out = parse_measures(pd.Series([text]), VOCAB).iloc[0]
    assert out["state"] == "value", text
    expected = float(number) * (-1 if negative and number else 1)
    assert math.isclose(out["value"], expected, rel_tol=1e-12, abs_tol=1e-9), text
    assert out["unit"] == (VOCAB.unit_aliases[unicodedata.normalize("NFKC", unit)] if unit else "")


@FAST
@given(st.integers(min_value=1926, max_value=2100))  # the schema accepts FY1950–2100
def test_era_labels_round_trip(year):
    label = era_label(pd.Series([year], dtype="Int64")).iloc[0]
    assert parse_fiscal_year(label) == year
    assert parse_fiscal_year(f"{year}年度") == year


@FAST
@given(st.lists(st.text(max_size=40), min_size=1, max_size=20))
def test_year_parser_never_crashes(texts):
    out = parse_fiscal_years(pd.Series(texts, dtype="object"))
    assert set(out["state"]) <= {"value", "missing", "unparseable"}


@FAST
@given(st.lists(st.text(max_size=80), min_size=1, max_size=10))
def test_normalisation_is_idempotent(texts):
    s = pd.Series(texts, dtype="string")
    for fn in (_text, _partners, _squeeze):
        once = fn(s)
        assert fn(once).tolist() == once.tolist()


def test_partners_keep_circled_codes():
    assert _partners(pd.Series(["①②③　④\n⑤⑥⑦"], dtype="string")).tolist() == ["①②③④⑤⑥⑦"]


MEASURE = st.one_of(
    st.sampled_from(["17件", "85.19％", "-", "", "実施", "充実", "60％", "3地区", "▲5", "abc", "0件"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
)  # text a cell can hold
GRADE = st.sampled_from(["A", "Ｂ", "C", "D", "", "S", "-"])


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(GRADE, MEASURE, MEASURE, MEASURE), min_size=1, max_size=6))
def test_a_findings_cell_points_at_the_value_it_names(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "t.csv"
    header = ["事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i, (g, b, t, c) in enumerate(rows):
            w.writerow([f"事業{i}\n（改行あり）", "市民協働推進課", g, "登録団体数", b, t, c])
    lines = path.read_text(encoding="utf-8").split("\n")
    records = list(csv.reader(open(path, encoding="utf-8", newline="")))[1:]
    starts, n = [], 2
    for r in records:  # the physical line each record starts on
        starts.append(n)
        n += sum(v.count("\n") for v in r) + 1
    result = run_check([path])
    column = {"grade": 2, "baseline": 4, "target": 5, "current": 6}
    for f in result.findings.itertuples():
        if f.field not in column or f.row == 0:  # a table-level note (H002–H004) sits on no cell
            continue
        assert f.source_file == "t.csv" and f.sheet == "" and f.col == column[f.field] + 1
        assert f.cell_row == f.row
        record = records[starts.index(f.cell_row)]  # the cell's line starts a record
        raw = record[column[f.field]]
        frame_raw = result.frame.loc[f.row_index, "grade_raw" if f.field == "grade" else f"{f.field}_raw"]
        assert raw == frame_raw, (f.code, f.cell_row, raw, frame_raw)
    assert lines  # the file was written
