"""Loading one evaluation table file (CSV or .xlsx, by extension) into a
:class:`hyoka.read.raw.RawTable` (its frame's columns are described in :mod:`hyoka.read.raw`).

Raises :class:`~hyoka.errors.InputError` naming file (and sheet/row/column) when a file cannot be
read or holds no recognisable header.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hyoka.errors import InputError
from hyoka.normalise.vocabulary import Vocabulary, compile_pattern, nfkc
from hyoka.read.csv import read_csv
from hyoka.read.header import MIN_HEADER_FIELDS
from hyoka.read.raw import RawTable, fill_places, frame_from_rows
from hyoka.read.xlsx import read_grids
from hyoka.resources import data_dir, load_yaml

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
        table = frame_from_rows(g.rows, numbers, source, g.title, vocab)
        if table is None:
            skipped.append(g.title)
            continue
        for fld, c in table.columns.items():
            flags = [(n - 1, c) in g.uncached for n in table.frame["row"]] if g.uncached else False
            table.frame[f"nocache_{fld}"] = flags
        tables.append(table)
    if not tables:
        raise InputError(
            f"no sheet has a header row naming at least {MIN_HEADER_FIELDS} known columns (see rules/columns.yaml)",
            file=source,
        )
    frame = fill_places(pd.concat([t.frame for t in tables], ignore_index=True))
    return RawTable(
        frame,
        source,
        [s for t in tables for s in t.sheets_read],
        skipped,
        tables[0].headers,
        unmapped=[u for t in tables for u in t.unmapped],
    )


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
        raise InputError("no data rows below the header", file=path.name, sheet=", ".join(table.sheets_read) or None)
    table.path = str(path)
    table.rows = len(table.frame)
    return table
