"""Locating and safely reading hyoka's declarative files (rules/, checks/, reports/) and the
YAML files a user gives (mapping, indicators, departments, vocabulary, scale, rules, waivers).

In a source checkout the folders sit at the repository's top level; in an installed wheel they are
packaged under ``hyoka/_data/``. Every YAML file is read by :func:`load_yaml` (or, for text
already read, :func:`parse_yaml`): regular files only (hyoka.files.read_regular), at most
``MAX_YAML_BYTES``, UTF-8, with PyYAML's safe constructors only (no Python objects, no tags that
construct anything). A file from outside hyoka's own folders is first walked as a stream of
parser events, which refuses, at their line, values nested more than ``MAX_YAML_DEPTH`` deep
(PyYAML's composer recurses: a few hundred kilobytes of ``[[[[…`` crash the process) and
aliases (``*name``) that repeat more than ``MAX_ALIAS_VALUES`` values in all (the "billion
laughs": nine anchors of nine aliases each stand for 9⁹ values) or refer to the value that
contains them. A whole number too long for Python's ``int()`` (over 4,300 digits) and an
impossible date (``2025-02-30``) are refused at their line too. Every refusal is a ConfigError
naming the file (and line).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from hyoka.errors import ConfigError, Message, msg, os_reason
from hyoka.files import SpecialFileError, read_regular, real

MAX_YAML_BYTES = 1_000_000  # a rule or vocabulary file is text a person wrote; 1 MB is plenty
#: how deep a user's YAML file may nest lists and mappings (hyoka's files use a handful of levels)
MAX_YAML_DEPTH = 100
#: how many values aliases may repeat in one user YAML file, in all (a shared list of aliases
#: reused a few hundred times stays far below; an alias bomb far above)
MAX_ALIAS_VALUES = 100_000

_PKG = Path(__file__).resolve().parent
#: yaml.safe_load's loader, LibYAML's C build when PyYAML has it (~10× faster on the rule files:
#: a tenth of the demo's run time went to reading YAML); the same safe constructors either way
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    """A value of a YAML file that hyoka refuses: ``message`` at ``line`` (1-based)."""

    def __init__(self, message: Message, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line


class SafeLoader(_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader (LibYAML's when there is one), except that a whole number too long for
    ``int()`` and an impossible date are refused at their line instead of failing with a
    ValueError nobody can place."""


def _int(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    try:
        return SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # sys.get_int_max_str_digits(): 4,300 by default
        raise _Refused(msg("yaml_long_number", digits=len(node.value)), node.start_mark.line + 1) from None


def _timestamp(loader: SafeConstructor, node: yaml.ScalarNode) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise _Refused(msg("yaml_bad_date", value=node.value[:40]), node.start_mark.line + 1) from None


SafeLoader.add_constructor("tag:yaml.org,2002:int", _int)
SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class TextDatesLoader(SafeLoader):
    """:class:`SafeLoader` that leaves dates as text (a waiver's ``expires: 2025-02-30`` is then
    reported against its entry and key by the waiver reader, not as a line of the file)."""


TextDatesLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in SafeLoader.yaml_implicit_resolvers.items()
}


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``rules``, ``checks`` or ``reports``) bundled with hyoka."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"hyoka's {name}/ folder is missing from the installation ({_PKG})")


def _bundled(path: Path) -> bool:
    """Whether ``path`` is one of hyoka's own files (rules/, checks/, reports/): trusted, read
    without the walk of :func:`_check_structure` (which would add a fifth to every run's YAML time)."""
    try:
        resolved = real(path)
    except OSError:
        return False
    roots = [_PKG / "_data", *(_PKG.parent / n for n in ("rules", "checks", "reports"))]
    return any(resolved.is_relative_to(r) for r in roots)


def _check_structure(text: str, loader: type) -> None:
    """Walk the parser's events of ``text`` (never composed into nodes): raise _Refused at the
    line of the first value nested deeper than MAX_YAML_DEPTH, of the alias that takes the values
    aliases repeat over MAX_ALIAS_VALUES, or of an alias to a value it is inside of. Stops at the
    first refusal, so a hostile file costs what was read up to there. Syntax errors are left to
    the load (yaml.YAMLError)."""
    size: dict[str, int] = {}  # anchor → the number of values it stands for (itself included)
    stack: list[list[Any]] = []  # open lists and mappings: [anchor or None, values so far]
    repeated = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_YAML_DEPTH:
                raise _Refused(msg("yaml_too_deep", limit=MAX_YAML_DEPTH), event.start_mark.line + 1)
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, n = stack.pop()
        elif isinstance(event, yaml.ScalarEvent):
            anchor, n = event.anchor, 1
        elif isinstance(event, yaml.AliasEvent):
            if any(open_anchor == event.anchor for open_anchor, _ in stack):
                raise _Refused(msg("yaml_alias_recursive", name=event.anchor), event.start_mark.line + 1)
            anchor, n = None, size.get(str(event.anchor), 1)  # an undefined alias: the load says so
            repeated += n
            if repeated > MAX_ALIAS_VALUES:
                raise _Refused(msg("yaml_alias_limit", limit=MAX_ALIAS_VALUES), event.start_mark.line + 1)
        else:
            continue
        if anchor is not None:
            size[anchor] = n
        if stack:
            stack[-1][1] += n


def read_config_text(path: Path | str, limit: int = MAX_YAML_BYTES) -> str:
    """The text of a rule, configuration or waiver file: a regular file (hyoka.files) of at most
    ``limit`` bytes, UTF-8 (a BOM is dropped). Raises ConfigError naming the file."""
    path = Path(path)
    try:
        data = read_regular(path, limit)
    except SpecialFileError as exc:
        raise ConfigError(msg("where", where=path, what=exc.message)) from None
    except OSError as exc:
        raise ConfigError(msg("where", where=path, what=msg("cannot_read", reason=os_reason(exc)))) from None
    if len(data) > limit:
        size = path.stat().st_size
        raise ConfigError(msg("where", where=path, what=msg("file_too_large", size=max(size, len(data)), limit=limit)))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(msg("where", where=path, what=msg("not_utf8"))) from None


def parse_yaml(text: str, where: Path | str, loader: type = SafeLoader, trusted: bool = False) -> Any:
    """``text`` (a YAML file's content) as Python data, read by ``loader`` (:class:`SafeLoader`
    or :class:`TextDatesLoader`). ``trusted`` (hyoka's own files) skips the walk of nesting and
    aliases. Raises ConfigError naming ``where`` (the file) and the line."""
    try:
        if not trusted:
            _check_structure(text, loader)
        return yaml.load(text, Loader=loader)
    except _Refused as exc:
        raise ConfigError(msg("where", where=msg("where_line", where=where, line=exc.line), what=exc.message)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = msg("where_line", where=where, line=mark.line + 1) if mark is not None else where
        raise ConfigError(
            msg("where", where=place, what=msg("bad_yaml", problem=getattr(exc, "problem", exc)))
        ) from None


def load_yaml(path: Path | str, loader: type = SafeLoader) -> Any:
    """Read one YAML file safely (module doc). Raises ConfigError naming the file (and line)."""
    path = Path(path)
    return parse_yaml(read_config_text(path), path, loader, trusted=_bundled(path))


def reject_unknown(data: dict, allowed: set[str] | frozenset[str], where: str, hint: str | Message = "") -> None:
    """Raise ConfigError ``{where}: unknown key(s) a, b ({hint})`` when the mapping ``data`` has
    keys outside ``allowed`` (a typo in a YAML/TOML key would otherwise be ignored silently).
    Keys are compared as text and listed sorted."""
    if unknown := set(map(str, data)) - set(allowed):
        keys = ", ".join(sorted(unknown))
        what = msg("unknown_keys_hint", keys=keys, hint=hint) if hint else msg("unknown_keys", keys=keys)
        raise ConfigError(msg("where", where=where, what=what))


#: the shapes :func:`check_shapes` knows: a YAML value's shape → whether a value has it
SHAPES = ("words", "table", "entries", "word", "number")


def _has_shape(value: Any, shape: str) -> bool:
    word = isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if shape == "word":  # a header, marker or unit: text, or a number written bare (2, 0.5)
        return word
    if shape == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if shape == "table":
        return isinstance(value, dict)
    # a list: of words, or of entries (mappings); a list item's own shape is checked one by one
    return isinstance(value, list)


def _got(value: Any) -> Message:
    """What a value is, said for the shape error (``a date``, ``a text``, ``a list`` …)."""
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, (date, datetime)):
        kind = "date"
    elif isinstance(value, str):
        kind = "text"
    elif isinstance(value, (int, float)):
        kind = "number"
    else:
        kind = "list" if isinstance(value, list) else "table" if isinstance(value, dict) else "other"
    return msg(f"got.{kind}")


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def check_shapes(data: dict, shapes: dict[str, str], where: str | Path, required: tuple[str, ...] = ()) -> None:
    """Raise ConfigError ``{where}: {key}: expected {shape}, not {what it is} ({value})`` for the
    first key of ``data`` whose value is not of the shape ``shapes[key]`` (one of :data:`SHAPES`:
    ``words`` a list of words, ``table`` a mapping, ``entries`` a list of mappings, ``word`` a text
    or a bare number, ``number``), naming the list item (``ignore[2]``) when one item is not a word
    or a mapping; ``{where}: {key} is missing`` for a key of ``required`` not in ``data``. A key
    with nothing after the colon (None) is an empty value of any shape; keys not in ``shapes`` are
    left to :func:`reject_unknown`. Run when a user's file is loaded, so that a value of the wrong
    shape (``ignore: 2024-01-01``, ``directions: up``) is one line naming the file and the key,
    not a TypeError deep in normalisation — or a text read as a list of its characters."""
    for key in required:
        if data.get(key) is None:
            raise ConfigError(msg("where", where=where, what=msg("shape_missing", key=key)))
    for key, shape in shapes.items():
        value = data.get(key)
        if value is None:
            continue
        if not _has_shape(value, shape):
            what = msg("shape_expected", key=key, shape=msg(f"shape.{shape}"), got=_got(value), value=_shown(value))
            raise ConfigError(msg("where", where=where, what=what))
        item_shape = {"words": "word", "entries": "table"}.get(shape)
        for i, item in enumerate(value if item_shape else [], start=1):
            if not _has_shape(item, item_shape or ""):
                place = f"{key}[{i}]"
                shown = msg(f"shape.{item_shape}")
                what = msg("shape_expected", key=place, shape=shown, got=_got(item), value=_shown(item))
                raise ConfigError(msg("where", where=where, what=what))


def yaml_entries(path: Path | str, key: str, allowed: set[str] | frozenset[str]) -> list[tuple[str, dict]]:
    """The entries of a YAML file made of ``key:`` and a list of mappings (an indicator list,
    rules/misspellings.yaml), each with the place to name in errors (``file: key[3]``). Raises
    ConfigError naming the file, and the entry, when the list is missing, an entry is not a mapping
    or has a key outside ``allowed``."""
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ConfigError(msg("where", where=path, what=msg("entries_list", key=key)))
    out = []
    for i, entry in enumerate(data[key], start=1):
        where = f"{path}: {key}[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(msg("where", where=where, what=msg("entry_mapping")))
        reject_unknown(entry, allowed, where)
        out.append((where, entry))
    return out
