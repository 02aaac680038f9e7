"""Every code hyoka can report, with its texts, and the file those texts come from.

One place the command line (``hyoka rules``, select/ignore/severity validation), the reports
(dashboard descriptions), the formats (SARIF rule metadata) and the docs ask. The sources:

- ``rules/catalog.yaml`` (or ``--rules``): the row rules, M/P/U/D/G… (:mod:`hyoka.check.rules`);
- ``rules/edition_findings.yaml``: E001–E010, comparing editions (:mod:`hyoka.compare.editions`);
- ``rules/schema_findings.yaml``: S000–S003, the Pandera schema checks/normalised.yaml
  (:mod:`hyoka.check.schema`);
- ``rules/load_findings.yaml``: H001–H007, reading tables (:mod:`hyoka.check.headers`,
  :mod:`hyoka.check.skipped`);
- ``rules/waiver_findings.yaml``: W001/W002, the waiver file (:mod:`hyoka.waivers.apply`).

The last three are read here (``codes:``, a mapping code → ``name`` (kebab-case), ``severity`` and
the texts ``title``, ``description``, ``message``, ``expected``, ``fix``, each ``{ja, en}``); the catalog and the edition
file are read by their own modules, which also check their conditions and templates. Every loader
raises ConfigError naming the file and code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hyoka.check import findings as F
from hyoka.check.rules import LANGS, Rule, load_catalog
from hyoka.compare.editions import load_edition_spec
from hyoka.errors import ConfigError
from hyoka.resources import data_dir, load_yaml, reject_unknown

TEXT_KEYS = ("title", "description", "message", "expected", "fix")

#: the files of the codes raised outside the rule catalog: kind → (file under rules/, what raises them)
FINDING_FILES = {
    "edition": ("edition_findings.yaml", "hyoka check --previous"),
    "schema": ("schema_findings.yaml", "checks/normalised.yaml"),
    "load": ("load_findings.yaml", None),
    "waiver": ("waiver_findings.yaml", "--waivers"),
}
#: the top-level keys each of those files may have (the edition file is checked by hyoka.compare.editions)
_FILE_KEYS = {"schema": {"default", "codes", "columns"}, "load": {"codes"}, "waiver": {"any", "codes"}}
_CODE_KEYS = {"name", "severity", *TEXT_KEYS}


@dataclass(frozen=True)
class CodeInfo:
    """One code: ``severity`` (its default), ``name`` (kebab-case, like the rules' names),
    ``kind`` (``rule``, ``edition``, ``schema``, ``load``, ``waiver``), ``source`` (the file its
    texts come from, as shown in the docs) and ``texts``: key → ``{lang: text}`` for at least
    :data:`TEXT_KEYS` (E codes also have ``condition``)."""

    code: str
    severity: str
    name: str
    kind: str
    source: str
    texts: dict[str, dict[str, str]]

    def text(self, key: str, lang: str) -> str:
        """The text ``key`` in ``lang`` (``""`` when the code has none)."""
        return (self.texts.get(key) or {}).get(lang, "")


def finding_file(kind: str) -> dict:
    """The parsed file of ``kind`` (a key of :data:`FINDING_FILES` other than ``edition``), its
    top-level keys and codes checked. Raises ConfigError."""
    return _finding_file(kind)


@lru_cache(maxsize=8)
def _finding_file(kind: str) -> dict:
    name = FINDING_FILES[kind][0]
    path = data_dir("rules") / name
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise ConfigError(f"{path}: expected `codes:` (a mapping of codes to their texts)")
    reject_unknown(data, _FILE_KEYS[kind], str(path))
    for code, entry in data["codes"].items():
        where = f"{path}: {code}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each code is a mapping")
        reject_unknown(entry, _CODE_KEYS, where)
        if entry.get("severity") not in F.SEVERITIES:
            raise ConfigError(f"{where}: severity must be one of {', '.join(F.SEVERITIES)}")
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ConfigError(f"{where}: `name` needs a kebab-case name (e.g. column-not-read)")
        for key in TEXT_KEYS:
            val = entry.get(key)
            if not isinstance(val, dict) or not all(isinstance(val.get(lang), str) for lang in LANGS):
                raise ConfigError(f"{where}: `{key}` needs both ja and en texts")
    return data


def _source(kind: str) -> str:
    name, note = FINDING_FILES[kind]
    return f"rules/{name}" + (f" ({note})" if note else "")


@lru_cache(maxsize=1)
def other_codes() -> dict[str, CodeInfo]:
    """The codes raised outside the rule catalog, code → CodeInfo: the edition codes in their
    file's order, then the schema, table and waiver codes sorted by code."""
    out = {
        c.code: CodeInfo(c.code, c.severity, c.name, "edition", _source("edition"), c.texts)
        for c in load_edition_spec().codes.values()
    }
    rest = {}
    for kind in ("schema", "load", "waiver"):
        for code, entry in finding_file(kind)["codes"].items():
            rest[code] = CodeInfo(
                code, entry["severity"], entry["name"], kind, _source(kind), {k: dict(entry[k]) for k in TEXT_KEYS}
            )
    return out | dict(sorted(rest.items()))


def rule_codes(catalog: list[Rule], source: str = "rules/catalog.yaml") -> dict[str, CodeInfo]:
    """The catalog's codes (the first instance of an ``each`` rule speaks for all), in its order."""
    out: dict[str, CodeInfo] = {}
    for r in catalog:
        if r.code not in out:
            texts = {
                "title": r.title,
                "description": r.description,
                "message": r.message,
                "expected": r.expected,
                "fix": r.fix,
            }
            out[r.code] = CodeInfo(r.code, r.severity, r.name, "rule", source, texts)
    return out


def all_codes(catalog: list[Rule] | None = None, source: str = "rules/catalog.yaml") -> dict[str, CodeInfo]:
    """Every code a check can report: the catalog's (default: the bundled one) and
    :func:`other_codes`, code → CodeInfo in that order."""
    rules = rule_codes(catalog if catalog is not None else load_catalog(), source)
    return rules | {code: c for code, c in other_codes().items() if code not in rules}


def known_codes(catalog: list[Rule] | None = None) -> set[str]:
    """The codes select/ignore/severity may name: the catalog's and every other code."""
    return set(all_codes(catalog))


def codes_of(kind: str) -> tuple[str, ...]:
    """The codes of one kind outside the catalog (``edition``, ``schema``, ``load``, ``waiver``)."""
    return tuple(c.code for c in other_codes().values() if c.kind == kind)


def code_info(code: str) -> CodeInfo:
    """The CodeInfo of a code outside the catalog. Raises KeyError for any other code."""
    return other_codes()[code]


def schema_spec(column: str) -> dict:
    """How a schema failure of ``column`` reads as a finding: ``code``, ``severity``, ``field``
    (absent for a column without its own code) and the texts of rules/schema_findings.yaml."""
    data = finding_file("schema")
    col = (data.get("columns") or {}).get(column)
    code = col["code"] if col else data["default"]
    spec = {"code": code, **data["codes"][code]}
    if col:
        spec["field"] = col["field"]
    return spec
