"""Code documentation, generated from the code registry (hyoka.check.registry: the rule catalog
and the other codes' files under rules/, the same sources the checks run from).

``rule_page(code, lang)`` returns one rule's page in Markdown: what it checks, why it matters, the
condition, its cases (:mod:`hyoka.check.cases`): the rows that trigger it with the findings they
give, computed by running hyoka on them, and the near misses that do not, and how to fix it.
``write_docs(out_dir)`` writes ``docs/rules/CODE.md`` (Japanese and English on one page) for every
code and an index; ``page(code, lang)`` is any code's page (``hyoka rules explain``); ``hyoka rules
docs`` calls ``write_docs``, and a test keeps the
committed pages equal to what the catalog generates.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import yaml

from hyoka.atomic import atomic_write
from hyoka.authoring.cases import BASE_ROW, case_rows, run_case
from hyoka.check import registry
from hyoka.check.cases import Case, from_example
from hyoka.check.registry import CodeInfo
from hyoka.check.rules import FIELD_LABELS, Rule, load_catalog
from hyoka.compare.editions import load_edition_spec
from hyoka.options import CheckOptions
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check

#: the order of a case table's columns: the base row's fields, then the fields it lacks (target
#: bounds, rate) in the order of FIELD_LABELS
COLUMN_ORDER = [*BASE_ROW, *(f for f in FIELD_LABELS if f not in BASE_ROW)]

HEAD = {
    "ja": {
        "what": "何を確認するか",
        "when": "条件",
        "example": "該当する例",
        "finding": "出力される指摘",
        "fix": "直し方",
        "fields": "読む項目",
        "needs": "列がないと行わない（H002）",
        "each": "（それぞれの項目の検査は、その項目の列がないと行わない）",
        "severity": "重要度",
        "settings": "設定",
        "fire": "該当する例",
        "fired": "出力される指摘",
        "quiet": "該当しない例（近いが整合している行）",
    },
    "en": {
        "what": "What it checks",
        "when": "Condition",
        "example": "Example that triggers it",
        "finding": "The finding it gives",
        "fix": "How to fix",
        "fields": "Fields read",
        "needs": "Not run without a column for (H002)",
        "each": " (the check of each field needs that field's column)",
        "severity": "Severity",
        "settings": "Settings",
        "fire": "Rows that trigger it",
        "fired": "The findings they give",
        "quiet": "Near misses that do not trigger it",
    },
}


def rule_cases(rule: Rule) -> tuple[list[Case], list[Case]]:
    """The rule's cases that fire and quiet ones (a catalog with only the older ``example:`` gives
    it as the one case that fires)."""
    if rule.cases:
        return list(rule.cases.fire), list(rule.cases.quiet)
    return ([from_example(rule.example)] if rule.example is not None else []), []


def _flow(value: object) -> str:
    """A setting as one line of YAML flow style (``[{name: 登録団体数, unit: 団体}]``)."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip().removesuffix("\n...")


def _case_table(cases: list[Case], shown: list[str], lang: str) -> list[str]:
    """A Markdown table of the cases' rows (numbered by case), with their settings if any."""
    with_settings = any(c.settings for c in cases)
    head = ["#", *shown] + ([HEAD[lang]["settings"]] if with_settings else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, case in enumerate(cases, 1):
        formulas = case.settings.get("formulas") or {}
        note = ", ".join(
            f"`{k}: {_flow(v)}`" if k != "formulas" else ".xlsx"  # its formulas are shown in the cells
            for k, v in case.settings.items()
        )
        for r in case_rows(case):
            r = {**r, **formulas}  # show the formula typed in
            cells = [str(i), *[_md(r.get(k, "")) or " " for k in shown]] + ([note or " "] if with_settings else [])
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rule_page(rules: list[Rule], lang: str) -> str:
    """One rule's page (all instances of an `each` rule share it)."""
    rule = rules[0]
    h = HEAD[lang]
    order = list(FIELD_LABELS).index

    def labels(fields: set[str]) -> str:
        return ", ".join(FIELD_LABELS[f][0 if lang == "ja" else 1] for f in sorted(fields, key=order))

    needs = labels({f for r in rules for f in r.needs})
    if needs and rule.each_field and all(r.each_field in r.needs for r in rules):
        needs += h["each"]
    lines = [
        f"## {rule.code} {rule.title[lang]}",
        "",
        f"`{rule.name}` · {h['severity']}: **{rule.severity}** · {h['fields']}: {labels({f for r in rules for f in r.fields})}"
        + (f" · {h['needs']}: {needs}" if needs else ""),
        "",
        f"### {h['what']}",
        "",
        rule.description[lang],
        "",
        f"### {h['when']}",
        "",
        *[f"    {' '.join(r.when.text.split())}" for r in rules],
        "",
    ]
    fire, quiet = rule_cases(rule)
    shown = sorted(
        {k for c in fire + quiet for r in case_rows(c) for k, v in r.items() if BASE_ROW.get(k) != v}
        | {"project", "grade", "indicator", "baseline", "target", "current"},
        key=COLUMN_ORDER.index,
    )
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
    ex = load_edition_spec().codes[code].example or {}
    prev = [{**BASE_ROW, "current_year": "R4", **{k: str(v) for k, v in e.items()}} for e in ex.get("previous", [{}])]
    cur = [{**BASE_ROW, **{k: str(v) for k, v in e.items()}} for e in ex.get("current", [{}])]
    return prev, cur


def run_edition_example(code: str, lang: str = "ja"):
    """Run ``hyoka check r5.csv --previous r4.csv`` on the code's example; the findings frame,
    with the ``cell`` text."""
    prev, cur = edition_example(code)
    with tempfile.TemporaryDirectory() as tmp:
        _write_csv(Path(tmp) / "r4.csv", prev)
        _write_csv(Path(tmp) / "r5.csv", cur)
        return with_cells(run_check([Path(tmp) / "r5.csv"], CheckOptions(lang=lang, previous=[Path(tmp) / "r4.csv"])))


def edition_page(code: str, lang: str) -> str:
    """One edition code's page (rules/edition_findings.yaml): what, condition, example, finding, fix."""
    c = load_edition_spec().codes[code]
    h = HEAD[lang]
    year = {"ja": ("前年度（r4.csv）", "今年度（r5.csv）"), "en": ("Last year (r4.csv)", "This year (r5.csv)")}[lang]
    lines = [
        f"## {code} {c.texts['title'][lang]}",
        "",
        f"`{c.name}` · {h['severity']}: **{c.severity}** · `hyoka check --previous`",
        "",
        f"### {h['what']}",
        "",
        c.texts["description"][lang],
        "",
        f"### {h['when']}",
        "",
        c.texts["condition"][lang],
        "",
        f"### {h['example']}",
        "",
    ]
    prev, cur = edition_example(code)
    shown = sorted(
        {k for r in prev + cur for k, v in r.items() if BASE_ROW.get(k) != v and k != "current_year"}
        | {"department", "project", "grade", "indicator", "baseline", "target", "current"},
        key=COLUMN_ORDER.index,
    )
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
    label = {
        "ja": ("指摘文（{…} は値で置き換え）", "期待される内容", "文言の定義"),
        "en": ("Message ({…} filled with values)", "Expected", "Texts defined in"),
    }[lang]
    lines = [
        f"## {c.code} {c.text('title', lang)}",
        "",
        f"`{c.name}` · {h['severity']}: **{c.severity}**",
        "",
        f"### {h['what']}",
        "",
        c.text("description", lang),
        "",
        f"### {h['finding']}",
        "",
        f"- {label[0]}: {c.text('message', lang)}",
        f"- {label[1]}: {c.text('expected', lang)}",
        "",
    ]
    if c.text("fix", lang):
        lines += [f"### {h['fix']}", "", c.text("fix", lang), ""]
    lines += [f"{label[2]}: `{c.source}`", ""]
    return "\n".join(lines)


def page(code: str, lang: str, catalog: list[Rule] | None = None) -> str | None:
    """The page of any code (hyoka.check.registry): a rule of ``catalog`` (default: the bundled
    one), an edition code, or another code; None for a code hyoka does not have."""
    catalog = catalog if catalog is not None else load_catalog()
    c = registry.all_codes(catalog).get(code)
    return None if c is None else _page_of(code, c, lang, catalog)


def _page_of(code: str, c: CodeInfo, lang: str, catalog: list[Rule]) -> str:
    """The page of a code the registry has (``c``, its entry)."""
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
    index = [
        "# hyoka rules / ルール一覧",
        "",
        "Generated from rules/catalog.yaml, rules/edition_findings.yaml (E: comparing with last "
        "year's edition, `hyoka check --previous`), rules/schema_findings.yaml (S: the schema), "
        "rules/load_findings.yaml (H: reading tables) and rules/waiver_findings.yaml (W: waivers) by "
        "`hyoka rules docs`; do not edit by hand.",
        "",
        "| code | severity | 名称 | title |",
        "|---|---|---|---|",
    ]
    rules = sorted(code for code, c in codes.items() if c.kind == "rule")
    others = sorted(
        (code for code, c in codes.items() if c.kind != "rule"), key=lambda code: (codes[code].kind != "edition", code)
    )
    for code in [*rules, *others]:
        c = codes[code]
        path = out / f"{code}.md"
        atomic_write(
            path, f"# {code}\n\n" + _page_of(code, c, "ja", catalog) + "\n---\n\n" + _page_of(code, c, "en", catalog)
        )
        written.append(path)
        index.append(f"| [{code}]({code}.md) | {c.severity} | {c.text('title', 'ja')} | {c.text('title', 'en')} |")
    path = out / "README.md"
    atomic_write(path, "\n".join(index) + "\n")
    written.append(path)
    return written
