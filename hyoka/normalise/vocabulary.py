"""The vocabularies in rules/: header aliases, missing markers, units, levels, directions.

Everything here is data read from YAML; nothing in a vocabulary file is executed. Regular
expressions in directions.yaml are compiled with Python's ``re`` (no code, bounded to 500 chars).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from hyoka.errors import ConfigError
from hyoka.normalise.text import nfkc, text_key
from hyoka.resources import data_dir, load_yaml

#: The canonical fields of an evaluation row, in report order (docs/glossary.md#columns-of-a-row).
TEXT_FIELDS = ("item", "project", "department", "activities", "partners", "grade", "effect", "remarks", "indicator")
VALUE_FIELDS = ("baseline", "target", "current")
YEAR_FIELDS = tuple(f"{f}_year" for f in VALUE_FIELDS)
#: the bounds a results framework gives instead of one target (Canada's GC InfoBase: a lower-is-better
#: target as ``target_max`` only, a higher-is-better one as ``target_min`` only, a range as both);
#: normalise combines them into ``target`` (hyoka.normalise.frame)
TARGET_BOUND_FIELDS = ("target_min", "target_max")
#: a published rate (達成率, 進捗率) in percent: its own kind, not a value of the indicator (no
#: year, not compared with baseline or target; recomputed from them in hyoka.normalise.derive)
RATE_FIELDS = ("rate",)
#: how a results framework says to read a row (hyoka.normalise.status): the values' type (a
#: narrative ``text`` or a number), the month of the date to achieve, and whether that date is past
#: or future at the report
STATUS_FIELDS = ("value_type", "target_month", "period")
CANONICAL_FIELDS = TEXT_FIELDS + VALUE_FIELDS + YEAR_FIELDS + TARGET_BOUND_FIELDS + RATE_FIELDS + STATUS_FIELDS
#: what a header alias may name: a canonical field, ``unit`` (a column of the values' units) or
#: ``ignore`` (a column read as nothing and never reported)
ALIAS_FIELDS = CANONICAL_FIELDS + ("unit", "ignore")


#: below this many texts Python's per-element NFKC is as quick as a trip through Arrow
ARROW_NFKC_MIN = 2000


@functools.cache
def _unassigned_class() -> str:
    """An RE2 character class of the code points Python's ``unicodedata`` does not assign
    (category Cn): planes 0–3 and 14 scanned (~0.03 s, once), planes 4–13 wholly unassigned."""
    runs, start, prev = [], None, 0
    for c in itertools.chain(range(0x40000), range(0xE0000, 0xF0000)):
        if unicodedata.category(chr(c)) == "Cn":
            start = c if start is None else start
            prev = c
        elif start is not None:
            runs.append((start, prev))
            start = None
    if start is not None:
        runs.append((start, prev))
    runs.append((0x40000, 0xDFFFF))
    return "[" + "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in runs) + "]"


def nfkc_series(s):
    """NFKC of a pandas string Series (same index and dtype; missing stays missing), equal to
    :func:`nfkc` element by element.

    Large columns are normalised by Arrow (``pyarrow.compute.utf8_normalize``, utf8proc, ~6× faster
    than pandas' per-element ``str.normalize``). utf8proc follows a newer Unicode version than
    Python's ``unicodedata`` (14.0 on Python 3.11); the two differ only on characters Python does
    not assign yet (checked over every code point), so texts holding such a character are
    normalised by Python instead: the result is the same as ``s.str.normalize("NFKC")``."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(s) < ARROW_NFKC_MIN:
        return s.str.normalize("NFKC")
    arr = pa.array(s.astype(pd.StringDtype("pyarrow")))
    out = pd.Series(pd.array(pc.utf8_normalize(arr, "NFKC"), dtype=pd.StringDtype("pyarrow")), index=s.index).astype(
        s.dtype
    )
    odd = pc.fill_null(pc.match_substring_regex(arr, _unassigned_class()), False).to_numpy(zero_copy_only=False)
    if odd.any():
        out[odd] = s[odd].str.normalize("NFKC")
    return out


@dataclass(frozen=True)
class Unit:
    unit: str
    aliases: tuple[str, ...]
    kind: str = "count"


@dataclass(frozen=True)
class DirectionPattern:
    """A rules/directions.yaml entry. ``weak``: a cue too general to overrule the numbers (a bare
    〜率): hyoka.normalise.derive uses it only where target and baseline do not tell the direction."""

    pattern: re.Pattern[str]
    direction: str
    note_ja: str
    note_en: str
    weak: bool = False


@dataclass
class Vocabulary:
    """Everything the loader and normaliser look up.

    ``aliases`` maps a normalised header text to a canonical field; ``unit_aliases`` maps an NFKC
    unit spelling to its canonical unit; ``levels`` maps a level word to its rank.
    """

    aliases: dict[str, str]
    missing_markers: frozenset[str]
    negative_signs: tuple[str, ...]
    units: dict[str, Unit]
    unit_aliases: dict[str, str]
    levels: dict[str, int]
    directions: list[DirectionPattern]
    renames: dict[str, str] = field(default_factory=dict)
    #: (word, field): a header ending with the word after a qualifier names the field
    #: (前期実施計画 → target), longest words first (rules/columns.yaml ``suffixes``)
    role_suffixes: tuple[tuple[str, str], ...] = ()
    #: the years of a block's value columns, left to right, where the headers do not say them
    #: (a mapping's ``series_years``: 大船渡市's six ⑦成果指標 blocks)
    series_years: tuple[str, ...] = ()
    #: indicator names that say there is none (NFKC, no whitespace: rules/vocabulary.yaml
    #: ``no_indicator``; hyoka.normalise.names)
    no_indicator: frozenset[str] = frozenset()
    #: header text → how hyoka.read.header read it (cleared when aliases change)
    header_cache: dict = field(default_factory=dict, repr=False)

    _by_length: list[str] = field(default_factory=list, repr=False)

    def aliases_by_length(self) -> list[str]:
        """The aliases, longest first (computed once; again when aliases change)."""
        if len(self._by_length) != len(self.aliases):
            self._by_length = sorted(self.aliases, key=len, reverse=True)
        return self._by_length

    def extend_aliases(self, mapping: dict[str, str]) -> None:
        """Add header → field aliases (from a plan's mapping file)."""
        for header, fld in mapping.items():
            if fld not in ALIAS_FIELDS:
                raise ConfigError(
                    f"mapping: {header!r} maps to unknown field {fld!r}; "
                    f"fields are {', '.join(CANONICAL_FIELDS)} or ignore"
                )
            self.aliases[header_key(str(header))] = fld
        self.header_cache.clear()


_SLOW_REGEX = re.compile(r"\(\?(?:=|!|<=|<!|P=)|\\[1-9]")


def compile_pattern(text: object, where: str) -> re.Pattern[str]:
    """Compile a pattern from a rule or vocabulary file. Lookarounds and backreferences are
    refused: without them pandas matches on Arrow strings with a linear-time engine (RE2), so no
    pattern in a pull request can make a run hang. Raises ConfigError naming ``where``."""
    pattern = str(text)
    if len(pattern) > 500:
        raise ConfigError(f"{where}: pattern longer than 500 characters")
    if _SLOW_REGEX.search(pattern):
        raise ConfigError(f"{where}: lookarounds and backreferences are not allowed in patterns ({pattern!r})")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: bad pattern {pattern!r} ({exc})") from None


def header_key(text: str) -> str:
    """Normalise a header text for alias lookup: NFKC, no whitespace, case kept (hyoka.normalise.text)."""
    return text_key(text, fold=False)


def _mapping(data: object, path: Path, what: str) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of {what}")
    return data


def load_vocabulary(rules_dir: Path | None = None) -> Vocabulary:
    """Read columns.yaml, vocabulary.yaml, directions.yaml and departments.yaml from ``rules_dir``
    (default: hyoka's bundled rules/). Raises ConfigError naming the file and key on bad content."""
    rules_dir = rules_dir or data_dir("rules")
    cols_path = rules_dir / "columns.yaml"
    aliases: dict[str, str] = {}
    columns = dict(_mapping(load_yaml(cols_path), cols_path, "field: [aliases]"))
    suffixes: list[tuple[str, str]] = []
    for fld, words in _mapping(columns.pop("suffixes", None), cols_path, "suffixes: {field: [words]}").items():
        if fld not in VALUE_FIELDS or not isinstance(words, list):
            raise ConfigError(f"{cols_path}: suffixes: {fld!r}: expected a value field and a list of words")
        suffixes.extend((header_key(str(w)), fld) for w in words)
    for fld, names in columns.items():
        if fld not in ALIAS_FIELDS:
            raise ConfigError(f"{cols_path}: key {fld!r} is not a canonical field, unit, ignore or suffixes")
        if not isinstance(names, list):
            raise ConfigError(f"{cols_path}: {fld}: expected a list of header texts")
        for name in names:
            aliases[header_key(str(name))] = fld

    voc_path = rules_dir / "vocabulary.yaml"
    voc = _mapping(load_yaml(voc_path), voc_path, "vocabularies")
    try:
        markers = frozenset(nfkc(str(m)).strip() for m in voc.get("missing_markers", []))
        signs = tuple(str(s) for s in voc.get("negative_signs", []))
        units: dict[str, Unit] = {}
        unit_aliases: dict[str, str] = {}
        for entry in voc.get("units", []):
            u = Unit(
                str(entry["unit"]),
                tuple(str(a) for a in entry.get("aliases", [entry["unit"]])),
                str(entry.get("kind", "count")),
            )
            units[u.unit] = u
            for a in (u.unit, *u.aliases):
                unit_aliases[nfkc(a)] = u.unit
        levels = {nfkc(str(e["level"])): int(e["rank"]) for e in voc.get("levels", [])}
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{voc_path}: malformed entry ({exc})") from None

    dir_path = rules_dir / "directions.yaml"
    directions: list[DirectionPattern] = []
    for i, entry in enumerate(load_yaml(dir_path) or []):
        try:
            pat = compile_pattern(entry["pattern"], f"{dir_path}: entry {i + 1}")
            direction = str(entry["direction"])
            if direction not in ("increase", "decrease", "keep"):
                raise ValueError(f"direction {direction!r} is not increase, decrease or keep")
            note = entry.get("note") or {}
            weak = entry.get("weak", False)
            if not isinstance(weak, bool):
                raise ValueError("weak must be true or false")
            directions.append(DirectionPattern(pat, direction, str(note.get("ja", "")), str(note.get("en", "")), weak))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{dir_path}: entry {i + 1}: {exc}") from None

    dep_path = rules_dir / "departments.yaml"
    deps = _mapping(load_yaml(dep_path), dep_path, "settings")
    renames = {nfkc(str(k)).strip(): nfkc(str(v)).strip() for k, v in (deps.get("renames") or {}).items()}
    role_suffixes = tuple(sorted(suffixes, key=lambda s: len(s[0]), reverse=True))
    no_indicator = frozenset("".join(nfkc(str(w)).split()) for w in voc.get("no_indicator") or [])
    return Vocabulary(
        aliases,
        markers,
        signs,
        units,
        unit_aliases,
        levels,
        directions,
        renames,
        role_suffixes,
        no_indicator=no_indicator,
    )
