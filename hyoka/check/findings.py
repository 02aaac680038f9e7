"""The findings table: the one contract between checking and reporting.

A findings frame has exactly :data:`FINDING_COLUMNS` (str, ``""`` where not applicable), plus
:data:`EXTRA_COLUMNS` used by reports (``title``, ``fix``, ``row_index`` = position of the row in
the normalised frame or -1 for table-level findings, ``source_file``, ``row``).

- ``code``: the rule's stable code (``G002``); ``severity``: ``error`` / ``warning`` / ``info``;
- ``department``, ``item``, ``project``, ``indicator``: the row's business identity;
- ``field``: the canonical field the finding points at; ``cell``: its reference
  (``[book.xlsx]Sheet!H12`` or ``table.csv:12:baseline``);
- ``observed``: the values as published; ``expected``: what would be consistent;
- ``message``: one sentence in the report's language;
- ``waived`` (extra): the reason of the waiver that accepts this finding, ``""`` when none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FINDING_COLUMNS = ("code", "severity", "department", "item", "project", "indicator",
                   "field", "cell", "observed", "expected", "message")
EXTRA_COLUMNS = ("title", "fix", "row_index", "source_file", "row", "waived")
SEVERITIES = ("error", "warning", "info")
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
FAIL_ON = ("error", "warning", "info", "never")


def empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in FINDING_COLUMNS + EXTRA_COLUMNS})
    frame["row_index"] = frame["row_index"].astype("int64")
    frame["row"] = frame["row"].astype("int64")
    return frame


def from_rows(rows: pd.DataFrame, *, code: str, severity: str, field: str, observed: pd.Series,
              expected: pd.Series, message: pd.Series, title: str, fix: pd.Series | str = "") -> pd.DataFrame:
    """Findings for ``rows`` (a slice of the normalised frame, its index = row positions): the
    business identity and cell reference come from the rows, the texts from the caller."""
    out = pd.DataFrame(index=rows.index)
    out["code"] = code
    out["severity"] = severity
    for col in ("department", "item", "project", "indicator"):
        out[col] = rows[col].astype("string").fillna("")
    out["field"] = field
    fallback = rows["source_file"].astype("string") + ":" + rows["row"].astype("string")
    cell_col = f"cell_{field}"
    out["cell"] = rows[cell_col].astype("string").fillna(fallback) if cell_col in rows else fallback
    out["observed"] = observed
    out["expected"] = expected
    out["message"] = message
    out["title"] = title
    out["fix"] = fix
    out["row_index"] = np.asarray(rows.index, dtype="int64")
    out["source_file"] = rows["source_file"].astype("string")
    out["row"] = rows["row"].astype("int64")
    out["waived"] = ""
    return out.astype({k: "string" for k in FINDING_COLUMNS + ("title", "fix", "waived")})


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate findings and sort them: file, row, severity, code, field (deterministic)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    out = pd.concat(parts, ignore_index=True)
    out["_sev"] = out["severity"].map(SEVERITY_ORDER)
    out = out.sort_values(["source_file", "row", "_sev", "code", "field"], kind="stable")
    return out.drop(columns="_sev").reset_index(drop=True)


def fails(findings: pd.DataFrame, fail_on: str) -> bool:
    """True when some finding that is not waived is at or above ``fail_on`` (``never`` never fails)."""
    if fail_on == "never" or findings.empty:
        return False
    live = findings[findings["waived"].fillna("") == ""] if "waived" in findings else findings
    return bool((live["severity"].map(SEVERITY_ORDER) <= SEVERITY_ORDER[fail_on]).any())


RECORD_KEYS = FINDING_COLUMNS + ("waived",)


def to_records(findings: pd.DataFrame) -> list[dict[str, str]]:
    """The findings as JSON-ready dicts with the keys :data:`RECORD_KEYS` (FINDING_COLUMNS, then
    ``waived``: the waiver's reason, ``""`` when the finding is not waived)."""
    sub = findings.reindex(columns=list(RECORD_KEYS)).astype("string").fillna("")
    return sub.to_dict(orient="records")
