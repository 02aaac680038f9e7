"""Answering in the workbook: a copy of a checked .xlsx with every finding on its cell.

``annotate_workbook(src, out, findings, lang)`` writes ``out``: the workbook ``src`` as it was
(formatting, formulas, merged cells, column widths, data validation kept by openpyxl's
round-trip), with each cell that has a finding filled by its worst severity and carrying a
comment in the report's language (rule code, message, expected value, how to fix), and a first
sheet listing every finding, since comments do not print: one row per finding with its severity,
its cell (a link to it), the rule (code and title), department, project and indicator, the
message, the values as published, what is expected and how to fix it; the sheet prints on A4
landscape, one page wide, its header row on every page. A finding on a cell inside a merged
range is put on the range's top-left cell. Text that a spreadsheet would read as a formula is
neutralised. ``src`` is never written; ``out`` is written to a temporary file and renamed.

Comments are placed beside their cells: openpyxl writes every comment's box at one spot (the top
left of the sheet, where Excel and LibreOffice show it when a comment is shown), so the saved
drawing of each sheet's comments (its VML) is given each box's anchor, the cells it spans
(``<x:Anchor>``: from one column right of its cell and one row above, as Excel places a new
comment), and the same position in points, from the sheet's column widths and row heights.

The copy is reproducible: the same workbook and findings give the same bytes. Its document
properties keep the input's created and modified dates (openpyxl would stamp the time of saving;
a workbook without them gets 1980-01-01, the ZIP epoch) and every zip entry is dated 1980-01-01.

Known limit: openpyxl does not keep images and charts, so an annotated copy loses them (the
original is untouched). Raises HyokaError when ``out`` is ``src`` or cannot be written.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from hyoka.atomic import replacing
from hyoka.cellref import column_letters
from hyoka.check import findings as F
from hyoka.errors import HyokaError, InputError, msg

FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
SUMMARY = {"ja": "hyoka指摘一覧", "en": "hyoka findings"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: the summary sheet's columns: (key, width in characters, heading ja, heading en)
COLUMNS = (
    ("severity", 7, "重要度", "Severity"),
    ("cell", 15, "セル", "Cell"),
    ("rule", 20, "ルール", "Rule"),
    ("department", 12, "担当課", "Department"),
    ("names", 24, "事業名 / 目標指標", "Project / indicator"),
    ("message", 44, "内容", "Finding"),
    ("observed", 20, "公表値", "Published values"),
    ("expected", 24, "期待される内容", "Expected"),
    ("fix", 34, "直し方", "How to fix"),
    ("waived", 10, "除外理由", "Waived"),
)
HEAD = {"ja": [c[2] for c in COLUMNS], "en": [c[3] for c in COLUMNS]}
SEV = {
    "ja": {"error": "エラー", "warning": "警告", "info": "情報"},
    "en": {"error": "Error", "warning": "Warning", "info": "Info"},
}
WORDS = {
    "ja": {"waived": "除外", "expected": "期待", "fix": "直し方"},
    "en": {"waived": "waived", "expected": "Expected", "fix": "Fix"},
}
#: a comment's box: width in pixels, and the height of one line of its text and of its margins
COMMENT_WIDTH, COMMENT_LINE, COMMENT_PAD = 420, 17, 12
#: characters of a comment line (a CJK character counts two) before it wraps in COMMENT_WIDTH
COMMENT_CHARS = 60
#: a row of the summary sheet is at most this many lines high (15 points each)
MAX_LINES = 15


def neutralise(value: object) -> str:
    """Text safe for a spreadsheet cell: a leading = + - @ tab or CR gets an apostrophe, so no
    spreadsheet evaluates it (a lone "-", the missing marker, is left as it is)."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return "'" + text if len(text) > 1 and text.startswith(_FORMULA_START) else text


def _units(text: str) -> int:
    """How wide ``text`` is in spreadsheet width units: a character of three or more UTF-8 bytes
    (CJK, full-width forms) counts two, any other one (the UTF-8 length, at C speed)."""
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def _lines(text: str, width: int) -> int:
    """Lines ``text`` takes in a wrapped column ``width`` units wide (a line break starts a line)."""
    return sum(_units(line) // max(width, 1) + 1 for line in text.split("\n"))


def annotate_workbook(
    src: Path | str, out: Path | str, findings: pd.DataFrame, lang: str = "ja", source: str | None = None
) -> Path:
    """Write the annotated copy of ``src`` to ``out`` (see the module doc). ``findings``: a
    findings table (hyoka.check.findings: its place columns, ``code``, ``severity``, ``title``,
    texts and ``waived``); those whose ``source_file`` is ``source`` (default ``src``'s name) and
    that are on a cell of a sheet are written in."""
    from openpyxl import load_workbook

    src, out = Path(src), Path(out)
    if out.resolve() == src.resolve():
        raise HyokaError(msg("where", where=out, what=msg("annotated_is_input")))
    try:
        wb = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
    except Exception as exc:  # already read once by the checker; anything here is unexpected
        raise InputError(msg("cannot_open_to_annotate", detail=type(exc).__name__), file=src.name) from None

    mine = _findings_on_cells(findings, source or src.name, wb.sheetnames)
    if len(mine):
        mine["coord"] = _top_left(wb, mine)
        _write_comments(wb, mine, lang)
    _write_summary(wb, mine, lang)

    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp:
        wb.save(tmp)
        _finish(tmp, _core_dates(src), {ws.title: ws for ws in wb.worksheets})
    return out


def _findings_on_cells(findings: pd.DataFrame, source: str, sheets: list[str]) -> pd.DataFrame:
    """The findings on a cell of a sheet of this workbook (places as data:
    hyoka.check.findings.PLACE_COLUMNS), only the columns written, with ``letter`` (the column's
    letters), ``rank`` (severity order) and ``sheet_no`` (the sheet's position), ordered by
    severity, sheet, row and column."""
    on_cell = (
        (findings["source_file"].astype("string") == source)
        & findings["sheet"].astype("string").fillna("").isin(sheets)
        & (findings["col"] > 0)
    )
    keep = ["code", "severity", "title", "department", "project", "indicator", "message", "observed"]
    keep += ["expected", "fix", "waived", "sheet", "cell_row", "col"]
    mine = findings.loc[on_cell.fillna(False).to_numpy(bool), [c for c in keep if c in findings]].copy()
    for c in keep:
        if c not in mine:
            mine[c] = ""
    mine["cell_row"] = mine["cell_row"].astype("int64")
    mine["col"] = mine["col"].astype("int64")
    letters = {c: column_letters(c - 1) for c in mine["col"].unique()}
    mine["letter"] = mine["col"].map(letters).astype(object)
    mine["rank"] = mine["severity"].map(F.SEVERITY_ORDER).fillna(len(F.SEVERITIES)).astype("int64")
    mine["sheet_no"] = mine["sheet"].map({s: i for i, s in enumerate(sheets)}).astype("int64")
    return mine.sort_values(["rank", "sheet_no", "cell_row", "col"], kind="stable")


def _top_left(wb, mine: pd.DataFrame) -> pd.Series:
    """Each finding's cell, or the top-left cell of the merged range it is in (``A5``)."""
    coord = mine["letter"] + mine["cell_row"].astype(str)
    for sheet, part in mine.groupby("sheet", sort=False):
        ranges = list(wb[sheet].merged_cells.ranges)
        if not ranges:
            continue
        b = np.array([r.bounds for r in ranges])  # min_col, min_row, max_col, max_row
        r, c = part["cell_row"].to_numpy()[:, None], part["col"].to_numpy()[:, None]
        inside = (b[:, 0] <= c) & (c <= b[:, 2]) & (b[:, 1] <= r) & (r <= b[:, 3])
        hit = inside.any(axis=1)
        if hit.any():
            first = inside.argmax(axis=1)[hit]
            coord.loc[part.index[hit]] = [ranges[i].start_cell.coordinate for i in first]
    return coord


def _texts(mine: pd.DataFrame, name: str) -> list[str]:
    """A text column of ``mine`` as a list of str (``""`` for missing)."""
    return mine[name].astype("string").fillna("").tolist()


def _write_comments(wb, mine: pd.DataFrame, lang: str) -> None:
    """Fill each cell with its worst severity and give it one comment listing its findings, worst
    first (after a comment it already had)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    sev, words = SEV[lang], WORDS[lang]
    text = []
    for code, severity, waived, message, expected, fix in zip(
        *(_texts(mine, c) for c in ("code", "severity", "waived", "message", "expected", "fix"))
    ):
        line = f"[{code} {sev.get(severity, severity)}]" + (f" [{words['waived']}: {waived}]" if waived else "")
        line += f" {message}"
        line += f"\n{words['expected']}: {expected}" if expected else ""
        text.append(line + (f"\n{words['fix']}: {fix}" if fix else ""))
    fills = {s: PatternFill("solid", fgColor=c) for s, c in FILLS.items()}
    ranks = mine["rank"].to_numpy()
    for (sheet, coord), idx in mine.groupby(["sheet", "coord"], sort=False).indices.items():
        cell = wb[sheet][coord]
        cell.fill = fills[F.SEVERITIES[int(ranks[idx].min())]]
        body = "\n".join(text[i] for i in idx)  # in the table's order: worst first
        if cell.comment is not None and cell.comment.text:
            body = cell.comment.text.rstrip() + "\n---\n" + body
        comment = Comment(body, "hyoka")
        comment.width = COMMENT_WIDTH
        comment.height = min(COMMENT_PAD + COMMENT_LINE * _lines(body, COMMENT_CHARS), 600)
        cell.comment = comment


def _write_summary(wb, mine: pd.DataFrame, lang: str) -> None:
    """The first sheet: one row per finding (:data:`COLUMNS`), its cell a link, its severity
    filled; set up to print on A4 landscape, one page wide, the header row on every page."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import quote_sheetname
    from openpyxl.worksheet.hyperlink import Hyperlink

    title = SUMMARY[lang]
    while title in wb.sheetnames:
        title += "_"
    ws = wb.create_sheet(title, 0)
    ws.append(HEAD[lang])
    head_fill = PatternFill("solid", fgColor="F2F4F7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for c in ws[1]:
        c.font, c.fill, c.alignment = Font(bold=True), head_fill, wrap
    link_font = Font(color="0563C1", underline="single")
    fills = {s: PatternFill("solid", fgColor=c) for s, c in FILLS.items()}
    quoted = {name: quote_sheetname(name) for name in mine["sheet"].unique()}
    widths = [w for _, w, *_ in COLUMNS]
    severities, sheets, letters, rows = (mine[c].tolist() for c in ("severity", "sheet", "letter", "cell_row"))
    columns = zip(
        *(_texts(mine, c) for c in ("code", "title", "department", "project", "indicator", "message", "observed")),
        *(_texts(mine, c) for c in ("expected", "fix", "waived")),
        severities,
        sheets,
        letters,
        rows,
        mine["coord"].tolist() if len(mine) else [],
    )
    for i, (
        code,
        title_,
        dep,
        project,
        indicator,
        message,
        observed,
        expected,
        fix,
        waived,
        sev,
        sheet,
        letter,
        row,
        coord,
    ) in enumerate(columns, start=2):
        names = "\n".join(t for t in (project, indicator) if t)
        values = [SEV[lang].get(sev, sev), f"{sheet}!{letter}{row}", f"{code} {title_}", dep, names, message]
        values = [neutralise(v) for v in values + [observed, expected, fix, waived]]
        ws.append(values)
        for j in range(1, len(values) + 1):  # (ws[i] would scan the whole sheet for its width)
            c = ws.cell(row=i, column=j)
            c.data_type = "s"
            c.alignment = wrap
        link = ws.cell(row=i, column=2)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quoted[sheet]}!{coord}")
        link.font = link_font
        ws.cell(row=i, column=1).fill = fills[sev]
        lines = max(_lines(v, w) for v, w in zip(values, widths))
        ws.row_dimensions[i].height = 15 * min(lines, MAX_LINES)
    for j, width in enumerate(widths):
        ws.column_dimensions[column_letters(j)].width = width
    last = column_letters(len(COLUMNS) - 1)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 1)}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.left.text, ws.oddHeader.right.text = "&A", "&F"
    ws.oddFooter.center.text = "&P / &N"
    wb.active = 0


# --- placing the comments beside their cells ----------------------------------------------------


@dataclass
class _Geometry:
    """Column widths and row heights of a sheet in pixels (hidden ones 0), for the comments'
    anchors: the column ranges of another width than the default, and the rows of another height,
    sorted, with the running sum of their difference from the default height."""

    default_width: float
    default_height: float
    columns: list[tuple[int, int, float]]  # (first, last, pixels), 1-based
    rows: list[int]  # 1-based rows of another height
    heights: list[float]
    extra: list[float]  # extra[k]: the sum of (height - default) of rows[: k + 1]

    @classmethod
    def of(cls, ws) -> _Geometry:
        fmt = ws.sheet_format
        default_w = _width_px(fmt.defaultColWidth) if fmt.defaultColWidth else 64.0
        default_h = float(fmt.defaultRowHeight or 15) * 4 / 3
        columns = [
            (int(d.min), int(d.max), 0.0 if d.hidden else (_width_px(d.width) if d.width else default_w))
            for d in ws.column_dimensions.values()
            if d.min and d.max
        ]
        rows, heights = [], []
        for r, dim in sorted(ws.row_dimensions.items()):
            h = 0.0 if dim.hidden else (float(dim.ht) * 4 / 3 if dim.ht else default_h)
            if h != default_h:
                rows.append(int(r))
                heights.append(h)
        extra = [float(x) for x in np.cumsum([h - default_h for h in heights])]
        return cls(default_w, default_h, columns, rows, heights, extra)

    def width(self, col: int) -> float:
        """Pixels of the 1-based column ``col``."""
        return next((w for lo, hi, w in self.columns if lo <= col <= hi), self.default_width)

    def height(self, row: int) -> float:
        """Pixels of the 1-based row ``row``."""
        k = bisect.bisect_left(self.rows, row)
        return self.heights[k] if k < len(self.rows) and self.rows[k] == row else self.default_height

    def left(self, col: int) -> float:
        """Pixels from the sheet's left edge to the 1-based column ``col``."""
        return float(sum(self.width(c) for c in range(1, col)))

    def top(self, row: int) -> float:
        """Pixels from the sheet's top edge to the 1-based row ``row``."""
        k = bisect.bisect_left(self.rows, row)  # the rows of another height above ``row``
        return (row - 1) * self.default_height + (self.extra[k - 1] if k else 0.0)

    def anchor(self, row0: int, col0: int, width: float, height: float) -> tuple[list[int], float, float]:
        """Where Excel puts a comment box ``width`` × ``height`` pixels for the cell at the 0-based
        ``row0``, ``col0``: one column right of it and one row above (the first row for a cell in
        it). Returns the anchor, [left column, offset, top row, offset, right column, offset, bottom
        row, offset] (0-based cells, offsets in pixels), and the box's left and top in pixels."""
        left_col, left_off = col0 + 1, 15
        top_row, top_off = (row0 - 1, 10) if row0 > 0 else (0, 2)
        right_col, right_off = left_col, left_off + width
        while right_off > self.width(right_col + 1) and right_col < left_col + 200:
            right_off -= self.width(right_col + 1)
            right_col += 1
        bottom_row, bottom_off = top_row, top_off + height
        while bottom_off > self.height(bottom_row + 1) and bottom_row < top_row + 400:
            bottom_off -= self.height(bottom_row + 1)
            bottom_row += 1
        box = [left_col, left_off, top_row, top_off, right_col, round(right_off), bottom_row, round(bottom_off)]
        return box, self.left(left_col + 1) + left_off, self.top(top_row + 1) + top_off


def _width_px(width: float) -> float:
    """Pixels of a column ``width`` characters wide (Excel's rule for a 7-pixel digit)."""
    return float(math.trunc((256 * float(width) + math.trunc(128 / 7)) / 256 * 7))


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SIZE = re.compile(r"(width|height):\s*([\d.]+)(px|pt)?")


def _comment_drawings(entries: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → the zip path of its comments' drawing (VML), from the workbook's and the
    sheets' relationships."""
    import xml.etree.ElementTree as ET

    def rels(path: str) -> dict[str, tuple[str, str]]:
        p = PurePosixPath(path)
        name = str(p.parent / "_rels" / (p.name + ".rels"))
        if name not in entries:
            return {}
        out = {}
        for r in ET.fromstring(entries[name]).iter(f"{{{_PKG}}}Relationship"):
            target = r.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else _join(str(p.parent), target)
            out[r.get("Id", "")] = (r.get("Type", ""), full)
        return out

    book = "xl/workbook.xml"
    book_rels = rels(book)
    found = {}
    for sheet in ET.fromstring(entries[book]).iter(f"{{{_MAIN}}}sheet"):
        part = book_rels.get(sheet.get(f"{{{_REL}}}id", ""), ("", ""))[1]
        for kind, target in rels(part).values():
            if kind.endswith("/vmlDrawing"):
                found[sheet.get("name", "")] = target
    return found


def _join(folder: str, target: str) -> str:
    parts: list[str] = [p for p in folder.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


_SHAPE = re.compile(rb"<(?P<p>(?:[\w.-]+:)?)shape\b(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=p)shape>", re.S)
_STYLE = re.compile(rb'\bstyle="(?P<style>[^"]*)"')
_NOTE = re.compile(rb'<(?P<p>[\w.-]+:)?ClientData\s+ObjectType="Note"')
_ROW_COL = re.compile(rb"<(?:[\w.-]+:)?(Row|Column)>\s*(\d+)\s*</")
_AFTER = re.compile(rb"<(?:[\w.-]+:)?(?:SizeWithCells|MoveWithCells)\s*/>")
_OLD_ANCHOR = re.compile(rb"<(?:[\w.-]+:)?Anchor>[^<]*</(?:[\w.-]+:)?Anchor>")


def _place_comments(vml: bytes, geometry: _Geometry) -> bytes:
    """The VML of a sheet's comments (as openpyxl writes it) with each note's box anchored beside
    its cell: an ``<x:Anchor>`` after its ``SizeWithCells``, its margins set to the same place.
    Edited as text, shape by shape (a tree round trip of thousands of notes took seconds); a shape
    that is not a note is left as it is."""

    def place(m: re.Match) -> bytes:
        body = m.group("body")
        note = _NOTE.search(body)
        where = dict((k.decode(), int(v)) for k, v in _ROW_COL.findall(body))
        style = _STYLE.search(m.group("attrs"))
        if not note or "Row" not in where or "Column" not in where or style is None:
            return m.group(0)
        rules = [r.strip() for r in style.group("style").decode().split(";") if r.strip()]
        size = {k: float(v) * (4 / 3 if unit == "pt" else 1) for k, v, unit in _SIZE.findall(";".join(rules))}
        box, left, top = geometry.anchor(where["Row"], where["Column"], size.get("width", 144), size.get("height", 80))
        rules = [r for r in rules if not r.startswith(("margin-left", "margin-top"))]
        rules[1:1] = [f"margin-left:{left * 0.75:g}pt", f"margin-top:{top * 0.75:g}pt"]
        attrs = _STYLE.sub(lambda _: b'style="' + ";".join(rules).encode() + b'"', m.group("attrs"), count=1)
        prefix = note.group("p") or b""
        anchor = b"<" + prefix + b"Anchor>" + ", ".join(map(str, box)).encode() + b"</" + prefix + b"Anchor>"
        body = _OLD_ANCHOR.sub(b"", body)
        after = [a.end() for a in _AFTER.finditer(body)]  # Excel's order: MoveWithCells, SizeWithCells, Anchor
        at = after[-1] if after else note.end() + body[note.end() :].index(b">") + 1
        body = body[:at] + anchor + body[at:]
        return b"<" + m.group("p") + b"shape" + attrs + b">" + body + b"</" + m.group("p") + b"shape>"

    return _SHAPE.sub(place, vml)


# --- the saved zip: comments placed, no time of this run -----------------------------------------

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)([^<]*)(</dcterms:\2>)")


def _core_dates(src: Path) -> dict[bytes, bytes]:
    """The created/modified values of ``src``'s docProps/core.xml (W3CDTF text), as found."""
    import zipfile

    try:
        with zipfile.ZipFile(src) as z:
            core = z.read("docProps/core.xml")
    except (KeyError, OSError, zipfile.BadZipFile):
        return {}
    return {m.group(2): m.group(3) for m in _DATE.finditer(core)}


def _finish(path: Path, dates: dict[bytes, bytes], sheets: dict) -> None:
    """Rewrite the workbook zip at ``path``: each sheet's comments placed beside their cells
    (``sheets``: name → the openpyxl worksheet saved, for its column widths and row heights), no
    time of this run (core.xml's created/modified set to ``dates``, else the ZIP epoch) and every
    entry dated the ZIP epoch."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        entries = {info.filename: z.read(info.filename) for info in infos}
    for sheet, part in _comment_drawings(entries).items():
        if sheet in sheets and part in entries:
            entries[part] = _place_comments(entries[part], _Geometry.of(sheets[sheet]))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            data = entries[info.filename]
            if info.filename == "docProps/core.xml":
                data = _DATE.sub(
                    lambda m: m.group(1) + dates.get(m.group(2), b"1980-01-01T00:00:00Z") + m.group(4), data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, data)
