"""Names across rows: whether a row names its indicator, and one department written several ways.

``derive_names(out, vocab)`` (called by hyoka.normalise.derive) adds, on whole columns (Python
loops only over distinct names, never over rows):

- ``indicator_state`` (str): ``named``; ``blank`` (no name); ``none`` (the name says there is none:
  rules/vocabulary.yaml ``no_indicator``, 鳥取県's ``測定指標なし``); ``placeholder`` (the name is a
  missing marker or a bare number: 大船渡市's ``0`` in a 名称 cell, SOURCES.md I-14);
- ``has_values`` (bool): a value (baseline, target, current) or a yearly value (hyoka.normalise.series)
  is written, anything but empty or a missing marker (a 0 counts: 大船渡市 I-15's blocks with no
  name but ``0``);
- ``no_indicator`` (bool): the row is no indicator — its table has an indicator column, its name is
  not ``named``, and no value is other than 0 (a placeholder's zeros, 測定指標なし with no values).
  Rules about its missing values are noise there: the finding is the name (N001) or the grade
  without an indicator (T002);
- ``department_usual`` (str, NA where the row writes its department the usual way): the spelling
  most rows of the same department use, where the department is written several ways;
  ``department_usual_rows`` (int32): the rows written that way. A spelling is the department as
  written (NFKC, the new name of a ``旧→新`` cell, whitespace runs one space, a line break in a
  cell dropped: it is layout). Two spellings are one department
  when they are equal without whitespace (``保健福祉部　こども家庭センター`` and ``保健福祉部こども家庭センター``,
  SOURCES.md I-12), or when one is the other with one 部, 課 or 局 left out (``保健福祉こども家庭センター``,
  I-11). Nothing else is merged: ``中部総合事務所 環境建築局 環境・循環推進課`` and ``西部総合事務所
  生活環境局 環境・循環推進課`` stay two departments. The usual spelling is the one most rows use
  (the first written, on a tie).

It returns ``unnamed_key`` (a Series, not kept in the frame): what tells two rows apart whose
indicator is not named, for the duplicate count (X001) — ``""`` for a named indicator or a table
without an indicator column (the name is the key there), else the indicator's column and the
values as written: two blocks of one wide row, or two unnamed indicators with other values, are
not one indicator twice.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from hyoka.normalise.measures import MISSING, on_distinct
from hyoka.normalise.vocabulary import VALUE_FIELDS, Vocabulary, nfkc_series

#: characters a department name may lose once and stay the same department (保健福祉[部]こども家庭センター)
ORG_SUFFIXES = "部課局"
#: above this many distinct departments the one-character comparison is not made (a column that is
#: not department names; every real plan has far fewer)
MAX_DEPARTMENTS = 5000
_ARROWS = r"(?:→|⇒|->)"
_NUMBER = re.compile(r"^[0-9０-９.,．，\s]+$")


def derive_names(out: pd.DataFrame, vocab: Vocabulary) -> pd.Series:
    """Add the columns of the module doc to the normalised frame ``out``, in place; return the
    ``unnamed_key`` of its rows (module doc)."""
    key = _indicator_state(out, vocab)
    _department_spellings(out)
    return key


def _indicator_state(out: pd.DataFrame, vocab: Vocabulary) -> pd.Series:
    def state(u: pd.Series) -> pd.Series:
        key = nfkc_series(u).str.replace(r"\s+", "", regex=True)
        placeholder = key.isin(vocab.missing_markers) | key.str.match(_NUMBER.pattern).fillna(False).astype(bool)
        return pd.Series(
            np.select(
                [(key == "").to_numpy(bool), key.isin(vocab.no_indicator).to_numpy(bool), placeholder.to_numpy(bool)],
                ["blank", "none", "placeholder"],
                default="named",
            ),
            index=u.index,
            dtype="string",
        )

    indicator = out["indicator"].astype("string").fillna("")
    out["indicator_state"] = on_distinct(indicator, state)
    written = np.zeros(len(out), dtype=bool)
    real = np.zeros(len(out), dtype=bool)
    for f in VALUE_FIELDS:
        given = (out[f"{f}_state"] != MISSING).fillna(False).to_numpy(bool)
        written |= given
        real |= given & ~(out[f"{f}_value"] == 0).fillna(False).to_numpy(bool)
    written |= out["series_filled"].to_numpy() > 0
    real |= out["series_nonzero"].to_numpy() > 0
    out["has_values"] = written
    has_column = out["col_indicator"].to_numpy() > 0 if "col_indicator" in out else np.ones(len(out), dtype=bool)
    unnamed = (out["indicator_state"] != "named").to_numpy(bool) & has_column
    out["no_indicator"] = unnamed & ~real
    key = pd.Series("", index=out.index, dtype="string")
    if unnamed.any():
        sub = out.loc[unnamed]
        text = sub["col_indicator"].astype("string") if "col_indicator" in sub else pd.Series("", index=sub.index)
        for f in VALUE_FIELDS:
            text = text + "\x1f" + sub[f"{f}_raw"].astype("string").fillna("")
        if "series_text" in sub:
            text = text + "\x1f" + sub["series_text"].astype("string").fillna("")
        key[unnamed] = text.astype("string")
    return key


def _spelling(u: pd.Series) -> pd.Series:
    """The department as written, for comparing spellings (module doc)."""
    s = nfkc_series(u.astype("string").fillna(""))
    s = s.str.replace(rf"^.*{_ARROWS}", "", regex=True)
    s = s.str.replace(r"\s*\n\s*", "", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    return s.astype("string")


def _department_spellings(out: pd.DataFrame) -> None:
    idx = out.index
    spelling = on_distinct(out["department_raw"].astype("string").fillna(""), _spelling)
    usual = pd.Series(pd.NA, index=idx, dtype="string")
    usual_rows = np.zeros(len(out), dtype="int32")
    codes, spellings = pd.factorize(spelling, use_na_sentinel=False)
    rows_of = np.bincount(codes, minlength=len(spellings))
    keys = ["".join(str(s).split()) for s in spellings]
    group = _groups(keys)
    best: dict[int, int] = {}  # group → the spelling most rows use (first on a tie: factorize keeps row order)
    for i, g in enumerate(group):
        if keys[i] and (g not in best or rows_of[i] > rows_of[best[g]]):
            best[g] = i
    spellings_in = Counter(g for g, k in zip(group, keys) if k)
    several = {g for g, n in spellings_in.items() if n > 1}
    if several:
        target = np.array([best.get(g, i) if g in several else i for i, g in enumerate(group)], dtype=np.int64)
        other = target[codes] != codes
        chosen = np.asarray(spellings, dtype=object)[target[codes]]
        usual = usual.mask(other, pd.Series(chosen, index=idx, dtype="string"))
        usual_rows = np.where(other, rows_of[target[codes]], 0).astype("int32")
    out["department_usual"] = usual
    out["department_usual_rows"] = usual_rows


def _groups(keys: list[str]) -> list[int]:
    """The group of each key: equal keys, and keys one 部/課/局 apart (module doc), joined."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k in first:
            parent[root(i)] = root(first[k])
        else:
            first[k] = i
    if len(first) <= MAX_DEPARTMENTS:
        for k, i in first.items():
            for p, ch in enumerate(k):
                if ch in ORG_SUFFIXES and (j := first.get(k[:p] + k[p + 1 :])) is not None:
                    parent[root(i)] = root(j)
    return [root(i) for i in range(len(keys))]
