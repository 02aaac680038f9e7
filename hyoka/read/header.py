"""Finding the header of a sheet or CSV and what each of its columns holds.

A header is one to three rows within the first :data:`HEADER_SCAN_ROWS` rows. Each column's header
text is read into a :class:`ColumnRead`: the canonical field it names (rules/columns.yaml), the
fiscal year and unit written in it (``基準値（R3)``, ``現状値[km]``, ``平成14年実績``), and, for wide
tables, the block it belongs to (``前期実施計画 事業費`` → target of the block 事業費;
``成果指標\\nサ：名称`` → the indicator name of block サ). Group headers over sub-headers
(``目標指標`` over ``指標名`` / ``基準値``) are joined: the lowest cell that names a field wins.

Sources of the wordings: docs/glossary.md#columns-of-a-row, the development tables in
``../shared/real`` (SOURCES.md there) and common practice in 行政評価 sheets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hyoka.normalise.measures import VALUE, fiscal_year_of
from hyoka.normalise.vocabulary import VALUE_FIELDS, Vocabulary, header_key, nfkc

HEADER_SCAN_ROWS = 30
#: a header names at least this many distinct fields, or an indicator and two values
MIN_HEADER_FIELDS = 3
MAX_HEADER_ROWS = 3

#: a header that is a fiscal year and nothing else (R2, 令和2年度, H30年度末, 2020, FY2020)
_BARE_YEAR = re.compile(r"^(?:(?:R|令和|H|平成|S|昭和)(?:\d{1,2}|元)|(?:FY)?\d{4})(?:年度|年)?(?:末|当初)?$", re.I)
#: a year written before or after a field word: 平成14年実績, R5実績, H22の目標値, 実績値R5年度末
_YEAR_PART = (
    r"(?:(?:R|令和|H|平成|S|昭和)(?:\d{1,2}|元)|(?:FY)?\d{4})(?:[-~〜～]\d{1,4})?(?:年度|年)?(?:末|当初|時点|現在)?"
)
_YEAR_PREFIX = re.compile(rf"^(?P<year>{_YEAR_PART})の?(?P<rest>.+)$", re.I)
_YEAR_SUFFIX = re.compile(rf"^(?P<rest>.+?)の?(?P<year>{_YEAR_PART})$", re.I)
#: words in brackets that describe how a value cell is written, not what it is
_DESCRIPTORS = re.compile(r"^(?:年度|年|期限|時点|年月|年月日|単位|目標年度|基準年度|年度末|達成年度|数値|値|実績)$")
_BRACKETS = re.compile(r"[(\[【〔<＜《]([^()\[\]【】〔〕<>＜＞《》]*)[)\]】〕>＞》]")
_LEAD_MARK = re.compile(r"^\s*(?:[(（]\s*\d+\s*[)）]|[①-⑳⑴-⒇]|\d+[\s.．、)）]|[ア-ン][\s.．、)）])\s*")
_LETTER_LABEL = re.compile(r"^[A-Za-zＡ-Ｚａ-ｚ](?:/[A-Za-z])?$|^[ア-ン]$")
_FORMULA_LABEL = re.compile(r"^(?:[(（][A-Za-z][)）]\s*[/÷]?\s*)+$")
#: words that name the parts of an indicator block (成果指標 サ：名称 / サ：単位)
_PART_WORDS = {"名称": "indicator", "指標名": "indicator", "単位": "unit"}


@dataclass(frozen=True)
class ColumnRead:
    """What one header column was read as. ``field`` is a canonical field, ``unit`` (a column of
    units), ``series`` (a value of a block whose role the header does not say) or None; ``year``
    and ``unit`` the labels written in the header; ``block`` the indicator block (a name or a
    letter) for wide tables; ``row`` the grid row (0-based) of the cell that named the field."""

    field: str | None
    year: str | None = None
    unit: str | None = None
    block: str | None = None
    row: int = 0


def _strip_brackets(key: str, vocab: Vocabulary) -> tuple[str, str | None, str | None]:
    """Take bracketed parts off a header key: a fiscal year, a unit, a descriptor or a letter
    label (A) are removed and the year and unit returned; other bracketed text stays."""
    year = unit = None

    def repl(m: re.Match[str]) -> str:
        nonlocal year, unit
        inner = m.group(1)
        if not inner:
            return ""
        if fiscal_year_of(nfkc(inner))[1] == VALUE:  # the one year grammar (hyoka.normalise.measures)
            year = inner
            return ""
        spelled = nfkc(inner).strip()
        if spelled in vocab.unit_aliases or spelled.lower() in vocab.unit_aliases:  # 【m²】, (ｋｍ), (KM)
            unit = inner
            return ""
        if _DESCRIPTORS.match(inner) or _LETTER_LABEL.match(inner) or inner.startswith(("注", "※")):
            return ""
        if len(inner) > 8:  # an explanation: 成果指標（対象における意図の達成度を表す指標）
            return ""
        return m.group(0)

    out = _BRACKETS.sub(repl, key)
    return out, year, unit


def _lookup(key: str, vocab: Vocabulary) -> tuple[str, str | None] | None:
    """The field a (bracket-free) header key names, with a year written before or after it."""
    key = key.strip("・:：")
    if not key:
        return None
    fld = vocab.aliases.get(key)
    if fld is not None:
        return fld, None
    for pattern in (_YEAR_PREFIX, _YEAR_SUFFIX):
        m = pattern.match(key)
        if m and (fld := vocab.aliases.get(m.group("rest").strip("・:："))) is not None:
            return fld, m.group("year")
    for alias in vocab.aliases_by_length():
        if key.startswith(alias) and re.fullmatch(r"[\d~\-・,、./()\[\]①-⑳]*", key[len(alias) :]):
            return vocab.aliases[alias], None
    for suffix, fld in vocab.role_suffixes:
        if key.endswith(suffix) and len(key) > len(suffix):
            return fld, None
    return None


def match_header(text: str, vocab: Vocabulary) -> tuple[str, str | None] | None:
    """The canonical field a header cell names, and the year label written in it, or None.

    ``基準値（R3)`` → ``("baseline", "R3")``; ``協働の相手\\n①～⑦`` → ``("partners", None)``;
    ``平成14年実績`` → ``("current", "平成14年")``."""
    read = read_header(text, vocab)
    if read is None or read.field in (None, "ignore", "unit", "series"):
        return None
    return read.field, read.year


#: a header cell is a few words; a longer cell is data or a note, never read as a header
MAX_HEADER_CHARS = 160


def read_header(text: str, vocab: Vocabulary, row: int = 0) -> ColumnRead | None:
    """Read one header text (possibly several lines or a group and a sub-header joined by a
    newline): the field, year, unit and block it names, or None when it names nothing. Each
    distinct text is read once per vocabulary (a cache on it)."""
    text = str(text)
    if len(text) > MAX_HEADER_CHARS:
        return None
    cache = vocab.header_cache
    if text not in cache:
        cache[text] = _read_header(text, vocab)
    found = cache[text]
    if found is None or found.row == row:
        return found
    return ColumnRead(found.field, found.year, found.unit, found.block, row)


def _read_header(text: str, vocab: Vocabulary, row: int = 0) -> ColumnRead | None:
    whole = _read_part(text, vocab)
    if whole is not None and whole[0] is not None:
        fld, year, unit = whole
        return ColumnRead(fld, year, unit, None, row)
    # several lines or words: one names the field, another the block (事業費, サ) or its part
    parts = [p for line in str(text).splitlines() for p in _split_words(line)]
    if len(parts) < 2:
        return None
    reads = [_read_part(p, vocab) for p in parts]
    named = [(i, r) for i, r in enumerate(reads) if r is not None and r[0] is not None]
    rest = [
        header_key(p)
        for p, r in zip(parts, reads)
        if r is None and not _FORMULA_LABEL.match(header_key(p)) and _strip_lead(p)
    ]
    years = [r[1] for r in reads if r is not None and r[1]]
    units = [r[2] for r in reads if r is not None and r[2]]
    if not named:
        return None
    fields = [r[0] for _, r in named]
    year = years[0] if years else None
    unit = units[0] if units else None
    if set(fields) <= {"indicator", "unit"} and rest:
        # 成果指標 / サ：名称 → block サ's name; 成果指標 / サ：単位 → its unit; 成果指標 / サ → a value
        block, part = _block_part(rest)
        if "unit" in fields:
            part = "unit"
        return ColumnRead(part or "series", year, unit, block, row)
    value_fields = [f for f in fields if f in VALUE_FIELDS or f == "rate"]
    if len(value_fields) == 1 and len(set(fields)) == 1:
        return ColumnRead(value_fields[0], year, unit, rest[-1] if rest else None, row)
    if len(set(fields)) == 1:
        return ColumnRead(fields[0], year, unit, None, row)
    return None


def _strip_lead(text: str) -> str:
    """A header text without its leading ordinal mark (⑦, (1), ４␣), taken off before NFKC (which
    turns ⑦ into 7) and after."""
    return _LEAD_MARK.sub("", nfkc(_LEAD_MARK.sub("", str(text)))).strip()


def _split_words(line: str) -> list[str]:
    """A header line split into words (whitespace) and a ``サ：名称`` pair into its two parts."""
    words: list[str] = []
    for w in _strip_lead(line).split():
        words.extend(x for x in re.split(r"[:：]", w) if x)
    return words


def _block_part(rest: list[str]) -> tuple[str, str | None]:
    """From the words left after a block's field word: the block key and the part named."""
    part = next((_PART_WORDS[w] for w in rest if w in _PART_WORDS), None)
    block = next((w for w in rest if w not in _PART_WORDS), "")
    return block, part


_YEAR_RANGE = re.compile(r"^(?P<era>[^\d]*)(?P<start>\d{1,4})[-~〜～](?P<end>\d{1,4})(?P<rest>.*)$")


def _range_end(year: str | None) -> str | None:
    """A period written as a year label (H23-27, 2019~2023年度) is dated by its last year (H27)."""
    m = _YEAR_RANGE.match(year) if year else None
    return f"{m.group('era')}{m.group('end')}{m.group('rest')}" if m else year


def _read_part(text: str, vocab: Vocabulary) -> tuple[str | None, str | None, str | None] | None:
    """(field or None, year, unit) of one header text; None when nothing in it is known."""
    key = header_key(text)
    if not key:
        return None
    if (fld := vocab.aliases.get(key)) is not None:
        return fld, None, None
    key = header_key(_strip_lead(text))
    if _BARE_YEAR.match(key) and (not key.isdigit() or 1950 <= int(key) <= 2100):
        return "series", _range_end(key), None  # a bare year (R2, 令和2年度, 2020年度): a value of that year
    key, year, unit = _strip_brackets(key, vocab)
    hit = _lookup(key, vocab)
    if hit is None:
        if year or unit:
            return None, year, unit
        return None
    fld, year2 = hit
    return fld, _range_end(year or year2), unit


def _compose(rows: list[list[str]], first: int, count: int, width: int) -> list[list[str]]:
    """The header cells of rows ``first``…``first+count-1`` per column, upper rows carried to the
    right over the empty cells of a group header (a CSV or PDF writes a group once)."""
    out: list[list[str]] = [[] for _ in range(width)]
    for r in range(first, first + count):
        row = rows[r]
        carry = ""
        for c in range(width):
            text = str(row[c]).strip() if c < len(row) and row[c] is not None else ""
            if text:
                carry = text
            elif r < first + count - 1 and carry:
                below = rows[r + 1][c] if c < len(rows[r + 1]) else ""
                text = carry if str(below).strip() else ""
            out[c].append(text)
    return out


@dataclass
class Header:
    """The header found: grid rows ``first``…``data_start-1``; ``columns``: 0-based column →
    :class:`ColumnRead` for every column that names something; ``texts``: 0-based column → its
    header text as published (the rows joined by a newline)."""

    first: int
    data_start: int
    columns: dict[int, ColumnRead]
    texts: dict[int, str]

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns.values() if c.field}


def _read_columns(cells: list[list[str]], first: int, vocab: Vocabulary) -> dict[int, ColumnRead]:
    """Each column's field: the lowest header cell that names one, else the cells joined."""
    out = {}
    for c, stack in enumerate(cells):
        found = None
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] and (found := read_header(stack[i], vocab, first + i)) is not None and found.field:
                break
            found = None
        if found is None:
            joined = "\n".join(dict.fromkeys(t for t in stack if t))
            if joined:
                found = read_header(joined, vocab, first + len(stack) - 1)
        if found is None or found.field is None:
            continue
        # a group cell above may give the block (前期実施計画 over 事業費) or the year
        out[c] = found
    return out


def _score(columns: dict[int, ColumnRead]) -> tuple[int, bool]:
    """(number of distinct fields named, whether the fields that matter are there: an indicator
    or a block, and two of baseline / target / current)."""
    fields = {c.field for c in columns.values() if c.field not in (None, "ignore", "series", "unit")}
    values = fields & set(VALUE_FIELDS)
    named = "indicator" in fields or any(c.block for c in columns.values())
    series = sum(1 for c in columns.values() if c.field == "series")
    return len(fields), (named and (len(values) >= 2 or series >= 2))


def find_header(rows: list[list[str]], vocab: Vocabulary) -> Header | None:
    """The header of a grid (its first rows as lists of text): the row or rows (up to three) whose
    cells name the most fields, at least :data:`MIN_HEADER_FIELDS` or the ones that matter. None
    when no row qualifies (see :func:`best_candidate` for the error message)."""
    width = max((len(r) for r in rows[: HEADER_SCAN_ROWS + MAX_HEADER_ROWS]), default=0)
    best: tuple[tuple[int, int], Header] | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        if not any(str(v).strip() for v in rows[r]):
            continue
        previous = -1
        for count in range(1, MAX_HEADER_ROWS + 1):
            if r + count > len(rows):
                break
            cells = _compose(rows, r, count, width)
            columns = _read_columns(cells, r, vocab)
            n, key = _score(columns)
            if count > 1 and n <= previous:
                break  # a lower row that names nothing new is data
            previous = n
            if n >= MIN_HEADER_FIELDS or key:
                # a header row is text, not numbers: a lower row that is mostly numbers is data
                if count > 1 and _numeric_share(rows[r + count - 1]) > 0.3:
                    break
                rank = (n, -count)
                if best is None or rank > best[0]:
                    texts = {c: "\n".join(dict.fromkeys(t for t in stack if t)) for c, stack in enumerate(cells)}
                    best = (rank, Header(r, r + count, columns, texts))
        if best is not None and best[1].first < r and r > best[1].data_start + 2:
            break
    return best[1] if best else None


def _numeric_share(row: list[str]) -> float:
    cells = [str(v).strip() for v in row if str(v).strip()]
    if not cells:
        return 0.0
    return sum(1 for v in cells if re.fullmatch(r"[-+▲△]?[\d,.]+%?", nfkc(v))) / len(cells)


def best_candidate(rows: list[list[str]], vocab: Vocabulary) -> tuple[int, list[tuple[int, str, str | None]]] | None:
    """For the no-header error: the grid row (0-based) within the first rows whose cells name the
    most fields, with each non-empty cell as (0-based column, text, field read or None)."""
    best = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [(c, str(v).strip(), read_header(str(v), vocab)) for c, v in enumerate(row) if str(v).strip()]
        n = sum(1 for _, _, m in cells if m is not None and m.field)
        if cells and (best is None or n > best[0]):
            best = (n, r, [(c, t, m.field if m else None) for c, t, m in cells])
    return (best[1], best[2]) if best else None


def find_unmapped(
    rows, first: int, data_start: int, row_numbers: list[int], mapped: set[int], vocab: Vocabulary
) -> list[tuple[int, int, str, str]]:
    """Header cells that no alias matched but that contain one (基準値（令和3年度実績）, 評価欄):
    reported, so a column is never dropped silently. Each as (row number of the header row as in
    ``row_numbers``, 0-based column, the header text, the field it resembles), first seen first."""
    out = []
    aliases = sorted(
        # two-character words (事業, 計画, 担当) are inside too many other headers: only 評価 is meant
        (a for a, f in vocab.aliases.items() if (len(a) >= 3 or a == "評価") and not a.isascii() and f != "ignore"),
        key=len,
        reverse=True,
    )
    ignored = {a for a, f in vocab.aliases.items() if f == "ignore"}
    for r in range(first, data_start):
        for c, text in enumerate(rows[r]):
            if c in mapped or not text:
                continue
            key = header_key(text)
            if key in ignored:
                continue
            hit = next((a for a in aliases if a in key), None)
            if hit and not re.match(r"^[(（]?\d+[)）]", key):  # (１)令和5年度実施状況 is a group title
                out.append((row_numbers[r], c, text, vocab.aliases[hit]))
    return list(dict.fromkeys(out))
