"""Atoms, rules and the Pandera schema as GX expectations (JSON-able dicts).

``expectation_for(atom)`` is the expectation whose unexpected rows are the rows where the atom is
definitely true; ``rule_expectations(rule)`` one expectation per conjunction of the rule's normal
form (the other conjuncts as its ``row_condition``); ``schema_expectations()`` the column checks
of checks/normalised.yaml. Each expectation is ``{"type", "kwargs", "meta": {"hyoka_code", ...}}``.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

from hyoka.check import registry
from hyoka.check.rules import Rule
from hyoka.check.schema import load_schema
from hyoka.interop.gx.normal_form import (
    Atom,
    Cmp,
    NotExpressible,
    Null,
    column_of,
    conjunctions,
    const_value,
    is_const,
)
from hyoka.interop.gx.query import query_text


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def expectation_for(atom: Atom) -> tuple[str, dict] | None:
    """The GX expectation whose unexpected rows are exactly the rows where ``atom`` is definitely
    true (GX skips missing values as hyoka's logic calls them unknown), or None."""
    if isinstance(atom, Null):
        return (
            "expect_column_values_to_not_be_null" if atom.is_null else "expect_column_values_to_be_null",
            {"column": atom.column},
        )
    if not isinstance(atom, Cmp):
        return None
    a, b, op = column_of(atom.left), atom.right, atom.op
    if a is None:
        return None
    if op in ("in", "not in") and isinstance(b, (ast.List, ast.Tuple)):
        values = [const_value(e) for e in b.elts]
        if any(v is None for v in values):
            return None
        kind = "expect_column_values_to_not_be_in_set" if op == "in" else "expect_column_values_to_be_in_set"
        return kind, {"column": a, "value_set": values}
    if is_const(b):
        v = const_value(b)
        if op == "==":
            return "expect_column_values_to_not_be_in_set", {"column": a, "value_set": [v]}
        if op == "!=":
            return "expect_column_values_to_be_in_set", {"column": a, "value_set": [v]}
        if not _number(v):
            return None
        # fires where a < v: expect a >= v, and so on
        bounds = {
            "<": {"min_value": v},
            "<=": {"min_value": v, "strict_min": True},
            ">": {"max_value": v},
            ">=": {"max_value": v, "strict_max": True},
        }[op]
        return "expect_column_values_to_be_between", {"column": a, **bounds}
    if (bc := column_of(b)) is not None:
        pair = "expect_column_pair_values_a_to_be_greater_than_b"
        missing = {"ignore_row_if": "either_value_is_missing"}
        if op == "!=":
            return "expect_column_pair_values_to_be_equal", {"column_A": a, "column_B": bc, **missing}
        if op == "==":
            return None
        # fires where a < b: expect a >= b; a <= b: expect a > b; a > b: expect b >= a; a >= b: expect b > a
        hi, lo = (a, bc) if op in ("<", "<=") else (bc, a)
        return pair, {"column_A": hi, "column_B": lo, "or_equal": op in ("<", ">"), **missing}
    return None


def _score(atom: Cmp | Null, kind: str, cell: str) -> int:
    kwargs_cols = (
        [c for c in (column_of(atom.left), column_of(atom.right)) if c] if isinstance(atom, Cmp) else [atom.column]
    )
    base = {
        "expect_column_pair_values_a_to_be_greater_than_b": 3,
        "expect_column_pair_values_to_be_equal": 3,
        "expect_column_values_to_be_between": 2,
    }.get(kind, 2)
    if isinstance(atom, Null) or (
        isinstance(atom, Cmp) and isinstance(atom.right, ast.Constant) and isinstance(atom.right.value, bool)
    ):
        base = 1
    related = any(c == cell or c.startswith(cell + "_") for c in kwargs_cols)
    return base + related


def rule_expectations(rule: Rule, severity: str | None = None) -> list[dict]:
    """The expectations for one rule instance. Raises NotExpressible with the reason."""
    conj = conjunctions(rule)
    if not conj:
        raise NotExpressible("the condition can never be definitely true")
    out: list[dict] = []
    for atoms in conj:
        candidates = []
        for i, atom in enumerate(atoms):
            exp = expectation_for(atom)
            if exp is not None:
                candidates.append((_score(atom, exp[0], rule.cell), i, exp))
        if not candidates:
            raise NotExpressible(
                "no part of `" + " and ".join(query_text(a) for a in atoms) + "` is a column comparison, "
                "value set, range or null check GX can expect"
            )
        _, pick, (kind, kwargs) = max(candidates, key=lambda c: (c[0], c[1]))
        rest = [query_text(a) for j, a in enumerate(atoms) if j != pick]
        if rest:
            kwargs = {**kwargs, "row_condition": " and ".join(rest), "condition_parser": "pandas"}
        meta = {
            "hyoka_code": rule.code,
            "hyoka_rule": rule.name,
            "hyoka_severity": severity or rule.severity,
            "hyoka_when": rule.when.text,
            "hyoka_title": rule.title,
        }
        if rule.each_field:
            meta["hyoka_field"] = rule.each_field
        if rule.group_by:  # GX fails every row; hyoka says it once per group, listing the rows
            meta["hyoka_group_by"] = list(rule.group_by)
        if len(conj) > 1:
            meta["hyoka_case"] = f"{len(out) + 1}/{len(conj)}"
        out.append({"type": kind, "kwargs": kwargs, "meta": meta})
    return out


#: pandera dtype → GX ``type_``. GX compares the dtype's scalar type, so Int64 and int64 look
#: alike to it, and pandas' string dtype is ``str``.
_GX_TYPES = {
    "float64": "float64",
    "int64": "int64",
    "Int64": "int64",
    "string": "str",
    "str": "str",
    "string[pyarrow]": "str",
    "string[python]": "str",
    "bool": "bool",
    "boolean": "bool",
}


def schema_expectations(schema_path: Path | None = None) -> tuple[list[dict], list[dict]]:
    """Expectations for checks/normalised.yaml (Pandera): column exists, dtype, not-null, and
    the checks GX has (in_range, comparisons, isin/notin, str_matches). Codes and severities
    come from rules/schema_findings.yaml (hyoka.check.registry). Returns (expectations, unexpressed)."""
    schema = load_schema(str(schema_path) if schema_path else None)
    out, skipped = [], []
    source = str(schema_path) if schema_path else "checks/normalised.yaml"
    for name, col in schema.columns.items():
        spec = registry.schema_spec(name)

        def add(kind: str, kwargs: dict, check: str, note: str | None = None, spec=spec, name=name) -> None:
            meta = {
                "hyoka_code": spec["code"],
                "hyoka_severity": spec["severity"],
                "hyoka_check": check,
                "hyoka_source": source,
                "hyoka_title": spec["title"],
            }
            if note:
                meta["hyoka_note"] = note
            out.append({"type": kind, "kwargs": {"column": name, **kwargs}, "meta": meta})

        if col.required:
            add("expect_column_to_exist", {}, "required")
        dtype = str(col.dtype) if col.dtype is not None else None
        if dtype:
            if dtype in _GX_TYPES:
                note = "GX cannot tell Int64 from int64" if dtype == "Int64" else None
                add("expect_column_values_to_be_of_type", {"type_": _GX_TYPES[dtype]}, f"dtype {dtype}", note)
            else:
                skipped.append(
                    {
                        "code": spec["code"],
                        "field": name,
                        "when": f"dtype {dtype}",
                        "reason": f"no GX type name for the pandas dtype {dtype}",
                    }
                )
        if not col.nullable:
            add("expect_column_values_to_not_be_null", {}, "nullable: false")
        for check in col.checks:
            stats = dict(check.statistics or {})
            cname = check.name
            kw: dict | None = None
            kind = "expect_column_values_to_be_between"
            if cname == "in_range":
                kw = {
                    "min_value": stats["min_value"],
                    "max_value": stats["max_value"],
                    "strict_min": not stats.get("include_min", True),
                    "strict_max": not stats.get("include_max", True),
                }
            elif cname in ("greater_than_or_equal_to", "greater_than", "less_than_or_equal_to", "less_than"):
                v = next(iter(stats.values()))
                kw = {
                    "greater_than_or_equal_to": {"min_value": v},
                    "greater_than": {"min_value": v, "strict_min": True},
                    "less_than_or_equal_to": {"max_value": v},
                    "less_than": {"max_value": v, "strict_max": True},
                }[cname]
            elif cname in ("isin", "notin", "equal_to", "not_equal_to"):
                values = next(iter(stats.values()))
                values = list(values) if cname in ("isin", "notin") else [values]
                kind = (
                    "expect_column_values_to_be_in_set"
                    if cname in ("isin", "equal_to")
                    else "expect_column_values_to_not_be_in_set"
                )
                kw = {"value_set": values}
            elif cname == "str_matches":
                kind, kw = "expect_column_values_to_match_regex", {"regex": stats["pattern"]}
            if kw is None:
                skipped.append(
                    {
                        "code": spec["code"],
                        "field": name,
                        "when": cname,
                        "reason": f"Pandera check {cname} has no GX expectation in this export",
                    }
                )
            else:
                add(kind, kw, cname)
    return out, skipped
