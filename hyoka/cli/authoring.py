"""``hyoka template`` (the sheet a department fills in) and ``hyoka init`` (adopt hyoka in a data repository)."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail, find_configuration
from hyoka.cli.options import Config, Departments, Lang, NoConfig, OptLang, Scale, choices
from hyoka.errors import HyokaError


def template(
    out: Annotated[Path, typer.Argument(metavar="FILE")],
    scale: Scale = None,
    departments: Departments = None,
    years: Annotated[str, typer.Option("--years", metavar="LABELS")] = "R3,R9,R5",
    lang: OptLang = None,
    force: Annotated[bool, typer.Option("--force")] = False,
    config: Config = None,
    no_config: NoConfig = False,
) -> None:
    from hyoka.authoring.template import parse_years, write_template
    from hyoka.config import load_departments
    from hyoka.normalise.scale import load_scale

    try:
        if cfg := find_configuration(config, no_config):  # the sheet offers what `check` will accept
            scale = scale if scale is not None else cfg.scale
            departments = departments if departments is not None else cfg.departments
            lang = lang if lang is not None else (Lang(cfg.lang) if cfg.lang else None)
        lang = lang or Lang.ja
        names = (load_departments(departments)[0] or None) if departments else None
        written = write_template(out, load_scale(scale), names, parse_years(years), lang.value, overwrite=force)
    except HyokaError as exc:
        fail(exc)
    typer.echo(f"→ {written}")


def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR")] = Path("."),
    source: Annotated[str | None, typer.Option("--source", metavar="URL")] = None,
    rev: Annotated[str | None, typer.Option("--rev", metavar="REV")] = None,
    scale: Annotated[str, typer.Option("--scale", metavar="SCALE")] = "a-d",
    lang: Annotated[Lang, typer.Option("--lang", metavar=choices(Lang))] = Lang.ja,
) -> None:
    from hyoka.authoring.scaffold import (
        DEFAULT_REV,
        DEFAULT_SOURCE,
        init_repository,
        summary,
    )

    try:
        result = init_repository(
            folder, source=source or DEFAULT_SOURCE, rev=rev or DEFAULT_REV, scale=scale, lang=lang.value
        )
    except HyokaError as exc:
        fail(exc)
    sys.stdout.write(summary(result, lang.value))
