"""Every rule in the catalog fires on its own documented example, and loading is strict."""

import csv

import pytest

from hyoka.errors import ConfigError
from hyoka.authoring.docs import BASE_ROW, run_example
from hyoka.pipeline import run_check
from hyoka.check.rules import load_catalog

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


@pytest.mark.parametrize("code", sorted({r.code for r in CATALOG}))
def test_rule_fires_on_its_example(code):
    rule = next(r for r in CATALOG if r.code == code)
    assert rule.example is not None, f"{code} has no example"
    found = run_example(rule)   # the same run that writes the example's finding into docs/rules
    assert code in set(found["code"]), found[["code", "message"]].to_string()


def test_every_rule_has_both_languages():
    for r in CATALOG:
        for texts in (r.title, r.description, r.message, r.expected, r.fix):
            assert texts["ja"].strip() and texts["en"].strip(), r.code


@pytest.mark.parametrize("body, error", [
    ("rules: [{code: X1}]", "code must look like"),
    ("rules:\n- {code: X001, severity: fatal}", "severity"),
    ("rules:\n- {code: X001, severity: error, bogus: 1}", "unknown key"),
    ("!!python/object/apply:os.system ['true']", "not valid YAML"),
])
def test_bad_rule_files(tmp_path, body, error):
    p = tmp_path / "rules.yaml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=error):
        load_catalog(p, known_columns={"grade"})
