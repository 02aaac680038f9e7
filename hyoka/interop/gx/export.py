"""The Expectation Suite for a rule catalog (:func:`build_suite`) and its files (:func:`export_gx`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hyoka import __version__
from hyoka.atomic import replacing, write_text
from hyoka.check import registry
from hyoka.check.rules import Rule, load_catalog
from hyoka.check.selection import check_codes
from hyoka.config import selected
from hyoka.errors import ConfigError, HyokaError, msg, os_reason
from hyoka.interop.gx.expectations import (
    NotExpressible,
    rule_expectations,
    schema_expectations,
)
from hyoka.options import CheckOptions
from hyoka.output.places import cell_columns, labels_of
from hyoka.pipeline import run_check

SUITE_NAME = "hyoka"


@dataclass
class Suite:
    """``suite``: the Expectation Suite as a JSON-able dict; ``unexpressed``: one entry per rule
    (or schema check) not exported, ``{code, field, when, reason}``."""

    suite: dict
    unexpressed: list[dict] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(e["meta"]["hyoka_code"] for e in self.suite["expectations"]))


def build_suite(
    rules: list[Rule],
    *,
    name: str = SUITE_NAME,
    severity: dict[str, str] | None = None,
    schema: bool = True,
    schema_path: Path | None = None,
    meta: dict | None = None,
) -> Suite:
    """The Expectation Suite for ``rules`` (one expectation or more per rule instance, in
    catalog order) after the schema's expectations (``schema=False`` leaves them out).
    ``severity`` overrides rule severities (hyoka.toml ``[severity]``)."""
    severity = {k.upper(): v for k, v in (severity or {}).items()}
    expectations: list[dict] = []
    unexpressed: list[dict] = []
    if schema:
        exp, skipped = schema_expectations(schema_path)
        expectations += exp
        unexpressed += skipped
    for rule in rules:
        try:
            expectations += rule_expectations(rule, severity.get(rule.code))
        except NotExpressible as exc:
            unexpressed.append(
                {"code": rule.code, "field": rule.each_field or rule.cell, "when": rule.when.text, "reason": str(exc)}
            )
    suite_meta = {
        "hyoka": {
            "version": __version__,
            "table": "normalised (hyoka.pipeline.run_check(...).frame)",
            "unexpressed": [u["code"] for u in unexpressed],
            **(meta or {}),
        }
    }
    return Suite({"name": name, "expectations": expectations, "meta": suite_meta}, unexpressed)


@dataclass
class Export:
    suite_path: Path
    unexpressed_path: Path
    table_path: Path | None
    suite: Suite


def export_gx(out: Path, options: CheckOptions, paths: list[Path] | None = None, name: str = SUITE_NAME) -> Export:
    """Write ``OUT/NAME.json`` (the suite), ``OUT/NAME_unexpressed.json`` (rules not exported,
    with why) and, when ``paths`` are given, ``OUT/normalised.parquet`` (their normalised table, with
    each row's places as ``cell_<field>`` texts: hyoka.output.places.cell_columns;
    the data the suite is for). ``options`` is a :class:`hyoka.options.CheckOptions`: its rules,
    select/ignore and severity overrides choose and mark the exported rules. Every file is
    written atomically. Raises ConfigError for a bad rule file, HyokaError for bad input."""
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ConfigError(f"--name {name!r}: use letters, digits, _ and -")
    catalog = load_catalog(options.rules)
    check_codes(options, registry.known_codes(catalog))
    rules = [r for r in catalog if selected(r.code, options.select, options.extend_select, options.ignore)]
    schema = any(
        selected(c, options.select, options.extend_select, options.ignore) for c in ("S000", "S001", "S002", "S003")
    )
    meta = {
        "rules": str(options.rules) if options.rules else "rules/catalog.yaml",
        "scale": options.scale or "a-d",
        "indicators": str(options.indicators) if options.indicators else None,
        "schedule_margin": options.schedule_margin,
    }
    built = build_suite(rules, name=name, severity=options.severity, schema=schema, meta=meta)
    keep = lambda code: selected(code, options.select, options.extend_select, options.ignore)
    built.suite["expectations"] = [e for e in built.suite["expectations"] if keep(e["meta"]["hyoka_code"])]
    built.unexpressed = [u for u in built.unexpressed if keep(u["code"])]
    built.suite["meta"]["hyoka"]["unexpressed"] = [u["code"] for u in built.unexpressed]
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HyokaError(
            msg("where", where=f"--out {out}", what=msg("cannot_create_folder", reason=os_reason(exc)))
        ) from None
    suite_path, unexpressed_path = out / f"{name}.json", out / f"{name}_unexpressed.json"
    table_path = None
    if paths:
        checked = run_check(list(paths), options)
        frame = cell_columns(checked.frame, labels_of(checked.tables))  # places as text, as GX users read them
        table_path = out / "normalised.parquet"
        with replacing(table_path) as tmp:
            frame.to_parquet(tmp, index=True)
    write_text(suite_path, json.dumps(built.suite, ensure_ascii=False, indent=2) + "\n")
    write_text(unexpressed_path, json.dumps(built.unexpressed, ensure_ascii=False, indent=2) + "\n")
    return Export(suite_path, unexpressed_path, table_path, built)
