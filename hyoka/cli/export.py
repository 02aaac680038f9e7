"""``hyoka export gx``: hyoka's checks as a Great Expectations suite."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail, find_configuration, split_codes
from hyoka.cli.helptext import HyokaCommand, HyokaGroup
from hyoka.cli.options import Config, Ignore, Indicators, Mapping, NoConfig, Rules, Scale, Select
from hyoka.errors import HyokaError

export_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, cls=HyokaGroup)


@export_app.command("gx", cls=HyokaCommand)
def gx(
    out: Annotated[Path, typer.Option("--out", metavar="DIR")],
    paths: Annotated[list[Path] | None, typer.Argument(metavar="FILE")] = None,
    name: Annotated[str, typer.Option("--name", metavar="NAME")] = "hyoka",
    rules: Rules = None,
    scale: Scale = None,
    indicators: Indicators = None,
    mapping: Mapping = None,
    select: Select = None,
    ignore: Ignore = None,
    config: Config = None,
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
        fail(exc)
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
