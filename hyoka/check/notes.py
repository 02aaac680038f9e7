"""Findings about a table as a whole (H001–H007): one record per note, its texts from the
registry (rules/load_findings.yaml) filled with the note's values. They sit on a header cell or on
the table itself (``row`` 0), never on a data row."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.text import render_text


def table_note(
    code: str,
    lang: str,
    values: dict[str, str],
    *,
    field: str,
    observed: str,
    source: str,
    sheet: str = "",
    cell_row: int = 0,
    col: int = 0,
    char_col: int = 0,
) -> dict[str, Any]:
    """One findings record (the columns of :mod:`hyoka.check.findings`) for ``code``, its
    expected, message and fix rendered with ``values``; placed on the header cell ``cell_row``/
    ``col`` (1-based; ``char_col`` for a CSV) or, with those 0, on the table ``source``/``sheet``."""
    spec = registry.code_info(code)
    return {
        "code": code,
        "severity": spec.severity,
        "department": "",
        "item": "",
        "project": "",
        "indicator": "",
        "field": field,
        "observed": observed,
        "expected": render_text(spec.text("expected", lang), values),
        "message": render_text(spec.text("message", lang), values).strip(),
        "title": spec.text("title", lang),
        "fix": render_text(spec.text("fix", lang), values),
        "row_index": -1,
        "source_file": source,
        "sheet": sheet,
        "row": 0,
        "cell_row": cell_row,
        "col": col,
        "char_col": char_col,
        "waived": "",
    }


def notes_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The records as a findings table (an empty one for none)."""
    return F.typed(pd.DataFrame(records)) if records else F.empty()
