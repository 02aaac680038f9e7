"""A rule's own cases (``cases:`` in a catalog entry): rows that must fire it, and near misses that must not.

Format (YAML)::

    cases:
      fire:                  # at least one case the rule must flag
      - row: {baseline: "-", grade: "Ｂ"}     # or rows: [{...}, {...}] for rules that compare rows
        field: baseline      # the field whose cell the finding points at
        observed: "-"        # the finding's observed text (Japanese); a list when `at` names several rows
        at: [1]              # the case's rows (1-based) that get the finding; default [1]
      quiet:                 # at least one near miss: the same row fixed, or a legitimate variant
      - row: {baseline: "0％"}

A row gives fields (``baseline``, ``grade``, … see ``FIELD_LABELS`` in :mod:`hyoka.check.rules`)
as published; the rows that run are a consistent row of the seed table changed by them
(:mod:`hyoka.authoring.cases`). A case may also carry the settings of its check: ``scale`` (preset
or file), ``departments`` (the plan's department list), ``indicators`` (indicator metadata
entries), ``formulas`` (field → formula: the table is an .xlsx whose formulas were never calculated;
``{}`` for an .xlsx without formulas), ``as_of`` (the report's date, ``--as-of``).

This module only reads and validates the format (:func:`parse_cases`, raising ConfigError naming
the file, the rule and the case); running cases is :mod:`hyoka.authoring.cases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field

from hyoka.errors import ConfigError

SETTINGS = ("scale", "departments", "indicators", "formulas", "as_of")
_KINDS = ("fire", "quiet")
_COMMON = {"row", "rows", *SETTINGS}
_FIRE = {"field", "observed", "at"}


@dataclass(frozen=True)
class Case:
    """``kind``: fire / quiet; ``rows``: field → text changes, one mapping per row; ``settings``:
    scale / departments / indicators / formulas as given; fire cases: ``field``, ``observed``
    (one text per row of ``at``, or None when not given) and ``at`` (1-based rows of the case)."""

    kind: str
    rows: tuple[dict[str, str], ...]
    settings: dict = _field(default_factory=dict)
    field: str | None = None
    observed: tuple[str, ...] | None = None
    at: tuple[int, ...] = (1,)


@dataclass(frozen=True)
class Cases:
    fire: tuple[Case, ...] = ()
    quiet: tuple[Case, ...] = ()


def from_example(example: dict | list) -> Case:
    """A legacy ``example:`` (a row, or a list of rows, with the settings mixed in) as a fire case
    with no expectation of field or observed text."""
    rows, settings = [], {}
    for ex in example if isinstance(example, list) else [example or {}]:
        ex = dict(ex)
        settings.update({k: ex.pop(k) for k in SETTINGS if k in ex})
        rows.append({str(k): str(v) for k, v in ex.items()})
    return Case("fire", tuple(rows), settings)


def parse_cases(value: object, where: str, fields: set[str], cells: set[str]) -> Cases:
    """Validate a catalog entry's ``cases``. ``fields``: the field names a row may set; ``cells``:
    the fields the rule's findings can point at (a fire case's ``field`` must be one). Raises
    ConfigError naming ``where`` (file and rule) and the case."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `cases` needs fire: and quiet: lists")
    if unknown := set(value) - set(_KINDS):
        raise ConfigError(f"{where}: cases: unknown key(s) {', '.join(sorted(map(str, unknown)))} (fire, quiet)")
    out = {}
    for kind in _KINDS:
        entries = value.get(kind)
        if not isinstance(entries, list) or not entries:
            raise ConfigError(f"{where}: cases.{kind} needs at least one case (a list)")
        out[kind] = tuple(_case(e, kind, f"{where}: cases.{kind}[{i}]", fields, cells) for i, e in enumerate(entries))
    return Cases(out["fire"], out["quiet"])


def _case(entry: object, kind: str, where: str, fields: set[str], cells: set[str]) -> Case:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: a case is a mapping (row, field, observed …)")
    allowed = _COMMON | (_FIRE if kind == "fire" else set())
    if unknown := set(entry) - allowed:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} ({', '.join(sorted(allowed))})"
        )
    if ("row" in entry) == ("rows" in entry):
        raise ConfigError(f"{where}: give either `row` (a mapping) or `rows` (a list of mappings)")
    rows = [entry["row"]] if "row" in entry else entry["rows"]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ConfigError(f"{where}: `rows` is a list of mappings")
    for r in rows:
        if bad := set(map(str, r)) - fields:
            raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(bad))} in a row")
    rows_t = tuple({str(k): "" if v is None else str(v) for k, v in r.items()} for r in rows)
    settings = {k: entry[k] for k in SETTINGS if k in entry}
    if kind == "quiet":
        return Case(kind, rows_t, settings)
    fld = entry.get("field")
    if fld not in cells:
        raise ConfigError(f"{where}: `field` must name the cell the finding points at ({', '.join(sorted(cells))})")
    at = entry.get("at", [1])
    if not isinstance(at, list) or not at or not all(isinstance(n, int) and 1 <= n <= len(rows) for n in at):
        raise ConfigError(f"{where}: `at` lists the case's rows that get the finding (1 to {len(rows)})")
    observed = entry.get("observed")
    if observed is not None:
        observed = [observed] * len(at) if isinstance(observed, str) else observed
        if not isinstance(observed, list) or len(observed) != len(at) or not all(isinstance(o, str) for o in observed):
            raise ConfigError(f"{where}: `observed` is a text, or a list of one text per row of `at`")
        observed = tuple(observed)
    return Case(kind, rows_t, settings, str(fld), observed, tuple(at))
