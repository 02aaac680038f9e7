"""Places as text: where a finding is, written the way people and the outputs name a cell.

The findings table carries places as data (:data:`hyoka.check.findings.PLACE_COLUMNS`); this
module is the one place that writes them as text, for findings only (never per table row):

- a worksheet cell: ``[book.xlsx]Sheet!F14`` (``col`` > 0 and a ``sheet``);
- a CSV cell: ``table.csv:6:target`` — the line, then the column's name in places
  (``RawTable.labels``: the field it was read as), else its 1-based number;
- a row without a cell (a field the table lacks), a waiver entry: ``file:LINE``;
- a whole sheet (H002, a field the table lacks): ``[book.xlsx]Sheet``;
- a whole file (a schema failure of the table, H002 on a CSV): the file's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from hyoka.cellref import place_texts
from hyoka.check.findings import field_place
from hyoka.read.raw import PLACE_PREFIXES


def labels_of(tables: Iterable) -> dict[str, Mapping[int, str]]:
    """source name → its columns' names in places (``RawTable.labels``), for the tables read."""
    return {t.source: t.labels for t in tables}


def cell_texts(found: pd.DataFrame, labels: Mapping[str, Mapping[int, str]] | None = None) -> pd.Series:
    """The ``cell`` text of each finding of ``found`` (a findings table: its place columns).
    ``labels``: :func:`labels_of` the tables read (a CSV column with no name there is shown by
    its number)."""
    labels = labels or {}
    names = [
        labels.get(str(f), {}).get(int(c), str(int(c)))
        for f, c in zip(found["source_file"].astype("string").fillna(""), found["col"])
    ]
    return place_texts(
        found["source_file"],
        found["sheet"],
        found["cell_row"],
        found["col"],
        pd.Series(names, index=found.index, dtype="string"),
    )


def with_cells(result) -> pd.DataFrame:
    """``result.findings`` (a hyoka.pipeline.CheckResult's) with the ``cell`` column added: the
    places written out, naming CSV columns as this year's and last year's tables do."""
    found = result.findings
    tables = list(result.tables) + list(result.previous_tables)
    return found.assign(cell=cell_texts(found, labels_of(tables)))


def cell_columns(frame: pd.DataFrame, labels: Mapping[str, Mapping[int, str]] | None = None) -> pd.DataFrame:
    """``frame`` (a normalised frame) with its place columns (``col_``, ``char_``, ``cellrow_<field>``)
    replaced, where they stood, by one text column per field, ``cell_<field>`` (``string``: the
    place of every row's cell, NA where the table lacks the field) — for exports that hand the
    table to other tools. Per row, so for exports only: a check never makes these texts."""
    labels = labels or {}
    place_cols = [c for c in frame.columns if c.startswith(PLACE_PREFIXES)]
    if not place_cols:
        return frame
    fields = [c.removeprefix("col_") for c in place_cols if c.startswith("col_")]
    fields.sort(key=lambda f: f"cellrow_{f}" not in frame)  # the loader placed header-year cells first
    source = frame["source_file"].astype("string").fillna("")
    texts = {}
    for fld in fields:
        cell_row, col, _ = field_place(frame, fld)
        names = pd.Series(
            [labels.get(f, {}).get(int(c), str(int(c))) for f, c in zip(source, col)], index=frame.index, dtype="string"
        )
        text = place_texts(
            source, frame["sheet"], pd.Series(cell_row, index=frame.index), pd.Series(col, index=frame.index), names
        )
        texts[f"cell_{fld}"] = text.mask(col == 0, pd.NA)
    at = frame.columns.get_loc(place_cols[0])
    rest = frame.drop(columns=place_cols)
    return pd.concat([rest.iloc[:, :at], pd.DataFrame(texts, index=frame.index), rest.iloc[:, at:]], axis=1)
