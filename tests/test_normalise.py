"""Normalisation on the seed: grades, departments, partners, directions, progress."""

import csv
import json
import math

import pytest

from hyoka.normalise.derive import derive
from hyoka.normalise.frame import normalise
from hyoka.options import CheckOptions
from hyoka.output.formats.json import to_json
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check
from hyoka.read.table import load_table

from .conftest import SEED_CSV


@pytest.fixture(scope="module")
def seed(vocab, scale):
    frame = normalise(load_table(SEED_CSV, vocab).frame, vocab, scale)
    derive(frame, vocab, scale)
    return frame


def test_full_width_grades_on_the_scale(seed):
    assert seed["grade_raw"].tolist()[:4] == ["Ｂ", "D", "Ａ", "C"]
    assert seed["grade"].tolist()[:4] == ["B", "D", "A", "C"]
    assert seed["grade_standing"].tolist()[:4] == ["upper", "lower", "upper", "lower"]
    assert (seed["grade_state"] == "on_scale").all()


def test_renamed_departments(seed):
    row = seed[seed["project"] == "自主防災組織結成促進・活動支援事業"].iloc[0]
    assert (row["department"], row["department_previous"]) == ("危機管理課", "危機管理室")
    row = seed[seed["project"].str.startswith("消費者団体の育成")].iloc[0]
    assert (row["department"], row["department_previous"]) == ("交通防犯課", "生活課")
    assert row["department_raw"] == "生活課→交通防犯課"


def test_partners_stay_circled_codes(seed):
    # NFKC would turn ① into 1; the legend codes must survive
    assert seed["partners"].tolist()[0] == "①②③④⑤⑥⑦"
    assert seed["partners"].tolist()[10] == "①②③⑤⑦"


def test_values_units_and_years(seed):
    r = seed.iloc[2]  # 自治会活動支援: 85.19％ / 87％ / 89.7％
    assert (r["baseline_value"], r["target_value"], r["current_value"]) == (85.19, 87.0, 89.7)
    assert r["baseline_unit"] == r["target_unit"] == r["current_unit"] == "%"
    assert (r["baseline_year"], r["target_year"], r["current_year"]) == (2021, 2027, 2023)
    r = seed.iloc[13]  # コミュニティ・スクールの導入: "-" is missing, not 0
    assert r["baseline_state"] == "missing" and math.isnan(r["baseline_value"])
    r = seed.iloc[7]  # 継続的な支援: 実施 → 充実, now 充実
    assert (r["baseline_value"], r["target_value"], r["current_value"]) == (1, 2, 2)
    assert r["progress"] == 1.0


def test_directions(seed):
    by = seed.set_index("indicator")
    assert by.loc["コミュニティ未設置地区", "direction"] == "decrease"  # declared by name
    assert by.loc["コミュニティ未設置地区", "direction_source"] == "declared"
    assert by.loc["自治会加入率", "direction"] == "increase"  # declared, against the target
    assert by.loc["センターへの相談件数", "direction_source"] == "inferred"  # 17件 → 30件
    assert by.loc["実施回数", "direction"] == "increase"
    # progress = (current - baseline) / (target - baseline): (134 - 129) / (150 - 129)
    assert by.loc["登録団体数", "progress"] == pytest.approx(5 / 21)
    # a target on the wrong side of the baseline gives no progress figure
    assert math.isnan(by.loc["自治会加入率", "progress"])


def test_arrow_nfkc_equals_python_nfkc_on_every_code_point_and_unassigned_ones():
    """hyoka.normalise.vocabulary.nfkc_series normalises large columns in Arrow (utf8proc, a newer Unicode than
    Python's unicodedata): on every code point, and on texts mixing seed text with code points
    Python does not assign (U+0558 becomes 'է' in utf8proc, stays in Python), it must equal
    Python's NFKC — the NFKC every other part of hyoka (vocabulary keys, renames) uses."""
    import unicodedata

    import pandas as pd

    from hyoka.normalise.vocabulary import ARROW_NFKC_MIN, nfkc_series

    points = [chr(c) for c in range(0x20, 0x110000) if not 0xD800 <= c < 0xE000]
    texts = points + ["自主防災組織\u0558ｶﾞ", "１２３％", "ｺﾐｭﾆﾃｨ設立支援", None]
    assert len(texts) > ARROW_NFKC_MIN
    for dtype in ("str", "string"):
        s = pd.Series(texts, dtype=dtype)
        out = nfkc_series(s)
        assert out.dtype == s.dtype
        expected = [None if t is None else unicodedata.normalize("NFKC", t) for t in texts]
        assert out.iloc[:-1].tolist() == expected[:-1]
        assert out.isna().iloc[-1]
    assert nfkc_series(pd.Series(texts, dtype="str")).iloc[-3] == "123%"


def test_text_is_shown_as_published_and_matched_by_nfkc(tmp_path):
    """①, ㈱, Ⅲ and full-width letters stay as written in the frame, the findings and JSON; the
    department is still found by its NFKC spelling ((株)…), renamed by an NFKC key, and one
    department however it is spelled (shown as the table first wrote it)."""
    header = [
        "項目",
        "事業名",
        "担当課",
        "協働の相手",
        "事業の評価",
        "目標指標",
        "基準値（R3)",
        "目標値（R9)",
        "現状値（R5)",
    ]
    rows = [
        ["（１）支援", "①防災訓練", "㈱テスト課", "⑦", "Ａ", "Ⅲ期の参加者数", "20人", "30人", "10人"],
        ["（１）支援", "ＩＴ講座", "㈱旧課", "⑦", "Ａ", "受講者数", "20人", "30人", "25人"],
        ["（１）支援", "ＩＴ講座２", "(株)テスト課", "⑦", "Ａ", "受講者数", "20人", "30人", "25人"],
    ]
    path = tmp_path / "t.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    deps = tmp_path / "departments.yaml"
    deps.write_text("departments: [(株)テスト課]\nrenames: {(株)旧課: ㈱テスト課}\n", encoding="utf-8")
    result = run_check([path], CheckOptions(departments_file=deps, department="(株)テスト課"))
    f = result.frame
    assert f["project"].tolist() == ["①防災訓練", "ＩＴ講座", "ＩＴ講座２"]
    assert f["indicator"].tolist()[0] == "Ⅲ期の参加者数"
    # ㈱旧課 renamed through its NFKC (株)旧課; (株)テスト課 is the same department as ㈱テスト課
    assert f["department"].tolist() == ["㈱テスト課"] * 3
    assert f["department_previous"].tolist()[1] == "㈱旧課"
    assert f["department_known"].tolist() == [True] * 3  # the list's (株)テスト課
    found = with_cells(result)
    g002 = found[found["code"] == "G002"]
    assert g002["cell"].tolist() == ["t.csv:2:grade"]  # 20人 → 10人 under Ａ: the only worsening
    assert g002["message"].iloc[0].startswith("評価「Ａ」は上位の評価ですが、「Ⅲ期の参加者数」の現状値 10人")
    (out,) = [d for d in json.loads(to_json(found)) if d["code"] == "G002"]
    assert (out["department"], out["project"], out["indicator"]) == ("㈱テスト課", "①防災訓練", "Ⅲ期の参加者数")
    assert out["observed"] == "評価 Ａ、基準値 20人 → 現状値 10人"
