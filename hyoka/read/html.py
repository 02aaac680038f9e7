"""Reading web pages (.html, .htm) into table grids: one :class:`TableGrid` per ``<table>`` of the
page, as hyoka.read.xlsx gives one grid per worksheet.

``read_tables(path, source)`` returns every ``<table>`` element of the page in document order,
nested tables included, named ``table1``, ``table2`` … (1-based). A table's ``rows`` are its grid
after spans are resolved, list[list[str]], every row as wide as the table:

- rows in the order a browser shows them: the ``<thead>`` rows first, then the body rows (in
  ``<tbody>`` or directly in the table) in document order, then the ``<tfoot>`` rows; a row's
  cells are its ``<td>`` and ``<th>`` children. Rows and cells a style hides (``display:none``:
  Excel's hidden rows and columns) are kept, as hyoka.read.xlsx keeps a sheet's hidden rows, so
  the numbering is the source's;
- ``rowspan`` / ``colspan`` are read as merged cells are in a workbook: every position the cell
  covers holds its text (hyoka.read.xlsx fills a merged range from its top-left cell), so
  hyoka.read.layout and the header finder see the same grid as for the workbook. A ``colspan``
  Excel writes for text running over empty cells (``mso-ignore:colspan``) is no merge: the text
  sits in the first position and the others are ``""``. A span is bounded as browsers bound it
  (``colspan`` at most 1000) and never reaches past the rows of its row group (``rowspan="0"``:
  to the group's end);
- a cell's text as a person reads it: ``<br>`` is a line break (``\\n``), and a block element
  (``<p>``, ``<div>``, ``<li>``) starts and ends a line (``<p>&nbsp;</p>`` is an empty line);
  runs of spaces, tabs and source line breaks are one space (``<pre>`` keeps them); each line is trimmed of spaces and no-break spaces. Left out: furigana (``<rt>``,
  ``<rp>``, and Excel's phonetic runs, ``<span class=rt…>`` inside ``<ruby>``), anything hidden by
  ``display:none`` (inline, or by a class the page's ``<style>`` hides), Word and Excel field
  codes (the instruction between ``mso-element:field-begin`` and ``field-separator``), comments
  (conditional comments included), scripts, styles and nested tables (each a grid of its own).
  Numbers stay as written: ``4,5`` is the text ``4,5``.

Decoding: a byte-order mark, else the charset the page declares (``<meta charset>``, ``<meta
http-equiv="Content-Type" content="…; charset=…">`` or an XML declaration, in the first 64 KB;
Shift_JIS read as cp932, which Excel writes), else as a CSV is decoded (UTF-8, cp932, then
detection: hyoka.read.csv.decode_csv_bytes). Strict: a byte the encoding does not have is refused
naming its line. Parsing is lxml's HTML parser (libxml2): no network, no external entities, no
DTD; comments and processing instructions are dropped.

Limits (hostile pages): a page over ``MAX_PAGE_BYTES`` is refused before it is read, one nested
more than 256 elements deep (libxml2's limit: what lies deeper would be lost) after parsing, one with more
than ``MAX_TABLES`` tables or more than ``MAX_CELL_TAGS`` cell tags before it is parsed; a table
wider than ``MAX_COLUMNS`` columns, or grids covering more than ``MAX_PAGE_CELLS`` positions
together (spans counted), are refused while the grid is built.

Raises :class:`~hyoka.errors.InputError` naming the file (and table) on anything unreadable.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from hyoka.errors import InputError, msg, os_reason
from hyoka.read.csv import decode_csv_bytes

MAX_PAGE_BYTES = 50 * 1024 * 1024  # an evaluation table's page is a few MB at most
MAX_TABLES = 2_000  # <table> elements of a page (layout tables included)
MAX_PAGE_CELLS = 500_000  # grid positions of all tables together, spans counted (500,000: ~3 s, 250 MB to read)
MAX_CELL_TAGS = MAX_PAGE_CELLS  # <td>/<th> tags written in the page (counted in the bytes, before parsing)
MAX_COLUMNS = 2_000  # the same limit as a sheet's (hyoka.read.xlsx)
MAX_COLSPAN = 1_000  # as browsers clamp it (HTML: colspan above 1000 is 1000)
_DECLARATION_SCAN = 64 * 1024

_SJIS_LABELS = {
    "shift_jis",
    "shift-jis",
    "sjis",
    "x-sjis",
    "cp932",
    "ms932",
    "ms_kanji",
    "csshiftjis",
    "windows-31j",
    "csWindows31J".lower(),
}
# bounded attribute runs: "<meta " repeated without a ">" made the unbounded ones quadratic (10 s on 64 KB)
_META_CHARSET = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s{0,512}<\?xml[^>]{0,512}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.IGNORECASE)
_WEB_ENCODINGS = (
    "utf-8",
    "cp125",
    "iso8859",
    "koi8",
    "mac-",
    "cp866",
    "cp874",
    "tis-620",
    "gbk",
    "gb2312",
    "gb18030",
    "big5",
    "euc_jp",
    "euc_jis",
    "iso2022_jp",
    "euc_kr",
    "cp949",
)
_CELL_TAG = re.compile(rb"<t[dh][\s>/]", re.IGNORECASE)
_TABLE_TAG = re.compile(rb"<table[\s>/]", re.IGNORECASE)
_FRAME_SRC = re.compile(rb"<i?frame\s[^>]{0,512}?src\s*=\s*[\"']?([^\"'\s>]{1,200})", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\n\r\f]+")
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_IGNORE_COLSPAN = re.compile(r"mso-ignore\s*:\s*colspan", re.IGNORECASE)
_FIELD = re.compile(r"mso-element\s*:\s*field-(begin|separator|end)", re.IGNORECASE)
_CLASS_NAME = re.compile(r"\.([A-Za-z_][\w-]*)\s*$")
_SKIP_TAGS = {"rt", "rp", "script", "style", "template", "table", "noscript", "head", "title"}
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr"}
_LINE_TRIM = " \t\r\f\xa0"


@dataclass
class TableGrid:
    """One ``<table>`` of a page: its ``name`` (``table3``: the third ``<table>`` element of the
    page in document order, nested ones counted) and ``rows`` (the grid, module doc)."""

    name: str
    rows: list[list[str]]


# ---------------------------------------------------------------- decoding


def declared_encoding(data: bytes) -> str | None:
    """The Python codec of the charset ``data`` (a page's bytes) declares in its first 64 KB
    (``<meta charset>``, ``http-equiv`` Content-Type, an XML declaration); cp932 for every
    Shift_JIS label; None when nothing is declared or the label is not an encoding Python has
    (UTF-16 declared in an ASCII-compatible page, as browsers read it, is ignored too)."""
    head = data[:_DECLARATION_SCAN]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if m is None:
        return None
    label = m.group(1).decode("ascii", "replace").strip().lower()
    if label in _SJIS_LABELS:
        return "cp932"  # never strict shift_jis: cp932 adds ①, 髙 and the other Windows characters
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"  # what browsers read for these labels (the WHATWG Encoding standard)
    # the encodings of web pages only: not UTF-16 without a BOM (browsers ignore it), nor a
    # Python codec such as unicode_escape or idna that a page's label could otherwise name
    return name if name.startswith(_WEB_ENCODINGS) else None


def decode_page(data: bytes, source: str) -> str:
    """The page's text (module doc: a BOM, the declared charset, else detection). Raises
    InputError naming the line of the first byte the encoding does not have."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_csv_bytes(data, source, html=True)[0]
    enc = declared_encoding(data)
    if enc is None:
        return decode_csv_bytes(data, source, html=True)[0]
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(enc, "replace")
        shown = " ".join(f"0x{b:02X}" for b in data[exc.start : exc.end])
        char = len(before) - before.rfind("\n")
        raise InputError(
            msg("html_bad_byte_at", char=char, byte=shown, start=exc.start + 1, encoding=enc),
            file=source,
            row=before.count("\n") + 1,
        ) from None


# ---------------------------------------------------------------- cell text


def _hidden_classes(root) -> set[str]:
    """Class names a ``<style>`` of the page hides (``.rt0 {… display:none; …}``: Excel hides its
    phonetic runs this way). Simple selectors only: ``.name`` or ``tag.name``."""
    hidden: set[str] = set()
    for style in root.iter("style"):
        for block in (style.text or "").split("}"):  # split, not a regular expression: linear on any text
            selectors, brace, body = block.rpartition("{")
            if brace and _HIDDEN.search(body):
                for sel in selectors.split(","):
                    m = _CLASS_NAME.search(sel.strip())
                    if m:
                        hidden.add(m.group(1).lower())
    return hidden


class _TextWalker:
    """The text of one cell (module doc). ``hidden``: class names the page's style hides."""

    def __init__(self, hidden: set[str]):
        self.hidden = hidden

    def text(self, cell) -> str:
        self.parts: list[str] = []
        self.in_field_code = False
        self._walk_children(cell, pre=False, ruby=False)
        lines = "".join(self.parts).split("\n")
        out = [line.strip(_LINE_TRIM) for line in lines]
        while out and not out[0]:
            out.pop(0)
        while out and not out[-1]:
            out.pop()
        return "\n".join(out)

    def _add(self, text: str | None, pre: bool) -> None:
        if text and not self.in_field_code:
            self.parts.append(text if pre else _SPACES.sub(" ", text))

    def _is_hidden(self, el, ruby: bool) -> bool:
        style = el.get("style") or ""
        if _HIDDEN.search(style) or el.get("hidden") is not None:
            return True
        classes = (el.get("class") or "").lower().split()
        if any(c in self.hidden for c in classes):
            return True
        return ruby and any(c.startswith("rt") for c in classes)  # Excel's phonetic run inside <ruby>

    def _walk_children(self, el, pre: bool, ruby: bool) -> None:
        self._add(el.text, pre)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag:
                self._walk(child, tag.lower(), pre, ruby)
            self._add(child.tail, pre)

    def _walk(self, el, tag: str, pre: bool, ruby: bool) -> None:
        field = _FIELD.search(el.get("style") or "")
        if field is not None:
            self.in_field_code = field.group(1).lower() == "begin"
            return
        if tag == "br":
            self.parts.append("\n")
            return
        if tag in _SKIP_TAGS or self._is_hidden(el, ruby):
            return
        block = tag in _BLOCK_TAGS
        if block:
            self._line_break()
        self._walk_children(el, pre or tag == "pre", ruby or tag == "ruby")
        if block:
            self._line_break()

    def _line_break(self) -> None:
        """A block element starts and ends a line: one line break, none where a line just ended
        (``<p>a</p><p>b</p>`` is two lines, not three; ``<p>&nbsp;</p>`` is an empty line)."""
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")


# ---------------------------------------------------------------- grids


def _span(value: str | None, default: int = 1) -> int:
    """A ``rowspan`` / ``colspan`` attribute as a browser reads it: the leading digits (``2px`` is
    2), ``default`` when there are none; at most nine digits are looked at."""
    m = re.match(r"\s*\+?(\d{1,9})", value or "")
    return int(m.group(1)) if m else default


def _sections(table) -> list[list]:
    """The row groups of ``table`` in the order shown: thead, body rows, tfoot (module doc)."""
    head: list[list] = []
    body: list[list] = []
    foot: list[list] = []
    loose: list = []
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            loose.append(child)
            continue
        if loose:
            body.append(loose)
            loose = []
        if tag in ("thead", "tbody", "tfoot"):
            rows = [r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr"]
            (head if tag == "thead" else foot if tag == "tfoot" else body).append(rows)
    if loose:
        body.append(loose)
    return head[:1] + body + head[1:] + foot


class _Budget:
    """Grid positions left for the page (``MAX_PAGE_CELLS``)."""

    def __init__(self, source: str):
        self.left, self.source = MAX_PAGE_CELLS, source

    def take(self, n: int, table: str) -> None:
        self.left -= n
        if self.left < 0:
            raise InputError(msg("html_too_many_cells", limit=MAX_PAGE_CELLS), file=self.source, sheet=table)


def _grid(table, name: str, walker: _TextWalker, budget: _Budget, source: str) -> list[list[str]]:
    """The grid of one ``<table>`` (module doc)."""
    out: list[list[str]] = []
    width = 0
    for rows in _sections(table):
        n = len(rows)
        placed: list[dict[int, str]] = [{} for _ in range(n)]
        for i, tr in enumerate(rows):
            taken = placed[i]
            col = 0
            for cell in tr:
                tag = cell.tag.lower() if isinstance(cell.tag, str) else ""
                if tag not in ("td", "th"):
                    continue
                while col in taken:
                    col += 1
                colspan = min(max(_span(cell.get("colspan")), 1), MAX_COLSPAN)
                rowspan = _span(cell.get("rowspan"))
                rowspan = n - i if rowspan == 0 else min(max(rowspan, 1), n - i)
                if col + colspan > MAX_COLUMNS:
                    raise InputError(
                        msg("html_too_wide", n=col + colspan, limit=MAX_COLUMNS),
                        file=source,
                        sheet=name,
                        row=len(out) + i + 1,  # the table's row, counting the row groups above
                    )
                budget.take(colspan * rowspan, name)
                text = walker.text(cell)
                merged = not (colspan > 1 and _IGNORE_COLSPAN.search(cell.get("style") or ""))
                for r in range(i, i + rowspan):
                    row = placed[r]
                    for c in range(col, col + colspan):
                        row.setdefault(c, text if merged or c == col else "")
                col += colspan
                width = max(width, col)
        out.extend([row.get(c, "") for c in range(max(row, default=-1) + 1)] for row in placed)
    for line in out:
        line.extend([""] * (width - len(line)))
    return out


def read_tables(path: Path, source: str) -> list[TableGrid]:
    """Every ``<table>`` of the page at ``path`` as a :class:`TableGrid` (module doc), in document
    order; none when the page has no ``<table>``. Raises InputError naming the file when it cannot
    be read, is empty or over a limit, or is a page of frames and no table (Excel's page for a
    workbook of several sheets: the message names the frames' pages, where the sheets are)."""
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise InputError(msg("html_too_large", size=size, limit=MAX_PAGE_BYTES), file=source)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(msg("cannot_read", reason=os_reason(exc)), file=source) from None
    if not data or data.isspace():
        raise InputError(msg("file_empty"), file=source)
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(msg("html_nul_bytes"), file=source)
    text = decode_page(data, source)
    del data
    if "\x00" in text:
        raise InputError(msg("html_nul_bytes"), file=source)
    page = text.encode("utf-8")
    del text
    tables = len(_TABLE_TAG.findall(page))
    if tables > MAX_TABLES:
        raise InputError(msg("html_too_many_tables", n=tables, limit=MAX_TABLES), file=source)
    cells = len(_CELL_TAG.findall(page))
    if cells > MAX_CELL_TAGS:
        raise InputError(msg("html_too_many_cell_tags", n=cells, limit=MAX_CELL_TAGS), file=source)
    if not tables:
        found = (m.decode("utf-8", "replace") for m in _FRAME_SRC.findall(page[:_DECLARATION_SCAN]))
        frames = list(dict.fromkeys(f for f in found if "tabstrip" not in f.lower()))  # Excel's sheet tabs
        if frames:  # Excel's page of a workbook of several sheets: each sheet is a page of its own
            raise InputError(msg("html_frames", frames=", ".join(frames[:3])), file=source)
        return []
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True, default_doctype=False
    )
    try:
        root = lxml.html.document_fromstring(page, parser=parser)
    except (lxml.etree.LxmlError, ValueError) as exc:
        raise InputError(
            msg("html_unreadable", detail=f"{type(exc).__name__}: {str(exc)[:120]}"), file=source
        ) from None
    del page
    limit = next((e for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"), None)
    if limit is not None:  # libxml2 stops at 256 nested elements, or at a text run over 10 MB: the rest is not read
        key = "html_too_deep" if "depth" in limit.message.lower() else "html_text_too_long"
        raise InputError(msg(key, line=limit.line), file=source)
    walker = _TextWalker(_hidden_classes(root))
    budget = _Budget(source)
    grids = []
    for i, table in enumerate(root.iter("table"), start=1):
        name = f"table{i}"
        grids.append(TableGrid(name, _grid(table, name, walker, budget, source)))
    return grids
