"""Reading waiver files: findings a team has accepted, keyed by business identity, each with an expiry date.

A waiver file is YAML with one top-level key, ``waivers``, a list of entries::

    waivers:
      - code: M001                      # required: the rule code
        department: 生涯学習課          # optional: omitted = any department
        project: コミュニティ・スクールの導入   # optional: omitted = any project
        indicator: コミュニティ・スクールの導入率  # optional: omitted = any indicator
        reason: 計画策定時には未導入のため基準値なし   # required, non-empty
        accepted_by: 生涯学習課 山田               # required, non-empty
        expires: 2026-03-31             # required, YYYY-MM-DD; the waiver holds through that day

:func:`load_waivers` returns :class:`Waiver` entries; applying them to findings is
:mod:`hyoka.waivers.apply`, appending entries :mod:`hyoka.waivers.write`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from hyoka.errors import ConfigError, HyokaError, msg
from hyoka.resources import TextDatesLoader, parse_yaml, read_config_text, reject_unknown

IDENTITY = ("department", "project", "indicator")
ENTRY_KEYS = ("code", *IDENTITY, "reason", "accepted_by", "expires")
_CODE = re.compile(r"^[A-Z]{1,3}\d{3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Waiver:
    """One waiver entry. ``department``/``project``/``indicator`` are None when omitted (match any);
    ``source`` is the waiver file's name and ``line`` the entry's line in it (1-based)."""

    code: str
    department: str | None
    project: str | None
    indicator: str | None
    reason: str
    accepted_by: str
    expires: date
    source: str = ""
    line: int = 0
    number: int = 0

    def identity(self) -> str:
        """``code / department / project / indicator``, ``*`` for an omitted key."""
        parts = [self.code] + ["*" if v is None else v for v in (self.department, self.project, self.indicator)]
        return " / ".join(parts)


def load_waivers(path: Path | str) -> list[Waiver]:
    """Read and validate a waiver file. Raises ConfigError naming the file, entry and key."""
    path = Path(path)
    text = read_config_text(path)  # a regular file, size limit, one-line errors
    # dates stay text (safe loader, nesting and aliases bounded): an impossible date such as
    # 2025-02-30 is reported against its entry and key rather than failing the whole file
    return parse_entries(parse_yaml(text, path, TextDatesLoader), text, path)


def _entry_lines(text: str) -> list[int]:
    """The 1-based line of each entry of the ``waivers`` list (composed, never constructed)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "waivers" and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def _duplicate_keys(text: str) -> dict[int, str]:
    """Entry number → a key written twice in it (YAML would silently keep the last)."""
    out: dict[int, str] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    if not isinstance(root, yaml.MappingNode):
        return out
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "waivers" and isinstance(v, yaml.SequenceNode):
            for i, item in enumerate(v.value, start=1):
                if isinstance(item, yaml.MappingNode):
                    seen: set[str] = set()
                    for ik, _ in item.value:
                        name = getattr(ik, "value", None)
                        if isinstance(name, str) and name in seen:
                            out[i] = name
                        seen.add(str(name))
    return out


def parse_entries(data: object, text: str, path: Path) -> list[Waiver]:
    """The entries of a waiver file's parsed ``data`` (``text``: its source, for line numbers).
    Raises ConfigError naming the file, entry and key."""
    name = path.name
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ConfigError(msg("where", where=path, what=msg("waivers_not_mapping")))
    reject_unknown(data, {"waivers"}, str(path), msg("waivers_only_key"))
    entries = data.get("waivers")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(msg("where", where=path, what=msg("waivers_not_list")))
    lines = _entry_lines(text)
    duplicates = _duplicate_keys(text)
    out = []
    for i, entry in enumerate(entries, start=1):
        line = lines[i - 1] if i - 1 < len(lines) else 0
        where = msg("waiver_entry_line" if line else "waiver_entry", path=path, i=i, line=line)
        if not isinstance(entry, dict):
            raise ConfigError(msg("where", where=where, what=msg("waiver_not_mapping")))
        if i in duplicates:
            raise ConfigError(msg("where", where=where, what=msg("waiver_key_twice", key=duplicates[i])))
        reject_unknown(entry, set(ENTRY_KEYS), where, msg("allowed_keys", keys=", ".join(ENTRY_KEYS)))
        for required in ("code", "reason", "accepted_by", "expires"):
            if required not in entry:
                raise ConfigError(msg("where", where=where, what=msg("waiver_missing_key", key=required)))
        code = entry["code"]
        code = unicodedata.normalize("NFKC", code).strip().upper() if isinstance(code, str) else ""
        if not _CODE.match(code):
            raise ConfigError(msg("where", where=where, what=msg("waiver_bad_code", code=repr(entry["code"]))))
        ident: dict[str, str | None] = {}
        for k in IDENTITY:
            if k not in entry:
                ident[k] = None
                continue
            v = entry[k]
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                shown = "an empty value" if v is None else repr(v)
                raise ConfigError(
                    f'{where}: {k}: {shown} is not a name (omit the key to match any {k}; "" matches an empty one)'
                )
            ident[k] = unicodedata.normalize("NFKC", str(v)).strip()
        texts = {}
        for k in ("reason", "accepted_by"):
            v = entry[k]
            if not isinstance(v, str) or not v.strip():
                raise ConfigError(msg("where", where=where, what=msg("waiver_empty_text", key=k)))
            texts[k] = v.strip()
        expires = _date(entry["expires"])
        if expires is None:
            raise ConfigError(msg("where", where=where, what=msg("waiver_bad_date", value=entry["expires"])))
        out.append(
            Waiver(
                code,
                ident["department"],
                ident["project"],
                ident["indicator"],
                texts["reason"],
                texts["accepted_by"],
                expires,
                name,
                line,
                i,
            )
        )
    return out


def _date(value: object) -> date | None:
    if isinstance(value, date) and type(value) is date:
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_date(text: str) -> date:
    """A YYYY-MM-DD date from the command line; raises HyokaError otherwise."""
    d = _date(text)
    if d is None:
        raise HyokaError(msg("bad_expires", value=text))
    return d


def one_year_after(d: date) -> date:
    """The same day a year later (28 February for 29 February): the default expiry."""
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)
