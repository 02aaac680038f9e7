"""Parsing Japanese measures and fiscal-year labels, on whole columns.

Measures (docs/glossary.md#values), read as written:

- a number and a unit: ``17件``, ``85.19％``, ``1,234人``, ``▲5``, ``８５．１９％``; multipliers alone
  or combined (``1.5万件`` = 15,000件, ``1兆7,319億円`` = 1.7319e12円, ``3千件`` = 3,000件; ``千円``,
  ``千人`` and ``千t`` stay units of their own); units of one family written together add up
  (``2時間30分`` = 150分);
- qualifiers kept (``qualifier``): ``30%以上`` is 30% at least (``ge``), ``以下``/``以内`` at most
  (``le``), ``超`` more than (``gt``), ``未満`` less than (``lt``), ``約30件`` / ``30%程度`` about
  (``approx``);
- estimates marked (``estimate``): ``78.9%(推計)``, ``35件（速報値）``, ``120人（見込み）``;
- notes dropped: ``※``, ``(注3)``, a bracketed year or text, a last line without a number
  (``36.6%(注3)⏎【参考】総合職試験等事務系区分`` is 36.6%);
- a second quantity kept: in brackets in the value's unit (``60(57)``: ``second`` 57) or in another
  unit (``100%(10施設)``, also unclosed ``100%(56施設``: ``basis`` 10施設), after a slash
  (``5戸/14戸``: 5戸, ``basis`` 14戸), or before the value as its basis (``1日当たり67分``,
  ``1月当たりの利用人数1136人``: ``basis`` 1日当たり …);
- a range (state ``range``, ``low``/``high`` its ends): ``23.4〜30.7%``, ``40%以上,60%以下``;
- several values in one cell (state ``several``, ``labels`` what each is called): ``男女計:8.5%
  男性:12.9% 女性:2.8%``: none is taken;
- a text that only states a direction (state ``direction``, ``direction`` increase/decrease/keep):
  ``減少傾向へ``, ``都道府県格差の縮小`` (meaningful for a target only: hyoka.normalise.frame);
- a qualitative level from an ordered vocabulary (``実施`` < ``充実``); a missing marker (``-``, ``－``,
  ``―``, empty, ``未集計``, ``N/A``, ``なし``…, also followed by an explanation: ``N/A In fiscal year
  …``), which is missing and never 0 — unless a plan says a word means zero (``zero_markers``).

The words (units and their conversions, qualifiers, estimate markers, multipliers, basis and
direction words, missing markers, levels) are data: rules/vocabulary.yaml, extended per plan
(hyoka.normalise.vocabulary.extend_vocabulary). Common cells are read by one regular expression
over the whole column of distinct texts; only the others (ranges, second quantities, several
values …) are read one by one in Python (:func:`read_measure`), which gives the same reading.

Fiscal years (年度, April–March): 令和 R1 = FY2019 (R3 = 2021, R9 = 2027); 平成 H1 = FY1989
(H30 = 2018, H31 = 2019); 昭和 S1 = 1926; 元 is year 1; ``2021``, ``2021年度``, ``FY2021`` and
``2014/15`` (the UK fiscal year starting 2014) are read as written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hyoka.normalise.vocabulary import Vocabulary, nfkc_series

#: states of a parsed measure
VALUE, LEVEL, MISSING, UNPARSEABLE = "value", "level", "missing", "unparseable"
RANGE, SEVERAL, DIRECTION = "range", "several", "direction"
STATES = (VALUE, LEVEL, MISSING, UNPARSEABLE, RANGE, SEVERAL, DIRECTION)
LEVEL_UNIT = "水準"  # the unit given to qualitative levels (実施, 充実…): comparable only with levels

# digits are ASCII [0-9] (NFKC has made full-width ones ASCII): Python's \d also takes other
# scripts' digits (Wancho 𞋰, Devanagari …), which float() parsing then refused
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"

MAX_MEASURE_CHARS = 40
#: the columns :func:`parse_measures` returns
MEASURE_COLUMNS = (
    "value",
    "unit",
    "unit_known",
    "state",
    "low",
    "high",
    "qualifier",
    "estimate",
    "second",
    "basis",
    "labels",
    "direction",
    "converted",
)
#: brackets after NFKC: ( ) [ ] 【 】 〔 〕
_OPEN, _CLOSE = "([【〔", ")]】〕"
#: characters that separate the two ends of a range (23.4〜30.7%)
_RANGE_SEPARATORS = ("〜", "~", "-", "–", "—", "―", "−", "から")


def _alternation(words) -> str:
    """A regex alternation of literal words, longest first (so 以上 is tried before 以)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)


@dataclass(frozen=True)
class _Grammar:
    """The regular expressions of one vocabulary (built once per parse_measures call)."""

    fast: re.Pattern[str]
    token: re.Pattern[str]
    estimate: str
    estimate_tail: str
    basis: re.Pattern[str] | None
    signs: str


def _grammar(vocab: Vocabulary) -> _Grammar:
    signs = "".join(re.escape(s) for s in vocab.negative_signs)
    pre = _alternation(vocab.qualifiers_before) or "(?!)"
    post = _alternation(vocab.qualifiers_after) or "(?!)"
    mult = "".join(re.escape(m) for m in vocab.multipliers) or "(?!)"
    mult_class = f"[{mult}]" if vocab.multipliers else "(?!)"
    est = _alternation(vocab.estimate_markers)
    # a unit holds no digits (but m2, m3, km2 and m3/日: ² and ³ become digits under NFKC), does
    # not start with . or , (so 1,234.5.6 and 1e3 are unreadable), a bracket, a slash or a dash
    # (a second quantity, a range: read one by one) and ends on a non-space, so no two parts of
    # the pattern can take the same spaces (linear)
    fast = re.compile(
        rf"^(?:(?P<pre>{pre})\s*)?(?P<sign>[{signs}]?)\s*(?P<num>{_NUMBER})\s*"
        rf"(?P<mult>{mult_class})?(?P<unit>[^0-9\s.,〜~:;()\[\]【】〔〕、/\-–—―−](?:[^0-9\s.,〜~:;()\[\]【】〔〕、]*?[^0-9\s.,〜~:;()\[\]【】〔〕、])??|k?m[23](?:/[^0-9\s]+?)?)?"
        rf"\s*(?P<qual>{post})?\s*$",
        re.S,
    )
    # one quantity inside a longer cell: its unit stops at a separator, a bracket or a space, and
    # at a slash followed by a number (5戸/14戸); 人/年 stays one unit
    stop = r"0-9\s.,、〜~:;()\[\]【】〔〕/"
    unit_char = rf"[^{stop}\-–—―−]"  # a unit neither starts nor ends on a dash (10-20件; t-NOx)
    token = re.compile(
        rf"(?:(?P<pre>{pre})\s*)?(?P<sign>[{signs}]?)(?P<num>{_NUMBER})"
        rf"(?P<tail>(?:\s*{mult_class}\s*(?:{_NUMBER})?)*)\s*"
        rf"(?P<unit>k?m[23](?:/[^{stop}]+)?|{unit_char}(?:(?:[^{stop}]|/(?=[^0-9\s/]))*{unit_char})?)?"
        rf"(?P<qual>{post})?"
    )
    words = _alternation(vocab.basis_words)
    basis = re.compile(rf"^(?P<basis>.*?(?:{words})[^0-9{signs}]*?)\s*(?=[0-9{signs}.])", re.S) if words else None
    return _Grammar(fast, token, est or "(?!)", rf"(?:{est})(?:み|値)?$" if est else "(?!)", basis, signs)


_GRAMMARS: dict[tuple, _Grammar] = {}


def _grammar_of(vocab: Vocabulary) -> _Grammar:
    """The grammar of ``vocab``'s words, built once per distinct set of words."""
    key = (
        tuple(vocab.negative_signs),
        tuple(sorted(vocab.qualifiers_before.items())),
        tuple(sorted(vocab.qualifiers_after.items())),
        tuple(sorted(vocab.multipliers.items())),
        tuple(vocab.estimate_markers),
        tuple(vocab.basis_words),
    )
    if key not in _GRAMMARS:
        if len(_GRAMMARS) > 16:
            _GRAMMARS.clear()
        _GRAMMARS[key] = _grammar(vocab)
    return _GRAMMARS[key]


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
    """Parse a column of published measures (module doc).

    Returns a frame on ``raw``'s index with columns :data:`MEASURE_COLUMNS`: ``value`` (float64,
    NaN unless the cell held one number or a level; a level's value is its rank), ``unit`` (str:
    the canonical unit, ``""`` for a bare number, ``水準`` for a level, NA otherwise), ``unit_known``
    (bool: the unit is in the vocabulary), ``state`` (:data:`STATES`), ``low``/``high`` (float64:
    the ends of a range, the value itself otherwise), ``qualifier`` (ge/gt/le/lt/approx or NA),
    ``estimate`` (bool), ``second`` (str: a second quantity in the value's unit, ``60(57)`` → 57),
    ``basis`` (str: the quantity or basis the value is measured over: 10施設, 14戸, 1日当たり),
    ``labels`` (str: what each of several values is called, joined by 、), ``direction``
    (increase/decrease/keep for a text that only states one); NA where there is none;
    ``converted`` (bool: units of one family added up into the last one, 2時間30分 → 150分). Each
    distinct cell text is parsed once.
    """
    return on_distinct(raw.astype("string").fillna(""), lambda s: _parse_measures(s, vocab))


class MeasureColumns:
    """Several columns' measures read together: each distinct text of all of them is parsed once,
    in one pass (:func:`parse_measures` of each column, made at once). A table's baseline, target,
    current, bounds and rate repeat each other's units, markers and blanks, and on a small table
    a pass costs its sixty-odd pandas operations whatever the number of texts (about 10 ms), so
    one pass instead of six is most of normalising a small table's measures. Each text is read
    from itself alone (:func:`on_distinct`'s contract), so every column's frame is the one
    :func:`parse_measures` gives it. Only the distinct texts are combined, never the columns.

    ``columns``: name → a column of published measures (each keeps its own index). ``pop(name)``
    returns that column's frame (the index, columns and dtypes of :func:`parse_measures`) and
    forgets the column."""

    def __init__(self, columns: dict[str, pd.Series], vocab: Vocabulary) -> None:
        self._codes: dict[str, tuple[np.ndarray, pd.Index]] = {}
        distinct: list[pd.Series] = []
        for name, column in columns.items():
            codes, uniques = pd.factorize(column.astype("string").fillna(""), use_na_sentinel=False)
            distinct.append(pd.Series(uniques, dtype="string"))
            self._codes[name] = (codes, column.index)
        union = pd.concat(distinct, ignore_index=True).drop_duplicates(ignore_index=True) if distinct else None
        self._parsed = _parse_measures(union, vocab) if union is not None else None
        if union is not None:
            where = pd.Index(union)
            for (name, (codes, index)), uniques in zip(self._codes.items(), distinct):
                self._codes[name] = (where.get_indexer(uniques)[codes], index)

    def pop(self, name: str) -> pd.DataFrame:
        """The frame :func:`parse_measures` gives column ``name``. Raises KeyError for a column
        not given (or already popped)."""
        at, index = self._codes.pop(name)
        assert self._parsed is not None  # a column was given
        out = self._parsed.take(at)
        out.index = index
        return out


#: Python's whitespace (str.isspace, all below U+3001) as a class of literal characters: with it
#: pandas runs a pattern in Arrow (RE2) on the whole column, where ``\s`` sends it to Python's re
#: element by element (the same matches; hyoka.normalise.frame does the same)
_WS = "".join(re.escape(c) for c in map(chr, range(0x3001)) if c.isspace())


def _missing(trimmed: pd.Series, text: pd.Series, vocab: Vocabulary) -> pd.Series:
    """Missing markers (``trimmed``: the cell without its trailing notes), compared casefolded; a
    word marker followed by an explanation (``N/A In fiscal year…``, ``不明（調査中）``) too. A
    symbol marker (``-``) so followed only when no digit follows (``- 5`` stays −5). Regular
    expressions run in Arrow on the whole column."""
    missing = trimmed.isin(vocab.missing_markers) | trimmed.str.lower().isin(vocab.missing_markers)
    words = _alternation(m for m in vocab.missing_markers if any(c.isalnum() for c in m))
    if words:
        explained = text.str.contains(rf"^(?:{words})[{_WS}(:：]", case=False, regex=True)
        missing |= explained.fillna(False).astype(bool)
    symbols = _alternation(m for m in vocab.missing_markers if m and not any(c.isalnum() for c in m))
    if symbols:
        noted = text.str.contains(rf"^(?:{symbols})[{_WS}(]", regex=True).fillna(False).astype(bool)
        missing |= noted & ~text.str.contains("[0-9]", regex=True).fillna(False).astype(bool)
    return missing.astype(bool)


def _parse_measures(raw: pd.Series, vocab: Vocabulary) -> pd.DataFrame:
    g = _grammar_of(vocab)
    idx = raw.index
    text = nfkc_series(raw).str.strip()
    # a measure is short: a long cell is text and is never run through the patterns below
    short = (text.str.len() <= MAX_MEASURE_CHARS).to_numpy(bool)
    estimate = pd.Series(False, index=idx)
    if vocab.estimate_markers:
        estimate = text.str.contains(g.estimate, regex=True).fillna(False).astype(bool) & short
    # notes written after a measure (35件※, 35件※1, 35件（速報値）, 13% (平成32年)) are not part of
    # it; a bracket opening on a number (100%(10施設), 60(57)) is a second quantity, read below
    trimmed = text.where(
        ~short,
        text.where(short, "")
        .str.replace(
            rf"(?:[{_WS}]*(?:※[0-9]*|[(\[【〔](?:[^0-9.▲△()\[\]【】〔〕-][^()\[\]【】〔〕]*)?[)\]】〕]))+$",
            "",
            regex=True,
        )
        .str.rstrip(),
    )
    missing = _missing(trimmed, text, vocab)
    zero = trimmed.isin(vocab.zero_markers) & ~missing
    level_rank = trimmed.map(vocab.levels)
    is_level = level_rank.notna() & ~missing & ~zero
    m = trimmed.where(short, "").str.extract(g.fast)
    fast = (m["num"].notna() & ~missing & ~is_level & ~zero).astype(bool)

    # 千 before a unit of its own (千円, 千人) is that unit, not a multiplier
    mult = m["mult"].fillna("")
    unit_text = m["unit"].fillna("").str.strip()
    if vocab.estimate_markers:  # 120人見込み: the unit is 人
        unit_text = unit_text.str.replace(g.estimate_tail, "", regex=True).str.strip()
    # a bare number's qualifier (30以上) is not its unit
    only_qualifier = unit_text.isin(vocab.qualifiers_after.keys())
    qual_written = m["qual"].mask(only_qualifier, unit_text)
    unit_text = unit_text.mask(only_qualifier, "")
    own = (mult != "") & (mult + unit_text).isin(vocab.unit_aliases.keys())
    unit_text = unit_text.mask(own, mult + unit_text)
    mult = mult.mask(own, "")
    number = pd.to_numeric(m["num"].str.replace(",", "", regex=False), errors="coerce")
    multiplied = mult != ""
    if multiplied.any():
        number = number.mask(multiplied, number * mult[multiplied].map(vocab.multipliers).astype("float64"))
    negative = m["sign"].fillna("").isin(vocab.negative_signs)
    value = number.where(~negative, -number).where(fast)
    value = value.where(~is_level, level_rank.astype("float64")).mask(zero, 0.0)
    qualifier = pd.Series(pd.NA, index=idx, dtype=object)
    for written_col, table in ((qual_written, vocab.qualifiers_after), (m["pre"], vocab.qualifiers_before)):
        written = written_col.dropna()  # few cells carry a qualifier: look up only those
        if len(written):
            qualifier.loc[written.index] = written.map(table).to_numpy(dtype=object)
    unit_canon = unit_text.map(vocab.unit_aliases)
    unit_known = (unit_text == "") | unit_canon.notna()
    unit = unit_canon.where(unit_canon.notna(), unit_text)
    unit = unit.where(fast, pd.NA).where(~is_level, LEVEL_UNIT).mask(zero, "")

    state = pd.Series(
        np.select(
            [missing.to_numpy(bool), is_level.to_numpy(bool), (fast | zero).to_numpy(bool)],
            [MISSING, LEVEL, VALUE],
            default=UNPARSEABLE,
        ),
        index=idx,
        dtype=object,
    )
    out = {
        "value": value.astype("float64"),
        "unit": unit.astype(object),
        "unit_known": (unit_known | ~fast).astype(bool),
        "state": state,
        "qualifier": qualifier.where(fast).astype(object),
    }
    none = pd.Series(pd.NA, index=idx, dtype=object)
    for col in ("second", "basis", "labels", "direction"):
        out[col] = none
    out["low"] = out["high"] = out["value"]  # a single value is both its ends
    out["converted"] = pd.Series(False, index=idx)

    # the rest, one by one: ranges, second quantities, bases, several values, compound numbers
    slow = short & (state == UNPARSEABLE).to_numpy(bool) & (text != "").to_numpy(bool)
    if slow.any():
        cols = {c: v.to_numpy(copy=True) for c, v in out.items()}
        for i, t in zip(np.flatnonzero(slow), text[slow].tolist()):
            r = read_measure(t, vocab, g)
            for c in ("state", "value", "unit_known", "low", "high", "converted"):
                cols[c][i] = getattr(r, c)
            for c in ("unit", "qualifier", "second", "basis", "labels", "direction"):
                v = getattr(r, c)
                cols[c][i] = pd.NA if v is None or (c != "unit" and not v) else v
        out = {c: pd.Series(v, index=idx) for c, v in cols.items()}
    frame = pd.DataFrame(
        {
            "value": out["value"].astype("float64"),
            "unit": out["unit"].astype("string"),
            "unit_known": out["unit_known"].astype(bool),
            "state": out["state"].astype("string"),
            "low": out["low"].astype("float64"),
            "high": out["high"].astype("float64"),
            "qualifier": out["qualifier"].astype("string"),
            "estimate": estimate.astype(bool),
            "second": out["second"].astype("string"),
            "basis": out["basis"].astype("string"),
            "labels": out["labels"].astype("string"),
            "direction": out["direction"].astype("string"),
            "converted": out["converted"].astype(bool),
        },
        index=idx,
    )
    return frame


@dataclass(frozen=True)
class Reading:
    """One cell read by :func:`read_measure` (the columns of :func:`parse_measures`)."""

    state: str
    value: float = math.nan
    unit: str | None = None
    unit_known: bool = True
    low: float = math.nan
    high: float = math.nan
    qualifier: str | None = None
    second: str | None = None
    basis: str | None = None
    labels: str | None = None
    direction: str | None = None
    converted: bool = False  # units of one family added up (2時間30分 → 150分)


@dataclass(frozen=True)
class _Quantity:
    label: str  # the text before it (男女計:), separators included
    value: float
    unit: str  # canonical when known, else as written; "" for a bare number
    unit_known: bool
    qualifier: str | None
    text: str  # as written (14戸)
    converted: bool = False  # the sum of quantities in units of one family (2時間30分)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _quantity(m: re.Match[str], label: str, vocab: Vocabulary, g: _Grammar) -> _Quantity | None:
    """One quantity matched by the grammar's token pattern; None when its multipliers are out of
    order (1万2兆)."""
    value = _number(m.group("num"))
    unit = (m.group("unit") or "").strip()
    qualifier = vocab.qualifiers_before.get(m.group("pre") or "") or vocab.qualifiers_after.get(m.group("qual") or "")
    # qualifiers and estimate words glued to the unit (30%以上, 120人見込み)
    for word in sorted(vocab.qualifiers_after, key=len, reverse=True):
        if unit.endswith(word):
            unit, qualifier = unit[: -len(word)].strip(), qualifier or vocab.qualifiers_after[word]
            break
    unit = re.sub(g.estimate_tail, "", unit).strip()
    parts = re.findall(rf"([{''.join(map(re.escape, vocab.multipliers))}])\s*({_NUMBER})?", m.group("tail") or "")
    if parts:
        last_mult, last_num = parts[-1]
        # 1,200千円: 千円 is the unit; in 1万2千人 the 千 multiplies the 2 (12,000人, not 10,002千人)
        if not last_num and len(parts) == 1 and last_mult + unit in vocab.unit_aliases:
            unit = last_mult + unit
            parts = parts[:-1]
        # Japanese numbers count in groups of 万, 億, 兆 (big), each group written with 千 and 百
        # (small): 1億2千万 = (1)億 + (2千)万 = 120,000,000; 3千5百 = 3,500. Out of order is None.
        total, group = 0.0, 0.0
        big, small = math.inf, math.inf
        carry: float | None = value
        for mult, num in parts:
            factor = vocab.multipliers[mult]
            if factor < 1e4:
                if carry is None or factor >= small:
                    return None
                group, small = group + carry * factor, factor
            else:
                if factor >= big or (carry is None and group == 0):
                    return None
                total += (group + (carry or 0.0)) * factor
                group, big, small = 0.0, factor, math.inf
            carry = _number(num) if num else None
        value = total + group + (carry or 0.0)
    if m.group("sign") in vocab.negative_signs:
        value = -value
    canon = vocab.unit_aliases.get(unit)
    return _Quantity(label, value, canon or unit, unit == "" or canon is not None, qualifier, m.group(0).strip())


_NOTE_GROUP = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)(?:[)\]】〕]|$)")
_LABEL_TRIM = " \t\n:：;、,・=＝"


def _clean_label(label: str) -> str:
    return label.strip(_LABEL_TRIM)


def read_measure(text: str, vocab: Vocabulary, g: _Grammar | None = None) -> Reading:
    """One trimmed NFKC cell read by the whole grammar (module doc): the slow path of
    :func:`parse_measures`, for the cells its column-wide pattern does not read."""
    g = g or _grammar_of(vocab)
    body = re.sub(r"※[0-9]*", " ", text)
    seconds: list[_Quantity] = []
    bracketed = []

    def group(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        match = g.token.fullmatch(inner)
        if match and not _is_year(inner):
            found = _quantity(match, "", vocab, g)
            if found is not None:
                seconds.append(found)
                bracketed.append(inner)
        return " "

    body = _NOTE_GROUP.sub(group, body)
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    # lines after the first that hold no number are notes (【参考】総合職試験等事務系区分)
    lines = lines[:1] + [ln for ln in lines[1:] if re.search(r"[0-9]", ln)]
    body = " ".join(lines).strip()
    if not body:
        return Reading(UNPARSEABLE)
    if vocab.is_missing(body):
        return Reading(MISSING)
    if body in vocab.levels:
        rank = float(vocab.levels[body])
        return Reading(LEVEL, rank, "水準", True, rank, rank)
    body = re.sub(r"から(?=\s*[0-9.▲△])", "〜", body)  # 10から20件 is 10〜20件 (10件から20件へ stays text)
    basis = None
    if g.basis is not None:
        before = g.basis.match(body)
        if before:
            basis, body = before.group("basis").strip(), body[before.end() :].strip()
    quantities: list[_Quantity] = []
    pos = 0
    for m in g.token.finditer(body):
        label = body[pos : m.start()]
        one = _quantity(m, label, vocab, g)
        if one is None:
            return Reading(UNPARSEABLE)
        quantities.append(one)
        pos = m.end()
    if not quantities:
        return _direction_only(body, vocab)
    if _clean_label(body[pos:]):  # text after the last number (10件から20件へ)
        return Reading(UNPARSEABLE)
    first = quantities[0]
    if len(quantities) == 1:
        return Reading(UNPARSEABLE) if _clean_label(first.label) else _single(first, seconds, bracketed, basis)
    if len(quantities) == 2 and not _clean_label(first.label):
        a, b = quantities
        gap = b.label.strip()
        # 10-20: the dash was read as the second number's sign
        if not gap and math.copysign(1.0, b.value) < 0 and b.text.startswith(("-", "−")):  # -0 too (0-0%)
            gap, b = "-", _Quantity(b.label, -b.value, b.unit, b.unit_known, b.qualifier, b.text[1:])
        unit = a.unit or b.unit
        same_unit = not a.unit or not b.unit or a.unit == b.unit
        if same_unit and (
            gap in _RANGE_SEPARATORS
            or (gap in ("", ",", "、") and a.qualifier in ("ge", "gt") and b.qualifier in ("le", "lt"))
        ):
            if a.value > b.value:
                return Reading(UNPARSEABLE)
            return Reading(RANGE, math.nan, unit, a.unit_known and b.unit_known, a.value, b.value, basis=basis)
        if gap == "/" and same_unit:  # 5戸/14戸: 5戸 out of 14戸
            part = _Quantity("", a.value, unit, a.unit_known and b.unit_known, a.qualifier, a.text)
            return _single(part, seconds, bracketed, basis, denominator=b.text)
    if not _clean_label(first.label):
        compound = _compound(quantities, vocab)
        if compound is not None:
            return _single(compound, seconds, bracketed, basis)
    # several values, each set apart by a space, a separator or its label; numbers glued to each
    # other (1,234.5.6, 1e3) are malformed
    gaps = [q.label.strip() for q in quantities[1:]]
    if any(not q.label for q in quantities[1:]) or any(gap in (*_RANGE_SEPARATORS, "/") for gap in gaps):
        return Reading(UNPARSEABLE)  # nor a range of two units (10%〜20件)
    # what each value is called (男女計、男性、女性), or the value itself where it has no name
    labels = [_clean_label(q.label) or q.text for q in quantities]
    return Reading(SEVERAL, labels="、".join(labels), basis=basis)


def _is_year(text: str) -> bool:
    """A bracketed year (平成26年, H16, 2019年度) rather than a quantity."""
    if not re.search(r"[0-9]{4}|[RHS令平昭]", text):
        return False
    return fiscal_year_of(text)[1] == VALUE


def _single(
    q: _Quantity, seconds: list[_Quantity], bracketed: list[str], basis: str | None, denominator: str | None = None
) -> Reading:
    """One value with what was written beside it: a bracketed quantity in its unit (or bare) is a
    second value (60(57)); in another unit it is the basis (100%(10施設)), as is a denominator."""
    second = None
    bases = [basis] if basis else []
    for s, inner in zip(seconds, bracketed):
        if s.unit == q.unit or s.unit == "":
            second = second or inner
        else:
            bases.append(inner)
    if denominator:
        bases.append(denominator)
    return Reading(
        VALUE,
        q.value,
        q.unit,
        q.unit_known,
        q.value,
        q.value,
        q.qualifier,
        second,
        " ".join(re.sub(r"\s+", "", b) for b in bases) or None,  # 1日 当たり is 1日当たり: compared as text
        converted=q.converted,
    )


def _compound(quantities: list[_Quantity], vocab: Vocabulary) -> _Quantity | None:
    """Quantities written together in units of one family, largest first (2時間30分, 1年6か月):
    their sum in the last one's unit; None otherwise."""
    if any(_clean_label(q.label) for q in quantities[1:]) or any(q.qualifier for q in quantities[:-1]):
        return None
    conv = [vocab.conversion(q.unit) for q in quantities]
    if not all(q.unit_known and q.unit for q in quantities) or len({root for root, _ in conv}) != 1:
        return None
    factors = [f for _, f in conv]
    if any(a <= b for a, b in zip(factors, factors[1:])):
        return None
    last = factors[-1]
    total = sum(q.value * f / last for q, f in zip(quantities, factors))
    q = quantities[-1]
    return _Quantity("", total, q.unit, True, q.qualifier, "".join(x.text for x in quantities), converted=True)


def _direction_only(text: str, vocab: Vocabulary) -> Reading:
    """A text with no number that names words of one direction only (減少傾向へ)."""
    said = {d for d, words in vocab.direction_words.items() if any(w in text for w in words)}
    if len(said) == 1:
        return Reading(DIRECTION, direction=said.pop())
    return Reading(UNPARSEABLE)


def number_text(value: float) -> str:
    """A number as Excel shows it in a General cell: 15 significant digits, no exponent, no
    trailing zeros (69.900000000000006 → ``69.9``; 1.7319e12 → ``1731900000000``)."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.15g}"
    if "e" in text:
        text = np.format_float_positional(float(text), trim="-")
    return "0" if text in ("-0", "0") else text


#: a plain number written with more digits than a double holds (a binary float written out in
#: full: 69.900000000000006, 36.700000000000003), shown as Excel shows it
_LONG_NUMBER = r"^-?[0-9]+\.[0-9]{12,}$"


def shown_numbers(raw: pd.Series) -> pd.Series:
    """Cell texts as a person sees them: a plain number with 16 or more significant digits is shown
    with 15 (:func:`number_text`); every other text is unchanged. Once per distinct text."""

    def distinct(u: pd.Series) -> pd.Series:
        long = u.str.strip().str.match(_LONG_NUMBER).fillna(False).astype(bool)
        if not long.any():
            return u
        return u.mask(long, u[long].map(lambda t: number_text(float(t))))

    text = raw.astype("string").fillna("")
    if not text.str.contains(r"\.[0-9]{12}", regex=True).any():  # one pass in Arrow: most tables have none
        return text
    return on_distinct(text, distinct)


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
