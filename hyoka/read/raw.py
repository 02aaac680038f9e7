"""Loading evaluation tables from CSV and .xlsx into one raw frame with provenance.

``load_table(path, vocab)`` returns a :class:`RawTable` whose ``frame`` has, per data row:

- ``source_file`` (str, the file name as given), ``sheet`` (str, ``""`` for CSV), ``row`` (int64:
  the worksheet row, or the CSV line on which the record starts, 1-based);
- one column per canonical field found (``item`` … ``current_year``), holding the cell's text as
  published (str, ``""`` when empty);
- where each field's cell is, as numbers (:data:`PLACE_PREFIXES`; no reference text is built):
  ``col_<field>`` (int16, the 1-based column of the sheet or CSV; 0 when the table has no such
  field), for a CSV ``char_<field>`` (int32, the 1-based character column, in Unicode code
  points, at which the field starts on the record's first line; 0 when it starts on a later line
  because a quoted cell before it runs on), and ``cellrow_<field>`` (int64) for a year written in
  a value header (``基準値（R3)``): the header's row, where that ``<field>_year`` cell is.

A cell is shown as ``[book.xlsx]Sheet!H12`` or ``table.csv:12:baseline`` only when a finding is
reported on it (:mod:`hyoka.output.places`); a CSV place names the column by
``RawTable.labels`` (the field it was read as, else its 1-based number).

Year labels written in value headers (``基準値（R3)``) fill ``<field>_year`` where the table has
no year column. Header rows are found by matching the aliases in rules/columns.yaml within the
first 30 rows; a second header row below the first is merged into it (two-row headers). Merged
cells are filled from their top-left cell; formula cells are read as their cached values.
CSV encodings are detected: UTF-8 (with or without BOM), UTF-16 with BOM, and cp932 (Windows
Japanese, a superset of Shift_JIS: strict ``shift_jis`` is never used).

Raises :class:`~hyoka.errors.InputError` naming file (and sheet/row/column) when a file cannot be
read or holds no recognisable header.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hyoka.cellref import column_letters
from hyoka.errors import InputError
from hyoka.normalise.vocabulary import CANONICAL_FIELDS, VALUE_FIELDS, Vocabulary
from hyoka.read.header import find_header, find_unmapped

#: the prefixes of the place columns a raw (and normalised) frame has per field (module doc)
PLACE_PREFIXES = ("col_", "char_", "cellrow_")
PLACE_DTYPES = {"col_": "int16", "char_": "int32", "cellrow_": "int64"}


@dataclass
class RawTable:
    """One input file, read: the raw frame (see module doc), the sheets read and skipped, and the
    header text found for each canonical field."""

    frame: pd.DataFrame
    source: str
    sheets_read: list[str] = field(default_factory=list)
    sheets_skipped: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    #: header cells that resemble a field but were not read: (sheet, row, 1-based column,
    #: character column (CSV; 0 otherwise), header text, the field it resembles)
    unmapped: list[tuple[str, int, int, int, str, str]] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # field → 0-based column index
    path: str = ""  # the path as given
    delimiter: str = ""  # a CSV's field separator
    labels: dict[int, str] = field(default_factory=dict)  # CSV: 1-based column → name in places (the field)
    rows: int = 0  # data rows read (``frame`` is emptied once normalised: hyoka.pipeline.run_check)


def frame_from_rows(
    rows: list[list[str]],
    row_numbers: list[int],
    source: str,
    sheet: str,
    vocab: Vocabulary,
    grid: pd.DataFrame | None = None,
    chars=None,
) -> RawTable | None:
    """The raw frame of one sheet or CSV. ``rows`` holds the grid's rows as lists of text (for a
    CSV only the first rows, where the header is looked for, with ``grid`` the whole table as a
    frame of text columns); ``row_numbers`` the row (line) number of each grid row. For a CSV,
    ``chars`` gives character columns (hyoka.read.csv.CharColumns): ``chars.body(columns,
    data_start)`` → field → int32 array per body row, ``chars.at(grid_row, col)`` one cell's."""
    found = find_header(rows, vocab)
    if found is None:
        return None
    _, data_start, columns = found
    seen: dict[str, int] = {}
    for c, (fld, _, _) in sorted(columns.items()):
        if fld in seen:
            raise InputError(
                f"two columns read as {fld!r} (columns {seen[fld] + 1} and {c + 1}); "
                "rename one or map it in a mapping file",
                file=source,
                sheet=sheet or None,
                column=column_letters(c) if sheet else str(c + 1),
            )
        seen[fld] = c
    nums = row_numbers[data_start:]
    data = {}
    if grid is not None:  # a CSV: columns straight from the parsed grid
        body = grid.iloc[data_start:]
        for fld, c in seen.items():
            data[fld] = (
                body.iloc[:, c].reset_index(drop=True)
                if c < body.shape[1]
                else pd.Series([""] * len(body), dtype="string")
            )
    else:
        body = rows[data_start:]
        width = max((len(r) for r in body), default=0)
        for fld, c in seen.items():
            data[fld] = [r[c] if c < len(r) else "" for r in body] if c < width else [""] * len(body)
    frame = pd.DataFrame(data, dtype="string")
    if frame.empty and not seen:
        return None
    frame.insert(0, "row", pd.Series(nums, dtype="int64"))
    frame.insert(0, "sheet", sheet)
    frame.insert(0, "source_file", source)
    n = len(frame)
    for fld, c in seen.items():
        frame[f"col_{fld}"] = np.full(n, c + 1, dtype="int16")
    if chars is not None:
        for fld, values in chars.body(seen, data_start).items():
            frame[f"char_{fld}"] = values
    # year labels written in the value headers fill the year columns the table lacks
    for c, (fld, label, header_row) in columns.items():
        if fld in VALUE_FIELDS and label and f"{fld}_year" not in seen:
            frame[f"{fld}_year"] = pd.Series(label, index=frame.index, dtype="string")
            frame[f"col_{fld}_year"] = np.full(n, c + 1, dtype="int16")  # the header cell
            frame[f"cellrow_{fld}_year"] = np.full(n, row_numbers[header_row], dtype="int64")
            if chars is not None:
                frame[f"char_{fld}_year"] = np.full(n, chars.at(header_row, c), dtype="int32")
    # drop spacer rows and notes below the table (※…): rows with no value in any field but the first
    fields = [f for f in seen if f != "item"]
    stripped = frame[fields[0]].fillna("").str.strip()
    filled = [(stripped != "").to_numpy(bool)] + [
        (frame[f].fillna("").str.strip() != "").to_numpy(bool) for f in fields[1:]
    ]
    keep = np.logical_or.reduce(filled)
    rest_empty = ~np.logical_or.reduce(filled[1:]) if len(filled) > 1 else np.ones(len(frame), bool)
    note_like = stripped.str.startswith(("※", "注")).to_numpy(bool) & rest_empty
    frame = frame[keep & ~note_like].reset_index(drop=True)
    headers = {fld: rows[columns[c][2]][c] for fld, c in seen.items() if c < len(rows[columns[c][2]])}
    unmapped = [
        (sheet, row_numbers[r], c + 1, chars.at(r, c) if chars is not None else 0, text, fld)
        for r, c, text, fld in find_unmapped(rows, found[0], data_start, list(range(len(rows))), set(columns), vocab)
    ]
    labels = {c + 1: fld for fld, c in seen.items()}
    return RawTable(frame, source, [sheet] if sheet else [], [], headers, unmapped, dict(seen), labels=labels)


def fill_places(frame: pd.DataFrame) -> pd.DataFrame:
    """Give the place columns of a frame concatenated from tables with different columns their
    integer dtype again (a table without the field: 0, no place). In place; returns ``frame``."""
    for col in frame.columns:
        prefix = next((p for p in PLACE_PREFIXES if col.startswith(p)), None)
        if prefix and frame[col].dtype != PLACE_DTYPES[prefix]:
            frame[col] = frame[col].fillna(0).astype(PLACE_DTYPES[prefix])
    return frame


def ensure_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Add empty columns for canonical fields the table lacks (cells placed nowhere: column 0)."""
    for fld in CANONICAL_FIELDS:
        if fld not in frame.columns:
            frame[fld] = pd.Series("", index=frame.index, dtype="string")
            frame[f"col_{fld}"] = np.zeros(len(frame), dtype="int16")
    return frame
