"""Reading the ruled tables of a born-digital PDF (what Excel, Word or LibreOffice export) into text
grids, with pdfplumber.

``read_pdf_tables(path, source)`` returns one :class:`PdfTable` per ruled table, page by page and
top to bottom: its rows as lists of cell texts with merged cells resolved as a workbook's are
(:mod:`hyoka.read.xlsx`: a merged cell's text in every grid position it covers, so a 項目 merged
over its rows carries down as in a workbook), the page, and the x positions of its column lines.
:func:`continued` joins the tables that a page break split into one logical table
(:class:`PdfGrid`): rows in order, each with its place on the page.

- **Cells**: pdfplumber's ``lines`` strategy on both axes: a table is what its ruling draws, so
  the page header, the footer, the page number and a title above the table are not in it.
- **Wrapped text**: a PDF does not say whether a line was wrapped or ended by a line break typed in
  the cell. A line that ends short of the cell's right side by more than what the next line
  begins with (its first character, with the marks that cannot begin a line, or its first word)
  was broken by hand, and the break is kept (:func:`_typed_breaks`); a full line cannot be told
  from a wrap. Wrapped lines are joined back (:func:`join_lines`): Japanese to Japanese with no
  space (補助金活用経験のある自治公 / 民館の割合 is one name), a number or unit split over two lines
  with none (12,345,678 / 円), Latin words with a space.
- **Text layer**: the radicals and the ‧ a CJK font's text layer gives for ideographs and ・ are read
  as printed (:func:`text_layer_fixed`).
- **A row cut by a page break** (a browser, or Word allowing a row to break across pages): its
  part on the page has no rule under it; :func:`_open_rows` closes it, and :func:`continued`
  joins the rest printed at the top of the next page onto it, placed where the row starts.
- **A table wider than the page** (a browser, or a print not fitted to the page width): the
  columns past the page's edge are not in the PDF; :func:`cut_sides` notices the row lines and
  text running on past the last column line, and ``PdfTable.cut`` says at which edge.
- **Places**: a table's sheet is its page, ``p3`` (``p3.2`` for the second table on page 3),
  and its rows are counted from 1 at the table's first row on that page (a repeated header
  counts); columns from 1 at the left. hyoka.cellref writes them ``report.pdf#p3!R5C8``.
- **A table continued over pages** (:func:`continued`): the first table of a page continues the
  last table of the page before when it has the same column lines and either repeats that
  table's first row (the header printed again on every page) or has no header of its own
  (``starts_table`` says which rows would be read as a header). The repeated header rows are
  left in the grid: hyoka.read.layout drops them as ``header`` rows, as it does in a workbook.

Bounds (hyoka reads untrusted files): at most :data:`MAX_BYTES` bytes and :data:`MAX_PAGES`
pages; on a page, :data:`MAX_PAGE_CONTENT` bytes of drawing instructions (checked before
pdfminer parses them: a compressed stream is inflated only that far), :data:`MAX_PAGE_CHARS`
characters and :data:`MAX_PAGE_OBJECTS` drawn lines and rectangles; :data:`MAX_SECONDS` of
reading (a timer interrupts the parsing on the main thread; elsewhere it is checked between
pages). Raises :class:`~hyoka.errors.InputError` naming the file (and the page): a file that is
not a PDF, a damaged one (whatever pdfminer raises, as one line), a password-protected one, one
over a bound, and one with no text at all (a scan: hyoka does not do OCR).
"""

from __future__ import annotations

import bisect
import logging
import os
import signal
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hyoka.errors import HyokaError, InputError, exception_line, msg

MAX_BYTES = 200 * 1024 * 1024  # a printed plan with photographs is tens of MB
MAX_PAGES = 500
MAX_PAGE_CHARS = 100_000  # a dense A3 page of 6 pt text has about 20,000
MAX_PAGE_OBJECTS = 50_000  # lines and rectangles on one page (a ruled A3 table has a few thousand)
MAX_SECONDS = 120.0  # reading the seed's two pages takes 0.5 s
MAX_PAGE_CONTENT = 2 * 1024 * 1024  # a page's drawing instructions, decoded (the seed's dense page: 36 KB)
#: the ruled-table settings: cells from drawn lines only (text alignment would take a footer in)
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
#: column lines this close (points) are the same line on another page
EDGE_TOLERANCE = 2.0
#: row lines running this far (points) past a table's outermost column line, with text there: a
#: table cut at the page's edge (:func:`cut_sides`; a line drawn long overshoots by its width)
CUT_OVERRUN = 6.0


@dataclass
class PdfTable:
    """One ruled table as printed on one page: ``rows`` (cell texts, merged cells filled),
    ``page`` (1-based), ``index`` (its order on the page, 1-based), ``edges`` (the x positions
    of its column lines, left to right, in points)."""

    page: int
    index: int
    rows: list[list[str]]
    edges: list[float]
    last_on_page: bool = True
    #: its last row has no bottom rule: the row runs on to the next page (:func:`_open_rows`)
    runs_on: bool = False
    #: the page's edges (``"left"``, ``"right"``) the table is cut at: columns beyond are not in
    #: the PDF (:func:`cut_sides`)
    cut: tuple[str, ...] = ()

    @property
    def sheet(self) -> str:
        """The place's sheet part: ``p3``, or ``p3.2`` for the page's second table."""
        return f"p{self.page}" if self.index == 1 else f"p{self.page}.{self.index}"


@dataclass
class PdfGrid:
    """A logical table: the :class:`PdfTable` parts a page break split, joined. ``rows`` in order;
    ``where[i]`` the (sheet, row on that page's table, 1-based) of ``rows[i]``; ``sheet`` names the
    table (its first part's sheet)."""

    parts: list[PdfTable]
    rows: list[list[str]] = field(default_factory=list)
    where: list[tuple[str, int]] = field(default_factory=list)

    @property
    def sheet(self) -> str:
        return self.parts[0].sheet

    @property
    def sheets(self) -> list[str]:
        return [p.sheet for p in self.parts]


#: Radicals of the CJK Radicals Supplement that a CJK font's text layer gives for a whole ideograph
#: and that have no decomposition (NFKC leaves them): each is the radical form of the ideograph
#: its Unicode name says (Unicode's EquivalentUnifiedIdeograph.txt lists the same pairs); the
#: supplement's other radicals (component forms such as 氵) are left as they are.
RADICAL_IDEOGRAPHS = {
    "\u2ea0": "民",  # CJK RADICAL CIVILIAN (県⺠, 市⺠)
    "\u2ec1": "虎",  # CJK RADICAL TIGER
    "\u2ec4": "西",  # CJK RADICAL WEST TWO
    "\u2ec6": "角",  # CJK RADICAL SIMPLIFIED HORN
    "\u2ed1": "長",  # CJK RADICAL LONG ONE (課⻑)
    "\u2ed8": "青",  # CJK RADICAL BLUE
    "\u2ee4": "鬼",  # CJK RADICAL GHOST
    "\u2ee8": "麦",  # CJK RADICAL SIMPLIFIED WHEAT
    "\u2ee9": "黄",  # CJK RADICAL SIMPLIFIED YELLOW
    "\u2eeb": "斉",  # CJK RADICAL J-SIMPLIFIED EVEN
    "\u2eed": "歯",  # CJK RADICAL J-SIMPLIFIED TOOTH
}
#: Kangxi radicals whose NFKC ideograph is a form Japanese does not print (戶) while a Japanese font
#: draws the radical as the Japanese form: Chromium's print of tottori_koteihyo writes 6戸/15戸 as
#: ``6⼾/15⼾``. Others are added when a real PDF shows one.
JAPANESE_FORMS = {"\u2f3e": "戸"}  # KANGXI RADICAL DOOR (NFKC: 戶)
_RADICALS = {
    **{chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FE0)},  # Kangxi: all
    **{
        chr(c): unicodedata.normalize("NFKC", chr(c))
        for c in range(0x2E80, 0x2F00)
        if unicodedata.decomposition(chr(c))
    },
    **RADICAL_IDEOGRAPHS,
    **JAPANESE_FORMS,
}
_RADICAL_TABLE = str.maketrans({k: v for k, v in _RADICALS.items() if k != v})
_HYPHENATION_POINT, _MIDDLE_DOT = "\u2027", "\u30fb"


def _kanji_or_kana(ch: str) -> bool:
    """A kanji (CJK unified or compatibility ideograph, 々, 〆) or a kana (full or half width)."""
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # hiragana, katakana
        or 0x3400 <= o <= 0x4DBF
        or 0x4E00 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF66 <= o <= 0xFF9F
        or ch in "々〆ヶ"
    )


def text_layer_fixed(text: str) -> str:
    """``text`` as printed, where a CJK font's text layer maps a glyph to another code point than
    the one typed (an artifact of the PDF, not what was published):

    - a radical for the ideograph it draws: the Kangxi Radicals block (U+2F00–U+2FDF) by NFKC
      (``⿃取県`` → ``鳥取県``, ``適⽤`` → ``適用``) but ``⼾`` → ``戸`` (:data:`JAPANESE_FORMS`), the CJK Radicals Supplement
      (U+2E80–U+2EFF) by NFKC where it decomposes (``⺟`` → ``母``) and by
      :data:`RADICAL_IDEOGRAPHS` for the few whole-ideograph radicals that do not (``⺠`` → ``民``,
      ``⻑`` → ``長``);
    - U+2027 HYPHENATION POINT ``‧`` for the katakana middle dot ``・`` (U+30FB): Chromium with the
      Noto CJK fonts writes ・ so. Only between two kanji or kana (``観察会‧学習会`` →
      ``観察会・学習会``): elsewhere (Latin text, a number) it is left as it is, since there it can
      be a real hyphenation point and nothing tells which glyph was typed.

    Only a PDF's text goes through this (hyoka.read.pdf): a workbook or web page holds the
    characters typed."""
    if not text.isascii():
        text = text.translate(_RADICAL_TABLE)
        if _HYPHENATION_POINT in text:
            chars = list(text)
            for i in range(1, len(chars) - 1):
                if chars[i] == _HYPHENATION_POINT and _kanji_or_kana(chars[i - 1]) and _kanji_or_kana(chars[i + 1]):
                    chars[i] = _MIDDLE_DOT
            text = "".join(chars)
    return text


def _wide(ch: str) -> bool:
    """A character set in Japanese text: wide or ambiguous East Asian width (漢字, かな, 全角, ①, ※)."""
    return unicodedata.east_asian_width(ch) in ("W", "F", "A")


def _tight(left: str, right: str) -> bool:
    """Whether a wrap between the characters ``left`` and ``right`` is joined with no space."""
    if _wide(left) or _wide(right):
        return True  # Japanese wraps anywhere: no space was there
    if (left.isdigit() or left in ".,") and (right.isdigit() or right in ".,%"):
        return True  # a number split over two lines
    return left in "([{/-" or right in ")]},.;:%/"


def join_lines(text: str, typed: list[bool] | None = None) -> str:
    """The lines of a cell joined back as a reader reads them (module doc): ``"自治公\\n民館"`` →
    ``"自治公民館"``, ``"Number of foreign\\nlanguage"`` → ``"Number of foreign language"``,
    ``"12,345,678\\n円"`` → ``"12,345,678円"``. Spaces at the ends of lines are dropped.
    ``typed[i]``: the break after the i-th non-empty line was typed (:func:`_typed_breaks`), kept
    as a line break."""
    lines = [line for line in (x.strip() for x in text.split("\n")) if line]
    out = ""
    for i, line in enumerate(lines):
        if out:
            if typed is not None and typed[i - 1]:
                out += "\n"
            elif not _tight(out[-1], line[0]):
                out += " "
        out += line
    return out


#: what Japanese typesetting (kinsoku) does not begin a line with (it wraps with the character
#: before: U+2027 is how Chromium's text layer writes ・) and does not end one with (it wraps with
#: the character after)
_NO_LINE_END = set("「『（(【〔〈《［[｛{“‘")
_NO_LINE_START = set(
    "\u2027、。，．,.・：；:;？！?!)）」』】〕〉》］]}｝ー〜～ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ%％"
)


def _unit_width(line: list[dict]) -> float:
    """The width of what a line begins with that a wrap could not have split (points): a Japanese
    character with the marks that cannot begin a line after it (、。）ー っ …) and an opening
    bracket with what follows it; a Latin word or a number whole, with the space before it. When
    unsure, more (a wrap is what :func:`join_lines` reads anyway)."""

    def full(c: dict) -> bool:  # set full width, as Japanese is (○ and ※ too, in a Japanese font)
        return c["x1"] - c["x0"] >= 0.8 * c.get("size", 0.0) > 0

    def end(k: int) -> int:  # the end of the unit that begins at line[k - 1]
        while k < len(line):
            prev, cur = line[k - 1], line[k]
            if cur["x0"] - prev["x1"] > 1.0:  # a space: a line may break there
                break
            if prev["text"][0] in _NO_LINE_END or cur["text"][0] in _NO_LINE_START or not full(cur):
                k += 1  # 「注, 会・, 性:2.8%, a word's letters
                continue
            if prev["text"][0] not in "'\"‘’“”":
                break  # Japanese wraps between any two characters, and after a Latin word or a sign
            k += 1  # a quote holds on to what follows it
        return k

    k = end(1)
    if k < len(line) and not any(c["text"][0].isalnum() or full(c) for c in line[:k]):
        k = end(k + 1)  # a sign alone (« , /) is not left at a line's start: with the word after it
    first = line[0]
    width = line[k - 1]["x1"] - first["x0"]
    if first["text"][0].isalnum() and not full(first):  # and the space before a Latin word
        width += 0.35 * first.get("size", first["x1"] - first["x0"])
    return width


def _typed_breaks(chars: list[dict], box: tuple[float, float, float, float], n: int) -> list[bool] | None:
    """Which of the breaks between the ``n`` lines printed in the cell ``box`` were typed rather
    than made by wrapping, from where the ``chars`` (pdfplumber's, those in the cell) stand: a line
    wraps only when the next line's first word (in Japanese, its first character) does not fit
    after it, so a line that ends short of the cell's text area by more than that was broken by
    hand (白ネギ栽培面積42ha / アスパラ生産額37,559千円). The text area's right end is the cell's right
    rule less the padding at its left (the nearest any line starts to the left rule). None when
    the lines found are not the ``n`` lines of the cell's text (then the breaks are joined as
    :func:`join_lines` joins them)."""
    if n < 2:
        return None
    marks = sorted((c for c in chars if c["text"].strip()), key=lambda c: (c["top"], c["x0"]))
    lines: list[list[dict]] = []
    for c in marks:
        if lines and c["top"] - lines[-1][0]["top"] <= 3:  # pdfplumber's y tolerance
            lines[-1].append(c)
        else:
            lines.append([c])
    if len(lines) != n:
        return None
    lines = [sorted(line, key=lambda c: c["x0"]) for line in lines]
    pad = max(min(line[0]["x0"] for line in lines) - box[0], 0.0)
    right = box[2] - pad
    typed = []
    for line, following in zip(lines, lines[1:]):
        need = _unit_width(following)  # and a quarter of a character for what line breakers differ on
        typed.append(right - line[-1]["x1"] > need + 1.0 + 0.25 * following[0].get("size", 0.0))
    return typed


def _spans(table) -> list[tuple[int, int, int, int, int]]:
    """Each cell of a pdfplumber table as (row, column, last row, last column, index in the row's
    cells): the grid positions its box covers (a merged cell covers several)."""
    rows = table.rows
    ncols = max((len(r.cells) for r in rows), default=0)
    lefts = [min((r.cells[c][0] for r in rows if c < len(r.cells) and r.cells[c]), default=0.0) for c in range(ncols)]
    tops = [r.bbox[1] for r in rows]
    out = []
    for i, r in enumerate(rows):
        for c, box in enumerate(r.cells):
            if box is None:
                continue
            x1, bottom = box[2], box[3]
            c1 = max([k for k in range(c, ncols) if lefts[k] < x1 - 0.5], default=c)
            r1 = max([k for k in range(i, len(rows)) if tops[k] < bottom - 0.5], default=i)
            out.append((i, c, r1, c1, c))
    return out


def _middle_y(char: dict) -> float:
    return (char["top"] + char["bottom"]) / 2


def _inside(char: dict, box) -> bool:
    """Whether the middle of ``char`` lies in ``box`` (x0, top, x1, bottom), as pdfplumber assigns a
    character to a cell."""
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def _grid(table, page) -> tuple[list[list[str]], list[float]]:
    """The text grid of a pdfplumber ``table`` on ``page`` (merged cells filled from their text) and
    its column lines. A grid position no cell box covers — a merged cell that runs on to the next
    page has no bottom line on this one, so pdfplumber finds no cell there — gets the text printed
    within its column and row."""
    texts = table.extract()
    rows = table.rows
    ncols = max((len(r) for r in texts), default=0)
    lefts = [min((r.cells[c][0] for r in rows if c < len(r.cells) and r.cells[c]), default=0.0) for c in range(ncols)]
    edges = [*lefts, table.bbox[2]]
    grid: list[list[str | None]] = [[None] * ncols for _ in texts]
    chars = sorted((c for c in page.chars if _inside(c, table.bbox)), key=_middle_y)
    middles = [_middle_y(c) for c in chars]

    def in_box(box) -> list[dict]:  # the characters of a cell: those in its rows, then its columns
        rows_of = chars[bisect.bisect_left(middles, box[1]) : bisect.bisect_left(middles, box[3])]
        return [x for x in rows_of if _inside(x, box)]

    for r, c, r1, c1, k in _spans(table):
        text = texts[r][k] or ""
        box = rows[r].cells[k]
        n = sum(1 for line in text.split("\n") if line.strip())
        typed = _typed_breaks(in_box(box), box, n) if n > 1 and box else None
        text = join_lines(text, typed)
        for rr in range(r, r1 + 1):
            for cc in range(c, c1 + 1):
                grid[rr][cc] = text
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None:
                box = (edges[c], rows[r].bbox[1], edges[c + 1], rows[r].bbox[3])
                row[c] = join_lines(page.crop(box, strict=False).extract_text() or "")
    fixed = {text: text_layer_fixed(text) for text in {cell or "" for row in grid for cell in row}}  # per distinct text
    return [[fixed[cell or ""] for cell in row] for row in grid], edges


@contextmanager
def _pdfminer_quiet() -> Iterator[None]:
    """pdfminer logs what it repairs (a missing CropBox, a bad xref) as warnings, which would reach
    stderr through logging's last-resort handler: hyoka says in one line what it cannot read."""
    log = logging.getLogger("pdfminer")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _inner(exc: BaseException) -> BaseException:
    """The pdfminer exception inside pdfplumber's PdfminerException (its first argument)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, BaseException) else (exc.__cause__ or exc)


def _open_error(exc: BaseException, source: str) -> InputError:
    """The one line for a PDF that pdfplumber cannot open: password-protected, or damaged."""
    inner = _inner(exc)
    if type(inner).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError"):
        return InputError(msg("pdf_protected"), file=source)
    return InputError(msg("pdf_unreadable", detail=exception_line(inner)), file=source)


class _Overtime(BaseException):
    """Raised by the alarm of :func:`_deadline` inside pdfminer's parsing (a BaseException, so no
    ``except Exception`` on the way swallows it)."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt what runs inside after ``seconds`` (:class:`_Overtime`), where a timer signal can
    be used: on the main thread, with SIGALRM not taken by anyone else. Elsewhere the time is
    checked only between pages (:func:`read_pdf_tables`)."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _Overtime()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _content_size(page, limit: int) -> int:
    """The decoded size of a page's content streams, counted no further than ``limit`` + 1 bytes:
    a FlateDecode stream is inflated only that far (a few KB of zeros can inflate to GBs, which
    pdfminer would hold in memory and parse); another filter counts its encoded size."""
    from pdfminer.pdftypes import PDFStream, resolve1

    total = 0
    for ref in page.page_obj.contents or []:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream):
            continue
        raw = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
        filters = [getattr(f, "name", f) for f, _ in stream.get_filters()]
        if filters and filters[0] in ("FlateDecode", "Fl"):
            try:
                total += len(zlib.decompressobj().decompress(raw, max(limit + 1 - total, 1)))
            except zlib.error:
                total += len(raw)  # pdfminer says what is wrong with it
        else:
            total += len(raw)
        if total > limit:
            break
    return total


def read_pdf_tables(path: Path, source: str) -> list[PdfTable]:
    """The ruled tables of the PDF at ``path`` (module doc), page by page. ``source``: the file's
    name in messages. Raises InputError (module doc)."""
    import pdfplumber  # 0.3 s to import: only when a PDF is read

    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InputError(msg("pdf_unreadable", detail=exception_line(exc)), file=source) from None
    if size > MAX_BYTES:
        raise InputError(msg("pdf_too_large", size=size, limit=MAX_BYTES), file=source)
    if b"%PDF-" not in head:
        raise InputError(msg("pdf_not_pdf"), file=source)
    start = time.monotonic()
    tables: list[PdfTable] = []
    chars = images = 0
    number = 0
    with _pdfminer_quiet():
        try:
            with _deadline(MAX_SECONDS):
                try:
                    pdf = pdfplumber.open(path)
                except Exception as exc:  # pdfminer raises many kinds: one line naming the file
                    raise _open_error(exc, source) from None
                with pdf:
                    try:
                        n = len(pdf.pages)
                    except Exception as exc:
                        raise _open_error(exc, source) from None
                    if n > MAX_PAGES:
                        raise InputError(msg("pdf_too_many_pages", n=n, limit=MAX_PAGES), file=source)
                    for number in range(1, n + 1):
                        if time.monotonic() - start > MAX_SECONDS:
                            raise _Overtime()
                        found, count, pictures = _read_page(pdf, number, source)
                        chars += count
                        images += pictures
                        tables.extend(found)
        except _Overtime:
            raise InputError(msg("pdf_too_slow", seconds=int(MAX_SECONDS), page=max(number, 1)), file=source) from None
    if chars == 0:
        raise InputError(msg("pdf_no_text" if images else "pdf_empty"), file=source)
    return tables


def _read_page(pdf, number: int, source: str) -> tuple[list[PdfTable], int, int]:
    """Page ``number`` of ``pdf`` (pdfplumber): its tables, characters and images; what pdfminer
    raises on it becomes one InputError naming the page."""

    def unreadable(exc: Exception) -> InputError:
        return InputError(msg("pdf_page_unreadable", page=number, detail=exception_line(_inner(exc))), file=source)

    try:
        page = pdf.pages[number - 1]
    except Exception as exc:
        raise unreadable(exc) from None
    try:
        content = _content_size(page, MAX_PAGE_CONTENT)
        if content > MAX_PAGE_CONTENT:
            raise InputError(msg("pdf_page_content", page=number, limit=MAX_PAGE_CONTENT), file=source)
        found, count = _page_tables(page, number, source)
        return found, count, len(page.images)
    except HyokaError:
        raise
    except Exception as exc:
        raise unreadable(exc) from None
    finally:
        page.close()  # frees the page's parsed objects


def _page_tables(page, number: int, source: str) -> tuple[list[PdfTable], int]:
    """The ruled tables of one pdfplumber page, and how many characters the page has."""
    count = len(page.chars)
    if count > MAX_PAGE_CHARS:
        raise InputError(msg("pdf_page_chars", page=number, n=count, limit=MAX_PAGE_CHARS), file=source)
    objects = len(page.lines) + len(page.rects) + len(page.curves)
    if objects > MAX_PAGE_OBJECTS:
        raise InputError(msg("pdf_page_lines", page=number, n=objects, limit=MAX_PAGE_OBJECTS), file=source)
    if count == 0:
        return [], 0
    found = page.find_tables(TABLE_SETTINGS)
    start, end = _open_rows(page, found)
    if start is not None or end is not None:
        rules = [y for y in (start, end) if y is not None]
        found = page.find_tables({**TABLE_SETTINGS, "explicit_horizontal_lines": rules})
    found = sorted(found, key=lambda t: (round(t.bbox[1]), t.bbox[0]))
    out: list[PdfTable] = []
    for i, t in enumerate(found, start=1):
        grid, edges = _grid(t, page)
        if any(any(cell for cell in row) for row in grid):
            runs_on = end is not None and abs(t.bbox[3] - end) <= EDGE_TOLERANCE
            table = PdfTable(number, len(out) + 1, grid, edges, last_on_page=i == len(found), runs_on=runs_on)
            table.cut = cut_sides(page, t.bbox)
            out.append(table)
    if out:
        out[-1].last_on_page = True
    return out, count


def cut_sides(page, bbox: tuple[float, float, float, float]) -> tuple[str, ...]:
    """The sides (``"left"``, ``"right"``) at which the ruled table at ``bbox`` (x0, top, x1,
    bottom, points) on ``page`` is cut by the page's edge: a table wider than the page (a browser,
    or a print not fitted to the page width) loses the columns past the edge, and the part of a
    column that is printed has no closing column line, so the table's cells stop at the last
    column line drawn. A side is cut when, in the table's rows, row lines run on past the
    outermost column line (more than :data:`CUT_OVERRUN` points) and text is printed there, or
    when characters there run past the page's edge. Row lines drawn a little long, and text
    beside a table that has no row lines under it (a note in the margin), are no cut."""
    x0, top, x1, bottom = bbox
    rows = [
        e for e in page.edges if e["orientation"] == "h" and top - EDGE_TOLERANCE <= e["top"] <= bottom + EDGE_TOLERANCE
    ]
    chars = [c for c in page.chars if c["text"].strip() and top <= _middle_y(c) <= bottom]
    sides: list[str] = []
    left = [c for c in chars if c["x0"] < x0 - EDGE_TOLERANCE]
    run_left = any(e["x0"] < x0 - CUT_OVERRUN and e["x1"] >= x0 - EDGE_TOLERANCE for e in rows)  # from the table on
    if any(c["x0"] < -EDGE_TOLERANCE for c in left) or (left and run_left):
        sides.append("left")
    right = [c for c in chars if c["x1"] > x1 + EDGE_TOLERANCE]
    run_right = any(e["x1"] > x1 + CUT_OVERRUN and e["x0"] <= x1 + EDGE_TOLERANCE for e in rows)
    if any(c["x1"] > page.width + EDGE_TOLERANCE for c in right) or (right and run_right):
        sides.append("right")
    return tuple(sides)


def _open_rows(page, found) -> tuple[float | None, float | None]:
    """Where a row cut by the page break ends on ``page`` with no rule (points from the top): a
    browser, or Word with "allow row to break across pages", splits a tall row over two pages and
    draws its column lines down to the end of the page area, but no line under it, so the ruled
    tables ``found`` stop above it and its text would be lost. Returns ``(start, end)``: the y where
    the column lines of the page's first table start above it (a fragment at the top of a page
    with no header repeated) and the y where those of its last table end below it, each None
    when the table is closed there or nothing is printed between (column lines drawn a little
    long): drawn there as rules (pdfplumber's explicit lines), they
    close the cut rows. A cut row is read as the cells it has on this page;
    :func:`continued` joins its two parts."""
    if not found:
        return None, None
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 1]

    def column_lines(table) -> list:
        x0, x1 = table.bbox[0] - EDGE_TOLERANCE, table.bbox[2] + EDGE_TOLERANCE
        return [e for e in verticals if x0 <= e["x0"] <= x1]

    def spans_table(lines, table) -> bool:  # lines at the table's left and right edges
        xs = [e["x0"] for e in lines]
        return bool(xs) and min(xs) <= table.bbox[0] + EDGE_TOLERANCE and max(xs) >= table.bbox[2] - EDGE_TOLERANCE

    first = min(found, key=lambda t: t.bbox[1])
    last = max(found, key=lambda t: t.bbox[3])
    top, bottom = first.bbox[1], last.bbox[3]
    above = [e for e in column_lines(first) if e["top"] < top - EDGE_TOLERANCE and e["bottom"] >= top - EDGE_TOLERANCE]
    below = [
        e for e in column_lines(last) if e["bottom"] > bottom + EDGE_TOLERANCE and e["top"] <= bottom + EDGE_TOLERANCE
    ]
    start = min(e["top"] for e in above) if spans_table(above, first) else None
    end = max(e["bottom"] for e in below) if spans_table(below, last) else None

    def printed(x0: float, top: float, x1: float, bottom: float) -> bool:  # text there: not a line's overshoot
        return any(_inside(c, (x0, top, x1, bottom)) and c["text"].strip() for c in page.chars)

    if start is not None and not printed(first.bbox[0], start, first.bbox[2], top):
        start = None
    if end is not None and not printed(last.bbox[0], bottom, last.bbox[2], end):
        end = None
    return start, end


def _same_columns(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= EDGE_TOLERANCE for x, y in zip(a, b))


def continued(tables: list[PdfTable], starts_table: Callable[[list[list[str]]], bool]) -> list[PdfGrid]:
    """The logical tables of ``tables`` (in reading order): a table that begins its page continues
    the one that ended the page before when they have the same column lines and it either
    repeats that table's first row or ``starts_table(rows)`` is False for it (no header of its
    own: ``hyoka.read.raw.has_header``)."""
    out: list[PdfGrid] = []
    for t in tables:
        last = out[-1].parts[-1] if out else None
        joins = (
            last is not None
            and t.index == 1
            and last.last_on_page
            and t.page == last.page + 1
            and _same_columns(last.edges, t.edges)
            and (t.rows[:1] == out[-1].rows[:1] or not starts_table(t.rows))
        )
        if not joins:
            out.append(PdfGrid([]))
        grid = out[-1]
        rows = list(enumerate(t.rows, start=1))
        if joins and last is not None and last.runs_on:
            k = _repeated(grid.rows, t.rows)
            if k < len(t.rows):  # the cut row's rest, under the repeated header: onto the row it continues
                grid.rows[-1] = joined_row(grid.rows[-1], t.rows[k])
                del rows[k]
        grid.parts.append(t)
        grid.rows.extend(r for _, r in rows)
        grid.where.extend((t.sheet, n) for n, _ in rows)
    return out


def _repeated(rows: list[list[str]], part: list[list[str]]) -> int:
    """How many rows at the top of ``part`` repeat the first rows of ``rows`` (a header printed again)."""
    k = 0
    while k < min(len(rows), len(part)) and part[k] == rows[k]:
        k += 1
    return k


def joined_row(row: list[str], rest: list[str]) -> list[str]:
    """A row a page break cut (:func:`_open_rows`), its cells joined with the ``rest`` printed at
    the top of the next page as a cell's wrapped lines are (:func:`join_lines`; the page break is
    read as a wrap, the line breaks within each part are kept): a cell empty in
    either part is the other's text. ``["TT_R3", "安全・安"]`` + ``["", "心・快適"]`` →
    ``["TT_R3", "安全・安心・快適"]``."""
    return [_join_two(a, b) if a and b else a or b for a, b in zip(row, rest)] + row[len(rest) :]


def _join_two(text: str, rest: str) -> str:
    """``text`` and its ``rest`` on the next page joined as a wrapped line is (the line breaks kept
    in either are left as they are)."""
    return text + ("" if _tight(text[-1], rest[0]) else " ") + rest
