"""Loading one evaluation table file (CSV, .xlsx, .xls, .ods, a web page: .html, .htm, or a PDF; by extension) into a
:class:`hyoka.read.raw.RawTable` (its frame's columns are described in :mod:`hyoka.read.raw`).

Raises :class:`~hyoka.errors.InputError` naming file (and sheet/row/column) when a file cannot be
read or holds no recognisable header.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from hyoka.errors import InputError, msg, os_reason, reading
from hyoka.files import SpecialFileError, check_regular, real
from hyoka.normalise.patterns import Pattern
from hyoka.normalise.vocabulary import Vocabulary, compile_pattern, nfkc
from hyoka.read.csv import read_csv
from hyoka.read.header import HEADER_SCAN_ROWS, MIN_HEADER_FIELDS
from hyoka.read.html import read_tables
from hyoka.read.noheader import no_header_error
from hyoka.read.pdf import PdfGrid, continued, read_pdf_tables
from hyoka.read.raw import RawTable, fill_places, frame_from_rows, has_header
from hyoka.read.xlsx import read_grids, read_other_grids
from hyoka.resources import data_dir, load_yaml

# ---------------------------------------------------------------- xlsx


def _skip_patterns() -> list[Pattern]:
    data = load_yaml(data_dir("rules") / "sheets.yaml") or {}
    return [compile_pattern(nfkc(str(p)), "rules/sheets.yaml: skip") for p in data.get("skip", [])]


def read_xlsx(path: Path, vocab: Vocabulary, source: str | None = None, reader: str = "auto") -> RawTable:
    """Read every visible, non-skipped worksheet that has a header (hyoka.read.xlsx reads the grids:
    .xlsx/.xlsm with ``reader``, .xls and .ods with python-calamine). Adds ``nocache_<field>``
    (bool) columns: the cell holds a formula with no cached value."""
    source = source or path.name
    if path.suffix.lower() in (".xls", ".ods"):
        grids = read_other_grids(path, source)
    else:
        grids, _ = read_grids(path, source, reader)
    skip = _skip_patterns()
    tables: list[RawTable] = []
    skipped: list[str] = []
    headerless: list[tuple[str, list[list[str]], list[int]]] = []  # sheets read that have no header
    for g in grids:
        if not g.visible or any(p.search(nfkc(g.title)) for p in skip):
            skipped.append(g.title)
            continue
        numbers = list(range(1, len(g.rows) + 1))
        with reading(source, g.title):  # a sheet nothing foresaw: one line naming the file and sheet
            table = frame_from_rows(g.rows, numbers, source, g.title, vocab)
        if table is None:
            skipped.append(g.title)
            headerless.append((g.title, g.rows[:HEADER_SCAN_ROWS], numbers[:HEADER_SCAN_ROWS]))
            continue
        for fld, c in table.columns.items():
            flags = [(n - 1, c) in g.uncached for n in table.frame["row"]] if g.uncached else False
            table.frame[f"nocache_{fld}"] = flags
        tables.append(table)
    if not tables:
        if headerless:
            raise no_header_error(source, headerless, vocab)
        raise InputError(msg("no_header_sheet", n=MIN_HEADER_FIELDS), file=source)
    return combine_tables(tables, source, skipped)


def combine_tables(tables: list[RawTable], source: str, skipped: list[str]) -> RawTable:
    """One RawTable of the tables read from one file's sheets (or a page's tables), in order:
    their frames concatenated, what each read listed (``skipped``: the sheets or tables not
    read); the header and the column labels are the first table's."""
    frame = fill_places(pd.concat([t.frame for t in tables], ignore_index=True))
    out = RawTable(
        frame,
        source,
        list(dict.fromkeys(s for t in tables for s in t.sheets_read)),
        skipped,
        tables[0].headers,
        unmapped=[u for t in tables for u in t.unmapped],
    )
    # how each sheet was read (hyoka inspect): the layouts name their sheet, the header rows per sheet
    out.header_rows = [r for t in tables for r in t.header_rows]
    out.sheet_headers = {
        s: rows for t in tables for s, rows in (t.sheet_headers or {t.sheets_read[0]: t.header_rows}).items()
    }
    out.layout = [d for t in tables for d in t.layout]
    out.skipped_rows = [r for t in tables for r in t.skipped_rows]
    out.duplicates = [d for t in tables for d in t.duplicates]
    out.empty_fields = list(dict.fromkeys(f for t in tables for f in t.empty_fields))
    out.cut = [c for t in tables for c in t.cut]
    out.columns, out.labels = tables[0].columns, tables[0].labels
    for t in tables:
        for f, n in t.carried.items():
            out.carried[f] = out.carried.get(f, 0) + n
    return out


# ---------------------------------------------------------------- html

#: a table of fewer rows or columns cannot hold a header and a row below it: not looked at
_MIN_ROWS, _MIN_COLUMNS = 2, 2


def read_html(path: Path, vocab: Vocabulary, source: str | None = None, table: int | None = None) -> RawTable:
    """Read the tables of a web page (hyoka.read.html: ``table1``, ``table2`` …, spans resolved)
    that have a header, as read_xlsx reads sheets: each table's name is its ``sheet``, its rows
    numbered from 1 within the table. A table without a header (navigation, layout) is skipped.
    ``table``: read only the page's ``table``-th table (1-based). Raises InputError naming the
    file when the page has no table, no table ``table``, or no table with a header."""
    source = source or path.name
    grids = read_tables(path, source)
    if table is not None:
        if table > len(grids) or table < 1:
            key = "html_no_such_table" if grids else "html_no_such_table_none"
            raise InputError(msg(key, n=table, count=len(grids)), file=source)
        grids = [grids[table - 1]]
    elif not grids:
        raise InputError(msg("html_no_tables"), file=source)
    tables: list[RawTable] = []
    skipped: list[str] = []
    headerless: list[tuple[str, list[list[str]], list[int]]] = []
    for g in grids:
        numbers = list(range(1, len(g.rows) + 1))
        if len(g.rows) < _MIN_ROWS or max(map(len, g.rows), default=0) < _MIN_COLUMNS:
            skipped.append(g.name)
            headerless.append((g.name, g.rows[:HEADER_SCAN_ROWS], numbers[:HEADER_SCAN_ROWS]))
            continue
        with reading(source, g.name):
            read = frame_from_rows(g.rows, numbers, source, g.name, vocab)
        if read is None:
            skipped.append(g.name)
            headerless.append((g.name, g.rows[:HEADER_SCAN_ROWS], numbers[:HEADER_SCAN_ROWS]))
            continue
        tables.append(read)
    if not tables:
        raise no_header_error(source, headerless, vocab, tables=True)
    return combine_tables(tables, source, skipped)


# ---------------------------------------------------------------- pdf


def _on_pages(table: RawTable, grid: PdfGrid) -> RawTable:
    """Put the rows of ``table`` (read from ``grid`` with row numbers 1..n, one per grid row) back
    on their pages: ``sheet`` becomes each row's page (``p3``), ``row`` and the ``cellrow_``
    columns the row on that page's table; ``table`` (str) names the logical table (its first
    page's sheet), which hyoka.check.profile groups by. A header-year cell (``cellrow_``) is placed
    on the row's own page, where the repeated header prints it. In place; returns ``table``."""
    frame = table.frame
    sheets = np.array([s for s, _ in grid.where], dtype=object)
    rows = np.array([r for _, r in grid.where], dtype=np.int64)
    at = frame["row"].to_numpy(np.int64) - 1
    frame["sheet"] = pd.Series(sheets[at], index=frame.index, dtype="string")
    frame["row"] = rows[at]
    for col in [c for c in frame.columns if c.startswith("cellrow_")]:
        v = frame[col].to_numpy(np.int64)
        frame[col] = np.where(v > 0, rows[np.clip(v - 1, 0, len(rows) - 1)], 0).astype(np.int64)
    frame.insert(2, "table", pd.Series(grid.sheet, index=frame.index, dtype="string"))

    def moved(items):
        return [(grid.where[r - 1][0], grid.where[r - 1][1], *rest) for _, r, *rest in items]

    table.skipped_rows = moved(table.skipped_rows)
    table.unmapped = moved(table.unmapped)
    table.duplicates = moved(table.duplicates)
    table.sheet_headers = {grid.sheet: [int(rows[r - 1]) for r in table.header_rows]}
    table.header_rows = [int(rows[r - 1]) for r in table.header_rows]
    table.sheets_read = list(dict.fromkeys(grid.where[i][0] for i in at))
    return table


def read_pdf(path: Path, vocab: Vocabulary, source: str | None = None, table: int | None = None) -> RawTable:
    """Read the ruled tables of a born-digital PDF (hyoka.read.pdf reads the grids and joins a
    table continued over pages into one): each logical table with a header is read as a sheet
    is, its rows placed on their pages (:func:`_on_pages`). ``table``: read only the ``table``-th
    logical table (1-based, in page order). Raises InputError: no text (a scan), no ruled table,
    no table ``table``, no table with a header (as for a workbook's sheets), or what
    hyoka.read.pdf raises."""
    source = source or path.name
    parts = read_pdf_tables(path, source)
    if not parts:
        raise InputError(msg("pdf_no_table"), file=source)
    grids = continued(parts, lambda rows: has_header(rows[:HEADER_SCAN_ROWS], vocab))
    if table is not None:
        if not 1 <= table <= len(grids):
            raise InputError(msg("pdf_no_such_table", n=table, count=len(grids)), file=source)
        grids = [grids[table - 1]]
    tables: list[RawTable] = []
    skipped: list[str] = []
    headerless: list[tuple[str, list[list[str]], list[int]]] = []
    for g in grids:
        numbers = list(range(1, len(g.rows) + 1))
        with reading(source, g.sheet):
            read = frame_from_rows(g.rows, numbers, source, g.sheet, vocab)
        if read is None:
            skipped.extend(g.sheets)
            headerless.append((g.sheet, g.rows[:HEADER_SCAN_ROWS], [r for _, r in g.where[:HEADER_SCAN_ROWS]]))
            continue
        read.cut = [(part.sheet, side) for part in g.parts for side in part.cut]
        tables.append(_on_pages(read, g))
    if not tables:
        raise no_header_error(source, headerless, vocab)
    return combine_tables(tables, source, skipped)


_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls
_PDF_MAGIC = b"%PDF-"


def _refuse_workbook(path: Path, suffix: str) -> None:
    """A workbook or PDF saved under another kind's name (an .xlsx renamed .csv or .pdf, a PDF
    renamed .html) is refused with a message that says which kind it is, rather than read: its
    places would name a file no viewer opens as such, and the reader and the annotated copy are
    chosen by extension."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return  # read_csv says why
    kind = None
    if head.startswith(_PDF_MAGIC) and suffix != ".pdf":
        kind = ".pdf"
    elif head.startswith(_CFB_MAGIC):
        kind = ".xls"
    elif head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                kind = ".ods" if "content.xml" in names and "mimetype" in names else ".xlsx"
        except (zipfile.BadZipFile, OSError):
            kind = ".xlsx"
    if kind is not None:
        raise InputError(msg("renamed_workbook", suffix=suffix, kind=kind, what=msg(f"kind{kind}")), file=path.name)


def load_table(path: Path | str, vocab: Vocabulary, reader: str = "auto", table: int | None = None) -> RawTable:
    """Read one CSV, .xlsx, .xls, .ods, web page (.html, .htm) or PDF file (by extension). ``table``:
    of a web page or a PDF, read only its ``table``-th table (:func:`read_html`, :func:`read_pdf`;
    other files ignore it).
    Raises InputError for other kinds, for a file that is not a regular one (a FIFO, a device:
    hyoka.files.check_regular), for a symlink loop (``cannot read``) and for a workbook or PDF named as
    another kind (:func:`_refuse_workbook`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        real(path)
    except OSError as exc:  # a symlink loop: Path.exists() would call it a missing file
        raise InputError(msg("cannot_read", reason=os_reason(exc)), file=str(path)) from None
    if not path.exists():
        raise InputError(msg("no_such_file"), file=str(path))
    if path.is_dir():
        raise InputError(msg("is_a_folder_input"), file=str(path))
    try:  # a FIFO or a device (a table symlinked to /dev/zero) would read without end: regular files only
        check_regular(path)
    except SpecialFileError as exc:
        raise InputError(exc.message, file=str(path)) from None
    except OSError:
        pass  # the reader says why it cannot read the file
    if suffix in (".csv", ".txt", ".tsv"):
        _refuse_workbook(path, suffix)
        raw = read_csv(path, vocab, source=path.name)
    elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raw = read_xlsx(path, vocab, source=path.name, reader=reader)
    elif suffix in (".html", ".htm"):
        _refuse_workbook(path, suffix)
        raw = read_html(path, vocab, source=path.name, table=table)
    elif suffix == ".pdf":
        _refuse_workbook(path, suffix)
        raw = read_pdf(path, vocab, source=path.name, table=table)
    else:
        raise InputError(
            msg("unsupported_type", suffix=suffix) if suffix else msg("unsupported_no_suffix"), file=str(path)
        )
    if raw.frame.empty:
        raise InputError(msg("no_data_rows"), file=path.name, sheet=", ".join(raw.sheets_read) or None)
    raw.path = str(path)
    raw.rows = len(raw.frame)
    return raw
