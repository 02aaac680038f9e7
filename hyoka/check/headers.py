"""H001: header cells that resemble a field but were not read; H005: columns named as a field that
an earlier column gives (a second 現状値), not read either (a column dropped silently would
otherwise leave its rows with wrong findings). Texts in rules/load_findings.yaml (the registry)."""

from __future__ import annotations

import pandas as pd

from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.rules import FIELD_LABELS
from hyoka.check.text import render_text
from hyoka.normalise.scale import ScaleFit
from hyoka.read.raw import RawTable


def header_findings(tables: list[RawTable], lang: str) -> pd.DataFrame:
    """The H001 findings of ``tables`` (their ``unmapped`` header cells), as a findings table
    (:mod:`hyoka.check.findings`) placed on each header cell."""
    items = [("H001", t.source, *u) for t in tables for u in t.unmapped]
    items += [("H005", t.source, *u) for t in tables for u in t.duplicates]
    if not items:
        return F.empty()
    rows = []
    for code, source, sheet, row, col, char_col, header, fld in items:  # a few header cells per file
        spec = registry.code_info(code)
        ja, en = FIELD_LABELS.get(fld, (fld, fld))
        values = {"header": " ".join(header.split()), "field_ja": ja, "field_en": en}
        fill = lambda t, values=values: render_text(t, values)
        rows.append(
            {
                "code": code,
                "severity": spec.severity,
                "department": "",
                "item": "",
                "project": "",
                "indicator": "",
                "field": fld,
                "observed": values["header"],
                "expected": fill(spec.text("expected", lang)),
                "message": fill(spec.text("message", lang)),
                "title": spec.text("title", lang),
                "fix": fill(spec.text("fix", lang)),
                "row_index": -1,
                "source_file": source,
                "sheet": sheet,
                "row": 0,
                "cell_row": row,
                "col": col,
                "char_col": char_col,
                "waived": "",
            }
        )
    return F.typed(pd.DataFrame(rows))


def scale_finding(fit: ScaleFit | None, tables: list[RawTable], lang: str) -> pd.DataFrame:
    """H004: the grading scale hyoka chose from the grades published (``fit``, from
    :func:`hyoka.normalise.scale.scale_fits`) because none was given; an empty findings table
    when the scale was given. Placed on the first table as a whole."""
    if fit is None or not tables:
        return F.empty()
    spec = registry.code_info("H004")
    name = fit.scale.name_ja if lang == "ja" else fit.scale.name_en
    sep = "、" if lang == "ja" else ", "
    missing = ""
    if fit.missing:
        shown = sep.join(fit.missing[:5])
        missing = f"合わない値: {shown}" if lang == "ja" else f"Grades it does not know: {shown}"
    values = {"scale": name, "id": fit.scale.id, "grades": sep.join(fit.grades[:8]), "missing": missing}
    fill = lambda t: render_text(t, values)
    row = {
        "code": "H004",
        "severity": spec.severity,
        "department": "",
        "item": "",
        "project": "",
        "indicator": "",
        "field": "grade",
        "observed": fit.scale.id,
        "expected": fill(spec.text("expected", lang)),
        "message": fill(spec.text("message", lang)).strip(),
        "title": spec.text("title", lang),
        "fix": fill(spec.text("fix", lang)),
        "row_index": -1,
        "source_file": tables[0].source,
        "sheet": "",
        "row": 0,
        "cell_row": 0,
        "col": 0,
        "char_col": 0,
        "waived": "",
    }
    return F.typed(pd.DataFrame([row]))
