"""``hyoka rules`` (list), ``hyoka rules explain CODE``, ``hyoka rules docs``, and ``hyoka rule
CODE``, the hidden earlier spelling of ``rules explain``."""

import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail
from hyoka.cli.helptext import HyokaCommand, HyokaGroup
from hyoka.cli.options import OptLang, Rules
from hyoka.errors import HyokaError, msg

rules_app = typer.Typer(no_args_is_help=False, rich_markup_mode=None, cls=HyokaGroup)


def _lang(lang) -> str:
    """--lang, else the run's language (hyoka.cli.language: the configuration's, the locale's)."""
    from hyoka.cli.language import current

    return lang.value if lang else current()


@rules_app.callback(invoke_without_command=True)
def rules_list(ctx: typer.Context, lang: OptLang = None, rules: Rules = None) -> None:
    """List the rules in code order: code, severity, title and name, headed in the run's language."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from hyoka.check import registry
    from hyoka.check.rules import load_catalog
    from hyoka.cli.language import word
    from hyoka.output.terminal import SEV_STYLE, clean

    language = _lang(lang)
    try:
        catalog = load_catalog(rules)
    except HyokaError as exc:
        fail(exc)
    table = Table()
    for col in ("code", "severity", "title", "name"):
        table.add_column(word(col, language))
    # a --rules catalog lists its own rules; the bundled one every code hyoka reports
    codes = registry.rule_codes(catalog) if rules is not None else registry.all_codes(catalog)
    for code in sorted(codes):
        c = codes[code]
        table.add_row(
            c.code,
            Text(word(f"sev_{c.severity}", language), style=SEV_STYLE[c.severity]),
            clean(c.text("title", language)),
            c.name,
        )
    # piped output is not cut to 80 columns: titles are read by scripts and people alike
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)


def explain(code: str, lang: str, rules: Path | None) -> None:
    """Print the page for ``code`` (a rule of the catalog ``rules``, an edition code or another
    finding code) for the terminal: headings, the example rows as tables, no Markdown markup
    (rich renders the page hyoka.authoring.docs writes); exit 2 when no code has that name."""
    from rich.console import Console
    from rich.markdown import Markdown

    from hyoka.authoring.docs import page as code_page
    from hyoka.check.rules import load_catalog

    try:
        page = code_page(code.upper(), lang, load_catalog(rules))
        if page is None:
            raise HyokaError(msg("no_rule", code=code))
    except HyokaError as exc:
        fail(exc)
    markdown = Markdown(page, hyperlinks=False)
    if sys.stdout.isatty():
        Console(highlight=False).print(markdown)
        return
    # piped: 120 columns, no colour, no padding at the line ends
    buf = io.StringIO()
    Console(file=buf, highlight=False, no_color=True, width=120).print(markdown)
    sys.stdout.write("\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n")


@rules_app.command("explain", cls=HyokaCommand)
def rules_explain(
    code: Annotated[str, typer.Argument(metavar="CODE")], lang: OptLang = None, rules: Rules = None
) -> None:
    """Explain one rule: what it checks, the condition, an example and its finding, how to fix."""
    explain(code, _lang(lang), rules)


@rules_app.command("docs", cls=HyokaCommand)
def rules_docs(
    out: Annotated[Path, typer.Option("--out", metavar="DIR")] = Path("docs/rules"),
    rules: Rules = None,
) -> None:
    """Write one Markdown page per rule (Japanese and English) and an index."""
    from hyoka.authoring.docs import write_docs
    from hyoka.check.rules import load_catalog
    from hyoka.cli.language import word

    try:
        written = write_docs(out, load_catalog(rules))
    except (HyokaError, OSError) as exc:
        fail(exc)
    typer.echo(word("docs_written", n=len(written), out=out))


def rule(code: Annotated[str, typer.Argument(metavar="CODE")], lang: OptLang = None) -> None:
    """``hyoka rule CODE``: ``hyoka rules explain CODE`` (hidden)."""
    explain(code, _lang(lang), None)
