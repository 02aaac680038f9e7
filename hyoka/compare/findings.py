"""Comparing two matched editions: the E-code findings (the conditions are in
:mod:`hyoka.compare.editions`' module doc) and the counts of the comparison.

:func:`compare_editions` returns (findings, info, pairs): a findings frame
(:mod:`hyoka.check.findings`), an :class:`~hyoka.compare.spec.EditionInfo` and the matched rows
(``current``, ``previous``: row labels; ``how``; ``similarity``). Texts come from
rules/edition_findings.yaml, filled by :func:`hyoka.check.text.render` from the template columns
built here (:data:`~hyoka.compare.spec.PLACEHOLDERS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hyoka.cellref import place_texts
from hyoka.check import findings as F
from hyoka.check.rules import FIELD_LABELS
from hyoka.check.text import render
from hyoka.compare.match import department_keys, match_editions, name_key
from hyoka.compare.spec import PLACEHOLDERS, EditionInfo, EditionSpec, load_edition_spec
from hyoka.normalise.measures import LEVEL, VALUE
from hyoka.normalise.vocabulary import VALUE_FIELDS
from hyoka.read.raw import PLACE_PREFIXES

_NOTE_IN_CELL = r"※|\([^()]*\)\s*$"


def _changed(cur: pd.DataFrame, prev: pd.DataFrame, fld: str) -> pd.Series:
    """Whether a value field (and its year) differs between aligned rows of two editions."""
    sc, sp = cur[f"{fld}_state"].astype("string"), prev[f"{fld}_state"].astype("string")
    present_c, present_p = sc.isin([VALUE, LEVEL]), sp.isin([VALUE, LEVEL])
    vc, vp = cur[f"{fld}_value"].to_numpy("float64"), prev[f"{fld}_value"].to_numpy("float64")
    value_diff = present_c & present_p & ~pd.Series(np.isclose(vc, vp, rtol=1e-9, atol=0.0), index=cur.index)
    one_missing = present_c != present_p
    both_text = (sc == "unparseable") & (sp == "unparseable")
    text_diff = both_text & (name_key(cur[f"{fld}_raw"]) != name_key(prev[f"{fld}_raw"]))
    state_diff = ~present_c & ~present_p & (sc != sp)  # missing vs unreadable text
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
    return np.column_stack(
        [np.where(project_kept, "事業の指標", "事業"), np.where(project_kept, "indicator of the project", "project")]
    )


def _context(
    rows: pd.DataFrame, prefix: str, lang: str, department: pd.Series | None = None, fill: bool = False
) -> pd.DataFrame:
    """The template columns for ``rows`` of one edition (same index): the row's identity
    (``department``, ``item``, ``project``, ``indicator``), place (``source_file``, ``sheet``, ``row``,
    the place columns ``col_*``, ``char_*``, ``cellrow_*``) and the :func:`_side` columns (``prev_`` for last year's rows). ``department``
    replaces the rows' own (last year's rows under this year's name); ``fill`` sets every other
    placeholder of :data:`PLACEHOLDERS` to ``""`` (rows with no counterpart)."""
    places = [c for c in rows.columns if c.startswith(PLACE_PREFIXES)]
    out = pd.concat(
        [
            rows[["department", "item", "project", "indicator", "source_file", "sheet", "row"] + places],
            _side(rows, prefix, lang),
        ],
        axis=1,
    )
    out = out.loc[:, ~out.columns.duplicated()]
    if department is not None:
        out["department"] = department
    if fill:
        for col in sorted(PLACEHOLDERS - set(out.columns)):
            out[col] = ""
    return out


def _cell_texts(rows: pd.DataFrame, fld: str) -> pd.Series:
    """The place of ``fld``'s cell on each of ``rows`` (normalised rows) as text, for messages that
    name last year's cell (``prev_cell``): a CSV column is named by its field (as the loader
    names the columns it reads; a year written in a value header is in that value's column)."""
    cell_row, col, _ = F.field_place(rows, fld)
    header = rows[f"cellrow_{fld}"].to_numpy("int64") > 0 if f"cellrow_{fld}" in rows else np.zeros(len(rows), bool)
    label = pd.Series(np.where(header, fld.removesuffix("_year"), fld), index=rows.index, dtype="string")
    sheet = rows["sheet"] if "sheet" in rows else pd.Series("", index=rows.index, dtype="string")
    return place_texts(
        rows["source_file"], sheet, pd.Series(cell_row, index=rows.index), pd.Series(col, index=rows.index), label
    )


def compare_editions(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    spec: EditionSpec | None = None,
    *,
    lang: str = "ja",
    previous_paths: list[str] | None = None,
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
    ctx = pd.concat([_context(cur, "", lang), _side(prev, "prev_", lang)], axis=1)
    ctx["similarity"] = pairs["similarity"].round().astype("int64").astype("string").to_numpy()
    ctx["how"] = pairs["how"].to_numpy()
    ctx["prev_file"] = prev_files
    ctx["direction"] = cur["direction"].astype("string").to_numpy()
    is_compared = (ctx["how"] != "replaced").to_numpy()

    def prev_cell(fld: str) -> pd.Series:
        return _cell_texts(prev, fld)

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
        part = F.from_rows(
            sub,
            code=code,
            severity=c.severity,
            field=fld,
            observed=render(c.observed[lang], sub, lang),
            expected=render(c.texts["expected"][lang], sub, lang),
            message=render(c.texts["message"][lang], sub, lang),
            title=c.texts["title"][lang],
            fix=render(c.texts["fix"][lang], sub, lang),
        )
        parts.append(part)
        return part

    # E003 / E004: the indicator was renamed or replaced
    emit("E003", (ctx["how"] == "renamed").to_numpy())
    emit("E004", (ctx["how"] == "replaced").to_numpy())

    # E001 / E002: baseline and target moved
    emit("E001", is_compared & _changed(cur, prev, "baseline").to_numpy())
    note_cell = (
        cur["target_raw"].astype("string").fillna("").str.normalize("NFKC").str.contains(_NOTE_IN_CELL, regex=True)
    )
    note_text = pd.Series(False, index=cur.index)
    for col in ("effect", "remarks", "activities"):  # texts as published: the note pattern is matched on their NFKC
        text = cur[col].astype("string").fillna("").str.normalize("NFKC")
        note_text = note_text | spec.note_pattern.contains(text)
    noted = (note_cell | note_text).fillna(False).astype(bool).to_numpy()
    emit("E002", is_compared & _changed(cur, prev, "target").to_numpy() & ~noted)

    # E007: current value worse, grade better
    sign = cur["sign"].astype("float64").fillna(prev["sign"].astype("float64"))
    both = (
        cur["current_state"].isin([VALUE, LEVEL])
        & prev["current_state"].isin([VALUE, LEVEL])
        & (cur["current_unit"].astype("string") == prev["current_unit"].astype("string")).fillna(False)
    )
    worse = (cur["current_value"] - prev["current_value"]) * sign < 0
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
        g = _context(gone, "prev_", lang, department=prev_shown_dep.loc[gone.index].fillna(""), fill=True)
        g[["kind_ja", "kind_en"]] = _kind(pk.loc[gone.index], ck)
        g["prev_cell"] = _cell_texts(gone, "project")
        part = emit("E005", np.ones(len(g), dtype=bool), g)
        part["row_index"] = -1

    # E006: this year's rows with no counterpart
    new = current[~current.index.isin(pairs["cur"]) & ~current.index.isin(ambiguous)]
    if len(new):
        n = _context(new, "", lang, fill=True)
        n[["kind_ja", "kind_en"]] = _kind(ck.loc[new.index], pk)
        n["prev_file"] = prev_files
        n["prev_cell"] = ""
        emit("E006", np.ones(len(n), dtype=bool), n)

    # E009: duplicates that cannot be matched
    if len(ambiguous):
        a_cur = current.loc[ambiguous.to_numpy()]
        a = _context(a_cur, "", lang, fill=True)
        keys = ck.loc[a.index, "key"]
        a["n_current"] = ck.loc[a.index, "n"].astype("string")
        a["n_previous"] = ck.loc[a.index, "n_prev"].astype("string")
        named = pk["key"].isin(set(keys.tolist())).to_numpy()  # last year's rows of these keys only
        pcell = _cell_texts(previous.loc[named], "project")
        cells_by_key = pcell.groupby(pk["key"][named]).agg(lambda s: "、".join(s.fillna("")))
        a["prev_cells"] = keys.map(cells_by_key).astype("string").fillna("")
        a["prev_cell"] = ""
        emit("E009", np.ones(len(a), dtype=bool), a)

    counts = pairs["how"].value_counts()
    info = EditionInfo(
        previous_paths=[str(p) for p in (previous_paths or [])],
        previous_rows=len(previous),
        matched=int(len(compared)),
        exact=int(counts.get("exact", 0)),
        fuzzy=int(counts.get("fuzzy", 0)),
        renamed=int(counts.get("renamed", 0)),
        replaced=int(counts.get("replaced", 0)),
        appeared=int(len(new)),
        disappeared=int(len(gone)),
        ambiguous=int(len(ambiguous)),
        current_rows=len(current),
    )
    out_pairs = pairs.rename(columns={"cur": "current", "prev": "previous"})
    return F.combine(parts), info, out_pairs
