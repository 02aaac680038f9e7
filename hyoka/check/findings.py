"""The findings table: the one contract between checking and reporting.

A findings frame has exactly :data:`FINDING_COLUMNS` (str, ``""`` where not applicable), plus
:data:`EXTRA_COLUMNS` used by reports (``title``, ``fix``, ``row_index`` = position of the row in
the normalised frame or -1 for table-level findings, the place columns, ``waived``).

- ``code``: the rule's stable code (``G002``); ``severity``: ``error`` / ``warning`` / ``info``;
- ``department``, ``item``, ``project``, ``indicator``: the row's business identity;
- ``field``: the canonical field the finding points at;
- ``observed``: the values as published; ``expected``: what would be consistent;
- ``message``: one sentence in the report's language;
- ``waived`` (extra): the reason of the waiver that accepts this finding, ``""`` when none.

Where the finding is, as data (:data:`PLACE_COLUMNS`; the text ``[book.xlsx]Sheet!H12``,
``table.csv:12:baseline`` or ``waivers.yaml:7`` is made only for output, by
:func:`hyoka.output.places.cell_texts`, and is the ``cell`` key of :data:`RECORD_KEYS`):

- ``source_file`` (str): the file's name as the tables are named (``a.csv, b.csv`` for a schema
  failure of the whole table); ``sheet`` (str): the worksheet, ``""`` for a CSV or other file;
- ``row`` (int64): the row the finding is about — the worksheet row or the CSV line on which the
  record starts, the line of a waiver entry, 0 for a finding on a header or the whole table (it
  orders the findings);
- ``cell_row`` (int64): the row of the cell pointed at — ``row``, or the header row for a header
  cell (H001, a year written in a value header); 0 when the finding is on the whole file;
- ``col`` (int32): the cell's 1-based column; 0 when the finding is on a row or file, not a cell
  (a field the table lacks: the place is ``file:row``);
- ``char_col`` (int32): for a CSV, the 1-based character column (Unicode code points) at which
  the cell starts on line ``cell_row``; 0 when not known (it starts on a later line) or not a CSV.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hyoka.cellref import is_page

FINDING_COLUMNS = (
    "code",
    "severity",
    "department",
    "item",
    "project",
    "indicator",
    "field",
    "observed",
    "expected",
    "message",
)
PLACE_COLUMNS = ("source_file", "sheet", "row", "cell_row", "col", "char_col")
PLACE_DTYPES = {
    "source_file": "string",
    "sheet": "string",
    "row": "int64",
    "cell_row": "int64",
    "col": "int32",
    "char_col": "int32",
}
EXTRA_COLUMNS = ("title", "fix", "row_index", *PLACE_COLUMNS, "waived")
SEVERITIES = ("error", "warning", "info")
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
FAIL_ON = ("error", "warning", "info", "never")


_STRING = pd.StringDtype()  # "string", resolved once (the name is looked up in a registry each time)
_EMPTY: list[pd.DataFrame] = []  # the empty findings frame, made once: a copy is 30× quicker to make


def empty() -> pd.DataFrame:
    """A findings frame with no rows (its own copy): :data:`FINDING_COLUMNS` and
    :data:`EXTRA_COLUMNS` as strings, ``row_index`` and the places as integers."""
    if not _EMPTY:
        frame = pd.DataFrame({c: pd.Series(dtype="string") for c in FINDING_COLUMNS + EXTRA_COLUMNS})
        _EMPTY.append(frame.astype({"row_index": "int64", **PLACE_DTYPES}))
    return _EMPTY[0].copy()


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (findings built as records) with the dtypes of :func:`empty` (texts as strings,
    ``row_index`` and places as integers)."""
    return frame.astype(
        {**{k: "string" for k in FINDING_COLUMNS + ("title", "fix", "waived")}, "row_index": "int64", **PLACE_DTYPES}
    )


def from_rows(
    rows: pd.DataFrame,
    *,
    code: str,
    severity: str,
    field: str,
    observed: pd.Series,
    expected: pd.Series,
    message: pd.Series,
    title: str,
    fix: pd.Series | str = "",
) -> pd.DataFrame:
    """Findings for ``rows`` (a slice of the normalised frame, its index = row positions): the
    business identity and place of the ``field``'s cell come from the rows' columns (``col_``,
    ``char_``, ``cellrow_<field>``: :mod:`hyoka.read.table`), the texts from the caller."""
    index = rows.index
    n = len(rows)

    def text(value: pd.Series | str) -> pd.api.extensions.ExtensionArray:
        """A text column as ``out[col] = value`` then ``.astype("string")`` would give it: a
        Series aligned on the rows' index, a string repeated."""
        if isinstance(value, pd.Series):
            value = value if value.index.equals(index) else value.reindex(index)
            return value.astype(_STRING).array
        return pd.array([value] * n, dtype=_STRING)

    def names(col: str) -> pd.api.extensions.ExtensionArray:
        return rows[col].astype(_STRING).fillna("").array

    cell_row, col, char_col = field_place(rows, field)
    columns = {
        "code": text(code),
        "severity": text(severity),
        **{c: names(c) for c in ("department", "item", "project", "indicator")},
        "field": text(field),
        "observed": text(observed),
        "expected": text(expected),
        "message": text(message),
        "title": text(title),
        "fix": text(fix),
        "row_index": np.asarray(index, dtype="int64"),
        "source_file": rows["source_file"].astype(_STRING).array,
        "sheet": names("sheet") if "sheet" in rows else text(""),
        "row": rows["row"].to_numpy("int64"),
        "cell_row": cell_row.astype("int64"),
        "col": col.astype("int32"),
        "char_col": char_col.astype("int32"),
        "waived": text(""),
    }
    # one frame made at once, in its final dtypes (column by column and then typed() took 7 ms a
    # rule on a small table, most of making a finding)
    return pd.DataFrame(columns, index=index)


def field_place(rows: pd.DataFrame, field: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where ``field``'s cell is on each of ``rows`` (normalised rows, with the place columns
    ``col_``, ``char_``, ``cellrow_<field>`` of :mod:`hyoka.read.table`): (cell_row int64, col
    int32, char_col int32) arrays, col 0 where the table lacks the field."""
    row = rows["row"].to_numpy("int64")
    at = rows[f"cellrow_{field}"].to_numpy("int64") if f"cellrow_{field}" in rows else row
    none = np.zeros(len(rows), dtype="int32")
    col = rows[f"col_{field}"].to_numpy("int32") if f"col_{field}" in rows else none
    char = rows[f"char_{field}"].to_numpy("int32") if f"char_{field}" in rows else none
    return np.where(at > 0, at, row), col, char


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate findings and sort them: file, row, severity, code, field (deterministic); in a
    PDF or HTML page (hyoka.cellref.PAGE_SUFFIXES), whose rows are counted per table, by the table
    (its number, ``p3`` → 3, ``p3.2`` → 3, 2) before the row."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    out = pd.concat(parts, ignore_index=True)
    out["_sev"] = out["severity"].map(SEVERITY_ORDER)
    rc = out["source_file"].astype("string").fillna("").map(is_page).astype(bool)
    numbers = out["sheet"].astype("string").fillna("").str.extract(r"(\d+)(?:\.(\d+))?").fillna("0")
    out["_t1"] = numbers[0].astype("int64").where(rc, 0)
    out["_t2"] = numbers[1].astype("int64").where(rc, 0)
    out = out.sort_values(["source_file", "_t1", "_t2", "row", "_sev", "code", "field"], kind="stable")
    return out.drop(columns=["_sev", "_t1", "_t2"]).reset_index(drop=True)


def fails(findings: pd.DataFrame, fail_on: str) -> bool:
    """True when some finding that is not waived is at or above ``fail_on`` (``never`` never fails)."""
    if fail_on == "never" or findings.empty:
        return False
    live = findings[findings["waived"].fillna("") == ""] if "waived" in findings else findings
    return bool((live["severity"].map(SEVERITY_ORDER) <= SEVERITY_ORDER[fail_on]).any())


RECORD_KEYS = FINDING_COLUMNS[:7] + ("cell",) + FINDING_COLUMNS[7:] + ("waived",)


def to_records(findings: pd.DataFrame) -> list[dict[str, str]]:
    """The findings as JSON-ready dicts with the keys :data:`RECORD_KEYS` (FINDING_COLUMNS with
    ``cell`` after ``field``, then ``waived``: the waiver's reason, ``""`` when the finding is not
    waived). ``findings`` must have the ``cell`` column (:func:`hyoka.output.places.with_cells`).
    Raises KeyError when it has not."""
    if "cell" not in findings:
        raise KeyError("cell: render the places first (hyoka.output.places.with_cells)")
    sub = findings.reindex(columns=list(RECORD_KEYS)).astype("string").fillna("")
    return sub.to_dict(orient="records")
