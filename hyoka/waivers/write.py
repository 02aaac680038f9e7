"""Appending waivers for findings to a waiver file (``hyoka waive``).

:func:`waive` appends one entry per distinct finding identity not yet waived, keeping the file's
existing entries and comments; :func:`check_target` refuses a target that is a table or an input.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from hyoka.atomic import atomic_write
from hyoka.errors import ConfigError, HyokaError, msg, os_reason
from hyoka.files import real
from hyoka.resources import TextDatesLoader, parse_yaml, read_config_text
from hyoka.waivers.apply import WAIVER_CODES, matcher, name_keys
from hyoka.waivers.load import IDENTITY, Waiver, load_waivers, parse_entries

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods", ".html", ".htm"}

_HEADER = (
    '# hyoka waivers: findings accepted as exceptions (README, "Waivers").\n'
    "# An entry matches findings by code, department, project and indicator; an omitted key\n"
    "# matches any value. An expired entry no longer waives anything.\n"
)


def waive(
    findings: pd.DataFrame,
    path: Path | str,
    accepted_by: str,
    reason: str,
    expires: date,
    *,
    today: date | None = None,
    inputs: Iterable[Path | str] = (),
) -> list[Waiver]:
    """Append one entry per distinct (department, project, indicator, code) of ``findings`` that
    no unexpired waiver of ``path`` accepts yet; create ``path`` when missing. Existing entries
    and comments are kept (entries are appended as text). Returns the entries added.
    Refuses to write to one of ``inputs`` or to a file named like a table."""
    path = Path(path)
    today = today or date.today()
    if not reason.strip():
        raise HyokaError(msg("where", where="--reason", what=msg("empty_text")))
    if not accepted_by.strip():
        raise HyokaError(msg("where", where="--by", what=msg("empty_text")))
    if expires < today:
        raise HyokaError(msg("where", where=f"--expires {expires.isoformat()}", what=msg("date_passed")))
    check_target(path, inputs)
    target = real(path)  # check_target has resolved it: no symlink loop
    exists = path.exists()
    existing = load_waivers(path) if exists else []
    live = findings[(findings["waived"].astype("string").fillna("") == "") & ~findings["code"].isin(WAIVER_CODES)]
    if existing and len(live):
        match = matcher(live, None)
        covered = np.zeros(len(live), dtype=bool)
        for w in existing:
            if w.expires >= today:
                covered |= match(w)
        live = live[~covered]
    ident = live.loc[:, ["code", *IDENTITY]].astype("string").fillna("")
    ident = ident.assign(_k=[tuple(r) for r in zip(*(name_keys(ident[c]) for c in ident.columns))])
    ident = ident.drop_duplicates("_k")
    added = [
        Waiver(r.code, r.department, r.project, r.indicator, reason.strip(), accepted_by.strip(), expires, path.name)
        for r in ident.itertuples()
    ]
    if not added:
        return []
    old = read_config_text(path) if exists else ""
    text = _appended(old, existing, added, today)
    try:
        check = parse_entries(parse_yaml(text, path, TextDatesLoader), text, path)
    except (yaml.YAMLError, ConfigError, ValueError):
        check = []
    if [_plain(w) for w in check] != [_plain(w) for w in existing + added]:
        # the file's layout does not take appended text (a flow list, `waivers: []`): rewrite it
        text = _HEADER + _dump(existing + added, 2, today, new_from=len(existing))
    try:
        atomic_write(target, text)
    except OSError as exc:
        raise HyokaError(msg("where", where=path, what=msg("cannot_write_waivers", reason=os_reason(exc)))) from None
    return [w for w in parse_entries(parse_yaml(text, path, TextDatesLoader), text, path)][len(existing) :]


def _same(path: Path | str, target: Path) -> bool:
    """Whether ``path`` resolves to ``target`` (a path that cannot be resolved is not it)."""
    try:
        return real(path) == target
    except OSError:
        return False


def check_target(path: Path | str, inputs: Iterable[Path | str] = ()) -> None:
    """Refuse a waiver file that is one of the input tables or is not named *.yaml / *.yml
    (writing YAML into hyoka.toml or a table would break the next run)."""
    path = Path(path)
    try:
        target = real(path)
    except OSError as exc:  # a symlink loop
        raise HyokaError(
            msg("where", where=f"--waivers {path}", what=msg("cannot_read", reason=os_reason(exc)))
        ) from None
    if path.suffix.lower() in TABLE_SUFFIXES or any(_same(p, target) for p in inputs):
        raise HyokaError(msg("where", where=f"--waivers {path}", what=msg("waivers_into_table")))
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise HyokaError(msg("where", where=f"--waivers {path}", what=msg("waivers_name_yaml")))


def _plain(w: Waiver) -> tuple:
    return (w.code, w.department, w.project, w.indicator, w.reason, w.accepted_by, w.expires)


def _entry(w: Waiver) -> dict:
    e: dict = {"code": w.code}
    for k in IDENTITY:
        if getattr(w, k) is not None:
            e[k] = getattr(w, k)
    e.update(reason=w.reason, accepted_by=w.accepted_by, expires=w.expires)
    return e


def _dump(waivers: list[Waiver], indent: int, today: date, new_from: int = 0) -> str:
    out = ["waivers:\n"]
    for i, w in enumerate(waivers):
        if i == new_from:
            out.append(" " * indent + f"# added by `hyoka waive` on {today.isoformat()}\n")
        out.append(_entry_text(w, indent))
    return "".join(out)


def _entry_text(w: Waiver, indent: int) -> str:
    text = yaml.safe_dump([_entry(w)], allow_unicode=True, sort_keys=False, default_flow_style=False, width=10**6)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _appended(old: str, existing: list[Waiver], added: list[Waiver], today: date) -> str:
    if not old.strip():
        return _HEADER + _dump(added, 2, today)
    if not old.endswith("\n"):
        old += "\n"
    indent = 2
    try:
        root = yaml.compose(old, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None
    has_list = False
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if getattr(k, "value", None) == "waivers":
                has_list = True
                if isinstance(v, yaml.SequenceNode) and v.value:
                    indent = v.start_mark.column
    if not has_list:  # comments only
        return old + _dump(added, 2, today)
    entries = "".join(_entry_text(w, indent) for w in added)
    return old + " " * indent + f"# added by `hyoka waive` on {today.isoformat()}\n" + entries
