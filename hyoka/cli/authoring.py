"""``hyoka template`` (the sheet a department fills in) and ``hyoka init`` (adopt hyoka in a data repository)."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail, find_configuration
from hyoka.cli.options import (
    Config,
    Departments,
    Lang,
    NoConfig,
    OptLang,
    Scale,
    reworded,
)
from hyoka.errors import HyokaError

TEMPLATE_HELP = (
    "Write the department sheet to fill in (.xlsx): the header with year labels, "
    "a drop-down of the scale's grades and of the departments, input hints, and the "
    "scale's legend on its own sheet. A filled template passes `hyoka check` with no mapping."
)

TemplateDepartments = Annotated[
    Path | None, reworded(Departments, "The plan's department list (YAML: departments, renames) for the drop-down.")
]
TemplateLang = Annotated[
    Lang | None, reworded(OptLang, "Language of the headers, hints and legend (default: the configuration's, else ja).")
]
TemplateConfig = Annotated[
    Path | None,
    reworded(
        Config,
        "Configuration file whose scale, departments and lang are the defaults (default: found upwards, as for check).",
    ),
]
InitScale = Annotated[
    str, reworded(Scale, "The plan's grading scale written to hyoka.toml (a preset or a scale file).")
]
InitLang = Annotated[Lang, reworded(OptLang, "Language of the summary and of hyoka.toml's lang.")]


def template(
    out: Annotated[Path, typer.Argument(help="The workbook to write (*.xlsx).")],
    scale: Scale = None,
    departments: TemplateDepartments = None,
    years: Annotated[
        str, typer.Option("--years", help="Year labels of baseline, target and current, comma-separated.")
    ] = "R3,R9,R5",
    lang: TemplateLang = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
    config: TemplateConfig = None,
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
        fail(str(exc))
    typer.echo(f"→ {written}")


INIT_HELP = (
    "Adopt hyoka in a data repository: write hyoka.toml (with departments.yaml and an empty "
    "waivers.yaml), a GitHub Actions workflow, a GitLab CI job and a pre-commit configuration "
    "into DIR. Existing files are never changed: they are reported as kept."
)


def init(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="The data repository's folder (default: the current one).")
    ] = Path("."),
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="hyoka's git repository (URL or path) that CI installs and pre-commit uses. "
            "Default: a placeholder to replace.",
        ),
    ] = None,
    rev: Annotated[
        str | None, typer.Option("--rev", help="The tag or commit of hyoka to pin (default: v<version>).")
    ] = None,
    scale: InitScale = "a-d",
    lang: InitLang = Lang.ja,
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
        fail(str(exc))
    sys.stdout.write(summary(result, lang.value))
