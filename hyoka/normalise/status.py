"""What a results framework's status columns say, and the report's date (issue #13).

Results frameworks (the Government of Canada's GC InfoBase Indicators.csv: examples/real/published/
SOURCES.md §2) carry, besides the values, columns that say how to read them. Their words are data
in rules/results.yaml; the fields are canonical (rules/columns.yaml):

- ``value_type`` (``target_type`` / ``actual_datatype``: ``num``, ``percent``, ``text``): a row
  whose type is narrative has its target and result in words (``Continue downward trend in
  accident rate`` / ``Met: There has been a significant downward trend…``). Such a value is not
  unreadable: :func:`narratives` gives it the state ``text`` (no P001), or ``missing`` when the
  words open with a missing marker (``N/A In fiscal year 2016-17, no investigations were
  completed.``: the result is not available).
- ``target_month`` (with ``target_year``: the date to achieve, ``2018`` / ``3``): :func:`with_month`
  writes the two as one date label (``2018年3月``, which hyoka.normalise.measures reads as the fiscal
  year 2017: January–March belong to the fiscal year before).
- ``period`` (``status_period``: ``past``, ``future``, ``other``): whether the date to achieve falls
  before or after the report; :func:`report_dates` reads it.

The report's date (``as_of``: ``--as-of`` or ``as-of`` in hyoka.toml, a date or a fiscal-year
label) is a fiscal year (:func:`as_of_year`). :func:`report_dates` adds to the normalised frame
``as_of_year`` (Int64, the same on every row; NA when not given) and ``target_future`` (boolean:
the target's date is after the report's — the target year after ``as_of_year`` where both are
known, else what the ``period`` column says; NA when neither tells). A scale condition reads them:
the GC results legend's "met" needs the date to achieve by the end of the reporting fiscal year
(rules/scales/gc-results.yaml).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

import numpy as np
import pandas as pd

from hyoka.errors import ConfigError
from hyoka.normalise.measures import MISSING, UNPARSEABLE, on_distinct, parse_fiscal_year
from hyoka.normalise.text import text_key
from hyoka.resources import data_dir, load_yaml, reject_unknown

#: the state of a value given in words where the row says its values are words
TEXT = "text"


@lru_cache(maxsize=1)
def words() -> dict[str, frozenset[str]]:
    """rules/results.yaml as keys (:func:`hyoka.normalise.text.text_key`): ``narrative`` (value
    types whose values are words), ``future`` and ``past`` (period words). Raises ConfigError."""
    path = data_dir("rules") / "results.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected narrative: [...] and periods: {{future: [...], past: [...]}}")
    reject_unknown(data, {"narrative", "periods"}, str(path))
    periods = data.get("periods") or {}
    if not isinstance(periods, dict) or set(periods) - {"future", "past"}:
        raise ConfigError(f"{path}: periods: give future: [...] and past: [...]")
    out = {"narrative": data.get("narrative") or [], **{k: periods.get(k) or [] for k in ("future", "past")}}
    for key, items in out.items():
        if not isinstance(items, list):
            raise ConfigError(f"{path}: {key}: expected a list of words")
    return {key: frozenset(text_key(str(w)) for w in items) for key, items in out.items()}


#: the first word of a narrative, up to a colon or a space (``N/A In fiscal year …``, ``Met: …``)
_LEAD = re.compile(r"^\s*([^\s:：]+)")


def narratives(out: pd.DataFrame, value_type: pd.Series, fields: tuple[str, ...], missing: frozenset[str]) -> None:
    """In the normalised frame ``out`` (in place), on the rows whose ``value_type`` cell is a
    narrative type: each of ``fields`` whose state is unparseable gets the state :data:`TEXT`, or
    ``missing`` when its first word is one of the ``missing`` markers (vocabulary, NFKC keys).
    Once per distinct cell."""
    narrative = on_distinct(value_type.astype("string").fillna(""), _is_narrative).to_numpy(bool)
    if not narrative.any():
        return
    for fld in fields:
        state = out[f"{fld}_state"]
        words_ = (state == UNPARSEABLE).fillna(False).to_numpy(bool) & narrative
        if not words_.any():
            continue
        lead_missing = on_distinct(out[f"{fld}_raw"], lambda u: _leads_missing(u, missing)).to_numpy(bool)
        out[f"{fld}_state"] = state.mask(words_, pd.Series(np.where(lead_missing, MISSING, TEXT), index=state.index))


def _is_narrative(u: pd.Series) -> pd.Series:
    narrative = words()["narrative"]
    return pd.Series([text_key(t) in narrative for t in u], index=u.index, dtype=bool)


def _leads_missing(u: pd.Series, missing: frozenset[str]) -> pd.Series:
    keys = {text_key(m) for m in missing if m}
    out = []
    for t in u:
        m = _LEAD.match(text_key(str(t), spaces="ends"))
        out.append(m is not None and m.group(1).rstrip(".") in keys)
    return pd.Series(out, index=u.index, dtype=bool)


#: a year as a results framework writes it beside a month column: four digits, nothing else
_WESTERN_YEAR = r"^\s*[0-9]{4}\s*$"
_MONTH = r"^\s*(?:[1-9]|1[0-2])\s*(?:月)?\s*$"


def with_month(year: pd.Series, month: pd.Series) -> pd.Series:
    """Target-year labels with the month of a ``target_month`` column written in: ``2018`` and
    ``3`` → ``2018年3月``; a year that is not four digits alone, or a month that is not 1–12, is
    left as it was. Whole columns."""
    y = year.astype("string").fillna("")
    month = month.astype("string").fillna("")
    if not (month != "").any():  # no month column (nearly every table): nothing to write in
        return y
    m = on_distinct(month, lambda u: u.str.normalize("NFKC"))
    both = (y.str.match(_WESTERN_YEAR) & m.str.match(_MONTH)).fillna(False).astype(bool)
    if not both.any():
        return y
    joined = y.str.strip() + "年" + m.str.replace("月", "", regex=False).str.strip() + "月"
    return y.where(~both, joined)


def as_of_year(value: object) -> int | None:
    """The fiscal year (April–March) of a report's date: a ``date``, ``YYYY-MM-DD``, ``YYYY-MM``,
    or a fiscal-year label (``R5``, ``2016/17``, ``令和5年3月31日``); None for None. Raises
    ConfigError for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.year if value.month >= 4 else value.year - 1
    text = str(value).strip()
    m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?", text)
    if m:
        try:
            return as_of_year(date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)))
        except ValueError:
            pass
    else:
        year = parse_fiscal_year(text)
        if year is not None:
            return year
    raise ConfigError(f"as-of {text!r}: give the report's date (2017-03-31) or its fiscal year (R5, 2016/17)")


def report_dates(out: pd.DataFrame, as_of: int | None) -> None:
    """``as_of_year`` and ``target_future`` (module doc), added to the normalised frame in place."""
    idx = out.index
    out["as_of_year"] = pd.Series(pd.NA if as_of is None else as_of, index=idx, dtype="Int64")
    period = on_distinct(out["period_raw"], _period) if "period_raw" in out else pd.Series(pd.NA, index=idx)
    by_period = period.astype("boolean")
    by_date = (out["target_year"] > out["as_of_year"]).astype("boolean")
    out["target_future"] = by_date.fillna(by_period)


def _period(u: pd.Series) -> pd.Series:
    w = words()
    keys = [text_key(t) for t in u]
    return pd.Series([True if k in w["future"] else False if k in w["past"] else pd.NA for k in keys], index=u.index)
