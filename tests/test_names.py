"""Indicator names and department spellings across rows (hyoka.normalise.names; N001, T002, X004,
X001) on the real tables of examples/real (cells quoted from the files)."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyoka.normalise.names import _groups, _spelling
from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

REAL = Path(__file__).parent.parent / "examples" / "real"
OFUNATO = REAL / "published" / "ofunato_R7_kodomokatei.csv"
TOTTORI = REAL / "tidy" / "tottori_koteihyo.csv"


@pytest.fixture(scope="module")
def ofunato():
    return run_check([OFUNATO], CheckOptions())


@pytest.fixture(scope="module")
def tottori():
    return run_check([TOTTORI], CheckOptions())


def _found(result, code):
    f = result.findings[result.findings["code"] == code]
    return sorted(zip(f["row"], f["col"], f["observed"]))


def test_ofunato_indicators_without_a_name(ofunato):
    # I-14: 1384 (line 27) ス：名称 0 / 単位 0, values 0; 1419 (line 28) シ 0 / 0, values 0;
    # 1787 (line 40) ス：名称 0, unit blank, no values. I-15: 0240 (line 35) シ and ス blank, 0 in
    # blocks 5–6; 1374 (line 38) シ blank, 0 in block 6. The finding is on the 名称 cell
    # (サ/シ/ス：名称 are columns 12/14/16).
    assert _found(ofunato, "N001") == [
        (27, 16, "0"),
        (28, 14, "0"),
        (35, 14, "（空欄）"),
        (35, 16, "（空欄）"),
        (38, 14, "（空欄）"),
        (40, 16, "0"),
    ]
    # their missing baselines and current values are not findings of their own any more, and the
    # two nameless blocks of 0240 are not one indicator twice (X001)
    rows = ofunato.findings[ofunato.findings["code"].isin(["M001", "M003", "X001"])]
    assert rows.empty, rows[["code", "row", "indicator"]]


def test_tottori_indicators_without_a_name(tottori):
    # TT_H25_sakyu_1 (line 12, target 390件), TT_R3_nourinseisaku_1 (14, 764億円 → 784億円),
    # TT_R3_chubu_kankyo_haiki_1/_2 (33: 130% → 100%, 35: 87% → 100%), TT_R2_seibu_kankyo_1/_2
    # (49, 52), TT_H30_shoukouseisaku (56, 1兆7,319億円); also TT_R3_dourokensetsu (2, 97.1% →
    # 98.8%) and TT_R3_chubu_kankyo_taiki_2 (43, 100%(27施設)), whose pages have no 指標名 either
    assert [r for r, _, _ in _found(tottori, "N001")] == [2, 12, 14, 33, 35, 43, 49, 52, 56]
    # haiki_1 and haiki_2 (one project, two unnamed indicators with other values) are no duplicate
    assert _found(tottori, "X001") == []


def test_tottori_grade_without_indicator(tottori):
    # TT_R3_chubu_ijikanri (line 3): 測定指標なし, graded ○(予定どおり), no values
    assert _found(tottori, "T002") == [(3, 5, "○(予定どおり)")]
    f = tottori.findings
    assert f[(f["row"] == 3) & f["code"].isin(["M001", "M002", "M003", "N001"])].empty


def test_one_department_written_three_ways(ofunato):
    # 36 indicator rows write 保健福祉部こども家庭センター; 1716 (line 31) 保健福祉こども家庭センター
    # (部 missing, I-11); 1801 (line 34) 保健福祉部　こども家庭センター (U+3000 inside, I-12)
    assert _found(ofunato, "X004") == [
        (31, 6, "保健福祉こども家庭センター"),
        (34, 6, "保健福祉部\u3000こども家庭センター"),
    ]
    f = ofunato.findings[ofunato.findings["code"] == "X004"]
    assert set(f["expected"]) == {"保健福祉部こども家庭センター（36行の表記）"}


def test_different_offices_are_different_departments(tottori):
    # 中部総合事務所 環境建築局 環境・循環推進課 and 西部総合事務所 生活環境局 環境・循環推進課
    assert _found(tottori, "X004") == []
    f = tottori.frame
    assert f["department_usual"].isna().all()


def test_a_department_list_takes_over():
    result = run_check([OFUNATO], CheckOptions(departments=["保健福祉部こども家庭センター"]))
    codes = set(result.findings["code"])
    assert "X004" not in codes and "X003" in codes


def test_spelling_keeps_spaces_drops_layout_breaks():
    s = pd.Series(["保健福祉部　こども家庭センター", "危機管理局\n消防防災課", "旧課→ 新課 ", ""], dtype="string")
    assert _spelling(s).tolist() == ["保健福祉部 こども家庭センター", "危機管理局消防防災課", "新課", ""]


_names = st.text(alphabet="保健福祉部課局こども家庭セン市民協働推進室", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(_names, _names)
def test_groups_merge_only_one_missing_office_character(a, b):
    g = _groups([a, b])
    one_off = any(a[:p] + a[p + 1 :] == b for p, c in enumerate(a) if c in "部課局") or any(
        b[:p] + b[p + 1 :] == a for p, c in enumerate(b) if c in "部課局"
    )
    assert (g[0] == g[1]) == (a == b or one_off)
