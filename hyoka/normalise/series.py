"""A row's yearly series: its values read, and what the rules read across its years.

A wide or long table gives some indicators one value per year (大船渡市's six ⑦成果指標 blocks,
``平成13年実績`` / ``平成14年実績`` …, a 行政事業レビュー sheet's 実績値 row); the loader keeps them
(hyoka.read.raw: ``series<i>``, its place and year label). A plain table has none, and costs
nothing here beyond a few constant columns.

:func:`normalise_series` (called by hyoka.normalise.frame) reads them and adds to the normalised
frame, on whole columns (a loop over the handful of positions, never over rows), what the rules
read — not the per-year columns themselves, so the frame stays narrow however many years a long
table has:

- ``series_count`` (int8): the row's yearly values that are numbers (0 without a series);
  ``series_filled`` (int8): its cells that are neither empty nor a missing marker (numbers, levels,
  unreadable text); ``series_nonzero`` (int8): those of them that are not a 0;
- ``series_text`` (str): the series as published, ``234 / 230 / 200 / 159 / 0 / 0`` (empty cells
  left empty between the slashes), ``""`` without a series: what messages show;
- ``series_trailing_zeros`` (int8): the zeros after the last non-zero number, when at least one
  non-zero number comes before them (``234, 230, 200, 159, 0, 0`` → 2); ``series_after_end_at``
  (int8, −1 for none) the position of the first of them, whose cell is the place
  ``col_``/``char_``/``cellrow_series_after_end`` (0 without);
- ``series_zero_at`` (int8, −1 for none): the first zero that the series could not have reached
  by its own movement (:func:`_placeholder_zero`), placed by ``…_series_zero``;
- ``series_repeated`` (bool): the last value equals the one of the year before, where an exact
  repeat is unlikely (:func:`_repeated_last`); the finding points at the current value, which
  is that last value (the reader's current value is the last cell that is not a missing marker);
- ``series_marker_at`` (int8, −1 for none): a missing marker written otherwise than the row's
  others (:func:`_odd_marker`), placed by ``…_series_marker``; ``series_decimals_at`` (int8): a
  number with more decimals than the rest of its series (:func:`_odd_decimals`), placed by
  ``…_series_decimals``.

A plain table gets these columns as constants (0, ``""``, −1, False) and no place columns.

Sources: the inconsistencies of ../shared/real/published/SOURCES.md §1 (I-18 a value after the
project's end, I-19/I-21 a placeholder 0 among real values, I-22 the last year copied from the
year before, I-16 a placeholder written two ways, I-17 one value at another precision); the thresholds are argued in each function's doc.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hyoka.normalise.measures import MISSING, VALUE, parse_measures, shown_numbers
from hyoka.normalise.vocabulary import Vocabulary

_SERIES_RAW = re.compile(r"^series(\d+)$")
#: the cells of a series the rules point at (hyoka.check.rules: SERIES_CELLS), by the column of
#: the position each takes
PLACED = {
    "series_after_end": "series_after_end_at",
    "series_zero": "series_zero_at",
    "series_marker": "series_marker_at",
    "series_decimals": "series_decimals_at",
}
#: a value this many times the usual year-to-year change away from 0 (and at least MIN_LEVEL)
#: cannot have fallen to 0 by its own movement; see _placeholder_zero
ZERO_DISTANCE = 3.0
MIN_LEVEL = 10.0
#: an exact repeat is unlikely where values usually move by this many units of their last
#: written digit; see _repeated_last
REPEAT_STEPS = 10.0
MAX_DECIMALS = 6


def positions(frame: pd.DataFrame) -> list[int]:
    """The series positions a raw frame has columns for (``series<i>``), in order."""
    return sorted(int(m.group(1)) for col in frame.columns if (m := _SERIES_RAW.match(str(col))))


def normalise_series(raw: pd.DataFrame, out: pd.DataFrame, vocab: Vocabulary, take) -> None:
    """Read the loader's series columns of ``raw`` (``series<i>``, their places and year labels)
    and add what the rules read to ``out`` (module doc), in place; ``take(col)`` hands each raw
    text column over (hyoka.normalise.frame.normalise). The per-year columns themselves are not
    carried into ``out``: a rule reads the columns derived here, and the frame stays narrow."""
    n = len(out)
    pos = positions(raw)
    if not pos:
        out["series_count"] = np.zeros(n, dtype="int8")
        out["series_filled"] = np.zeros(n, dtype="int8")
        out["series_nonzero"] = np.zeros(n, dtype="int8")
        out["series_text"] = pd.Series("", index=out.index, dtype="string")
        out["series_trailing_zeros"] = np.zeros(n, dtype="int8")
        out["series_after_end_at"] = np.full(n, -1, dtype="int8")
        out["series_zero_at"] = np.full(n, -1, dtype="int8")
        out["series_repeated"] = np.zeros(n, dtype=bool)
        out["series_marker_at"] = np.full(n, -1, dtype="int8")
        out["series_decimals_at"] = np.full(n, -1, dtype="int8")
        return
    texts, values, given = [], [], []
    for i in pos:
        text = take(f"series{i}").astype("string").fillna("")
        m = parse_measures(text, vocab)
        texts.append(shown_numbers(text).str.strip())  # 66.099999999999994 as Excel shows it: 66.1
        values.append(m["value"].where(m["state"] == VALUE).to_numpy("float64", na_value=np.nan))
        # not empty and not a missing marker: the reader's current value is the last of them
        given.append((m["state"] != MISSING).fillna(False).to_numpy(bool))
    value = np.stack(values, axis=1)
    filled = np.stack(given, axis=1)
    number = ~np.isnan(value)
    written = np.stack([(t != "").to_numpy(bool) for t in texts], axis=1)
    out["series_count"] = number.sum(axis=1).astype("int8")
    out["series_filled"] = filled.sum(axis=1).astype("int8")
    out["series_nonzero"] = (filled & ~(number & (value == 0))).sum(axis=1).astype("int8")
    text = texts[0]
    for t in texts[1:]:
        text = text + " / " + t
    out["series_text"] = text.where(written.any(axis=1), "").astype("string")
    trailing, after_end = _trailing_zeros(value, number)
    out["series_trailing_zeros"] = trailing.astype("int8")
    out["series_after_end_at"] = after_end.astype("int8")
    out["series_zero_at"] = _placeholder_zero(value, number).astype("int8")
    out["series_repeated"] = _repeated_last(value, number, filled)
    marker = np.stack(
        [np.where(w & ~f, t.to_numpy(dtype=object), "") for w, f, t in zip(written.T, filled.T, texts)], 1
    )
    out["series_marker_at"] = _odd_marker(marker).astype("int8")
    out["series_decimals_at"] = _odd_decimals(value, number).astype("int8")
    for cell, at in PLACED.items():
        _place(raw, out, cell, out[at].to_numpy(), pos)
    done = [f"{p}series{i}" for i in pos for p in ("col_", "char_", "cellrow_")] + [f"series{i}_year" for i in pos]
    for c in done:  # read: not carried into ``out`` by the normaliser's place columns
        if c in raw:
            del raw[c]


def _trailing_zeros(values: np.ndarray, number: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(count, position of the first) of the zeros after the last non-zero number of each row,
    where a non-zero number comes before them (a series of zeros only is no series that stopped:
    the indicator never had a value, N001's case); empty cells between them do not count."""
    k = values.shape[1]
    nonzero = number & (values != 0)
    zero = number & (values == 0)
    idx = np.arange(k)
    last_nonzero = np.where(nonzero.any(axis=1), k - 1 - np.argmax(nonzero[:, ::-1], axis=1), -1)
    after = zero & (idx[None, :] > last_nonzero[:, None]) & (last_nonzero[:, None] >= 0)
    count = after.sum(axis=1)
    first = np.where(count > 0, np.argmax(after, axis=1), -1)
    return count, first


def _median_change(values: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Per row, the median absolute change between consecutive usable values (NaN with fewer
    than two). Consecutive in the order of the series, skipping the cells that are not usable."""
    rows, k = values.shape
    # carry the last usable value forward, so each usable cell is compared with the one before it
    filled = np.where(usable, values, np.nan)
    idx = np.where(usable, np.arange(k)[None, :], -1)
    prev_idx = np.maximum.accumulate(np.concatenate([np.full((rows, 1), -1), idx[:, :-1]], axis=1), axis=1)
    prev = np.take_along_axis(filled, np.maximum(prev_idx, 0), axis=1)
    change = np.where(usable & (prev_idx >= 0), np.abs(values - prev), np.nan)
    out = np.full(rows, np.nan)
    some = (~np.isnan(change)).any(axis=1)
    if some.any():
        out[some] = np.nanmedian(change[some], axis=1)
    return out


def _placeholder_zero(values: np.ndarray, number: np.ndarray) -> np.ndarray:
    """The position of the first zero each row's series could not have reached by its own
    movement, −1 where none: at least three non-zero numbers, fewer zeros than them, and the
    smallest non-zero value at least :data:`MIN_LEVEL` and at least :data:`ZERO_DISTANCE` times
    the median change between the non-zero values. 大船渡市 I-19 ``100, 0, 100, 100, 100, 100``
    and I-21 ``74, 127, 97, 108, 91, 0`` (changes of ~24 a year, never below 74) fire; ``13, 11,
    3, 0, 5, 17`` (a small count: 0 is a year like the others) and a decline that reaches 0
    (``45, 30, 12, 0``: changes of 16, smallest 12) do not. A count that never falls below 10 is
    0 by chance with a probability below e⁻¹⁰ (Poisson)."""
    nonzero = number & (values != 0)
    zero = number & (values == 0)
    n_nonzero, n_zero = nonzero.sum(axis=1), zero.sum(axis=1)
    smallest = np.where(nonzero, np.abs(values), np.inf).min(axis=1)
    change = _median_change(values, nonzero)
    far = (smallest >= MIN_LEVEL) & (smallest >= ZERO_DISTANCE * np.nan_to_num(change, nan=np.inf))
    hit = (n_zero > 0) & (n_zero < n_nonzero) & (n_nonzero >= 3) & far
    return np.where(hit, np.argmax(zero, axis=1), -1)


def _decimals(values: np.ndarray) -> np.ndarray:
    """The decimals each number needs as written (Excel shows 66.099999999999994 as 66.1: 1),
    at most :data:`MAX_DECIMALS`; 0 for NaN."""
    out = np.full(values.shape, MAX_DECIMALS, dtype=np.int8)
    done = np.isnan(values)
    out[done] = 0
    with np.errstate(invalid="ignore", over="ignore"):
        for d in range(MAX_DECIMALS):
            scaled = values * 10.0**d
            exact = ~done & (np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled)))
            out[exact] = d
            done |= exact
    return out


def _repeated_last(values: np.ndarray, number: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Whether the last cell ``given`` (not empty, not a missing marker: the current value) of
    each row is a number equal to the cell just before it
    where an exact repeat is unlikely: at least four numbers, the value not 0 and not seen before
    the last two years (a rate that stays at 100 % repeats by nature), and the earlier values
    usually changing by at least :data:`REPEAT_STEPS` units of their last written digit (the
    chance of hitting the same value again is then about one in twenty). 大船渡市 I-22: ``445,
    462, 503, 420, 348, 348`` (changes of ~56) fires; ``17, 12, 9, 14, 15, 15`` (changes of ~4)
    does not."""
    rows, k = values.shape
    if k < 2:
        return np.zeros(rows, dtype=bool)
    last = np.where(given.any(axis=1), k - 1 - np.argmax(given[:, ::-1], axis=1), 0)
    before = np.maximum(last - 1, 0)
    r = np.arange(rows)
    v_last, v_before = values[r, last], values[r, before]
    pair = (last >= 1) & number[r, last] & number[r, before] & (v_last == v_before) & (v_last != 0)
    idx = np.arange(k)[None, :]
    earlier = number & (idx < before[:, None])
    seen = (earlier & (values == v_last[:, None])).any(axis=1)
    step = 10.0 ** -_decimals(np.where(number, values, np.nan)).max(axis=1).astype("float64")
    change = _median_change(values, number & (idx <= before[:, None]))
    moving = np.nan_to_num(change, nan=0.0) >= REPEAT_STEPS * step
    return pair & ~seen & (number.sum(axis=1) >= 4) & moving


def _odd_marker(marker: np.ndarray) -> np.ndarray:
    """The first cell of each row whose missing marker is written otherwise than the marker most
    of the row's markers are (the first of them on a tie), −1 where one spelling is used
    throughout (``marker``: rows × positions of marker texts, ``""`` where the cell holds none).
    大船渡市 I-16: ``－, －, －, -`` (full-width, then ASCII) → the ``-``. The same marker in
    two spellings reads as two things (not measured, not yet counted) to whoever reads the table."""
    rows, k = marker.shape
    codes, spellings = pd.factorize(pd.Series(marker.ravel(), dtype=object), use_na_sentinel=False)
    codes = codes.reshape(rows, k)
    blank = int(spellings.get_loc("")) if "" in spellings else -1
    present = codes != blank
    # how many cells of its row write each spelling (a handful of spellings: one pass each)
    same = np.zeros((rows, k), dtype=np.int64)
    for code in range(len(spellings)):
        if code != blank:
            is_code = codes == code
            same += is_code * is_code.sum(axis=1, keepdims=True)
    most = np.argmax(np.where(present, same, -1), axis=1)
    usual = codes[np.arange(rows), most]
    odd = present & (codes != usual[:, None])
    return np.where(odd.any(axis=1), np.argmax(odd, axis=1), -1)


def _odd_decimals(values: np.ndarray, number: np.ndarray) -> np.ndarray:
    """The cell of each row whose number has more decimals than every other number of its series,
    where those are written with decimals (at least one of them has one) and there are at least
    three; −1 where there is none. Decimals as Excel shows the number (66.099999999999994 is
    66.1). 大船渡市 I-17: ``70.0, 66.1, 57, 44.3, 53.71, 51.4`` → 53.71, read at another precision
    than the rest (or typed from another source). A series of whole numbers with one decimal
    value (an average) is not flagged."""
    dec = np.where(number, _decimals(np.where(number, values, np.nan)).astype(np.int64), -1)
    top = dec.max(axis=1)
    at_top = dec == top[:, None]
    second = np.where(at_top, -1, dec).max(axis=1)  # the most decimals of the other numbers
    hit = (at_top.sum(axis=1) == 1) & (second >= 1) & (number.sum(axis=1) >= 4)
    return np.where(hit, np.argmax(at_top, axis=1), -1)


def _place(raw: pd.DataFrame, out: pd.DataFrame, cell: str, at: np.ndarray, pos: list[int]) -> None:
    """The place columns of ``cell`` in ``out`` (``col_``/``char_``/``cellrow_<cell>``): those of
    the series position ``at`` of each row in ``raw`` (0 where ``at`` is −1). In place."""
    for prefix, dtype in (("col_", "int16"), ("char_", "int32"), ("cellrow_", "int64")):
        cols = [f"{prefix}series{i}" for i in pos]
        if not all(c in raw for c in cols):
            continue
        grid = np.stack([raw[c].fillna(0).to_numpy(dtype) for c in cols], axis=1)
        chosen = np.take_along_axis(grid, np.maximum(at, 0).astype(np.int64)[:, None], axis=1)[:, 0]
        out[f"{prefix}{cell}"] = np.where(at >= 0, chosen, 0).astype(dtype)
