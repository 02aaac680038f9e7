"""Long tables: one indicator over four rows, its values in one column per year.

The national 行政事業レビュー sheets are published as CSV in this form (RS system,
https://rssystem.go.jp/download-csv, file ``3-1_RS_<year>_効果発現経路_目標・実績.csv``): label
columns (予算事業ID, 事業名, 府省庁 … 種別（アクティビティ・アウトプット・アウトカム）,
活動指標／成果指標, 単位, 改善の上向き／下向き …), then a column 目標年度／目標値／実績値／達成率
whose cells label each row ``1.目標年度`` / ``2.目標値`` / ``3.実績値`` / ``4.達成率``, then one
column per year (``2007`` … ``2060``). An indicator is the run of rows that share their identity
(the text fields read and the ID / 番号 columns) with the kinds in order; a row without a kind
label (an アクティビティ, which has no values) is no indicator.

A table is long when, within the first rows, a header row has at least :data:`MIN_YEARS` columns
headed by a year alone (``2024``, ``2024年度``) and a column whose cells below are all kind labels
(:data:`KINDS`), with values (目標値) and actuals (実績値) among them. Never by the file's name.

Each indicator becomes one row of the raw frame (hyoka.read.raw), every value with its own cell:

- ``row``: the line of the indicator's first row; text fields (project, indicator, unit …) from
  that row;
- ``current``: the latest non-empty 実績値; ``baseline``: the earliest, unless it is the same
  cell; their years: the year column's header (``cellrow_<f>_year`` = the header's line);
- the 実績値 of every year from the first to the last any indicator of the table reports, as a
  series (``series<i>`` …, hyoka.read.raw), each placed on its cell;
- ``target``: the latest non-empty 目標値; ``target_year``: the 目標年度 cell of that column when
  it holds a year (placed there), else the column's year (placed on the header) — the RS files
  flag the target's year with ``1`` in the 目標年度 row;
- ``rate``: the 達成率 in the current value's column, read only where that column's 目標値 is
  the target read (a rate of another year's target would be recomputed against the wrong one);
- ``cellrow_<value>``: the line of the row the value sits on (目標値 / 実績値 / 達成率), ``col_``
  its year column, ``char_`` (CSV) its character column;
- ``direction``: the 改善の上向き／下向き cell as published (``上向き`` / ``下向き``), which
  hyoka.normalise.frame reads as a declared direction.

An empty series is placed on its row's kind label (``3.実績値``); a missing-value marker (``-``)
counts as empty when the latest or earliest value is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hyoka.normalise.vocabulary import Vocabulary, header_key, nfkc, nfkc_series
from hyoka.read.header import HEADER_SCAN_ROWS, find_unmapped, read_header

#: a long table has at least this many columns headed by a year
MIN_YEARS = 2
#: body rows looked at, below a candidate header, to tell the kind column
SAMPLE_ROWS = 40
#: the words that label a row's kind (after a leading ``1.``), and the kind they name
KINDS = {
    "目標年度": "target_year",
    "目標値": "target",
    "目標": "target",
    "実績値": "current",
    "実績": "current",
    "成果実績": "current",
    "活動実績": "current",
    "達成率": "rate",
    "達成度": "rate",
}
#: the order of the kinds within one indicator
KIND_ORDER = {"target_year": 1, "target": 2, "current": 3, "rate": 4}
#: text fields a label column may give (values come from the year columns)
LABEL_FIELDS = ("item", "project", "department", "indicator", "activities", "effect", "remarks", "unit")
#: header words of the column that declares the better direction (改善の上向き／下向き)
DIRECTION_HEADERS = ("上向き", "下向き", "改善の方向", "増減の方向")
#: header words of identity columns besides the fields read (予算事業ID, 番号)
_ID_WORDS = re.compile(r"(?<![a-z])id(?![a-z])|番号|コード", re.I)
_YEAR_HEADER = re.compile(r"^(?:FY)?(?P<y>\d{4})(?:年度|年)?$", re.I)
_WRITTEN_YEAR = re.compile(r"^(?:(?:FY)?\d{4}|(?:R|令和|H|平成)(?:\d{1,2}|元))(?:年度|年)?(?:末)?$", re.I)
_LEAD = re.compile(r"^\s*\d+\s*[.．、)）]?\s*")


@dataclass
class LongHeader:
    """A long table's header: grid ``row`` (0-based), the kind column, and the year columns
    (0-based column → the header text as published); ``texts``: every header cell's text."""

    row: int
    kind_col: int
    years: dict[int, str]
    texts: dict[int, str] = field(default_factory=dict)


@dataclass
class LongRead:
    """A long table read: the raw frame (one row per indicator) and what hyoka.read.raw.RawTable
    keeps of how it was read (see there)."""

    frame: pd.DataFrame
    headers: dict[str, str]
    columns: dict[str, int]
    labels: dict[int, str]
    layout: list[dict]
    skipped: list[tuple[str, int, str, str]]
    unmapped: list[tuple[str, int, int, int, str, str]]
    header_rows: list[int]


def kind_of(text: str) -> str:
    """The kind a label cell names (``3.実績値`` → ``current``), ``""`` for none."""
    key = _LEAD.sub("", "".join(nfkc(str(text)).split()))
    return KINDS.get(key, "")


def _kinds(s: pd.Series) -> pd.Series:
    """:func:`kind_of` of a column, once per distinct text."""
    codes, uniques = pd.factorize(s.astype("string").fillna(""), use_na_sentinel=False)
    return pd.Series(np.array([kind_of(u) for u in uniques], dtype=object)[codes], index=s.index, dtype="string")


def find_long(rows: list[list[str]]) -> LongHeader | None:
    """The header of a long table among the first rows of a grid (lists of text), or None (module
    doc: year columns and a column of kind labels below the header)."""
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        texts = {c: str(v).strip() for c, v in enumerate(rows[r]) if v is not None and str(v).strip()}
        years = {}
        for c, t in texts.items():
            m = _YEAR_HEADER.match(nfkc(t))
            if m and 1900 <= int(m.group("y")) <= 2100:
                years[c] = t
        if len(years) < MIN_YEARS:
            continue
        below = rows[r + 1 : r + 1 + SAMPLE_ROWS]
        for c in range(min(years)):
            cells = [
                str(row[c]).strip() for row in below if c < len(row) and row[c] is not None and str(row[c]).strip()
            ]
            found = [kind_of(v) for v in cells]
            if found and all(found) and {"target", "current"} <= set(found):
                return LongHeader(r, c, years, texts)
    return None


def read_long(
    header: LongHeader,
    rows: list[list[str]],
    row_numbers: list[int],
    sheet: str,
    vocab: Vocabulary,
    grid: pd.DataFrame | None = None,
    chars=None,
) -> LongRead:
    """Read a long table (module doc). ``rows``, ``row_numbers``, ``grid`` and ``chars`` as
    hyoka.read.raw.frame_from_rows takes them."""
    data_start = header.row + 1
    if grid is not None:
        body = grid.iloc[data_start:].reset_index(drop=True)
    else:
        body = pd.DataFrame(rows[data_start:])
    body = body.astype("string").fillna("")
    n, width = body.shape
    nums = np.asarray(row_numbers[data_start : data_start + n], dtype=np.int64)
    empty_col = pd.Series([""] * n, dtype="string")

    def column(c: int) -> pd.Series:
        return body.iloc[:, c] if c < width else empty_col

    year_cols = sorted(c for c in header.years if c < width)
    labels_at = np.array([header.years[c] for c in year_cols], dtype=object)

    # what each label column gives: a text field (first column wins) or the declared direction
    fields: dict[str, int] = {}
    layout_field: dict[int, tuple[str | None, str]] = {}
    for c, text in sorted(header.texts.items()):
        if c == header.kind_col or c in header.years:
            continue
        key = header_key(text)
        read = read_header(text, vocab, header.row)
        fld = read.field if read is not None else None
        if any(w in key for w in DIRECTION_HEADERS):
            fld = "direction"
        if fld in (*LABEL_FIELDS, "direction") and fld not in fields:
            fields[fld] = c
            layout_field[c] = (fld, "")
        elif fld in (*LABEL_FIELDS, "direction"):
            layout_field[c] = (fld, "unread")
        elif fld == "ignore":
            layout_field[c] = (None, "ignored")
        else:
            layout_field[c] = (None, "unknown")

    kinds = _kinds(column(header.kind_col)).to_numpy(dtype=object)
    values = np.stack([column(c).to_numpy(dtype=object) for c in year_cols], axis=1)
    flat = pd.Series(values.ravel(), dtype="string")
    codes, uniques = pd.factorize(flat, use_na_sentinel=False)
    blank = np.array([nfkc(str(u)).strip() in vocab.missing_markers for u in uniques], dtype=bool)
    filled = ~blank[codes].reshape(values.shape)

    # rows that are no indicator's: blank rows (dropped) and rows without a kind (listed)
    has_kind = kinds != ""
    label_cols = sorted(c for c in layout_field if c < width)
    any_label = np.zeros(n, dtype=bool)
    for c in label_cols:
        any_label |= (column(c).str.strip() != "").to_numpy(bool)
    listed = ~has_kind & (any_label | filled.any(axis=1))
    skipped = [
        (sheet, int(nums[i]), "no_values", _row_text([column(c) for c in label_cols], int(i)))
        for i in np.flatnonzero(listed)
    ]

    # indicators: runs of kind rows with one identity and the kinds in order
    at = np.flatnonzero(has_kind)
    ids = [c for c in fields.values() if c < width and layout_field[c][0] != "unit"]
    ids += [c for c, t in header.texts.items() if _ID_WORDS.search(header_key(t)) and c in layout_field and c < width]
    rank = pd.Series(kinds[at], dtype=object).map(KIND_ORDER).to_numpy(dtype=np.int64)
    new = np.ones(len(at), dtype=bool)
    if len(at) > 1:
        new[1:] = rank[1:] <= rank[:-1]
        for c in dict.fromkeys(ids):
            v = column(c).to_numpy(dtype=object)[at]
            new[1:] |= v[1:] != v[:-1]
    group = np.cumsum(new) - 1
    g_count = int(group[-1]) + 1 if len(at) else 0
    first = at[new]  # the body row each indicator starts on

    char_of = None
    if chars is not None:
        wanted = sorted(set(year_cols) | set(fields.values()) | {header.kind_col})
        char_of = chars.body({f"c{c}": c for c in wanted if c < width}, data_start)
        header_chars = np.array([chars.at(header.row, c) for c in year_cols], dtype=np.int32)
    else:
        header_chars = np.zeros(len(year_cols), dtype=np.int32)
    year_chars = np.stack([char_of[f"c{c}"] for c in year_cols], axis=1) if char_of is not None and year_cols else None
    header_line = int(row_numbers[header.row])

    def kind_rows(kind: str) -> np.ndarray:
        """The body row of each indicator's ``kind`` row (-1 where it has none)."""
        out = np.full(g_count, -1, dtype=np.int64)
        sel = kinds[at] == kind
        out[group[sel]] = at[sel]
        return out

    frame = pd.DataFrame(index=pd.RangeIndex(g_count))
    frame["row"] = pd.Series(nums[first], dtype="int64")
    for f, c in fields.items():
        frame[f] = pd.Series(column(c).to_numpy(dtype=object)[first], dtype="string")
        frame[f"col_{f}"] = np.full(g_count, c + 1, dtype="int16")
        if char_of is not None:
            frame[f"char_{f}"] = char_of[f"c{c}"][first].astype(np.int32)

    def pick(kind: str, last: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(body row of the kind's row or -1, whether a value was found, year index chosen)."""
        r = kind_rows(kind)
        ok = np.zeros((g_count, len(year_cols)), dtype=bool)
        have = r >= 0
        ok[have] = filled[r[have]]
        if last:
            idx = len(year_cols) - 1 - np.argmax(ok[:, ::-1], axis=1)
        else:
            idx = np.argmax(ok, axis=1)
        found = np.asarray(ok.any(axis=1), dtype=bool)
        return r, found, idx

    def put(f: str, r: np.ndarray, found: np.ndarray, idx: np.ndarray, keep: np.ndarray | None = None) -> None:
        """The value ``f`` of each indicator: the cell (row ``r``, year ``idx``) where ``found``,
        placed there; else empty, placed on the row's kind label (0 without the row)."""
        have = r >= 0
        text = np.full(g_count, "", dtype=object)
        sel = found & have
        text[sel] = values[r[sel], idx[sel]]
        if keep is not None:
            text = np.where(keep, text, "")
        frame[f] = pd.Series(text, dtype="string")
        col = np.where(sel, np.asarray(year_cols, dtype=np.int64)[idx] + 1, np.where(have, header.kind_col + 1, 0))
        frame[f"col_{f}"] = col.astype("int16")
        frame[f"cellrow_{f}"] = np.where(have, nums[np.maximum(r, 0)], 0).astype("int64")
        if char_of is not None:
            ch = np.zeros(g_count, dtype=np.int32)
            if year_chars is not None:
                ch[sel] = year_chars[r[sel], idx[sel]]
            label = char_of[f"c{header.kind_col}"]
            ch = np.where(~sel & have, label[np.maximum(r, 0)], ch)
            frame[f"char_{f}"] = ch.astype(np.int32)

    def put_year(f: str, found: np.ndarray, idx: np.ndarray, keep: np.ndarray | None = None) -> None:
        """``f`` (a ``<value>_year``): the header of the year column chosen, placed on it (the
        text left empty where not ``keep``)."""
        shown = found if keep is None else found & keep
        frame[f] = pd.Series(np.where(shown, labels_at[idx] if len(year_cols) else "", ""), dtype="string")
        frame[f"col_{f}"] = np.where(found, np.asarray(year_cols, dtype=np.int64)[idx] + 1, 0).astype("int16")
        frame[f"cellrow_{f}"] = np.where(found, header_line, 0).astype("int64")
        if chars is not None:
            frame[f"char_{f}"] = np.where(found, header_chars[idx], 0).astype(np.int32)

    present = set(kinds[at])
    if "current" in present:
        r_c, found_c, i_c = pick("current", last=True)
        put("current", r_c, found_c, i_c)
        put_year("current_year", found_c, i_c)
        # the actuals of every year, kept for the rules that read the years in between: the
        # years from the first to the last any indicator reports (not all 54 of an RS file)
        have_c = r_c >= 0
        actual = np.zeros((g_count, len(year_cols)), dtype=bool)
        actual[have_c] = filled[r_c[have_c]]
        span = np.flatnonzero(actual.any(axis=0))
        if len(span) > 1:
            row_of = np.maximum(r_c, 0)
            for i, j in enumerate(range(int(span[0]), int(span[-1]) + 1)):
                frame[f"series{i}"] = pd.Series(np.where(have_c, values[row_of, j], ""), dtype="string")
                frame[f"col_series{i}"] = np.where(have_c, year_cols[j] + 1, 0).astype("int16")
                frame[f"cellrow_series{i}"] = np.where(have_c, nums[row_of], 0).astype("int64")
                if year_chars is not None:
                    frame[f"char_series{i}"] = np.where(have_c, year_chars[row_of, j], 0).astype(np.int32)
                frame[f"series{i}_year"] = pd.Series(np.where(have_c, labels_at[j], ""), dtype="string")
        _, _, i_b = pick("current", last=False)
        distinct = ~(i_b == i_c)
        put("baseline", r_c, found_c, i_b, keep=distinct)
        put_year("baseline_year", found_c, i_b, keep=distinct)
    if "target" in present:
        r_t, found_t, i_t = pick("target", last=True)
        put("target", r_t, found_t, i_t)
        put_year("target_year", found_t, i_t)
        if "target_year" in present:
            r_y = kind_rows("target_year")
            written = np.full(g_count, "", dtype=object)
            sel = found_t & (r_y >= 0)
            written[sel] = values[r_y[sel], i_t[sel]]
            is_year = (
                nfkc_series(pd.Series(written, dtype="string")).str.strip().str.match(_WRITTEN_YEAR).to_numpy(bool)
            )
            use = sel & is_year
            frame["target_year"] = frame["target_year"].mask(use, pd.Series(written, dtype="string"))
            frame["cellrow_target_year"] = np.where(use, nums[np.maximum(r_y, 0)], frame["cellrow_target_year"])
            if year_chars is not None:
                ch = year_chars[np.maximum(r_y, 0), i_t]
                frame["char_target_year"] = np.where(use, ch, frame["char_target_year"]).astype(np.int32)
    if "rate" in present and "current" in present:
        r_r, _, _ = pick("rate", last=True)
        have_r = r_r >= 0
        rated = np.zeros(g_count, dtype=bool)
        if "target" in present:
            # the target written in the current value's column: the one the rate was worked out on
            same = np.full(g_count, "", dtype=object)
            ok = found_c & (r_t >= 0)
            same[ok] = values[r_t[ok], i_c[ok]]
            rated = ok & found_t & (same == frame["target"].to_numpy(dtype=object))
        put("rate", r_r, found_c & have_r, i_c, keep=rated)

    frame["block"] = pd.Series([""] * g_count, dtype="string")
    headers = {f: header.texts.get(c, "") for f, c in fields.items()}
    columns = dict(fields)
    labels = {c + 1: f for f, c in fields.items()}
    labels.update({c + 1: header.years[c] for c in year_cols})
    labels[header.kind_col + 1] = header.texts.get(header.kind_col, "")
    layout = []
    for c, text in sorted(header.texts.items()):
        if c == header.kind_col:
            fld, note = None, "long"
        elif c in header.years:
            fld, note = "series", ""
        else:
            fld, note = layout_field[c]
        layout.append(
            {
                "sheet": sheet,
                "column": c + 1,
                "header": text,
                "field": fld,
                "block": None,
                "year": header.years.get(c),
                "unit": None,
                "note": note,
            }
        )
    mapped = set(fields.values()) | set(header.years) | {header.kind_col}
    found = find_unmapped(rows, header.row, data_start, list(range(len(rows))), mapped, vocab)
    unmapped = [
        (sheet, int(row_numbers[r]), c + 1, chars.at(r, c) if chars is not None else 0, text, fld)
        for r, c, text, fld in found
        if fld in LABEL_FIELDS and fld not in fields  # a field read from another column is not dropped
    ]
    return LongRead(frame, headers, columns, labels, layout, skipped, unmapped, [header_line])


def _row_text(columns: list[pd.Series], i: int) -> str:
    """The label cells of body row ``i`` joined, for the list of skipped rows."""
    return " / ".join(str(s.iloc[i]).strip() for s in columns if str(s.iloc[i]).strip())[:80]
