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

Hostile and awkward workbooks (#15). openpyxl holds every cell as an object, and a merged range
as an object per cell it covers: a workbook the check reads in a second can take it minutes and
gigabytes. So the workbook is measured from its zip first (:func:`measure`: merged ranges, cell
formats, cells, bytes; :data:`LIMITS`), and over a bound, or when openpyxl fails to load or save it
(any exception), the copy holds the findings sheet alone (:func:`annotate` says why). A sheet name
openpyxl refuses (``]``, ``/`` …) is written in full width in the copy; a name with a line break,
which calamine keeps and openpyxl reads as a space, is matched either way. What each marked cell
had before (fill, comment) is recorded in a hidden sheet (:data:`MARKS`), so that annotating an
annotated copy again replaces hyoka's marks and findings sheet instead of stacking them.

Known limit: openpyxl does not keep images and charts, so an annotated copy loses them (the
original is untouched). Raises HyokaError when ``out`` is ``src`` or cannot be written.
"""

from __future__ import annotations

import bisect
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from hyoka.atomic import replacing
from hyoka.cellref import column_index, column_letters
from hyoka.check import findings as F
from hyoka.errors import HyokaError, Message, msg, os_reason
from hyoka.files import real

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
    "ja": {
        "waived": "除外",
        "expected": "期待",
        "fix": "直し方",
        "more": "ほか {n:,} 件（hyoka の報告に全件があります）",
    },
    "en": {
        "waived": "waived",
        "expected": "Expected",
        "fix": "Fix",
        "more": "{n:,} more (hyoka's report lists them all)",
    },
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


@dataclass
class Annotation:
    """What :func:`annotate` wrote: ``path``, and ``summary_only``: why the copy holds the findings
    sheet alone (a Message, said in the report's language), None when it is the whole workbook."""

    path: Path
    summary_only: Message | None = None


def annotate_workbook(
    src: Path | str,
    out: Path | str,
    findings: pd.DataFrame,
    lang: str = "ja",
    source: str | None = None,
    warn: Callable[[Message], None] | None = None,
) -> Path:
    """:func:`annotate`, returning the path written; a copy of the findings list only is said to
    ``warn`` (one Message, :func:`summary_only_warning`)."""
    done = annotate(src, out, findings, lang, source)
    if done.summary_only is not None and warn is not None:
        warn(summary_only_warning(source or Path(src).name, done))
    return done.path


def summary_only_warning(source: str, done: Annotation) -> Message:
    """The warning line for a copy that holds the findings list only."""
    return msg("annotated_summary_only", file=source, target=done.path, reason=done.summary_only)


def annotate(
    src: Path | str, out: Path | str, findings: pd.DataFrame, lang: str = "ja", source: str | None = None
) -> Annotation:
    """Write the annotated copy of ``src`` to ``out`` (see the module doc). ``findings``: a
    findings table (hyoka.check.findings: its place columns, ``code``, ``severity``, ``title``,
    texts and ``waived``); those whose ``source_file`` is ``source`` (default ``src``'s name) and
    that are on a cell of a sheet are written in.

    The work is bounded before openpyxl sees the file (:func:`measure`, :data:`LIMITS`): over a
    bound, or when openpyxl fails to load or save the workbook (any exception), the copy holds
    the findings sheet alone and :attr:`Annotation.summary_only` says why. Raises HyokaError when
    ``out`` is ``src`` or cannot be written."""
    src, out = Path(src), Path(out)
    try:
        same = real(out) == real(src)
    except OSError as exc:  # a symlink loop
        raise HyokaError(msg("where", where=out, what=msg("cannot_write_reports", reason=os_reason(exc)))) from None
    if same:
        raise HyokaError(msg("where", where=out, what=msg("annotated_is_input")))
    source = source or src.name
    with warnings.catch_warnings():  # openpyxl's remarks on the workbook are not the user's business
        warnings.simplefilter("ignore")
        try:
            size = measure(src)
        except Exception as exc:  # unreadable as a zip here although the check read it
            size = Measure(failed=type(exc).__name__)
        why = size.over()
        if why is None:
            try:
                _annotate_whole(src, out, findings, lang, source, size)
                return Annotation(out)
            except HyokaError:
                raise
            except _TooMany as exc:
                why = msg(
                    "annotate_too_large", what=msg("annotate_limit_findings", n=exc.args[0], limit=LIMITS["findings"])
                )
            except Exception as exc:  # openpyxl's load or save (ValueError, KeyError, MemoryError …)
                why = msg("annotate_failed", detail=type(exc).__name__)
        try:
            _annotate_summary(src, out, findings, lang, source, size)
        except OSError as exc:
            raise HyokaError(msg("where", where=out, what=msg("cannot_write", reason=os_reason(exc)))) from None
    return Annotation(out, why)


def _annotate_whole(src: Path, out: Path, findings: pd.DataFrame, lang: str, source: str, size: Measure) -> None:
    """The whole workbook with the findings on their cells and the findings sheet first; hyoka's
    own marks of an earlier copy (:func:`_unmark`) replaced, not stacked."""
    from openpyxl import load_workbook

    book = _renamed(src, size) if size.renames else src
    wb = load_workbook(book, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
    _unmark(wb)
    mine = _findings_on_cells(findings, source, wb.sheetnames, size.renames)
    if len(mine) > LIMITS["findings"]:
        raise _TooMany(len(mine))
    if len(mine):
        mine["coord"] = _top_left(wb, mine)
        _write_comments(wb, mine, lang)
    _write_summary(wb, mine, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp:
        wb.save(tmp)
        _finish(tmp, _core_dates(src), {ws.title: ws for ws in wb.worksheets})


class _TooMany(Exception):
    """More findings on cells than :data:`LIMITS` allows comments for."""


def _annotate_summary(src: Path, out: Path, findings: pd.DataFrame, lang: str, source: str, size: Measure) -> None:
    """A workbook holding the findings sheet alone (no links: the sheets are not in it)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    sheets = list(dict.fromkeys([*size.titles, *findings["sheet"].astype("string").dropna().tolist()]))
    mine = _findings_on_cells(findings, source, sheets)
    mine["coord"] = mine["letter"] + mine["cell_row"].astype(str)
    _write_summary(wb, mine, lang, links=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp:
        wb.save(tmp)
        _finish(tmp, _core_dates(src), {})


# --- bounding the work before openpyxl sees the workbook --------------------------------------

#: Bounds of the work given to openpyxl, which holds every cell as a Python object (about 1 KB and
#: 25 µs to load and save each; a merged range's bookkeeping about 250 µs; a cell format 120 µs:
#: measured with openpyxl 3.1). Over one, the copy holds the findings sheet alone. ``bytes``: the
#: workbook's parts uncompressed (a sheet part named by several sheets counted each time);
#: ``cells``: the objects openpyxl would make (cells, rows, comments, and every cell of a merged
#: range or of a hyperlink over a range); ``merged``: merged ranges; ``styles``: cell formats
#: (``<xf>``; Excel's own limit is 65,490); ``findings``: findings on cells (a comment each, a row
#: of the findings sheet: 0.7 ms each; a findings sheet alone lists that many and says how many more).
LIMITS = {"bytes": 64 << 20, "merged": 20_000, "styles": 65_490, "cells": 400_000, "findings": 20_000}
#: characters openpyxl refuses in a sheet's name, and what the copy writes instead (full width)
_TITLE_FIX = str.maketrans("\\*?:/[]", "＼＊？：／［］")
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row|comment|xf|mergeCell|hyperlink)(?=[\s/>])([^>]*)")
_REF = re.compile(rb"""\bref\s*=\s*["']([^"']*)["']""")
_REF_CELL = re.compile(rb"^\$?([A-Za-z]{1,3})\$?([0-9]{1,9})$")
_ATTR = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_TAG = re.compile(r"<(?:[\w.-]+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(r"<(?:[\w.-]+:)?Relationship\b[^>]*>")


@dataclass
class Measure:
    """What :func:`measure` found: ``counts`` (the keys of :data:`LIMITS`), ``book`` (the workbook
    part), ``titles`` (the sheets' names as openpyxl reads them, in the workbook's order),
    ``renames`` (a name openpyxl refuses → the name the copy gives the sheet) and ``failed`` (the
    exception that stopped the measure, ``""`` when none)."""

    counts: dict[str, int] = field(default_factory=dict)
    book: str = "xl/workbook.xml"
    titles: list[str] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)
    failed: str = ""

    def over(self) -> Message | None:
        """Why the workbook is not given to openpyxl (the first bound it is over), None when it is."""
        if self.failed:
            return msg("annotate_failed", detail=self.failed)
        for key, limit in LIMITS.items():
            n = self.counts.get(key, 0)
            if n > limit:
                what = msg(f"annotate_limit_{key}", n=n, limit=limit, mb=-(-n // (1 << 20)), limit_mb=limit >> 20)
                return msg("annotate_too_large", what=what)
        return None


def measure(src: Path | str) -> Measure:
    """The work openpyxl would have with the workbook ``src`` (:data:`LIMITS`), read from its zip
    without building anything: each part streamed once through a regular expression, a megabyte
    at a time (an element split by a chunk's end is carried to the next). The counting stops at
    the first count over its limit. Raises what zipfile raises for a damaged zip."""
    import zipfile
    from collections import Counter

    out = Measure()
    with zipfile.ZipFile(src) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        out.counts["bytes"] = sum(i.file_size for i in infos)
        if out.counts["bytes"] > LIMITS["bytes"]:
            return out
        out.book, out.titles, parts = _sheet_entries(z)
        out.renames = _valid_titles(out.titles)
        weight = Counter(parts)  # openpyxl reads a part once for every sheet that names it
        out.counts["bytes"] += sum(max(weight[i.filename] - 1, 0) * i.file_size for i in infos)
        if out.counts["bytes"] > LIMITS["bytes"]:
            return out
        for key in ("cells", "merged", "styles"):
            out.counts[key] = 0
        for info in infos:
            if _scan_part(z, info, max(weight[info.filename], 1), out.counts):
                break
    return out


def _scan_part(z, info, times: int, counts: dict[str, int]) -> bool:
    """Add the counts of one zip entry, read ``times`` by openpyxl, to ``counts`` (:func:`measure`);
    True as soon as one is over its limit."""
    tail = b""
    with z.open(info) as f:
        while True:
            chunk = f.read(1 << 20)
            data = tail + chunk
            cut = len(data) if not chunk else data.rfind(b">") + 1
            if cut == 0:  # no end of an element in a megabyte: keep its end only
                cut = max(len(data) - 4096, 0)
            for name, attrs in _TAG.findall(data[:cut]):
                if name == b"xf":
                    counts["styles"] += times
                elif name == b"mergeCell":
                    counts["merged"] += times
                    counts["cells"] += _area(attrs) * times
                elif name == b"hyperlink":
                    counts["cells"] += _area(attrs) * times
                else:  # a cell, a row, a comment
                    counts["cells"] += times
            if any(counts[k] > LIMITS[k] for k in ("cells", "merged", "styles")):
                return True
            tail = data[cut:]
            if not chunk:
                return False


def _area(attrs: bytes) -> int:
    """The cells of the range in an element's ``ref`` (``A100:XFD1048576`` → 16,384 × 1,048,477);
    1 for a cell or a reference that does not parse (openpyxl then fails, and is caught)."""
    ref = _REF.search(attrs)
    ends = ref.group(1).strip().split(b":") if ref else []
    found = [_REF_CELL.match(e.strip()) for e in ends]
    if len(found) != 2 or not all(found):
        return 1
    (c1, r1), (c2, r2) = ((column_index(m.group(1).upper().decode()), int(m.group(2))) for m in found if m)
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


def _sheet_entries(z) -> tuple[str, list[str], list[str]]:
    """The workbook part, its sheets' names as openpyxl reads them (an attribute's literal tab or
    line break is a space, a character reference is the character) and the part each one names
    (``""`` when its relationship is missing), in the workbook's order."""
    import html

    def read(name: str) -> str:
        try:
            return z.read(name).decode("utf-8", "replace")
        except KeyError:
            return ""

    def attrs(tag: str) -> dict[str, str]:
        return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(tag)}

    def rels(part: str) -> dict[str, tuple[str, str]]:
        p = PurePosixPath(part)
        folder = "" if p.parent == PurePosixPath(".") else str(p.parent)
        found = {}
        for tag in _REL_TAG.findall(read(_join(folder, f"_rels/{p.name}.rels"))):
            a = attrs(tag)
            target = a.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else _join(folder, target)
            found[a.get("Id", "")] = (a.get("Type", ""), full)
        return found

    book = next((t for kind, t in rels("").values() if kind.endswith("/officeDocument")), "xl/workbook.xml")
    targets = {k: t for k, (_, t) in rels(book).items()}
    titles, parts = [], []
    for tag in _SHEET_TAG.findall(read(book)):
        a = attrs(tag)
        raw = a.get("name", "").replace("\r\n", "\n")
        titles.append(html.unescape(raw.translate({9: 32, 10: 32, 13: 32})))
        rid = next((v for k, v in a.items() if k.endswith(":id")), "")
        parts.append(targets.get(rid, ""))
    return book, titles, parts


def _valid_titles(titles: list[str]) -> dict[str, str]:
    """The sheet names openpyxl refuses (``[ ] : * ? / \\``, or none at all) → a name it takes
    (those characters in full width; ``_`` for no name), distinct from the other names."""
    renames: dict[str, str] = {}
    taken = set(titles)
    for title in titles:
        fixed = title.translate(_TITLE_FIX) or "_"
        if fixed == title:
            continue
        while fixed in taken:
            fixed += "_"
        taken.add(fixed)
        renames[title] = fixed
    return renames


def _renamed(src: Path, size: Measure):
    """The workbook ``src`` in memory (an uncompressed zip: at most LIMITS["bytes"]) with the
    sheets of ``size.renames`` renamed in its workbook part, for openpyxl to load."""
    import html
    import io
    import zipfile

    def rename(m: re.Match) -> str:
        tag = m.group(0)
        name = re.search(r"""\bname\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
        if name is None:
            return tag
        raw = (name.group(1) if name.group(1) is not None else name.group(2)).replace("\r\n", "\n")
        new = size.renames.get(html.unescape(raw.translate({9: 32, 10: 32, 13: 32})))
        if new is None:
            return tag
        quoted = new.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        return tag[: name.start()] + f'name="{quoted}"' + tag[name.end() :]

    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == size.book:
                data = _SHEET_TAG.sub(rename, data.decode("utf-8")).encode("utf-8")
            zout.writestr(info.filename, data)
    buf.seek(0)
    return buf


def _sheet_key(name: str) -> str:
    """A sheet's name as an XML parser normalises an attribute (a tab or line break a space):
    calamine keeps a line break that openpyxl reads as a space."""
    return name.replace("\r\n", "\n").translate({9: 32, 10: 32, 13: 32})


# --- hyoka's own marks: replaced when an annotated copy is annotated again ------------------------

#: the hidden sheet that records what each marked cell had before (so that checking an annotated
#: copy again replaces hyoka's marks instead of stacking them): its name and header row
MARKS = "hyoka_marks"
MARKS_HEAD = ["sheet", "cell", "fill", "comment", "author"]
#: the names of the findings sheet (``_`` added when a sheet had the name already)
_SUMMARY_NAME = re.compile("^(?:" + "|".join(map(re.escape, SUMMARY.values())) + ")_*$")


def _unmark(wb) -> None:
    """Undo the marks an earlier annotation left in ``wb`` (an annotated copy checked again): its
    findings sheets (by name and header row) go, and each cell it marked gets back the fill and
    comment it had (from the :data:`MARKS` sheet) where the fill and comment are still hyoka's.
    A copy without that sheet (hyoka before #15) loses hyoka's comments and fills only."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.styles.fills import Fill
    from openpyxl.xml.functions import fromstring

    heads = [HEAD["ja"], HEAD["en"]]
    records: list[list[str]] = []
    for ws in list(wb.worksheets):
        first = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
        if ws.title.startswith(MARKS) and first == MARKS_HEAD:
            records += [
                ["" if v is None else str(v) for v in row][:5] for row in ws.iter_rows(min_row=2, values_only=True)
            ]
            wb.remove(ws)
        elif _SUMMARY_NAME.match(ws.title) and first[: len(COLUMNS)] in heads:
            wb.remove(ws)
    ours = {c.upper() for c in FILLS.values()}
    if not records:  # an older copy: hyoka's comments are those it signed
        for ws in wb.worksheets:
            for comment_cell in [c for c in getattr(ws, "_cells", {}).values() if getattr(c, "comment", None)]:
                if comment_cell.comment.author == "hyoka":
                    records.append([ws.title, comment_cell.coordinate, "", "", ""])
    for sheet, coord, fill, text, author in (r + [""] * (5 - len(r)) for r in records):
        if sheet not in wb.sheetnames or not coord:
            continue
        try:
            cell = wb[sheet][coord]
        except (ValueError, KeyError):
            continue
        colour = str(getattr(cell.fill.fgColor, "rgb", "") or "").upper()
        if cell.fill.fill_type == "solid" and colour[-6:] in ours:
            cell.fill = (Fill.from_tree(fromstring(fill)) if fill else None) or PatternFill()
        if cell.comment is not None and cell.comment.author == "hyoka":
            cell.comment = Comment(text, author or "hyoka") if text else None


def _findings_on_cells(
    findings: pd.DataFrame, source: str, sheets: list[str], renames: dict[str, str] | None = None
) -> pd.DataFrame:
    """The findings on a cell of a sheet of this workbook (places as data:
    hyoka.check.findings.PLACE_COLUMNS), only the columns written, with ``sheet`` the name of the
    sheet in ``sheets`` (the workbook's: a name the reader kept a line break in is found by its
    normalised form, :func:`_sheet_key`; one openpyxl refused by its new name, ``renames``),
    ``letter`` (the column's letters), ``rank`` (severity order) and ``sheet_no`` (the sheet's
    position), ordered by severity, sheet, row and column."""
    exact = {s: s for s in sheets}
    by_key = {_sheet_key(s): s for s in sheets}
    for old, new in (renames or {}).items():
        exact.setdefault(old, new)
        by_key.setdefault(_sheet_key(old), new)
    named = findings["sheet"].astype("string").fillna("")
    found = {s: exact.get(s) or by_key.get(_sheet_key(s), "") for s in named.unique().tolist()}
    sheet = named.map(found).astype("string").fillna("")
    on_cell = (findings["source_file"].astype("string") == source) & (sheet != "") & (findings["col"] > 0)
    keep = ["code", "severity", "title", "department", "project", "indicator", "message", "observed"]
    keep += ["expected", "fix", "waived", "sheet", "cell_row", "col"]
    picked = on_cell.fillna(False).to_numpy(bool)
    mine = findings.loc[picked, [c for c in keep if c in findings]].copy()
    mine["sheet"] = sheet[picked].to_numpy(object)
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
        step = max(1, 4_000_000 // len(ranges))  # findings × ranges compared at a time (booleans)
        for at in range(0, len(part), step):
            chunk = part.iloc[at : at + step]
            r, c = chunk["cell_row"].to_numpy()[:, None], chunk["col"].to_numpy()[:, None]
            inside = (b[:, 0] <= c) & (c <= b[:, 2]) & (b[:, 1] <= r) & (r <= b[:, 3])
            hit = inside.any(axis=1)
            if hit.any():
                first = inside.argmax(axis=1)[hit]
                coord.loc[chunk.index[hit]] = [ranges[i].start_cell.coordinate for i in first]
    return coord


def _texts(mine: pd.DataFrame, name: str) -> list[str]:
    """A text column of ``mine`` as a list of str (``""`` for missing)."""
    return mine[name].astype("string").fillna("").tolist()


def _write_comments(wb, mine: pd.DataFrame, lang: str) -> None:
    """Fill each cell with its worst severity and give it one comment listing its findings, worst
    first (after a comment it already had); what each cell had before is recorded in a hidden
    sheet (:data:`MARKS`), for :func:`_unmark`."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.xml.functions import tostring

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
    marks = []
    for (sheet, coord), idx in mine.groupby(["sheet", "coord"], sort=False).indices.items():
        cell = wb[sheet][coord]
        plain = isinstance(cell.fill, PatternFill) and cell.fill.fill_type is None
        old = cell.comment
        marks.append(
            [sheet, coord, "" if plain else tostring(cell.fill.to_tree()).decode()]
            + ([old.text or "", old.author or ""] if old is not None else ["", ""])
        )
        cell.fill = fills[F.SEVERITIES[int(ranks[idx].min())]]
        body = "\n".join(text[i] for i in idx)  # in the table's order: worst first
        if cell.comment is not None and cell.comment.text:
            body = cell.comment.text.rstrip() + "\n---\n" + body
        comment = Comment(body, "hyoka")
        comment.width = COMMENT_WIDTH
        comment.height = min(COMMENT_PAD + COMMENT_LINE * _lines(body, COMMENT_CHARS), 600)
        cell.comment = comment
    title = MARKS
    while title in wb.sheetnames:
        title += "_"
    ws = wb.create_sheet(title)
    ws.sheet_state = "veryHidden"
    for i, row in enumerate([MARKS_HEAD, *marks], start=1):
        ws.append(row)
        for j in range(1, len(row) + 1):  # (ws[i] would scan the whole sheet for its width)
            ws.cell(row=i, column=j).data_type = "s"  # texts as they are: a comment starting with = is no formula


def _write_summary(wb, mine: pd.DataFrame, lang: str, links: bool = True) -> None:
    """The first sheet: one row per finding (:data:`COLUMNS`), its cell a link (``links``: the
    sheets are in the workbook), its severity filled; set up to print on A4 landscape, one page
    wide, the header row on every page. At most ``LIMITS["findings"]`` rows (the worst first),
    then one saying how many more."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import quote_sheetname
    from openpyxl.worksheet.hyperlink import Hyperlink

    more = len(mine) - LIMITS["findings"]
    mine = mine.head(LIMITS["findings"])

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
        if links:
            link = ws.cell(row=i, column=2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quoted[sheet]}!{coord}")
            link.font = link_font
        ws.cell(row=i, column=1).fill = fills[sev]
        lines = max(_lines(v, w) for v, w in zip(values, widths))
        ws.row_dimensions[i].height = 15 * min(lines, MAX_LINES)
    if more > 0:
        ws.append([WORDS[lang]["more"].format(n=more)])
    for j, width in enumerate(widths):
        ws.column_dimensions[column_letters(j)].width = width
    last = column_letters(len(COLUMNS) - 1)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{len(mine) + 1}"
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
    col_px: np.ndarray | None = field(default=None, repr=False)  # every column's pixels (made once)
    left_px: np.ndarray | None = field(default=None, repr=False)  # their running sum, from 0

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
        return float(self._widths()[min(max(col, 1), MAX_COLUMN) - 1])

    def _widths(self) -> np.ndarray:
        """Pixels of every column, 1 to :data:`MAX_COLUMN` (index 0 is column 1), the first of
        overlapping ranges winning; made once."""
        if self.col_px is None:
            widths = np.full(MAX_COLUMN, self.default_width)
            for lo, hi, w in reversed(self.columns):
                widths[max(lo, 1) - 1 : min(hi, MAX_COLUMN)] = w
            self.col_px = widths
            self.left_px = np.concatenate([[0.0], np.cumsum(widths)])
        return self.col_px

    def height(self, row: int) -> float:
        """Pixels of the 1-based row ``row``."""
        k = bisect.bisect_left(self.rows, row)
        return self.heights[k] if k < len(self.rows) and self.rows[k] == row else self.default_height

    def left(self, col: int) -> float:
        """Pixels from the sheet's left edge to the 1-based column ``col``."""
        self._widths()
        assert self.left_px is not None
        return float(self.left_px[min(max(col, 1), MAX_COLUMN + 1) - 1])

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


#: the last column of a sheet (XFD)
MAX_COLUMN = 16_384


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
_NOTE = re.compile(rb'<(?P<p>[\w.-]+:)?ClientData\b[^>]*?\sObjectType="Note"')  # openpyxl with lxml puts xmlns first
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
    """The created/modified values of ``src``'s docProps/core.xml (W3CDTF text), as found; none
    when it cannot be read or is over 1 MB (a few hundred bytes in any real workbook)."""
    import zipfile

    try:
        with zipfile.ZipFile(src) as z:
            if z.getinfo("docProps/core.xml").file_size > 1 << 20:
                return {}
            core = z.read("docProps/core.xml")
    except Exception:  # no such part, a damaged or encrypted zip: the copy is dated the ZIP epoch
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
