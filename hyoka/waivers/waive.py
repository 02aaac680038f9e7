"""Waivers: findings a team has accepted, keyed by business identity, each with an expiry date.

A waiver file is YAML with one top-level key, ``waivers``, a list of entries::

    waivers:
      - code: M001                      # required: the rule code
        department: 生涯学習課          # optional: omitted = any department
        project: コミュニティ・スクールの導入   # optional: omitted = any project
        indicator: コミュニティ・スクールの導入率  # optional: omitted = any indicator
        reason: 計画策定時には未導入のため基準値なし   # required, non-empty
        accepted_by: 生涯学習課 山田               # required, non-empty
        expires: 2026-03-31             # required, YYYY-MM-DD; the waiver holds through that day

Names are compared after Unicode NFKC, with whitespace removed and case folded, so full-width /
half-width and line-break variants of a name match; ``""`` matches only an empty value. A
``department`` also matches a row whose previous department name (``旧→新``) it gives, when the
checked frame is passed to :func:`apply_waivers`.

:func:`apply_waivers` sets the findings' ``waived`` column to the reason of the first unexpired
waiver matching each finding (waived findings stay in the table). An expired waiver that still
matches findings yields a ``W001`` finding; a waiver matching no finding yields ``W002``. Both
point at the waiver file (``cell`` = ``waivers.yaml:LINE``). :func:`waive` appends entries for
findings to a waiver file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import yaml

from hyoka.check import findings as F
from hyoka.check.text import render_text
from hyoka.errors import ConfigError, HyokaError
from hyoka.resources import load_yaml

IDENTITY = ("department", "project", "indicator")
_KEYS = {"code", *IDENTITY, "reason", "accepted_by", "expires"}
_CODE = re.compile(r"^[A-Z]{1,3}\d{3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
W_EXPIRED, W_UNUSED = "W001", "W002"
WAIVER_CODES = (W_EXPIRED, W_UNUSED)
TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls"}

_TEXTS = {
    "ja": {
        W_EXPIRED: {
            "title": "期限切れの除外設定",
            "description": "除外設定（waivers.yaml）の期限（expires）が過ぎたのに、まだ一致する指摘がある設定を示します。その指摘は再び通常の指摘として数えられます。",
            "message": "{code}（{target}）の除外設定は {expires} に期限が切れたため、{n}件の指摘を除外していません。",
            "expected": "期限の更新または削除",
            "fix": "指摘を引き続き受け入れる場合は理由を見直して expires を更新し、不要になった場合は設定を削除してください。",
        },
        W_UNUSED: {
            "title": "除外設定が何にも一致しない",
            "description": "除外設定（waivers.yaml）のうち、今回の指摘のどれにも一致しない設定を示します。指摘が解消されたか、事業名・指標名が変わった可能性があります。",
            "message": "{code}（{target}）の除外設定に一致する指摘がありません（期限 {expires}）。",
            "expected": "一致しなくなった除外設定の削除",
            "fix": "指摘が解消された、または事業名などが変わった場合は、設定を削除するか名称を直してください。",
        },
        "any": "すべて",
    },
    "en": {
        W_EXPIRED: {
            "title": "Waiver expired",
            "description": "A waiver (waivers.yaml) whose expiry date has passed while findings still match it; those findings count again.",
            "message": "The waiver for {code} ({target}) expired on {expires}; {n} finding(s) it matches are no longer waived.",
            "expected": "the expiry date renewed, or the entry removed",
            "fix": "If the findings are still accepted, review the reason and renew `expires`; otherwise remove the entry.",
        },
        W_UNUSED: {
            "title": "Waiver matches nothing",
            "description": "A waiver (waivers.yaml) that matches none of this run's findings: the finding was fixed, or the project or indicator was renamed.",
            "message": "The waiver for {code} ({target}) matches no finding (expires {expires}).",
            "expected": "the entry removed, as it no longer matches a finding",
            "fix": "Remove the entry if the finding was fixed, or correct its names if the project or indicator was renamed.",
        },
        "any": "any",
    },
}


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
        parts = [self.code] + ["*" if v is None else v for v in
                               (self.department, self.project, self.indicator)]
        return " / ".join(parts)


def key(value: str) -> str:
    """A name as waivers compare it: NFKC, whitespace removed, case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).casefold()


def _keys(s: pd.Series) -> np.ndarray:
    return (s.astype("string").fillna("").str.normalize("NFKC")
            .str.replace(r"\s+", "", regex=True).str.casefold().to_numpy(dtype=object))


class _NoDates(yaml.SafeLoader):
    """A safe loader that leaves timestamps as text, so that a date such as 2025-02-30 is
    reported against its entry and key rather than failing the whole file."""


_NoDates.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_waivers(path: Path | str) -> list[Waiver]:
    """Read and validate a waiver file. Raises ConfigError naming the file, entry and key."""
    path = Path(path)
    try:
        data = load_yaml(path)  # safe loader, size limit, one-line errors
    except ValueError:  # an impossible date that PyYAML's timestamp constructor rejects
        data = None
        reparse = True
    else:
        reparse = False
    text = path.read_text(encoding="utf-8-sig")
    if reparse:
        data = yaml.load(text, Loader=_NoDates)  # noqa: S506 - a SafeLoader subclass
    return _parse(data, text, path)


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


def _parse(data: object, text: str, path: Path) -> list[Waiver]:
    name = path.name
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a waiver file is a mapping with one key, `waivers` (a list of entries)")
    if unknown := set(map(str, data)) - {"waivers"}:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} (a waiver file has only `waivers`)")
    entries = data.get("waivers")
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: waivers: must be a list of entries (`- code: ...`)")
    lines = _entry_lines(text)
    duplicates = _duplicate_keys(text)
    out = []
    for i, entry in enumerate(entries, start=1):
        line = lines[i - 1] if i - 1 < len(lines) else 0
        where = f"{path}: waiver {i}" + (f" (line {line})" if line else "")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: an entry is a mapping with code, reason, accepted_by, expires")
        if i in duplicates:
            raise ConfigError(f"{where}: {duplicates[i]}: the key is given twice")
        if unknown := set(map(str, entry)) - _KEYS:
            raise ConfigError(f"{where}: {sorted(unknown)[0]}: unknown key "
                              f"(allowed: code, department, project, indicator, reason, accepted_by, expires)")
        for required in ("code", "reason", "accepted_by", "expires"):
            if required not in entry:
                raise ConfigError(f"{where}: {required}: missing (required)")
        code = entry["code"]
        code = unicodedata.normalize("NFKC", code).strip().upper() if isinstance(code, str) else ""
        if not _CODE.match(code):
            raise ConfigError(f"{where}: code: {entry['code']!r} is not a rule code such as G002")
        ident: dict[str, str | None] = {}
        for k in IDENTITY:
            if k not in entry:
                ident[k] = None
                continue
            v = entry[k]
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                shown = "an empty value" if v is None else repr(v)
                raise ConfigError(f"{where}: {k}: {shown} is not a name (omit the key to match any {k}; "
                                  f'"" matches an empty one)')
            ident[k] = unicodedata.normalize("NFKC", str(v)).strip()
        texts = {}
        for k in ("reason", "accepted_by"):
            v = entry[k]
            if not isinstance(v, str) or not v.strip():
                raise ConfigError(f"{where}: {k}: must be non-empty text")
            texts[k] = v.strip()
        expires = _date(entry["expires"])
        if expires is None:
            raise ConfigError(f"{where}: expires: {entry['expires']!s} is not a date YYYY-MM-DD")
        out.append(Waiver(code, ident["department"], ident["project"], ident["indicator"],
                          texts["reason"], texts["accepted_by"], expires, name, line, i))
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
        raise HyokaError(f"--expires {text}: not a date YYYY-MM-DD")
    return d


def for_department(waivers: Iterable[Waiver], frame: pd.DataFrame) -> list[Waiver]:
    """The waivers that can apply to ``frame`` when a run was limited to a department: those
    naming one of its departments (current or previous name), and those without a department
    whose project and indicator occur in it. The others would only be reported as matching
    nothing."""
    names = {key(n) for col in ("department", "department_previous") if col in frame
             for n in frame[col].dropna().astype(str)}
    cols = {k: _keys(frame[k]) for k in ("project", "indicator")}
    keep = []
    for w in waivers:
        if w.department is not None:
            if key(w.department) in names:
                keep.append(w)
            continue
        mask = np.ones(len(frame), dtype=bool)
        for k in ("project", "indicator"):
            if getattr(w, k) is not None:
                mask &= cols[k] == key(getattr(w, k))
        if mask.any():
            keep.append(w)
    return keep


def _masks(findings: pd.DataFrame, frame: pd.DataFrame | None):
    """Per-finding comparison keys (vectorised) and a function giving a waiver's match mask."""
    codes = findings["code"].astype("string").fillna("").str.upper().to_numpy(dtype=object)
    cols = {k: _keys(findings[k]) for k in IDENTITY}
    previous = None
    if (frame is not None and "department_previous" in frame and frame.index.is_unique
            and "row_index" in findings and len(findings)):
        prev = frame["department_previous"].reindex(findings["row_index"].to_numpy())
        previous = _keys(prev.reset_index(drop=True))

    def match(w: Waiver) -> np.ndarray:
        mask = codes == w.code
        for k in IDENTITY:
            value = getattr(w, k)
            if value is None:
                continue
            hit = cols[k] == key(value)
            if k == "department" and previous is not None:
                hit = hit | (previous == key(value))
            mask &= hit
        return mask

    return match


def apply_waivers(findings: pd.DataFrame, waivers: Iterable[Waiver], today: date, lang: str,
                  *, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mark the findings that unexpired waivers accept (``waived`` = the reason) and add W001
    (expired waiver still matching) and W002 (waiver matching nothing) findings. ``frame`` (the
    checked rows) lets a waiver's department match a row's previous name."""
    waivers = list(waivers)
    found = findings.copy()
    if not waivers:
        return found
    waived = found["waived"].astype("string").fillna("").to_numpy(dtype=object).copy()
    match = _masks(found, frame)
    texts = _TEXTS.get(lang, _TEXTS["en"])
    extra = []
    for w in waivers:  # a loop over waiver entries; each is one vectorised comparison
        mask = match(w)
        n = int(mask.sum())
        if n and w.expires >= today:
            waived[mask & (waived == "")] = w.reason
        elif n:
            extra.append(_waiver_finding(w, W_EXPIRED, "warning", texts, n))
        else:
            extra.append(_waiver_finding(w, W_UNUSED, "info", texts, 0))
    found["waived"] = pd.array(waived, dtype="string")
    if not extra:
        return found
    w_frame = pd.DataFrame(extra).astype({c: "string" for c in F.FINDING_COLUMNS + ("title", "fix", "waived",
                                                                                     "source_file")})
    w_frame = w_frame.astype({"row_index": "int64", "row": "int64"})
    return F.combine([found, w_frame])


def _waiver_finding(w: Waiver, code: str, severity: str, texts: dict, n: int) -> dict:
    t = texts[code]
    target = w.project or w.indicator or w.department or texts["any"]
    return {
        "code": code, "severity": severity,
        "department": w.department or "", "item": "", "project": w.project or "",
        "indicator": w.indicator or "", "field": "waiver", "cell": f"{w.source}:{w.line}",
        "observed": w.identity(), "expected": t["expected"],
        "message": render_text(t["message"], {"code": w.code, "target": target, "expires": w.expires.isoformat(), "n": n}),
        "title": t["title"], "fix": t["fix"], "row_index": -1, "source_file": w.source,
        "row": w.line, "waived": "",
    }


def one_year_after(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


_HEADER = ("# hyoka waivers: findings accepted as exceptions (README, \"Waivers\").\n"
           "# An entry matches findings by code, department, project and indicator; an omitted key\n"
           "# matches any value. An expired entry no longer waives anything.\n")


def waive(findings: pd.DataFrame, path: Path | str, accepted_by: str, reason: str, expires: date,
          *, today: date | None = None, inputs: Iterable[Path | str] = ()) -> list[Waiver]:
    """Append one entry per distinct (department, project, indicator, code) of ``findings`` that
    no unexpired waiver of ``path`` accepts yet; create ``path`` when missing. Existing entries
    and comments are kept (entries are appended as text). Returns the entries added.
    Refuses to write to one of ``inputs`` or to a file named like a table."""
    from hyoka.output.report import atomic_write  # hyoka.output.report imports the pipeline, which imports this module

    path = Path(path)
    today = today or date.today()
    if not reason.strip():
        raise HyokaError("--reason: must be non-empty text")
    if not accepted_by.strip():
        raise HyokaError("--by: must be non-empty text")
    if expires < today:
        raise HyokaError(f"--expires {expires.isoformat()}: the date has passed")
    target = path.resolve()
    check_target(path, inputs)
    exists = path.exists()
    existing = load_waivers(path) if exists else []
    live = findings[(findings["waived"].astype("string").fillna("") == "")
                    & ~findings["code"].isin(WAIVER_CODES)]
    if existing and len(live):
        match = _masks(live, None)
        covered = np.zeros(len(live), dtype=bool)
        for w in existing:
            if w.expires >= today:
                covered |= match(w)
        live = live[~covered]
    ident = live.loc[:, ["code", *IDENTITY]].astype("string").fillna("")
    ident = ident.assign(_k=[tuple(r) for r in zip(*(_keys(ident[c]) for c in ident.columns))])
    ident = ident.drop_duplicates("_k")
    added = [Waiver(r.code, r.department, r.project, r.indicator, reason.strip(), accepted_by.strip(),
                    expires, path.name) for r in ident.itertuples()]
    if not added:
        return []
    old = path.read_text(encoding="utf-8-sig") if exists else ""
    text = _appended(old, existing, added, today)
    try:
        check = _parse(yaml.safe_load(text), text, path)
    except (yaml.YAMLError, ConfigError, ValueError):
        check = []
    if [_plain(w) for w in check] != [_plain(w) for w in existing + added]:
        # the file's layout does not take appended text (a flow list, `waivers: []`): rewrite it
        text = _HEADER + _dump(existing + added, 2, today, new_from=len(existing))
    try:
        atomic_write(target, text)
    except OSError as exc:
        raise HyokaError(f"{path}: cannot write the waiver file ({exc.strerror or exc})") from None
    return [w for w in _parse(yaml.safe_load(text), text, path)][len(existing):]


def check_target(path: Path | str, inputs: Iterable[Path | str] = ()) -> None:
    """Refuse a waiver file that is one of the input tables or is not named *.yaml / *.yml
    (writing YAML into hyoka.toml or a table would break the next run)."""
    path = Path(path)
    target = path.resolve()
    if path.suffix.lower() in TABLE_SUFFIXES or any(Path(p).resolve() == target for p in inputs):
        raise HyokaError(f"--waivers {path}: refusing to write waivers to a table (use a .yaml file)")
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise HyokaError(f"--waivers {path}: a waiver file is YAML: name it *.yaml")


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
    text = yaml.safe_dump([_entry(w)], allow_unicode=True, sort_keys=False, default_flow_style=False,
                          width=10**6)
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
