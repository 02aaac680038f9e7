"""Normalising a raw table into the frame that schemas and rules read.

``normalise(raw, vocab, scale)`` takes the loader's frame (see :mod:`hyoka.read.table`) and returns one
row per input row with these columns (all computed on whole columns):

provenance
    ``source_file``, ``sheet``, ``row`` (for a PDF also ``table``: hyoka.read.table.read_pdf),
    and where each field's cell is: ``col_<field>`` for every
    canonical field, ``char_<field>`` and ``cellrow_<field>`` where the loader gave them (as
    numbers: :mod:`hyoka.read.table`).
text
    ``item``, ``project``, ``activities``, ``effect`` (効果・理由: the reason for the grade),
    ``remarks`` (備考), ``indicator`` as published (①, ㈱, Ⅲ and
    full-width letters kept: people read them in every output), whitespace collapsed and trimmed
    only; code that matches names compares them by :func:`hyoka.normalise.text.text_key` or NFKC
    at the point of comparison. ``partners`` (NFKC except circled numbers ①–⑳, which stay
    distinct codes: a code list, not text to show as written);
    ``department`` (the current name) and ``department_previous`` (the old name of a
    ``旧→新`` entry or of a rename in rules/departments.yaml, else NA); ``department_raw``.
    Departments are as published (whitespace squeezed), a rename is looked up by the NFKC of the
    name, and the rows whose names have the same NFKC all show the first of their spellings (so
    ``ＩＴ推進課`` and ``IT推進課`` stay one department, shown as the table first wrote it).
grade
    ``grade_raw`` (as published), ``grade`` (the scale's code, NA when missing or off-scale),
    ``grade_rank`` (Int64), ``grade_standing`` (upper/middle/lower/status),
    ``grade_state`` (``on_scale``/``off_scale``/``missing``).
values, for f in baseline, target, current (read by hyoka.normalise.measures, whose doc lists the notations)
    ``f_raw`` (as published; a binary float written out in full, 69.900000000000006, shown as
    Excel shows it: 69.9), ``f_value`` (float64; a level's rank), ``f_unit``, ``f_unit_known``,
    ``f_state`` (value/level/missing/unparseable, ``text`` (words where the row says its values are
    words), ``range`` for 23.4〜30.7%, ``several`` for
    男女計:8.5% 男性:12.9%, and for the target only ``direction`` for 減少傾向へ),
    ``f_low``/``f_high`` (float64: a range's ends, the value itself otherwise), ``f_qualifier``
    (ge/gt/le/lt/approx: 以上/超/以下・以内/未満/約・程度; NA), ``f_estimate`` (bool: 推計, 見込,
    速報, 暫定), ``f_second_raw`` (a second quantity in the value's unit: 60(57) → 57; NA),
    ``f_basis`` (what the value is measured over: 100%(10施設) → 10施設, 5戸/14戸 → 14戸,
    1日当たり67分 → 1日当たり; NA), ``f_labels`` (the names of several values: 男女計、男性、女性;
    NA), ``target_stated_direction`` (increase/decrease/keep of a direction-only target; NA),
    ``f_unclosed`` (bool: the cell opens a bracket it does not close: 100%(56施設),
    ``f_converted`` (bool: the value was converted to compare with the row's other values: written
    2時間30分 or 8千人 beside values in 分 or 人).
    Values of one row in units of one family (8千人 beside 1.5万人; 2時間 beside 67分:
    rules/vocabulary.yaml ``base``/``factor``) are converted to the row's finest unit; bare
    numbers take the unit the table declares for their row: a column of units (単位), else one
    written in the indicator's name (達成率【%】, 生活排水処理率 (%)). ``f_year`` (Int64 fiscal year), ``f_year_raw``,
    ``f_year_state``; ``nocache_f`` (bool: a formula with no cached value, so the text is empty
    for a reason the clerk can fix by recalculating; also ``nocache_grade``).
    ``f_year_era_ok`` (False for 平成32 and other labels past an era's end), ``f_year_reiwa``
    (the year in the era it falls in: R2 for 2020, H30 for 2018, S63 for 1988).
target bounds (results frameworks: Canada's GC InfoBase gives a lower-is-better target as
    ``target_max`` only, a higher-is-better one as ``target_min`` only, a range as both)
    ``target_min_raw``, ``target_max_raw`` (as published), ``target_min``, ``target_max`` (float64,
    NaN when not a number; ``{target|range}`` shows them). Where a row has no target cell (its
    ``target_state`` is missing) but a bound, the bounds become the target: one bound gives
    ``target_raw``/``_value``/``_unit``/``_state`` and the place (``col_target`` …) of its cell;
    both give ``target_raw`` ``min–max``, ``target_value`` NaN, ``target_state`` ``range`` and
    the place of the minimum. Without bound columns the target cell says its form itself:
    ``30%以上`` (or 超) is a minimum (``target_min`` 30, the value kept), ``5%以下`` (以内, 未満) a
    maximum, ``40%以上,60%以下`` a range (``target_min``/``target_max``, ``target_value`` NaN),
    ``減少傾向へ`` a direction. ``target_form`` says which: ``single`` (a target cell, also
    ``30%程度``), ``min``, ``max``, ``range``, ``direction``, ``none`` (no target).
direction (a table's own column of the better direction: a long table's 改善の上向き／下向き)
    ``direction_raw`` (as published, ``""`` without the column) and ``direction_declared``
    (increase/decrease/keep, NA when the cell says none of them: :data:`DECLARED_DIRECTIONS`);
    hyoka.normalise.derive takes it after the plan's indicator list.
status (a results framework's columns: hyoka.normalise.status)
    ``value_type_raw`` and ``period_raw`` (as published, ``""`` without the column); a value of a
    row whose type is narrative (``text``) has the state ``text`` (or ``missing`` when it opens
    with a missing marker: ``N/A In fiscal year …``); a ``target_month`` is written into the target
    year label (``2018`` + ``3`` → ``2018年3月``, fiscal year 2017).
rate (達成率, 進捗率: a published rate in percent)
    ``rate_raw`` (as published), ``rate_value`` (float64, percent: ``93.4%`` and ``93.4`` are both
    93.4), ``rate_decimals`` (int64, the decimals written: 1 for ``93.4%``), ``rate_state``
    (value/missing/unparseable; a unit other than % is unparseable).
series (a wide or long table's yearly values)
    ``series_count``, ``series_text``, ``series_trailing_zeros`` … and the places of the values
    the rules point at: see :mod:`hyoka.normalise.series` (constants for a plain table).
The derived columns (direction, progress, schedule, bounds, cross-row counts, grades defined by
values) are the next stage's: :func:`hyoka.normalise.derive.derive` adds them to this frame.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hyoka.normalise.measures import (
    DIRECTION,
    LEVEL,
    MISSING,
    RANGE,
    UNPARSEABLE,
    VALUE,
    MeasureColumns,
    on_distinct,
    parse_fiscal_years,
    shown_numbers,
)
from hyoka.normalise.scale import GradingScale
from hyoka.normalise.series import normalise_series
from hyoka.normalise.status import TEXT, narratives, with_month
from hyoka.normalise.vocabulary import VALUE_FIELDS, Vocabulary, nfkc_series
from hyoka.read.raw import PLACE_PREFIXES, ensure_columns, fill_places

_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
_PUA = "".join(chr(0xE000 + i) for i in range(len(_CIRCLED)))
_PROTECT = str.maketrans(_CIRCLED, _PUA)
_RESTORE = str.maketrans(_PUA, _CIRCLED)
_ARROWS = r"\s*(?:→|⇒|->)\s*"
#: words of a declared direction cell (NFKC, no whitespace) and the direction each says: the RS
#: system's 行政事業レビュー CSV writes 上向き / 下向き (hyoka.read.longform)
DECLARED_DIRECTIONS = (
    (r"上向き|上がる|上昇|増加|高い", "increase"),
    (r"下向き|下がる|低下|減少|低い", "decrease"),
    (r"維持", "keep"),
)
#: Python's ``\s`` (every character str.isspace() accepts, all below U+3001) as a class of literal
#: characters: pandas hands ``\s`` to Python's re element by element (RE2's ``\s`` is ASCII
#: only), but runs this class in Arrow (RE2) on the whole column — the same matches.
_WHITESPACE_RUN = (
    "[" + "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "]+"
)  # 旧→新; never a bare ">" (HTML-ish or hierarchical names)


def _text(s: pd.Series, *, keep_newlines: bool = False) -> pd.Series:
    """Text as published: whitespace runs collapsed to one space (newlines kept in long texts),
    trimmed; no NFKC (``①防災訓練`` stays as written). Computed once per distinct text."""

    def spaces(u: pd.Series) -> pd.Series:
        if not keep_newlines:
            u = u.str.replace(_WHITESPACE_RUN, " ", regex=True)
        return u.str.strip()

    return on_distinct(s.astype("string").fillna(""), spaces)


def era_label(year: pd.Series) -> pd.Series:
    """Fiscal years as era labels (R2 = 2020, H30 = 2018, S63 = 1988; NA before 1926)."""
    y = year.astype("Float64")
    era = pd.Series(
        np.select(
            [
                (y >= 2019).fillna(False).to_numpy(bool),
                (y >= 1989).fillna(False).to_numpy(bool),
                (y >= 1926).fillna(False).to_numpy(bool),
            ],
            ["R", "H", "S"],
            default="",
        ),
        index=year.index,
        dtype="string",
    )
    base = era.map({"R": 2018, "H": 1988, "S": 1925}).astype("Float64")
    n = (y - base).astype("Int64").astype("string")
    return (era + n).where(era != "", pd.NA).astype("string")


#: a fiscal year at the end of a value cell, in brackets or on its own line: 13% (平成32年),
#: 93.8⏎(H16), 22.4% (平成27年4月1日); the label is read by hyoka.normalise.measures.fiscal_year_of
_YEAR_IN_CELL = re.compile(
    r"(?:[(（]\s*|\n\s*)(?P<year>(?:R|令和|H|平成|S|昭和)\s*(?:[0-9０-９]{1,2}|元)[^()（）\n]{0,16}|[0-9]{4}年[^()（）\n]{0,12})\s*[)）]?\s*$"
)


def _years_in_cells(s: pd.Series) -> pd.Series:
    """The year label written at the end of each value cell, ``""`` where there is none."""
    found = s.str.extract(_YEAR_IN_CELL)["year"]
    return found.fillna("").str.strip().astype("string")


def _squeeze(s: pd.Series) -> pd.Series:
    """Collapse whitespace; drop it entirely next to non-ASCII (Japanese) characters, where it is
    only a line break of the published layout (危機管理室→\n危機管理課). No NFKC: the name stays
    as written (idempotent: removing whitespace leaves no whitespace to remove)."""
    s = s.str.replace(r"\s+", " ", regex=True).str.strip()
    return s.str.replace(r"\s(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s", "", regex=True)


def _first_spelling(s: pd.Series) -> pd.Series:
    """Each name replaced by the first spelling (in row order) of the names with the same NFKC, so
    that names NFKC makes equal stay one name, as they were when names were stored as NFKC."""
    key = on_distinct(s.astype("string").fillna(""), nfkc_series)
    first = pd.Series(s.to_numpy(), index=key.to_numpy())
    first = first[~first.index.duplicated()]
    return key.map(first).astype("string").where(s.notna(), pd.NA)


def _partners(s: pd.Series) -> pd.Series:
    """Partner codes: NFKC except circled numbers (①–⑳ stay distinct codes), no whitespace."""

    def distinct(u: pd.Series) -> pd.Series:
        protected = u.str.translate(_PROTECT)
        out = nfkc_series(nfkc_series(protected).str.replace(r"\s+", "", regex=True))
        return out.str.translate(_RESTORE)

    return on_distinct(s.astype("string").fillna(""), distinct)


def normalise(raw: pd.DataFrame, vocab: Vocabulary, scale: GradingScale, consume: bool = False) -> pd.DataFrame:
    """Return the normalised frame (columns in the module doc). ``raw`` is not modified, unless
    ``consume``: then each text column is removed from ``raw`` once it has been read, so that a
    large table's text is not held twice (the caller hands the raw frame over; at 1M rows this
    is most of the run's peak memory)."""
    if not consume:
        raw = raw.copy(deep=False)  # columns added to a shallow copy leave ``raw`` as it was
    raw = fill_places(ensure_columns(raw))

    def take(col: str) -> pd.Series:
        return raw.pop(col) if consume else raw[col]

    out = pd.DataFrame(index=raw.index)
    out["source_file"] = raw["source_file"].astype("string")
    out["sheet"] = raw["sheet"].astype("string")
    if "table" in raw:  # a PDF table continued over pages: the sheet is each row's page (hyoka.read.table)
        out["table"] = raw["table"].astype("string").fillna(out["sheet"])
    out["row"] = raw["row"].astype("int64")
    for fld in ("item", "project", "indicator"):
        out[fld] = _text(take(fld))
    for fld in ("activities", "effect", "remarks"):
        out[fld] = _text(take(fld), keep_newlines=True)
    out["partners"] = _partners(take("partners"))

    # departments: `旧→新` means renamed; the new name is the department, the old one is kept
    def departments(u: pd.Series) -> pd.DataFrame:  # the distinct department cells
        dep = _squeeze(u)
        parts = dep.str.split(_ARROWS, regex=True)
        new = parts.str[-1].astype("string").fillna("")
        previous = parts.str[-2].astype("string").where(parts.str.len() > 1)
        # an arrow with an empty side is not a rename: keep the text as written
        broken = previous.notna() & ((new == "") | (previous.fillna("") == ""))
        new = new.mask(broken, dep)
        previous = previous.mask(broken, pd.NA)
        renamed = nfkc_series(new).str.strip().map(vocab.renames).astype("string")  # keys are NFKC
        previous = previous.where(renamed.isna(), new)
        new = renamed.where(renamed.notna(), new)
        return pd.DataFrame(
            {"department": new.astype("string").replace("", pd.NA), "department_previous": previous.astype("string")}
        )

    department = take("department")
    deps = on_distinct(department.astype("string").fillna(""), departments)
    out["department_raw"] = department.astype("string")
    del department
    out["department"] = _first_spelling(deps["department"])
    out["department_previous"] = deps["department_previous"]

    # grades onto the plan's scale
    grade_raw = take("grade").astype("string").fillna("")
    key = on_distinct(grade_raw, lambda u: nfkc_series(u).str.strip().str.casefold())
    # read by the scale (hyoka.normalise.scale: (A), ◎(予定以上), B*, １　現状維持 …), once per spelling
    code = on_distinct(grade_raw, lambda u: pd.Series([scale.code_for(t) for t in u], index=u.index, dtype=object))
    blank = key.isin(vocab.missing_markers) & code.isna()
    out["grade_raw"] = grade_raw
    out["grade"] = code.astype("string")
    ranks = {g.code: g.rank for g in scale.grades}
    standings = {g.code: g.standing for g in scale.grades}
    out["grade_rank"] = code.map(ranks).astype("Int64")
    out["grade_standing"] = code.map(standings).astype("string")
    out["grade_state"] = pd.Series(
        np.select([code.notna().to_numpy(bool), blank.to_numpy(bool)], ["on_scale", "missing"], default="off_scale"),
        index=raw.index,
        dtype="string",
    )

    # the measures of the values, the bounds and the rate, read in one pass (MeasureColumns)
    measures = MeasureColumns({c: raw[c] for c in (*VALUE_FIELDS, "target_min", "target_max", "rate")}, vocab)
    year_in_cell: dict[str, np.ndarray] = {}
    target_month = take("target_month")  # a results framework's month of the date to achieve
    for fld in VALUE_FIELDS:
        value = take(fld)
        m = measures.pop(fld)
        # as a person sees the cell: a binary float written out in full (69.900000000000006) is 69.9
        out[f"{fld}_raw"] = shown_numbers(value)
        # a year written in the value's cell (13% (平成32年), 93.8⏎(H16)) is that value's year
        in_cell = on_distinct(out[f"{fld}_raw"], _years_in_cells)
        del value
        state = m["state"]
        if fld != "target":  # only a target can state a direction instead of a number
            state = state.mask(state == DIRECTION, UNPARSEABLE)
        out[f"{fld}_value"] = m["value"]
        out[f"{fld}_unit"] = m["unit"]
        out[f"{fld}_unit_known"] = m["unit_known"]
        out[f"{fld}_state"] = state
        out[f"{fld}_low"] = m["low"]
        out[f"{fld}_high"] = m["high"]
        out[f"{fld}_qualifier"] = m["qualifier"]
        out[f"{fld}_estimate"] = m["estimate"]
        out[f"{fld}_second_raw"] = m["second"]
        out[f"{fld}_basis"] = m["basis"]
        out[f"{fld}_labels"] = m["labels"]
        out[f"{fld}_converted"] = m["converted"]
        if fld == "target":
            out["target_stated_direction"] = m["direction"].where(state == DIRECTION, pd.NA)
        year = take(f"{fld}_year").astype("string").fillna("")
        if fld == "target":  # 2018 with 3 in target_month: 2018年3月 (hyoka.normalise.status)
            year = with_month(year, target_month)
        has = (in_cell != "").to_numpy(bool)
        if has.any():
            year = year.where(~has, in_cell)
            year_in_cell[fld] = has
        y = parse_fiscal_years(year, vocab.missing_markers)
        out[f"{fld}_year_raw"] = year.astype("string").fillna("")
        del year
        out[f"{fld}_year"] = y["year"]
        out[f"{fld}_year_state"] = y["state"]
        out[f"{fld}_year_era_ok"] = y["era_ok"]
        out[f"{fld}_year_reiwa"] = era_label(y["year"])
    _declared_units(out, take("unit") if "unit" in raw else None, vocab)
    _harmonise_units(out, vocab)
    # a value in units written otherwise than the row's others (2時間30分 beside 67分, 8千人 beside
    # 1.5万人) is noted where the row has another value to compare it with (U004)
    present = {f: out[f"{f}_state"].isin([VALUE, RANGE]).to_numpy(bool) for f in VALUE_FIELDS}
    for fld in VALUE_FIELDS:
        others = np.logical_or.reduce([present[f] for f in VALUE_FIELDS if f != fld])
        out[f"{fld}_converted"] = out[f"{fld}_converted"].to_numpy(bool) & others

    normalise_series(raw, out, vocab, take)  # a wide or long table's yearly values
    for col in raw.columns:
        if col.startswith(PLACE_PREFIXES):
            out[col] = raw[col]
    for fld, has in year_in_cell.items():  # those years are placed on the value's cell
        for prefix in PLACE_PREFIXES:
            target, source = f"{prefix}{fld}_year", f"{prefix}{fld}"
            kept = out[target].to_numpy() if target in out else np.zeros(len(out), dtype="int64")
            given = out[source].to_numpy() if source in out else np.zeros(len(out), dtype=kept.dtype)
            out[target] = np.where(has, given, kept).astype(kept.dtype)
    for fld in ("grade", *VALUE_FIELDS):  # formula cells with no cached value (xlsx only)
        col = f"nocache_{fld}"
        out[col] = raw[col].fillna(False).astype(bool) if col in raw else False
    direction = take("direction") if "direction" in raw else pd.Series("", index=raw.index, dtype="string")
    out["direction_raw"] = direction.astype("string").fillna("")
    out["direction_declared"] = on_distinct(out["direction_raw"], _declared_direction)
    _target_bounds(out, take("target_min"), take("target_max"), measures.pop("target_min"), measures.pop("target_max"))
    _rate(out, take("rate"), measures.pop("rate"))
    # a results framework's own words on how to read the row (hyoka.normalise.status)
    value_type = take("value_type")
    out["value_type_raw"] = value_type.astype("string").fillna("")
    narratives(out, value_type, VALUE_FIELDS, vocab.missing_markers)
    _narrative_targets(out)
    for fld in VALUE_FIELDS:
        out[f"{fld}_unclosed"] = on_distinct(out[f"{fld}_raw"], _unclosed).fillna(False).to_numpy(bool)
    out["period_raw"] = take("period").astype("string").fillna("")
    return out


#: a target written as a sentence: no digit and no kanji numeral (so 百二十九団体 stays a number
#: that cannot be read), at least this many characters after NFKC
_NARRATIVE_MIN_CHARS = 10
_NUMERAL = re.compile(r"[0-9〇零一二三四五六七八九十百千万億兆]")


_OPEN = re.compile(r"[(（\[［【「]")
_CLOSE = re.compile(r"[)）\]］】」]")


def _unclosed(u: pd.Series) -> pd.Series:
    """True where a cell opens more brackets than it closes (100%(56施設: a cut or a typo)."""
    text = u.astype("string").fillna("")
    return text.str.count(_OPEN.pattern) > text.str.count(_CLOSE.pattern)


def _narrative_targets(out: pd.DataFrame) -> None:
    """A target written as a sentence (健康日本21's 望まない受動喫煙のない社会の実現, a plan's
    「〜の推進」) states an aim, not a number misread: its unparseable state becomes ``text``
    (hyoka.normalise.status.TEXT), as a results framework's narrative target does; in place."""
    state = out["target_state"]
    unreadable = (state == UNPARSEABLE).fillna(False).to_numpy(bool)
    if not unreadable.any():
        return

    def sentence(u: pd.Series) -> pd.Series:
        keys = nfkc_series(u.astype("string").fillna("")).str.strip()
        return (keys.str.len() >= _NARRATIVE_MIN_CHARS) & ~keys.str.contains(_NUMERAL.pattern, regex=True)

    words_ = unreadable & on_distinct(out["target_raw"], sentence).fillna(False).to_numpy(bool)
    out["target_state"] = state.mask(words_, TEXT)


#: a unit written in brackets in the indicator's name (大気環境基準達成率【%】, 排出削減量【t-NOx】),
#: or in round brackets at its end (生活排水処理率 (%)); after NFKC
_NAME_UNIT = re.compile(r"【([^【】]{1,12})】")
_NAME_UNIT_END = re.compile(r"\(([^()]{1,8})\)[※*0-9\s]*$")


def _declared_units(out: pd.DataFrame, unit_column: pd.Series | None, vocab: Vocabulary) -> None:
    """Bare numbers carry the unit the table declares for their row (in place): a column of units
    (大船渡市's サ：単位: ％, 人, 千円; a known unit, or any text without digits that is not a
    missing marker), else a unit in the indicator's name: in 【】 a known unit or one written in
    letters and signs (【%】, 【t-NOx】; 【参考】 is not a unit), in round brackets at the end of the
    name a known unit only (生活排水処理率 (%); not (NOx) or (注2)). The unit counts as known: the
    table declared it (P002 is for a unit written after a number)."""

    def from_names(u: pd.Series) -> pd.Series:
        u = nfkc_series(u)
        inner = u.str.extract(_NAME_UNIT, expand=False).fillna("").str.strip()
        canon = inner.map(vocab.unit_aliases)
        spelled = inner.str.fullmatch(r"[A-Za-z%/\-.0-9]*[A-Za-z%][A-Za-z%/\-.0-9]*").fillna(False).astype(bool)
        at_end = u.str.extract(_NAME_UNIT_END, expand=False).fillna("").str.strip().map(vocab.unit_aliases)
        return canon.fillna(inner.where(spelled, pd.NA)).fillna(at_end).astype("string")

    def from_column(u: pd.Series) -> pd.Series:
        u = nfkc_series(u).str.strip()
        written = ~u.str.contains("[0-9]", regex=True).fillna(True).astype(bool) & ~u.isin(vocab.missing_markers)
        return u.map(vocab.unit_aliases).fillna(u.where(written, pd.NA)).astype("string")

    unit = pd.Series(pd.NA, index=out.index, dtype="string")
    if unit_column is not None:
        unit = on_distinct(unit_column.astype("string").fillna(""), from_column)
    names = out["indicator"].astype("string").fillna("")
    if names.str.contains("[【(（]", regex=True).any():
        unit = unit.fillna(on_distinct(names, from_names))
    if not unit.notna().any():
        return
    for fld in VALUE_FIELDS:
        bare = (out[f"{fld}_unit"] == "").fillna(False) & unit.notna() & out[f"{fld}_state"].isin([VALUE, RANGE])
        out[f"{fld}_unit"] = out[f"{fld}_unit"].mask(bare, unit)
        out[f"{fld}_unit_known"] = out[f"{fld}_unit_known"] | bare


def _harmonise_units(out: pd.DataFrame, vocab: Vocabulary) -> None:
    """Values of one row written in units of one family (8千人 beside 1.5万人 = 15,000人; 2時間
    beside 67分: rules/vocabulary.yaml ``base``/``factor``) are given in the row's finest unit, so
    that they compare (in place: ``_value``, ``_low``, ``_high``, ``_unit``; the raw text stays). A
    row whose values share one unit keeps it (a column of 千円 stays 千円)."""
    family = {u: vocab.conversion(u) for u in vocab.units}
    if not any(root != u for u, (root, _) in family.items()):
        return
    units = {f: out[f"{f}_unit"].where(out[f"{f}_state"].isin([VALUE, RANGE]), pd.NA) for f in VALUE_FIELDS}
    present = {f: (units[f].fillna("") != "").to_numpy(bool) for f in VALUE_FIELDS}
    differ = np.zeros(len(out), dtype=bool)
    for a, b in (("baseline", "target"), ("baseline", "current"), ("target", "current")):
        differ |= present[a] & present[b] & (units[a] != units[b]).fillna(False).to_numpy(bool)
    if not differ.any():  # most tables: every row in one unit; the lookups below only on the others
        return
    rows = np.flatnonzero(differ)
    sub = {f: units[f].iloc[rows] for f in VALUE_FIELDS}
    roots = {f: u.map({k: r for k, (r, _) in family.items()}).fillna(u) for f, u in sub.items()}
    factors = {f: u.map({k: x for k, (_, x) in family.items()}).astype("float64") for f, u in sub.items()}
    here = {f: present[f][rows] for f in VALUE_FIELDS}
    convert = np.ones(len(rows), dtype=bool)
    for a, b in (("baseline", "target"), ("baseline", "current"), ("target", "current")):
        both = here[a] & here[b]
        convert &= ~both | (roots[a] == roots[b]).fillna(False).to_numpy(bool)
    for f in VALUE_FIELDS:  # every present unit must be in a family (convertible)
        convert &= ~here[f] | factors[f].notna().to_numpy(bool)
    if not convert.any():
        return
    finest = pd.concat([factors[f].where(here[f]) for f in VALUE_FIELDS], axis=1).min(axis=1)
    finest_unit = pd.Series(pd.NA, index=finest.index, dtype="string")
    for f in VALUE_FIELDS:
        finest_unit = finest_unit.fillna(sub[f].where(here[f] & (factors[f] == finest).to_numpy(bool)))
    for f in VALUE_FIELDS:
        sel = convert & here[f]
        if not sel.any():
            continue
        at = rows[sel]
        scale = (factors[f] / finest).to_numpy()[sel]
        for col in ("value", "low", "high"):
            values = out[f"{f}_{col}"].to_numpy(dtype="float64", copy=True)
            values[at] = values[at] * scale
            out[f"{f}_{col}"] = values
        converted = out[f"{f}_converted"].to_numpy(bool, copy=True)
        converted[at] |= scale != 1.0
        out[f"{f}_converted"] = converted
        unit = out[f"{f}_unit"].copy()
        unit.iloc[at] = finest_unit.to_numpy()[sel]
        out[f"{f}_unit"] = unit


def _declared_direction(s: pd.Series) -> pd.Series:
    """The direction a declared-direction cell says (:data:`DECLARED_DIRECTIONS`, first match), NA
    for an empty cell or one that says none or both."""
    key = nfkc_series(s.astype("string").fillna("")).str.replace(r"\s+", "", regex=True)
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    said = pd.Series(0, index=s.index)
    for pattern, direction in DECLARED_DIRECTIONS:  # three patterns, each on the whole column
        hit = key.str.contains(pattern, regex=True).fillna(False).astype(bool)
        out = out.mask(hit & out.isna(), direction)
        said += hit.astype(int)
    return out.mask(said > 1, pd.NA)


def _target_bounds(out: pd.DataFrame, lo_raw: pd.Series, hi_raw: pd.Series, lo: pd.DataFrame, hi: pd.DataFrame) -> None:
    """``target_min``/``target_max`` and ``target_form`` (module doc); the bounds fill the target
    of rows with no target cell, in place. ``lo``/``hi``: the measures of ``lo_raw``/``hi_raw``
    (:func:`hyoka.normalise.measures.parse_measures`). Source of the encoding: GC InfoBase's Indicators.csv and
    its glossary (met = "higher than the minimum target; lower than the maximum target; within the
    target range"), ../shared/real/published/SOURCES.md section 2."""
    lo_text, hi_text = lo_raw.astype("string").fillna(""), hi_raw.astype("string").fillna("")
    out["target_min_raw"], out["target_max_raw"] = lo_text, hi_text
    out["target_min"] = lo["value"].where(lo["state"] == VALUE)
    out["target_max"] = hi["value"].where(hi["state"] == VALUE)
    has_lo, has_hi = (lo["state"] != MISSING).to_numpy(bool), (hi["state"] != MISSING).to_numpy(bool)
    single = (out["target_state"] != MISSING).to_numpy(bool)
    # the target cell itself says its form (30%以上, 5%以下, 40%以上,60%以下, 減少傾向へ) where the
    # table has no bound columns for the row (those win)
    own = single & ~has_lo & ~has_hi
    state, qual = out["target_state"], out["target_qualifier"]
    cell_range = own & (state == RANGE).to_numpy(bool)
    cell_direction = own & (state == DIRECTION).to_numpy(bool)
    is_value = own & state.isin([VALUE, LEVEL]).to_numpy(bool)
    cell_min = is_value & qual.isin(["ge", "gt"]).fillna(False).to_numpy(bool)
    cell_max = is_value & qual.isin(["le", "lt"]).fillna(False).to_numpy(bool)
    out["target_min"] = out["target_min"].mask(cell_range, out["target_low"]).mask(cell_min, out["target_value"])
    out["target_max"] = out["target_max"].mask(cell_range, out["target_high"]).mask(cell_max, out["target_value"])
    use = ~single & (has_lo | has_hi)
    both, only_lo, only_hi = use & has_lo & has_hi, use & has_lo & ~has_hi, use & ~has_lo & has_hi
    out["target_form"] = pd.Series(
        np.select(
            [cell_range, cell_direction, cell_min, cell_max, single, both, only_lo, only_hi],
            ["range", "direction", "min", "max", "single", "range", "min", "max"],
            default="none",
        ),
        index=out.index,
        dtype="string",
    )
    if not use.any():
        return
    # one bound: its cell is the target; both: the minimum's cell, the two texts joined
    src_lo = both | only_lo
    for key in ("value", "unit", "unit_known", "state"):
        col = f"target_{key}" if key != "unit_known" else "target_unit_known"
        out[col] = out[col].mask(src_lo, lo[key]).mask(only_hi, hi[key])
    out["target_raw"] = out["target_raw"].mask(only_lo, lo_text).mask(only_hi, hi_text)
    out["target_raw"] = out["target_raw"].mask(both, lo_text + "–" + hi_text)
    ranged = both & (lo["state"] == VALUE).to_numpy(bool) & (hi["state"] == VALUE).to_numpy(bool)
    out["target_value"] = out["target_value"].mask(both, np.nan)
    out["target_state"] = out["target_state"].mask(ranged, "range").mask(both & ~ranged, UNPARSEABLE)
    out["target_low"] = out["target_low"].mask(use, out["target_min"].where(has_lo, out["target_max"]))
    out["target_high"] = out["target_high"].mask(use, out["target_max"].where(has_hi, out["target_min"]))
    for prefix in ("col_", "char_", "cellrow_"):
        lo_col, hi_col = f"{prefix}target_min", f"{prefix}target_max"
        if lo_col not in out and hi_col not in out:
            continue
        place = out[f"{prefix}target"] if f"{prefix}target" in out else pd.Series(0, index=out.index)
        if lo_col in out:
            place = place.mask(src_lo, out[lo_col])
        if hi_col in out:
            place = place.mask(only_hi, out[hi_col])
        out[f"{prefix}target"] = place.astype(out[lo_col].dtype if lo_col in out else out[hi_col].dtype)


def _rate(out: pd.DataFrame, raw: pd.Series, m: pd.DataFrame) -> None:
    """``rate_raw``, ``rate_value`` (percent), ``rate_decimals`` and ``rate_state`` (module doc),
    in place; ``m``: the measures of ``raw``. A bare number is read as a percent (93.4), as the
    xlsx reader writes a cell formatted as a percentage with its % sign (``93.4%``)."""
    text = raw.astype("string").fillna("")
    out["rate_raw"] = text
    percent = (m["state"] == VALUE) & m["unit"].isin(["%", ""]).fillna(False)
    out["rate_value"] = m["value"].where(percent)
    decimals = on_distinct(text, lambda u: nfkc_series(u).str.extract(r"[0-9]\.([0-9]+)")[0].str.len())
    out["rate_decimals"] = decimals.fillna(0).astype("int64")
    state = m["state"].where(percent | (m["state"] == MISSING), UNPARSEABLE)
    out["rate_state"] = state.where(state != LEVEL, UNPARSEABLE).astype("string")
