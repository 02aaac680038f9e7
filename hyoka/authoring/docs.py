"""Code documentation, generated from the code registry (hyoka.check.registry: the rule catalog
and the other codes' files under rules/, the same sources the checks run from).

``rule_page(code, lang)`` returns one rule's page in Markdown: what it checks, why it matters, the
condition, an example row that triggers it (with the finding it gives, computed by running hyoka
on that row), and how to fix it. ``write_docs(out_dir)`` writes ``docs/rules/CODE.md`` (Japanese
and English on one page) for every code and an index; ``page(code, lang)`` is any code's page
(``hyoka rules explain``); ``hyoka rules docs`` calls ``write_docs``, and a test keeps the
committed pages equal to what the catalog generates.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import yaml

from hyoka.atomic import atomic_write
from hyoka.check import registry
from hyoka.check.registry import CodeInfo
from hyoka.check.rules import FIELD_LABELS, Rule, load_catalog
from hyoka.compare.editions import load_edition_spec
from hyoka.pipeline import CheckOptions, run_check

# a consistent row of the seed table (市民活動センター団体登録事業, 129団体 → 150団体, now 134団体,
# graded Ｂ); each rule's example changes some of its fields
BASE_ROW = {"item": "（１）市民の組織機能を強化するための支援", "project": "市民活動センター団体登録事業",
            "department": "市民協働推進課", "partners": "①②③④⑤⑦", "grade": "Ｂ",
            "effect": "団体登録数が増加した。", "indicator": "登録団体数",
            "baseline": "129団体", "baseline_year": "R3", "target": "150団体", "target_year": "R9",
            "current": "134団体", "current_year": "R5"}
_SETTINGS = ("scale", "departments", "indicators", "formulas")
HEAD = {"ja": {"what": "何を確認するか", "when": "条件", "example": "該当する例", "finding": "出力される指摘",
               "fix": "直し方", "fields": "読む項目", "severity": "重要度", "settings": "例の設定"},
        "en": {"what": "What it checks", "when": "Condition", "example": "Example that triggers it",
               "finding": "The finding it gives", "fix": "How to fix", "fields": "Fields read",
               "severity": "Severity", "settings": "Settings of the example"}}


def example_rows(rule: Rule) -> tuple[list[dict[str, str]], dict]:
    """The example's rows (BASE_ROW changed by the example) and its settings (scale, …)."""
    examples = rule.example if isinstance(rule.example, list) else [rule.example or {}]
    rows, settings = [], {}
    for ex in examples:
        ex = dict(ex)
        for key in _SETTINGS:
            if key in ex:
                settings[key] = ex.pop(key)
        rows.append({**BASE_ROW, **{k: str(v) for k, v in ex.items()}})
    return rows, settings


def run_example(rule: Rule, lang: str = "ja"):
    """Run hyoka on the rule's example; returns the findings frame."""
    rows, settings = example_rows(rule)
    with tempfile.TemporaryDirectory() as tmp:
        if "formulas" in settings:   # a workbook whose formulas were never calculated
            from openpyxl import Workbook
            path = Path(tmp) / "example.xlsx"
            wb = Workbook()
            ws = wb.active
            ws.title = "Sheet1"
            ws.append(list(rows[0]))
            for r in rows:
                ws.append([settings["formulas"].get(k, v) for k, v in r.items()])
            wb.save(path)
        else:
            path = Path(tmp) / "example.csv"
            with open(path, "w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        options = CheckOptions(scale=settings.get("scale"), departments=settings.get("departments"), lang=lang)
        if "indicators" in settings:
            meta = Path(tmp) / "indicators.yaml"
            meta.write_text(yaml.safe_dump({"indicators": settings["indicators"]}, allow_unicode=True), encoding="utf-8")
            options.indicators = meta
        return run_check([path], options).findings


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
    rows, settings = example_rows(rule)
    rows = [{**r, **settings.get("formulas", {})} for r in rows]   # show the formula typed in
    shown = sorted({k for r in rows for k, v in r.items() if BASE_ROW.get(k) != v}
                   | {"project", "grade", "indicator", "baseline", "target", "current"},
                   key=list(BASE_ROW).index)
    lines += [f"### {h['example']}", ""]
    if settings:
        lines += [f"{h['settings']}: " + ", ".join(f"`{k}` = `{v}`" for k, v in settings.items())
                  + (" (.xlsx)" if "formulas" in settings else ""), ""]
    lines += ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    lines += ["| " + " | ".join(_md(r[k]) or " " for k in shown) + " |" for r in rows]
    found = run_example(rule, lang)
    mine = found[found["code"] == rule.code]
    lines += ["", f"### {h['finding']}", ""]
    for f in mine.itertuples():
        cell = f.cell.replace("example.csv", "table.csv").replace("[example.xlsx]", "[table.xlsx]")
        lines.append(f"- `{cell}` — {f.message}")
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
    ex = load_edition_spec().codes[code].example or {}
    prev = [{**BASE_ROW, "current_year": "R4", **{k: str(v) for k, v in e.items()}} for e in ex.get("previous", [{}])]
    cur = [{**BASE_ROW, **{k: str(v) for k, v in e.items()}} for e in ex.get("current", [{}])]
    return prev, cur


def run_edition_example(code: str, lang: str = "ja"):
    """Run ``hyoka check r5.csv --previous r4.csv`` on the code's example; the findings frame."""
    prev, cur = edition_example(code)
    with tempfile.TemporaryDirectory() as tmp:
        _write_csv(Path(tmp) / "r4.csv", prev)
        _write_csv(Path(tmp) / "r5.csv", cur)
        return run_check([Path(tmp) / "r5.csv"], CheckOptions(lang=lang, previous=[Path(tmp) / "r4.csv"])).findings


def edition_page(code: str, lang: str) -> str:
    """One edition code's page (rules/edition_findings.yaml): what, condition, example, finding, fix."""
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


def code_page(c: CodeInfo, lang: str) -> str:
    """One page for a code without an example (the schema, reading tables, waivers): what it
    reports, its message and expected value as templates, how to fix it, and the file its texts
    come from (hyoka.check.registry)."""
    h = HEAD[lang]
    label = {"ja": ("指摘文（{…} は値で置き換え）", "期待される内容", "文言の定義"),
             "en": ("Message ({…} filled with values)", "Expected", "Texts defined in")}[lang]
    lines = [f"## {c.code} {c.text('title', lang)}", "", f"{h['severity']}: **{c.severity}**", "",
             f"### {h['what']}", "", c.text("description", lang), "",
             f"### {h['finding']}", "", f"- {label[0]}: {c.text('message', lang)}",
             f"- {label[1]}: {c.text('expected', lang)}", ""]
    if c.text("fix", lang):
        lines += [f"### {h['fix']}", "", c.text("fix", lang), ""]
    lines += [f"{label[2]}: `{c.source}`", ""]
    return "\n".join(lines)


def page(code: str, lang: str, catalog: list[Rule] | None = None) -> str | None:
    """The page of any code (hyoka.check.registry): a rule of ``catalog`` (default: the bundled
    one), an edition code, or another code; None for a code hyoka does not have."""
    catalog = catalog if catalog is not None else load_catalog()
    c = registry.all_codes(catalog).get(code)
    if c is None:
        return None
    if c.kind == "rule":
        return rule_page(by_code(catalog)[code], lang)
    if c.kind == "edition":
        return edition_page(code, lang)
    return code_page(c, lang)


def write_docs(out_dir: Path | str, catalog: list[Rule] | None = None) -> list[Path]:
    """Write docs/rules/CODE.md for every code of the registry (hyoka.check.registry: the rules of
    ``catalog``, default the bundled one, then the edition, schema, table and waiver codes) and
    docs/rules/README.md (the index). Returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    catalog = catalog if catalog is not None else load_catalog()
    codes = registry.all_codes(catalog)
    written = []
    index = ["# hyoka rules / ルール一覧", "",
             "Generated from rules/catalog.yaml, rules/edition_findings.yaml (E: comparing with last "
             "year's edition, `hyoka check --previous`), rules/schema_findings.yaml (S: the schema), "
             "rules/load_findings.yaml (H: reading tables) and rules/waiver_findings.yaml (W: waivers) by "
             "`hyoka rules docs`; do not edit by hand.", "",
             "| code | severity | 名称 | title |", "|---|---|---|---|"]
    rules = sorted(code for code, c in codes.items() if c.kind == "rule")
    others = sorted((code for code, c in codes.items() if c.kind != "rule"),
                    key=lambda code: (codes[code].kind != "edition", code))
    for code in [*rules, *others]:
        c = codes[code]
        path = out / f"{code}.md"
        atomic_write(path, f"# {code}\n\n" + page(code, "ja", catalog) + "\n---\n\n" + page(code, "en", catalog))
        written.append(path)
        index.append(f"| [{code}]({code}.md) | {c.severity} | {c.text('title', 'ja')} | {c.text('title', 'en')} |")
    path = out / "README.md"
    atomic_write(path, "\n".join(index) + "\n")
    written.append(path)
    return written
