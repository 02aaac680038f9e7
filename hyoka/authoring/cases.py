"""Running a rule's cases (:mod:`hyoka.check.cases`) through the real pipeline.

``case_rows(case)`` gives the rows of the table a case stands for (:data:`BASE_ROW` changed by
each of the case's rows); ``run_case(case)`` writes them to ``table.csv`` (or ``table.xlsx`` when
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


def case_rows(case: Case) -> list[dict[str, str]]:
    """The case's table rows: every field of :data:`BASE_ROW`, changed by the case's rows."""
    return [{**BASE_ROW, **r} for r in case.rows]


def run_case(case: Case, lang: str = "ja", select: list[str] | None = None):
    """Run hyoka on the case's table with its settings (``select``: the rule codes to run, None
    for all); returns the :class:`hyoka.pipeline.CheckResult` (findings and the normalised frame,
    whose ``row`` is the table row: 2 for the case's first row). Raises what run_check raises."""
    rows, settings = case_rows(case), case.settings
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
