"""Loading one evaluation table file (CSV, .xlsx, .xls or .ods, by extension) into a
:class:`hyoka.read.raw.RawTable` (its frame's columns are described in :mod:`hyoka.read.raw`).

Raises :class:`~hyoka.errors.InputError` naming file (and sheet/row/column) when a file cannot be
read or holds no recognisable header.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from hyoka.errors import InputError, msg, os_reason, reading
from hyoka.files import SpecialFileError, check_regular, real
from hyoka.normalise.patterns import Pattern
from hyoka.normalise.vocabulary import Vocabulary, compile_pattern, nfkc
from hyoka.read.csv import read_csv
from hyoka.read.header import HEADER_SCAN_ROWS, MIN_HEADER_FIELDS
from hyoka.read.noheader import no_header_error
from hyoka.read.raw import RawTable, fill_places, frame_from_rows
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
    frame = fill_places(pd.concat([t.frame for t in tables], ignore_index=True))
    out = RawTable(
        frame,
        source,
        [s for t in tables for s in t.sheets_read],
        skipped,
        tables[0].headers,
        unmapped=[u for t in tables for u in t.unmapped],
    )
    # how each sheet was read (hyoka inspect): the layouts name their sheet, the header rows per sheet
    out.header_rows = [r for t in tables for r in t.header_rows]
    out.sheet_headers = {t.sheets_read[0]: t.header_rows for t in tables}
    out.layout = [d for t in tables for d in t.layout]
    out.skipped_rows = [r for t in tables for r in t.skipped_rows]
    out.duplicates = [d for t in tables for d in t.duplicates]
    out.empty_fields = list(dict.fromkeys(f for t in tables for f in t.empty_fields))
    out.columns, out.labels = tables[0].columns, tables[0].labels
    for t in tables:
        for f, n in t.carried.items():
            out.carried[f] = out.carried.get(f, 0) + n
    return out


_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls


def _refuse_workbook(path: Path, suffix: str) -> None:
    """A workbook saved under a text file's name (an .xlsx renamed .csv) is refused with a message
    that says which kind it is, rather than read: its places would name a CSV that no editor opens
    as one, and the annotated copy is chosen by extension."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return  # read_csv says why
    kind = None
    if head.startswith(_CFB_MAGIC):
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


def load_table(path: Path | str, vocab: Vocabulary, reader: str = "auto") -> RawTable:
    """Read one CSV, .xlsx, .xls or .ods file (by extension). Raises InputError for other kinds,
    for a file that is not a regular one (a FIFO, a device: hyoka.files.check_regular), for a
    symlink loop (``cannot read``) and for a workbook named as a text file (:func:`_refuse_workbook`)."""
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
        table = read_csv(path, vocab, source=path.name)
    elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        table = read_xlsx(path, vocab, source=path.name, reader=reader)
    else:
        raise InputError(msg("unsupported_type", suffix=suffix or msg("no_suffix")), file=str(path))
    if table.frame.empty:
        raise InputError(msg("no_data_rows"), file=path.name, sheet=", ".join(table.sheets_read) or None)
    table.path = str(path)
    table.rows = len(table.frame)
    return table
