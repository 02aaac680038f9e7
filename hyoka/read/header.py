"""Finding the header row of a sheet or CSV: which column names which canonical field.

Header rows are found by matching the aliases in rules/columns.yaml within the first
:data:`HEADER_SCAN_ROWS` rows; a second header row below the first is merged into it (two-row
headers). Year labels written in value headers (``基準値（R3)``) are returned with the field.
"""

from __future__ import annotations

import re

from hyoka.normalise.measures import YEAR_RE
from hyoka.normalise.vocabulary import Vocabulary, header_key, nfkc

HEADER_SCAN_ROWS = 30
MIN_HEADER_FIELDS = 3
_YEAR_LABEL = re.compile(r"^(?P<name>.*?)\((?P<label>[^()]*)\)$")
_ALIAS_TAIL = re.compile(r"^[\d~\-・,、.()\[\]]*$")


def match_header(text: str, vocab: Vocabulary) -> tuple[str, str | None] | None:
    """The canonical field a header cell names, and the year label written in it, or None.

    ``基準値（R3)`` → ``("baseline", "R3")``; ``協働の相手\\n①～⑦`` → ``("partners", None)``.
    """
    key = header_key(text)
    if not key:
        return None
    label = None
    m = _YEAR_LABEL.match(key)
    if m and m.group("name") and _looks_like_year(m.group("label")):
        key, label = m.group("name"), m.group("label")
    fld = vocab.aliases.get(key)
    if fld is None:
        for alias in sorted(vocab.aliases, key=len, reverse=True):
            if key.startswith(alias) and _ALIAS_TAIL.match(key[len(alias) :]):
                fld = vocab.aliases[alias]
                break
    if fld is None or fld == "ignore":
        return None
    return fld, label


def _looks_like_year(label: str) -> bool:
    """A header's parenthesised label is a fiscal year (R3, H30, 令和9年度, 2021年度…). One regex
    match, not a pandas call: this runs for every header cell of every sheet."""
    return YEAR_RE.match(nfkc(label).strip()) is not None


def find_header(
    rows: list[list[str]], vocab: Vocabulary
) -> tuple[int, int, dict[int, tuple[str, str | None, int]]] | None:
    """Return (first header row index, first data row index, column index → (field, year label,
    index of the header row that named it))."""
    best: tuple[int, int] | None = None
    matches: list[dict[int, tuple[str, str | None]]] = []
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {c: m for c, v in enumerate(row) if v and (m := match_header(v, vocab))}
        matches.append(found)
        score = len({f for f, _ in found.values()})
        if score >= MIN_HEADER_FIELDS and (best is None or score > best[1]):
            best = (r, score)
    if best is None:
        return None
    r = best[0]
    columns = {c: (f, label, r) for c, (f, label) in matches[r].items()}
    data_start = r + 1
    if r + 1 < len(matches) and matches[r + 1]:
        # two-row header: the lower row names the columns under a grouping row
        columns.update({c: (f, label, r + 1) for c, (f, label) in matches[r + 1].items()})
        data_start = r + 2
    return r, data_start, columns


def find_unmapped(
    rows, first: int, data_start: int, row_numbers: list[int], mapped: set[int], vocab: Vocabulary
) -> list[tuple[int, int, str, str]]:
    """Header cells that no alias matched but that contain one (基準値（令和3年度実績）, 評価欄):
    reported, so a column is never dropped silently. Each as (row number of the header row as in
    ``row_numbers``, 0-based column, the header text, the field it resembles), first seen first."""
    out = []
    aliases = sorted((a for a in vocab.aliases if len(a) >= 2 and not a.isascii()), key=len, reverse=True)
    for r in range(first, data_start):
        for c, text in enumerate(rows[r]):
            if c in mapped or not text:
                continue
            key = header_key(text)
            hit = next((a for a in aliases if a in key), None)
            if hit and not re.match(r"^[(（]?\d+[)）]", key):  # (１)令和5年度実施状況 is a group title
                out.append((row_numbers[r], c, text, vocab.aliases[hit]))
    return list(dict.fromkeys(out))
