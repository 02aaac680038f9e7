"""Validating the normalised frame with the Pandera schema in checks/.

``validate(frame, lang)`` runs ``checks/normalised.yaml`` lazily (all failures collected) and
returns them as a findings frame (:mod:`hyoka.check.findings`): each failure on a row becomes a finding
on that row's cell; a failure of the whole table (a missing column, a wrong dtype) becomes one
finding pointing at the file. Codes and texts come from ``rules/schema_findings.yaml``
(through :mod:`hyoka.check.registry`).

A column's check is about a field (``field`` in that file: S001 department, S002 partners, S003
the years), and does not apply to the rows of a table without that field's column
(:mod:`hyoka.check.profile`): a table with no department column gets no S001, only its H002
(:mod:`hyoka.check.skipped`). A blank cell in a department column still gets S001.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.profile import has_fields
from hyoka.check.text import render
from hyoka.errors import ConfigError
from hyoka.resources import data_dir


@lru_cache(maxsize=4)
def load_schema(path: str | None = None) -> pa.DataFrameSchema:
    p = Path(path) if path else data_dir("checks") / "normalised.yaml"
    try:
        return pa.DataFrameSchema.from_yaml(p)
    except Exception as exc:  # pandera raises assorted types for a bad schema file
        raise ConfigError(f"{p}: not a valid Pandera schema ({exc})") from None


def validate(frame: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """Validate ``frame`` (the normalised frame); return findings for every schema failure."""
    schema = load_schema()
    try:
        schema.validate(frame, lazy=True)
        return F.empty()
    except SchemaErrors as exc:
        cases = exc.failure_cases.copy()
    parts = []
    cases["column"] = cases["column"].astype("string").fillna("")
    for column, group in cases.groupby("column", sort=True):
        spec = registry.schema_spec(column)
        fld = spec.get("field")
        on_row = group["index"].notna()
        idx = pd.to_numeric(group["index"], errors="coerce")
        rows = group[on_row & idx.isin(frame.index)]
        sub = frame.loc[idx[rows.index].astype("int64").to_numpy()]
        if fld:  # not on the rows of a table that lacks the field's column
            applies = has_fields(sub, [fld])
            rows, sub = rows[applies], sub[applies]
        ctx_frame = pd.DataFrame(
            {
                "failure_case": rows["failure_case"].astype("string").to_numpy(),
                "check": rows["check"].astype("string").to_numpy(),
                "column": column,
            },
            index=sub.index,
        )
        parts.append(
            F.from_rows(
                sub,
                code=spec["code"],
                severity=spec["severity"],
                field=fld or column,
                observed=ctx_frame["failure_case"].fillna(""),
                expected=render(spec["expected"][lang], ctx_frame, lang),
                message=render(spec["message"][lang], ctx_frame, lang),
                title=spec["title"][lang],
                fix=(spec.get("fix") or {}).get(lang, ""),
            )
        )
        table_level = group[~on_row]
        if len(table_level):
            source = ", ".join(sorted(frame["source_file"].dropna().unique())) if len(frame) else ""
            whole = pd.DataFrame(
                {
                    "code": spec["code"],
                    "severity": spec["severity"],
                    "department": "",
                    "item": "",
                    "project": "",
                    "indicator": "",
                    "field": fld or column,
                    "observed": table_level["failure_case"].astype("string").fillna("").to_numpy(),
                    "expected": table_level["check"].astype("string").to_numpy(),
                    "message": [f"{column}: {c}" for c in table_level["check"].astype(str)],
                    "title": spec["title"][lang],
                    "fix": (spec.get("fix") or {}).get(lang, ""),
                    "row_index": -1,
                    "source_file": source,
                    "sheet": "",
                    "row": 0,
                    "cell_row": 0,
                    "col": 0,
                    "char_col": 0,  # the file(s)
                    "waived": "",
                }
            )
            parts.append(F.typed(whole))
    return F.combine(parts)


def field_codes() -> dict[str, list[str]]:
    """field → the schema codes whose checks need it (rules/schema_findings.yaml ``columns``), in
    code order: what a table without that field's column does not get checked for."""
    out: dict[str, set[str]] = {}
    for col in (registry.finding_file("schema").get("columns") or {}).values():
        out.setdefault(col["field"], set()).add(col["code"])
    return {f: sorted(codes) for f, codes in out.items()}
