"""The command-line options several commands share, each declared once.

Every alias is an ``Annotated[type, typer.Option(...)]`` for a parameter that defaults to None
(or False): ``scale: Scale = None``. A declaration gives the flag and the metavar shown in the help
(``FILE``, ``DIR``, ``CODES``: what a person types, never a type name); what the help says about
an option, per command and in both languages, is in ``rules/cli.yaml`` (hyoka.cli.helptext). The
option a command declares with a value as its default (``init --scale``, default a-d) is declared
there with the same flag and metavar.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class Fmt(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    markdown = "markdown"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class Lang(str, Enum):
    ja = "ja"
    en = "en"


def choices(enum: type[Enum]) -> str:
    """``ja|en``: an option's choices as its metavar."""
    return "|".join(str(m.value) for m in enum)


Paths = Annotated[list[Path], typer.Argument(metavar="FILE")]

Scale = Annotated[str | None, typer.Option("--scale", metavar="SCALE")]
Rules = Annotated[Path | None, typer.Option("--rules", metavar="FILE")]
Mapping = Annotated[Path | None, typer.Option("--mapping", metavar="FILE")]
Indicators = Annotated[Path | None, typer.Option("--indicators", metavar="FILE")]
Departments = Annotated[Path | None, typer.Option("--departments", metavar="FILE")]
Department = Annotated[str | None, typer.Option("--department", metavar="NAME")]
Select = Annotated[list[str] | None, typer.Option("--select", metavar="CODES")]
Ignore = Annotated[list[str] | None, typer.Option("--ignore", metavar="CODES")]
OptLang = Annotated[Lang | None, typer.Option("--lang", metavar=choices(Lang))]
Config = Annotated[Path | None, typer.Option("--config", metavar="FILE")]
NoConfig = Annotated[bool, typer.Option("--no-config")]
Waivers = Annotated[Path | None, typer.Option("--waivers", metavar="FILE")]
Host = Annotated[str, typer.Option("--host", metavar="HOST")]
Port = Annotated[int, typer.Option("--port", metavar="PORT")]
Table = Annotated[int | None, typer.Option("--table", metavar="N", min=1)]
