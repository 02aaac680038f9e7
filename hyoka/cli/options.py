"""The command-line options several commands share, each declared once.

Every alias is an ``Annotated[type, typer.Option(...)]`` for a parameter that defaults to None
(or False): ``scale: Scale = None``. Where a command says something of its own about an option
(``export gx`` normalises PATHS with ``--scale``), it declares its own module-level alias with
:func:`reworded`, ``GxScale = Annotated[str | None, reworded(Scale, "...")]``: the same option with
that command's help text; flag and metavar stay the ones declared here. The type is spelled again
so that type checkers can read the alias (a call is not a type): the shared alias's, without None
where the command's default is a value (``init --scale``, default a-d).
"""

from __future__ import annotations

import copy
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, get_args

import typer
from typer.models import OptionInfo


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


FORMAT_HELP = (
    "text: the findings for people (default); json: a JSON array of findings; csv: the same "
    "table as CSV (UTF-8 with BOM, for Excel); sarif: SARIF 2.1.0 for GitHub code scanning; "
    "junit: JUnit XML, a testsuite per department and a testcase per row, a failure per finding "
    "at or above --fail-on; github: GitHub Actions annotations (::error file=…,line=…::…). "
    "Machine formats go to stdout, or to --output."
)
SCALE_HELP = (
    "Grading scale file, or a bundled preset (a-d, s-a-b-c, f-s-a-b-c-x-y-z, circles, circles-plus, achievement, "
    "direction, gc-results, kenko, kenko-chukan, rag). Without it: the preset that reads the table's grades (H004 says which), else a-d."
)
MAPPING_HELP = "A plan's column aliases and indicator directions (YAML)."
DEPARTMENT_HELP = "(current or previous name)."

Paths = Annotated[list[Path], typer.Argument(help="CSV, .xlsx, .xls or .ods files to check.")]

Scale = Annotated[str | None, typer.Option("--scale", help=SCALE_HELP)]
Rules = Annotated[Path | None, typer.Option("--rules", help="Rule catalog to use instead of the bundled one.")]
Mapping = Annotated[Path | None, typer.Option("--mapping", help=MAPPING_HELP)]
Indicators = Annotated[Path | None, typer.Option("--indicators", help="Indicator metadata (YAML).")]
Departments = Annotated[
    Path | None, typer.Option("--departments", help="The plan's department list with renames (YAML).")
]
Department = Annotated[str | None, typer.Option("--department", help="Check only this department " + DEPARTMENT_HELP)]
Select = Annotated[
    list[str] | None,
    typer.Option(
        "--select", metavar="<codes>", help="Run only these rule codes or prefixes (comma-separated or repeated)."
    ),
]
Ignore = Annotated[
    list[str] | None, typer.Option("--ignore", metavar="<codes>", help="Do not run these rule codes or prefixes.")
]
OptLang = Annotated[
    Lang | None, typer.Option("--lang", help="Language of the messages (default: the configuration's, else ja).")
]
Config = Annotated[
    Path | None, typer.Option("--config", help="Configuration file (default: found upwards, as for check).")
]
NoConfig = Annotated[bool, typer.Option("--no-config", help="Ignore configuration files.")]


def reworded(alias: Any, help: str) -> OptionInfo:
    """The ``typer.Option`` of ``alias`` (one of this module's ``Annotated`` options) with another
    help text, for ``Annotated[<alias's type>, reworded(alias, help)]``."""
    _, info = get_args(alias)
    info = copy.copy(info)
    info.help = help
    return info
