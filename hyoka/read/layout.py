"""The rows of a table that are not projects, and cells written once for several rows.

Published tables mix project rows with rows that are not projects; checked as projects they get
false findings (a 合計 row without a department, a heading without values). Each body row is
classified on whole columns (no per-row Python):

- ``total``: a label cell reads 合計, 小計, 計, 総計 … (a subtotal of the rows above);
- ``note``: the first label cell starts with ※, 注, (注 or * and no value is given;
- ``heading``: a section or group heading: the row's only text is in its first label column
  (第1分野…, (1)大気環境の保全, a group name over its sub-rows) and no value is given;
- ``header``: the header repeated at a page break (two or more cells equal their header);
- ``continuation``: a row that names nothing (no item, project or indicator) and gives no value,
  only text continuing the cells of the row above (a long cell split at a page break);
- ``blank``: nothing at all (spacer rows; dropped without being listed).

Continuation rows (rowspan written once, as every table copied from HTML or PDF has it): the
item carries down into the rows below it until the next item, and a row without item and
project continues the project above: its project, department and effect are the ones above.
Sources: ../shared/real/published/SOURCES.md (conventions), and the layouts of 事務事業評価
sheets and white-paper tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hyoka.normalise.measures import on_distinct
from hyoka.normalise.vocabulary import nfkc_series

#: label texts (NFKC, whitespace removed, case folded) that mark a total or subtotal row
TOTAL_WORDS = ("合計", "小計", "計", "総計", "総合計", "中計", "全体", "total", "subtotal", "grandtotal", "総数")
NOTE_MARKS = (
    "※",
    "注",
    "(注",
    "（注",
    "(※",
    "（※",
    "*",
    "＊",
    "備考:",
    "備考：",
    "出典",
    "資料:",
    "資料：",
    "(資料",
    "（資料",
)
#: fields that carry down from the row above when a row continues its project
CARRIED = ("project", "department", "grade", "effect")
#: why a row is not a project; ``no_values`` is the long format's row without a value kind
#: (hyoka.read.longform); the words shown are reports/strings.yaml ``skip_<reason>``
#: a cell that may be a total holds one of these (checked before any key is computed)
_TOTAL_CHARS = "計|[Tt][Oo][Tt][Aa][Ll]|ＴＯＴＡＬ|ｔｏｔａｌ|全体|総数"
SKIP_REASONS = ("total", "note", "heading", "header", "continuation", "no_values", "blank")


#: Python's whitespace characters as a class of literals, so Arrow (RE2) strips them on the whole
#: column (``\\s`` would send every cell through Python's re)
_SPACE = "[" + "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "]+"


def _filled(s: pd.Series) -> np.ndarray:
    """Whether each cell holds anything but whitespace (bool per row; Arrow, no Python per cell)."""
    return (s.astype("string").fillna("").str.strip() != "").to_numpy(bool)  # Arrow trims Unicode spaces


def _short_keys(s: pd.Series, limit: int) -> pd.Series:
    """The comparison key (:func:`hyoka.normalise.text.text_key`: NFKC, whitespace removed, case
    folded, here on whole columns through Arrow) of the cells at most ``limit``
    characters long, ``""`` for the others: a total word or a header is short, so a long text is
    never compared. The key is computed once per distinct short text."""
    s = s.astype("string").fillna("")
    short = (s.str.len() <= limit).to_numpy(bool) & (s != "").to_numpy(bool)
    out = pd.Series("", index=s.index, dtype="string")
    if short.any():
        cells = s[short]
        out[short] = on_distinct(
            cells, lambda u: nfkc_series(u.str.replace(_SPACE, "", regex=True)).str.replace(_SPACE, "", regex=True)
        ).str.casefold()
    return out


def classify_rows(
    labels: list[pd.Series],
    values: list[pd.Series],
    header_keys: list[tuple[pd.Series, str]],
    names: list[pd.Series] | None = None,
) -> pd.Series:
    """The reason each body row is not a project (:data:`SKIP_REASONS`), ``""`` for a data row.

    ``labels``: the text columns left to right (mapped or not; the first is the leftmost), each
    a string Series over the body rows; ``values``: the value columns (baseline, target, current,
    rate, series); ``header_keys``: (column, its header text) pairs for the repeated-header test;
    ``names``: the columns that name a row (item, project, indicator): a row with none of them,
    no value and some text only continues the cells of the row above (``continuation``).
    Whole columns; keys only for short cells, once per distinct text. Raises nothing; an empty
    body gives an empty Series."""
    n = len(labels[0]) if labels else (len(values[0]) if values else 0)
    index = labels[0].index if labels else (values[0].index if values else pd.RangeIndex(0))
    filled = [_filled(s) for s in labels]
    value_filled = np.logical_or.reduce([_filled(v) for v in values]) if values else np.zeros(n, bool)
    n_text = np.sum(filled, axis=0) if filled else np.zeros(n, int)
    reason = np.full(n, "", dtype=object)
    blank = (n_text == 0) & ~value_filled
    reason[blank] = "blank"
    # total: any label cell is a total word (計, 合計（一般会計）)
    pattern = r"^(?:" + "|".join(TOTAL_WORDS) + r")(?:[(（].*)?$"
    for col in labels:
        # only cells with a total's characters are keyed (Arrow filters; NFKC keeps 計 as it is)
        col = col.astype("string").fillna("")
        maybe = (col.str.len() <= 24).to_numpy(bool)  # a total is a short cell: long texts are not searched
        if maybe.any():
            maybe[maybe] = col[maybe].str.contains(_TOTAL_CHARS, regex=True).to_numpy(bool)
        if maybe.any():
            hit = np.zeros(n, bool)
            hit[maybe] = _short_keys(col[maybe], 24).str.contains(pattern, regex=True).to_numpy(bool)
            reason[(reason == "") & hit] = "total"
    # the first non-empty label cell of the rows without values, as written (note marks are
    # compared in both widths)
    quiet = np.flatnonzero(~value_filled & (n_text > 0))
    if len(quiet):
        first = pd.Series("", index=range(len(quiet)), dtype="string")
        for col, f in zip(reversed(labels), reversed(filled)):
            cells = col.astype("string").fillna("").iloc[quiet].str.strip().reset_index(drop=True)
            first = first.where(~f[quiet], cells)
        note = np.zeros(n, bool)
        note[quiet] = first.str.startswith(NOTE_MARKS).to_numpy(bool)
        reason[(reason == "") & note] = "note"
    if filled:
        heading = filled[0] & (n_text == 1) & ~value_filled
        reason[(reason == "") & heading] = "heading"
    if names:
        unnamed = ~np.logical_or.reduce([_filled(v) for v in names])
        reason[(reason == "") & unnamed & ~value_filled & (n_text > 0)] = "continuation"
    if header_keys:
        # a header repeated at a page break is a copy of it: its cells equal the header's text
        # with whitespace removed; NFKC only for the few cells of that length
        same = np.zeros(n, int)
        for col, h in header_keys:
            if not h:
                continue
            col = col.astype("string").fillna("")
            # whitespace only lengthens a cell: cells shorter than the header or far longer are not it
            length = col.str.len().to_numpy()
            near = (length >= len(h)) & (length <= 3 * len(h) + 4)
            if near.any():
                near[near] = (col[near].str.replace(_SPACE, "", regex=True).str.len() == len(h)).to_numpy(bool)
            if near.any():
                hit = np.zeros(n, bool)
                hit[near] = (_short_keys(col[near], len(h)) == h).to_numpy(bool)
                same += hit
        reason[(reason == "") & (same >= 2)] = "header"
    return pd.Series(reason, index=index, dtype="string").fillna("")


def carry_down(fields: dict[str, pd.Series]) -> dict[str, np.ndarray]:
    """Fill the cells a rowspan left empty, in place of ``fields`` (field → string Series over
    the data rows, in order). Returns, per field filled, which rows were filled (bool), so the
    place of those cells can point at the row that holds the text."""
    filled: dict[str, np.ndarray] = {}
    if "item" in fields:
        s = fields["item"].astype("string").fillna("")
        empty = (s.str.strip() == "").to_numpy(bool)
        fields["item"] = s.mask(empty).ffill().fillna("").astype("string")
        filled["item"] = empty & (fields["item"] != "").to_numpy(bool)
    if "project" in fields:
        proj = fields["project"].astype("string").fillna("")
        cont = (proj.str.strip() == "").to_numpy(bool)
        if "item" in filled:  # a row with its own item starts a new group, not a continuation
            cont &= filled["item"] | (fields["item"] == "").to_numpy(bool)
        # the project a continuation row belongs to: the last row above that names one
        owner = pd.Series(np.where(cont, np.nan, np.arange(len(proj))), index=proj.index).ffill()
        ok = cont & owner.notna().to_numpy(bool)
        at = owner.fillna(0).to_numpy(np.int64)
        for fld in CARRIED:
            if fld not in fields:
                continue
            s = fields[fld].astype("string").fillna("")
            empty = (s.str.strip() == "").to_numpy(bool) & ok
            if empty.any():
                arr = s.to_numpy(dtype=object).copy()
                arr[empty] = arr[at[empty]]
                fields[fld] = pd.Series(arr, index=s.index, dtype="string")
                filled[fld] = empty & (fields[fld] != "").to_numpy(bool)
    return filled
