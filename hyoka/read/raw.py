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

- a yearly series, on the rows of an indicator whose current value is the latest of several
  columns (a wide table's ``平成13年実績`` / ``平成14年実績`` …, 大船渡市's six ⑦成果指標 blocks; a long
  table's 実績値 row, hyoka.read.longform), kept so rules can read the years in between:
  ``series<i>`` (str, the i-th value cell as published, left to right from 0, ``""`` when empty),
  its place ``col_series<i>`` / ``char_series<i>`` (and ``cellrow_series<i>`` in a long table,
  where the values sit on a row of their own) and ``series<i>_year`` (str, the column's year
  label, ``""`` when the header says none). A plain table has none of these columns (no memory
  spent on a million rows that have no series); the rows of a block without a series have
  ``""`` and place 0.

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

from hyoka.normalise.measures import on_distinct
from hyoka.normalise.text import text_key
from hyoka.normalise.vocabulary import CANONICAL_FIELDS, VALUE_FIELDS, Vocabulary, nfkc_series
from hyoka.read.header import Header, find_header, find_unmapped
from hyoka.read.layout import carry_down, classify_rows
from hyoka.read.longform import LongRead, find_long, read_long
from hyoka.read.wide import Block, ColumnPlan, plan_columns

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
    #: columns named as a field read from an earlier column (a second 現状値, H22の目標値 after
    #: 年度目標値): reported (H005), not read; the same tuples as ``unmapped``
    duplicates: list[tuple[str, int, int, int, str, str]] = field(default_factory=list)
    #: rows that are not projects: (sheet, row number, reason (hyoka.read.layout.SKIP_REASONS), text)
    skipped_rows: list[tuple[str, int, str, str]] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)  # the sheet rows (CSV lines) of the header
    #: (sheet, field): a column found but empty in every row, read as no column (H003)
    empty_fields: list[tuple[str, str]] = field(default_factory=list)
    #: how each header column was read (hyoka.read.raw.describe_columns), for hyoka inspect
    layout: list[dict] = field(default_factory=list)
    carried: dict[str, int] = field(default_factory=dict)  # field → cells filled from a rowspan above
    sheet_headers: dict[str, list[int]] = field(default_factory=dict)  # a workbook's header rows per sheet
    #: a PDF's pages where the table is cut at the page's edge (hyoka.read.pdf.cut_sides): (page's
    #: sheet, ``"left"`` or ``"right"``), reported (H007)
    cut: list[tuple[str, str]] = field(default_factory=list)


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
    data_start)`` → key → int32 array per body row, ``chars.at(grid_row, col)`` one cell's.
    Returns None when no header is found. Rows that are not projects are left out and listed in
    ``skipped_rows`` (hyoka.read.layout); a wide table gives one row per indicator block
    (hyoka.read.wide); a long table (four rows per indicator, a column per year) one row per
    indicator (hyoka.read.longform)."""
    long_header = find_long(rows)
    if long_header is not None:
        return _long_table(read_long(long_header, rows, row_numbers, sheet, vocab, grid, chars), source, sheet)
    header = find_header(rows, vocab)
    if header is None:
        return None
    plan = plan_columns(header, vocab.series_years)
    data_start = header.data_start
    if grid is not None:
        body = grid.iloc[data_start:]
        n, width = len(body), body.shape[1]
    else:
        body_rows = rows[data_start:]
        n, width = len(body_rows), max((len(r) for r in body_rows), default=0)
    cache: dict[int, pd.Series] = {}
    filled_cache: dict[int, np.ndarray] = {}

    def filled(c: int) -> np.ndarray:
        """Whether each body cell of column ``c`` holds something other than a missing marker
        (``－`` is a placeholder, not a value: a series' baseline is its earliest value)."""
        if c not in filled_cache:
            key = on_distinct(column(c), lambda u: nfkc_series(u).str.strip())
            filled_cache[c] = (~key.isin(vocab.missing_markers)).to_numpy(bool)
        return filled_cache[c]

    def column(c: int) -> pd.Series:
        if c not in cache:
            if c >= width:
                cache[c] = pd.Series([""] * n, dtype="string")
            elif grid is not None:
                cache[c] = body.iloc[:, c].reset_index(drop=True).astype("string").fillna("")
            else:
                cache[c] = pd.Series([r[c] if c < len(r) else "" for r in body_rows], dtype="string").fillna("")
        return cache[c]

    value_cols = sorted(
        {c for b in plan.blocks for f, s in b.sources.items() if f not in ("indicator", "unit") for c in s.columns}
    )
    first_value = value_cols[0] if value_cols else width
    label_cols = sorted({c for c in range(min(first_value, width))} | set(plan.fields.values()))
    label_cols = [c for c in label_cols if c not in value_cols and plan.fields.get("grade") != c]
    header_keys = [(column(c), text_key(header.texts.get(c, ""))) for c in header.columns if c < width]
    name_cols = [plan.fields[f] for f in ("item", "project", "indicator") if f in plan.fields]
    name_cols += [s.columns[0] for b in plan.blocks for f, s in b.sources.items() if f == "indicator"]
    reason = classify_rows(
        [column(c) for c in label_cols],
        [column(c) for c in value_cols],
        header_keys,
        [column(c) for c in name_cols] if value_cols else None,
    )
    nums = np.asarray(row_numbers[data_start : data_start + n], dtype=np.int64)
    # an item written once over the rows below it (合計 over 一般 / 特別 / 計) carries down through
    # data and total rows alike: a row under a carried 合計 is a total too
    if "item" in plan.fields:
        item = column(plan.fields["item"])
        live = reason.isin(["", "total"]).to_numpy(bool)
        carried_item = item.mask((item.str.strip() == "") | ~live).ffill().fillna("")
        under_total = (classify_rows([carried_item], [], []) == "total").to_numpy(bool) & (reason == "").to_numpy(bool)
        if under_total.any():
            reason = reason.copy()
            reason[under_total] = "total"
    keep = (reason == "").to_numpy(bool)
    # carry down what a rowspan wrote once over the data rows
    texts = {f: column(c)[keep].reset_index(drop=True) for f, c in plan.fields.items()}
    carried = carry_down(texts)
    kept = np.flatnonzero(keep)
    skipped = [
        (sheet, int(nums[i]), str(reason.iloc[i]), _row_text([column(c) for c in label_cols], int(i)))
        for i in np.flatnonzero(~keep)
        if reason.iloc[i] != "blank"
    ]
    # a column that is empty in every data row is a field the table does not have
    empty_fields = [f for f, s in texts.items() if len(s) >= 3 and not (s.str.strip() != "").any()]
    for f in empty_fields:
        del texts[f]
    fields = {f: c for f, c in plan.fields.items() if f in texts}
    char_at = (
        chars.body({f"c{c}": c for c in sorted(set(fields.values()) | set(_all_block_cols(plan)))}, data_start)
        if chars is not None
        else None
    )

    frames = []
    for b_index, block in enumerate(plan.blocks):
        frame = pd.DataFrame({f: s for f, s in texts.items()}, dtype="string")
        frame.index = pd.RangeIndex(len(kept))
        m = len(kept)
        for f, c in fields.items():
            frame[f"col_{f}"] = np.full(m, c + 1, dtype="int16")
            if char_at is not None:
                frame[f"char_{f}"] = char_at[f"c{c}"][kept]
        chosen_current = None  # the column each row's current value came from (sources: current before baseline)
        for f, src in block.sources.items():
            cols = src.columns
            if src.pick == "only":
                idx = np.zeros(m, dtype=np.int64)
                text = column(cols[0]).to_numpy(dtype=object)[kept]
            else:
                values = np.stack([column(c).to_numpy(dtype=object)[kept] for c in cols], axis=1)
                nonempty = np.stack([(column(c).str.strip() != "").to_numpy(bool)[kept] for c in cols], axis=1)
                # the latest (earliest) value, not a placeholder after (before) it: － in the years
                # before the indicator was measured or not yet counted, as hyoka.read.longform
                # reads a long table; a series of placeholders only: its last (first) one
                valued = np.stack([filled(c)[kept] for c in cols], axis=1) & nonempty
                if src.pick == "last":
                    idx = (
                        len(cols)
                        - 1
                        - np.where(
                            valued.any(axis=1), np.argmax(valued[:, ::-1], axis=1), np.argmax(nonempty[:, ::-1], axis=1)
                        )
                    )
                else:
                    idx = np.where(valued.any(axis=1), np.argmax(valued, axis=1), np.argmax(nonempty, axis=1))
                idx = np.where(nonempty.any(axis=1), idx, len(cols) - 1 if src.pick == "last" else 0)
                text = values[np.arange(m), idx]
            chosen = np.asarray(cols, dtype=np.int64)[idx]
            if f == "current":
                chosen_current = chosen
                if src.pick == "last":
                    _put_series(frame, cols, values, plan.years, char_at, kept)
            elif src.pick == "first" and chosen_current is not None:
                # a baseline from a series: not the same cell as the current value
                text = np.where(chosen == chosen_current, "", text)
            frame[f] = pd.Series(text, dtype="string").fillna("")
            frame[f"col_{f}"] = (chosen + 1).astype("int16")
            if char_at is not None:
                options = np.stack([char_at[f"c{c}"][kept] for c in cols], axis=1)
                frame[f"char_{f}"] = options[np.arange(m), idx].astype(np.int32)
            if f in VALUE_FIELDS and f"{f}_year" not in fields:
                year_labels = np.array([plan.years.get(c, "") for c in cols], dtype=object)
                year = year_labels[idx]
                if (year != "").any():
                    frame[f"{f}_year"] = pd.Series(year, dtype="string")
                    frame[f"col_{f}_year"] = np.where(year != "", chosen + 1, 0).astype("int16")
                    # the header cell of each chosen column (a few columns: looked up once each)
                    rows_of = np.array([row_numbers[header.columns[c].row] for c in cols], dtype=np.int64)
                    frame[f"cellrow_{f}_year"] = rows_of[idx]
                    if chars is not None:
                        at = np.array([chars.at(header.columns[c].row, c) for c in cols], dtype=np.int32)
                        frame[f"char_{f}_year"] = at[idx]
        if block.name and "indicator" not in block.sources:
            frame["indicator"] = pd.Series([block.name] * m, dtype="string")
            frame["col_indicator"] = np.full(m, _first_col(block) + 1, dtype="int16")
        frame.insert(0, "row", pd.Series(nums[kept], dtype="int64"))
        frame["block"] = pd.Series([block.key or ""] * m, dtype="string")
        frame["block_order"] = np.full(m, b_index, dtype="int16")
        if plan.wide:  # a block whose indicator and values are all empty in a row is no indicator
            have = [
                frame[f].str.strip() != ""
                for f in ("indicator", *VALUE_FIELDS, "rate")
                if f in block.sources and f in frame
            ]
            if have:
                frame = frame[np.logical_or.reduce([h.to_numpy(bool) for h in have])]
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1:
        frame = frame.sort_values(["row", "block_order"], kind="stable").reset_index(drop=True)
    frame = frame.drop(columns="block_order")
    frame.insert(0, "sheet", sheet)
    frame.insert(0, "source_file", source)
    if "indicator" not in frame and "item" in frame and not plan.wide and "project" not in frame:
        # a list of indicators under a 項目 header: the item names the indicator
        frame["indicator"] = frame["item"]
        frame["col_indicator"] = frame["col_item"]
        if "char_item" in frame:
            frame["char_indicator"] = frame["char_item"]
    if not plan.wide and len(frame) >= 3:  # a value column empty in every row is absent too
        for f in [f for b in plan.blocks for f in b.sources if f in frame]:
            if not (frame[f].fillna("").str.strip() != "").any():
                frame = frame.drop(columns=[c for c in (f, f"col_{f}", f"char_{f}") if c in frame])
                empty_fields.append(f)
    fill_places(frame)
    headers = {f: header.texts.get(c, "") for f, c in fields.items()}
    mapped = set(header.columns)
    unmapped = [
        (sheet, row_numbers[r], c + 1, chars.at(r, c) if chars is not None else 0, text, fld)
        for r, c, text, fld in find_unmapped(rows, header.first, data_start, list(range(len(rows))), mapped, vocab)
    ]
    duplicates = []
    for c, f in sorted(plan.unread.items()):
        r = header.columns[c].row
        duplicates.append(
            (sheet, row_numbers[r], c + 1, chars.at(r, c) if chars is not None else 0, header.texts.get(c, ""), f)
        )
    # every field's column (a plain table's values too); a column giving one field names it in places
    columns = dict(fields)
    by_field: dict[str, list[int]] = {}
    for b in plan.blocks:
        for f, src in b.sources.items():
            by_field.setdefault(f, []).extend(src.columns)
    for f, cols in by_field.items():
        if len(cols) == 1 and f not in columns:
            columns[f] = cols[0]
            headers[f] = header.texts.get(cols[0], "")
    labels = {c + 1: f for f, c in columns.items()}
    # a yearly value's column is named by its year where the header says one (table.csv:2:R5)
    for b in plan.blocks:
        series = b.sources.get("current")
        if series is not None and series.pick == "last":
            labels.update({c + 1: plan.years[c] for c in series.columns if plan.years.get(c) and c + 1 not in labels})
    table = RawTable(frame, source, [sheet] if sheet else [], [], headers, unmapped, columns, labels=labels)
    table.skipped_rows = skipped
    table.duplicates = duplicates
    table.header_rows = [row_numbers[r] for r in range(header.first, data_start)]
    table.empty_fields = [(sheet, f) for f in empty_fields]
    table.layout = describe_columns(header, plan, sheet)
    for entry in table.layout:
        if entry["field"] in empty_fields and not entry["note"]:
            entry["note"] = "empty"  # the column is there, with nothing in it: the field is absent
    table.carried = {f: int(a.sum()) for f, a in carried.items() if a.any()}
    return table


def has_header(rows: list[list[str]], vocab: Vocabulary) -> bool:
    """Whether the first rows of a grid hold a header :func:`frame_from_rows` reads: a long
    table's (hyoka.read.longform) or a table's (hyoka.read.header)."""
    return find_long(rows) is not None or find_header(rows, vocab) is not None


def _long_table(read: LongRead, source: str, sheet: str) -> RawTable:
    """The RawTable of a long table read by hyoka.read.longform."""
    frame = read.frame
    frame.insert(0, "sheet", sheet)
    frame.insert(0, "source_file", source)
    fill_places(frame)
    table = RawTable(
        frame, source, [sheet] if sheet else [], [], read.headers, read.unmapped, read.columns, labels=read.labels
    )
    table.skipped_rows = read.skipped
    table.header_rows = read.header_rows
    table.layout = read.layout
    return table


def _put_series(
    frame: pd.DataFrame, cols: list[int], values: np.ndarray, years: dict[int, str], char_at, kept: np.ndarray
) -> None:
    """Keep a block's yearly series on its rows (module doc: ``series<i>`` …): the text of each of
    ``cols`` (``values``: rows × columns), its place and its column's year label. In place."""
    for i, c in enumerate(cols):
        frame[f"series{i}"] = pd.Series(values[:, i], dtype="string").fillna("")
        frame[f"col_series{i}"] = np.full(len(frame), c + 1, dtype="int16")
        if char_at is not None:
            frame[f"char_series{i}"] = char_at[f"c{c}"][kept].astype(np.int32)
        frame[f"series{i}_year"] = pd.Series([years.get(c, "")] * len(frame), dtype="string")


def _all_block_cols(plan: ColumnPlan) -> list[int]:
    return [c for b in plan.blocks for s in b.sources.values() for c in s.columns]


def _first_col(block: Block) -> int:
    return min((c for s in block.sources.values() for c in s.columns), default=0)


def _row_text(columns: list[pd.Series], i: int) -> str:
    """The label cells of body row ``i`` joined, for the list of skipped rows."""
    return " / ".join(str(s.iloc[i]).strip() for s in columns if str(s.iloc[i]).strip())[:80]


def describe_columns(header: Header, plan: ColumnPlan, sheet: str) -> list[dict]:
    """How each header column was read, for ``hyoka inspect``: one dict per column with
    ``column`` (1-based), ``header`` (as published), ``field`` (or None), ``block``, ``year``,
    ``unit``, ``note`` (why not read, or how it is used)."""
    out = []
    used = {c: f for f, c in plan.fields.items()}
    for b in plan.blocks:
        for f, s in b.sources.items():
            for c in s.columns:
                used.setdefault(c, f)
    for c, text in sorted(header.texts.items()):
        read = header.columns.get(c)
        if not text and read is None:
            continue
        note = ""
        if c in plan.unread:
            note = "unread"
        elif read is None:
            note = "unknown"
        elif read.field == "ignore":
            note = "ignored"
        out.append(
            {
                "sheet": sheet,
                "column": c + 1,
                "header": text,
                "field": used.get(c) if read is not None and c not in plan.unread else (read.field if read else None),
                "block": read.block if read else None,
                "year": read.year if read else None,
                "unit": read.unit if read else None,
                "note": note,
            }
        )
    return out


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
