"""Loading evaluation tables from CSV and .xlsx into one raw frame with provenance.

``load_table(path, vocab)`` returns a :class:`RawTable` whose ``frame`` has, per data row:

- ``source_file`` (str, the file name as given), ``sheet`` (str, ``""`` for CSV), ``row`` (int: the
  worksheet row, or the CSV line on which the record starts, 1-based);
- one column per canonical field found (``item`` … ``current_year``), holding the cell's text as
  published (str, ``""`` when empty);
- ``cell_<field>`` for each of them: ``[book.xlsx]Sheet!H12`` or ``table.csv:12:baseline``.

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

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hyoka.cellref import column_letters
from hyoka.errors import InputError
from hyoka.normalise.measures import YEAR_RE
from hyoka.normalise.vocabulary import (CANONICAL_FIELDS, VALUE_FIELDS, Vocabulary, compile_pattern, header_key,
                                        nfkc)
from hyoka.read.xlsx import read_grids
from hyoka.resources import data_dir, load_yaml

HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 2_000  # an evaluation table has a few dozen columns (the same limit as hyoka.read.xlsx)
MIN_HEADER_FIELDS = 3
_SJIS_FAMILY = {"shift_jis", "sjis", "cp932", "ms932", "windows_31j", "mskanji", "ms_kanji"}
_YEAR_LABEL = re.compile(r"^(?P<name>.*?)\((?P<label>[^()]*)\)$")
_ALIAS_TAIL = re.compile(r"^[\d~\-・,、.()\[\]]*$")


@dataclass
class RawTable:
    """One input file, read: the raw frame (see module doc), the sheets read and skipped, and the
    header text found for each canonical field."""

    frame: pd.DataFrame
    source: str
    sheets_read: list[str] = field(default_factory=list)
    sheets_skipped: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    unmapped: list[tuple[str, str, str]] = field(default_factory=list)  # (cell, header text, field it resembles)
    columns: dict[str, int] = field(default_factory=dict)                # field → column index
    path: str = ""                                                       # the path as given
    delimiter: str = ""                                                  # a CSV's field separator


def match_header(text: str, vocab: Vocabulary) -> tuple[str, str | None] | None:
    """The canonical field a header cell names, and the year label written in it, or None.

    ``基準値（R3)`` → ``("baseline", "R3")``; ``協働の相手\\n①～⑦`` → ``("partners", None)``.
    """
    key = header_key(text)
    if not key:
        return None
    label = None
    m = _YEAR_LABEL.match(key)
    if m and m.group("name") and _looks_like_year(m.group("label")):
        key, label = m.group("name"), m.group("label")
    fld = vocab.aliases.get(key)
    if fld is None:
        for alias in sorted(vocab.aliases, key=len, reverse=True):
            if key.startswith(alias) and _ALIAS_TAIL.match(key[len(alias):]):
                fld = vocab.aliases[alias]
                break
    if fld is None or fld == "ignore":
        return None
    return fld, label


def _looks_like_year(label: str) -> bool:
    """A header's parenthesised label is a fiscal year (R3, H30, 令和9年度, 2021年度…). One regex
    match, not a pandas call: this runs for every header cell of every sheet."""
    return YEAR_RE.match(nfkc(label).strip()) is not None


def _find_header(rows: list[list[str]], vocab: Vocabulary) -> tuple[int, int, dict[int, tuple[str, str | None, int]]] | None:
    """Return (first header row index, first data row index, column index → (field, year label,
    index of the header row that named it))."""
    best: tuple[int, int] | None = None
    matches: list[dict[int, tuple[str, str | None]]] = []
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {c: m for c, v in enumerate(row) if v and (m := match_header(v, vocab))}
        matches.append(found)
        score = len({f for f, _ in found.values()})
        if score >= MIN_HEADER_FIELDS and (best is None or score > best[1]):
            best = (r, score)
    if best is None:
        return None
    r = best[0]
    columns = {c: (f, label, r) for c, (f, label) in matches[r].items()}
    data_start = r + 1
    if r + 1 < len(matches) and matches[r + 1]:
        # two-row header: the lower row names the columns under a grouping row
        columns.update({c: (f, label, r + 1) for c, (f, label) in matches[r + 1].items()})
        data_start = r + 2
    return r, data_start, columns


def _frame_from_rows(rows: list[list[str]], row_numbers: list[int], source: str, sheet: str,
                     vocab: Vocabulary, cell_ref, cell_parts, grid: pd.DataFrame | None = None) -> RawTable | None:
    """The raw frame of one sheet or CSV. ``rows`` holds the grid's rows as lists of text (for a
    CSV only the first rows, where the header is looked for, with ``grid`` the whole table as a
    frame of text columns); ``cell_ref(row_number, col)`` names one cell, ``cell_parts(col)``
    gives the text before and after the row number in the references of a column (built on whole
    columns, not cell by cell)."""
    found = _find_header(rows, vocab)
    if found is None:
        return None
    _, data_start, columns = found
    seen: dict[str, int] = {}
    for c, (fld, _, _) in sorted(columns.items()):
        if fld in seen:
            raise InputError(f"two columns read as {fld!r} (columns {seen[fld] + 1} and {c + 1}); "
                             "rename one or map it in a mapping file", file=source, sheet=sheet or None,
                             column=column_letters(c) if sheet else str(c + 1))
        seen[fld] = c
    nums = row_numbers[data_start:]
    data = {}
    if grid is not None:  # a CSV: columns straight from the parsed grid
        body = grid.iloc[data_start:]
        for fld, c in seen.items():
            data[fld] = body.iloc[:, c].reset_index(drop=True) if c < body.shape[1] else \
                pd.Series([""] * len(body), dtype="string")
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
    # year labels written in the value headers fill the year columns the table lacks
    for c, (fld, label, header_row) in columns.items():
        if fld in VALUE_FIELDS and label and f"{fld}_year" not in seen:
            frame[f"{fld}_year"] = pd.Series(label, index=frame.index, dtype="string")
            frame[f"cell_{fld}_year"] = cell_ref(row_numbers[header_row], c)  # the header cell
    import pyarrow as pa
    import pyarrow.compute as pc
    numbers = pa.array(frame["row"].to_numpy()).cast(pa.string())
    for fld, c in seen.items():  # one Arrow join per column: before + row number + after
        before, after = cell_parts(c)
        frame[f"cell_{fld}"] = pd.Series(pc.binary_join_element_wise(before, numbers, after, ""),
                                         index=frame.index, dtype="string")
    # drop spacer rows and notes below the table (※…): rows with no value in any field but the first
    fields = [f for f in seen if f != "item"]
    stripped = frame[fields[0]].fillna("").str.strip()
    filled = [(stripped != "").to_numpy(bool)] + [(frame[f].fillna("").str.strip() != "").to_numpy(bool)
                                                 for f in fields[1:]]
    keep = np.logical_or.reduce(filled)
    rest_empty = ~np.logical_or.reduce(filled[1:]) if len(filled) > 1 else np.ones(len(frame), bool)
    note_like = stripped.str.startswith(("※", "注")).to_numpy(bool) & rest_empty
    frame = frame[keep & ~note_like].reset_index(drop=True)
    headers = {fld: rows[columns[c][2]][c] for fld, c in seen.items() if c < len(rows[columns[c][2]])}
    unmapped = _unmapped(rows, found[0], data_start, row_numbers, set(columns), vocab, cell_ref)
    return RawTable(frame, source, [sheet] if sheet else [], [], headers, unmapped, dict(seen))


def _unmapped(rows, first, data_start, row_numbers, mapped: set[int], vocab: Vocabulary, cell_ref):
    """Header cells that no alias matched but that contain one (基準値（令和3年度実績）, 評価欄):
    reported, so a column is never dropped silently."""
    out = []
    aliases = sorted((a for a in vocab.aliases if len(a) >= 2 and not a.isascii()), key=len, reverse=True)
    for r in range(first, data_start):
        for c, text in enumerate(rows[r]):
            if c in mapped or not text:
                continue
            key = header_key(text)
            hit = next((a for a in aliases if a in key), None)
            if hit and not re.match(r"^[(（]?\d+[)）]", key):   # (１)令和5年度実施状況 is a group title
                out.append((cell_ref(row_numbers[r], c), text, vocab.aliases[hit]))
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- CSV

def decode_csv_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode CSV bytes, detecting the encoding. Returns (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        from charset_normalizer import from_bytes
        matches = from_bytes(data[:1_000_000])
        # Short Japanese texts often score as gb18030 too: where any candidate is a Japanese
        # encoding, prefer it (Japanese offices write cp932 or, rarely, EUC-JP).
        names = [m.encoding.lower().replace("-", "_") for m in matches]
        japanese = [n for n in names if n in _SJIS_FAMILY or n.startswith(("shift_jis", "euc_j", "iso2022_jp"))]
        best = matches.best()
        enc = japanese[0] if japanese else (best.encoding if best is not None else None)
        if enc is None:
            raise InputError("cannot tell the text encoding (not UTF-8, UTF-16 or cp932); "
                             "save the file as UTF-8 CSV", file=source)
        if enc.lower().replace("-", "_").startswith(("shift_jis", "sjis")) or enc.lower() in _SJIS_FAMILY:
            enc = "cp932"  # never strict shift_jis: cp932 adds ①, 髙 and the other Windows characters
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"byte {exc.start} is not valid {enc}; save the file as UTF-8 CSV",
                         file=source, row=line) from None


def read_csv(path: Path, vocab: Vocabulary, source: str | None = None) -> RawTable:
    source = source or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", file=source) from None
    if not data or data.isspace():  # (bytes.strip() would copy the whole file)
        raise InputError("the file is empty", file=source)
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file holds NUL bytes: not a text CSV", file=source)
    text, enc = decode_csv_bytes(data, source)
    if enc.startswith("utf-8"):
        text = None  # valid UTF-8: pyarrow reads the bytes; the text is decoded again only for pandas' parser
    # comma first; Excel's "Unicode text" export is tab-separated, some locales use ";"
    for sep in (",", "\t", ";"):
        try:
            grid = _grid_pyarrow(data, text, enc, sep)
            if grid is None:
                if text is None:
                    text = data.decode(enc)
                grid = pd.read_csv(io.StringIO(text), header=None, dtype="string", keep_default_na=False,
                                   skip_blank_lines=False, engine="c", sep=sep)
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            if sep == ",":
                first_error = f"not a readable CSV ({str(exc).splitlines()[0]})"
            continue
        grid = grid.fillna("")
        if grid.shape[1] > MAX_COLUMNS:
            raise InputError(f"{grid.shape[1]:,} columns, over the limit of {MAX_COLUMNS:,}: not an evaluation table",
                             file=source)
        if _find_header(grid.head(HEADER_SCAN_ROWS).to_numpy(dtype=object).tolist(), vocab) is not None:
            break
    else:
        raise InputError(locals().get("first_error") or "no header row: none of the first 30 rows names at least "
                         f"{MIN_HEADER_FIELDS} known columns (see rules/columns.yaml)", file=source)
    del text, data
    # the physical line each record starts on: records may span lines (quoted newlines)
    spans = 1 + sum(grid[c].str.count("\n") for c in grid.columns)
    starts = (spans.cumsum() - spans + 1).astype("int64").tolist()
    # the header is looked for in the first rows; the body is taken column by column from the grid
    rows = grid.head(HEADER_SCAN_ROWS + 2).to_numpy(dtype=object).tolist()
    header_names: dict[int, str] = {}

    def cell_ref(line: int, c: int) -> str:
        return f"{source}:{line}:{header_names.get(c, c + 1)}"

    def cell_parts(c: int) -> tuple[str, str]:
        return f"{source}:", f":{header_names.get(c, c + 1)}"

    found = _find_header(rows, vocab)
    if found is None:
        raise InputError("no header row: none of the first 30 rows names at least "
                         f"{MIN_HEADER_FIELDS} known columns (see rules/columns.yaml)", file=source)
    for c, (fld, _, _) in found[2].items():
        header_names[c] = fld
    table = _frame_from_rows(rows, starts, source, "", vocab, cell_ref, cell_parts, grid=grid)
    assert table is not None
    table.delimiter = sep
    del grid
    release_memory()
    return table


def release_memory() -> None:
    """Give the memory Arrow's allocator keeps after freeing (the parsed grid, intermediate
    columns) back to the system, so a large table's peak is not carried through the run."""
    import pyarrow as pa
    pa.default_memory_pool().release_unused()


def _grid_pyarrow(data: bytes, text: str, enc: str, sep: str) -> pd.DataFrame | None:
    """The CSV as a frame of text columns (``string`` dtype, no missing values), read by pyarrow's
    multi-threaded reader; None when pyarrow cannot read it as a rectangular table (a blank line,
    a short or long row…), so the caller falls back to pandas' C parser, which pads short rows.
    Cells keep their line breaks (``newlines_in_values``), so line numbers stay right."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw = data[3:] if enc == "utf-8-sig" else data if enc == "utf-8" else text.encode("utf-8")  # type: ignore[union-attr]
    if raw[: raw.find(b"\n")].count(sep.encode()) >= MAX_COLUMNS:
        return None  # far too wide: pyarrow would allocate every column (and abort); the C parser refuses it
    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(MAX_COLUMNS + 1)},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None
    if table.num_columns > MAX_COLUMNS or table.num_rows == 0:
        return None  # the C parser's path says why
    return pd.DataFrame({i: pd.Series(table.column(i), dtype="string") for i in range(table.num_columns)})


# ---------------------------------------------------------------- xlsx

def _skip_patterns() -> list[re.Pattern[str]]:
    data = load_yaml(data_dir("rules") / "sheets.yaml") or {}
    return [compile_pattern(nfkc(str(p)), "rules/sheets.yaml: skip") for p in data.get("skip", [])]


def read_xlsx(path: Path, vocab: Vocabulary, source: str | None = None, reader: str = "auto") -> RawTable:
    """Read every visible, non-skipped worksheet that has a header (hyoka.read.xlsx reads the grids).
    Adds ``nocache_<field>`` (bool) columns: the cell holds a formula with no cached value."""
    source = source or path.name
    grids, _ = read_grids(path, source, reader)
    skip = _skip_patterns()
    tables: list[RawTable] = []
    skipped: list[str] = []
    for g in grids:
        if not g.visible or any(p.search(nfkc(g.title)) for p in skip):
            skipped.append(g.title)
            continue
        numbers = list(range(1, len(g.rows) + 1))

        def cell_ref(n: int, c: int, _t=g.title) -> str:
            return f"[{source}]{_t}!{column_letters(c)}{n}"

        def cell_parts(c: int, _t=g.title) -> tuple[str, str]:
            return f"[{source}]{_t}!{column_letters(c)}", ""

        table = _frame_from_rows(g.rows, numbers, source, g.title, vocab, cell_ref, cell_parts)
        if table is None:
            skipped.append(g.title)
            continue
        for fld, c in table.columns.items():
            flags = [(n - 1, c) in g.uncached for n in table.frame["row"]] if g.uncached else False
            table.frame[f"nocache_{fld}"] = flags
        tables.append(table)
    if not tables:
        raise InputError("no sheet has a header row naming at least "
                         f"{MIN_HEADER_FIELDS} known columns (see rules/columns.yaml)", file=source)
    frame = pd.concat([t.frame for t in tables], ignore_index=True)
    return RawTable(frame, source, [s for t in tables for s in t.sheets_read], skipped, tables[0].headers,
                    unmapped=[u for t in tables for u in t.unmapped])


def load_table(path: Path | str, vocab: Vocabulary, reader: str = "auto") -> RawTable:
    """Read one CSV or .xlsx file (by extension). Raises InputError for other kinds."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError("no such file", file=str(path))
    if path.is_dir():
        raise InputError("is a folder; give the CSV or .xlsx files in it", file=str(path))
    if suffix in (".csv", ".txt", ".tsv"):
        table = read_csv(path, vocab, source=path.name)
    elif suffix in (".xlsx", ".xlsm"):
        table = read_xlsx(path, vocab, source=path.name, reader=reader)
    elif suffix == ".xls":
        raise InputError("an old-format .xls workbook: open it in Excel and save as .xlsx", file=str(path))
    else:
        raise InputError(f"unsupported file type {suffix or '(none)'}: hyoka reads .csv and .xlsx", file=str(path))
    if table.frame.empty:
        raise InputError("no data rows below the header", file=path.name,
                         sheet=", ".join(table.sheets_read) or None)
    table.path = str(path)
    return table


def ensure_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Add empty columns for canonical fields the table lacks (cells referenced as absent)."""
    for fld in CANONICAL_FIELDS:
        if fld not in frame.columns:
            frame[fld] = pd.Series("", index=frame.index, dtype="string")
            frame[f"cell_{fld}"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame
