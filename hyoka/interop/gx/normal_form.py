"""The rule condition in disjunctive normal form, for the GX export.

``conjunctions(rule)`` turns a rule's condition (a :mod:`hyoka.check.expr` AST) into a list of
conjunctions of atoms (:class:`Cmp`, :class:`Null`; constants folded away), each conjunction a
case in which the rule fires. ``not`` is pushed down to the comparisons (sound in hyoka's
three-valued, Kleene logic); a product ``(X - Y) * S OP 0`` is split into the cases S > 0,
S < 0 and S == 0. Raises :class:`NotExpressible` with the reason when a condition has no such
form (or more than ``MAX_CONJUNCTIONS`` cases).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, cast

from hyoka.check.rules import Rule

MAX_CONJUNCTIONS = 16  # a condition whose normal form has more is reported, not exported

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEG = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_PY = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


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


def is_const(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id in ("True", "False", "None"))


def const_value(node: ast.expr) -> Any:
    if isinstance(node, ast.Name):
        return {"True": True, "False": False, "None": None}[node.id]
    return cast(ast.Constant, node).value  # a constant (is_const): a Name or else a Constant


def column_of(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) and not is_const(node) else None


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
        col = column_of(node.args[0])
        if col is None:
            raise NotExpressible(f"`{ast.unparse(node)}`: missing()/present() of an expression")
        return [[Null(col, (node.func.id == "missing") != negate)]]
    if is_const(node):
        v = const_value(node)
        if v is None:
            return []  # unknown: never definitely true, nor its negation
        return [[]] if bool(v) != negate else []
    if (col := column_of(node)) is not None:  # a bare column is read as a boolean column
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
            if isinstance(diff, ast.BinOp) and isinstance(diff.op, ast.Sub) and (col := column_of(s)):
                return diff, col
    return None


def is_zero(node: ast.expr) -> bool:
    return is_const(node) and not isinstance(const_value(node), bool) and const_value(node) == 0


def _as_product(atom: Atom) -> tuple[ast.expr, str, str] | None:
    """``(X - Y) * S OP 0`` (either side) → ((X - Y), S, OP)."""
    if not isinstance(atom, Cmp) or atom.op not in _FLIP:
        return None
    left, op, right = atom.left, atom.op, atom.right
    if is_zero(left):
        left, op, right = right, _FLIP[op], left
    if not is_zero(right) or (prod := _product(left)) is None:
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
                columns = {c for n in ast.walk(p[0]) if isinstance(n, ast.expr) and (c := column_of(n))}
                atoms += [Null(c, False) for c in sorted(columns)]
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
    if op in _FLIP and is_const(left) and not is_const(right):
        left, op, right = right, _FLIP[op], left
    if (is_const(right) and const_value(right) is None) or (is_const(left) and const_value(left) is None):
        return Truth(False)
    if op in _PY and is_const(left) and is_const(right):  # a comparison of two constants
        try:
            return Truth(bool(_PY[op](const_value(left), const_value(right))))
        except TypeError:
            raise NotExpressible(f"`{ast.unparse(left)} {op} {ast.unparse(right)}` compares unlike constants") from None
    if op in _FLIP and is_zero(right) and isinstance(left, ast.BinOp) and isinstance(left.op, ast.Sub):
        return Cmp(left.left, op, left.right)
    return Cmp(left, op, right)


def conjunctions(rule: Rule) -> list[list[Cmp | Null]]:
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
