"""Matching the rows of two editions of a table (one row = one project's indicator; a row is
matched at most once). The steps are in :mod:`hyoka.compare.editions`' module doc: name keys,
exact keys, fuzzy names within a department, another indicator of the same project (renamed or
replaced); duplicates of a key are left unmatched (E009).

:func:`match_editions` returns the pairs (columns ``cur``, ``prev``: row labels of the two frames;
``how``: exact/fuzzy/renamed/replaced; ``similarity``: indicator-name ratio, 0–100, float).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hyoka.compare.spec import EditionSpec
from hyoka.normalise.measures import LEVEL, VALUE
from hyoka.normalise.text import text_keys


def name_key(s: pd.Series) -> pd.Series:
    """Names as matching keys: NFKC, case-folded, whitespace and punctuation removed (hyoka.normalise.text)."""
    return text_keys(s, punctuation=True)


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
    out = pd.DataFrame(
        {"dep": dep, "proj": name_key(frame["project"]), "ind": name_key(frame["indicator"])}, index=frame.index
    )
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


def match_editions(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    spec: EditionSpec,
    deps: tuple[pd.Series, pd.Series, pd.Series] | None = None,
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
            fuzzy = fuzzy.assign(
                how=np.where(fuzzy["ind_c"] == fuzzy["ind_p"], "fuzzy", "renamed"), similarity=fuzzy["is"]
            )[["cur", "prev", "how", "similarity"]]
            pairs.append(fuzzy)
            left_c = left_c[~left_c.index.isin(fuzzy["cur"])]
            left_p = left_p[~left_p.index.isin(fuzzy["prev"])]

    # same department and project, another indicator: renamed or replaced
    if len(left_c) and len(left_p):
        c = left_c.reset_index(names="cur")
        p = left_p.reset_index(names="prev")
        cand = c.merge(p, on=["dep", "proj"], suffixes=("_c", "_p"))
        cand["is"] = _ratio(cand["ind_c"], cand["ind_p"])
        same_base = base_c.reindex(cand["cur"]).to_numpy() == base_p.reindex(cand["prev"]).to_numpy()
        same_base &= base_c.reindex(cand["cur"]).notna().to_numpy()
        cand["same_base"] = same_base
        cand["score"] = cand["is"] + np.where(same_base, 100.0, 0.0)
        chosen = _greedy(cand)
        if len(chosen):
            renamed = (chosen["is"] >= spec.renamed_indicator) | chosen["same_base"]
            chosen = chosen.assign(how=np.where(renamed, "renamed", "replaced"), similarity=chosen["is"])[
                ["cur", "prev", "how", "similarity"]
            ]
            pairs.append(chosen)
    pairs_df = pd.concat(pairs, ignore_index=True).astype({"similarity": "float64"})
    return pairs_df, ck.index[ambiguous_c.to_numpy()].to_series(), ck, pk


def _baseline_id(frame: pd.DataFrame) -> pd.Series:
    """A baseline as comparable text (value and unit), NA when missing or unreadable."""
    present = frame["baseline_state"].isin([VALUE, LEVEL])
    text = frame["baseline_value"].map(lambda v: f"{v:.12g}").astype("string") + "|" + frame["baseline_unit"].fillna("")
    return text.where(present, pd.NA).astype("string")
