"""The error for a table whose header cannot be found: which row came closest, how each of its
cells was read, and where to look next (``hyoka inspect``, a mapping file).

:func:`no_header_error` builds one :class:`~hyoka.errors.NoHeaderError` (one line) from the first
rows of each sheet (or of the CSV).
"""

from __future__ import annotations

import shlex

from hyoka.errors import Message, NoHeaderError, msg
from hyoka.normalise.vocabulary import Vocabulary
from hyoka.read.header import HEADER_SCAN_ROWS, MIN_HEADER_FIELDS, best_candidate

#: cells of the closest row named in the message (the rest are counted)
MESSAGE_CELLS = 8
_CELL_CHARS = 24


def _short(text: str) -> str:
    one = "⏎".join(line.strip() for line in str(text).strip().splitlines())
    return one if len(one) <= _CELL_CHARS else one[: _CELL_CHARS - 1] + "…"


def no_header_error(
    source: str, sheets: list[tuple[str, list[list[str]], list[int]]], vocab: Vocabulary, tables: bool = False
) -> NoHeaderError:
    """The error for ``source`` (the file name as given) where no sheet has a header. ``sheets``:
    (sheet name, ``""`` for a CSV; its first rows as lists of cell text; each row's number).
    ``tables``: the sheets are a web page's tables (hyoka.read.html), and the message says so."""
    closest = None
    best = -1
    shown: list[tuple[str, list[tuple[int, list[str]]]]] = []
    for sheet, rows, numbers in sheets:
        rows = [[str(v) if v is not None else "" for v in r] for r in rows[:HEADER_SCAN_ROWS]]
        shown.append((sheet, list(zip(numbers, rows))))
        found = best_candidate(rows, vocab)
        if found is None:
            continue
        r, cells = found
        named = sum(1 for _, _, f in cells if f and f != "ignore")
        if named > best:
            best = named
            closest = (sheet, numbers[r], [(c + 1, t, f) for c, t, f in cells])
    near: Message | str = ""
    if closest is not None:
        sheet, number, cells = closest
        parts = ", ".join(f"{_short(t)} → {f or '?'}" for _, t, f in cells[:MESSAGE_CELLS])
        more = msg("no_header_more", n=len(cells) - MESSAGE_CELLS) if len(cells) > MESSAGE_CELLS else ""
        at_sheet = "no_header_at_table" if tables else "no_header_at_sheet"
        at = msg(at_sheet, sheet=sheet, row=number) if sheet else msg("no_header_at", row=number)
        near = msg("no_header_closest", at=at, cells=parts, more=more)
    key = "no_header_tables" if tables and len(sheets) > 1 else "no_header" if len(sheets) <= 1 else "no_header_sheets"
    message = msg(key, n=MIN_HEADER_FIELDS, closest=near, file=shlex.quote(source))
    return NoHeaderError(message, file=source, sheets=shown, closest=closest)
