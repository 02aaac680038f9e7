"""``hyoka waive``: add waiver entries for the current findings to a waiver file."""

from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.check import run_configured
from hyoka.cli.common import fail, find_configuration, split_codes
from hyoka.cli.options import (
    SCALE_HELP,
    Config,
    Department,
    Indicators,
    Mapping,
    NoConfig,
    OptLang,
    Paths,
    Rules,
    Scale,
    reworded,
)
from hyoka.errors import HyokaError

HELP = (
    "Accept the current findings: add waiver entries for them to a waiver file.\n\n"
    "Runs the check and appends one entry per finding (department, project, indicator, code) "
    "that the file does not waive yet. The tables are never written."
)

WaiveDepartment = Annotated[str | None, reworded(Department, "Only this department (current or previous name).")]
WaiveScale = Annotated[str | None, reworded(Scale, SCALE_HELP)]


def waive(
    paths: Paths,
    waivers: Annotated[Path, typer.Option("--waivers", help="Waiver file (YAML) to add to; created when missing.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the findings are accepted.")],
    by: Annotated[str, typer.Option("--by", help="Who accepts them.")],
    expires: Annotated[str | None, typer.Option("--expires", help="YYYY-MM-DD; default one year from today.")] = None,
    code: Annotated[
        list[str] | None,
        typer.Option("--code", metavar="<codes>", help="Only findings with this code or code prefix (repeatable)."),
    ] = None,
    department: WaiveDepartment = None,
    scale: WaiveScale = None,
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
        fail(str(exc))
    typer.echo(strings(result.options.lang)["waive_added"].format(n=len(added), path=waivers))
