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

Pandera is imported only when it has something to say. :func:`passes` reads the same schema file
and, for the parts of Pandera's format it knows (``dtype``, ``nullable`` and the checks
``greater_than_or_equal_to``, ``in_range`` and ``str_matches``, with Pandera's own pandas
operations), answers whether the frame certainly passes; anything else in the file, any doubt
(another dtype than the exact one hyoka's normaliser makes, a blank in a non-nullable column, a
value a check refuses, a missing column) and Pandera runs as before and makes the findings. So the
findings are Pandera's in every case, and a clean table (the common case) does not pay Pandera's
import (about 0.2 s, a third of pandas' own). When Pandera does run it is imported without
Hypothesis (:func:`_import_pandera`): pandera's built-in checks import its data-synthesis
strategies, which import Hypothesis whenever it is installed (0.07 s more), and hyoka never
synthesises data.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.profile import has_fields
from hyoka.check.text import render
from hyoka.errors import ConfigError
from hyoka.resources import data_dir, load_yaml

if TYPE_CHECKING:
    import pandera.pandas as pa

#: schema dtype → the one frame dtype :func:`passes` accepts for it: the dtype hyoka's normaliser
#: gives that column (pandas 3's pyarrow-backed string with pd.NA as its missing value, NumPy int64
#: and float64, pandas' nullable Int64). Pandera accepts more (object for string, Int64 for int64);
#: any other dtype goes to Pandera. tests/test_schema.py checks that Pandera accepts each of these.
FAST_DTYPES: dict[str, str] = {
    "string": "string[pyarrow]/NA",
    "int64": "int64",
    "Int64": "Int64",
    "float64": "float64",
}
_SCHEMA_KEYS = {"schema_type", "version", "columns", "coerce", "strict"}
_COLUMN_KEYS = {"dtype", "nullable", "checks"}


def _dtype_key(dtype: Any) -> str:
    """A dtype's name as :data:`FAST_DTYPES` spells it (a string dtype also names its storage and
    whether its missing value is pd.NA)."""
    if isinstance(dtype, pd.StringDtype):
        return f"string[{dtype.storage}]/{'NA' if dtype.na_value is pd.NA else 'nan'}"
    return str(dtype)


def _import_pandera() -> None:
    """Import pandera and its pandas backend's built-in checks without Hypothesis (see the module
    docstring): while they load, ``import hypothesis`` fails (a None in sys.modules), so pandera's
    strategies module takes its documented fallback for an environment without Hypothesis. Once
    loaded, pandera keeps that state for the process; Hypothesis itself stays importable. When
    Hypothesis or pandera's strategies are already loaded (a test run), nothing is blocked."""
    if "pandera.backends.pandas.builtin_checks" in sys.modules:
        return
    block = "hypothesis" not in sys.modules and "pandera.strategies.base_strategies" not in sys.modules
    if block:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        import pandera.backends.pandas.builtin_checks  # (imports pandera.strategies)
        import pandera.pandas  # noqa: F401
    finally:
        if block and sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]


@lru_cache(maxsize=4)
def load_schema(path: str | None = None) -> pa.DataFrameSchema:
    """The Pandera schema (``checks/normalised.yaml`` by default). Raises ConfigError for a file
    Pandera cannot read."""
    _import_pandera()
    import pandera.pandas as pa

    p = Path(path) if path else data_dir("checks") / "normalised.yaml"
    try:
        return pa.DataFrameSchema.from_yaml(p)
    except Exception as exc:  # pandera raises assorted types for a bad schema file
        raise ConfigError(f"{p}: not a valid Pandera schema ({exc})") from None


@lru_cache(maxsize=1)
def _fast_spec() -> dict | None:
    """The bundled schema file as :func:`passes` reads it, or None when it uses anything
    :func:`passes` does not know (then Pandera always runs)."""
    data = load_yaml(data_dir("checks") / "normalised.yaml")
    if not isinstance(data, dict) or set(data) - _SCHEMA_KEYS or data.get("schema_type") != "dataframe":
        return None
    if data.get("coerce") is not False or data.get("strict") is not False:
        return None
    columns = data.get("columns")
    if not isinstance(columns, dict):
        return None
    for spec in columns.values():
        if not isinstance(spec, dict) or set(spec) - _COLUMN_KEYS or spec.get("dtype") not in FAST_DTYPES:
            return None
        checks = spec.get("checks") or {}
        if not isinstance(checks, dict):
            return None
        for name, arg in checks.items():
            if name == "greater_than_or_equal_to" and isinstance(arg, (int, float)) and not isinstance(arg, bool):
                continue
            if name == "in_range" and isinstance(arg, dict) and set(arg) == {"min_value", "max_value"}:
                continue
            if name == "str_matches" and isinstance(arg, str):
                continue
            return None
    return columns


def passes(frame: pd.DataFrame) -> bool:
    """True only when Pandera would find nothing in ``frame`` with the bundled schema (see the
    module docstring); False means "ask Pandera", not "fails". Each check is Pandera's pandas
    operation on the column's non-missing values (Pandera ignores missing values in checks)."""
    columns = _fast_spec()
    if columns is None or not frame.columns.is_unique:
        return False
    for name, spec in columns.items():
        if name not in frame.columns:
            return False
        col = frame[name]
        if _dtype_key(col.dtype) != FAST_DTYPES[spec["dtype"]]:
            return False
        present = col.notna()
        if not spec.get("nullable", False) and not present.all():
            return False
        checks = spec.get("checks") or {}
        if not checks:
            continue
        values = col[present]
        for check, arg in checks.items():
            if check == "greater_than_or_equal_to":
                ok = values >= arg
            elif check == "in_range":
                ok = (values >= arg["min_value"]) & (values <= arg["max_value"])
            else:
                ok = values.str.match(arg, na=False)
            if not bool(ok.all()):
                return False
    return True


def validate(frame: pd.DataFrame, lang: str = "ja") -> pd.DataFrame:
    """Validate ``frame`` (the normalised frame); return findings for every schema failure."""
    if passes(frame):
        return F.empty()
    schema = load_schema()
    from pandera.errors import SchemaErrors

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
