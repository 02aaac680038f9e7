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

from hyoka.normalise.vocabulary import nfkc_series

#: label texts (NFKC, whitespace removed, case folded) that mark a total or subtotal row
TOTAL_WORDS = ("合計", "小計", "計", "総計", "総合計", "中計", "全体", "total", "subtotal", "grandtotal", "総数")
NOTE_MARKS = ("※", "注", "(注", "(※", "*", "備考:", "出典", "資料:", "(資料")
#: fields that carry down from the row above when a row continues its project
CARRIED = ("project", "department", "grade", "effect")
#: why a row is not a project; ``no_values`` is the long format's row without a value kind
#: (hyoka.read.longform); the words shown are reports/strings.yaml ``skip_<reason>``
SKIP_REASONS = ("total", "note", "heading", "header", "continuation", "no_values", "blank")


def _key(s: pd.Series) -> pd.Series:
    """Whitespace removed, lower case, and NFKC for the short cells (a total word, a header; a
    long text is never one): the form label cells are compared in."""
    s = s.astype("string").fillna("").str.replace(r"\s+", "", regex=True)
    short = (s.str.len() <= 40).to_numpy(bool) & (s != "").to_numpy(bool)
    if short.any():
        s = s.copy()
        s[short] = nfkc_series(s[short])
    return s.str.lower()


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
    Raises nothing; an empty body gives an empty Series."""
    n = len(labels[0]) if labels else (len(values[0]) if values else 0)
    index = labels[0].index if labels else (values[0].index if values else pd.RangeIndex(0))
    keys = [_key(s) for s in labels]
    filled = [(k != "").to_numpy(bool) for k in keys]
    value_filled = (
        np.logical_or.reduce([(_key(v) != "").to_numpy(bool) for v in values]) if values else np.zeros(n, bool)
    )
    n_text = np.sum(filled, axis=0) if filled else np.zeros(n, int)
    reason = np.full(n, "", dtype=object)
    blank = (n_text == 0) & ~value_filled
    reason[blank] = "blank"
    # total: any label cell is a total word (計, 合計（一般会計）)
    pattern = r"^(?:" + "|".join(TOTAL_WORDS) + r")(?:[(（].*)?$"
    total = np.logical_or.reduce([k.str.contains(pattern, regex=True).to_numpy(bool) for k in keys]) if keys else None
    if total is not None:
        reason[(reason == "") & total] = "total"
    # the first non-empty label cell
    first = pd.Series("", index=index, dtype="string")
    for k in reversed(keys):
        first = first.where(k == "", k)
    note = first.str.startswith(NOTE_MARKS).to_numpy(bool) & ~value_filled
    reason[(reason == "") & note] = "note"
    if filled:
        heading = filled[0] & (n_text == 1) & ~value_filled
        reason[(reason == "") & heading] = "heading"
    if names:
        unnamed = ~np.logical_or.reduce([(_key(v) != "").to_numpy(bool) for v in names])
        reason[(reason == "") & unnamed & ~value_filled & (n_text > 0)] = "continuation"
    if header_keys:
        same = np.sum([(_key(s) == h).to_numpy(bool) for s, h in header_keys if h], axis=0)
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
