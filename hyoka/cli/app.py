"""The ``hyoka`` command line: the app, its commands in help order, and :func:`main`.

Exit codes: 0 nothing reached ``--fail-on``; 1 findings at or above ``--fail-on``; 2 a usage or
input error (one line on stderr, no traceback); 130 interrupted. The commands live one job per
module: :mod:`~hyoka.cli.check`, :mod:`~hyoka.cli.inspection`, :mod:`~hyoka.cli.waive`, :mod:`~hyoka.cli.rules`,
:mod:`~hyoka.cli.authoring` (template, init), :mod:`~hyoka.cli.export` (export gx); shared options
in :mod:`~hyoka.cli.options`.
"""

import os
import sys
from typing import TYPE_CHECKING

import typer

from hyoka import __version__
from hyoka.cli import authoring, check, export, inspection, rules, waive
from hyoka.cli.common import EXIT_HELP
from hyoka.errors import HyokaError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="hyoka: consistency checks for evaluation tables (baseline / target / current, grades).\n\n" + EXIT_HELP,
)

# commands first, then the groups: the order `hyoka --help` lists them in
app.command("check", help=check.HELP)(check.check)
app.command("inspect", help=inspection.HELP)(inspection.inspect)
app.command("waive", help=waive.HELP)(waive.waive)
app.command("rule", help=rules.RULE_HELP)(rules.rule)
app.command("template", help=authoring.TEMPLATE_HELP)(authoring.template)
app.command("init", help=authoring.INIT_HELP)(authoring.init)
app.add_typer(rules.rules_app, name="rules")
app.add_typer(export.export_app, name="export")


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Print the version.")) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)


def main() -> None:
    """Run the CLI and exit. Usage mistakes (an unknown option, a bad value, a missing argument)
    are one line on stderr with exit 2, like every other error; ``--help`` and ``--version``
    exit 0; an unexpected exception is one line too (``HYOKA_DEBUG=1`` shows the traceback)."""
    # recent Typer carries its own copy of click's exceptions; older ones use click's (the same
    # classes, a different module): type-checked against the installed Typer's
    if TYPE_CHECKING:
        from typer._click.exceptions import ClickException, UsageError
    else:
        try:
            from typer._click.exceptions import ClickException, UsageError
        except ImportError:
            from click.exceptions import ClickException, UsageError
    Abort = getattr(typer, "Abort", KeyboardInterrupt)

    try:
        code = app(standalone_mode=False)
    except SystemExit:
        raise
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `hyoka`: the help, as before
            exc.show()
            sys.exit(2)
        where = f" (`{exc.ctx.command_path} --help` lists the options)" if exc.ctx else ""
        print("hyoka: error: " + " ".join(exc.format_message().split()) + where, file=sys.stderr)
        sys.exit(2)
    except Abort:  # Ctrl-C or end of input at a prompt
        print("hyoka: interrupted", file=sys.stderr)
        sys.exit(130)
    except ClickException as exc:
        print("hyoka: error: " + " ".join(exc.format_message().split()), file=sys.stderr)
        sys.exit(exc.exit_code if exc.exit_code else 2)
    except HyokaError as exc:
        print("hyoka: error: " + " ".join(str(exc).split()), file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # never a traceback for the user; HYOKA_DEBUG=1 shows it
        if os.environ.get("HYOKA_DEBUG"):
            raise
        print(
            f"hyoka: internal error: {type(exc).__name__}: {exc} (HYOKA_DEBUG=1 shows the traceback)", file=sys.stderr
        )
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
