"""Finding texts: the one template mechanism for every finding's message, expected value, fix and
observed value (catalog rules, schema failures, edition findings, H001, waivers).

A template is text with placeholders ``{name}`` or ``{name|filter}``:

- ``{name}`` is the row's value of the column ``name`` of the rows being reported (a float shown
  with ``:g``; a missing or blank value shown as :data:`BLANK`), or a value of the caller's
  ``context`` (a string for every row, or one string per row, shown as it is);
- ``{name|label}``: the display label of a code (``{direction|label}`` → 増加が望ましい指標), from
  rules/labels.yaml (``labels.<lang>.<name>``; ``_missing`` labels a missing value; a code with no
  label is shown as it is);
- ``{name|pct}``: a fraction as a whole percent (0.335 → ``34%``; round half to even, −0 as 0);
- ``{name|range}``: the bounds in the columns ``<name>_min`` and ``<name>_max`` (floats, NaN for
  an open side) in the forms of ``labels.<lang>.range`` (``{min}〜{max}``, ``{min}以上``, ``{max}以下``).

Only names are allowed (no attributes, calls or format specs), so a template cannot run anything.
Display text is made only for the rows given (the rows with findings), once per distinct value;
the data frame itself holds codes and numbers. :func:`check_template` is the load-time check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from hyoka.errors import ConfigError
from hyoka.normalise.measures import on_distinct
from hyoka.resources import data_dir, load_yaml

BLANK = {"ja": "（空欄）", "en": "(blank)"}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([A-Za-z_][A-Za-z0-9_]*))?\}")
MISSING = "_missing"


@lru_cache(maxsize=1)
def labels() -> dict:
    """rules/labels.yaml: ``{lang: {name: {code: label}}}``. Raises ConfigError when malformed."""
    path = data_dir("rules") / "labels.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict) or not all(isinstance(data.get(lang), dict) for lang in BLANK):
        raise ConfigError(f"{path}: needs a mapping of labels for each of {', '.join(BLANK)}")
    return data


def _label_table(name: str, lang: str) -> dict[str, str]:
    return labels()[lang].get(name) or {}


def _label(rows: pd.DataFrame, name: str, lang: str) -> pd.Series:
    table = _label_table(name, lang)
    codes = rows[name].astype("string")
    shown = codes.map({k: v for k, v in table.items() if k != MISSING}).astype("string").fillna(codes)
    return shown.fillna(table[MISSING]) if MISSING in table else shown


def pct(values: pd.Series) -> pd.Series:
    """Fractions as whole percents (``"33%"``), NA for missing; −0 shown as 0. Once per distinct value."""

    def distinct(u: pd.Series) -> pd.Series:
        r = np.round(pd.to_numeric(u, errors="coerce").astype("float64").to_numpy() * 100) + 0.0
        return pd.Series(r, index=u.index).map("{:.0f}%".format, na_action="ignore").astype("string")

    return on_distinct(values, distinct)


def number(values: pd.Series) -> pd.Series:
    """Floats as ``:g`` text, NA for missing. Once per distinct value."""
    return on_distinct(values, lambda u: u.map(lambda v: pd.NA if pd.isna(v) else f"{v:g}").astype("string"))


def _pct(rows: pd.DataFrame, name: str, lang: str) -> pd.Series:
    return pct(rows[name])


def _range(rows: pd.DataFrame, name: str, lang: str) -> pd.Series:
    forms = _label_table("range", lang)
    lo, hi = number(rows[f"{name}_min"]), number(rows[f"{name}_max"])
    both = render(forms["both"], rows, lang, {"min": lo, "max": hi})
    low = render(forms["min"], rows, lang, {"min": lo})
    high = render(forms["max"], rows, lang, {"max": hi})
    return both.where(lo.notna() & hi.notna(), low.where(lo.notna(), high.where(hi.notna(), pd.NA)))


#: filter name → (function of (rows, name, lang) → Series of text, the columns it reads for ``name``)
FILTERS: dict[str, tuple[Callable[[pd.DataFrame, str, str], pd.Series], Callable[[str], list[str]]]] = {
    "label": (_label, lambda n: [n]),
    "pct": (_pct, lambda n: [n]),
    "range": (_range, lambda n: [f"{n}_min", f"{n}_max"]),
}


def template_columns(template: str) -> set[str]:
    """The names ``template`` reads from the rows (or the context): each placeholder's name, or
    the columns its filter reads (``{target|range}`` → target_min, target_max)."""
    out: set[str] = set()
    for name, filt in PLACEHOLDER.findall(template):
        out.update(FILTERS[filt][1](name) if filt in FILTERS else [name])
    return out


def check_template(template: str, known: set[str] | frozenset[str], where: str) -> None:
    """Raise ConfigError naming ``where`` when a placeholder names a column outside ``known`` or a
    filter that does not exist."""
    bad, filters = set(), set()
    for name, filt in PLACEHOLDER.findall(template):
        if filt and filt not in FILTERS:
            filters.add(filt)
            continue
        bad |= set(FILTERS[filt][1](name) if filt else [name]) - set(known)
    if filters:
        raise ConfigError(f"{where}: unknown filter(s) {', '.join(sorted(filters))} ({', '.join(FILTERS)})")
    if bad:
        raise ConfigError(f"{where}: unknown placeholder(s) {', '.join(sorted(bad))}")


def _column(rows: pd.DataFrame, name: str) -> pd.Series:
    col = rows[name]
    return number(col) if pd.api.types.is_float_dtype(col) else col.astype("string")


def render(template: str, rows: pd.DataFrame, lang: str, context: Mapping[str, object] | None = None) -> pd.Series:
    """The template filled for each row of ``rows`` (module doc): a string Series on ``rows``' index.
    ``context`` values (a string, or a Series/array aligned with ``rows``) win over columns and are
    shown as they are. Raises KeyError for a name that is in neither."""
    context = context or {}
    parts = PLACEHOLDER.split(template)
    out = pd.Series(parts[0], index=rows.index, dtype="string")
    for i in range(1, len(parts), 3):
        name, filt, literal = parts[i], parts[i + 1], parts[i + 2]
        if not filt and name in context:
            value = context[name]
            value = (
                value.set_axis(rows.index) if isinstance(value, pd.Series) else pd.Series(value, index=rows.index)
            ).astype("string")
        else:
            value = FILTERS[filt][0](rows, name, lang) if filt else _column(rows, name)
            value = value.fillna("").mask(value.fillna("").str.strip() == "", BLANK[lang])
        out = out + value + literal
    return out


def render_text(template: str, values: Mapping[str, object]) -> str:
    """One text: the template filled from ``values`` (shown as they are, e.g. H001's header and
    the waivers' code, target, expiry date and count)."""
    row = pd.DataFrame(index=pd.RangeIndex(1))
    return str(render(template, row, "ja", {k: str(v) for k, v in values.items()}).iloc[0])
