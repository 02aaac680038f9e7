"""The comparison's declarative part and its result counts.

:func:`load_edition_spec` reads rules/edition_findings.yaml into an :class:`EditionSpec`: per code
(:data:`EDITION_CODES`) its name, severity, the field its finding points at, and the ja/en texts
(templates of :mod:`hyoka.check.text` over :data:`PLACEHOLDERS`); the E002 note pattern and the
matching thresholds (rapidfuzz ratio, 0–100). :class:`EditionInfo` holds the counts of one
comparison for the coordinator's dashboard. Raises ConfigError for a bad spec file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from hyoka.check import findings as F
from hyoka.check.rules import FIELD_LABELS, LANGS
from hyoka.check.text import check_template
from hyoka.errors import ConfigError
from hyoka.normalise.patterns import Pattern, compile_pattern
from hyoka.resources import data_dir, load_yaml, reject_unknown

#: the codes the comparison raises (their texts: rules/edition_findings.yaml, listed by hyoka.check.registry)
EDITION_CODES = ("E001", "E002", "E003", "E004", "E005", "E006", "E007", "E008", "E009", "E010")

#: placeholders the templates may use (module doc of rules/edition_findings.yaml)
PLACEHOLDERS = frozenset(
    {
        "department",
        "project",
        "indicator",
        "grade_raw",
        "baseline_shown",
        "target_shown",
        "current_shown",
        "unit",
        "prev_department",
        "prev_project",
        "prev_indicator",
        "prev_grade_raw",
        "prev_baseline_shown",
        "prev_target_shown",
        "prev_current_shown",
        "prev_unit",
        "prev_cell",
        "prev_file",
        "similarity",
        "direction",
        "field_ja",
        "field_en",
        "kind_ja",
        "kind_en",
        "n_current",
        "n_previous",
        "prev_cells",
    }
)
_TEXT_KEYS = ("title", "description", "condition", "message", "expected", "fix")
_CODE_KEYS = {"name", "severity", "cell", "observed", "example", *_TEXT_KEYS}
_SPEC_KEYS = {"note_pattern", "fuzzy_project", "fuzzy_indicator", "renamed_indicator", "codes"}


@dataclass(frozen=True)
class EditionCode:
    code: str
    name: str
    severity: str
    cell: str
    observed: dict[str, str]  # lang → template: one text for both, or {ja, en} naming each value
    texts: dict[str, dict[str, str]]  # title/description/condition/message/expected/fix → {ja, en}
    example: dict | None = None


@dataclass(frozen=True)
class EditionSpec:
    codes: dict[str, EditionCode]
    note_pattern: Pattern
    fuzzy_project: float = 80.0
    fuzzy_indicator: float = 80.0
    renamed_indicator: float = 60.0
    source: str = ""


@dataclass
class EditionInfo:
    """What the comparison with last year's edition found, for the coordinator's dashboard.

    ``previous_paths``: last year's files as given; ``previous_rows``: rows read from them (after
    ``--department``); ``matched``: this year's rows compared with a row of last year's (exact +
    fuzzy + renamed); ``replaced``: rows paired with last year's but not compared (E004);
    ``appeared`` / ``disappeared``: rows with no counterpart (E006 / E005); ``ambiguous``: this
    year's rows not matched because of duplicates (E009)."""

    previous_paths: list[str]
    previous_rows: int
    matched: int
    exact: int = 0
    fuzzy: int = 0
    renamed: int = 0
    replaced: int = 0
    appeared: int = 0
    disappeared: int = 0
    ambiguous: int = 0
    current_rows: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def load_edition_spec(path: Path | str | None = None) -> EditionSpec:
    """Read rules/edition_findings.yaml (or ``path``). Raises ConfigError naming file, code and key."""
    path = Path(path) if path else data_dir("rules") / "edition_findings.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise ConfigError(f"{path}: expected `codes:` (a mapping of E-codes)")
    reject_unknown(data, _SPEC_KEYS, str(path))
    codes = {}
    for code, entry in data["codes"].items():
        where = f"{path}: {code}"
        if code not in EDITION_CODES:
            raise ConfigError(f"{where}: not an edition code ({', '.join(EDITION_CODES)})")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each code is a mapping")
        reject_unknown(entry, _CODE_KEYS, where)
        if entry.get("severity") not in F.SEVERITIES:
            raise ConfigError(f"{where}: severity must be one of {', '.join(F.SEVERITIES)}")
        if entry.get("cell") not in FIELD_LABELS:
            raise ConfigError(f"{where}: `cell` must name a field")
        texts = {}
        for key in _TEXT_KEYS:
            val = entry.get(key)
            if not isinstance(val, dict) or set(val) != set(LANGS) or not all(isinstance(v, str) for v in val.values()):
                raise ConfigError(f"{where}: `{key}` needs exactly ja and en texts")
            texts[key] = dict(val)
        given = entry.get("observed", "")
        if isinstance(given, dict) and (
            set(given) != set(LANGS) or not all(isinstance(v, str) for v in given.values())
        ):
            raise ConfigError(f"{where}: `observed` is one text, or exactly ja and en texts")
        observed = dict(given) if isinstance(given, dict) else {lang: str(given) for lang in LANGS}
        for tmpl in [*observed.values(), *(texts[k][lang] for k in ("message", "expected", "fix") for lang in LANGS)]:
            check_template(tmpl, PLACEHOLDERS, where)
        codes[code] = EditionCode(
            code, str(entry.get("name", code)), entry["severity"], entry["cell"], observed, texts, entry.get("example")
        )
    if missing := set(EDITION_CODES) - set(codes):
        raise ConfigError(f"{path}: codes {', '.join(sorted(missing))} are not defined")
    thresholds = {}
    for key in ("fuzzy_project", "fuzzy_indicator", "renamed_indicator"):
        v = data.get(key, EditionSpec.__dataclass_fields__[key].default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            raise ConfigError(f"{path}: {key} must be a number from 0 to 100")
        thresholds[key] = float(v)
    note = compile_pattern(data.get("note_pattern", "見直"), f"{path}: note_pattern")
    return EditionSpec(codes, note, source=str(path), **thresholds)
