"""``--format sarif``: one SARIF 2.1.0 log (see :mod:`hyoka.output.formats`)."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pandas as pd

from hyoka import __version__
from hyoka.check import registry
from hyoka.output.formats.locate import locate
from hyoka.output.report import strings

if TYPE_CHECKING:
    from hyoka.pipeline import CheckResult

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _information_uri() -> str | None:
    """The project's home page from the package metadata ([project.urls]), if it declares one."""
    try:
        meta = metadata.metadata("hyoka")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "documentation", "repository", "source"):
            return url.strip()
    # (PackageMetadata.get is typed from Python 3.12 only; get_all is the same header lookup)
    return next(iter(meta.get_all("Home-page") or []), None) or None


def _rule_descriptors(codes: list[str], result: CheckResult, found: pd.DataFrame, lang: str) -> list[dict]:
    """SARIF rule metadata of ``codes`` from the code registry (hyoka.check.registry)."""
    s = strings(lang)
    rules = registry.rule_codes(result.rules)
    others = registry.other_codes()
    out = []
    for code in codes:
        if code in rules:
            c = rules[code]
            title, text, fix = c.text("title", lang), c.text("description", lang).strip(), c.text("fix", lang).strip()
            severity, name = c.severity, c.name
        else:  # raised outside the catalog (schema, editions, waivers, headers)
            first = found[found["code"] == code].iloc[0]
            other = others.get(code)
            title = other.text("title", lang) if other else str(first["title"])
            fix = (other.text("fix", lang) if other else str(first["fix"])).strip()
            # the full description stays the title (as before the registry), the severity the finding's
            text, severity, name = title, str(first["severity"]), code
        help_text = f"{text}\n\n{s['fix']}: {fix}" if fix else text
        help_md = f"{text}\n\n**{s['fix']}**: {fix}" if fix else text
        out.append(
            {
                "id": code,
                "name": name,
                "shortDescription": {"text": title},
                "fullDescription": {"text": text},
                "help": {"text": help_text, "markdown": help_md},
                "defaultConfiguration": {"level": LEVEL[severity]},
            }
        )
    return out


def _fingerprint(row) -> str:
    identity = "\x1f".join(str(row[k]) for k in ("department", "project", "indicator", "code", "field"))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def to_sarif(result: CheckResult, located: pd.DataFrame | None = None) -> str:
    """One SARIF 2.1.0 log (JSON text) for the findings of ``result``."""
    lang = result.options.lang
    s = strings(lang)
    found = locate(result) if located is None else located
    codes = sorted(found["code"].unique().tolist())
    index = {c: i for i, c in enumerate(codes)}
    results = []
    for row in found.to_dict(orient="records"):
        message = row["message"] + (
            f"（{s['expected']}: {row['expected']}）"
            if lang == "ja" and row["expected"]
            else f" ({s['expected']}: {row['expected']})"
            if row["expected"]
            else ""
        )
        region = {}
        if row["line"] > 0:
            region["startLine"] = int(row["line"])
            if row["column"] > 0:
                region["startColumn"] = int(row["column"])
        physical = {"artifactLocation": {"uri": row["uri"]}}
        if region:
            physical["region"] = region
        location: dict[str, Any] = {"physicalLocation": physical}
        if row["sheet"]:
            location["logicalLocations"] = [
                {"name": row["sheet"], "fullyQualifiedName": f"{row['sheet']}!{row['cell_ref']}"}
            ]
        props = {
            k: row[k] for k in ("department", "item", "project", "indicator", "field", "cell", "observed", "expected")
        }
        if row["sheet"]:
            props |= {"sheet": row["sheet"], "sheetCell": row["cell_ref"]}
        item = {
            "ruleId": row["code"],
            "ruleIndex": index[row["code"]],
            "level": LEVEL[row["severity"]],
            "message": {"text": message},
            "locations": [location],
            "partialFingerprints": {"hyokaIdentity/v1": _fingerprint(row)},
            "properties": props,
        }
        if row["waived"]:
            item["suppressions"] = [{"kind": "external", "status": "accepted", "justification": row["waived"]}]
        results.append(item)
    driver: dict[str, Any] = {"name": "hyoka", "version": __version__, "semanticVersion": __version__}
    if uri := _information_uri():
        driver["informationUri"] = uri
    driver["rules"] = _rule_descriptors(codes, result, found, lang)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "language": lang, "columnKind": "unicodeCodePoints", "results": results}],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
