"""``hyoka inspect FILE``: how a table was read (hyoka.authoring.inspection), and a starter mapping."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail
from hyoka.cli.options import Mapping, OptLang, Table
from hyoka.errors import HyokaError


def inspect(
    path: Annotated[Path, typer.Argument(metavar="FILE")],
    mapping: Mapping = None,
    write_mapping: Annotated[Path | None, typer.Option("--write-mapping", metavar="FILE")] = None,
    lang: OptLang = None,
    table: Table = None,
) -> None:
    from rich.console import Console
    from rich.text import Text

    from hyoka.authoring.inspection import TEXTS, inspect_file, print_inspection, write_starter
    from hyoka.cli.language import current
    from hyoka.normalise.vocabulary import load_vocabulary
    from hyoka.pipeline import apply_mapping

    language = lang.value if lang else current()
    try:
        vocab = load_vocabulary()
        if mapping is not None:
            apply_mapping(vocab, mapping)
        ins = inspect_file(path, vocab, table)
        if write_mapping is not None:
            write_starter(ins, write_mapping, [p for p in (path, mapping) if p is not None], language)
    except (HyokaError, OSError) as exc:
        fail(exc)
    tty = sys.stdout.isatty()
    con = Console(highlight=False, width=None if tty else 200, soft_wrap=not tty)
    print_inspection(ins, con, language)
    if write_mapping is not None:
        con.print(Text(TEXTS[language]["written"].format(path=write_mapping)))
