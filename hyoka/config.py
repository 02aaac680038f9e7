"""Project configuration: ``hyoka.toml``, or ``[tool.hyoka]`` in ``pyproject.toml``.

Found from the current directory upwards (the first folder holding either file wins; in that
folder hyoka.toml wins over pyproject.toml), or given with ``--config``. Keys (paths are relative
to the configuration file)::

    title = "第2期総合戦略 令和5年度評価"  # the plan's title and edition, at the top of index.html
    scale = "a-d"                   # a bundled preset or a scale file
    rules = "catalog.yaml"          # a rule catalog instead of the bundled one
    mapping = "mapping.yaml"        # column aliases and indicator directions
    indicators = "indicators.yaml"  # indicator metadata
    departments = "departments.yaml"  # the plan's department list and renames
    vocabulary = "vocabulary.yaml"  # the plan's units, missing markers, levels … (or a [vocabulary] table)
    waivers = "waivers.yaml"
    previous = ["r4.xlsx"]          # last year's edition: compared with this year's (E-codes)
    as-of = 2017-03-31              # the report's date (or fiscal year "R5"): status scales judge against it
    select = ["G", "D001"]          # codes or prefixes to run (default: all)
    extend-select = ["T"]           # added to select
    ignore = ["P002"]               # codes or prefixes not to run
    fail-on = "error"               # error / warning / info / never
    lang = "ja"                     # ja / en
    [severity]                      # per-rule severity overrides
    D001 = "warning"
    [per-file-ignores]              # glob on the file's name or path → codes or prefixes
    "legacy_*.csv" = ["M"]
    [margins]
    schedule = 0.2                  # G007: progress may trail the elapsed time by this much
    [vocabulary]                    # instead of a vocabulary file: its entries
    zero_markers = ["なし"]          # in this plan なし means 0 (hyoka.normalise.vocabulary.extend_vocabulary)

Selection follows ruff: a code runs when the most specific ``select``/``extend-select`` entry that
matches it is more specific than the most specific ``ignore`` entry that matches it. Unknown keys
and bad values raise ConfigError naming the file and the key. Command-line flags override.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from hyoka.check import findings as F
from hyoka.errors import ConfigError, msg, os_reason
from hyoka.files import SpecialFileError, read_regular, real
from hyoka.normalise.status import as_of_year
from hyoka.normalise.vocabulary import check_vocabulary
from hyoka.resources import MAX_YAML_BYTES, load_yaml, reject_unknown

_PATH_KEYS = ("scale", "rules", "mapping", "indicators", "departments", "waivers")
_LIST_KEYS = ("select", "extend-select", "ignore")
_KEYS = (
    set(_PATH_KEYS)
    | set(_LIST_KEYS)
    | {
        "fail-on",
        "lang",
        "severity",
        "per-file-ignores",
        "margins",
        "previous",
        "as-of",
        "vocabulary",
        "title",
    }
)
#: the longest ``title`` accepted (characters): a heading, not a paragraph
TITLE_MAX = 200
_MARGINS = {"schedule"}


@dataclass
class Config:
    path: Path | None = None
    scale: str | None = None
    rules: Path | None = None
    mapping: Path | None = None
    indicators: Path | None = None
    departments: Path | None = None
    waivers: Path | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    lang: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    margins: dict[str, float] = field(default_factory=dict)
    previous: list[Path] | None = None
    #: the plan's vocabulary: a file, or the entries of a [vocabulary] table
    vocabulary: Path | dict | None = None
    as_of: str | date | None = None
    #: the plan's title and edition as the reports' heading (index.html); None: the input files' names
    title: str | None = None


def _there(path: Path) -> bool:
    """Whether a configuration file is at ``path``: a file, or a symlink loop (read, it says
    "cannot read" instead of being passed over as if no file were there)."""
    if path.is_file():
        return True
    try:
        real(path)
    except OSError:
        return True
    return False


def find_config(start: Path | None = None) -> Path | None:
    """The nearest hyoka.toml, or pyproject.toml with a [tool.hyoka] table, from ``start`` up."""
    try:
        here = real(start or Path.cwd())
    except OSError as exc:  # a symlink loop
        raise ConfigError(
            msg("where", where=start or Path.cwd(), what=msg("cannot_read", reason=os_reason(exc)))
        ) from None
    for folder in (here, *here.parents):
        own = folder / "hyoka.toml"
        if _there(own):
            return own
        py = folder / "pyproject.toml"
        if _there(py):
            tool = _read_toml(py).get("tool", {})
            if isinstance(tool, dict) and "hyoka" in tool:
                return py
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables: a regular file (hyoka.files) of at most MAX_YAML_BYTES, UTF-8.
    Raises ConfigError naming the file (a whole number over Python's 4,300 digits too)."""
    try:
        data = read_regular(path, MAX_YAML_BYTES)
        if len(data) > MAX_YAML_BYTES:
            raise ConfigError(msg("where", where=path, what=msg("config_too_large", limit=MAX_YAML_BYTES)))
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(msg("where", where=path, what=msg("bad_toml", problem=exc))) from None
    except UnicodeDecodeError:
        raise ConfigError(msg("where", where=path, what=msg("toml_not_utf8"))) from None
    except ValueError as exc:  # int() of a whole number over sys.get_int_max_str_digits()
        raise ConfigError(msg("where", where=path, what=msg("bad_toml", problem=exc))) from None
    except SpecialFileError as exc:
        raise ConfigError(msg("where", where=path, what=exc.message)) from None
    except OSError as exc:
        raise ConfigError(msg("where", where=path, what=msg("cannot_read", reason=os_reason(exc)))) from None


def _codes(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(msg("where", where=where, what=msg("config_codes")))
    return [v.strip().upper() for v in value]


def load_config(path: Path | str) -> Config:
    """Read a configuration file. Raises ConfigError naming the file and key."""
    path = Path(path)
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("hyoka", {}) if isinstance(tool, dict) else {}
        prefix = "[tool.hyoka]"
        if not isinstance(data, dict):
            raise ConfigError(msg("where", where=path, what=msg("config_table")))
    else:
        prefix = ""
    name = f"{path}: {prefix}".rstrip()
    reject_unknown(data, _KEYS, name.rstrip(":"), msg("known_keys", keys=", ".join(sorted(_KEYS))))
    cfg = Config(path=path)
    base = path.parent
    for key in _PATH_KEYS:
        if key in data:
            if not isinstance(data[key], str) or not data[key].strip():
                raise ConfigError(msg("where", where=f"{name} {key}", what=msg("config_path")))
            if key == "scale" and not Path(data[key]).suffix:
                cfg.scale = data[key]  # a bundled preset name
            else:
                setattr(cfg, key, str(base / data[key]) if key == "scale" else base / data[key])
    if "previous" in data:
        prev = data["previous"]
        prev = [prev] if isinstance(prev, str) else prev
        if not isinstance(prev, list) or not prev or not all(isinstance(p, str) and p.strip() for p in prev):
            raise ConfigError(msg("where", where=f"{name} previous", what=msg("config_previous")))
        cfg.previous = [base / p for p in prev]
    if "vocabulary" in data:
        voc = data["vocabulary"]
        if isinstance(voc, str) and voc.strip():
            cfg.vocabulary = base / voc
        elif isinstance(voc, dict):
            check_vocabulary(voc, f"{name} [vocabulary]")
            cfg.vocabulary = voc
        else:
            raise ConfigError(msg("where", where=f"{name} vocabulary", what=msg("config_vocabulary")))
    if "as-of" in data:
        value = data["as-of"]
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, (str, date)) or not str(value).strip():
            raise ConfigError(msg("where", where=f"{name} as-of", what=msg("config_as_of")))
        try:
            as_of_year(value)
        except ConfigError as exc:
            raise ConfigError(f"{name} {exc}") from None
        cfg.as_of = value
    if "title" in data:
        title = data["title"]
        if not isinstance(title, str) or not title.strip() or len(title) > TITLE_MAX or "\n" in title.strip():
            raise ConfigError(
                f'{name} title: give the plan\'s title and edition as one line of text (at most {TITLE_MAX} characters), e.g. title = "第2期総合戦略 令和5年度評価"'
            )
        cfg.title = " ".join(title.split())
    if "select" in data:
        cfg.select = _codes(data["select"], f"{name} select")
    cfg.extend_select = _codes(data.get("extend-select", []), f"{name} extend-select")
    cfg.ignore = _codes(data.get("ignore", []), f"{name} ignore")
    if "fail-on" in data:
        if data["fail-on"] not in F.FAIL_ON:
            raise ConfigError(msg("where", where=f"{name} fail-on", what=msg("one_of", choices=", ".join(F.FAIL_ON))))
        cfg.fail_on = data["fail-on"]
    if "lang" in data:
        if data["lang"] not in ("ja", "en"):
            raise ConfigError(msg("where", where=f"{name} lang", what=msg("config_lang")))
        cfg.lang = data["lang"]
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(msg("where", where=f"{name} [severity]", what=msg("config_severity_table")))
    for code, level in sev.items():
        if level not in F.SEVERITIES:
            raise ConfigError(
                msg("where", where=f"{name} [severity] {code}", what=msg("one_of", choices=", ".join(F.SEVERITIES)))
            )
        cfg.severity[str(code).upper()] = level
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(msg("where", where=f"{name} [per-file-ignores]", what=msg("config_pfi_table")))
    for glob, codes in pfi.items():
        cfg.per_file_ignores[str(glob)] = _codes(codes, f"{name} [per-file-ignores] {glob!r}")
    margins = data.get("margins", {})
    if not isinstance(margins, dict):
        raise ConfigError(msg("where", where=f"{name} [margins]", what=msg("must_be_table")))
    for key, value in margins.items():
        if key not in _MARGINS:
            raise ConfigError(
                msg(
                    "where",
                    where=f"{name} [margins] {key}",
                    what=msg("unknown_margin", known=", ".join(sorted(_MARGINS))),
                )
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(msg("where", where=f"{name} [margins] {key}", what=msg("between_0_and_1")))
        cfg.margins[key] = float(value)
    return cfg


def load_departments(path: Path | str) -> tuple[list[str], dict[str, str]]:
    """A department list file (YAML): ``departments: [names]`` and ``renames: {old: new}``.
    ``departments:`` left empty gives ``[]``, which the check takes as no list (no X003)."""
    data = load_yaml(path)
    if isinstance(data, dict) and data.get("departments") is None:
        data = {**data, "departments": []}  # `departments:` with the names still to fill in
    if not isinstance(data, dict) or not isinstance(data.get("departments", []), list):
        raise ConfigError(msg("where", where=path, what=msg("departments_file")))
    renames = data.get("renames") or {}
    if not isinstance(renames, dict):
        raise ConfigError(msg("where", where=path, what=msg("departments_renames")))
    reject_unknown(data, {"departments", "renames"}, str(path))
    return [str(d) for d in data.get("departments", [])], {str(k): str(v) for k, v in renames.items()}


def _longest(code: str, prefixes: list[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def selected(code: str, select: list[str] | None, extend_select: list[str], ignore: list[str]) -> bool:
    """Whether a rule code runs (ruff's semantics; ``select`` None means every code)."""
    chosen = ([""] if select is None else select) + extend_select
    return _longest(code, chosen) > _longest(code, ignore)


def apply(
    findings: pd.DataFrame,
    select: list[str] | None,
    extend_select: list[str],
    ignore: list[str],
    severity: dict[str, str],
    per_file_ignores: dict[str, list[str]],
    paths: dict[str, list[str]],
) -> pd.DataFrame:
    """Drop findings of codes not selected or ignored for their file, and apply severity
    overrides. ``paths`` maps a finding's ``source_file`` to the paths its globs are matched
    against (the file name is always one).
    Vectorised over findings: decisions are made once per distinct code and file."""
    if findings.empty:
        return findings
    codes = findings["code"].astype(str)
    keep_code = {c: selected(c, select, extend_select, ignore) for c in codes.unique()}
    keep = codes.map(keep_code).astype(bool)
    if per_file_ignores:
        files = findings["source_file"].fillna("").astype(str)
        for (f, c), idx in findings.groupby([files, codes]).groups.items():
            forms = [f, *paths.get(f, [])]
            for glob, ignored in per_file_ignores.items():
                if any(fnmatch.fnmatch(x, glob) for x in forms) and _longest(c, ignored) >= 0:
                    keep[idx] = False
    out = findings[keep.to_numpy()].copy()
    if severity:
        override = out["code"].map(severity)
        out["severity"] = override.fillna(out["severity"]).astype("string")
    return F.combine([out])
