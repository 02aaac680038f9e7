"""Every rule of the catalog on its own cases (rules/catalog.yaml `cases:`, hyoka.check.cases).

Each case is a one- or few-row table (a consistent seed row changed by the case) run through the
real pipeline (read → normalise → check, hyoka.authoring.cases.run_case, the same run the docs
show). A case that fires must give the rule's code exactly on the rows it names, pointing at the
field and cell it names, with the observed text it names, and nowhere else; a quiet case (a near
miss) must give no finding of the code.
"""

import pytest

from hyoka.authoring.cases import run_case
from hyoka.check.rules import load_catalog

CATALOG = load_catalog()
BY_CODE = {}
for _r in CATALOG:
    BY_CODE.setdefault(_r.code, _r)


def _params(kind):
    return [
        pytest.param(code, i, id=f"{code}-{kind}{i + 1}")
        for code, rule in sorted(BY_CODE.items())
        for i in range(len(getattr(rule.cases, kind, ())))
    ]


def test_every_rule_has_cases_that_fire_and_quiet_ones():
    bare = [c for c, r in BY_CODE.items() if not r.cases or not r.cases.fire or not r.cases.quiet]
    assert not bare, f"rules without both kinds of cases: {bare}"
    unchecked = [
        f"{c} fire{i + 1}" for c, r in BY_CODE.items() for i, case in enumerate(r.cases.fire) if case.observed is None
    ]
    assert not unchecked, f"cases that fire without the observed text: {unchecked}"


@pytest.mark.parametrize("code, i", _params("fire"))
def test_case_fires(code, i):
    case = BY_CODE[code].cases.fire[i]
    result = run_case(case, select=[code])
    found = result.findings[result.findings["code"] == code]
    shown = found[["row", "field", "cell_row", "col", "observed"]].to_string()
    want_rows = [n + 1 for n in case.at]  # the table's header is row 1
    assert sorted(found["row"].tolist()) == sorted(want_rows), f"{code} on rows {found['row'].tolist()}:\n{shown}"
    assert set(found["field"]) == {case.field}, f"{code} points at other fields:\n{shown}"
    for n, observed in zip(want_rows, case.observed):
        (hit,) = found.index[found["row"] == n]
        frame_row = result.frame[result.frame["row"] == n].iloc[0]
        # the field's own cell: its row and column in the table, as numbers
        assert (found.at[hit, "cell_row"], found.at[hit, "col"]) == (n, frame_row[f"col_{case.field}"]), shown
        assert found.at[hit, "col"] > 0 and found.at[hit, "char_col"] == frame_row.get(f"char_{case.field}", 0), shown
        assert found.at[hit, "observed"] == observed, shown


@pytest.mark.parametrize("code, i", _params("quiet"))
def test_case_stays_quiet(code, i):
    case = BY_CODE[code].cases.quiet[i]
    found = run_case(case, select=[code]).findings
    mine = found[found["code"] == code]
    assert mine.empty, f"{code} fires on a near miss:\n{mine[['row', 'field', 'observed', 'message']].to_string()}"
