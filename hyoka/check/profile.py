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
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: the columns that name a table: a file, and a worksheet of it (``""`` for a CSV)
TABLE_KEYS = ("source_file", "sheet")


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
    keys = pd.DataFrame(
        {k: (frame[k].astype("string").fillna("") if k in frame else "") for k in TABLE_KEYS}, index=frame.index
    )
    present = pd.DataFrame({f: frame[f"col_{f}"].to_numpy() > 0 for f in fields}, index=frame.index)
    per_table = present.groupby([keys[k] for k in TABLE_KEYS], sort=False).any()
    return [(str(src), str(sheet), f) for (src, sheet), row in per_table.iterrows() for f in fields if not row[f]]
