"""Reading workbooks into text grids: .xlsx with python-calamine when it gives what we need, openpyxl
when it does not; .xls and .ods with python-calamine (:func:`read_other_grids`: no number formats,
and merged ranges only where calamine reports them, which it does for .xls but not .ods).

``read_grids(path, source, reader="auto")`` returns ``(grids, reader_used)``: one
:class:`SheetGrid` per worksheet, each a list of rows of cell texts (merged ranges filled from
their top-left cell), whether the sheet is visible, and the cells holding a formula with no
cached value (a workbook saved by a tool that does not calculate).

- python-calamine (Rust) reads values and merged ranges several times faster than openpyxl, but
  not number formats. ``auto`` uses it unless the workbook's styles use a percent format (a cell
  holding 0.852 shown as 85.2 %) or a format with a literal unit (``#,##0"件"``), which only
  openpyxl reports; then openpyxl reads the workbook. ``bench/read_xlsx.py`` measures both.
- Formula cells are read as their cached values. Cells whose formula has no cached value are
  found by scanning the worksheet XML with the standard library's parser (only for sheets that
  contain formulas).
- Limits: a workbook whose parts decompress to more than ``MAX_UNCOMPRESSED`` bytes is refused
  (zip bombs), as are .xlsx files that are not zip archives.

Raises InputError naming the file on anything unreadable.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from hyoka.cellref import column_index
from hyoka.errors import InputError, msg
from hyoka.normalise.measures import number_text

MAX_UNCOMPRESSED = 500 * 1024 * 1024  # 500 MB of XML is far beyond any evaluation table
MAX_CELLS = 30_000_000  # rows × columns of a sheet's used range (1M rows × 30)
MAX_COLUMNS = 2_000  # an evaluation table has a few dozen
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_PERCENT_BUILTIN = {9, 10}
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass
class SheetGrid:
    title: str
    visible: bool
    rows: list[list[str]]
    uncached: set[tuple[int, int]] = field(default_factory=set)  # (row index, column index), 0-based


def cell_text(value, number_format: str | None = None) -> str:
    """A cell's value as the text a person sees: 0.852 formatted ``0.0%`` is ``85.2%``; 17 with
    ``#,##0"件"`` is ``17件``; 17.0 is ``17``; dates are ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        section = (number_format or "").split(";")[0]
        unit = "".join(re.findall(r'"([^"]*)"', section)).strip()
        # as Excel shows a number: 15 significant digits (69.900000000000006 is 69.9; 1234567.5
        # stays 1234567.5, where :g gave 1.23457e+06)
        if "%" in section.replace('"%"', ""):
            return f"{number_text(value * 100)}%"
        if isinstance(value, float):
            text = f"{int(value)}" if value.is_integer() and abs(value) < 1e15 else number_text(value)
        else:
            text = str(value)
        return text + unit
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx


def _detail(exc: Exception, limit: int = 120) -> str:
    """The library's own words on why a workbook could not be read (its class and message)."""
    return f"{type(exc).__name__}: {str(exc)[:limit]}"


def _open_zip(path: Path, source: str) -> zipfile.ZipFile:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(_CFB_MAGIC):
        if b"EncryptedPackage" in head or "EncryptedPackage".encode("utf-16-le") in head:
            raise InputError(msg("workbook_protected"), file=source)
        raise InputError(msg("workbook_old_format", suffix=path.suffix.lower()), file=source)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(msg("workbook_unreadable", kind=".xlsx", detail=_detail(exc)), file=source) from None
    total = sum(i.file_size for i in zf.infolist())
    if total > MAX_UNCOMPRESSED:
        zf.close()
        raise InputError(msg("workbook_too_large", total=total, limit=MAX_UNCOMPRESSED), file=source)
    if "xl/workbook.xml" not in zf.namelist():
        zf.close()
        if "EncryptedPackage" in str(zf.namelist()):
            raise InputError(msg("workbook_protected"), file=source)
        raise InputError(msg("workbook_not_xlsx"), file=source)
    return zf


def needs_number_formats(zf: zipfile.ZipFile) -> bool:
    """True when some cell style uses a percent format or a format with a literal text unit."""
    try:
        root = ET.fromstring(zf.read("xl/styles.xml"))
    except (KeyError, ET.ParseError):
        return False
    custom = {int(n.get("numFmtId", -1)): n.get("formatCode", "") for n in root.iterfind("m:numFmts/m:numFmt", _NS)}
    for xf in root.iterfind("m:cellXfs/m:xf", _NS):
        fid = int(xf.get("numFmtId", 0))
        code = custom.get(fid, "")
        if fid in _PERCENT_BUILTIN or "%" in code or '"' in code:
            return True
    return False


def _sheet_parts(zf: zipfile.ZipFile, source: str) -> dict[str, str]:
    """Sheet name → its XML part (xl/worksheets/sheetN.xml). Raises InputError when the
    workbook's own parts are damaged."""
    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(msg("workbook_damaged", detail=_detail(exc, 100)), file=source) from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iterfind("rel:Relationship", _NS)}
    out = {}
    for s in wb.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/")
        out[s.get("name", "")] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def uncached_formulas(zf: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """Cells of one worksheet part holding a formula with no cached value: an ``<f>`` with no
    ``<v>``, or with an empty ``<v>`` unless the cell's type is ``str`` (a formula whose text result
    is the empty string, such as ``=IF(A1="","",A1)``: its cached value is "", an empty cell)."""
    try:
        info = zf.getinfo(part)
    except KeyError:
        return set()
    with zf.open(info) as fh:
        head = fh.read()
    if b"<f" not in head and b":f" not in head:
        return set()
    out = set()
    tag_c, tag_f, tag_v = (f"{{{_NS['m']}}}{t}" for t in ("c", "f", "v"))
    for _, el in ET.iterparse(zf.open(info), events=("end",)):
        if el.tag == tag_c:
            f, v = el.find(tag_f), el.find(tag_v)
            if f is not None and (v is None or (not v.text and el.get("t") != "str")):
                m = _CELL_REF.match(el.get("r", ""))
                if m:
                    out.add((int(m.group(2)) - 1, column_index(m.group(1))))
            el.clear()
    return out


def _fill_merged(rows: list[list[str]], ranges: list[tuple[int, int, int, int]]) -> None:
    """Fill each merged range (0-based r0, c0, r1, c1 inclusive) from its top-left cell."""
    for r0, c0, r1, c1 in ranges:
        if r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1 + 1, len(rows))):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = top


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_LAST_CELL = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]+)(\d+)"')


def _used_range(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(rows, columns) of a worksheet's used range: its <dimension> element when present, else the
    largest cell reference in its XML (read in chunks; never a grid)."""
    try:
        info = zf.getinfo(part)
    except KeyError:
        return 0, 0
    rows = cols = 0
    with zf.open(info) as fh:
        head = fh.read(8192)
        m = _DIMENSION.search(head)
        if m:
            return int(m.group(2)), column_index(m.group(1).decode()) + 1
        chunk = head
        while chunk:
            for col, row in _LAST_CELL.findall(chunk):
                rows, cols = max(rows, int(row)), max(cols, column_index(col.decode()) + 1)
            tail = chunk[-64:]
            chunk = fh.read(1 << 20)
            chunk = tail + chunk if chunk else b""
    return rows, cols


def _check_size(rows: int, cols: int, sheet: str, source: str) -> None:
    """Refuse a sheet whose used range is beyond any evaluation table (a stray cell at XFD1048576
    would make a grid of 17 billion cells)."""
    if cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        raise InputError(
            msg("sheet_too_large", rows=rows, cols=cols, max_columns=MAX_COLUMNS, max_cells=MAX_CELLS),
            file=source,
            sheet=sheet,
        )


def _grids_calamine(path: Path, source: str, kind: str = ".xlsx") -> list[SheetGrid]:
    """Every worksheet of the workbook at ``path`` read by python-calamine; ``kind`` (.xlsx, .xls,
    .ods) names the file kind in the error."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        grids = []
        for meta in wb.sheets_metadata:
            if str(meta.typ).split(".")[-1] != "WorkSheet":
                continue
            ws = wb.get_sheet_by_name(meta.name)
            _check_size(ws.end[0] + 1 if ws.end else 0, ws.end[1] + 1 if ws.end else 0, meta.name, source)
            rows = [[cell_text(v if v != "" else None) for v in row] for row in ws.to_python(skip_empty_area=False)]
            ranges = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
            _fill_merged(rows, ranges)
            grids.append(SheetGrid(meta.name, str(meta.visible).split(".")[-1] == "Visible", rows))
        return grids
    except (pc.CalamineError, pc.ZipError, pc.XmlError, pc.PasswordError, ValueError) as exc:
        raise InputError(msg("workbook_unreadable", kind=kind, detail=_detail(exc)), file=source) from None


def _grids_openpyxl(path: Path, source: str) -> list[SheetGrid]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(msg("workbook_unreadable", kind=".xlsx", detail=_detail(exc)), file=source) from None
    grids = []
    for ws in wb.worksheets:
        _check_size(ws.max_row, ws.max_column, ws.title, source)
        rows = [[cell_text(c.value, c.number_format) for c in r] for r in ws.iter_rows()]
        ranges = [(g.min_row - 1, g.min_col - 1, g.max_row - 1, g.max_col - 1) for g in ws.merged_cells.ranges]
        _fill_merged(rows, ranges)
        grids.append(SheetGrid(ws.title, ws.sheet_state == "visible", rows))
    return grids


def read_grids(path: Path, source: str, reader: str = "auto") -> tuple[list[SheetGrid], str]:
    """Read every worksheet of ``path`` (see the module doc). ``reader``: auto, calamine, openpyxl."""
    with _open_zip(path, source) as zf:
        if reader == "auto":
            reader = "openpyxl" if needs_number_formats(zf) else "calamine"
        parts = _sheet_parts(zf, source)
        for name, part in parts.items():  # before any reader builds a grid of that size
            _check_size(*_used_range(zf, part), name, source)
        grids = _grids_calamine(path, source) if reader == "calamine" else _grids_openpyxl(path, source)
        for g in grids:
            if g.title in parts:
                g.uncached = uncached_formulas(zf, parts[g.title])
    return grids, reader


def read_other_grids(path: Path, source: str) -> list[SheetGrid]:
    """Every worksheet of an .xls (BIFF) or .ods (OpenDocument) workbook, read by python-calamine.
    No cell is marked as a formula without a cached value (``uncached`` stays empty). An .ods is a
    zip archive: one that decompresses to more than ``MAX_UNCOMPRESSED`` bytes is refused first."""
    kind = path.suffix.lower()
    if kind == ".ods":
        try:
            with zipfile.ZipFile(path) as zf:
                total = sum(i.file_size for i in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(msg("workbook_unreadable", kind=".ods", detail=_detail(exc)), file=source) from None
        if total > MAX_UNCOMPRESSED:
            raise InputError(msg("workbook_too_large", total=total, limit=MAX_UNCOMPRESSED), file=source)
    return _grids_calamine(path, source, kind)
