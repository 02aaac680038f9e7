"""A small, safe expression language for rule conditions, evaluated on whole columns.

Rules in rules/*.yaml say *when* they fire with an expression such as::

    grade_standing == 'upper' and units_agree and (current_value - baseline_value) * sign < 0

The text is parsed with Python's ``ast`` module (``mode="eval"``, so statements are impossible)
and then walked by this module's own evaluator; nothing is ever passed to ``eval``/``exec``.
Allowed: column names of the normalised frame, numbers, strings, ``True``/``False``/``None``,
lists of constants, ``and``/``or``/``not``, comparisons (``== != < <= > >= in not in``),
``+ - * /``, unary minus, and the functions ``missing(x)``, ``present(x)`` and ``abs(x)``.
Anything else (attributes, subscripts, lambdas, other calls, comprehensions…) is a ConfigError
when the rule file is loaded, naming the rule.

Logic is three-valued (Kleene): a comparison involving a missing value is unknown, ``not``
unknown is unknown, and a rule fires only where its condition is definitely true.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from hyoka.errors import ConfigError

MAX_EXPR_CHARS = 2000

_CMP = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FUNCS = ("missing", "present", "abs")


@dataclass(frozen=True)
class Expression:
    """A parsed condition. ``names`` are the columns it reads."""

    text: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, frame: pd.DataFrame) -> pd.Series:
        """Evaluate on ``frame``; returns a bool Series (True where the condition surely holds)."""
        return self.evaluate_nullable(frame).fillna(False).astype(bool)

    def evaluate_nullable(self, frame: pd.DataFrame) -> pd.Series:
        """Evaluate on ``frame``; returns a nullable boolean Series (NA where unknown)."""
        result = _eval(self.tree, frame)
        if not isinstance(result, pd.Series):
            result = pd.Series(result, index=frame.index)
        return _as_bool(result)


def parse(text: str, known: set[str] | None = None, where: str = "rule") -> Expression:
    """Parse and check an expression. ``known`` lists the column names it may use."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: `when` must be a non-empty expression")
    if len(text) > MAX_EXPR_CHARS:
        raise ConfigError(f"{where}: expression longer than {MAX_EXPR_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except RecursionError:
        raise ConfigError(f"{where}: expression nested too deeply") from None
    except SyntaxError as exc:
        raise ConfigError(f"{where}: cannot parse `{text}` ({exc.msg})") from None
    names: set[str] = set()
    try:
        _check(tree, names, where)
    except RecursionError:
        raise ConfigError(f"{where}: expression nested too deeply") from None
    if known is not None and (unknown := names - known):
        raise ConfigError(f"{where}: unknown column(s) {', '.join(sorted(unknown))} in `{text}`")
    return Expression(text, tree, frozenset(names))


def _check(node: ast.AST, names: set[str], where: str) -> None:
    ok = True
    if isinstance(node, ast.BoolOp):
        ok = isinstance(node.op, (ast.And, ast.Or))
    elif isinstance(node, ast.UnaryOp):
        ok = isinstance(node.op, (ast.Not, ast.USub))
    elif isinstance(node, ast.Compare):
        ok = all(type(op) in _CMP or isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
    elif isinstance(node, ast.BinOp):
        ok = type(node.op) in _BIN
    elif isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            pass
        else:
            names.add(node.id)
    elif isinstance(node, ast.Constant):
        ok = isinstance(node.value, (str, int, float, bool)) or node.value is None
    elif isinstance(node, (ast.List, ast.Tuple)):
        ok = all(isinstance(e, ast.Constant) for e in node.elts)
    elif isinstance(node, ast.Call):
        ok = isinstance(node.func, ast.Name) and node.func.id in _FUNCS and len(node.args) == 1 and not node.keywords
        if ok:
            _check(node.args[0], names, where)
            return
    elif (
        isinstance(node, (ast.Load, ast.And, ast.Or, ast.Not, ast.USub, ast.In, ast.NotIn))
        or type(node) in _CMP
        or type(node) in _BIN
    ):
        pass
    else:
        ok = False
    if not ok:
        raise ConfigError(
            f"{where}: `{ast.unparse(node)}` is not allowed in a rule expression "
            f"(only columns, constants, and/or/not, comparisons, + - * /, "
            f"{', '.join(_FUNCS)})"
        )
    for child in ast.iter_child_nodes(node):
        _check(child, names, where)


def _as_bool(v: Any) -> Any:
    if isinstance(v, pd.Series):
        return _boolean(v)
    return v


def _boolean(s: pd.Series) -> pd.Series:
    """``s.astype("boolean")``. Comparisons on Arrow strings give Arrow booleans, which pandas
    converts element by element; here the values and the missing mask go across whole."""
    if isinstance(s.dtype, pd.ArrowDtype) and s.dtype.kind == "b":
        mask = s.isna().to_numpy(bool)
        values = s.fillna(False).to_numpy(dtype=bool)
        return pd.Series(pd.arrays.BooleanArray(values, mask), index=s.index, name=s.name)
    return s.astype("boolean")


def _isna(v: Any) -> Any:
    if isinstance(v, pd.Series):
        return v.isna()
    return v is None or (isinstance(v, float) and v != v)


def _eval(node: ast.expr, frame: pd.DataFrame) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        return frame[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [cast(ast.Constant, e).value for e in node.elts]  # _check: lists hold constants only
    if isinstance(node, ast.BoolOp):
        values = [_as_bool(_eval(v, frame)) for v in node.values]
        out = values[0]
        for v in values[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, frame)
        return (
            ~_as_bool(v)
            if isinstance(node.op, ast.Not) and isinstance(v, pd.Series)
            else ((not v) if isinstance(node.op, ast.Not) else -v)
        )
    if isinstance(node, ast.Call):
        arg = _eval(node.args[0], frame)
        name = cast(ast.Name, node.func).id  # _check: a call names one of _FUNCS
        if name == "missing":
            return _isna(arg)
        if name == "present":
            return ~_isna(arg) if isinstance(arg, pd.Series) else not _isna(arg)
        return abs(arg)
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, frame), _eval(node.right, frame)
        for side in (left, right):  # arithmetic on numbers only: no string repetition tricks
            numeric = (
                pd.api.types.is_numeric_dtype(side) and not pd.api.types.is_bool_dtype(side)
                if isinstance(side, pd.Series)
                else isinstance(side, (int, float)) and not isinstance(side, bool) and abs(side) < 1e15
            )
            if not numeric:
                raise ConfigError(f"`{ast.unparse(node)}`: arithmetic needs numeric columns or numbers")
        return _BIN[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, frame)
        result = None
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, frame)
            step = _compare(op, left, right)
            result = step if result is None else (_as_bool(result) & step)
            left = right
        return result
    raise ConfigError(f"cannot evaluate `{ast.unparse(node)}`")  # unreachable after _check


def _compare(op: ast.cmpop, left: Any, right: Any) -> Any:
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(left, pd.Series):
            left = pd.Series([left])
        hit = left.isin(right).astype("boolean").mask(left.isna(), pd.NA)
        return ~hit if isinstance(op, ast.NotIn) else hit
    fn: Callable[[Any, Any], Any] = _CMP[type(op)]
    unknown = None
    for side in (left, right):
        na = _isna(side)
        if isinstance(na, pd.Series):
            unknown = na if unknown is None else (unknown | na)
        elif na:
            return pd.NA
    res = fn(left, right)
    if isinstance(res, pd.Series):
        res = _boolean(res)
        if unknown is not None:
            res = res.mask(unknown.astype(bool), pd.NA)
    return res
