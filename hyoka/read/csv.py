"""Reading a CSV into a raw table (:class:`hyoka.read.table.RawTable`), with each field's place.

Encodings are tried strictly in a fixed order (:func:`decode_csv_bytes`): a BOM (UTF-8, UTF-16),
UTF-8, cp932 (Windows Japanese, a superset of Shift_JIS: strict ``shift_jis`` is never used), then
detection (EUC-JP and others); never lossily. The separator is a comma,
else a tab (Excel's "Unicode text"), else a semicolon. Records may span lines (quoted newlines):
a record's ``row`` is the physical line it starts on.

The character column of every field read (``char_<field>``, see :mod:`hyoka.read.table`) is
computed here, while the file's bytes are in memory, so no output reads the file again
(:class:`CharColumns`): from the parsed cells' lengths where the record's bytes show how it was
quoted, and by scanning the record's first line otherwise.

Raises :class:`~hyoka.errors.InputError` naming the file (and line) when it cannot be read.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from hyoka.errors import InputError, NoHeaderError, msg, os_reason
from hyoka.normalise.vocabulary import Vocabulary
from hyoka.read.header import HEADER_SCAN_ROWS, find_header
from hyoka.read.noheader import no_header_error
from hyoka.read.raw import RawTable, frame_from_rows, has_header

THREADED_CSV_BYTES = 8 << 20  # below this pyarrow reads on one thread (a table of a few thousand rows)
MAX_COLUMNS = 2_000  # an evaluation table has a few dozen columns (the same limit as hyoka.read.xlsx)
_SJIS_FAMILY = {"shift_jis", "sjis", "cp932", "ms932", "windows_31j", "mskanji", "ms_kanji"}
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # cp932 lead bytes F0–F9: user-defined characters
_CHUNK = 1 << 26  # bytes scanned at a time for line ends (a bool array of this size at most)


def decode_csv_bytes(data: bytes, source: str, html: bool = False) -> tuple[str, str]:
    """Decode CSV bytes strictly, trying in a fixed order: a byte-order mark (UTF-8, UTF-16 LE/BE),
    UTF-8, cp932, then detection (charset-normalizer; a Japanese candidate such as EUC-JP is
    preferred). Returns (text, Python codec name). Nothing is ever replaced or dropped: bytes not
    valid in the chosen encoding raise :class:`~hyoka.errors.InputError` naming the file and the
    line, the character on it and the byte (:func:`_bad_byte`).

    UTF-8 with a few bad bytes is refused at the first of them, not passed on to cp932 or
    detection (which would read it as other characters, mojibake, without a word): the text is
    taken as UTF-8 when it holds at least as many valid UTF-8 characters of three or four bytes
    (U+0800 on: kana, kanji, full-width forms) as bytes that are not UTF-8 (:func:`_mostly_utf8`;
    cp932, EUC-JP, GB18030 and Big5 text has at most one for every four bad bytes, even line by
    line, in the development tables). cp932 comes before detection because short Japanese files
    score as gb18030 or big5 too. A cp932 reading that yields user-defined characters
    (U+E000–U+F8FF, lead bytes F0–F9) is taken as a wrong guess (EUC-JP bytes often pass as cp932
    that way) and detection decides. ``html``: the bytes are a web page's (hyoka.read.html), and
    the errors say to save the page as UTF-8, not as a CSV."""
    enc: str | None
    if data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"  # the codec reads the BOM for the byte order
    else:
        not_utf8: UnicodeDecodeError | None = None
        for candidate in ("utf-8", "cp932"):
            try:
                text = data.decode(candidate)
            except UnicodeDecodeError as exc:
                if candidate == "utf-8":
                    if _mostly_utf8(data):
                        raise _bad_byte(data, exc, "utf-8", source, html) from None
                    not_utf8 = exc
                continue
            if candidate == "cp932" and _PRIVATE_USE.search(text):
                break
            return text, candidate
        from charset_normalizer import from_bytes

        matches = from_bytes(data[:1_000_000])
        # where any candidate is a Japanese encoding, prefer it (offices write cp932 or, rarely, EUC-JP)
        names = [m.encoding.lower().replace("-", "_") for m in matches]
        japanese = [n for n in names if n in _SJIS_FAMILY or n.startswith(("shift_jis", "euc_j", "iso2022_jp"))]
        best = matches.best()
        enc = japanese[0] if japanese else (best.encoding if best is not None else None)
        if enc is None:
            assert not_utf8 is not None  # valid UTF-8 was returned above
            line, char, shown = _place(data, not_utf8, "utf-8")
            key = "html_unknown_encoding" if html else "unknown_encoding"
            raise InputError(msg(key, line=line, char=char, byte=shown), file=source)
        if enc.lower().replace("-", "_").startswith(("shift_jis", "sjis")) or enc.lower() in _SJIS_FAMILY:
            enc = "cp932"  # never strict shift_jis: cp932 adds ①, 髙 and the other Windows characters
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError as exc:
        raise _bad_byte(data, exc, enc, source, html) from None


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as surrogateescape decodes it
_WIDE_UTF8 = re.compile("[\u0800-\ud7ff\ue000-\U0010ffff]")  # a character of three or four UTF-8 bytes


def _mostly_utf8(data: bytes, sample: int = 1 << 20) -> bool:
    """Whether the first ``sample`` bytes of ``data`` (which are not all valid UTF-8) hold at
    least as many UTF-8 characters of three or four bytes as bytes that are not UTF-8, and at
    least one: UTF-8 text with a bad byte, not text in another encoding."""
    text = data[:sample].decode("utf-8", "surrogateescape")
    wide = len(_WIDE_UTF8.findall(text))
    return wide >= 1 and wide >= len(_NOT_UTF8.findall(text))


def _place(data: bytes, exc: UnicodeDecodeError, enc: str) -> tuple[int, int, str]:
    """Where a decoding of ``data`` as ``enc`` failed: (line, 1-based character on that line,
    the bad bytes as ``0xFF`` or ``0xE3 0x81``). The line and character are counted in the text
    before the bad byte, read in ``enc`` (utf-8-sig's place is in the bytes after its BOM; UTF-16
    has two bytes to a line end)."""
    before = exc.object[: exc.start].decode("utf-8" if enc == "utf-8-sig" else enc, "replace")
    line_start = before.rfind("\n") + 1
    shown = " ".join(f"0x{b:02X}" for b in exc.object[exc.start : exc.end])
    return before.count("\n") + 1, len(before) - line_start + 1, shown


def _bad_byte(data: bytes, exc: UnicodeDecodeError, enc: str, source: str, html: bool = False) -> InputError:
    """The error for bytes of ``data`` that ``enc`` cannot decode (``exc``): the file, the line,
    the character on it, the byte(s) and their place in the file (1-based); ``html``: of a web
    page (saying to save the page as UTF-8)."""
    line, char, shown = _place(data, exc, enc)
    start = exc.start + (len(data) - len(exc.object)) + 1
    return InputError(
        msg("html_bad_byte_at" if html else "bad_byte", start=start, char=char, byte=shown, encoding=enc),
        file=source,
        row=line,
    )


def read_csv(path: Path, vocab: Vocabulary, source: str | None = None) -> RawTable:
    source = source or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(msg("cannot_read", reason=os_reason(exc)), file=source) from None
    if not data or data.isspace():  # (bytes.strip() would copy the whole file)
        raise InputError(msg("file_empty"), file=source)
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(msg("nul_bytes"), file=source)
    decoded, enc = decode_csv_bytes(data, source)
    # the text as UTF-8 bytes without a BOM: what pyarrow parses and character columns are counted on
    text: str | None
    raw: bytes | memoryview
    if enc.startswith("utf-8"):
        text = None  # valid UTF-8: pyarrow reads the bytes; the text is decoded again only for pandas' parser
        raw = memoryview(data)[3:] if enc == "utf-8-sig" else data
    else:
        text = decoded
        raw = text.encode("utf-8")
    del decoded
    # comma first; Excel's "Unicode text" export is tab-separated, some locales use ";"
    first_head: pd.DataFrame | None = None  # the first rows of the first grid parsed, for the error
    for sep in (",", "\t", ";"):
        try:
            grid = _grid_pyarrow(raw, sep)
            if grid is None:
                if text is None:
                    text = data.decode(enc)
                try:
                    grid = pd.read_csv(
                        io.StringIO(text),
                        header=None,
                        dtype="string",
                        keep_default_na=False,
                        skip_blank_lines=False,
                        engine="c",
                        sep=sep,
                    )
                except (pd.errors.ParserError, ValueError) as exc:  # a title or blank line above the header
                    _refuse_unclosed_quote(exc, text, sep, source)
                    grid = _grid_records(text, sep, vocab)
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            if sep == ",":
                first_error = msg("csv_unreadable", detail=str(exc).splitlines()[0])
            continue
        grid = grid.fillna("")
        if grid.shape[1] > MAX_COLUMNS:
            raise InputError(msg("too_many_columns", n=grid.shape[1], limit=MAX_COLUMNS), file=source)
        if has_header(grid.head(HEADER_SCAN_ROWS).to_numpy(dtype=object).tolist(), vocab):
            break
        if first_head is None:
            first_head, first_sep = grid.head(HEADER_SCAN_ROWS), sep
    else:
        if "first_error" in locals() or first_head is None:
            raise InputError(locals().get("first_error") or msg("csv_unreadable_plain"), file=source)
        raise _no_header(source, first_head, first_sep, vocab)
    # an odd count of quotes: one may be open at the end (raw is bytes unless the file is UTF-8)
    if (data.count(b'"') if enc.startswith("utf-8") else bytes(raw).count(b'"')) % 2:
        try:
            pd.read_csv(
                io.StringIO(text if text is not None else data.decode(enc)), header=None, dtype="string",
                keep_default_na=False, skip_blank_lines=False, engine="c", sep=sep,
            )  # fmt: skip
        except (pd.errors.ParserError, ValueError) as exc:
            _refuse_unclosed_quote(exc, text if text is not None else data.decode(enc), sep, source)
    del text
    # the physical line each record starts on: records may span lines (quoted newlines)
    spans = np.ones(len(grid), dtype="int64") + sum(cell_stats(grid[c], sep)[3].astype("int64") for c in grid.columns)
    starts = np.cumsum(spans) - spans + 1
    # the header is looked for in the first rows; the body is taken column by column from the grid
    rows = grid.head(HEADER_SCAN_ROWS + 2).to_numpy(dtype=object).tolist()
    if not has_header(rows, vocab):
        raise _no_header(source, grid.head(HEADER_SCAN_ROWS), sep, vocab)
    chars = CharColumns(raw, grid, starts, spans, sep)
    table = frame_from_rows(rows, starts.tolist(), source, "", vocab, grid=grid, chars=chars)
    assert table is not None
    table.delimiter = sep
    del grid, chars, raw, data
    release_memory()
    return table


def _refuse_unclosed_quote(exc: Exception, text: str, sep: str, source: str) -> None:
    """Raise InputError naming the line where a quoted cell opens and never closes (pandas' C
    parser: "EOF inside string starting at row N", N counting records from 0); a lenient reader
    would swallow every later line into that cell without a word. Returns for any other error.
    The line is the record's physical line: the records before it are read again to count the line
    breaks inside their quoted cells (when they cannot be, the record number stands)."""
    found = re.search(r"EOF inside string starting at row (\d+)", str(exc))
    if not found:
        return
    record = int(found.group(1))
    line = record + 1
    try:
        before = pd.read_csv(
            io.StringIO(text), header=None, dtype="string", keep_default_na=False,
            skip_blank_lines=False, engine="c", sep=sep, nrows=record,
        )  # fmt: skip
        line += int(sum(before[c].str.count("\n").sum() for c in before.columns))
    except (pd.errors.ParserError, ValueError):
        pass
    raise InputError(msg("csv_unclosed_quote"), file=source, row=line)


def _no_header(source: str, head: pd.DataFrame, sep: str, vocab: Vocabulary) -> NoHeaderError:
    """The no-header error for a CSV whose first records are ``head`` (their line numbers counted
    from the line breaks inside quoted cells)."""
    spans = np.ones(len(head), dtype="int64")
    for c in head.columns:
        spans += cell_stats(head[c].astype("string").fillna(""), sep)[3].astype("int64")
    starts = (np.cumsum(spans) - spans + 1).tolist()
    rows = head.fillna("").astype(str).to_numpy(dtype=object).tolist()
    return no_header_error(source, [("", rows, starts)], vocab)


def release_memory() -> None:
    """Give the memory Arrow's allocator keeps after freeing (the parsed grid, intermediate
    columns) back to the system, so a large table's peak is not carried through the run."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _grid_pyarrow(raw, sep: str) -> pd.DataFrame | None:
    """The CSV as a frame of text columns (``string`` dtype, no missing values), read by pyarrow's
    multi-threaded reader; None when pyarrow cannot read it as a rectangular table (a blank line,
    a short or long row…), so the caller falls back to pandas' C parser, which pads short rows.
    Cells keep their line breaks (``newlines_in_values``), so line numbers stay right."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first = bytes(raw[:1_000_000])
    if first[: first.find(b"\n")].count(sep.encode()) >= MAX_COLUMNS:
        return None  # far too wide: pyarrow would allocate every column (and abort); the C parser refuses it
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(raw)),
            # threads only where they pay: a failed multi-threaded read can leave a worker that
            # aborts the process at exit ("terminate called without an active exception",
            # apache/arrow#34314), which turned a one-line input error (exit 2) into exit 134
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=len(raw) > THREADED_CSV_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(MAX_COLUMNS + 1)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None
    if table.num_columns > MAX_COLUMNS or table.num_rows == 0:
        return None  # the C parser's path says why
    return pd.DataFrame({i: pd.Series(table.column(i), dtype="string") for i in range(table.num_columns)})


def _grid_records(text: str, sep: str, vocab: Vocabulary) -> pd.DataFrame:
    """The CSV as a frame of text columns (``string`` dtype, no missing values, short records
    padded with ``""``), read record by record with the standard library's reader: for the files
    the C parser refuses because the first line is shorter than the header (a title line, a blank
    line above the header), which the workbook reader reads as they are. Records above the header
    may have any number of fields; a record below it with more fields than the header row(s) is
    refused, as the C parser refuses it (``csv.Error``, naming the record's first line)."""
    records: list[list[str]] = []
    first_lines: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    line = 1
    for record in reader:
        records.append(record)
        first_lines.append(line)
        line = reader.line_num + 1
    header = find_header(records[:HEADER_SCAN_ROWS], vocab)
    if header is not None:
        first, data_start = header.first, header.data_start
        width = max(len(r) for r in records[first:data_start])
        for i in range(data_start, len(records)):
            if len(records[i]) > width:
                raise csv.Error(f"Expected {width} fields in line {first_lines[i]}, saw {len(records[i])}")
    width = max((len(r) for r in records), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in records], dtype="string")


# ---------------------------------------------------------------- character columns


def field_starts(line: str, sep: str = ",") -> list[int]:
    """1-based character columns (code points) at which the fields on a record's first ``line``
    start, in order (a quoted cell that runs on to the next line ends the list)."""
    out, quoted = [1], False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted  # "" inside a quoted cell toggles twice
        elif ch == sep and not quoted:
            out.append(i + 2)
    return out


def cell_stats(column: pd.Series, sep: str) -> tuple[np.ndarray, ...]:
    """Per cell of a text column (Arrow-backed ``string``): characters (code points), bytes
    (UTF-8), quotes, line breaks (int32 each) and whether it holds a separator, quote or line
    break (bool: it must be quoted in a CSV). The special bytes are found by scanning each chunk's
    character buffer with numpy (Arrow's substring kernels are several times slower on long text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = column.array.__arrow_array__()
    arr = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
    n = len(arr)
    nchar = pc.utf8_length(arr).to_numpy().astype(np.int32)
    nbyte = pc.binary_length(arr).to_numpy().astype(np.int32)
    cells, kinds, base = [], [], 0
    wanted = np.array([34, 10, 13, ord(sep)], np.uint8)
    for chunk in arr.chunks:
        if len(chunk):
            wide = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
            offs = np.frombuffer(chunk.buffers()[1], dtype=np.int64 if wide else np.int32)
            offs = offs[chunk.offset : chunk.offset + len(chunk) + 1]
            data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8) if chunk.buffers()[2] else np.zeros(0, np.uint8)
            for lo in range(int(offs[0]), int(offs[-1]), _CHUNK):
                part = data[lo : min(lo + _CHUNK, int(offs[-1]))]
                pos = np.flatnonzero(np.isin(part, wanted)) + lo
                cells.append(np.searchsorted(offs, pos, side="right") - 1 + base)
                kinds.append(data[pos])
        base += len(chunk)
    cell = np.concatenate(cells) if cells else np.zeros(0, np.int64)
    kind = np.concatenate(kinds) if kinds else np.zeros(0, np.uint8)
    quotes = np.bincount(cell[kind == 34], minlength=n).astype(np.int32)
    breaks = np.bincount(cell[kind == 10], minlength=n).astype(np.int32)
    special = np.bincount(cell, minlength=n) > 0
    return nchar, nbyte, quotes, breaks, special


class CharColumns:
    """Character columns of a CSV's cells: ``raw`` (the text as UTF-8 bytes, no BOM), ``grid``
    (the parsed cells, one text column per CSV column), ``starts``/``spans`` (int64 per grid
    row: the line it starts on, 1-based, and how many lines it spans), ``sep``."""

    def __init__(self, raw, grid: pd.DataFrame, starts: np.ndarray, spans: np.ndarray, sep: str):
        self.raw, self.grid, self.starts, self.spans, self.sep = raw, grid, starts, spans, sep
        self._line_starts: np.ndarray | None = None

    def line_starts(self) -> np.ndarray:
        """Byte offset at which each line starts (int64, line L at index L-1), then ``len+1``."""
        if self._line_starts is None:
            buf = np.frombuffer(self.raw, dtype=np.uint8)
            ends = [np.flatnonzero(buf[i : i + _CHUNK] == 10) + i for i in range(0, len(buf), _CHUNK)]
            self._line_starts = np.concatenate(
                [np.zeros(1, np.int64), *(e + 1 for e in ends), np.array([len(buf) + 1], np.int64)]
            )
        return self._line_starts

    def line(self, number: int) -> str:
        """Physical line ``number`` (1-based) as text, without its line end; ``""`` past the end."""
        ls = self.line_starts()
        if not 0 < number < len(ls):
            return ""
        return bytes(self.raw[ls[number - 1] : max(ls[number] - 1, ls[number - 1])]).decode("utf-8").rstrip("\r")

    def at(self, grid_row: int, col: int) -> int:
        """The character column of one cell (0-based grid row and column); 0 when not on its first line."""
        starts = field_starts(self.line(int(self.starts[grid_row])), self.sep)
        return starts[col] if col < len(starts) else 0

    def body(self, columns: dict[str, int], data_start: int) -> dict[str, np.ndarray]:
        """field → int32 character column per grid row from ``data_start`` on, for the fields of
        ``columns`` (field → 0-based column). Whole columns: a record whose byte length equals its
        cells' lengths with the quoting they need (a separator, quote or line break in the cell:
        quoted, quotes doubled), or with every cell quoted, has its columns summed from those
        lengths; any other record is scanned (:func:`field_starts`)."""

        body = self.grid.iloc[data_start:]
        n, width = len(body), body.shape[1]
        at_col: dict[int, list[str]] = {}
        for fld, c in columns.items():
            at_col.setdefault(c, []).append(fld)
        # one pass over the columns, running both readings (quoted as needed / all quoted): the
        # column each field starts at (0 once a line break came before it), and the record's bytes
        off_min, off_all = np.ones(n, np.int32), np.ones(n, np.int32)
        bytes_min = np.full(n, max(width - 1, 0), np.int64)
        bytes_all = bytes_min.copy()
        on_first = np.ones(n, bool)
        found_min: dict[str, np.ndarray] = {}
        found_all: dict[str, np.ndarray] = {}
        for j in range(width):
            for fld in at_col.get(j, ()):
                found_min[fld] = np.where(on_first, off_min, 0).astype(np.int32)
                found_all[fld] = np.where(on_first, off_all, 0).astype(np.int32)
            nchar, nbyte, quotes, breaks, special = cell_stats(body.iloc[:, j], self.sep)
            nl = breaks > 0
            extra = 2 + 2 * quotes  # the surrounding quotes, and each quote doubled
            needed = np.where(special, extra, 0)
            off_min += nchar + needed + 1
            off_all += nchar + extra + 1
            bytes_min += nbyte + needed
            bytes_all += nbyte + extra
            on_first &= ~nl
        ls = self.line_starts()
        first = self.starts[data_start:]
        last = first + self.spans[data_start:] - 1
        begin = ls[np.minimum(first - 1, len(ls) - 1)]
        end = ls[np.minimum(last, len(ls) - 1)] - 1  # the line end of the record's last line
        buf = np.frombuffer(self.raw, dtype=np.uint8)
        cr = (end > begin) & (buf[np.clip(end - 1, 0, max(len(buf) - 1, 0))] == 13) if len(buf) else end > begin
        length = end - begin - cr
        by_min, by_all = length == bytes_min, length == bytes_all
        out = {
            fld: np.where(by_min, found_min[fld], np.where(by_all, found_all[fld], 0)).astype(np.int32)
            for fld in columns
        }
        for i in np.flatnonzero(~(by_min | by_all)):  # records quoted otherwise (or ragged): scan the first line
            starts = field_starts(self.line(int(first[i])), self.sep)
            for fld, c in columns.items():
                out[fld][i] = starts[c] if c < len(starts) else 0
        return out
