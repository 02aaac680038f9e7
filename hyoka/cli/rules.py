"""``hyoka rules`` (list), ``hyoka rules explain CODE``, ``hyoka rules docs`` and ``hyoka rule CODE``."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail
from hyoka.cli.options import Lang, Rules, reworded
from hyoka.errors import HyokaError

#: --lang of the rules commands: a language, ja unless given (no configuration is read)
RulesLang = Annotated[Lang, typer.Option("--lang")]
CatalogOf = Annotated[Path | None, reworded(Rules, "Rule catalog (default: bundled).")]
#: --rules of `hyoka rules` (the list)
ListRules = Annotated[Path | None, reworded(Rules, "Rule catalog to list instead of the bundled one.")]


rules_app = typer.Typer(
    no_args_is_help=False, rich_markup_mode=None, help="The rules: list them, explain one, write their documentation."
)


@rules_app.callback(invoke_without_command=True)
def rules_list(
    ctx: typer.Context,
    lang: RulesLang = Lang.ja,
    rules: ListRules = None,
) -> None:
    """List the rules: code, severity and title (`hyoka rules explain CODE` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from hyoka.check import registry
    from hyoka.check.rules import load_catalog
    from hyoka.output.terminal import SEV_STYLE, clean

    try:
        catalog = load_catalog(rules)
    except HyokaError as exc:
        fail(str(exc))
    table = Table()
    for col in ("code", "severity", "title", "name"):
        table.add_column(col)
    # a --rules catalog lists its own rules; the bundled one every code hyoka reports
    codes = registry.rule_codes(catalog) if rules is not None else registry.all_codes(catalog)
    for c in codes.values():
        table.add_row(c.code, Text(c.severity, style=SEV_STYLE[c.severity]), clean(c.text("title", lang.value)), c.name)
    # piped output is not cut to 80 columns: titles are read by scripts and people alike
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)


def explain(code: str, lang: Lang, rules: Path | None) -> None:
    """Write the page for ``code`` (a rule of the catalog ``rules``, an edition code or another
    finding code) to stdout; exit 2 when no code has that name."""
    from hyoka.authoring.docs import page as code_page
    from hyoka.check.rules import load_catalog

    try:
        page = code_page(code.upper(), lang.value, load_catalog(rules))
        if page is None:
            fail(f"no rule {code!r}; `hyoka rules` lists them")
    except HyokaError as exc:
        fail(str(exc))
    sys.stdout.write(page)


@rules_app.command("explain")
def rules_explain(code: str, lang: RulesLang = Lang.ja, rules: CatalogOf = None) -> None:
    """Explain one rule: what it checks, why, the condition, an example and its finding, how to fix."""
    explain(code, lang, rules)


@rules_app.command("docs")
def rules_docs(
    out: Annotated[Path, typer.Option("--out", help="Folder for the pages.")] = Path("docs/rules"),
    rules: CatalogOf = None,
) -> None:
    """Write one Markdown page per rule (Japanese and English) and an index."""
    from hyoka.authoring.docs import write_docs
    from hyoka.check.rules import load_catalog

    try:
        written = write_docs(out, load_catalog(rules))
    except (HyokaError, OSError) as exc:
        fail(str(exc))
    typer.echo(f"{len(written)} files → {out}")


RULE_HELP = "Explain one rule (the same as `hyoka rules explain CODE`)."


def rule(code: str, lang: RulesLang = Lang.ja) -> None:
    explain(code, lang, None)
