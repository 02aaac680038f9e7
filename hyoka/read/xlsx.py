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
  (zip bombs; a part counts once per sheet naming it), as are .xlsx files that are not zip
  archives, a sheet over ``MAX_COLUMNS`` columns or ``MAX_CELLS`` cells and a workbook whose sheets
  hold more than ``MAX_WORKBOOK_CELLS`` cells together. Used ranges are found from the cells
  themselves, never from a ``<dimension>`` (which may lie), before a reader builds a grid; declared
  counts (shared strings) are checked against what the part holds; merged ranges are filled within
  the used range only. An invalid shared-string index or a NUL in a cell is refused naming the cell.

Raises InputError naming the file on anything unreadable.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from hyoka.cellref import column_index, column_letters
from hyoka.errors import InputError, msg
from hyoka.normalise.measures import number_text

MAX_UNCOMPRESSED = 500 * 1024 * 1024  # 500 MB of XML is far beyond any evaluation table
MAX_CELLS = 30_000_000  # rows × columns of a sheet's used range (1M rows × 30)
MAX_COLUMNS = 2_000  # an evaluation table has a few dozen
MAX_WORKBOOK_CELLS = 10_000_000  # rows × columns of all sheets' used ranges together (~5 s, 600 MB)
MAX_SHEETS = 1_000
MAX_DECLARED_STRINGS = 1_000_000  # a shared-strings count python-calamine may reserve room for unchecked
MAX_MERGED_OPENPYXL = 300_000  # cells of merged ranges (openpyxl makes an object for each: 1M took 28 s, 1 GB)
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


def _detail(exc: BaseException, limit: int = 120) -> str:
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


def _members(zf: zipfile.ZipFile, source: str) -> dict[str, str]:
    """The archive's member names by the key python-calamine looks them up with (``\\`` as ``/``,
    lower case) → the name. Two members under one key are refused: the readers would not agree on
    which one is the part (a scan of one would vouch for the other)."""
    out: dict[str, str] = {}
    for name in zf.namelist():
        key = name.replace("\\", "/").lower()
        if key in out:
            raise InputError(msg("workbook_damaged", detail=msg("xlsx_duplicate_part", part=name)), file=source)
        out[key] = name
    return out


def _part(members: dict[str, str], target: str, base: str = "xl/") -> str:
    """The member a relationship target names, resolved as python-calamine resolves it: an absolute
    target from the archive's root, a relative one from ``base``; ``""`` when there is none."""
    path = target[1:] if target.startswith("/") else base + target
    path = posixpath.normpath(path) if path else path
    return members.get(path.replace("\\", "/").lower(), "")


def _sheet_entries(zf: zipfile.ZipFile, members: dict[str, str], source: str) -> list[tuple[str, str]]:
    """(sheet name, its XML part) for every ``<sheet>`` of xl/workbook.xml, in order (two names
    may share a part; a part that is missing is ``""``). Raises InputError when the workbook's own
    parts are damaged, or its main part is not xl/workbook.xml (the one checked here)."""
    try:
        package = ET.fromstring(zf.read(members.get("_rels/.rels", "_rels/.rels")))
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        if wb.tag.startswith("{http://purl.oclc.org/ooxml/"):  # Strict: neither reader knows it
            raise InputError(msg("xlsx_strict"), file=source)
        rels = ET.fromstring(zf.read(members.get("xl/_rels/workbook.xml.rels", "xl/_rels/workbook.xml.rels")))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(msg("workbook_damaged", detail=_detail(exc, 100)), file=source) from None
    for r in package.iterfind("rel:Relationship", _NS):
        if r.get("Type", "").endswith("/officeDocument"):
            main = r.get("Target", "")
            if _part(members, main, "") != "xl/workbook.xml":
                detail = msg("xlsx_main_part", part=main[:100])
                raise InputError(msg("workbook_damaged", detail=detail), file=source)
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iterfind("rel:Relationship", _NS)}
    return [
        (s.get("name", ""), _part(members, targets.get(s.get(f"{{{_NS['r']}}}id"), "") or ""))
        for s in wb.iterfind("m:sheets/m:sheet", _NS)
    ]


def _check_parts(zf: zipfile.ZipFile, entries: list[tuple[str, str]], source: str) -> None:
    """Refuse a workbook whose sheets would make the readers read more than ``MAX_UNCOMPRESSED``
    bytes, counting a part once per sheet that names it (one 40 MB part named by 100 sheets is
    4 GB of XML to read), or that has more than ``MAX_SHEETS`` sheets."""
    if len(entries) > MAX_SHEETS:
        raise InputError(msg("xlsx_too_many_sheets", n=len(entries), limit=MAX_SHEETS), file=source)
    uses = Counter(part for _, part in entries if part)
    total = sum(i.file_size for i in zf.infolist())
    total += sum(zf.getinfo(part).file_size * (n - 1) for part, n in uses.items())
    if total > MAX_UNCOMPRESSED:
        part, n = uses.most_common(1)[0]
        if n > 1:
            raise InputError(msg("xlsx_shared_part", part=part, n=n, total=total, limit=MAX_UNCOMPRESSED), file=source)
        raise InputError(msg("workbook_too_large", total=total, limit=MAX_UNCOMPRESSED), file=source)


def _chunks(zf: zipfile.ZipFile, part: str, source: str, size: int = 1 << 20):
    """The decompressed bytes of ``part`` in pieces that each end at a ``>`` (so no tag, and no
    attribute without a ``>`` in it, is cut in two). Raises InputError on a damaged member."""
    carry = b""
    try:
        with zf.open(part) as fh:
            while True:
                data = fh.read(size)
                if not data:
                    break
                buf = carry + data
                cut = buf.rfind(b">") + 1
                carry = buf[cut:]
                if cut:
                    yield buf[:cut]
                if len(carry) > 16 * size:  # megabytes without a tag end: not a worksheet
                    yield carry
                    carry = b""
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise InputError(msg("workbook_damaged", detail=_detail(exc, 100)), file=source) from None
    if carry:
        yield carry


_SST_COUNT = re.compile(rb'\suniqueCount\s*=\s*["\']\s*(\d{1,30})')
_SI = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")


def _shared_strings(zf: zipfile.ZipFile, members: dict[str, str], source: str) -> int:
    """The number of strings in xl/sharedStrings.xml (its ``<si>`` elements; 0 without the part).
    python-calamine reserves room for the count the part declares (``uniqueCount``) before
    reading it: a declared count over a million that the part does not hold is refused."""
    part = members.get("xl/sharedstrings.xml")
    if part is None:
        return 0
    declared, count = None, 0
    for chunk in _chunks(zf, part, source):
        if declared is None:
            m = _SST_COUNT.search(chunk)
            declared = int(m.group(1)) if m else -1
        count += len(_SI.findall(chunk))
    if declared is not None and declared > max(count, MAX_DECLARED_STRINGS):
        raise InputError(msg("xlsx_string_count", declared=declared, count=count), file=source)
    return count


# a cell's reference as Excel writes it (` r="B12"`; a <row>'s r has no letters): its row without
# leading zeros, and its column; a cell written otherwise is not counted, and the sheet is read closely
_REF_ROW = re.compile(rb' r="[A-Z]{1,10}0*(\d{1,15})"')
_REF_COLUMN = re.compile(rb' r="([A-Z]{1,10})\d')
_F_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\s[^>]*ref\s*=\s*["\']([^"\']*)["\']')
_HYPERLINK = re.compile(rb'<(?:[\w.-]+:)?hyperlink\s[^>]*ref\s*=\s*["\']([^"\']*)["\']')
# a shared-string cell not written as Excel writes one (<c … t="s"><v>12</v>): looked at closely
_ODD_S_CELL = re.compile(rb'\st\s*=\s*["\'](?:s|&[^"\'<>]*)["\'][^>]*>(?!<(?:[\w.-]+:)?v>\d{1,9}</)')
_CELL_RANGE = re.compile(r"^\$?([A-Za-z]{1,10})\$?0*(\d{1,15})(?::\$?([A-Za-z]{1,10})\$?0*(\d{1,15}))?$")


@dataclass
class SheetScan:
    """What a cheap pass over a worksheet's XML found, before any reader builds its grid."""

    rows: int = 0  # the used range: the largest row and column of any cell (1-based), 0 when none
    cols: int = 0
    formulas: bool = False  # some cell has a formula
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r0, c0, r1, c1
    linked: int = 0  # cells the hyperlinks' ranges cover (openpyxl makes a cell for each)

    @property
    def merged_cells(self) -> int:
        return sum((r1 - r0 + 1) * (c1 - c0 + 1) for r0, c0, r1, c1 in self.merged)


def _scan_sheet(zf: zipfile.ZipFile, part: str, sheet: str, source: str, strings: int) -> SheetScan:
    """The used range of one worksheet part found from its cells, never from its ``<dimension>``
    (which may lie): the largest row and column of any cell reference, read in chunks with a
    regular expression (no grid, no tree). A sheet whose cells are not all written as Excel writes
    them (cells without a reference, shared-string cells of another form, comments or character
    references) is read again with the standard library's XML parser (:func:`_scan_sheet_closely`),
    which also checks every shared-string index against the ``strings`` the workbook has. Raises
    InputError naming the sheet (and cell) for a damaged part or an invalid index."""
    scan = SheetScan()
    if not part:
        return scan
    tags = refs = 0
    odd = False
    max_row, letters = 0, set()
    for chunk in _chunks(zf, part, source):
        found = _REF_ROW.findall(chunk)
        if found:
            refs += len(found)
            max_row = max(max_row, max(map(int, found)))
            letters.update(_REF_COLUMN.findall(chunk))
        # (bytes.count and `in` run at memory speed; a regular expression only where they point)
        tags += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/")
        if b":c " in chunk or b":c>" in chunk or b":c/" in chunk or b"<c\t" in chunk or b"<c\n" in chunk:
            odd = True  # a prefixed or oddly spaced cell tag: counted exactly by the parser
        if not scan.formulas and (b"<f" in chunk or b":f" in chunk) and _F_TAG.search(chunk):
            scan.formulas = True
        if not odd and (b"<!" in chunk or b"<?" in chunk or b"&#" in chunk or _ODD_S_CELL.search(chunk)):
            odd = True
        if b"hyperlink" in chunk:
            for ref in _HYPERLINK.findall(chunk):
                m = _CELL_RANGE.match(ref.decode("ascii", "replace"))
                if m and m.group(3):
                    rows = abs(int(m.group(4)) - int(m.group(2))) + 1
                    cols = abs(column_index(m.group(3).upper()) - column_index(m.group(1).upper())) + 1
                    scan.linked += rows * cols
        if b"mergeCell" in chunk:
            for ref in _MERGE.findall(chunk):
                m = _CELL_RANGE.match(ref.decode("ascii", "replace"))
                if m:
                    a = (m.group(1), int(m.group(2)))
                    b = (m.group(3) or m.group(1), int(m.group(4) or m.group(2)))
                    r0, r1 = sorted((a[1], b[1]))
                    c0, c1 = sorted((column_index(a[0].upper()), column_index(b[0].upper())))
                    scan.merged.append((max(r0, 1) - 1, c0, max(r1, 1) - 1, c1))
    if odd or tags != refs:
        return _scan_sheet_closely(zf, part, sheet, source, strings, scan)
    scan.rows = max_row
    scan.cols = max((column_index(c.decode().upper()) + 1 for c in letters), default=0)
    return scan


def _scan_sheet_closely(
    zf: zipfile.ZipFile, part: str, sheet: str, source: str, strings: int, scan: SheetScan
) -> SheetScan:
    """:func:`_scan_sheet` for a sheet written unusually: each cell's place as the readers find it
    (its reference, else the next column of its row, a row being its ``r`` or the one after the
    previous), and each shared-string index checked (a whole number below ``strings``; python-
    calamine reads any other as the first string, openpyxl ``-1`` as the last)."""
    tag = f"{{{_NS['m']}}}"
    row, col = 0, 0
    rows = cols = 0
    try:
        for event, el in ET.iterparse(zf.open(part), events=("start", "end")):
            name = el.tag[len(tag) :] if el.tag.startswith(tag) else el.tag
            if name == "row" and event == "start":
                r = el.get("r")
                if r is not None:
                    row = int(r) - 1 if r.isdigit() and len(r) <= 15 else 1 << 62
                col = 0
            elif name == "row":
                row += 1
                el.clear()
            elif name == "c" and event == "end":
                ref = el.get("r")
                if ref is not None:
                    m = _CELL_RANGE.match(ref)
                    if m is None or m.group(3):
                        raise InputError(msg("xlsx_bad_reference", ref=ref[:40]), file=source, sheet=sheet)
                    row, col = int(m.group(2)) - 1, column_index(m.group(1).upper())
                rows, cols = max(rows, row + 1), max(cols, col + 1)
                t, v = el.get("t"), el.find(f"{tag}v")
                text = (v.text or "") if v is not None else ""
                if t in (None, "n") and text and el.find(f"{tag}is") is None and not _is_number(text):
                    raise InputError(
                        msg("xlsx_not_a_number", value=text[:20]),
                        file=source,
                        sheet=sheet,
                        row=row + 1,
                        column=column_letters(col),
                    )
                if t == "s":
                    if text and not (text.isdigit() and text.isascii() and int(text) < strings):
                        raise InputError(
                            msg("xlsx_string_index", index=text[:20], n=strings),
                            file=source,
                            sheet=sheet,
                            row=row + 1,
                            column=column_letters(col),
                        )
                col += 1
                el.clear()
    except ET.ParseError as exc:
        raise InputError(msg("xlsx_sheet_damaged", detail=_detail(exc, 100)), file=source, sheet=sheet) from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise InputError(msg("workbook_damaged", detail=_detail(exc, 100)), file=source, sheet=sheet) from None
    scan.rows, scan.cols = rows, cols
    return scan


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def uncached_formulas(zf: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """Cells of one worksheet part holding a formula with no cached value: an ``<f>`` with no
    ``<v>``, or with an empty ``<v>`` unless the cell's type is ``str`` (a formula whose text result
    is the empty string, such as ``=IF(A1="","",A1)``: its cached value is "", an empty cell)."""
    try:
        info = zf.getinfo(part)
    except KeyError:
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
    """Fill each merged range (0-based r0, c0, r1, c1 inclusive) from its top-left cell, within the
    grid: a range reaching past the cells used (``J1:XFD20001``) is clipped to the grid's width and
    height, so merging never widens a row beyond the used range that was checked."""
    width = max(map(len, rows), default=0)
    for r0, c0, r1, c1 in ranges:
        if r0 >= len(rows) or c0 >= width:
            continue
        c1 = min(c1, width - 1)
        top = rows[r0][c0] if c0 < len(rows[r0]) else ""
        fill = [top] * (c1 + 1 - c0)
        for r in range(r0, min(r1 + 1, len(rows))):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            row[c0 : c1 + 1] = fill


def _check_size(rows: int, cols: int, sheet: str, source: str) -> None:
    """Refuse a sheet whose used range is beyond any evaluation table (a stray cell at XFD1048576
    would make a grid of 17 billion cells)."""
    if cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        raise InputError(
            msg("sheet_too_large", rows=rows, cols=cols, max_columns=MAX_COLUMNS, max_cells=MAX_CELLS),
            file=source,
            sheet=sheet,
        )


def _refuse_nul(grids: list[SheetGrid], source: str) -> None:
    """Refuse a cell holding a NUL character (a workbook writes one as ``_x0000_``), naming its
    sheet and cell, as a CSV holding NUL bytes is refused (hyoka.read.csv). Other control
    characters are read, as a CSV's are."""
    for g in grids:
        for r, row in enumerate(g.rows):
            if "\x00" in "".join(row):
                c = next(i for i, t in enumerate(row) if "\x00" in t)
                raise InputError(
                    msg("xlsx_nul", sheet=g.title), file=source, sheet=g.title, row=r + 1, column=column_letters(c)
                )


def _unreadable(exc: BaseException, kind: str, source: str, sheet: str | None = None) -> InputError:
    """The one-line error for an exception a reader raised on a workbook (a MemoryError says so)."""
    if isinstance(exc, MemoryError):
        return InputError(msg("xlsx_out_of_memory"), file=source, sheet=sheet)
    return InputError(msg("workbook_unreadable", kind=kind, detail=_detail(exc)), file=source, sheet=sheet)


def _grids_calamine(path: Path, source: str, kind: str = ".xlsx") -> list[SheetGrid]:
    """Every worksheet of the workbook at ``path`` read by python-calamine; ``kind`` (.xlsx, .xls,
    .ods) names the file kind in the error. A Rust panic, like any other failure of the reader,
    ends as InputError naming the file (and the sheet being read)."""
    import python_calamine as pc

    sheet = None
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        grids = []
        for meta in wb.sheets_metadata:
            if str(meta.typ).split(".")[-1] != "WorkSheet":
                continue
            sheet = meta.name
            ws = wb.get_sheet_by_name(meta.name)
            _check_size(ws.end[0] + 1 if ws.end else 0, ws.end[1] + 1 if ws.end else 0, meta.name, source)
            rows = [[cell_text(v if v != "" else None) for v in row] for row in ws.to_python(skip_empty_area=False)]
            ranges = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
            _fill_merged(rows, ranges)
            grids.append(SheetGrid(meta.name, str(meta.visible).split(".")[-1] == "Visible", rows))
        return grids
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the reader's own errors, and pyo3's PanicException
        raise _unreadable(exc, kind, source, sheet) from None


def _grids_openpyxl(path: Path, source: str) -> list[SheetGrid]:
    """Every worksheet read by openpyxl (values and number formats). Its warnings (a workbook with
    no default style, unsupported extensions) are not the clerk's concern and are silenced. The
    grid is built from the cells the sheet has (never one Cell object per empty place)."""
    import warnings

    from openpyxl import load_workbook
    from openpyxl.utils.escape import unescape

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, data_only=True)
        grids = []
        for ws in wb.worksheets:
            # max_row / max_column walk every cell on each call: read once (once per row made a
            # 10,000-row sheet quadratic, minutes)
            n_rows, n_cols = ws.max_row, ws.max_column
            _check_size(n_rows, n_cols, ws.title, source)
            cells = getattr(ws, "_cells", None)
            if cells is None:  # another openpyxl: the public, dense way
                rows = [[cell_text(c.value, c.number_format) for c in r] for r in ws.iter_rows()]
            else:
                rows = [[""] * n_cols for _ in range(n_rows if cells else 0)]
                for (r, c), cell in cells.items():
                    value = cell.value
                    if value is not None:
                        if isinstance(value, str) and "_x" in value:  # _x000D_ …, as python-calamine reads it
                            value = unescape(value)
                        rows[r - 1][c - 1] = cell_text(value, cell.number_format)
            ranges = [(g.min_row - 1, g.min_col - 1, g.max_row - 1, g.max_col - 1) for g in ws.merged_cells.ranges]
            _fill_merged(rows, ranges)
            grids.append(SheetGrid(ws.title, ws.sheet_state == "visible", rows))
        return grids
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # ParseError, IndexError, ValueError … on a damaged part
        raise _unreadable(exc, ".xlsx", source) from None


def read_grids(path: Path, source: str, reader: str = "auto") -> tuple[list[SheetGrid], str]:
    """Read every worksheet of ``path`` (see the module doc). ``reader``: auto, calamine, openpyxl.

    Before a reader sees the file, what it would trust is checked from the parts themselves: each
    sheet's used range from its cells (:func:`_scan_sheet`), the shared strings' declared count,
    the bytes read counting a part once per sheet naming it, the cells of all sheets together
    (``MAX_WORKBOOK_CELLS``) and, for openpyxl (which makes an object per merged cell), the cells
    the merged ranges cover. After reading, a cell holding NUL is refused."""
    with _open_zip(path, source) as zf:
        members = _members(zf, source)
        if reader == "auto":
            reader = "openpyxl" if needs_number_formats(zf) else "calamine"
        entries = _sheet_entries(zf, members, source)
        _check_parts(zf, entries, source)
        strings = _shared_strings(zf, members, source)
        scans: dict[str, SheetScan] = {}
        total = 0
        for name, part in entries:  # before any reader builds a grid of that size
            scan = scans[part] if part in scans else _scan_sheet(zf, part, name, source, strings)
            scans[part] = scan
            _check_size(scan.rows, scan.cols, name, source)
            total += scan.rows * scan.cols
            if total > MAX_WORKBOOK_CELLS:
                raise InputError(msg("xlsx_too_many_cells", cells=total, limit=MAX_WORKBOOK_CELLS), file=source)
        if reader == "openpyxl":
            # openpyxl makes a cell object for each merged cell and each cell a hyperlink range covers
            merged = sum(s.merged_cells + s.linked for s in scans.values())
            if merged > MAX_MERGED_OPENPYXL:
                raise InputError(msg("xlsx_merged_too_large", cells=merged, limit=MAX_MERGED_OPENPYXL), file=source)
        try:
            grids = _grids_calamine(path, source) if reader == "calamine" else _grids_openpyxl(path, source)
        except InputError as exc:
            if exc.row is None:  # the reader failed: look closely for the sheet and cell that made it
                for part, name in {p: n for n, p in entries}.items():
                    if part:
                        _scan_sheet_closely(zf, part, name, source, strings, SheetScan())
            raise
        _refuse_nul(grids, source)
        parts = dict(entries)
        for g in grids:
            part = parts.get(g.title, "")
            if part and scans[part].formulas:
                g.uncached = uncached_formulas(zf, part)
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
