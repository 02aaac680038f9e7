"""Ctrl-C: one line (``hyoka: 中断しました`` / ``hyoka: interrupted``) and exit 130, at any moment
of a run, never a traceback (#15).

The handler is installed by ``hyoka/cli/__init__.py`` before anything else is imported (this
module imports only modules that are loaded when Python starts). While the command line is still
loading (:func:`loading` … :func:`loaded`), a Ctrl-C is only noted: the imports finish (a
fraction of a second), then the line is said and the process exits 130 — a KeyboardInterrupt
raised in the middle of an import would leave half-made modules and print a traceback. Once
loaded, a Ctrl-C raises KeyboardInterrupt as Python's own handler does, so ``finally`` blocks run
(the atomic writes remove their temporary files) and :func:`hyoka.cli.app.main` says the line;
:data:`received` tells it a KeyboardInterrupt came from a Ctrl-C even where typer turned it into
``Exit(130)``. A second Ctrl-C ends the process at once (exit 130).

Before Python runs hyoka's first line (the interpreter's own start-up, site-packages' ``.pth``
files) Python's default applies.
"""

import os
import sys

try:  # the C module: signal.py would import enum first, a few milliseconds without the handler
    import _signal as signal
except ImportError:  # pragma: no cover - another Python implementation
    import signal

received = False  #: a Ctrl-C (SIGINT) came during this run
_loading = False
_running = False  #: hyoka.cli.app.main is running (not only hyoka.cli imported, as tests do)


def _handler(signum, frame) -> None:
    global received
    if received and (_loading or _running):  # the second Ctrl-C: no more waiting for clean-up
        os._exit(130)
    received = True
    if not _loading:
        raise KeyboardInterrupt


def running() -> None:
    """:func:`hyoka.cli.app.main` starts: a Ctrl-C from now on belongs to this run."""
    global received, _running
    received, _running = False, True


def finished() -> None:
    """The run is over: its output written, its exit code decided. A Ctrl-C from now on is
    ignored (SIG_IGN), and the process ends with that code. Python gives SIGINT back its default
    action when it finalizes (for a handler of its own, not for an ignored signal), and
    finalizing takes tens of milliseconds (freeing pandas and numpy): a Ctrl-C in them killed the
    process, exit −2 and nothing said, after a complete run. In the main thread only."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass


#: the line when rules/cli.yaml cannot be read, in the run's language when that is known
_FALLBACK = {"ja": "hyoka: 中断しました", "en": "hyoka: interrupted"}


def say_and_exit() -> None:
    """Say the interrupted line on stderr in the run's language and exit 130 (SystemExit)."""
    lang = None
    try:
        from hyoka.cli import language

        lang = language.detect(sys.argv[1:])
        text = language.word("interrupted", lang)
    except Exception:  # the texts cannot be read (an import the Ctrl-C cut short): the line still ends the run
        text = _FALLBACK.get(lang or "", "hyoka: 中断しました / interrupted")
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed
        pass
    sys.exit(130)


def loading() -> None:
    """The command line starts loading: install the handler; a Ctrl-C is noted, not raised. In
    the main thread only (signals are delivered there; elsewhere nothing is changed)."""
    global _loading
    try:
        signal.signal(signal.SIGINT, _handler)
    except ValueError:  # not the main thread (hyoka.cli imported by a worker): leave signals alone
        return
    _loading = True


def loaded() -> None:
    """The command line has loaded: a Ctrl-C raises KeyboardInterrupt from now on; one that came
    while loading is said now (exit 130)."""
    global _loading
    _loading = False
    if received:
        say_and_exit()
