"""The base row of the rules' cases is clean, and loading is strict (rules and their cases; the
cases themselves run in tests/test_rule_cases.py)."""

import csv

import pytest

from hyoka.authoring.cases import BASE_ROW
from hyoka.check.rules import load_catalog
from hyoka.errors import ConfigError
from hyoka.pipeline import run_check

CATALOG = load_catalog()


def test_base_row_is_clean(tmp_path):
    p = tmp_path / "base.csv"
    _write(p, BASE_ROW)
    assert run_check([p]).findings.empty


def _write(path, *rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_every_rule_has_both_languages():
    for r in CATALOG:
        for texts in (r.title, r.description, r.message, r.expected, r.fix):
            assert texts["ja"].strip() and texts["en"].strip(), r.code


@pytest.mark.parametrize(
    "body, error",
    [
        ("rules: [{code: X1}]", "code must look like"),
        ("rules:\n- {code: X001, severity: fatal}", "severity"),
        ("rules:\n- {code: X001, severity: error, bogus: 1}", "unknown key"),
        ("!!python/object/apply:os.system ['true']", "not valid YAML"),
    ],
)
def test_bad_rule_files(tmp_path, body, error):
    p = tmp_path / "rules.yaml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=error):
        load_catalog(p, known_columns={"grade"})


_RULE = (
    "rules:\n- code: Q001\n  severity: warning\n  fields: [grade]\n  cell: grade\n  when: \"grade == ''\"\n"
    "  title: {ja: t, en: t}\n  description: {ja: d, en: d}\n  expected: {ja: e, en: e}\n"
    "  message: {ja: m, en: m}\n  fix: {ja: f, en: f}\n  observed: x\n"
)


@pytest.mark.parametrize(
    "cases, error",
    [
        ("[]", "cases` needs fire: and quiet:"),
        ("{fire: [{row: {grade: ''}, field: grade}]}", r"cases.quiet needs at least one case"),
        ("{fire: [{row: {grade: ''}, field: grade}], quiet: [{row: {}}], loud: []}", "cases: unknown key.*loud"),
        (
            "{fire: [{row: {grade: ''}, field: grade, expect: 1}], quiet: [{row: {}}]}",
            r"cases.fire\[0\]: unknown key.*expect",
        ),
        (
            "{fire: [{row: {grade: ''}, field: grade}], quiet: [{row: {}, field: grade}]}",
            r"cases.quiet\[0\]: unknown key.*field",
        ),
        ("{fire: [{row: {grde: ''}, field: grade}], quiet: [{row: {}}]}", "unknown field.*grde"),
        ("{fire: [{row: {grade: ''}, field: baseline}], quiet: [{row: {}}]}", "`field` must name the cell"),
        ("{fire: [{row: {grade: ''}}], quiet: [{row: {}}]}", "`field` must name the cell"),
        ("{fire: [{row: {}, rows: [{}], field: grade}], quiet: [{row: {}}]}", "either `row`"),
        ("{fire: [{rows: [{}, {}], at: [3], field: grade}], quiet: [{row: {}}]}", "`at` lists"),
        (
            "{fire: [{rows: [{}, {}], at: [1, 2], field: grade, observed: [a]}], quiet: [{row: {}}]}",
            "`observed` is a text",
        ),
    ],
)
def test_bad_cases_are_refused_naming_file_and_rule(tmp_path, cases, error):
    p = tmp_path / "rules.yaml"
    p.write_text(_RULE + f"  cases: {cases}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=error) as exc:
        load_catalog(p, known_columns={"grade"})
    assert str(p) in str(exc.value) and "rule Q001" in str(exc.value)


def test_cases_are_read_and_shared_by_each_instance():
    p001 = [r for r in CATALOG if r.code == "P001"]
    assert len(p001) == 3 and all(r.cases is p001[0].cases for r in p001)
    first = p001[0].cases.fire[0]
    assert (first.field, first.observed, first.at) == ("current", ("年1回程度",), (1,))


def test_grade_texts_made_once_or_per_rule_give_the_same_findings(monkeypatch):
    """rules.evaluate makes the grade texts once for a table of up to GRADES_ONCE rows, per
    firing rule above (#14): both give the same findings. On Tottori's table the catalog's rules
    make 43 findings (46 with the header and scale notes)."""
    from pandas.testing import assert_frame_equal

    from hyoka.check import rules

    from .conftest import EXAMPLES

    result = run_check([EXAMPLES / "real" / "tidy" / "tottori_koteihyo.csv"])
    once = rules.evaluate(result.frame, result.rules, result.scale)
    monkeypatch.setattr(rules, "GRADES_ONCE", 0)
    per_rule = rules.evaluate(result.frame, result.rules, result.scale)
    assert len(once) == 43
    assert_frame_equal(once, per_rule, check_exact=True)


def test_observed_names_each_value_in_the_reports_language(tmp_path):
    """#14: `公表値 Ｂ: 60％ → 56.5％` did not say which value was which. An observed text that
    shows several values is given per language and names them; one that shows the cell's own
    value stays one text; a half-given pair is refused like any other text."""
    g002 = next(r for r in CATALOG if r.code == "G002")
    assert g002.observed == {
        "ja": "評価 {grade_raw}、基準値 {baseline_raw} → 現状値 {current_raw}",
        "en": "grade {grade_raw}, baseline {baseline_raw} → current {current_raw}",
    }
    m001 = next(r for r in CATALOG if r.code == "M001")
    assert m001.observed == {"ja": "{baseline_raw}", "en": "{baseline_raw}"}
    p = tmp_path / "rules.yaml"
    p.write_text(_RULE.replace("observed: x", 'observed: {ja: "評価 {grade}"}'), encoding="utf-8")
    with pytest.raises(ConfigError, match="`observed` needs both ja and en"):
        load_catalog(p, known_columns={"grade"})
