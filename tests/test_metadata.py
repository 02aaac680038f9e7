"""Indicator metadata on the seed, and hand-made edges of the value rules."""

import csv

import pytest

from hyoka.errors import ConfigError
from hyoka.normalise.derive import load_indicator_metadata
from hyoka.options import CheckOptions
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check

from .conftest import EXAMPLES, SEED_CSV


def test_seed_with_metadata_says_where_the_direction_comes_from():
    r = run_check([SEED_CSV], CheckOptions(indicators=EXAMPLES / "indicators.yaml"))
    f = r.findings.set_index("code")
    assert sorted(f.index) == ["D001", "G002", "G008", "M001"]  # the same hand-checked findings
    assert "増加が望ましい指標（計画の指標一覧で指定）" in f.loc["D001", "message"]
    by = r.frame.set_index("indicator")
    assert by.loc["実施回数", "direction_basis"] == "plan"
    assert by.loc["登録団体数", "direction_basis"] == "inferred"  # not listed
    assert by.loc["補助金交付割合", "bound_max"] == 100  # by pattern


def _table(tmp_path, changes=None, drop=()):
    """One real seed row (自治会加入促進に関する連携, graded C while the join rate fell), with
    some cells changed and some columns dropped; returns its findings."""
    row = {
        "事業名": "自治会加入促進に関する連携",
        "担当課": "市民協働推進課",
        "事業の評価": "C",
        "効果、理由（問題点）": "加入率が低下した。",
        "目標指標": "自治会加入率",
        "基準値（R3)": "60.4％",
        "目標値（R9)": "62％",
        "現状値（R5)": "58.2％",
    }
    row.update(changes or {})
    row = {k: v for k, v in row.items() if k not in drop}
    p = tmp_path / "t.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(row))
        w.writeheader()
        w.writerow(row)
    return with_cells(run_check([p]))


@pytest.mark.parametrize(
    "changes, drop, code, cell",
    [
        ({"現状値（R5)": "158.2％"}, (), "B001", "t.csv:2:current"),  # a rate over 100 %
        ({"目標値（R9)": "0％"}, (), "Z001", "t.csv:2:target"),
        ({"目標値（H32)": "62％"}, ("目標値（R9)",), "Y003", "t.csv:1:target"),  # the header cell
        ({"現状値（R5)": "58.2件"}, (), "U001", "t.csv:2:current"),
        ({"事業の評価": "Ａ"}, (), "G002", "t.csv:2:grade"),  # A while the rate fell
    ],
)
def test_edges(tmp_path, changes, drop, code, cell):
    found = _table(tmp_path, changes, drop)
    hit = found[found["code"] == code]
    assert hit["cell"].tolist() == [cell], found[["code", "cell"]].to_string()


def test_consistent_row_is_clean(tmp_path):
    assert _table(tmp_path).empty  # C while the join rate fell: consistent


@pytest.mark.parametrize(
    "body, error",
    [
        ("indicators: [{name: a, pattern: b}]", "exactly one of"),
        ("indicators: [{name: a, direction: up}]", "direction must be"),
        ("indicators: [{name: a, unit: ''}]", "unit is empty"),  # any unit is a unit (#13): 杯 is one
        ("indicators: [{name: a, bounds: [0]}]", "bounds must be"),
        ("indicators: [{name: a, colour: red}]", "unknown key"),
    ],
)
def test_bad_metadata(tmp_path, vocab, body, error):
    p = tmp_path / "m.yaml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=error):
        load_indicator_metadata(p, vocab)
