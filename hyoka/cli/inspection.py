"""``hyoka inspect FILE``: how a table was read (hyoka.authoring.inspection), and a starter mapping."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail
from hyoka.cli.options import Lang, Mapping, OptLang, reworded
from hyoka.errors import HyokaError

HELP = (
    "Show how a table is read: the header row(s), the field each column became (or why not), indicator "
    "blocks, the rows left out and why, the grades and the scale that fits them, and how the first rows' "
    "values were parsed. Exit 0; 2 when the file cannot be read."
)
InspectLang = Annotated[Lang, reworded(OptLang, "Language of the output (default ja).")]
InspectMapping = Annotated[
    Path | None, reworded(Mapping, "A mapping file to read the table with (YAML, docs/mapping.md).")
]


def inspect(
    path: Annotated[Path, typer.Argument(help="The CSV, .xlsx, .xls or .ods file.")],
    mapping: InspectMapping = None,
    write_mapping: Annotated[
        Path | None,
        typer.Option(
            "--write-mapping",
            metavar="<out.yaml>",
            help="Write a starter mapping: every header not read, with a field to fill in (docs/mapping.md).",
        ),
    ] = None,
    lang: InspectLang = Lang.ja,
) -> None:
    from rich.console import Console
    from rich.text import Text

    from hyoka.authoring.inspection import TEXTS, inspect_file, print_inspection, write_starter
    from hyoka.normalise.vocabulary import load_vocabulary
    from hyoka.pipeline import apply_mapping

    try:
        vocab = load_vocabulary()
        if mapping is not None:
            apply_mapping(vocab, mapping)
        ins = inspect_file(path, vocab)
        if write_mapping is not None:
            write_starter(ins, write_mapping, [p for p in (path, mapping) if p is not None], lang.value)
    except (HyokaError, OSError) as exc:
        fail(str(exc))
    tty = sys.stdout.isatty()
    con = Console(highlight=False, width=None if tty else 200, soft_wrap=not tty)
    print_inspection(ins, con, lang.value)
    if write_mapping is not None:
        con.print(Text(TEXTS[lang.value]["written"].format(path=write_mapping)))
