"""The table profile: which fields each input table has, read from the place columns.

The normalised frame (:mod:`hyoka.normalise.frame`) has, per row, ``col_<field>`` for every
canonical field: the 1-based column of that field's cell, **0 when the row's table has no such
column** (a year read from a value header such as 基準値（R3) counts as a column: its ``col_`` is
the header cell's). A check that needs a field does not run on the rows of a table without it
(:func:`has_fields`, used by :func:`hyoka.check.rules.evaluate` and
:func:`hyoka.check.schema.validate`); :func:`missing_fields` says, once per table, which fields
it lacks (H002: :mod:`hyoka.check.skipped`).

A frame without a ``col_<field>`` column at all (built by hand, not by the loader) is taken to
have the field: the profile only ever switches a check off on evidence.

A column can also be there but mostly empty (:func:`sparse`): a grade column filled on 2 of 26
rows (a work plan whose evaluations are not written yet, or a source that stored them for some
rows only). Its blanks are not each an omission; the rules that would report every blank
(G004, M004) stay quiet on such a table and it gets one H006 instead (:mod:`hyoka.check.skipped`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: the columns that name a table: a file, and a worksheet of it (``""`` for a CSV); a frame with a
#: ``table`` column (a PDF's table continued over pages, whose rows' ``sheet`` is their page: the
#: table's first page's sheet; :func:`hyoka.read.table.read_pdf`) is grouped by it instead of ``sheet``
TABLE_KEYS = ("source_file", "sheet")
#: a column blank on more than this share of a table's rows is mostly empty (:func:`sparse`) …
SPARSE_SHARE = 0.5
#: … in a table of at least this many rows (as a column empty in every row: hyoka.read.raw)
SPARSE_MIN_ROWS = 3


def has_fields(frame: pd.DataFrame, fields: Iterable[str]) -> np.ndarray:
    """Whether each row's table has every one of ``fields`` (canonical field names): a bool array
    of ``len(frame)``, True for every row when ``fields`` is empty. On whole columns."""
    out = np.ones(len(frame), dtype=bool)
    for fld in fields:
        col = f"col_{fld}"
        if col in frame:
            out &= frame[col].to_numpy() > 0
    return out


def missing_fields(frame: pd.DataFrame, fields: Iterable[str]) -> list[tuple[str, str, str]]:
    """The (source_file, sheet, field) of each table of ``frame`` (its rows grouped by
    :data:`TABLE_KEYS`) that lacks one of ``fields``, in the order of the tables' first rows and of
    ``fields``. A table lacks a field when none of its rows has the field's column (the loader
    gives every row of a table the same ``col_``)."""
    fields = [f for f in dict.fromkeys(fields) if f"col_{f}" in frame]
    if not len(frame) or not fields:
        return []
    present = pd.DataFrame({f: frame[f"col_{f}"].to_numpy() > 0 for f in fields}, index=frame.index)
    per_table = present.groupby(table_groups(frame), sort=False).any()
    return [(str(src), str(sheet), f) for (src, sheet), row in per_table.iterrows() for f in fields if not row[f]]


def table_groups(frame: pd.DataFrame) -> list[pd.Series]:
    """The :data:`TABLE_KEYS` columns of ``frame`` as group keys (``""`` where a column is absent),
    ``sheet`` replaced by ``table`` where the frame has one (a row with no ``table``: its sheet)."""
    keys = [
        frame[k].astype("string").fillna("") if k in frame else pd.Series("", index=frame.index, dtype="string")
        for k in TABLE_KEYS
    ]
    if "table" in frame:
        keys[1] = frame["table"].astype("string").fillna(keys[1]).rename("sheet")
    return keys


def row_labels(frame: pd.DataFrame) -> pd.Series | None:
    """How findings that list rows name each row of ``frame``: None where rows are numbered per
    sheet or file (the row number says it), else — a frame with a ``table`` column, a PDF whose
    rows are counted per page — ``p2!R5`` (its page, then its row there) for the rows that have a
    table, the number for the others. A ``string`` Series on ``frame``'s index."""
    if "table" not in frame:
        return None
    row = frame["row"].astype("int64").astype("string")
    sheet = frame["sheet"].astype("string").fillna("")
    on_page = frame["table"].notna() & (sheet != "")
    return (sheet + "!R" + row).where(on_page, row)


def sparse(frame: pd.DataFrame, fld: str, blank: pd.Series) -> pd.Series:
    """Per row: whether its table has ``fld``'s column (``col_<fld>`` > 0, or no place column at all)
    and ``blank`` (bool per row: the field is blank there) holds on more than :data:`SPARSE_SHARE`
    of the table's rows, the table having at least :data:`SPARSE_MIN_ROWS`. A bool Series on
    ``frame``'s index; whole columns."""
    blank = blank.fillna(False).astype(bool)
    groups = blank.groupby(table_groups(frame), sort=False)
    share, size = groups.transform("mean"), groups.transform("size")
    mostly = (share > SPARSE_SHARE) & (size >= SPARSE_MIN_ROWS)
    return pd.Series(has_fields(frame, [fld]), index=frame.index) & mostly
