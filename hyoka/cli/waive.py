"""``hyoka waive``: add waiver entries for the current findings to a waiver file."""

from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.check import run_configured
from hyoka.cli.common import fail, find_configuration, split_codes
from hyoka.cli.options import (
    Config,
    Department,
    Indicators,
    Mapping,
    NoConfig,
    OptLang,
    Paths,
    Rules,
    Scale,
)
from hyoka.errors import HyokaError


def waive(
    paths: Paths,
    waivers: Annotated[Path, typer.Option("--waivers", metavar="FILE")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT")],
    by: Annotated[str, typer.Option("--by", metavar="NAME")],
    expires: Annotated[str | None, typer.Option("--expires", metavar="DATE")] = None,
    code: Annotated[list[str] | None, typer.Option("--code", metavar="CODES")] = None,
    department: Department = None,
    scale: Scale = None,
    rules: Rules = None,
    mapping: Mapping = None,
    lang: OptLang = None,
    indicators: Indicators = None,
    config: Config = None,
    no_config: NoConfig = False,
) -> None:
    from datetime import date

    from hyoka.check.selection import check_waive_codes, waivable
    from hyoka.output.report import strings
    from hyoka.waivers.load import one_year_after, parse_date
    from hyoka.waivers.write import check_target
    from hyoka.waivers.write import waive as add_waivers

    try:
        check_target(waivers, paths)
        prefixes = split_codes(code) if code else None
        if prefixes is not None:  # before the check runs: a typo stops at once
            cfg = find_configuration(config, no_config) if rules is None else None
            check_waive_codes(prefixes, rules if cfg is None else cfg.rules)  # the catalog check will use
        today = date.today()
        until = parse_date(expires) if expires else one_year_after(today)
        existing = waivers if waivers.exists() else None
        # the same configuration as `check`, so the entries match what check will report
        result, _ = run_configured(
            paths,
            config,
            no_config,
            scale=scale,
            rules=rules,
            mapping=mapping,
            department=department,
            lang=lang.value if lang else None,
            waivers=existing,
            today=today,
            indicators=indicators,
        )
        added = add_waivers(waivable(result.findings, prefixes), waivers, by, reason, until, today=today, inputs=paths)
    except HyokaError as exc:
        fail(exc)
    typer.echo(strings(result.options.lang)["waive_added"].format(n=len(added), path=waivers))
