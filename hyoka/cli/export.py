"""``hyoka export gx``: hyoka's checks as a Great Expectations suite."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail, find_configuration, split_codes
from hyoka.cli.options import (
    Config,
    Ignore,
    Indicators,
    Mapping,
    NoConfig,
    Rules,
    Scale,
    Select,
    reworded,
)
from hyoka.errors import HyokaError

export_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Export hyoka's checks for other tools.")

GX_HELP = (
    "Write hyoka's checks as a Great Expectations (GX Core 1.x) Expectation Suite "
    "for the normalised table: OUT/NAME.json, and OUT/NAME_unexpressed.json listing "
    "the rules GX cannot express and why (also printed). With table files, also "
    "OUT/normalised.parquet: their normalised table, the data the suite is for."
)

GxRules = Annotated[Path | None, reworded(Rules, "Rule catalog to export instead of the bundled one.")]
GxScale = Annotated[
    str | None, reworded(Scale, "Grading scale the table is normalised with (recorded in the suite; used for PATHS).")
]
GxIndicators = Annotated[
    Path | None, reworded(Indicators, "Indicator metadata (YAML), used for PATHS and recorded in the suite.")
]
GxMapping = Annotated[
    Path | None, reworded(Mapping, "A plan's column aliases and indicator directions (YAML), for PATHS.")
]
GxSelect = Annotated[list[str] | None, reworded(Select, "Export only these rule codes or prefixes.")]
GxIgnore = Annotated[list[str] | None, reworded(Ignore, "Do not export these rule codes or prefixes.")]
GxConfig = Annotated[
    Path | None, reworded(Config, "Configuration file (select, ignore, severity, scale, indicators, margins).")
]


@export_app.command("gx", help=GX_HELP)
def gx(
    out: Annotated[Path, typer.Option("--out", help="Folder for the suite.")],
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tables to normalise into OUT/normalised.parquet (optional).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Suite name (and file name).")] = "hyoka",
    rules: GxRules = None,
    scale: GxScale = None,
    indicators: GxIndicators = None,
    mapping: GxMapping = None,
    select: GxSelect = None,
    ignore: GxIgnore = None,
    config: GxConfig = None,
    no_config: NoConfig = False,
) -> None:
    from rich.console import Console
    from rich.text import Text

    from hyoka.interop.gx import export_gx
    from hyoka.output.terminal import clean
    from hyoka.pipeline import options_from

    try:
        options = options_from(
            find_configuration(config, no_config),
            scale=scale,
            rules=rules,
            mapping=mapping,
            indicators=indicators,
            select=split_codes(select),
            ignore=split_codes(ignore),
        )
        done = export_gx(out, options, list(paths or []), name=name)
    except HyokaError as exc:
        fail(str(exc))
    con = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    suite = done.suite
    con.print(
        Text(
            f"{len(suite.suite['expectations'])} expectations for {len(suite.codes)} codes "
            f"({', '.join(suite.codes)}) → {done.suite_path}"
        )
    )
    if done.table_path:
        con.print(Text(f"normalised table → {done.table_path}"))
    con.print(Text(f"{len(suite.unexpressed)} not expressible in GX → {done.unexpressed_path}"))
    for u in suite.unexpressed:
        con.print(clean(f"  {u['code']} ({u['field']}): {u['reason']}"))
    import importlib.util

    if importlib.util.find_spec("great_expectations") is None:  # looked up, not imported
        con.print(
            Text(
                "Great Expectations is not installed here: `pip install 'hyoka[gx]'` to run the suite "
                "(hyoka.interop.gx.validate_with_gx, or your own GX project)."
            )
        )
