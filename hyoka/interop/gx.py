"""Great Expectations (GX Core 1.x) interop: hyoka's checks as an Expectation Suite.

``build_suite(rules, ...)`` translates the rule catalog (rules/catalog.yaml, conditions in the
language of :mod:`hyoka.check.expr`) and the Pandera schema (checks/normalised.yaml) into a suite for
the **normalised table** — the frame :func:`hyoka.pipeline.run_check` returns as
``CheckResult.frame`` (hyoka.normalise.frame output plus the derive columns). The suite is a plain dict
in the JSON shape GX 1.x writes in a file context (``gx/expectations/NAME.json``)::

    {"name": "hyoka", "expectations": [{"type": ..., "kwargs": {...}, "meta": {"hyoka_code": "D001", ...}}],
     "meta": {"hyoka": {...}}}

so a team running GX loads it with ``gx.ExpectationSuite(**json.load(f))`` or copies the file into
its project. Building it needs no GX installation; :func:`validate_with_gx` does (the optional
extra ``hyoka[gx]``), and GX is imported only inside that function.

How a rule becomes expectations. hyoka's logic is three-valued: a rule fires on a row where its
condition is *definitely* true (a comparison with a missing value is unknown). The condition is
put in disjunctive normal form (``not`` pushed down to the comparisons, which is sound in Kleene
logic); a product ``(X - Y) * S OP 0`` is split into the cases S > 0 (X OP Y), S < 0 (X flipped-OP
Y) and S == 0. Each conjunction becomes one expectation: one conjunct whose negation GX can
expect — a column pair comparison (``expect_column_pair_values_a_to_be_greater_than_b``,
``expect_column_pair_values_to_be_equal``, missing values ignored), a value set
(``expect_column_values_to_[not_]be_in_set``), a range (``expect_column_values_to_be_between``)
or nullity (``expect_column_values_to_[not_]be_null``) — and the other conjuncts as its
``row_condition`` (``condition_parser: pandas``, a ``DataFrame.query`` string written so that a
missing value never satisfies it). A rule's rows in GX are the union of its expectations'
unexpected rows. A conjunction with no such conjunct is reported as not expressible, with why.

pandas query caveat: with numexpr installed, a column named like a numexpr function (``sign``)
is read as that function (pandas-dev/pandas#50937); such columns are written ``sign.copy()``,
which pandas evaluates itself.
"""

from __future__ import annotations

import ast
import json
import keyword
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hyoka import __version__
from hyoka.atomic import replacing, write_text
from hyoka.check import registry
from hyoka.check.rules import Rule, load_catalog
from hyoka.check.schema import load_schema
from hyoka.config import selected
from hyoka.errors import ConfigError, HyokaError
from hyoka.pipeline import CheckOptions, check_codes, run_check

SUITE_NAME = "hyoka"
#: numexpr 2.x function names (numexpr.expressions.functions) and pandas' reductions: a column
#: with one of these names cannot be read by name in a numexpr-evaluated DataFrame.query
NUMEXPR_NAMES = frozenset(
    "abs arccos arccosh arcsin arcsinh arctan arctan2 arctanh ceil complex conj contains copy "
    "copysign cos cosh exp expm1 floor fmod hypot imag isfinite isinf isnan log log10 log1p log2 "
    "max maximum min minimum nextafter ones_like prod real round sign signbit sin sinh sqrt sum "
    "tan tanh trunc where".split())
MAX_CONJUNCTIONS = 16  # a condition whose normal form has more is reported, not exported

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEG = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.In: "in", ast.NotIn: "not in"}
_PY = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
       ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


class NotExpressible(Exception):
    """A condition (or part of it) has no GX form; the message says why."""


# --- the condition as atoms -------------------------------------------------------------------

@dataclass(frozen=True)
class Cmp:
    """``left OP right``: sides are ``ast`` nodes (a column, a constant, a list, or arithmetic)."""

    left: ast.expr
    op: str
    right: ast.expr


@dataclass(frozen=True)
class Null:
    """``missing(column)`` (``is_null``) or ``present(column)``."""

    column: str
    is_null: bool


@dataclass(frozen=True)
class Truth:
    """A constant: ``True`` / ``False`` (from literals, or from a comparison with None)."""

    value: bool


Atom = Cmp | Null | Truth


def _const(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id in ("True", "False", "None"))


def _value(node: ast.expr) -> Any:
    if isinstance(node, ast.Name):
        return {"True": True, "False": False, "None": None}[node.id]
    return node.value  # type: ignore[attr-defined]


def _col(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) and not _const(node) else None


def _dnf(node: ast.expr, negate: bool = False) -> list[list[Atom]]:
    """Disjunctive normal form: a list of conjunctions (lists of atoms); ``not`` pushed to atoms."""
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And) != negate
        parts = [_dnf(v, negate) for v in node.values]
        if not is_and:
            return [c for p in parts for c in p]
        out: list[list[Atom]] = [[]]
        for p in parts:
            out = [a + b for a in out for b in p]
            if len(out) > MAX_CONJUNCTIONS:
                raise NotExpressible(f"more than {MAX_CONJUNCTIONS} cases once `or` is expanded")
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _dnf(node.operand, not negate)
    if isinstance(node, ast.Compare):
        atoms: list[Atom] = []
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            atoms.append(Cmp(left, _OPS[type(op)], right))
            left = right
        if negate:  # not (a < b < c) = (a >= b) or (b >= c)
            return [[_negate(a)] for a in atoms]
        return [atoms]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("missing", "present"):
        col = _col(node.args[0])
        if col is None:
            raise NotExpressible(f"`{ast.unparse(node)}`: missing()/present() of an expression")
        return [[Null(col, (node.func.id == "missing") != negate)]]
    if _const(node):
        v = _value(node)
        if v is None:
            return []  # unknown: never definitely true, nor its negation
        return [[]] if bool(v) != negate else []
    if (col := _col(node)) is not None:  # a bare column is read as a boolean column
        return [[Cmp(ast.Name(col), "==", ast.Constant(not negate))]]
    raise NotExpressible(f"`{ast.unparse(node)}` is not a condition GX row filters can hold")


def _negate(atom: Atom) -> Atom:
    if isinstance(atom, Cmp):
        return Cmp(atom.left, _NEG[atom.op], atom.right)
    if isinstance(atom, Null):
        return Null(atom.column, not atom.is_null)
    return Truth(not atom.value)


def _product(node: ast.expr) -> tuple[ast.expr, str] | None:
    """``(X - Y) * S`` or ``S * (X - Y)`` with S a column → ((X - Y), S)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for diff, s in ((node.left, node.right), (node.right, node.left)):
            if isinstance(diff, ast.BinOp) and isinstance(diff.op, ast.Sub) and _col(s):
                return diff, _col(s)  # type: ignore[return-value]
    return None


def _is_zero(node: ast.expr) -> bool:
    return _const(node) and not isinstance(_value(node), bool) and _value(node) == 0


def _as_product(atom: Atom) -> tuple[ast.expr, str, str] | None:
    """``(X - Y) * S OP 0`` (either side) → ((X - Y), S, OP)."""
    if not isinstance(atom, Cmp) or atom.op not in _FLIP:
        return None
    left, op, right = atom.left, atom.op, atom.right
    if _is_zero(left):
        left, op, right = right, _FLIP[op], left
    if not _is_zero(right) or (prod := _product(left)) is None:
        return None
    return prod[0], prod[1], op


def _split_signs(conj: list[Atom]) -> list[list[Atom]]:
    """Expand every ``(X - Y) * S OP 0`` into the cases S > 0, S < 0, S == 0 (see module doc);
    all products with the same S are expanded together."""
    sign = next((p[1] for a in conj if (p := _as_product(a))), None)
    if sign is None:
        return [conj]
    s_node, zero = ast.Name(sign), ast.Constant(0)
    out = []
    for case in (">", "<", "=="):
        atoms: list[Atom] = [Cmp(s_node, case, zero)]
        for atom in conj:
            p = _as_product(atom)
            if p is None or p[1] != sign:
                atoms.append(atom)
            elif case == ">":
                atoms.append(Cmp(p[0], p[2], zero))
            elif case == "<":
                atoms.append(Cmp(p[0], _FLIP[p[2]], zero))
            elif _PY[p[2]](0, 0):  # 0 OP 0 holds: with S == 0 it is true wherever X and Y are present
                atoms += [Null(c, False) for c in sorted({n.id for n in ast.walk(p[0]) if _col(n)})]
            else:
                atoms.append(Truth(False))
        out += _split_signs(atoms)
    return out


def _simplify(atom: Atom) -> Atom:
    """``X - Y OP 0`` → ``X OP Y``; ``const OP col`` → ``col OP' const``; comparisons with None
    (always unknown) → False."""
    if not isinstance(atom, Cmp):
        return atom
    left, op, right = atom.left, atom.op, atom.right
    if op in _FLIP and _const(left) and not _const(right):
        left, op, right = right, _FLIP[op], left
    if (_const(right) and _value(right) is None) or (_const(left) and _value(left) is None):
        return Truth(False)
    if op in _PY and _const(left) and _const(right):  # a comparison of two constants
        try:
            return Truth(bool(_PY[op](_value(left), _value(right))))
        except TypeError:
            raise NotExpressible(f"`{ast.unparse(left)} {op} {ast.unparse(right)}` compares unlike constants") from None
    if op in _FLIP and _is_zero(right) and isinstance(left, ast.BinOp) and isinstance(left.op, ast.Sub):
        left, right = left.left, left.right
    return Cmp(left, op, right)


def conjunctions(rule: Rule) -> list[list[Atom]]:
    """The rule's condition as a list of conjunctions of atoms (an empty list: never fires)."""
    out = []
    for conj in _dnf(rule.when.tree):
        for case in _split_signs(conj):
            atoms = [_simplify(a) for a in case]
            if any(isinstance(a, Truth) and not a.value for a in atoms):
                continue
            out.append([a for a in atoms if not isinstance(a, Truth)])
            if len(out) > MAX_CONJUNCTIONS:
                raise NotExpressible(f"more than {MAX_CONJUNCTIONS} cases once `or` and signs are expanded")
    return out


# --- atoms as pandas query text (row_condition) -----------------------------------------------

def _name(col: str) -> str:
    if col in NUMEXPR_NAMES:
        return f"{col}.copy()"
    if not col.isidentifier() or keyword.iskeyword(col) or col in ("True", "False", "None"):
        if "`" in col:
            raise NotExpressible(f"column name {col!r} cannot be written in a pandas query")
        return f"`{col}`"
    return col


def _literal(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, float) and not math.isfinite(v):
        raise NotExpressible(f"constant {v!r} cannot be written in a pandas query")
    if isinstance(v, (int, float, str)):
        return repr(v)
    raise NotExpressible(f"constant {v!r} cannot be written in a pandas query")


def _query_expr(node: ast.expr) -> str:
    if _const(node):
        return _literal(_value(node))
    if (col := _col(node)) is not None:
        return _name(col)
    if isinstance(node, (ast.List, ast.Tuple)):
        return "[" + ", ".join(_literal(_value(e)) for e in node.elts) + "]"
    if isinstance(node, ast.BinOp):
        sym = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
        return f"({_query_expr(node.left)} {sym} {_query_expr(node.right)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"(-{_query_expr(node.operand)})"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "abs":
        return f"abs({_query_expr(node.args[0])})"
    raise NotExpressible(f"`{ast.unparse(node)}` cannot be written in a pandas query")


def _columns(node: ast.expr) -> list[str]:
    return sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and _col(n)})


def query_text(atom: Atom) -> str:
    """The atom as a ``DataFrame.query`` condition that is True exactly where hyoka's is
    definitely true. pandas compares a missing string as a Python object (NA != 'x' is True),
    so ``!=`` and ``not in`` are guarded with ``.notna()`` of every column they read."""
    if isinstance(atom, Null):
        return f"{_name(atom.column)}.{'isna' if atom.is_null else 'notna'}()"
    if isinstance(atom, Truth):  # conjunctions() drops constants before this
        raise NotExpressible("a constant condition")
    text = f"{_query_expr(atom.left)} {atom.op} {_query_expr(atom.right)}"
    if atom.op in ("!=", "not in"):
        guards = [f"{_name(c)}.notna()" for c in _columns(atom.left) + _columns(atom.right)]
        return " and ".join(guards + [f"({text})"])
    return text


# --- atoms as expectations (the check) --------------------------------------------------------

def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def expectation_for(atom: Atom) -> tuple[str, dict] | None:
    """The GX expectation whose unexpected rows are exactly the rows where ``atom`` is definitely
    true (GX skips missing values as hyoka's logic calls them unknown), or None."""
    if isinstance(atom, Null):
        return ("expect_column_values_to_not_be_null" if atom.is_null
                else "expect_column_values_to_be_null", {"column": atom.column})
    if not isinstance(atom, Cmp):
        return None
    a, b, op = _col(atom.left), atom.right, atom.op
    if a is None:
        return None
    if op in ("in", "not in") and isinstance(b, (ast.List, ast.Tuple)):
        values = [_value(e) for e in b.elts]
        if any(v is None for v in values):
            return None
        kind = "expect_column_values_to_not_be_in_set" if op == "in" else "expect_column_values_to_be_in_set"
        return kind, {"column": a, "value_set": values}
    if _const(b):
        v = _value(b)
        if op == "==":
            return "expect_column_values_to_not_be_in_set", {"column": a, "value_set": [v]}
        if op == "!=":
            return "expect_column_values_to_be_in_set", {"column": a, "value_set": [v]}
        if not _number(v):
            return None
        # fires where a < v: expect a >= v, and so on
        bounds = {"<": {"min_value": v}, "<=": {"min_value": v, "strict_min": True},
                  ">": {"max_value": v}, ">=": {"max_value": v, "strict_max": True}}[op]
        return "expect_column_values_to_be_between", {"column": a, **bounds}
    if (bc := _col(b)) is not None:
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


def _score(atom: Atom, kind: str, cell: str) -> int:
    kwargs_cols = [c for c in (_col(atom.left), _col(atom.right)) if c] if isinstance(atom, Cmp) else [atom.column]
    base = {"expect_column_pair_values_a_to_be_greater_than_b": 3, "expect_column_pair_values_to_be_equal": 3,
            "expect_column_values_to_be_between": 2}.get(kind, 2)
    if isinstance(atom, Null) or (isinstance(atom, Cmp) and isinstance(atom.right, ast.Constant)
                                  and isinstance(atom.right.value, bool)):
        base = 1
    related = any(c == cell or c.startswith(cell + "_") for c in kwargs_cols)
    return base + related


# --- the suite --------------------------------------------------------------------------------

@dataclass
class Suite:
    """``suite``: the Expectation Suite as a JSON-able dict; ``unexpressed``: one entry per rule
    (or schema check) not exported, ``{code, field, when, reason}``."""

    suite: dict
    unexpressed: list[dict] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(e["meta"]["hyoka_code"] for e in self.suite["expectations"]))


def rule_expectations(rule: Rule, severity: str | None = None) -> list[dict]:
    """The expectations for one rule instance. Raises NotExpressible with the reason."""
    conj = conjunctions(rule)
    if not conj:
        raise NotExpressible("the condition can never be definitely true")
    out = []
    for atoms in conj:
        candidates = []
        for i, atom in enumerate(atoms):
            exp = expectation_for(atom)
            if exp is not None:
                candidates.append((_score(atom, exp[0], rule.cell), i, exp))
        if not candidates:
            raise NotExpressible(
                "no part of `" + " and ".join(query_text(a) for a in atoms) + "` is a column comparison, "
                "value set, range or null check GX can expect")
        _, pick, (kind, kwargs) = max(candidates, key=lambda c: (c[0], c[1]))
        rest = [query_text(a) for j, a in enumerate(atoms) if j != pick]
        if rest:
            kwargs = {**kwargs, "row_condition": " and ".join(rest), "condition_parser": "pandas"}
        meta = {"hyoka_code": rule.code, "hyoka_rule": rule.name,
                "hyoka_severity": severity or rule.severity, "hyoka_when": rule.when.text,
                "hyoka_title": rule.title}
        if rule.each_field:
            meta["hyoka_field"] = rule.each_field
        if len(conj) > 1:
            meta["hyoka_case"] = f"{len(out) + 1}/{len(conj)}"
        out.append({"type": kind, "kwargs": kwargs, "meta": meta})
    return out


#: pandera dtype → GX ``type_``. GX compares the dtype's scalar type, so Int64 and int64 look
#: alike to it, and pandas' string dtype is ``str``.
_GX_TYPES = {"float64": "float64", "int64": "int64", "Int64": "int64", "string": "str", "str": "str",
             "string[pyarrow]": "str", "string[python]": "str",
             "bool": "bool", "boolean": "bool"}


def schema_expectations(schema_path: Path | None = None) -> tuple[list[dict], list[dict]]:
    """Expectations for checks/normalised.yaml (Pandera): column exists, dtype, not-null, and
    the checks GX has (in_range, comparisons, isin/notin, str_matches). Codes and severities
    come from rules/schema_findings.yaml (hyoka.check.registry). Returns (expectations, unexpressed)."""
    schema = load_schema(str(schema_path) if schema_path else None)
    out, skipped = [], []
    source = str(schema_path) if schema_path else "checks/normalised.yaml"
    for name, col in schema.columns.items():
        spec = registry.schema_spec(name)

        def add(kind: str, kwargs: dict, check: str, note: str | None = None) -> None:
            meta = {"hyoka_code": spec["code"], "hyoka_severity": spec["severity"], "hyoka_check": check,
                    "hyoka_source": source, "hyoka_title": spec["title"]}
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
                skipped.append({"code": spec["code"], "field": name, "when": f"dtype {dtype}",
                                "reason": f"no GX type name for the pandas dtype {dtype}"})
        if not col.nullable:
            add("expect_column_values_to_not_be_null", {}, "nullable: false")
        for check in col.checks:
            stats = dict(check.statistics or {})
            cname = check.name
            kw: dict | None = None
            kind = "expect_column_values_to_be_between"
            if cname == "in_range":
                kw = {"min_value": stats["min_value"], "max_value": stats["max_value"],
                      "strict_min": not stats.get("include_min", True), "strict_max": not stats.get("include_max", True)}
            elif cname in ("greater_than_or_equal_to", "greater_than", "less_than_or_equal_to", "less_than"):
                v = next(iter(stats.values()))
                kw = {"greater_than_or_equal_to": {"min_value": v}, "greater_than": {"min_value": v, "strict_min": True},
                      "less_than_or_equal_to": {"max_value": v}, "less_than": {"max_value": v, "strict_max": True}}[cname]
            elif cname in ("isin", "notin", "equal_to", "not_equal_to"):
                values = next(iter(stats.values()))
                values = list(values) if cname in ("isin", "notin") else [values]
                kind = ("expect_column_values_to_be_in_set" if cname in ("isin", "equal_to")
                        else "expect_column_values_to_not_be_in_set")
                kw = {"value_set": values}
            elif cname == "str_matches":
                kind, kw = "expect_column_values_to_match_regex", {"regex": stats["pattern"]}
            if kw is None:
                skipped.append({"code": spec["code"], "field": name, "when": cname,
                                "reason": f"Pandera check {cname} has no GX expectation in this export"})
            else:
                add(kind, kw, cname)
    return out, skipped


def build_suite(rules: list[Rule], *, name: str = SUITE_NAME, severity: dict[str, str] | None = None,
                schema: bool = True, schema_path: Path | None = None, meta: dict | None = None) -> Suite:
    """The Expectation Suite for ``rules`` (one expectation or more per rule instance, in
    catalog order) after the schema's expectations (``schema=False`` leaves them out).
    ``severity`` overrides rule severities (hyoka.toml ``[severity]``)."""
    severity = {k.upper(): v for k, v in (severity or {}).items()}
    expectations: list[dict] = []
    unexpressed: list[dict] = []
    if schema:
        exp, skipped = schema_expectations(schema_path)
        expectations += exp
        unexpressed += skipped
    for rule in rules:
        try:
            expectations += rule_expectations(rule, severity.get(rule.code))
        except NotExpressible as exc:
            unexpressed.append({"code": rule.code, "field": rule.each_field or rule.cell,
                                "when": rule.when.text, "reason": str(exc)})
    suite_meta = {"hyoka": {"version": __version__, "table": "normalised (hyoka.pipeline.run_check(...).frame)",
                            "unexpressed": [u["code"] for u in unexpressed], **(meta or {})}}
    return Suite({"name": name, "expectations": expectations, "meta": suite_meta}, unexpressed)


# --- running the suite in GX ------------------------------------------------------------------

def validate_with_gx(frame: pd.DataFrame, suite: dict | str | Path) -> dict[str, set[int]]:
    """Run ``suite`` (a dict as :func:`build_suite` makes, or a path to its JSON) on ``frame``
    (the normalised table) in an ephemeral GX context, result format COMPLETE.

    Returns ``{hyoka_code: {row index labels}}`` for every code in the suite: the union of the
    unexpected index labels of that code's expectations (``frame.index`` labels, the same as a
    finding's ``row_index``); a failed table-level expectation (column missing, wrong type)
    adds ``-1``. Raises HyokaError when GX is not installed or an expectation raised an error
    (a row_condition pandas cannot evaluate, a missing column), naming the expectation."""
    import json
    import logging
    import os
    import warnings

    if isinstance(suite, (str, Path)):
        suite = json.loads(Path(suite).read_text(encoding="utf-8"))
    # GX Core 1.x sends analytics events unless told not to ("Toggle analytics events"); a user's own
    # setting of the variable is kept
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
    except ImportError:
        raise HyokaError("Great Expectations is not installed: pip install 'hyoka[gx]'") from None
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = (context.data_sources.add_pandas("hyoka").add_dataframe_asset("normalised")
                 .add_batch_definition_whole_dataframe("all rows"))
    used = [c for c in frame.columns if c in suite_columns(suite)]
    with warnings.catch_warnings():
        # GX >= 1.9 deprecates string row conditions (to be removed in 2.0); they still run
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pydantic|great_expectations")
        gx_suite = gx.ExpectationSuite(**{k: v for k, v in suite.items() if k in ("name", "expectations", "meta")})
        batch = batch_def.get_batch(batch_parameters={"dataframe": frame[used]})
        result = batch.validate(gx_suite, result_format="COMPLETE")
    rows: dict[str, set[int]] = {}
    for r in result.results:
        cfg = r.expectation_config
        code = (cfg.meta or {}).get("hyoka_code", cfg.type)
        hits = rows.setdefault(code, set())
        info = r.exception_info or {}
        raised = info.get("raised_exception") if "raised_exception" in info else any(
            isinstance(v, dict) and v.get("raised_exception") for v in info.values())
        if raised:
            msg = info.get("exception_message") or next(
                (v.get("exception_message") for v in info.values() if isinstance(v, dict)), "")
            raise HyokaError(f"GX could not run {cfg.type} for {code} ({cfg.kwargs.get('row_condition', '')}): "
                             f"{str(msg)[:300]}")
        if r.success:
            continue
        index = (r.result or {}).get("unexpected_index_list")
        if index is None:
            hits.add(-1)
        else:
            hits.update(int(i) for i in index)
    return rows


def suite_columns(suite: dict) -> set[str]:
    """The columns a suite reads: its expectations' column arguments and every name in their
    row conditions (GX resolves each row condition against the whole frame, so
    :func:`validate_with_gx` hands it only these)."""
    import re

    cols: set[str] = set()
    for e in suite.get("expectations", []):
        kw = e.get("kwargs", {})
        cols.update(str(kw[k]) for k in ("column", "column_A", "column_B") if k in kw)
        cols.update(kw.get("column_list") or [])
        cond = kw.get("row_condition")
        if isinstance(cond, dict):
            cond = cond.get("pass_through_filter", "")
        if cond:
            # names (and quoted strings' words: harmless, only frame columns are kept)
            cols.update(a or b for a, b in re.findall(r"`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)", str(cond)))
    return cols


def hyoka_rows(findings: pd.DataFrame, codes: list[str] | set[str]) -> dict[str, set[int]]:
    """hyoka's findings in the shape :func:`validate_with_gx` returns, for ``codes``."""
    sub = findings[findings["code"].isin(list(codes))]
    out: dict[str, set[int]] = {c: set() for c in codes}
    for code, idx in sub.groupby("code")["row_index"]:
        out[str(code)] = set(int(i) for i in idx)
    return out


# --- export -----------------------------------------------------------------------------------

@dataclass
class Export:
    suite_path: Path
    unexpressed_path: Path
    table_path: Path | None
    suite: Suite


def export_gx(out: Path, options: CheckOptions, paths: list[Path] | None = None, name: str = SUITE_NAME) -> Export:
    """Write ``OUT/NAME.json`` (the suite), ``OUT/NAME_unexpressed.json`` (rules not exported,
    with why) and, when ``paths`` are given, ``OUT/normalised.parquet`` (their normalised table,
    the data the suite is for). ``options`` is a :class:`hyoka.pipeline.CheckOptions`: its rules,
    select/ignore and severity overrides choose and mark the exported rules. Every file is
    written atomically. Raises ConfigError for a bad rule file, HyokaError for bad input."""
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ConfigError(f"--name {name!r}: use letters, digits, _ and -")
    catalog = load_catalog(options.rules)
    check_codes(options, registry.known_codes(catalog))
    rules = [r for r in catalog if selected(r.code, options.select, options.extend_select, options.ignore)]
    schema = any(selected(c, options.select, options.extend_select, options.ignore) for c in ("S000", "S001", "S002", "S003"))
    meta = {"rules": str(options.rules) if options.rules else "rules/catalog.yaml",
            "scale": options.scale or "a-d", "indicators": str(options.indicators) if options.indicators else None,
            "schedule_margin": options.schedule_margin}
    built = build_suite(rules, name=name, severity=options.severity, schema=schema, meta=meta)
    keep = lambda code: selected(code, options.select, options.extend_select, options.ignore)  # noqa: E731
    built.suite["expectations"] = [e for e in built.suite["expectations"] if keep(e["meta"]["hyoka_code"])]
    built.unexpressed = [u for u in built.unexpressed if keep(u["code"])]
    built.suite["meta"]["hyoka"]["unexpressed"] = [u["code"] for u in built.unexpressed]
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HyokaError(f"--out {out}: cannot create the folder ({exc.strerror or exc})") from None
    suite_path, unexpressed_path = out / f"{name}.json", out / f"{name}_unexpressed.json"
    table_path = None
    if paths:
        frame = run_check(list(paths), options).frame
        table_path = out / "normalised.parquet"
        with replacing(table_path) as tmp:
            frame.to_parquet(tmp, index=True)
    write_text(suite_path, json.dumps(built.suite, ensure_ascii=False, indent=2) + "\n")
    write_text(unexpressed_path, json.dumps(built.unexpressed, ensure_ascii=False, indent=2) + "\n")
    return Export(suite_path, unexpressed_path, table_path, built)
