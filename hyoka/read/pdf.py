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
- **Wrapped text**: a PDF cannot tell a line the cell wrapped from a line break typed in the
  cell, so the lines of a cell are joined back (:func:`join_lines`): Japanese to Japanese with no
  space (補助金活用経験のある自治公 / 民館の割合 is one name), a number or unit split over two lines
  with none (12,345,678 / 円), Latin words with a space.
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


def join_lines(text: str) -> str:
    """The lines of a cell joined back as a reader reads them (module doc): ``"自治公\\n民館"`` →
    ``"自治公民館"``, ``"Number of foreign\\nlanguage"`` → ``"Number of foreign language"``,
    ``"12,345,678\\n円"`` → ``"12,345,678円"``. Spaces at the ends of lines are dropped."""
    lines = [line.strip() for line in text.split("\n")]
    out = ""
    for line in lines:
        if not line:
            continue
        if out and not _tight(out[-1], line[0]):
            out += " "
        out += line
    return out


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
    for r, c, r1, c1, k in _spans(table):
        text = join_lines(texts[r][k] or "")
        for rr in range(r, r1 + 1):
            for cc in range(c, c1 + 1):
                grid[rr][cc] = text
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None:
                box = (edges[c], rows[r].bbox[1], edges[c + 1], rows[r].bbox[3])
                row[c] = join_lines(page.crop(box, strict=False).extract_text() or "")
    return [[cell or "" for cell in row] for row in grid], edges


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
    found = sorted(page.find_tables(TABLE_SETTINGS), key=lambda t: (round(t.bbox[1]), t.bbox[0]))
    out: list[PdfTable] = []
    for i, t in enumerate(found, start=1):
        grid, edges = _grid(t, page)
        if any(any(cell for cell in row) for row in grid):
            out.append(PdfTable(number, len(out) + 1, grid, edges, last_on_page=i == len(found)))
    if out:
        out[-1].last_on_page = True
    return out, count


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
        grid.parts.append(t)
        grid.rows.extend(t.rows)
        grid.where.extend((t.sheet, r) for r in range(1, len(t.rows) + 1))
    return out
