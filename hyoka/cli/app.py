"""The ``hyoka`` command line: the app, its commands in help order, and :func:`main`.

Exit codes: 0 nothing reached ``--fail-on``; 1 findings at or above ``--fail-on``; 2 a usage or
input error (one line on stderr, no traceback), or stdout could not be written (a full disk,
stdout closed: :mod:`~hyoka.cli.stdout`); 130 interrupted (one line, at any moment:
:mod:`~hyoka.cli.interrupt`); 141 stdout's reader went away (quietly). The commands live one job per
module: :mod:`~hyoka.cli.check`, :mod:`~hyoka.cli.inspection`, :mod:`~hyoka.cli.waive`, :mod:`~hyoka.cli.rules`,
:mod:`~hyoka.cli.authoring` (template, init), :mod:`~hyoka.cli.export` (export gx); shared options
in :mod:`~hyoka.cli.options`. The help, usage errors and errors are in the run's language
(:mod:`~hyoka.cli.language`: ``--lang``, hyoka.toml's ``lang``, else the locale), their texts in
``rules/cli.yaml`` and ``rules/errors.yaml`` (:mod:`~hyoka.cli.helptext`).
"""

import errno
import os
import re
import sys
from typing import TYPE_CHECKING

import typer

from hyoka import __version__
from hyoka.cli import authoring, check, export, inspection, interrupt, language, rules, serve, stdout, waive
from hyoka.cli.helptext import HyokaCommand, HyokaGroup
from hyoka.cli.options import OptLang
from hyoka.display import visible
from hyoka.errors import HyokaError, debugging, exception_line, msg, os_reason

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, cls=HyokaGroup)

# commands first, then the groups: the order `hyoka --help` lists them in
app.command("check", cls=HyokaCommand)(check.check)
app.command("inspect", cls=HyokaCommand)(inspection.inspect)
app.command("waive", cls=HyokaCommand)(waive.waive)
# `hyoka rule CODE`: the earlier spelling of `hyoka rules explain CODE`, kept working for the
# scripts and notes that use it, but not listed (one command per action)
app.command("rule", cls=HyokaCommand, hidden=True)(rules.rule)
app.command("template", cls=HyokaCommand)(authoring.template)
app.command("init", cls=HyokaCommand)(authoring.init)
app.command("serve", cls=HyokaCommand)(serve.serve)
app.add_typer(rules.rules_app, name="rules")
app.add_typer(export.export_app, name="export")


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version"), lang: OptLang = None) -> None:
    """``--lang`` here is the language of the command line only (hyoka.cli.language reads it
    before parsing): ``hyoka --lang en --help``."""
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)


def usage_message(text: str, lang: str) -> str:
    """click's usage error ``text`` in ``lang``: English as click says it, Japanese through the
    patterns of rules/cli.yaml (a part no pattern matches stays English)."""
    text = " ".join(text.split())
    if lang == "en":
        return text
    for rule in language.texts()["usage_errors"]:
        text = re.sub(rule["en"], rule["ja"], text)
    return text


def main() -> None:
    """Run the CLI and exit. Usage mistakes (an unknown option, a bad value, a missing argument)
    are one line on stderr with exit 2, like every other error; ``--help`` and ``--version``
    exit 0; an unexpected exception is one line too (``HYOKA_DEBUG=1`` shows the traceback).
    Everything is said in the language :func:`hyoka.cli.language.detect` finds, with control
    characters shown as escapes (:func:`hyoka.display.visible`).

    Ctrl-C at any moment: one line and exit 130 (:mod:`hyoka.cli.interrupt`). A reader that
    closes the pipe early (``hyoka check … --format json | head``): nothing more is written or
    said, exit 141 — what a shell reports for a command ended by SIGPIPE (128 + 13), as ``cat``
    or ``grep`` end in the same pipe — after pointing stdout at the null device, as Python's
    documentation recommends, so that the final flush cannot fail (typer's own handler would
    exit 1, which reads as "findings at or above --fail-on").

    stdout that cannot be written (``> /dev/full``, ``>&-``): one line and exit 2
    (:func:`_output_failed`); what is left in its buffer is written before the exit, here, so
    that a failure is said even when the output fitted the buffer."""
    interrupt.running()
    stdout.guard()
    try:
        try:
            _main()
        finally:
            try:
                stdout.flush()
            finally:
                interrupt.finished()  # a Ctrl-C from here on is too late to stop anything
    except KeyboardInterrupt:
        interrupt.say_and_exit()
    except BrokenPipeError:
        _pipe_closed()
    except stdout.OutputError as exc:
        _output_failed(exc)
    except SystemExit as exc:
        if _broken_pipe(exc.__context__):  # typer's handler: sys.exit(1) while handling EPIPE
            _pipe_closed()
        raise


def _broken_pipe(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


def _pipe_closed() -> None:
    """stdout's reader is gone: point stdout at the null device and exit 141, silently."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.__stdout__.fileno() if sys.__stdout__ is not None else 1)
    except (OSError, ValueError):
        pass
    sys.exit(128 + 13)  # SIGPIPE


def _output_failed(exc: stdout.OutputError) -> None:
    """stdout could not be written: one line on stderr in the run's language, exit 2."""
    stdout.discard()
    lang = language.detect(sys.argv[1:])
    reason = msg("stdout_closed") if exc.closed else os_reason(exc.error)
    text = language.word("error", lang) + msg("stdout_unwritable", reason=reason).say(lang)
    try:
        print(visible(text, one_line=True), file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # stderr gone too
        pass
    sys.exit(2)


def _main() -> None:
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

    lang = language.detect(sys.argv[1:])
    language.use(lang)

    def say(text: str) -> None:  # an error line: one line, control characters visible
        print(language.word("error", lang) + visible(" ".join(text.split()), one_line=True), file=sys.stderr)

    try:
        code = typer.main.get_command(app)(standalone_mode=False)
    except (SystemExit, stdout.OutputError):
        raise
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `hyoka`: the help, as before
            if exc.ctx is not None:
                print(exc.ctx.get_help(), file=sys.stderr)
            sys.exit(2)
        where = language.word("see_help", lang, command=exc.ctx.command_path) if exc.ctx else ""
        say(usage_message(exc.format_message(), lang) + where)
        sys.exit(2)
    except Abort:  # Ctrl-C or end of input at a prompt
        interrupt.say_and_exit()
    except ClickException as exc:
        say(usage_message(exc.format_message(), lang))
        sys.exit(exc.exit_code if exc.exit_code else 2)
    except HyokaError as exc:
        say(exc.say(lang))
        sys.exit(2)
    except MemoryError:  # not while one file was read (hyoka.errors.reading says which file then)
        if debugging():
            raise
        say(msg("out_of_memory").say(lang))
        sys.exit(2)
    except Exception as exc:  # never a traceback for the user; HYOKA_DEBUG=1 shows it
        if debugging() or _broken_pipe(exc):
            raise
        text = language.word("internal_error", lang, error=exception_line(exc))
        print(visible(text, one_line=True), file=sys.stderr)
        sys.exit(2)
    if interrupt.received:  # typer turns a KeyboardInterrupt into exit 130, silently
        interrupt.say_and_exit()
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
