"""The vocabularies in rules/: header aliases, missing markers, units, levels, directions.

Everything here is data read from YAML; nothing in a vocabulary file is executed. Regular
expressions in directions.yaml are compiled for RE2 (hyoka.normalise.patterns: linear time).
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from hyoka.errors import ConfigError, msg
from hyoka.normalise.patterns import Pattern, compile_pattern
from hyoka.normalise.text import nfkc, text_key
from hyoka.resources import check_shapes, data_dir, load_yaml

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
    """A unit of rules/vocabulary.yaml: its spellings, its kind (``count`` or ``rate``) and, for a
    unit that converts into another, ``base`` and ``factor`` (1 千人 = 1000 人)."""

    unit: str
    aliases: tuple[str, ...]
    kind: str = "count"
    base: str | None = None
    factor: float = 1.0


#: codes of the qualifiers (rules/vocabulary.yaml ``qualifiers``): at least, more than, at most,
#: less than, about
QUALIFIER_CODES = ("ge", "gt", "le", "lt", "approx")
DIRECTIONS = ("increase", "decrease", "keep")


@dataclass(frozen=True)
class DirectionPattern:
    """A rules/directions.yaml entry. ``weak``: a cue too general to overrule the numbers (a bare
    〜率): hyoka.normalise.derive uses it only where target and baseline do not tell the direction."""

    pattern: Pattern
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
    #: words read as the number 0 (a plan whose なし means zero: ``zero_markers: [なし]``)
    zero_markers: frozenset[str] = frozenset()
    #: qualifier word → code (:data:`QUALIFIER_CODES`), written before (約) or after (以上) a number
    qualifiers_before: dict[str, str] = field(default_factory=dict)
    qualifiers_after: dict[str, str] = field(default_factory=dict)
    #: words marking an estimate (推計, 見込, 速報, 暫定)
    estimate_markers: tuple[str, ...] = ()
    #: multiplier → factor (千, 万, 億, 兆)
    multipliers: dict[str, float] = field(default_factory=dict)
    #: words ending a basis written before a value (1日当たり67分)
    basis_words: tuple[str, ...] = ()
    #: direction → words of a target that states only a direction (減少傾向へ)
    direction_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
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
                    msg(
                        "mapping_unknown_field",
                        header=repr(header),
                        field=repr(fld),
                        fields=", ".join(CANONICAL_FIELDS),
                    )
                )
            self.aliases[header_key(str(header))] = fld
        self.header_cache.clear()

    def conversion(self, unit: str) -> tuple[str, float]:
        """The root unit of ``unit``'s family and how many root units one ``unit`` is (千人 →
        (人, 1000); 時間 → (分, 60); t → (g, 1e6)); a unit that converts into nothing is its own root."""
        factor, seen = 1.0, {unit}
        u = self.units.get(unit)
        while u is not None and u.base:
            factor *= u.factor
            unit = u.base
            if unit in seen:  # a cycle in a vocabulary file: stop (load_vocabulary refuses it)
                break
            seen.add(unit)
            u = self.units.get(unit)
        return unit, factor

    def is_missing(self, text: str) -> bool:
        """Whether one trimmed NFKC cell text is a missing marker (compared casefolded)."""
        return text in self.missing_markers or text.casefold() in self.missing_markers


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
    signs = tuple(str(s) for s in voc.get("negative_signs", []))
    vocab_parts = _vocabulary_entries(voc, str(voc_path))

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
    vocab = Vocabulary(aliases, frozenset(), signs, {}, {}, {}, directions, renames, role_suffixes=role_suffixes)
    _merge(vocab, vocab_parts, str(voc_path))
    return vocab


#: the keys of a vocabulary file (rules/vocabulary.yaml, or a plan's own: :func:`extend_vocabulary`)
#: and the shape of each (hyoka.resources.check_shapes: ``words`` a list of words, ``entries`` a
#: list of mappings, ``table`` a mapping), checked when the file is loaded
VOCABULARY_SHAPES = {
    "missing_markers": "words",
    "not_missing": "words",
    "zero_markers": "words",
    "negative_signs": "words",
    "units": "entries",  # [{unit, aliases, kind, base, factor}]: UNIT_SHAPES
    "levels": "entries",  # [{level, rank}]: LEVEL_SHAPES
    "qualifiers": "table",  # {before: {word: code}, after: {word: code}}
    "estimate_markers": "words",
    "multipliers": "table",  # {character: factor}
    "basis_words": "words",
    "direction_words": "table",  # {direction: [words]}
    "no_indicator": "words",
}
VOCABULARY_KEYS = tuple(VOCABULARY_SHAPES)
#: the shapes of one unit of ``units:`` (``unit`` required) and one level of ``levels:`` (both)
UNIT_SHAPES = {"unit": "word", "aliases": "words", "kind": "word", "base": "word", "factor": "number"}
LEVEL_SHAPES = {"level": "word", "rank": "number"}


#: the largest factor of a unit conversion or multiplier (兆 is 1e12): a larger one, or one that
#: does not fit a float (1e400 written out), is a mistake
MAX_FACTOR = 1e15
#: the largest rank of a level, either way from 0 (the bundled levels rank 0–2)
MAX_LEVEL_RANK = 1_000_000


def _level_rank(value: object) -> int:
    """A level's rank: a whole number from −MAX_LEVEL_RANK to MAX_LEVEL_RANK (``2`` or ``2.0``;
    not ``1e23``, ``.inf`` or a rank written in 5,000 digits). Raises ValueError or TypeError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"rank {value!r} is not a whole number")
    if not (-MAX_LEVEL_RANK <= value <= MAX_LEVEL_RANK and value == int(value)):
        raise ValueError(f"rank must be a whole number from {-MAX_LEVEL_RANK:,} to {MAX_LEVEL_RANK:,}")
    return int(value)


def _words(data: dict, key: str, where: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ConfigError(f"{where}: {key}: expected a list of words")
    return [nfkc(str(v)).strip() for v in value]


def _vocabulary_entries(data: dict, where: str) -> dict:
    """The entries of one vocabulary file, checked (ConfigError naming ``where`` and the key)."""
    unknown = set(data) - set(VOCABULARY_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (known: {', '.join(VOCABULARY_KEYS)})"
        )
    check_shapes(data, VOCABULARY_SHAPES, where)
    out: dict = {
        k: _words(data, k, where)
        for k in ("missing_markers", "not_missing", "zero_markers", "estimate_markers", "basis_words")
    }
    out["no_indicator"] = ["".join(w.split()) for w in _words(data, "no_indicator", where)]
    units = []
    for i, entry in enumerate(data.get("units") or [], start=1):
        try:
            bad = set(entry) - set(UNIT_SHAPES)
            if bad:
                raise ValueError(f"unknown key(s) {', '.join(sorted(map(str, bad)))}")
            check_shapes(entry, UNIT_SHAPES, f"{where}: units[{i}]", required=("unit",))
            name = nfkc(str(entry["unit"])).strip()
            kind = str(entry.get("kind", "count"))
            if kind not in ("count", "rate"):
                raise ValueError(f"kind {kind!r} is not count or rate")
            base = entry.get("base")
            factor = entry.get("factor", 1)
            if base is not None and (
                isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= MAX_FACTOR
            ):
                raise ValueError("factor must be a positive number (how many base units one unit is)")
            aliases = tuple(nfkc(str(a)).strip() for a in entry.get("aliases", [name]))
            units.append(
                Unit(name, aliases, kind, nfkc(str(base)).strip() if base is not None else None, float(factor))
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: units[{i}]: {exc}") from None
    out["units"] = units
    for i, entry in enumerate(data.get("levels") or [], start=1):
        check_shapes(entry, LEVEL_SHAPES, f"{where}: levels[{i}]", required=("level", "rank"))
    try:
        out["levels"] = {nfkc(str(e["level"])).strip(): _level_rank(e["rank"]) for e in data.get("levels") or []}
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: levels: each entry is {{level, rank}} ({exc})") from None
    quals = _mapping(data.get("qualifiers"), Path(where), "qualifiers: {before: {word: code}, after: {…}}")
    for side in ("before", "after"):
        table = _mapping(quals.get(side), Path(where), f"qualifiers.{side}: {{word: code}}")
        for word, code in table.items():
            if code not in QUALIFIER_CODES:
                raise ConfigError(
                    f"{where}: qualifiers.{side}: {word}: {code!r} is not one of {', '.join(QUALIFIER_CODES)}"
                )
        out[f"qualifiers_{side}"] = {nfkc(str(w)).strip(): str(c) for w, c in table.items()}
    mult = _mapping(data.get("multipliers"), Path(where), "multipliers: {word: factor}")
    for word, factor in mult.items():
        if (
            isinstance(factor, bool)
            or not isinstance(factor, (int, float))
            or not 0 < factor <= MAX_FACTOR
            or len(str(word)) != 1
        ):
            raise ConfigError(f"{where}: multipliers: {word}: one character and a positive factor")
    out["multipliers"] = {nfkc(str(w)): float(f) for w, f in mult.items()}
    words = _mapping(data.get("direction_words"), Path(where), "direction_words: {direction: [words]}")
    for d in words:
        if d not in DIRECTIONS:
            raise ConfigError(f"{where}: direction_words: {d!r} is not one of {', '.join(DIRECTIONS)}")
    out["direction_words"] = {d: tuple(_words(words, d, f"{where}: direction_words")) for d in words}
    if "negative_signs" in data:
        out["negative_signs"] = [str(x) for x in data.get("negative_signs") or []]
    return out


def check_vocabulary(data: dict, where: str) -> None:
    """Raise ConfigError naming ``where`` when ``data`` is not a valid vocabulary (the checks of
    :func:`extend_vocabulary`, on an empty vocabulary: a base unit not listed is fine here)."""
    _vocabulary_entries(data, where)


def _merge(vocab: Vocabulary, parts: dict, where: str) -> None:
    """Add one vocabulary file's entries to ``vocab`` (in place): lists and tables are extended, a
    unit or level given again is replaced; ``not_missing`` and ``zero_markers`` take words out of
    the missing markers. Raises ConfigError for a unit conversion that loops."""
    markers = set(vocab.missing_markers) | {w for m in parts["missing_markers"] for w in (m, m.casefold())}
    gone = {w for m in parts["not_missing"] + parts["zero_markers"] for w in (m, m.casefold())}
    vocab.missing_markers = frozenset(markers - gone)
    vocab.zero_markers = frozenset(set(vocab.zero_markers) | set(parts["zero_markers"]))
    for u in parts["units"]:
        vocab.units[u.unit] = u
        for a in (u.unit, *u.aliases):
            vocab.unit_aliases[nfkc(a)] = u.unit
    for u in vocab.units.values():  # a base named by its spelling (時間 → 分) is that unit
        if u.base is not None and u.base not in vocab.units and u.base in vocab.unit_aliases:
            vocab.units[u.unit] = Unit(u.unit, u.aliases, u.kind, vocab.unit_aliases[u.base], u.factor)
    for name in vocab.units:
        root, seen = name, {name}
        unit: Unit | None = vocab.units[name]
        while unit is not None and unit.base:
            root = unit.base
            if root in seen:
                raise ConfigError(f"{where}: units: the conversions of {name!r} loop back to {root!r}")
            seen.add(root)
            unit = vocab.units.get(root)
    vocab.levels.update(parts["levels"])
    vocab.qualifiers_before.update(parts["qualifiers_before"])
    vocab.qualifiers_after.update(parts["qualifiers_after"])
    vocab.estimate_markers = tuple(dict.fromkeys((*vocab.estimate_markers, *parts["estimate_markers"])))
    vocab.multipliers.update(parts["multipliers"])
    vocab.no_indicator = frozenset(set(vocab.no_indicator) | set(parts["no_indicator"]))
    vocab.basis_words = tuple(dict.fromkeys((*vocab.basis_words, *parts["basis_words"])))
    for d, ws in parts["direction_words"].items():
        vocab.direction_words[d] = tuple(dict.fromkeys((*vocab.direction_words.get(d, ()), *ws)))
    if "negative_signs" in parts:
        vocab.negative_signs = tuple(dict.fromkeys((*vocab.negative_signs, *parts["negative_signs"])))


def extend_vocabulary(vocab: Vocabulary, source: Path | str | dict, where: str | None = None) -> None:
    """Add a plan's own vocabulary to ``vocab`` (in place): a YAML file, or the same entries as a
    mapping (``[vocabulary]`` in hyoka.toml, named by ``where``). Keys are those of
    rules/vocabulary.yaml (:data:`VOCABULARY_KEYS`: units with their spellings and conversions,
    missing markers, words that mean zero, levels, qualifiers, estimate markers, multipliers,
    basis and direction words), plus ``not_missing`` (markers that are not missing in this plan).
    Entries add to the bundled ones; a unit or level given again replaces it. Example::

        zero_markers: [なし]                  # in this plan なし means 0
        units:
          - {unit: 万人, aliases: [万人], base: 人, factor: 10000}
        levels:
          - {level: 検討, rank: 0}

    Raises ConfigError naming the file (or ``where``) and the key."""
    if isinstance(source, dict):
        name = where or "vocabulary"
        data = source
    else:
        path = Path(source)
        name = str(path)
        data = _mapping(load_yaml(path), path, "vocabularies (units, missing_markers, levels …)")
    _merge(vocab, _vocabulary_entries(data, name), name)
