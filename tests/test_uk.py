"""The UK council's KPI table (examples/uk, from ../shared/real) through the same pipeline, with
its configuration (examples/uk/hyoka.toml: rag scale, mapping). Each finding below
was checked by hand against the CSV rows (line numbers are CSV lines)."""

import json

import pytest

from .conftest import EXAMPLES
from .test_cli import hyoka


@pytest.fixture(scope="module")
def findings():
    r = hyoka(
        "check",
        "hart_dc_kpi_2014q1.csv",
        "hart_dc_kpi_2014q2.csv",
        "--no-report",
        "--format",
        "json",
        cwd=EXAMPLES / "uk",
    )
    assert r.returncode == 1  # G001 is an error
    return json.loads(r.stdout)


def cells(findings, code):
    return sorted(d["cell"].replace("hart_dc_kpi_2014", "") for d in findings if d["code"] == code)


def test_status_codes_the_legend_does_not_define(findings):
    # SNH03, SNH04, SNH06 (Safer North Hants, lines 44–46) are `ld` in both quarters; the legend
    # defines lg, la, lr, lu only: one finding per quarter's table, on the first row, listing all three
    assert cells(findings, "G001") == ["q1.csv:44:grade", "q2.csv:44:grade"]
    for d in (d for d in findings if d["code"] == "G001"):
        assert (d["department"], d["observed"], d["project"], d["indicator"]) == ("Safer North Hants", "ld", "", "")
        assert "rows 44, 45, 46 (3 rows)" in d["message"]


def test_grades_the_values_contradict(findings):
    assert cells(findings, "G005") == sorted(
        [
            "q1.csv:6:grade",  # ETS01 red, yet 0 missed collections against a ceiling of 40
            "q1.csv:20:grade",  # IT01 amber, 42.5 is 29 % short of 60: red
            "q1.csv:22:grade",  # IT03 green, 80.6 is 10.4 % short of 90: red
            "q2.csv:6:grade",  # ETS01 again
            "q2.csv:7:grade",  # FI06 amber at exactly its target 97: green
            "q2.csv:12:grade",  # HR11 red, 2.7 sickness days under the 3.15 ceiling: green
            "q2.csv:16:grade",  # HS16 green, 28 homes against 40: red
            "q2.csv:25:grade",  # IT06 green with 0 % website uptime
            "q2.csv:31:grade",  # PS05 green with 0 %
        ]
    )


def test_zeros_typed_for_blanks(findings):
    # the README: "The council's file once had empty targets that were later written as 0";
    # Z001 speaks only for KPIs known to rise (RB09's 0-day processing time is a real ceiling)
    assert cells(findings, "Z001") == sorted(
        [f"q1.csv:{n}:target" for n in (44, 45, 46)] + [f"q2.csv:{n}:target" for n in (27, 44, 45, 46)]
    )
    assert cells(findings, "Z002") == ["q2.csv:25:current", "q2.csv:31:current"]


def test_standing_targets_are_not_set_the_wrong_way(findings):
    # the "baseline" is last quarter's outturn and the targets are standing floors with no year on
    # either side (CS01 95.3 → 90, IT07 99.5 → 99): D001 does not claim a target set below a
    # baseline it was never set against (issue #13); the zero targets stay Z001, once per cell
    assert not [d for d in findings if d["code"] == "D001"]
    assert not [d for d in findings if d["code"] in ("X001", "X002")]  # two quarters are not duplicates
