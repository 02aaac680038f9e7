"""Parsing Japanese measures and fiscal-year labels, on whole columns.

Measures (docs/glossary.md#values): number + unit (``17件``, ``85.19％``, ``1,234人``, ``▲5``,
``８５．１９％``; ``1.5万件`` = 15,000件; ``約30件`` and ``30件以上`` read as 30件), a qualitative level from an ordered vocabulary (``実施`` < ``充実``), or a
missing marker (``-``, ``－``, ``―``, empty, ``未集計``…), which is missing and never 0.

Fiscal years (年度, April–March): 令和 R1 = FY2019 (R3 = 2021, R9 = 2027); 平成 H1 = FY1989
(H30 = 2018, H31 = 2019); 昭和 S1 = 1926; 元 is year 1; ``2021``, ``2021年度``, ``FY2021`` and
``2014/15`` (the UK fiscal year starting 2014) are read as written.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hyoka.normalise.vocabulary import Vocabulary, nfkc_series

#: states of a parsed measure
VALUE, LEVEL, MISSING, UNPARSEABLE = "value", "level", "missing", "unparseable"
LEVEL_UNIT = "水準"  # the unit given to qualitative levels (実施, 充実…): comparable only with levels

# digits are ASCII [0-9] (NFKC has made full-width ones ASCII): Python's \d also takes other
# scripts' digits (Wancho 𞋰, Devanagari …), which float() parsing then refused
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"


MAX_MEASURE_CHARS = 40
#: qualifiers written around a number that do not change it (約30件, 30件以上, 5回程度)
QUALIFIERS = ("以上", "以下", "未満", "超", "程度", "以内", "強", "弱")
#: multipliers written before a unit (1.5万件 = 15,000件); 千 is left alone: 千円 is a unit
MULTIPLIERS = {"万": 1e4, "億": 1e8}


def _measure_regex(vocab: Vocabulary) -> re.Pattern[str]:
    signs = "".join(re.escape(s) for s in vocab.negative_signs) + r"+"
    quals = "|".join(QUALIFIERS)
    # a unit holds no digits (but m2, m3, km2 and m3/日: ² and ³ become digits under NFKC), does
    # not start with . or , (so 1,234.5.6 and 1e3 are unreadable)
    # and ends on a non-space, so no two parts of the pattern can take the same spaces (linear)
    return re.compile(
        rf"^(?:約|およそ)?\s*(?P<sign>[{signs}]?)\s*(?P<num>{_NUMBER})\s*"
        rf"(?P<mult>[万億])?(?P<unit>[^0-9\s.,](?:[^0-9]*?[^0-9\s])??|k?m[23](?:/[^0-9\s]+)?)?"
        rf"\s*(?:{quals})?\s*$",
        re.S,
    )


def on_distinct(column: pd.Series, fn):
    """``fn(column)`` computed on the column's distinct values only and spread back over its rows
    (same index). ``fn`` takes a Series and returns a Series or DataFrame on that Series' index,
    computing each element from that element alone. Published tables repeat their cells (units,
    years, grades, department names), so a million rows hold a few thousand distinct measures."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    if len(uniques) == len(column):
        return fn(column)
    distinct = pd.Series(uniques, dtype=column.dtype if column.dtype != object else None)
    out = fn(distinct).take(codes)
    out.index = column.index
    return out


def parse_measures(raw: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    """Parse a column of published measures.

    Returns a frame on ``raw``'s index with columns ``value`` (float64, NaN unless the cell held a
    number or level; a level's value is its rank), ``unit`` (str: the canonical unit, ``""`` for a
    bare number, ``水準`` for a level, NA otherwise), ``unit_known`` (bool: the unit is in
    rules/vocabulary.yaml) and ``state`` (``value``/``level``/``missing``/``unparseable``). Each
    distinct cell text is parsed once.
    """
    return on_distinct(raw.astype("string").fillna(""), lambda s: _parse_measures(s, vocab))


def _parse_measures(raw: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    text = nfkc_series(raw).str.strip()
    # a measure is short: a long cell is text and is never run through the patterns below
    short = text.str.len() <= MAX_MEASURE_CHARS
    # notes written after a measure (35件※, 35件※1, 35件（速報値）) are not part of its unit
    text = text.where(
        ~short, text.where(short, "").str.replace(r"(?:※[0-9]*|\([^()]*\))$", "", regex=True).str.rstrip()
    )
    missing = text.isin(vocab.missing_markers)
    level_rank = text.map(vocab.levels)
    is_level = level_rank.notna() & ~missing
    m = text.where(short, "").str.extract(_measure_regex(vocab))
    is_number = m["num"].notna() & ~missing & ~is_level
    number = pd.to_numeric(m["num"].str.replace(",", "", regex=False), errors="coerce")
    number = number * m["mult"].map(MULTIPLIERS).astype("float64").fillna(1.0)
    negative = m["sign"].fillna("").isin(vocab.negative_signs)
    value = number.where(~negative, -number).where(is_number)
    value = value.where(~is_level, level_rank.astype("float64"))

    unit_text = m["unit"].fillna("").str.strip()
    unit_canon = unit_text.map(vocab.unit_aliases)
    unit_known = (unit_text == "") | unit_canon.notna()
    unit = unit_canon.where(unit_canon.notna(), unit_text)
    unit = unit.where(is_number, pd.NA).where(~is_level, LEVEL_UNIT)

    state = np.select(
        [missing.to_numpy(bool), is_level.to_numpy(bool), is_number.to_numpy(bool)],
        [MISSING, LEVEL, VALUE],
        default=UNPARSEABLE,
    )
    return pd.DataFrame(
        {
            "value": value.astype("float64"),
            "unit": unit.astype("string"),
            "unit_known": (unit_known | ~is_number).astype(bool),
            "state": pd.Series(state, index=raw.index, dtype="string"),
        },
        index=raw.index,
    )


_ERA_BASE = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988, "S": 1925, "昭和": 1925}
_ERA_LAST = {"H": 31, "S": 64, "R": float("inf")}  # H31 = FY2019 (R1 began 1 May 2019)


def parse_fiscal_years(raw: pd.Series, missing: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Parse a column of fiscal-year labels.

    Returns a frame with ``year`` (Int64 fiscal year, NA when empty or unreadable), ``state``
    (``value``/``missing``/``unparseable``) and ``era_ok`` (False for a label outside its era's
    span: H32 and later are really 令和, S65 and later 平成; H32 still parses as 2020 so the rules
    can say what was meant). Each distinct label is parsed once.
    """
    return on_distinct(raw.astype("string").fillna(""), lambda u: _parse_fiscal_years(u, missing))


_ERA_NAMES = {"令和": "R", "平成": "H", "昭和": "S"}
#: one fiscal-year label as published (after NFKC): an era year or a western year, a period
#: (H30〜35年度: its end), a date (平成25年3月31日, 2022年3月, R5.3.31, 2023/3/31), with 年度 / 年 and a
#: point in the year (末, 当初, 中, 見込み, 時点, 現在). Sources: docs/glossary.md#values and the
#: year cells of ../shared/real (SOURCES.md: 平成20年度 (平成20年4月1日時点), H30年度末, (平成21年)).
_YEAR_LABEL = re.compile(
    r"^(?:(?P<era>R|令和|H|平成|S|昭和)\s*(?P<n>[0-9]{1,2}|元)(?:\s*[-~〜～]\s*(?:(?:R|令和|H|平成)\s*)?(?P<n2>[0-9]{1,2}))?"
    r"|(?:FY)?\s*(?P<y>[0-9]{4})(?:/(?P<fy>[0-9]{2}|[0-9]{4})(?![0-9./]))?(?:\s*[-~〜～]\s*(?P<y2>[0-9]{2}|[0-9]{4}))?)"
    r"\s*(?P<unit>年度|年)?"
    r"(?:\s*(?P<m>[0-9]{1,2})\s*月(?:\s*(?P<d>[0-9]{1,2})\s*日)?"
    r"|[./](?P<m2>[0-9]{1,2})(?:[./](?P<d2>[0-9]{1,2}))?)?"
    r"\s*(?:末|当初|中|見込み?|時点|現在|実績)?$",
    re.I,
)
#: a bracketed note after the year (時点, 現在, 速報 …) or around it: not part of the label
_YEAR_NOTE = re.compile(r"\s*[(\[【][^()\[\]【】]*[)\]】]\s*")
_RECURRING = {"毎年度", "毎年", "各年度", "毎年度末"}
#: in a year cell なし means "no year" (in a value cell it may mean zero, so it is not a marker there)
_NO_YEAR = {"なし", "無し", "該当なし"}
#: a note opened after the label and never closed (令和4年度 (令和5年3月)
_OPEN_NOTE = re.compile(r"\s*[(\[【][^()\[\]【】]*$")


def fiscal_year_of(text: str, missing: frozenset[str] = frozenset()) -> tuple[float | None, str, bool]:
    """One year cell as published → (fiscal year or None, state, whether the era label is within
    its era). The fiscal year runs April–March: a date in January–March of a calendar year (a
    年 with a month: 平成25年3月31日, 2022年3月, R5.3.31) belongs to the fiscal year before. A
    period is dated by its end; a year in brackets, alone or as a note beside the label, is read
    (the label first). ``2019/20`` is the fiscal year 2019 (as UK and Canadian tables write it).
    毎年度 (a recurring target) and the ``missing`` markers have no year: ``missing``."""
    t = text.strip()
    if not t or t in missing:  # a placeholder (-, −, 未定 …: rules/vocabulary.yaml)
        return None, MISSING, True
    if t in _RECURRING or t in _NO_YEAR:
        return None, MISSING, True
    candidates = [t]
    bare = _OPEN_NOTE.sub("", _YEAR_NOTE.sub(" ", t)).strip()  # 平成20年度 (平成20年4月1日時点) → 平成20年度
    if bare and bare != t:
        candidates.append(bare)
    inner = re.fullmatch(r"[(\[【]\s*(.*?)\s*[)\]】]", t)  # (平成21年) → 平成21年
    if inner:
        candidates.append(inner.group(1))
    for c in candidates:
        m = _YEAR_LABEL.match(c)
        if m:
            break
    else:
        return None, UNPARSEABLE, True
    month = m.group("m") or m.group("m2")
    era = m.group("era")
    if era:
        code = _ERA_NAMES.get(era, era.upper())
        n = 1 if m.group("n") == "元" else int(m.group("n"))
        end = int(m.group("n2")) if m.group("n2") else n
        year = _ERA_BASE[code] + end
        era_ok = 1 <= n <= _ERA_LAST[code] and 1 <= end <= _ERA_LAST[code]
    else:
        year = int(m.group("y"))
        if m.group("y2"):
            y2 = m.group("y2")
            year = int(y2) if len(y2) == 4 else year // 100 * 100 + int(y2)
            if year < int(m.group("y")):
                year += 100
        era_ok = True
    # a calendar date in January–March is in the fiscal year that began the April before
    if month and m.group("unit") != "年度" and 1 <= int(month) <= 3:
        year -= 1
    return float(year), VALUE, era_ok


def _parse_fiscal_years(raw: pd.Series, missing: frozenset[str]) -> pd.DataFrame:
    """:func:`fiscal_year_of` on each label of ``raw`` (called once per distinct label)."""
    parsed = [fiscal_year_of(t, missing) for t in nfkc_series(raw).tolist()]
    return pd.DataFrame(
        {
            "year": pd.array([p[0] for p in parsed], dtype="Float64").round().astype("Int64"),
            "state": pd.Series([p[1] for p in parsed], index=raw.index, dtype="string"),
            "era_ok": pd.Series([p[2] for p in parsed], index=raw.index, dtype=bool),
        },
        index=raw.index,
    )


def parse_fiscal_year(label: str) -> int | None:
    """One label (``R3`` → 2021); None when it is not a year label."""
    out = parse_fiscal_years(pd.Series([label]))
    y = out["year"].iloc[0]
    return None if pd.isna(y) else int(y)
