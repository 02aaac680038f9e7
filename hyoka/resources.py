"""Locating and safely reading hyoka's declarative files (rules/, checks/, reports/).

In a source checkout the folders sit at the repository's top level; in an installed wheel they are
packaged under ``hyoka/_data/``. YAML is read with ``yaml.safe_load`` only (no Python objects, no
tags that construct anything), and files over ``MAX_YAML_BYTES`` are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hyoka.errors import ConfigError, Message, msg, os_reason

MAX_YAML_BYTES = 1_000_000  # a rule or vocabulary file is text a person wrote; 1 MB is plenty

_PKG = Path(__file__).resolve().parent
#: yaml.safe_load's loader, LibYAML's C build when PyYAML has it (~10× faster on the rule files:
#: a tenth of the demo's run time went to reading YAML); the same safe constructors either way
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``rules``, ``checks`` or ``reports``) bundled with hyoka."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"hyoka's {name}/ folder is missing from the installation ({_PKG})")


def load_yaml(path: Path | str) -> Any:
    """Read one YAML file safely. Raises ConfigError naming the file on any problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ConfigError(msg("where", where=path, what=msg("file_too_large", size=size, limit=MAX_YAML_BYTES)))
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(msg("where", where=path, what=msg("cannot_read", reason=os_reason(exc)))) from None
    except UnicodeDecodeError:
        raise ConfigError(msg("where", where=path, what=msg("not_utf8"))) from None
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = msg("where_line", where=path, line=mark.line + 1) if mark is not None else path
        raise ConfigError(
            msg("where", where=where, what=msg("bad_yaml", problem=getattr(exc, "problem", exc)))
        ) from None


def reject_unknown(data: dict, allowed: set[str] | frozenset[str], where: str, hint: str | Message = "") -> None:
    """Raise ConfigError ``{where}: unknown key(s) a, b ({hint})`` when the mapping ``data`` has
    keys outside ``allowed`` (a typo in a YAML/TOML key would otherwise be ignored silently).
    Keys are compared as text and listed sorted."""
    if unknown := set(map(str, data)) - set(allowed):
        keys = ", ".join(sorted(unknown))
        what = msg("unknown_keys_hint", keys=keys, hint=hint) if hint else msg("unknown_keys", keys=keys)
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
