"""Running a rule's cases (:mod:`hyoka.check.cases`) through the real pipeline.

``case_rows(case)`` gives the rows of the table a case stands for (:data:`BASE_ROW` changed by
each of the case's rows; :func:`table_rows` the same with a yearly series written out as columns);
``run_case(case)`` writes them to ``table.csv`` (or ``table.xlsx`` when
the case has ``formulas``) in a temporary folder with the case's settings and runs
:func:`hyoka.pipeline.run_check` on it. The docs (:mod:`hyoka.authoring.docs`) and
tests/test_rule_cases.py use the same run.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import yaml

from hyoka.check.cases import Case
from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

# a consistent row of the seed table (市民活動センター団体登録事業, 129団体 → 150団体, now 134団体,
# graded Ｂ); each case changes some of its fields
BASE_ROW = {
    "item": "（１）市民の組織機能を強化するための支援",
    "project": "市民活動センター団体登録事業",
    "department": "市民協働推進課",
    "partners": "①②③④⑤⑦",
    "grade": "Ｂ",
    "effect": "団体登録数が増加した。",
    "indicator": "登録団体数",
    "baseline": "129団体",
    "baseline_year": "R3",
    "target": "150団体",
    "target_year": "R9",
    "current": "134団体",
    "current_year": "R5",
}


#: the headers of a case's yearly values (``series: "234 | 230 | 0"``): bare fiscal years, which
#: hyoka.read.header reads as a series of one indicator (the last value is the current one)
SERIES_YEARS = tuple(f"R{n}" for n in range(1, 31))


def case_rows(case: Case) -> list[dict[str, str]]:
    """The case's table rows: every field of :data:`BASE_ROW`, changed by the case's rows. A row
    with a ``series`` (its yearly values as one text, separated by ``|``) has no current value
    or current year of its own: the series' latest value is the current one."""
    rows = [{**BASE_ROW, **r} for r in case.rows]
    return [{k: v for k, v in r.items() if k not in ("current", "current_year")} if "series" in r else r for r in rows]


def table_rows(case: Case) -> list[dict[str, str]]:
    """The rows of the table a case runs on (:func:`case_rows`), a ``series`` written as one
    column per value headed :data:`SERIES_YEARS` from R1 (rows with fewer values leave the later
    years empty; every row gets the same columns)."""
    rows = case_rows(case)
    series = [[v.strip() for v in r["series"].split("|")] if "series" in r else [] for r in rows]
    width = max(len(v) for v in series)
    if not width:
        return rows
    keys = list(dict.fromkeys(k for r in rows for k in r if k not in ("series", "current", "current_year")))
    return [
        {**{k: r.get(k, "") for k in keys}, **{SERIES_YEARS[i]: v[i] if i < len(v) else "" for i in range(width)}}
        for r, v in zip(rows, series)
    ]


def run_case(case: Case, lang: str = "ja", select: list[str] | None = None):
    """Run hyoka on the case's table with its settings (``select``: the rule codes to run, None
    for all); returns the :class:`hyoka.pipeline.CheckResult` (findings and the normalised frame,
    whose ``row`` is the table row: 2 for the case's first row). Raises what run_check raises."""
    rows, settings = table_rows(case), case.settings
    with tempfile.TemporaryDirectory() as tmp:
        if "formulas" in settings:  # a workbook whose formulas were never calculated
            from openpyxl import Workbook

            path = Path(tmp) / "table.xlsx"
            wb = Workbook()
            ws = wb.active
            ws.title = "Sheet1"
            ws.append(list(rows[0]))
            for r in rows:
                ws.append([(settings["formulas"] or {}).get(k, v) for k, v in r.items()])
            wb.save(path)
        else:
            path = Path(tmp) / "table.csv"
            with open(path, "w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
        options = CheckOptions(
            scale=settings.get("scale"),
            departments=settings.get("departments"),
            lang=lang,
            select=select,
            as_of=settings.get("as_of"),
        )
        if "indicators" in settings:
            meta = Path(tmp) / "indicators.yaml"
            meta.write_text(
                yaml.safe_dump({"indicators": settings["indicators"]}, allow_unicode=True), encoding="utf-8"
            )
            options.indicators = meta
        return run_check([path], options)
