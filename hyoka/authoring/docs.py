"""Rule documentation, generated from the rule catalog (the same source the checks run from).

``rule_page(code, lang)`` returns one rule's page in Markdown: what it checks, why it matters, the
condition, its cases (:mod:`hyoka.check.cases`): the rows that trigger it with the findings they
give, computed by running hyoka on them, and the near misses that do not, and how to fix it. ``write_docs(out_dir)`` writes ``docs/rules/CODE.md`` (Japanese
and English on one page) and an index; ``hyoka rules docs`` calls it, and a test keeps the
committed pages equal to what the catalog generates.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hyoka.authoring.cases import BASE_ROW, case_rows, run_case
from hyoka.check.cases import Case, from_example
from hyoka.check.rules import FIELD_LABELS, Rule, load_catalog
from hyoka.output.places import with_cells

HEAD = {"ja": {"what": "何を確認するか", "when": "条件", "example": "該当する例", "finding": "出力される指摘",
               "fix": "直し方", "fields": "読む項目", "severity": "重要度", "settings": "設定",
               "fire": "該当する例", "fired": "出力される指摘", "quiet": "該当しない例（近いが整合している行）"},
        "en": {"what": "What it checks", "when": "Condition", "example": "Example that triggers it",
               "finding": "The finding it gives", "fix": "How to fix", "fields": "Fields read",
               "severity": "Severity", "settings": "Settings",
               "fire": "Rows that trigger it", "fired": "The findings they give",
               "quiet": "Near misses that do not trigger it"}}


def rule_cases(rule: Rule) -> tuple[list[Case], list[Case]]:
    """The rule's cases that fire and quiet ones (a catalog with only the older ``example:`` gives
    it as the one case that fires)."""
    if rule.cases:
        return list(rule.cases.fire), list(rule.cases.quiet)
    return ([from_example(rule.example)] if rule.example is not None else []), []


def _flow(value: object) -> str:
    """A setting as one line of YAML flow style (``[{name: 登録団体数, unit: 団体}]``)."""
    import yaml

    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip().removesuffix("\n...")


def _case_table(cases: list[Case], shown: list[str], lang: str) -> list[str]:
    """A Markdown table of the cases' rows (numbered by case), with their settings if any."""
    with_settings = any(c.settings for c in cases)
    head = ["#", *shown] + ([HEAD[lang]["settings"]] if with_settings else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, case in enumerate(cases, 1):
        formulas = case.settings.get("formulas") or {}
        note = ", ".join(f"`{k}: {_flow(v)}`" if k != "formulas" else ".xlsx"   # its formulas are shown in the cells
                         for k, v in case.settings.items())
        for r in case_rows(case):
            r = {**r, **formulas}   # show the formula typed in
            cells = [str(i), *[_md(r[k]) or " " for k in shown]] + ([note or " "] if with_settings else [])
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rule_page(rules: list[Rule], lang: str) -> str:
    """One rule's page (all instances of an `each` rule share it)."""
    rule = rules[0]
    h = HEAD[lang]
    fields = sorted({f for r in rules for f in r.fields}, key=list(FIELD_LABELS).index)
    labels = [FIELD_LABELS[f][0 if lang == "ja" else 1] for f in fields]
    lines = [f"## {rule.code} {rule.title[lang]}", "",
             f"`{rule.name}` · {h['severity']}: **{rule.severity}** · {h['fields']}: {', '.join(labels)}", "",
             f"### {h['what']}", "", rule.description[lang], "",
             f"### {h['when']}", "", *[f"    {' '.join(r.when.text.split())}" for r in rules], ""]
    fire, quiet = rule_cases(rule)
    shown = sorted({k for c in fire + quiet for r in case_rows(c) for k, v in r.items() if BASE_ROW.get(k) != v}
                   | {"project", "grade", "indicator", "baseline", "target", "current"},
                   key=list(BASE_ROW).index)
    lines += [f"### {h['fire']}", "", *_case_table(fire, shown, lang), "", f"### {h['fired']}", ""]
    # the cases run with the bundled catalog: only its own rules can be selected (a rule of another
    # catalog, `--rules`, shows no finding here)
    select = [rule.code] if rule.code in {r.code for r in load_catalog()} else None
    for i, case in enumerate(fire, 1):
        found = with_cells(run_case(case, lang, select=select))
        for f in found[found["code"] == rule.code].itertuples():
            lines.append(f"- {i}: `{f.cell}` — {f.message}")
    if quiet:
        lines += ["", f"### {h['quiet']}", "", *_case_table(quiet, shown, lang)]
    lines += ["", f"### {h['fix']}", "", rule.fix[lang], ""]
    return "\n".join(lines)


def by_code(catalog: list[Rule]) -> dict[str, list[Rule]]:
    out: dict[str, list[Rule]] = {}
    for r in catalog:
        out.setdefault(r.code, []).append(r)
    return out


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def edition_example(code: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Last year's and this year's rows of an edition code's example (BASE_ROW changed by the
    example's ``previous`` / ``current`` entries; last year's current value is of R4)."""
    from hyoka.compare.editions import load_edition_spec

    ex = load_edition_spec().codes[code].example or {}
    prev = [{**BASE_ROW, "current_year": "R4", **{k: str(v) for k, v in e.items()}} for e in ex.get("previous", [{}])]
    cur = [{**BASE_ROW, **{k: str(v) for k, v in e.items()}} for e in ex.get("current", [{}])]
    return prev, cur


def run_edition_example(code: str, lang: str = "ja"):
    """Run ``hyoka check r5.csv --previous r4.csv`` on the code's example; the findings frame,
    with the ``cell`` text."""
    from hyoka.pipeline import CheckOptions, run_check

    prev, cur = edition_example(code)
    with tempfile.TemporaryDirectory() as tmp:
        _write_csv(Path(tmp) / "r4.csv", prev)
        _write_csv(Path(tmp) / "r5.csv", cur)
        return with_cells(run_check([Path(tmp) / "r5.csv"], CheckOptions(lang=lang, previous=[Path(tmp) / "r4.csv"])))


def edition_page(code: str, lang: str) -> str:
    """One edition code's page (rules/edition_findings.yaml): what, condition, example, finding, fix."""
    from hyoka.compare.editions import load_edition_spec

    c = load_edition_spec().codes[code]
    h = HEAD[lang]
    year = {"ja": ("前年度（r4.csv）", "今年度（r5.csv）"), "en": ("Last year (r4.csv)", "This year (r5.csv)")}[lang]
    lines = [f"## {code} {c.texts['title'][lang]}", "",
             f"`{c.name}` · {h['severity']}: **{c.severity}** · `hyoka check --previous`", "",
             f"### {h['what']}", "", c.texts["description"][lang], "",
             f"### {h['when']}", "", c.texts["condition"][lang], "", f"### {h['example']}", ""]
    prev, cur = edition_example(code)
    shown = sorted({k for r in prev + cur for k, v in r.items() if BASE_ROW.get(k) != v and k != "current_year"}
                   | {"department", "project", "grade", "indicator", "baseline", "target", "current"},
                   key=list(BASE_ROW).index)
    lines += ["| | " + " | ".join(shown) + " |", "|---|" + "---|" * len(shown)]
    for label, rows in zip(year, (prev, cur)):
        lines += [f"| {label} | " + " | ".join(_md(r[k]) or " " for k in shown) + " |" for r in rows]
    found = run_edition_example(code, lang)
    lines += ["", f"### {h['finding']}", ""]
    for f in found[found["code"] == code].itertuples():
        lines.append(f"- `{f.cell}` — {f.message}")
    lines += ["", f"### {h['fix']}", "", c.texts["fix"][lang], ""]
    return "\n".join(lines)


#: where the codes outside the rule catalog come from (their texts live in these files)
OTHER_SOURCES = {"S": "checks/failures.yaml (checks/normalised.yaml)", "H": "rules/load_findings.yaml",
                 "W": "hyoka/waivers/waive.py (--waivers)"}


def other_codes() -> dict[str, dict]:
    """The codes raised outside the rule catalog and the edition comparison: S000–S003 (the
    schema), H001 (reading a table), W001/W002 (waivers). Each: severity, source, and the texts
    title/description/message/expected/fix as ``{lang: text}``, read from where the code is raised."""
    from hyoka.resources import data_dir, load_yaml
    from hyoka.waivers.waive import W_EXPIRED, W_UNUSED, _TEXTS

    out: dict[str, dict] = {}
    failures = load_yaml(data_dir("checks") / "failures.yaml")
    for spec in [failures["default"], *(failures.get("columns") or {}).values()]:
        spec = {**failures["default"], **spec}
        out.setdefault(spec["code"], {"severity": spec["severity"], "source": OTHER_SOURCES["S"],
                                      **{k: spec.get(k) or {} for k in ("title", "description", "message",
                                                                         "expected", "fix")}})
    h = load_yaml(data_dir("rules") / "load_findings.yaml")["H001"]
    out["H001"] = {"severity": h["severity"], "source": OTHER_SOURCES["H"],
                   **{k: h.get(k) or {} for k in ("title", "description", "message", "expected", "fix")}}
    for code, severity in ((W_EXPIRED, "warning"), (W_UNUSED, "info")):
        out[code] = {"severity": severity, "source": OTHER_SOURCES["W"],
                     **{k: {lang: _TEXTS[lang][code][k] for lang in ("ja", "en")}
                        for k in ("title", "description", "message", "expected", "fix")}}
    return dict(sorted(out.items()))


def other_page(code: str, lang: str) -> str:
    """One page for a code of :func:`other_codes`: what it reports, its message and expected
    value as templates, how to fix it, and the file its texts come from."""
    c = other_codes()[code]
    h = HEAD[lang]
    label = {"ja": ("指摘文（{…} は値で置き換え）", "期待される内容", "文言の定義"),
             "en": ("Message ({…} filled with values)", "Expected", "Texts defined in")}[lang]
    lines = [f"## {code} {c['title'].get(lang, '')}", "", f"{h['severity']}: **{c['severity']}**", "",
             f"### {h['what']}", "", c["description"].get(lang, ""), "",
             f"### {h['finding']}", "", f"- {label[0]}: {c['message'].get(lang, '')}",
             f"- {label[1]}: {c['expected'].get(lang, '')}", ""]
    if c["fix"].get(lang):
        lines += [f"### {h['fix']}", "", c["fix"][lang], ""]
    lines += [f"{label[2]}: `{c['source']}`", ""]
    return "\n".join(lines)


def write_docs(out_dir: Path | str, catalog: list[Rule] | None = None) -> list[Path]:
    """Write docs/rules/CODE.md for every rule and every edition code (rules/edition_findings.yaml),
    and docs/rules/README.md (the index)."""
    from hyoka.compare.editions import load_edition_spec

    from hyoka.output.report import atomic_write

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    groups = by_code(catalog or load_catalog())
    written = []
    index = ["# hyoka rules / ルール一覧", "",
             "Generated from rules/catalog.yaml, rules/edition_findings.yaml (E: comparing with last "
             "year's edition, `hyoka check --previous`), checks/failures.yaml (S: the schema), "
             "rules/load_findings.yaml (H: reading tables) and hyoka/waivers/waive.py (W: waivers) by "
             "`hyoka rules docs`; do not edit by hand.", "",
             "| code | severity | 名称 | title |", "|---|---|---|---|"]
    for code, rules in sorted(groups.items()):
        page = rule_page(rules, "ja") + "\n---\n\n" + rule_page(rules, "en")
        path = out / f"{code}.md"
        atomic_write(path, f"# {code}\n\n" + page)
        written.append(path)
        index.append(f"| [{code}]({code}.md) | {rules[0].severity} | {rules[0].title['ja']} | {rules[0].title['en']} |")
    for code, c in sorted(load_edition_spec().codes.items()):   # comparing editions (--previous)
        page = edition_page(code, "ja") + "\n---\n\n" + edition_page(code, "en")
        path = out / f"{code}.md"
        atomic_write(path, f"# {code}\n\n" + page)
        written.append(path)
        index.append(f"| [{code}]({code}.md) | {c.severity} | {c.texts['title']['ja']} | {c.texts['title']['en']} |")
    for code, c in other_codes().items():   # the schema, reading tables, waivers
        page = other_page(code, "ja") + "\n---\n\n" + other_page(code, "en")
        path = out / f"{code}.md"
        atomic_write(path, f"# {code}\n\n" + page)
        written.append(path)
        index.append(f"| [{code}]({code}.md) | {c['severity']} | {c['title']['ja']} | {c['title']['en']} |")
    path = out / "README.md"
    atomic_write(path, "\n".join(index) + "\n")
    written.append(path)
    return written
