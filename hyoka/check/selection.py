"""Codes named by the user must exist: select/ignore/severity/per-file-ignores and ``hyoka waive
--code`` are checked against the code registry, so a typo cannot silently check (or waive)
nothing. Also which findings ``hyoka waive`` may accept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hyoka.check import registry
from hyoka.check.rules import load_catalog
from hyoka.errors import ConfigError, HyokaError, msg
from hyoka.options import CheckOptions


def unknown_codes(entries: list[str], known: set[str], exact: bool = False) -> list[str]:
    """The entries (upper-case codes, or prefixes unless ``exact``) that name no code of ``known``."""
    return [e for e in entries if not e or (e not in known if exact else not any(k.startswith(e) for k in known))]


def check_codes(options: CheckOptions, known: set[str]) -> None:
    """Every code or prefix named in select/ignore/severity/per-file-ignores must name a rule:
    a typo would otherwise check nothing and let CI pass. Raises ConfigError."""

    def bad(entries, exact=False):
        return unknown_codes(entries, known, exact)

    named = [
        ("select", options.select or [], False),
        ("extend-select", options.extend_select, False),
        ("ignore", options.ignore, False),
        ("severity", list(options.severity), True),
    ]
    named += [(f"per-file-ignores {glob!r}", codes, False) for glob, codes in options.per_file_ignores.items()]
    for where, entries, exact in named:
        if unknown := bad([e.upper() for e in entries], exact):
            from_file_only = where == "severity" or where.startswith("per-file-ignores")
            if options.config_file:
                origin = msg("origin_file" if from_file_only else "origin_file_or_cli", file=options.config_file)
                where = msg("where_from", where=where, origin=origin)
            what = msg("no_such_code" if exact else "no_such_code_or_prefix", codes=", ".join(map(repr, unknown)))
            raise ConfigError(msg("where", where=where, what=what))


def check_waive_codes(prefixes: list[str], rules: Path | None) -> None:
    """``hyoka waive --code``: each upper-case code or prefix must name a code of the rule
    catalog ``rules`` (None: the bundled one) or another finding code, as select/ignore must: a
    typo would otherwise waive nothing and say so only as "0 added". W001/W002 (about the
    waiver file itself) cannot be waived. Raises HyokaError."""
    known = registry.known_codes(load_catalog(rules)) - set(registry.codes_of("waiver"))
    if unknown := unknown_codes(list(prefixes), known):
        raise HyokaError(
            msg("where", where="--code", what=msg("no_waivable_code", codes=", ".join(map(repr, unknown))))
        )


def waivable(findings: pd.DataFrame, prefixes: list[str] | None = None) -> pd.DataFrame:
    """The findings ``hyoka waive`` adds entries for: not the waiver file's own (W001/W002), and
    with ``prefixes`` (upper case; None: all) only codes starting with one of them. Same columns
    as ``findings``."""
    found = findings[~findings["code"].isin(registry.codes_of("waiver"))]
    if prefixes is not None:
        found = found[found["code"].str.upper().str.startswith(tuple(prefixes))]
    return found
