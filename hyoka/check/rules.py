"""Declarative rules (rules/catalog.yaml): loading, and evaluation on whole columns.

A rule is a YAML mapping with ``code`` (stable, e.g. ``G002``), ``name`` (kebab-case),
``severity`` (error / warning / info), ``fields`` (the fields it reads), optionally ``needs`` (the
fields a table must have columns for, or the rule does not run on its rows: see
:mod:`hyoka.check.profile`; default ``fields``. A field the condition can do without, such as the
indicator a message names, is left out), ``cell`` (the field whose cell the finding points at, or one value of the row's yearly series:
:data:`SERIES_CELLS`), ``when`` (a condition in the language of :mod:`hyoka.check.expr`),
``title``, ``description``, ``expected``, ``message``, ``fix`` (each ``{ja, en}``), ``observed``
(the values the finding is about as published: one template when it shows one value, the cell's,
or ``{ja, en}`` templates that name each value when it shows several: ``評価 {grade_raw}、基準値
{baseline_raw} → 現状値 {current_raw}``) and optionally ``each`` (a list of fields: the rule is applied once per field, with
``$field`` in every text replaced by it), ``group_by`` (columns of the normalised frame: the rows a
rule fires on that share a table, a department and these columns' text (NFKC, ends trimmed) give
one finding, on the first of them, its project, item and indicator blank where the rows differ:
G001 is said once per spelling of a grade, not once per row), ``cases`` (rows that must fire it and near misses that
must not: :mod:`hyoka.check.cases`, run by tests/test_rule_cases.py and shown in the docs) and
``example`` (older form of one case that fires, for catalogs without ``cases``).

Templates (:mod:`hyoka.check.text`: ``{name}`` or ``{name|filter}``) fill ``{name}`` from the
row's column of that name in the normalised frame (see :mod:`hyoka.normalise.frame`) or from the
context: ``field_ja``/``field_en`` (the field's label), ``scale_name``, ``scale_codes``,
``scale_upper``, ``scale_lower``, ``scale_below_upper`` (middle and lower grades),
``scale_above_lower`` (upper and middle grades), ``scale_top`` (the grade ranked 1), ``rows`` (the rows a finding is about, as text:
``44、45、46行目の3行`` / ``rows 44, 45, 46 (3 rows)``; the row itself unless the rule has ``group_by``) and
``row_count``; filters make display text from codes and numbers
(``{direction|label}``, ``{progress|pct}``, ``{bound|range}``). Only names are allowed, so a
template cannot reach attributes or call anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from hyoka.check import findings as F
from hyoka.check.cases import Cases, parse_cases
from hyoka.check.expr import Expression, parse
from hyoka.check.profile import has_fields, row_labels, table_groups
from hyoka.check.text import BLANK, check_template, render, template_columns
from hyoka.errors import ConfigError
from hyoka.normalise.measures import on_distinct
from hyoka.normalise.scale import GradingScale
from hyoka.normalise.text import text_keys
from hyoka.resources import data_dir, load_yaml, reject_unknown

LANGS = ("ja", "en")
FIELD_LABELS = {
    "item": ("項目", "item"),
    "project": ("事業名", "project"),
    "department": ("担当課", "department"),
    "activities": ("取組内容", "activities"),
    "partners": ("協働の相手", "partners"),
    "grade": ("事業の評価", "grade"),
    "effect": ("効果、理由（問題点）", "effect"),
    "remarks": ("備考", "remarks"),
    "indicator": ("目標指標", "indicator"),
    "baseline": ("基準値", "baseline"),
    "target": ("目標値", "target"),
    "current": ("現状値", "current"),
    "baseline_year": ("基準年度", "baseline year"),
    "target_year": ("目標年度", "target year"),
    "current_year": ("現状値の年度", "current year"),
    "target_min": ("目標値（下限）", "minimum target"),
    "target_max": ("目標値（上限）", "maximum target"),
    "rate": ("達成率", "rate"),
    "value_type": ("値の種類", "value type"),
    "target_month": ("目標月", "target month"),
    "period": ("達成時期の区分", "period"),
    # a row's yearly values (a wide or long table: hyoka.normalise.series); a case row writes
    # them as one text, "234 | 230 | 0" (hyoka.authoring.cases)
    "series": ("年度別の値", "yearly values"),
}
#: cells a finding may point at besides the fields' own: one value of a row's yearly series,
#: placed by hyoka.normalise.series (``col_``/``char_``/``cellrow_<cell>``)
SERIES_CELLS = {
    "series_after_end": ("終了後の年度の値", "value after the end"),
    "series_zero": ("年度別の値（0）", "yearly value (0)"),
    "series_marker": ("年度別の値（欠測記号）", "yearly value (missing marker)"),
    "series_decimals": ("年度別の値（小数の桁）", "yearly value (decimals)"),
}
CELL_LABELS = {**FIELD_LABELS, **SERIES_CELLS}
_KEYS = {
    "code",
    "name",
    "severity",
    "fields",
    "needs",
    "cell",
    "when",
    "title",
    "description",
    "observed",
    "expected",
    "message",
    "fix",
    "each",
    "example",
    "cases",
    "group_by",
}
#: up to this many rows, the grade texts of findings are made once for the whole table (1 s at 1M rows)
GRADES_ONCE = 100_000
#: rows listed by ``{rows}`` in one finding; more are counted (… ほか12行)
ROWS_SHOWN = 10
_CODE = re.compile(r"^[A-Z]{1,3}\d{3}$")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    fields: tuple[str, ...]
    cell: str
    when: Expression
    title: dict[str, str]
    description: dict[str, str]
    observed: dict[str, str]  # lang → template
    expected: dict[str, str]
    message: dict[str, str]
    fix: dict[str, str]
    example: dict | None = None
    each_field: str | None = None  # the field this instance of an `each` rule is about
    cases: Cases | None = None  # shared by all instances of an `each` rule
    needs: tuple[str, ...] = ()  # the fields a table must have for the rule to run on its rows
    group_by: tuple[str, ...] = ()  # one finding per table, department and these columns' text


def _text(entry: dict, key: str, where: str) -> dict[str, str]:
    val = entry.get(key)
    if not isinstance(val, dict) or not all(isinstance(val.get(lang), str) for lang in LANGS):
        raise ConfigError(f"{where}: `{key}` needs both ja and en texts")
    if extra := set(val) - set(LANGS):
        # {ja: a, en: b, c} in YAML flow style cuts the English at the comma: quote the text
        raise ConfigError(
            f"{where}: `{key}` has keys other than ja/en ({', '.join(map(str, extra))}); "
            "quote texts that contain commas"
        )
    return {lang: val[lang] for lang in LANGS}


def load_catalog(path: Path | str | None = None, known_columns: set[str] | None = None) -> list[Rule]:
    """Read a rule file (default: bundled rules/catalog.yaml). ``known_columns`` are the column
    names expressions and templates may use. Raises ConfigError naming file, rule and key."""
    path = Path(path) if path else data_dir("rules") / "catalog.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"{path}: expected `rules:` followed by a list of rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["rules"]):
        where = f"{path}: rules[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each rule is a mapping")
        code = str(entry.get("code", ""))
        where = f"{path}: rule {code or i}"
        if not _CODE.match(code):
            raise ConfigError(f"{where}: code must look like G002 (letters then three digits)")
        if code in seen:
            raise ConfigError(f"{where}: duplicate code")
        seen.add(code)
        reject_unknown(entry, _KEYS, where)
        severity = str(entry.get("severity", ""))
        if severity not in F.SEVERITIES:
            raise ConfigError(f"{where}: severity must be one of {', '.join(F.SEVERITIES)}")
        each = entry.get("each") or [None]
        instances = [_instance(entry, code, severity, fld, where, known_columns) for fld in each]
        if "cases" in entry:
            cases = parse_cases(entry["cases"], where, set(FIELD_LABELS), {r.cell for r in instances})
            instances = [replace(r, cases=cases) for r in instances]
        rules.extend(instances)
    return rules


def _sub(text: str, fld: str | None) -> str:
    return text.replace("$field", fld) if fld else text


def _instance(entry: dict, code: str, severity: str, fld: str | None, where: str, known: set[str] | None) -> Rule:
    when = parse(_sub(str(entry.get("when", "")), fld), known, where)
    cell = _sub(str(entry.get("cell", "")), fld)
    if cell not in CELL_LABELS:
        raise ConfigError(f"{where}: `cell` must name a field ({', '.join(CELL_LABELS)})")
    texts = {k: _text(entry, k, where) for k in ("title", "description", "expected", "message", "fix")}
    texts = {k: {lang: _sub(v, fld) for lang, v in t.items()} for k, t in texts.items()}
    given = entry.get("observed", "")
    observed = (
        {lang: _sub(t, fld) for lang, t in _text(entry, "observed", where).items()}
        if isinstance(given, dict)
        else {lang: _sub(str(given), fld) for lang in LANGS}
    )
    if known is not None:
        context = {
            "field_ja",
            "field_en",
            "scale_name",
            "scale_codes",
            "scale_upper",
            "scale_lower",
            "scale_below_upper",
            "scale_above_lower",
            "scale_top",
            "grade_shown",
            "grade_meaning",
            "rows",
            "row_count",
        }
        for tmpl in [*observed.values()] + [v for t in texts.values() for v in t.values()]:
            check_template(tmpl, known | context, where)
    fields = tuple(_sub(str(f), fld) for f in entry.get("fields", []))
    needs_given = entry.get("needs", entry.get("fields", []))
    if not isinstance(needs_given, list):
        raise ConfigError(f"{where}: `needs` is a list of fields")
    needs = tuple(_sub(str(f), fld) for f in needs_given)
    if bad := [f for f in needs if f not in FIELD_LABELS]:
        raise ConfigError(f"{where}: `needs` names no field: {', '.join(bad)} ({', '.join(FIELD_LABELS)})")
    group_by = entry.get("group_by", [])
    if not isinstance(group_by, list) or not all(isinstance(g, str) for g in group_by):
        raise ConfigError(f"{where}: `group_by` is a list of columns, e.g. [grade_raw]")
    group_by = [_sub(g, fld) for g in group_by]
    if known is not None and (unknown := set(group_by) - known):
        raise ConfigError(f"{where}: `group_by` names unknown column(s) {', '.join(sorted(unknown))}")
    return Rule(
        code,
        str(entry.get("name", code)),
        severity,
        fields,
        cell,
        when,
        texts["title"],
        texts["description"],
        observed,
        texts["expected"],
        texts["message"],
        texts["fix"],
        entry.get("example"),
        fld,
        needs=needs,
        group_by=tuple(group_by),
    )


def scale_context(scale: GradingScale, lang: str) -> dict[str, str]:
    sep = "・" if lang == "ja" else ", "
    return {
        "scale_name": scale.name_ja if lang == "ja" else scale.name_en,
        "scale_codes": sep.join(g.code for g in scale.grades),
        "scale_upper": sep.join(scale.codes("upper")),
        "scale_lower": sep.join(scale.codes("lower")),
        "scale_below_upper": sep.join(scale.codes("middle") + scale.codes("lower")),
        "scale_above_lower": sep.join(scale.codes("upper") + scale.codes("middle")),
        "scale_top": sep.join(g.code for g in scale.grades if g.rank == 1),
    }


def _subject(rows: pd.DataFrame, template: str) -> dict[str, pd.Series]:
    """A message that names its row by ``{indicator}`` alone names a row whose indicator is blank by
    its project, else its item (「（空欄）」の目標年度… says nothing to a clerk). A message that
    names the project itself (N001: 「{project}」の目標指標の名称が「{indicator}」) keeps the blank."""
    if "{indicator}" not in template or "{project}" in template or "indicator" not in rows:
        return {}
    blank = rows["indicator"].astype("string").fillna("").str.strip() == ""
    if not blank.any():
        return {}
    other = pd.Series("", index=rows.index, dtype="string")
    for col in ("item", "project"):  # the project wins over the item
        if col in rows:
            text = rows[col].astype("string").fillna("")
            other = text.where(text.str.strip() != "", other)
    shown = rows["indicator"].astype("string").fillna("").where(~blank | (other.str.strip() == ""), other)
    return {"indicator": shown}


def grade_context(rows: pd.DataFrame, scale: GradingScale, lang: str) -> dict[str, pd.Series]:
    """Display texts of the grades of ``rows`` (normalised rows: ``grade_raw``, ``grade``), for
    messages, made once per distinct grade: ``grade_shown`` (as published, with the scale's code
    added where spelled otherwise: ``lg (green)``; （空欄）/(blank) when empty) and
    ``grade_meaning`` (the scale's meaning of the grade in ``lang``; blank when off the scale)."""
    blank = BLANK[lang]
    published = rows["grade_raw"].astype("string").fillna("")
    code = rows["grade"].astype("string")
    # the code is added where the spelling is not the code itself, brackets aside: (A) is A
    same = on_distinct(
        published, lambda u: pd.Series([scale.is_code(t) for t in u], index=u.index, dtype=bool)
    ) | code.isna().to_numpy(bool)
    shown = published.where(same, published + " (" + code + ")")
    meanings = {g.code: (g.meaning_ja if lang == "ja" else g.meaning_en) for g in scale.grades}
    meaning = code.map(meanings).astype("string")
    return {
        "grade_shown": shown.mask(shown.str.strip() == "", blank),
        "grade_meaning": meaning.fillna("").mask(meaning.fillna("").str.strip() == "", blank),
    }


#: the columns a finding's rows are read for besides its templates': identity and place
#: (findings.from_rows), grouping (_row_lists), the name shown (_subject), the grade (grade_context)
_ROW_COLUMNS = (
    "source_file",
    "sheet",
    "table",
    "row",
    "department",
    "item",
    "project",
    "indicator",
    "grade_raw",
    "grade",
)


def _read_columns(rule: Rule, columns: pd.Index) -> list[str]:
    """The columns of the normalised frame (``columns``, in their order) that making ``rule``'s
    findings reads: selecting the rows of these alone, not of all ~180, is a quarter of the time
    (a column of its own per extension dtype makes the frame's row selection slow)."""
    names = {*_ROW_COLUMNS, *rule.group_by, *(f"{p}{rule.cell}" for p in ("col_", "char_", "cellrow_"))}
    for template in (*rule.observed.values(), *rule.expected.values(), *rule.message.values(), *rule.fix.values()):
        names |= template_columns(template)
    return [c for c in columns if c in names]


def evaluate(frame: pd.DataFrame, rules: list[Rule], scale: GradingScale, lang: str = "ja") -> pd.DataFrame:
    """Run every rule on the normalised ``frame``; return a findings frame (:mod:`hyoka.check.findings`).
    A rule runs only on the rows whose table has the fields it ``needs`` (:mod:`hyoka.check.profile`).
    Raises ConfigError naming the rule when an expression cannot be evaluated on these columns."""
    ctx = scale_context(scale, lang)
    parts = []
    grades: dict[str, pd.Series] | None = None  # grade_context of the whole frame, made once when needed
    for rule in rules:
        runs = has_fields(frame, rule.needs)
        if not runs.any():
            continue
        try:
            mask = rule.when.evaluate(frame) & runs
        except Exception as exc:  # types or arithmetic the columns do not support
            raise ConfigError(
                f"rule {rule.code}: cannot evaluate `{rule.when.text}` ({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        if not mask.any():
            continue
        sub = frame.loc[mask.to_numpy(), _read_columns(rule, frame.columns)]
        rows_text, count, differ = _row_lists(sub, rule.group_by, lang)
        if rule.group_by:
            sub = sub.loc[rows_text.index]
        # each row's grade texts depend on that row alone: on a table of up to GRADES_ONCE rows they
        # are made once for all rows and selected (on a small table a rule's own call cost 2.5 ms,
        # most of it fixed overhead); on a larger one, for the rows that fire only
        if len(frame) > GRADES_ONCE:
            shown = grade_context(sub, scale, lang)
        else:
            if grades is None:
                grades = grade_context(frame, scale, lang)
            shown = {k: v.loc[sub.index] for k, v in grades.items()}
        c: dict[str, object] = {**ctx, **shown, "rows": rows_text, "row_count": count}
        if rule.each_field or rule.cell:
            ja, en = CELL_LABELS[rule.each_field or rule.cell]
            c.update(field_ja=ja, field_en=en)
        parts.append(
            F.from_rows(
                sub,
                code=rule.code,
                severity=rule.severity,
                field=rule.cell,
                observed=render(rule.observed[lang], sub, lang, c),
                expected=render(rule.expected[lang], sub, lang, c),
                message=render(rule.message[lang], sub, lang, {**c, **_subject(sub, rule.message[lang])}),
                title=rule.title[lang],
                fix=render(rule.fix[lang], sub, lang, c),
            )
        )
        if rule.group_by:  # a name the grouped rows do not share names none of them
            for col, d in differ.items():
                parts[-1].loc[d.to_numpy(bool), col] = ""
    return F.combine(parts)


def _row_lists(
    rows: pd.DataFrame, group_by: tuple[str, ...], lang: str
) -> tuple[pd.Series, pd.Series, dict[str, pd.Series]]:
    """For a rule with ``group_by``: the first row of each group of ``rows`` (same table, department
    and grouping texts) → the group's rows as text (``{rows}``), their count (``{row_count}``), and
    per name column (project, item, indicator) whether the group's rows differ in it; all indexed
    by the first rows. Without ``group_by`` each row is its own group. Whole columns: a group
    key, then one pass over the (few) rows that fire."""
    labels = row_labels(rows)  # a PDF's rows: p2!R5
    numbers = rows["row"].astype("int64") if labels is None else labels
    if not group_by:
        n = numbers.astype("string")
        single = n.where(n.str.contains("!", regex=False), n + "行目") if lang == "ja" else ("row " + n)
        return single, pd.Series("1", index=rows.index, dtype="string"), {}
    keys = table_groups(rows)  # a PDF table over pages is one table
    keys.append(rows["department"].astype("string").fillna(""))
    keys += [text_keys(rows[g], fold=False, spaces="ends") for g in group_by]
    groups = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)}, index=rows.index).groupby(
        [f"k{i}" for i in range(len(keys))], sort=False
    )
    first = groups.ngroup()
    lead = first[~first.duplicated()]  # the first row of each group, in row order
    listed = numbers.groupby(first.to_numpy()).agg(list)
    text = pd.Series([rows_text(listed[g], lang) for g in lead], index=lead.index, dtype="string")
    count = pd.Series([str(len(listed[g])) for g in lead], index=lead.index, dtype="string")
    differ = {}
    for col in ("project", "item", "indicator"):
        if col in rows:
            n = rows[col].astype("string").fillna("").groupby(first.to_numpy()).nunique()
            differ[col] = pd.Series((n.loc[lead.to_numpy()] > 1).to_numpy(), index=lead.index)
    return text, count, differ


def rows_text(numbers: list[int] | list[str], lang: str, counted: bool = True) -> str:
    """``[44, 45, 46]`` → ``44、45、46行目の3行`` / ``rows 44, 45, 46 (3 rows)`` (without the count
    unless ``counted``); ``[2]`` → ``2行目`` / ``row 2``; :data:`ROWS_SHOWN` at most, the rest
    counted. Rows named as text (a PDF's ``p2!R5``: hyoka.check.profile.row_labels) are listed as
    they are: ``p1!R3、p2!R5の2行`` / ``rows p1!R3, p2!R5 (2 rows)``."""
    shown, rest, n = numbers[:ROWS_SHOWN], len(numbers) - ROWS_SHOWN, len(numbers)
    if lang == "ja":
        unit = "" if shown and isinstance(shown[0], str) else "行目"
        text = "、".join(map(str, shown)) + unit + (f"ほか{rest}行" if rest > 0 else "")
        return text + (f"の{n}行" if n > 1 and counted else "")
    if n == 1:
        return f"row {shown[0]}"
    more = f" and {rest} more" if rest > 0 else ""
    return "rows " + ", ".join(map(str, shown)) + more + (f" ({n} rows)" if counted else "")
