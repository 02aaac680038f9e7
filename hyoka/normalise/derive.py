"""Derived columns the rules read: direction, units, progress, schedule, bounds, cross-row counts,
grades defined by values. All computed on whole columns (loops only over a handful of metadata
entries, patterns or grades, never over rows).

``derive(frame, vocab, scale, settings)`` adds, in place, to the normalised frame:

- ``units_agree`` (bool): baseline, target and current that are present carry one unit;
- ``direction`` (increase/decrease/keep/NA), ``direction_source`` (declared/inferred/none),
  ``direction_basis`` (:data:`DIRECTION_BASES`, first that applies): ``plan``, the plan's
  indicator metadata file; ``table``, the table's own direction column (``direction_declared``:
  a long table's 改善の上向き／下向き, hyoka.read.longform); ``target``, a target given as a
  minimum only (increase), a maximum only (decrease) or a range (keep) — in bound columns or
  written in the target cell (30%以上, 5%以下, 40%以上,60%以下) — or a target that states only a
  direction (減少傾向へ: ``target_stated_direction``); ``name``, a
  rules/directions.yaml name pattern (削減, 死亡率 …); ``inferred``, target above or below the
  baseline (docs/glossary.md#progress-and-achievement: a target below the baseline implies the
  indicator should fall; baseline and target must share a unit, the current value's unit does
  not matter); ``name_weak``, a weak name pattern (a bare 〜率: only where the numbers do not
  tell); ``equal``, a target equal to the baseline (keep: hold the level); else ``none``. The
  first four are ``declared``, the next three ``inferred``. ``sign`` (+1.0/−1.0/NaN). Codes
  only: message templates show them with ``{direction|label}`` and ``{direction_basis|label}``
  (rules/labels.yaml);
- ``declared_unit`` (str/NA), ``cumulative`` (boolean/NA), ``progress_model`` (linear/none);
- ``bound_min``/``bound_max`` (float/NaN): from metadata, else 0–100 for a rate in %, ≥ 0 for a
  count unit of rules/vocabulary.yaml (issue: "a rate in % between 0 and 100, counts not negative");
  shown by ``{bound|range}`` in message templates;
- ``progress`` = (current − baseline) / (target − baseline), NaN unless the target lies beyond the
  baseline in the indicator's direction; ``expected_progress`` = (current_year − baseline_year) /
  (target_year − baseline_year) (docs/glossary.md#progress-and-achievement, "Expected progress by
  elapsed time"); ``schedule_margin`` (the configured margin, a constant column); fractions, shown
  as percents by ``{progress|pct}`` in message templates;
- ``duplicate_count`` (rows of one file with the same department, project and indicator; an
  indicator with no name also with the same values: hyoka.normalise.names ``unnamed_key``),
  ``indicator_units`` and ``indicator_baselines`` (distinct units / baselines one indicator name
  has across the rows of one file);
- ``target_met`` (boolean/NA): the current value meets the target (a single target in the
  indicator's direction, a target to hold, a minimum, a maximum or a range: ``target_form``;
  see :func:`_target_met`), NA where current and target cannot be compared: different units,
  except a bare number beside a non-rate unit (285 beside 300a: the unit left off);
- ``standing_target`` (bool): neither the target nor the baseline has a year, so the target is a
  standard every period must meet (a KPI table's target beside last quarter's value), not a
  change planned from a dated baseline (D001, D004 skip it);
- ``current_repeats_baseline`` (bool): the current value is the baseline's value (or level), in
  its unit and with its year; ``latest_current_year`` (Int64): the latest year a current value of
  the file is dated (Y004: a row not updated for the report);
- ``rate_consistent``, ``rate_computed``, ``rate_formula``: a published rate (達成率, 進捗率)
  recomputed from the values (see :func:`_rate_check`);
- ``department_known`` (boolean; NA when the plan gave no department list);
- ``as_of_year``, ``target_future`` (the report's fiscal year, and whether the target's date is
  after it: hyoka.normalise.status);
- ``grade_sparse``, ``current_sparse`` (bool: the row's table has the column but it is blank on
  most of its rows: hyoka.check.profile.sparse);
- ``grade_computed``, ``grade_defined``, ``grade_contradicts`` (see hyoka.normalise.scale);
- names: ``indicator_state``, ``has_values``, ``no_indicator`` and, where a department is written
  several ways, ``department_usual`` and ``department_usual_rows`` (hyoka.normalise.names);
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hyoka.check.expr import parse
from hyoka.check.profile import sparse
from hyoka.errors import ConfigError
from hyoka.normalise.measures import LEVEL, MISSING, RANGE, VALUE, on_distinct
from hyoka.normalise.names import derive_names
from hyoka.normalise.patterns import Pattern
from hyoka.normalise.scale import GradingScale
from hyoka.normalise.status import report_dates
from hyoka.normalise.vocabulary import VALUE_FIELDS, Vocabulary, compile_pattern, nfkc, nfkc_series
from hyoka.resources import yaml_entries

DIRECTIONS = ("increase", "decrease", "keep")
#: the direction a target's form implies (hyoka.normalise.frame: target_form)
_FORM_DIRECTION = {"min": "increase", "max": "decrease", "range": "keep"}
#: the formulas a published rate is recomputed with (codes shown by ``{rate_formula|label}``)
RATE_FORMULAS = ("achievement", "inverse", "progress")
#: how a row's direction was known, first basis first (codes shown by ``{direction_basis|label}``)
DIRECTION_BASES = ("plan", "table", "target", "name", "inferred", "name_weak", "equal")
_META_KEYS = {"name", "pattern", "direction", "unit", "cumulative", "bounds", "progress"}


@dataclass(frozen=True)
class IndicatorMeta:
    """One entry of a plan's indicator metadata file: matches by exact ``name`` (after NFKC) or
    ``pattern`` (regular expression), and says what the table does not."""

    name: str | None
    pattern: Pattern | None
    direction: str | None = None
    unit: str | None = None
    cumulative: bool | None = None
    bounds: tuple[float | None, float | None] | None = None
    progress: str | None = None


@dataclass
class DeriveSettings:
    indicators: list[IndicatorMeta] = field(default_factory=list)
    schedule_margin: float = 0.2
    departments: list[str] | None = None
    as_of_year: int | None = None  # the report's fiscal year (hyoka.normalise.status.as_of_year)


#: the largest bound an indicator may give, either way (a float holds it; a bound written in 400
#: digits does not fit one)
MAX_BOUND = 1e300


def load_indicator_metadata(path: Path | str, vocab: Vocabulary) -> list[IndicatorMeta]:
    """Read an indicator metadata file: ``indicators:`` a list of entries with ``name`` or
    ``pattern`` and any of ``direction`` (increase/decrease/keep), ``unit`` (any unit: a spelling
    rules/vocabulary.yaml lists becomes its canonical unit), ``cumulative`` (bool), ``bounds`` ([min, max], null for open),
    ``progress`` (linear/none). Raises ConfigError naming file, entry and key."""
    out = []
    for where, e in yaml_entries(path, "indicators", _META_KEYS):
        if ("name" in e) == ("pattern" in e):
            raise ConfigError(f"{where}: give exactly one of `name` or `pattern`")
        pattern = compile_pattern(e["pattern"], f"{where}: pattern") if "pattern" in e else None
        direction = e.get("direction")
        if direction is not None and direction not in DIRECTIONS:
            raise ConfigError(f"{where}: direction must be one of {', '.join(DIRECTIONS)}")
        unit = e.get("unit")
        if unit is not None:  # any unit: a listed spelling becomes its canonical unit
            written = nfkc(str(unit)).strip()
            if not written:
                raise ConfigError(f"{where}: unit is empty")
            unit = vocab.unit_aliases.get(written, written)
        cumulative = e.get("cumulative")
        if cumulative is not None and not isinstance(cumulative, bool):
            raise ConfigError(f"{where}: cumulative must be true or false")
        bounds = e.get("bounds")
        if bounds is not None:
            if (
                not isinstance(bounds, list)
                or len(bounds) != 2
                or not all(b is None or (isinstance(b, (int, float)) and abs(b) <= MAX_BOUND) for b in bounds)
            ):
                raise ConfigError(f"{where}: bounds must be [min, max] (numbers or null)")
            bounds = (bounds[0], bounds[1])
        progress = e.get("progress")
        if progress is not None and progress not in ("linear", "none"):
            raise ConfigError(f"{where}: progress must be linear or none")
        out.append(
            IndicatorMeta(
                nfkc(str(e["name"])).strip() if "name" in e else None,
                pattern,
                direction,
                unit,
                cumulative,
                bounds,
                progress,
            )
        )
    return out


def _contains(s: pd.Series, pattern: Pattern) -> pd.Series:
    """Whether each text of ``s`` holds a match of ``pattern`` (RE2: hyoka.normalise.patterns)."""
    return pattern.contains(s)


def _same_unit(a: pd.Series, b: pd.Series) -> pd.Series:
    """Two values' units agree: equal, or either value absent (NA unit)."""
    return (a.isna() | b.isna() | (a == b)).fillna(True).astype(bool)


def _nfkc(s: pd.Series) -> pd.Series:
    """The NFKC of a text column (missing as ``""``), computed once per distinct text (by Arrow
    for large columns: hyoka.normalise.vocabulary.nfkc_series)."""
    return on_distinct(s.astype("string").fillna(""), nfkc_series)


def _metadata(out: pd.DataFrame, metas: list[IndicatorMeta], indicator: pd.Series) -> dict[str, pd.Series]:
    """For each metadata attribute, the value of the first entry matching each row (names before
    patterns, in file order); ``indicator`` is the NFKC of the rows' indicator names."""
    idx = out.index
    cols = {
        "direction": pd.Series(pd.NA, index=idx, dtype="string"),
        "unit": pd.Series(pd.NA, index=idx, dtype="string"),
        "cumulative": pd.Series(pd.NA, index=idx, dtype="boolean"),
        "bound_min": pd.Series(np.nan, index=idx),
        "bound_max": pd.Series(np.nan, index=idx),
        "has_bounds": pd.Series(False, index=idx),
        "progress": pd.Series(pd.NA, index=idx, dtype="string"),
    }
    ordered = [m for m in metas if m.name is not None] + [m for m in metas if m.pattern is not None]
    taken = {k: pd.Series(False, index=idx) for k in ("direction", "unit", "cumulative", "bounds", "progress")}
    for m in ordered:
        if m.name is not None:
            hit = (indicator == m.name).fillna(False).astype(bool)
        else:
            assert m.pattern is not None  # ordered: the metas with a name, then those with a pattern
            hit = _contains(indicator, m.pattern)
        for key, value in (
            ("direction", m.direction),
            ("unit", m.unit),
            ("cumulative", m.cumulative),
            ("progress", m.progress),
        ):
            if value is not None:
                sel = hit & ~taken[key]
                cols[key] = cols[key].mask(sel, value)
                taken[key] |= sel
        if m.bounds is not None:
            sel = hit & ~taken["bounds"]
            lo, hi = m.bounds
            cols["bound_min"] = cols["bound_min"].mask(sel, np.nan if lo is None else float(lo))
            cols["bound_max"] = cols["bound_max"].mask(sel, np.nan if hi is None else float(hi))
            cols["has_bounds"] |= sel
            taken["bounds"] |= sel
    return cols


def derive(out: pd.DataFrame, vocab: Vocabulary, scale: GradingScale, settings: DeriveSettings | None = None) -> None:
    """Add the derived columns (module doc) to the normalised frame ``out``, in place. The frame
    grows column by column (in place, so no copy of a million rows); pandas' warning that such a
    frame is "fragmented" is about that, and is not shown to the user."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        _derive(out, vocab, scale, settings)


def _derive(out: pd.DataFrame, vocab: Vocabulary, scale: GradingScale, settings: DeriveSettings | None) -> None:
    settings = settings or DeriveSettings()
    idx = out.index
    present = {f: out[f"{f}_state"].isin([VALUE, LEVEL]) for f in VALUE_FIELDS}
    # a bare number ("" unit) beside one with a unit disagrees with it (50％ → 0.65 is a fraction
    # typed for a percentage, not a fall); a level can only match a level; a range (23.4〜30.7%)
    # has a unit too. Units of one family are already converted to one (hyoka.normalise.frame:
    # 8千人 beside 1.5万人 are both in 人), so this compares after conversion.
    unit = {f: out[f"{f}_unit"].where(present[f] | (out[f"{f}_state"] == RANGE), pd.NA) for f in VALUE_FIELDS}
    agree = pd.Series(True, index=idx)
    for a, b in (("baseline", "target"), ("baseline", "current"), ("target", "current")):
        agree &= _same_unit(unit[a], unit[b])
    out["units_agree"] = agree

    # names are shown as published; they are matched by their NFKC (as the vocabulary's patterns are)
    indicator = _nfkc(out["indicator"])
    meta = _metadata(out, settings.indicators, indicator)
    by_meta = meta["direction"]
    by_name = pd.Series(pd.NA, index=idx, dtype="string")
    by_cue = pd.Series(pd.NA, index=idx, dtype="string")  # weak cues (a bare 〜率): after the numbers
    for d in vocab.directions:  # a handful of patterns, each on the whole column; the first wins
        hit = by_name.isna() & by_cue.isna() & _contains(indicator, d.pattern)
        if d.weak:
            by_cue = by_cue.mask(hit, d.direction)
        else:
            by_name = by_name.mask(hit, d.direction)
    # a target given as a minimum only, a maximum only or a range says the direction itself (GC
    # InfoBase: "a lower-is-better target is given as target_max only"): after the plan's list,
    # before a guess from the indicator's words
    # (30%以上, 5%以下: hyoka.normalise.frame reads the qualifier as the form), or a target that
    # states only a direction (減少傾向へ: target_form direction)
    by_target = out["target_form"].map(_FORM_DIRECTION).astype("string")
    if "target_stated_direction" in out:
        by_target = by_target.fillna(out["target_stated_direction"].where(out["target_form"] == "direction"))
    # the table's own column (上向き / 下向き): after the plan's list, before anything guessed
    by_table = (
        out["direction_declared"].astype("string")
        if "direction_declared" in out
        else pd.Series(pd.NA, index=idx, dtype="string")
    )
    declared = by_meta.fillna(by_table).fillna(by_target).fillna(by_name)

    # the numbers: a target above the baseline says "rise", below "fall"; baseline and target need
    # one unit between them (the current value's unit does not change what the plan asked for)
    diff = out["target_value"] - out["baseline_value"]
    comparable = _same_unit(unit["baseline"], unit["target"]) & present["baseline"] & present["target"]
    inferred = pd.Series(
        np.where(diff > 0, "increase", np.where(diff < 0, "decrease", pd.NA)), index=idx, dtype="string"
    ).where(comparable, pd.NA)
    # a target equal to the baseline is "hold the level" where nothing else tells the direction
    equal = pd.Series("keep", index=idx, dtype="string").where(comparable & (diff == 0).fillna(False), pd.NA)
    direction = declared.fillna(inferred).fillna(by_cue).fillna(equal)
    conds = [
        by_meta.notna().to_numpy(bool),
        by_table.notna().to_numpy(bool),
        by_target.notna().to_numpy(bool),
        by_name.notna().to_numpy(bool),
        inferred.notna().to_numpy(bool),
        by_cue.notna().to_numpy(bool),
        equal.notna().to_numpy(bool),
    ]
    out["direction"] = direction
    out["direction_source"] = pd.Series(
        np.select(conds, ["declared"] * 4 + ["inferred"] * 3, default="none"), index=idx, dtype="string"
    )
    out["direction_basis"] = pd.Series(
        np.select(conds, list(DIRECTION_BASES), default="none"), index=idx, dtype="string"
    )
    out["sign"] = direction.map({"increase": 1.0, "decrease": -1.0}).astype("float64")
    denom = diff.where((diff * out["sign"].fillna(np.sign(diff))) > 0)  # target beyond baseline
    out["progress"] = ((out["current_value"] - out["baseline_value"]) / denom).where(agree)
    # a bare number beside a count or a measure is that quantity with its unit left off (U001 says
    # so: 285 beside 300a); beside a rate it may be a fraction (0.65 for 65%), so not comparable
    kinds = {u.unit: u.kind for u in vocab.units.values()}
    rate_unit = unit["target"].map(kinds).eq("rate").fillna(False).astype(bool)
    rate_current = unit["current"].map(kinds).eq("rate").fillna(False).astype(bool)
    bare_current = (unit["current"] == "").fillna(False).astype(bool)
    bare_target = (unit["target"] == "").fillna(False).astype(bool)
    _target_met(
        out,
        _same_unit(unit["current"], unit["target"]) | (bare_current & ~rate_unit) | (bare_target & ~rate_current),
    )
    _rate_check(out, agree)

    out["declared_unit"] = meta["unit"]
    out["cumulative"] = meta["cumulative"]
    out["progress_model"] = meta["progress"].fillna("linear")
    span = (out["target_year"] - out["baseline_year"]).astype("Float64")
    elapsed = (out["current_year"] - out["baseline_year"]).astype("Float64")
    out["expected_progress"] = (elapsed / span.where(span > 0)).astype("float64").clip(upper=1.0)
    out["schedule_margin"] = float(settings.schedule_margin)
    # a target with no year beside a baseline with no year is a standard every period must meet (a
    # KPI table's target beside last quarter's value), not a change planned from a dated baseline
    out["standing_target"] = (out["target_year"].isna() & out["baseline_year"].isna()).astype(bool)
    # the current value repeats the baseline: the same value (or level) in the same unit, dated the
    # same year; with ``latest_current_year`` (the latest year a current value of the file is dated)
    # a rule tells a row not updated for the report from a first report
    out["current_repeats_baseline"] = (
        out["current_state"].isin([VALUE, LEVEL])
        & (out["current_state"] == out["baseline_state"])
        & (out["current_value"] == out["baseline_value"])
        & (unit["current"] == unit["baseline"]).fillna(False)
        & (out["current_year"] == out["baseline_year"]).fillna(False)
    ).astype(bool)
    out["latest_current_year"] = out.groupby(out["source_file"])["current_year"].transform("max").astype("Int64")

    # bounds: metadata first, else by the unit's kind (rate 0–100, counts ≥ 0)
    any_unit = out["baseline_unit"].fillna(out["target_unit"]).fillna(out["current_unit"])
    kind = any_unit.map(kinds)
    default_min = pd.Series(np.where(kind.isin(["rate", "count"]), 0.0, np.nan), index=idx)
    default_max = pd.Series(np.where(kind == "rate", 100.0, np.nan), index=idx)
    out["bound_min"] = meta["bound_min"].where(meta["has_bounds"], default_min)
    out["bound_max"] = meta["bound_max"].where(meta["has_bounds"], default_max)

    # cross-row: the same project twice; one indicator with different units or baselines
    # within one file: two files are two editions or two departments' sheets, not duplicates
    department = _nfkc(out["department"])
    # indicator_state, department spellings; two rows whose indicator is not named are one
    # indicator twice only with the same values (unnamed_key)
    unnamed_key = derive_names(out, vocab)
    key = [out["source_file"], department, _nfkc(out["project"]), indicator]
    if (unnamed_key != "").any():
        key.append(unnamed_key)
    out["duplicate_count"] = out.groupby(key, sort=False)["row"].transform("size").astype("int64")
    named = indicator != ""
    units = out["baseline_unit"].where(present["baseline"]).fillna(out["current_unit"].where(present["current"]))
    base = on_distinct(out["baseline_raw"], lambda u: nfkc_series(u).str.strip()).where(present["baseline"])
    grp = [out["source_file"], indicator]
    out["indicator_units"] = units.groupby(grp).transform("nunique").where(named, 0).astype("int64")
    out["indicator_baselines"] = base.groupby(grp).transform("nunique").where(named, 0).astype("int64")

    if settings.departments is None:
        out["department_known"] = pd.Series(pd.NA, index=idx, dtype="boolean")
    else:
        names = {nfkc(d).strip() for d in settings.departments} | set(vocab.renames.values())
        out["department_known"] = department.isin(names).astype("boolean")

    out["grade_is_status"] = (out["grade_standing"] == "status").fillna(False).astype(bool)
    report_dates(out, settings.as_of_year)  # as_of_year, target_future: scale conditions read them
    # a grade or current column blank on most of its table's rows (hyoka.check.profile.sparse)
    out["grade_sparse"] = sparse(out, "grade", (out["grade_state"] == MISSING) & ~out["nocache_grade"])
    out["current_sparse"] = sparse(out, "current", (out["current_state"] == MISSING) & ~out["nocache_current"])
    _grade_by_values(out, scale)


def _target_met(out: pd.DataFrame, comparable: pd.Series) -> None:
    """``target_met`` (boolean, NA when it cannot be told), in place: a single target is met when
    the current value is on or beyond it in the indicator's direction ((current − target) × sign
    ≥ 0; NA with no direction); a target to hold (direction keep) when the current value equals
    it (NA otherwise: whether another value is better cannot be told); a minimum when current ≥
    min, a maximum when current ≤ max, a range when min ≤ current ≤ max (GC InfoBase glossary,
    RESULTS_MET: "higher than the minimum target; lower than the maximum target; within the
    target range"). ``comparable``: current and target can be compared (their units); NA
    elsewhere."""
    cur, form = out["current_value"], out["target_form"]
    keep = (out["direction"] == "keep").fillna(False).astype(bool)
    single = ((cur - out["target_value"]) * out["sign"] >= 0) | (keep & (cur == out["target_value"]))
    at_least = cur >= out["target_min"]
    at_most = cur <= out["target_max"]
    is_single, is_min, is_max = ((form == f).fillna(False).to_numpy(bool) for f in ("single", "min", "max"))
    met = pd.Series(
        np.select([is_single, is_min, is_max], [single, at_least, at_most], default=at_least & at_most),
        index=out.index,
    )
    # NaN on either side of a comparison is "cannot be told", not "not met"
    both = cur.notna() & out["target_value"].notna()
    known = pd.Series(
        np.select(
            [is_single, is_min, is_max],
            [
                both & (out["sign"].notna() | (keep & (cur == out["target_value"]))),
                (cur.notna() & out["target_min"].notna()),
                (cur.notna() & out["target_max"].notna()),
            ],
            default=(cur.notna() & out["target_min"].notna() & out["target_max"].notna() & (form == "range")).fillna(
                False
            ),
        ),
        index=out.index,
    )
    out["target_met"] = met.astype("boolean").where(known & comparable, pd.NA)


def _rate_check(out: pd.DataFrame, agree: pd.Series) -> None:
    """Recompute a published rate (``rate_value``, percent) from the row's values, in place:

    - ``achievement`` = current ÷ target × 100 (達成率), unless the indicator should fall;
    - ``inverse`` = target ÷ current × 100 (達成率 of a lower-is-better indicator), unless it
      should rise;
    - ``progress`` = (current − baseline) ÷ (target − baseline) × 100 (進捗率), target ≠ baseline.

    (docs/glossary.md#progress-and-achievement; 富士市's 進捗率 (B)/(A) is the first.) Values must
    share a unit. The rate is consistent when any formula that applies gives it within rounding:
    half a unit of its last written decimal (93.4 ± 0.05) plus 1e-9 relative float tolerance, or
    cut off at that decimal (93.49 written as 93.4). Adds ``rate_consistent`` (boolean: NA when the
    row has no rate or no formula applies), ``rate_computed`` (float64: the formula's result
    nearest the published rate, rounded to its decimals) and ``rate_formula`` (its code)."""
    cur, tgt, base, sign = out["current_value"], out["target_value"], out["baseline_value"], out["sign"]
    ok = agree & (out["rate_state"] == "value").fillna(False)
    with np.errstate(divide="ignore", invalid="ignore"):
        cands = {
            "achievement": (cur / tgt * 100).where(ok & (sign != -1.0) & (tgt != 0)),
            "inverse": (tgt / cur * 100).where(ok & (sign != 1.0) & (cur != 0)),
            "progress": ((cur - base) / (tgt - base) * 100).where(ok & (tgt != base)),
        }
    pub = out["rate_value"]
    unit = 10.0 ** (-out["rate_decimals"].astype("float64"))
    eps = 1e-9 * np.maximum(1.0, pub.abs())
    match = pd.Series(False, index=out.index)
    best = pd.Series(np.nan, index=out.index)
    best_gap = pd.Series(np.inf, index=out.index)
    formula = pd.Series(pd.NA, index=out.index, dtype="string")
    for name in RATE_FORMULAS:  # three formulas, each on whole columns
        c = cands[name].replace([np.inf, -np.inf], np.nan)
        gap = (c - pub).abs()
        rounded = gap <= unit / 2 + eps
        cut = ((c - pub) * np.sign(c)).between(-eps, unit + eps) & (np.sign(c) == np.sign(pub))
        match |= (rounded | cut).fillna(False)
        nearer = (gap < best_gap).fillna(False)
        best, best_gap = best.mask(nearer, c), best_gap.mask(nearer, gap)
        formula = formula.mask(nearer, name)
    tried = best.notna()
    out["rate_consistent"] = match.astype("boolean").where(tried, pd.NA)
    out["rate_computed"] = (np.round(best / unit) * unit).round(12)
    out["rate_formula"] = formula


def _grade_by_values(out: pd.DataFrame, scale: GradingScale) -> None:
    """Grades a scale defines by values (see hyoka.normalise.scale): ``grade_computed`` (the first grade,
    statuses included, whose condition holds), ``grade_defined`` (the reported grade has a condition) and
    ``grade_contradicts`` (that condition is definitely false), in place."""
    known = set(out.columns)
    computed = pd.Series(pd.NA, index=out.index, dtype="string")
    contradicts = pd.Series(False, index=out.index)
    defined = pd.Series(False, index=out.index)
    for g in scale.grades:  # a handful of grades, each condition on the whole column
        if not g.when:
            continue
        where = f"{scale.source}: grade {g.code}"
        try:
            cond = parse(g.when, known, where).evaluate_nullable(out)
        except ConfigError:
            raise
        except Exception as exc:  # a condition that does not fit these columns (types, arithmetic)
            raise ConfigError(f"{where}: cannot evaluate `{g.when}` ({type(exc).__name__}: {exc})") from None
        # a status the values imply (future, not available) is the computed grade too
        computed = computed.mask(computed.isna() & cond.fillna(False).astype(bool), g.code)
        mine = (out["grade"] == g.code).fillna(False).astype(bool)
        defined |= mine
        contradicts |= mine & (cond == False).fillna(False).astype(bool)  # noqa: E712 (nullable)
    out["grade_computed"] = computed
    out["grade_defined"] = defined
    out["grade_contradicts"] = contradicts
