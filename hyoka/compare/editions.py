"""Comparing this year's edition of a table with last year's (``hyoka check … --previous``).

Interface::

    spec = load_edition_spec()                          # rules/edition_findings.yaml
    findings, info, pairs = compare_editions(current, previous, spec, lang="ja",
                                             previous_paths=["r4.csv"])

``current`` and ``previous`` are normalised frames (:mod:`hyoka.normalise.frame`; both editions go through
the same load → normalise pipeline, so the vocabulary's and the departments file's renames apply to
both). ``findings`` is a findings frame (:mod:`hyoka.check.findings`) with codes ``E001``–``E010``;
``info`` an :class:`EditionInfo` (counts for the coordinator's dashboard); ``pairs`` the matched
rows: columns ``current`` and ``previous`` (row labels of the two frames) and ``how``
(``exact`` / ``fuzzy`` / ``renamed`` / ``replaced``).

Matching (rows = one project's indicator; a row is matched at most once):

1. Keys. Department, project and indicator names are compared as *keys*: NFKC, case-folded, with
   whitespace and punctuation (・ 、 。 ， ． 「」 （） - ～ / …) removed, so ``自治会 活動支援``,
   ``自治会活動支援`` and ``自治会・活動支援`` are one key. A last-year department is mapped to
   this year's name when this year's table gives it as the old name (``危機管理室→危機管理課``,
   i.e. ``department_previous``); renames in rules/departments.yaml or ``--departments`` were
   already applied to both editions by :func:`hyoka.normalise.frame.normalise`.
2. Exact: rows whose (department, project, indicator) keys are equal and unique in both editions
   are matched (a merge on whole columns). A key held by two or more rows in either edition, and
   present in both, cannot be matched: the rows are reported (E009, this year's cells) and not
   compared.
3. Fuzzy, only for the rows left over (a handful): within one department, a pair whose project
   keys are at least ``fuzzy_project`` and indicator keys at least ``fuzzy_indicator`` similar
   (rapidfuzz ``ratio``, 0–100, one ``cpdist`` call over all candidate pairs) is matched, best
   score first.
4. Same project, another indicator: left-over rows with equal department and project keys are
   paired, most similar indicator first. The indicator was *renamed* (E003, info) when the names
   are at least ``renamed_indicator`` similar or the baselines are equal (same value and unit);
   otherwise it was *replaced* (E004, warning) and the values are not compared.
5. Whatever is left: last year's rows have *disappeared* (E005, pointing at last year's cell),
   this year's have *appeared* (E006). ``kind`` says whether the whole project is new/gone or
   one indicator of a project that is in both editions.

Comparisons on matched rows (exact, fuzzy and renamed; all on whole columns):

- E001 (error) baseline changed: values differ (relative tolerance 1e-9; a level compares by
  rank), one edition has a baseline and the other is missing, unreadable texts differ, or the
  baseline years differ.
- E002 (warning) target changed (the same test on target) and this year's row has no note: a ※
  or trailing parenthesised remark in the target cell, or effect/activities text matching the
  spec's ``note_pattern``.
- E007 (warning) current value moved against the indicator's direction (``sign`` of this year's
  row, else last year's; hyoka.normalise.derive) in one unit, while the grade's rank improved (rank 1 is
  best; hyoka.normalise.scale).
- E008 (warning) the row's unit (baseline's, else target's, else current's) differs; the finding
  points at that field.

Findings point at this year's cell and name last year's cell in the message (``prev_cell``);
E005 points at last year's cell (``row_index`` −1). Texts come from rules/edition_findings.yaml.
Raises ConfigError for a bad spec file.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hyoka.check import findings as F
from hyoka.errors import ConfigError
from hyoka.normalise.measures import LEVEL, VALUE
from hyoka.resources import data_dir, load_yaml
from hyoka.check.rules import FIELD_LABELS, LANGS
from hyoka.check.text import check_template, render
from hyoka.normalise.vocabulary import VALUE_FIELDS, compile_pattern

#: the codes this module raises (also in hyoka.pipeline.OTHER_CODES)
EDITION_CODES = ("E001", "E002", "E003", "E004", "E005", "E006", "E007", "E008", "E009", "E010")

#: placeholders the templates may use (module doc of rules/edition_findings.yaml)
PLACEHOLDERS = frozenset({
    "department", "project", "indicator", "grade_raw", "baseline_shown", "target_shown", "current_shown",
    "unit", "prev_department", "prev_project", "prev_indicator", "prev_grade_raw", "prev_baseline_shown",
    "prev_target_shown", "prev_current_shown", "prev_unit", "prev_cell", "prev_file", "similarity",
    "direction", "field_ja", "field_en", "kind_ja", "kind_en", "n_current",
    "n_previous", "prev_cells"})
_TEXT_KEYS = ("title", "description", "condition", "message", "expected", "fix")
_CODE_KEYS = {"name", "severity", "cell", "observed", "example", *_TEXT_KEYS}
_SPEC_KEYS = {"note_pattern", "fuzzy_project", "fuzzy_indicator", "renamed_indicator", "codes"}
# whitespace and punctuation left out of name keys (after NFKC: full-width forms are ASCII already)
_NOT_KEY = r"[\s・、。,.:;!?()\[\]{}「」『』【】〔〕〈〉《》\"'“”‘’/\\~〜_\-‐‑–—―−]+"
_NOTE_IN_CELL = r"※|\([^()]*\)\s*$"


@dataclass(frozen=True)
class EditionCode:
    code: str
    name: str
    severity: str
    cell: str
    observed: str
    texts: dict[str, dict[str, str]]   # title/description/condition/message/expected/fix → {ja, en}
    example: dict | None = None


@dataclass(frozen=True)
class EditionSpec:
    codes: dict[str, EditionCode]
    note_pattern: re.Pattern[str]
    fuzzy_project: float = 80.0
    fuzzy_indicator: float = 80.0
    renamed_indicator: float = 60.0
    source: str = ""


@dataclass
class EditionInfo:
    """What the comparison with last year's edition found, for the coordinator's dashboard.

    ``previous_paths``: last year's files as given; ``previous_rows``: rows read from them (after
    ``--department``); ``matched``: this year's rows compared with a row of last year's (exact +
    fuzzy + renamed); ``replaced``: rows paired with last year's but not compared (E004);
    ``appeared`` / ``disappeared``: rows with no counterpart (E006 / E005); ``ambiguous``: this
    year's rows not matched because of duplicates (E009)."""

    previous_paths: list[str]
    previous_rows: int
    matched: int
    exact: int = 0
    fuzzy: int = 0
    renamed: int = 0
    replaced: int = 0
    appeared: int = 0
    disappeared: int = 0
    ambiguous: int = 0
    current_rows: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def load_edition_spec(path: Path | str | None = None) -> EditionSpec:
    """Read rules/edition_findings.yaml (or ``path``). Raises ConfigError naming file, code and key."""
    path = Path(path) if path else data_dir("rules") / "edition_findings.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise ConfigError(f"{path}: expected `codes:` (a mapping of E-codes)")
    if unknown := set(data) - _SPEC_KEYS:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    codes = {}
    for code, entry in data["codes"].items():
        where = f"{path}: {code}"
        if code not in EDITION_CODES:
            raise ConfigError(f"{where}: not an edition code ({', '.join(EDITION_CODES)})")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each code is a mapping")
        if unknown := set(entry) - _CODE_KEYS:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        if entry.get("severity") not in F.SEVERITIES:
            raise ConfigError(f"{where}: severity must be one of {', '.join(F.SEVERITIES)}")
        if entry.get("cell") not in FIELD_LABELS:
            raise ConfigError(f"{where}: `cell` must name a field")
        texts = {}
        for key in _TEXT_KEYS:
            val = entry.get(key)
            if not isinstance(val, dict) or set(val) != set(LANGS) or not all(isinstance(v, str) for v in val.values()):
                raise ConfigError(f"{where}: `{key}` needs exactly ja and en texts")
            texts[key] = dict(val)
        observed = str(entry.get("observed", ""))
        for tmpl in [observed, *(texts[k][lang] for k in ("message", "expected", "fix") for lang in LANGS)]:
            check_template(tmpl, PLACEHOLDERS, where)
        codes[code] = EditionCode(code, str(entry.get("name", code)), entry["severity"], entry["cell"],
                                  observed, texts, entry.get("example"))
    if missing := set(EDITION_CODES) - set(codes):
        raise ConfigError(f"{path}: codes {', '.join(sorted(missing))} are not defined")
    thresholds = {}
    for key in ("fuzzy_project", "fuzzy_indicator", "renamed_indicator"):
        v = data.get(key, EditionSpec.__dataclass_fields__[key].default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            raise ConfigError(f"{path}: {key} must be a number from 0 to 100")
        thresholds[key] = float(v)
    note = compile_pattern(data.get("note_pattern", "見直"), f"{path}: note_pattern")
    return EditionSpec(codes, note, source=str(path), **thresholds)


def name_key(s: pd.Series) -> pd.Series:
    """Names as matching keys: NFKC, case-folded, whitespace and punctuation removed."""
    return (s.astype("string").fillna("").str.normalize("NFKC").str.casefold()
            .str.replace(_NOT_KEY, "", regex=True).astype("string"))


def _ratio(a: pd.Series, b: pd.Series) -> np.ndarray:
    """rapidfuzz ``ratio`` (0–100) of each pair (a[i], b[i]): one vectorised call."""
    from rapidfuzz import fuzz, process

    if len(a) == 0:
        return np.zeros(0)
    return np.asarray(process.cpdist(a.tolist(), b.tolist(), scorer=fuzz.ratio, workers=1), dtype="float64")


def _greedy(cands: pd.DataFrame) -> pd.DataFrame:
    """One-to-one pairs from candidate pairs (``cur``, ``prev``, ``score``), best score first.
    Runs over the left-over candidates only (a handful of rows)."""
    if cands.empty:
        return cands
    cands = cands.sort_values(["score", "cur", "prev"], ascending=[False, True, True], kind="stable")
    used_c, used_p, keep = set(), set(), []
    for i, c, p in zip(cands.index, cands["cur"], cands["prev"]):
        if c not in used_c and p not in used_p:
            used_c.add(c)
            used_p.add(p)
            keep.append(i)
    return cands.loc[keep]


def _keys(frame: pd.DataFrame, dep: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({"dep": dep, "proj": name_key(frame["project"]), "ind": name_key(frame["indicator"])},
                       index=frame.index)
    out["key"] = out["dep"] + "\x1f" + out["proj"] + "\x1f" + out["ind"]
    return out


def department_keys(current: pd.DataFrame, previous: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Department keys of this year's rows, of last year's rows mapped onto this year's names
    (through this year's ``department_previous``), and last year's department as this year names it."""
    cur = name_key(current["department"])
    old = name_key(current["department_previous"])
    alias = pd.Series(cur.to_numpy(), index=old.to_numpy())
    alias = alias[(alias.index != "") & ~alias.index.isin(set(cur))]
    alias = alias[~alias.index.duplicated()]
    prev_own = name_key(previous["department"])
    prev = prev_own.map(alias).astype("string").fillna(prev_own)
    shown = pd.Series(current["department"].astype("string").to_numpy(), index=cur.to_numpy())
    shown = shown[~shown.index.duplicated()]
    prev_shown = prev.map(shown).astype("string").fillna(previous["department"].astype("string"))
    return cur, prev, prev_shown


def match_editions(current: pd.DataFrame, previous: pd.DataFrame, spec: EditionSpec,
                   deps: tuple[pd.Series, pd.Series, pd.Series] | None = None
                   ) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.DataFrame]:
    """Match rows (module doc). Returns ``pairs`` (``cur``, ``prev``, ``how``, ``similarity``),
    ``ambiguous`` (this year's labels, E009), and the keys of both editions (``dep``, ``proj``,
    ``ind``, ``key``). ``deps``: :func:`department_keys` when already computed."""
    cur_dep, prev_dep, _ = deps or department_keys(current, previous)
    ck, pk = _keys(current, cur_dep), _keys(previous, prev_dep)
    ck["n"] = ck.groupby("key")["key"].transform("size")
    pk["n"] = pk.groupby("key")["key"].transform("size")
    ck["n_prev"] = ck["key"].map(pk.groupby("key").size()).fillna(0).astype("int64")
    pk["n_cur"] = pk["key"].map(ck.groupby("key").size()).fillna(0).astype("int64")
    ambiguous_c = (ck["n_prev"] > 0) & ((ck["n"] > 1) | (ck["n_prev"] > 1))
    ambiguous_p = (pk["n_cur"] > 0) & ((pk["n"] > 1) | (pk["n_cur"] > 1))

    uc = ck[(ck["n"] == 1) & (ck["n_prev"] == 1)]
    up = pk[(pk["n"] == 1) & (pk["n_cur"] == 1)]
    exact = uc.reset_index(names="cur").merge(up.reset_index(names="prev"), on="key")[["cur", "prev"]]
    exact["how"] = "exact"
    exact["similarity"] = 100.0
    pairs = [exact]

    left_c = ck[~ck.index.isin(exact["cur"]) & ~ambiguous_c]
    left_p = pk[~pk.index.isin(exact["prev"]) & ~ambiguous_p]
    base_c = _baseline_id(current.loc[left_c.index])
    base_p = _baseline_id(previous.loc[left_p.index])

    # fuzzy: similar project and indicator names within one department
    if len(left_c) and len(left_p):
        c = left_c.reset_index(names="cur")
        p = left_p.reset_index(names="prev")
        cand = c.merge(p, on="dep", suffixes=("_c", "_p"))
        cand["ps"] = _ratio(cand["proj_c"], cand["proj_p"])
        cand["is"] = _ratio(cand["ind_c"], cand["ind_p"])
        cand = cand[(cand["ps"] >= spec.fuzzy_project) & (cand["is"] >= spec.fuzzy_indicator)]
        fuzzy = _greedy(cand.assign(score=cand["ps"] + cand["is"]))
        if len(fuzzy):
            fuzzy = fuzzy.assign(how=np.where(fuzzy["ind_c"] == fuzzy["ind_p"], "fuzzy", "renamed"),
                                 similarity=fuzzy["is"])[["cur", "prev", "how", "similarity"]]
            pairs.append(fuzzy)
            left_c = left_c[~left_c.index.isin(fuzzy["cur"])]
            left_p = left_p[~left_p.index.isin(fuzzy["prev"])]

    # same department and project, another indicator: renamed or replaced
    if len(left_c) and len(left_p):
        c = left_c.reset_index(names="cur")
        p = left_p.reset_index(names="prev")
        cand = c.merge(p, on=["dep", "proj"], suffixes=("_c", "_p"))
        cand["is"] = _ratio(cand["ind_c"], cand["ind_p"])
        same_base = (base_c.reindex(cand["cur"]).to_numpy() == base_p.reindex(cand["prev"]).to_numpy())
        same_base &= base_c.reindex(cand["cur"]).notna().to_numpy()
        cand["same_base"] = same_base
        cand["score"] = cand["is"] + np.where(same_base, 100.0, 0.0)
        chosen = _greedy(cand)
        if len(chosen):
            renamed = (chosen["is"] >= spec.renamed_indicator) | chosen["same_base"]
            chosen = chosen.assign(how=np.where(renamed, "renamed", "replaced"),
                                   similarity=chosen["is"])[["cur", "prev", "how", "similarity"]]
            pairs.append(chosen)
    pairs_df = pd.concat(pairs, ignore_index=True).astype({"similarity": "float64"})
    return pairs_df, ck.index[ambiguous_c.to_numpy()].to_series(), ck, pk


def _baseline_id(frame: pd.DataFrame) -> pd.Series:
    """A baseline as comparable text (value and unit), NA when missing or unreadable."""
    present = frame["baseline_state"].isin([VALUE, LEVEL])
    text = frame["baseline_value"].map(lambda v: f"{v:.12g}").astype("string") + "|" + frame["baseline_unit"].fillna("")
    return text.where(present, pd.NA).astype("string")


def _changed(cur: pd.DataFrame, prev: pd.DataFrame, fld: str) -> pd.Series:
    """Whether a value field (and its year) differs between aligned rows of two editions."""
    sc, sp = cur[f"{fld}_state"].astype("string"), prev[f"{fld}_state"].astype("string")
    present_c, present_p = sc.isin([VALUE, LEVEL]), sp.isin([VALUE, LEVEL])
    vc, vp = cur[f"{fld}_value"].to_numpy("float64"), prev[f"{fld}_value"].to_numpy("float64")
    value_diff = present_c & present_p & ~pd.Series(np.isclose(vc, vp, rtol=1e-9, atol=0.0), index=cur.index)
    one_missing = present_c != present_p
    both_text = (sc == "unparseable") & (sp == "unparseable")
    text_diff = both_text & (name_key(cur[f"{fld}_raw"]) != name_key(prev[f"{fld}_raw"]))
    state_diff = ~present_c & ~present_p & (sc != sp)   # missing vs unreadable text
    yc, yp = cur[f"{fld}_year"].astype("Float64"), prev[f"{fld}_year"].astype("Float64")
    year_diff = (yc != yp).fillna(False).astype(bool)
    return (value_diff | one_missing | text_diff | state_diff | year_diff).fillna(False).astype(bool)


def _shown(frame: pd.DataFrame, fld: str) -> pd.Series:
    raw = frame[f"{fld}_raw"].astype("string").fillna("").str.strip()
    year = frame[f"{fld}_year_raw"].astype("string").fillna("").str.strip()
    with_year = raw + "（" + year + "）"
    return with_year.where((year != "") & (raw != ""), raw).astype("string")


def _row_unit(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The row's unit (baseline's, else target's, else current's) and the field it came from."""
    unit = pd.Series(pd.NA, index=frame.index, dtype="string")
    src = pd.Series(pd.NA, index=frame.index, dtype="string")
    for fld in VALUE_FIELDS:
        has = frame[f"{fld}_state"].isin([VALUE]) & unit.isna()
        unit = unit.mask(has, frame[f"{fld}_unit"].astype("string").fillna(""))
        src = src.mask(has, fld)
    return unit, src


def _side(frame: pd.DataFrame, prefix: str, lang: str) -> pd.DataFrame:
    """The template columns of one edition's rows (``prev_`` for last year's)."""
    out = pd.DataFrame(index=frame.index)
    for col in ("department", "project", "indicator", "grade_raw"):
        out[prefix + col] = frame[col].astype("string").fillna("")
    for fld in VALUE_FIELDS:
        out[f"{prefix}{fld}_shown"] = _shown(frame, fld)
    unit, src = _row_unit(frame)
    out[prefix + "unit"] = unit.replace("", NO_UNIT[lang])
    out[prefix + "unit_field"] = src
    return out


NO_UNIT = {"ja": "単位なし", "en": "no unit"}


def _kind(rows: pd.DataFrame, other: pd.DataFrame) -> np.ndarray:
    """For rows (keys ``dep``, ``proj``) with no counterpart in the other edition: ``kind_ja`` /
    ``kind_en`` columns saying whether only an indicator of the project is new/gone (the other
    edition has the project) or the whole project."""
    project_kept = (rows["dep"] + "\x1f" + rows["proj"]).isin(set((other["dep"] + "\x1f" + other["proj"]).tolist()))
    return np.column_stack([np.where(project_kept, "事業の指標", "事業"),
                            np.where(project_kept, "indicator of the project", "project")])


def compare_editions(current: pd.DataFrame, previous: pd.DataFrame, spec: EditionSpec | None = None, *,
                     lang: str = "ja", previous_paths: list[str] | None = None
                     ) -> tuple[pd.DataFrame, EditionInfo, pd.DataFrame]:
    """Compare two normalised editions (module doc). Returns (findings, info, pairs)."""
    spec = spec or load_edition_spec()
    deps = department_keys(current, previous)
    pairs, ambiguous, ck, pk = match_editions(current, previous, spec, deps)
    prev_shown_dep = deps[2]
    prev_files = ", ".join(dict.fromkeys(previous["source_file"].astype(str))) if len(previous) else ""
    parts = []

    # matched rows, aligned on this year's labels
    compared = pairs[pairs["how"] != "replaced"]
    cur = current.loc[pairs["cur"].to_numpy()]
    prev = previous.loc[pairs["prev"].to_numpy()]
    prev.index = cur.index
    ctx = pd.concat([cur[["department", "item", "project", "indicator", "source_file", "row"]
                         + [c for c in cur.columns if c.startswith("cell_")]],
                     _side(cur, "", lang), _side(prev, "prev_", lang)], axis=1)
    ctx = ctx.loc[:, ~ctx.columns.duplicated()]
    ctx["similarity"] = pairs["similarity"].round().astype("int64").astype("string").to_numpy()
    ctx["how"] = pairs["how"].to_numpy()
    ctx["prev_file"] = prev_files
    ctx["direction"] = cur["direction"].astype("string").to_numpy()
    is_compared = (ctx["how"] != "replaced").to_numpy()

    def prev_cell(fld: str) -> pd.Series:
        col = f"cell_{fld}"
        fallback = prev["source_file"].astype("string") + ":" + prev["row"].astype("string")
        return prev[col].astype("string").fillna(fallback) if col in prev else fallback

    def emit(code: str, mask, frame: pd.DataFrame = ctx, cell_field: str | None = None):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        c = spec.codes[code]
        sub = frame.loc[mask].copy()
        fld = cell_field or c.cell
        if "prev_cell" not in sub:
            sub["prev_cell"] = prev_cell(fld).loc[sub.index]
        ja, en = FIELD_LABELS[fld]
        sub["field_ja"] = sub["field_ja"] if "field_ja" in sub else ja
        sub["field_en"] = sub["field_en"] if "field_en" in sub else en
        part = F.from_rows(sub, code=code, severity=c.severity, field=fld,
                           observed=render(c.observed, sub, lang),
                           expected=render(c.texts["expected"][lang], sub, lang),
                           message=render(c.texts["message"][lang], sub, lang),
                           title=c.texts["title"][lang], fix=render(c.texts["fix"][lang], sub, lang))
        parts.append(part)
        return part

    # E003 / E004: the indicator was renamed or replaced
    emit("E003", (ctx["how"] == "renamed").to_numpy())
    emit("E004", (ctx["how"] == "replaced").to_numpy())

    # E001 / E002: baseline and target moved
    emit("E001", is_compared & _changed(cur, prev, "baseline").to_numpy())
    note_cell = cur["target_raw"].astype("string").fillna("").str.normalize("NFKC").str.contains(_NOTE_IN_CELL, regex=True)
    note_text = (cur["effect"].astype("string").fillna("").str.contains(spec.note_pattern, regex=True)
                 | cur["activities"].astype("string").fillna("").str.contains(spec.note_pattern, regex=True))
    noted = (note_cell | note_text).fillna(False).astype(bool).to_numpy()
    emit("E002", is_compared & _changed(cur, prev, "target").to_numpy() & ~noted)

    # E007: current value worse, grade better
    sign = cur["sign"].astype("float64").fillna(prev["sign"].astype("float64"))
    both = (cur["current_state"].isin([VALUE, LEVEL]) & prev["current_state"].isin([VALUE, LEVEL])
            & (cur["current_unit"].astype("string") == prev["current_unit"].astype("string")).fillna(False))
    worse = ((cur["current_value"] - prev["current_value"]) * sign < 0)
    better = (cur["grade_rank"].astype("Float64") < prev["grade_rank"].astype("Float64")).fillna(False)
    emit("E007", is_compared & (both & worse & better).fillna(False).astype(bool).to_numpy())

    # E008: the row's unit changed; the finding points at the field the unit was read from
    unit_diff = (ctx["unit"].notna() & ctx["prev_unit"].notna() & (ctx["unit"] != ctx["prev_unit"])).fillna(False)
    prev_unit_cell = pd.Series(pd.NA, index=ctx.index, dtype="string")
    for fld in VALUE_FIELDS:
        prev_unit_cell = prev_unit_cell.mask((ctx["prev_unit_field"] == fld).fillna(False), prev_cell(fld))
    for fld in VALUE_FIELDS:
        mask = is_compared & unit_diff.to_numpy() & (ctx["unit_field"] == fld).fillna(False).to_numpy()
        ja, en = FIELD_LABELS[fld]
        emit("E008", mask, ctx.assign(prev_cell=prev_unit_cell, field_ja=ja, field_en=en), cell_field=fld)

    # E010: the department's name changed (matched through a rename): last year's name as written
    # there (the new side of an arrow, before this plan's renames) against this year's department
    written = prev["department_raw"].astype("string").fillna("").str.split(r"\s*(?:→|⇒|->)\s*", regex=True).str[-1]
    written = written.astype("string").str.strip()
    renamed_dep = ((name_key(written) != name_key(cur["department"])) & (name_key(written) != "")).fillna(False)
    emit("E010", renamed_dep.to_numpy(bool), ctx.assign(prev_department=written.to_numpy()))

    # E005: last year's rows with no counterpart (pointing at last year's cell)
    gone = previous[~previous.index.isin(pairs["prev"]) & ~pk["n_cur"].gt(0).to_numpy()]
    gone_p = previous.index.isin(gone.index)
    if gone_p.any():
        g = pd.concat([gone[["item", "source_file", "row"] + [c for c in gone.columns if c.startswith("cell_")]],
                       gone[["project", "indicator"]], _side(gone, "prev_", lang)], axis=1)
        g["department"] = prev_shown_dep.loc[gone.index].fillna("")
        for col in PLACEHOLDERS - set(g.columns):
            g[col] = ""
        g[["kind_ja", "kind_en"]] = _kind(pk.loc[gone.index], ck)
        g["prev_cell"] = g["cell_project"].astype("string").fillna(g["source_file"] + ":" + g["row"].astype("string"))
        part = emit("E005", np.ones(len(g), dtype=bool), g)
        part["row_index"] = -1

    # E006: this year's rows with no counterpart
    new = current[~current.index.isin(pairs["cur"]) & ~current.index.isin(ambiguous)]
    if len(new):
        n = pd.concat([new[["department", "item", "project", "indicator", "source_file", "row"]
                           + [c for c in new.columns if c.startswith("cell_")]], _side(new, "", lang)], axis=1)
        n = n.loc[:, ~n.columns.duplicated()]
        for col in PLACEHOLDERS - set(n.columns):
            n[col] = ""
        n[["kind_ja", "kind_en"]] = _kind(ck.loc[new.index], pk)
        n["prev_file"] = prev_files
        n["prev_cell"] = ""
        emit("E006", np.ones(len(n), dtype=bool), n)

    # E009: duplicates that cannot be matched
    if len(ambiguous):
        a_cur = current.loc[ambiguous.to_numpy()]
        a = pd.concat([a_cur[["department", "item", "project", "indicator", "source_file", "row"]
                             + [c for c in a_cur.columns if c.startswith("cell_")]], _side(a_cur, "", lang)], axis=1)
        a = a.loc[:, ~a.columns.duplicated()]
        for col in PLACEHOLDERS - set(a.columns):
            a[col] = ""
        keys = ck.loc[a.index, "key"]
        a["n_current"] = ck.loc[a.index, "n"].astype("string")
        a["n_previous"] = ck.loc[a.index, "n_prev"].astype("string")
        pcell = previous["cell_project"].astype("string") if "cell_project" in previous else \
            previous["source_file"].astype("string") + ":" + previous["row"].astype("string")
        cells_by_key = pcell.groupby(pk["key"]).agg(lambda s: "、".join(s.fillna("")))
        a["prev_cells"] = keys.map(cells_by_key).astype("string").fillna("")
        a["prev_cell"] = ""
        emit("E009", np.ones(len(a), dtype=bool), a)

    counts = pairs["how"].value_counts()
    info = EditionInfo(
        previous_paths=[str(p) for p in (previous_paths or [])], previous_rows=len(previous),
        matched=int(len(compared)), exact=int(counts.get("exact", 0)), fuzzy=int(counts.get("fuzzy", 0)),
        renamed=int(counts.get("renamed", 0)), replaced=int(counts.get("replaced", 0)),
        appeared=int(len(new)), disappeared=int(len(gone)), ambiguous=int(len(ambiguous)),
        current_rows=len(current))
    out_pairs = pairs.rename(columns={"cur": "current", "prev": "previous"})
    return F.combine(parts), info, out_pairs
