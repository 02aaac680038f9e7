"""Atoms as pandas ``DataFrame.query`` text: the ``row_condition`` of an expectation.

``query_text(atom) -> str`` is True exactly where hyoka's atom is definitely true (a missing
value never satisfies it). Raises NotExpressible for a name or constant a query cannot hold.

pandas query caveat: with numexpr installed, a column named like a numexpr function (``sign``)
is read as that function (pandas-dev/pandas#50937); such columns are written ``sign.copy()``,
which pandas evaluates itself.
"""

from __future__ import annotations

import ast
import keyword
import math
from typing import Any

from hyoka.interop.gx.normal_form import (
    Atom,
    NotExpressible,
    Null,
    Truth,
    column_of,
    const_value,
    is_const,
)

#: numexpr 2.x function names (numexpr.expressions.functions) and pandas' reductions: a column
#: with one of these names cannot be read by name in a numexpr-evaluated DataFrame.query
NUMEXPR_NAMES = frozenset(
    "abs arccos arccosh arcsin arcsinh arctan arctan2 arctanh ceil complex conj contains copy "
    "copysign cos cosh exp expm1 floor fmod hypot imag isfinite isinf isnan log log10 log1p log2 "
    "max maximum min minimum nextafter ones_like prod real round sign signbit sin sinh sqrt sum "
    "tan tanh trunc where".split()
)


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
    if is_const(node):
        return _literal(const_value(node))
    if (col := column_of(node)) is not None:
        return _name(col)
    if isinstance(node, (ast.List, ast.Tuple)):
        return "[" + ", ".join(_literal(const_value(e)) for e in node.elts) + "]"
    if isinstance(node, ast.BinOp):
        sym = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
        return f"({_query_expr(node.left)} {sym} {_query_expr(node.right)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"(-{_query_expr(node.operand)})"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "abs":
        return f"abs({_query_expr(node.args[0])})"
    raise NotExpressible(f"`{ast.unparse(node)}` cannot be written in a pandas query")


def _columns(node: ast.expr) -> list[str]:
    return sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and column_of(n)})


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
