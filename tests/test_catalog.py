"""Every rule in the catalog fires on its own documented example, and loading is strict."""

import csv

import yaml

import pytest

from hyoka.errors import ConfigError
from hyoka.pipeline import CheckOptions, run_check
from hyoka.rules import load_catalog

# a consistent row from the seed (市民活動センター団体登録事業); each example changes some fields
BASE = {"item": "（１）市民の組織機能を強化するための支援", "project": "市民活動センター団体登録事業",
        "department": "市民協働推進課", "partners": "①②③④⑤⑦", "grade": "Ｂ", "indicator": "登録団体数",
        "baseline": "129団体", "baseline_year": "R3", "target": "150団体", "target_year": "R9",
        "current": "134団体", "current_year": "R5"}
CATALOG = load_catalog()


def test_base_row_is_clean(tmp_path):
    p = tmp_path / "base.csv"
    _write(p, BASE)
    assert run_check([p]).findings.empty


def _write(path, *rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize("code", sorted({r.code for r in CATALOG}))
def test_rule_fires_on_its_example(tmp_path, code):
    rule = next(r for r in CATALOG if r.code == code)
    assert rule.example is not None, f"{code} has no example"
    # an example is one row or a list of rows (cross-row rules), changing fields of BASE; it may
    # name the scale, the plan's department list and indicator metadata it is checked with
    examples = rule.example if isinstance(rule.example, list) else [rule.example]
    options = CheckOptions()
    rows = []
    for example in examples:
        example = dict(example)
        options.scale = example.pop("scale", options.scale)
        options.departments = example.pop("departments", options.departments)
        if "indicators" in example:
            meta = tmp_path / "indicators.yaml"
            meta.write_text(yaml.safe_dump({"indicators": example.pop("indicators")}, allow_unicode=True), encoding="utf-8")
            options.indicators = meta
        rows.append({**BASE, **{k: str(v) for k, v in example.items()}})
    p = tmp_path / "example.csv"
    _write(p, *rows)
    found = run_check([p], options).findings
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
