"""Which column gives each field of a row: plain tables, and wide tables with several indicator
blocks per row or a series of yearly values.

A plain table has at most one column per field. A wide table has value columns grouped in
blocks, each block one indicator:

- by name in the header: ``前期実施計画 事業数`` / ``前期実施計画 事業費 (A)`` / ``H23-27実績額 (B)
  事業費`` — two blocks, 事業数 and 事業費, each with a target and a current;
- by letter, with the indicator's name and unit in their own columns: ``成果指標 サ：名称``,
  ``サ：単位``, then value columns ``成果指標 サ`` (a series, one per year, the years not said);
- a series of yearly values of one indicator: ``平成13年実績`` / ``平成14年実績`` / ``見込`` /
  ``5ヵ年目標``, ``R2``…``R7``.

Each block becomes one row per table row (see :func:`plan_columns`). Where a field has several
columns (a series), the latest value is the current value and the earliest the baseline unless the
table gives a baseline (a missing marker such as ``－``, before the indicator was first measured or
for a year not yet counted, is no value: it is chosen only where the series holds nothing else); several targets: the one without a year (this year's target) or else the latest.
Every value keeps its own cell: the place of the value chosen in each row; the whole series is
kept too (hyoka.read.raw: ``series<i>``), for the rules that read a row's years in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hyoka.normalise.vocabulary import VALUE_FIELDS
from hyoka.read.header import Header

#: fields read per block (an indicator of a wide table)
BLOCK_FIELDS = (*VALUE_FIELDS, "rate", "series", "unit")


@dataclass
class FieldSource:
    """The columns a field is taken from, in order (0-based), and how a row picks among them:
    ``first``/``last`` non-empty cell, or ``only`` (one column)."""

    columns: list[int]
    pick: str = "only"


@dataclass
class Block:
    """One indicator of a row: its key (the block's name or letter; None for the row's own
    indicator), the constant name to use when no column gives one, and field → source."""

    key: str | None
    sources: dict[str, FieldSource] = field(default_factory=dict)
    name: str | None = None


@dataclass
class ColumnPlan:
    """``fields``: the row's own fields (text, years) → 0-based column; ``blocks``: the
    indicator blocks (one for a plain table); ``unread``: 0-based column → why it is not read
    (a second column named as a field already read); ``years``: 0-based column → year label."""

    fields: dict[str, int]
    blocks: list[Block]
    unread: dict[int, str]
    years: dict[int, str]
    wide: bool


def plan_columns(header: Header, series_years: tuple[str, ...] = ()) -> ColumnPlan:
    """Decide which column gives which field (module doc). ``series_years``: the years of a
    block's value columns, left to right, for blocks whose headers say none (a mapping's
    ``series_years``); used where a block has exactly that many value columns."""
    fields: dict[str, int] = {}
    unread: dict[int, str] = {}
    years = {c: r.year for c, r in header.columns.items() if r.year}
    if series_years:
        unlabelled: dict[str | None, list[int]] = {}
        for c, r in sorted(header.columns.items()):
            if r.field in ("series", "current") and r.year is None:
                unlabelled.setdefault(r.block, []).append(c)
        for group in unlabelled.values():
            if len(group) == len(series_years):
                years.update(zip(group, series_years))
    by_block: dict[str | None, dict[str, list[int]]] = {}
    for c, read in sorted(header.columns.items()):
        f = read.field
        if f is None or f == "ignore":
            continue
        if f in BLOCK_FIELDS or (f == "indicator" and read.block):
            by_block.setdefault(read.block, {}).setdefault(f, []).append(c)
        elif f in fields:
            unread[c] = f
        else:
            fields[f] = c
    named = [k for k in by_block if k is not None]
    if named and None in by_block and set(by_block[None]) <= {"rate"}:
        # a rate column beside named blocks (進捗率 (B)/(A) after 事業数 / 事業費) rates the last block
        last = by_block.setdefault(named[-1], {})
        for c in by_block.pop(None)["rate"]:
            last.setdefault("rate", []).append(c)
    wide = len(by_block) > 1 or any("series" in b for b in by_block.values())
    wide = wide or any(len({years.get(c) for c in cols}) > 1 for b in by_block.values() for cols in b.values())
    blocks = []
    for key, cols in by_block.items():
        block = Block(key, name=key if key and "indicator" not in cols else None)
        for f in ("indicator", "unit", "rate"):
            if f in cols:
                block.sources[f] = FieldSource([cols[f][0]])
                unread.update({c: f for c in cols[f][1:]})
        targets = cols.get("target", [])
        if targets:
            plain = [c for c in targets if c not in years]
            chosen = plain[0] if plain else targets[-1]
            block.sources["target"] = FieldSource([chosen])
            unread.update({c: "target" for c in targets if c != chosen})
        if len(cols.get("current", [])) > 1:
            # a series has one column per year: a second column with the same year (or none
            # twice: 現状値, 現状値) is a duplicate, reported and not read
            seen: set[str | None] = set()
            for c in list(cols["current"]):
                if years.get(c) in seen:
                    cols["current"].remove(c)
                    unread[c] = "current"
                seen.add(years.get(c))
        series = cols.get("current", []) or cols.get("series", [])
        if len(series) == 1:
            block.sources["current"] = FieldSource(series)
        elif series:
            block.sources["current"] = FieldSource(series, "last")
        if cols.get("baseline"):
            block.sources["baseline"] = FieldSource([cols["baseline"][0]])
            unread.update({c: "baseline" for c in cols["baseline"][1:]})
        elif len(series) > 1:
            block.sources["baseline"] = FieldSource(series, "first")
        if cols.get("current") and cols.get("series"):
            unread.update({c: "series" for c in cols["series"]})
        blocks.append(block)
    if not blocks:
        blocks = [Block(None)]
    return ColumnPlan(fields, blocks, unread, years, wide)
