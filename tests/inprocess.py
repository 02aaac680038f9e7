"""The hyoka command run inside the test process, as ``python -m hyoka.cli ARGS`` would run it.

A subprocess pays ~1 s of interpreter start and imports (pandas, pandera, openpyxl …) on every
call; a test that is about what the command does — its output, exit code, files — does not need
that. ``run_cli(*args)`` runs ``hyoka.cli`` as ``__main__`` (``runpy``, so click names the program
``python -m hyoka.cli`` as it does for ``-m``) and returns a ``subprocess.CompletedProcess`` with
the same ``returncode``, ``stdout`` and ``stderr`` (str with ``text=True``, else bytes) a
subprocess would give. What a child process would start with, the run starts with too:

- stdout and stderr are fresh non-tty streams with the encoding and error handlers the child's
  would have (so rich and click see a pipe, and ``sys.stdout.buffer`` takes raw bytes); stdin is
  empty (end of input, as /dev/null);
- ``sys.argv``, the working directory and ``os.environ`` (``env=``) are set for the run and
  restored after;
- Python's default warning filters, warnings printed to the run's stderr (not pytest's record);
  the root logger without pytest's handlers, so ``logging.lastResort`` prints to stderr as in a
  fresh process;
- hyoka's ``functools`` caches that take arguments (keyed by a path, whose file a test may have
  rewritten) are cleared before the run;
- ``SystemExit`` gives the exit code as the interpreter would (None → 0, a message → printed, 1);
  any other exception a traceback on stderr and exit code 1.

Tests where the process boundary is the point — start-up, what gets imported, environment,
locale, the real entry point's exit code — keep ``subprocess`` (see ``run_subprocess``).
"""

from __future__ import annotations

import contextlib
import inspect
import io
import locale
import logging
import os
import runpy
import signal
import subprocess
import sys
import threading
import traceback
import warnings
from pathlib import Path

ARGV0 = "hyoka"
_LOCK = threading.Lock()  # sys.stdout, cwd and environ are process-wide: one run at a time


def _stream(like, default_errors: str) -> tuple[io.BytesIO, io.TextIOWrapper]:
    raw = io.BytesIO()
    encoding = getattr(like, "encoding", None) or "utf-8"
    errors = getattr(like, "errors", None) or default_errors
    return raw, io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="\n", write_through=True)


def _clear_hyoka_caches() -> None:
    for name, module in list(sys.modules.items()):
        if not (name == "hyoka" or name.startswith("hyoka.")) or module is None:
            continue
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and getattr(obj, "__module__", None) == name:
                try:
                    takes_args = bool(inspect.signature(obj.__wrapped__).parameters)
                except (AttributeError, TypeError, ValueError):
                    takes_args = True
                if takes_args:
                    obj.cache_clear()


def _show_warning(message, category, filename, lineno, file=None, line=None):
    try:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
    except OSError:
        pass


@contextlib.contextmanager
def _default_warnings():
    """The filters a fresh interpreter starts with (plus PYTHONWARNINGS), printing to sys.stderr."""
    with warnings.catch_warnings():
        warnings.resetwarnings()
        for action, category in (
            ("ignore", ResourceWarning),
            ("ignore", ImportWarning),
            ("ignore", PendingDeprecationWarning),
            ("ignore", DeprecationWarning),
        ):
            warnings.filterwarnings(action, category=category)
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
        for spec in filter(None, os.environ.get("PYTHONWARNINGS", "").split(",")):
            try:
                warnings._setoption(spec)  # what the interpreter does with PYTHONWARNINGS
            except Exception:
                pass
        warnings.showwarning = _show_warning
        yield


@contextlib.contextmanager
def _fresh_root_logger():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers = []
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.handlers = handlers
        root.setLevel(level)


@contextlib.contextmanager
def _environ(env: dict | None):
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _exit_code(exc: SystemExit, stderr) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=stderr)
    return 1


def _decode(data: bytes, encoding: str | None, errors: str | None) -> str:
    """As subprocess does for text=True: decode, then universal newlines."""
    text = data.decode(encoding or locale.getpreferredencoding(False), errors or "strict")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run_cli(
    *args,
    cwd: str | Path | None = None,
    text: bool = False,
    encoding: str | None = None,
    errors: str | None = None,
    env: dict | None = None,
    input: str | bytes | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """``python -m hyoka.cli *args`` in this process; the result a ``subprocess.run(...,
    capture_output=True)`` would give. ``timeout`` is accepted for the callers' sake and not
    enforced (a hang would show as a hung test)."""
    argv = [str(a) for a in args]
    text = text or encoding is not None or errors is not None
    out_raw, out = _stream(sys.__stdout__, "strict")
    err_raw, err = _stream(sys.__stderr__, "backslashreplace")
    if isinstance(input, str):
        input = input.encode(out.encoding)
    stdin = io.TextIOWrapper(io.BytesIO(input or b""), encoding=out.encoding, errors=out.errors)
    with _LOCK:
        saved_argv, saved_cwd = sys.argv, os.getcwd()
        saved_streams = sys.stdin, sys.stdout, sys.stderr
        # main() ignores Ctrl-C once the run is over (hyoka.cli.interrupt.finished): a process
        # ends there, this one goes on
        saved_sigint = signal.getsignal(signal.SIGINT)
        try:
            with _environ(env), _default_warnings(), _fresh_root_logger():
                if cwd is not None:
                    os.chdir(cwd)
                _clear_hyoka_caches()
                sys.argv = [ARGV0, *argv]
                sys.stdin, sys.stdout, sys.stderr = stdin, out, err
                try:
                    runpy.run_module("hyoka.cli", run_name="__main__", alter_sys=True)
                    code = 0
                except SystemExit as exc:
                    code = _exit_code(exc, err)
                except KeyboardInterrupt:
                    raise
                except BaseException:  # an uncaught exception: traceback and exit 1, as python does
                    traceback.print_exc(file=err)
                    code = 1
                finally:
                    for s in (out, err):
                        with contextlib.suppress(Exception):
                            s.flush()
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            sys.argv = saved_argv
            if saved_sigint is not None and threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, saved_sigint)
            os.chdir(saved_cwd)
    stdout, stderr = out_raw.getvalue(), err_raw.getvalue()
    if text:
        stdout, stderr = _decode(stdout, encoding, errors), _decode(stderr, encoding, errors)
    return subprocess.CompletedProcess([sys.executable, "-m", "hyoka.cli", *argv], code, stdout, stderr)


def run_subprocess(
    *args, cwd: str | Path | None = None, text: bool = False, timeout: float = 180, **kwargs
) -> subprocess.CompletedProcess:
    """The real thing: ``python -m hyoka.cli *args`` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "hyoka.cli", *map(str, args)],
        capture_output=True,
        text=text,
        cwd=cwd,
        timeout=timeout,
        **kwargs,
    )


# --- isolated runs: a process of its own, without the interpreter start -----------------------------

#: modules the fork server imports once, so that each forked run starts with hyoka loaded
PRELOAD = [
    "tests.inprocess",
    "hyoka.cli.app",
    "hyoka.pipeline",
    "hyoka.read.xlsx",
    "hyoka.output.report",
    "hyoka.output.formats",
    "hyoka.output.annotate",
    "hyoka.output.terminal",
    "hyoka.waivers.waive",
]


def _isolated_child(conn, args, cwd, env, memory_limit, nice):
    try:
        if memory_limit and sys.platform.startswith("linux"):
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        if nice:
            os.nice(nice)
        r = run_cli(*args, cwd=cwd, env=env)
        conn.send((r.returncode, r.stdout, r.stderr))
    except BaseException:
        conn.send((1, b"", traceback.format_exc().encode("utf-8", "backslashreplace")))
    finally:
        conn.close()


def run_cli_isolated(
    *args,
    cwd: str | Path | None = None,
    env: dict | None = None,
    timeout: float = 60,
    memory_limit: int | None = None,
    nice: int = 0,
) -> subprocess.CompletedProcess:
    """``run_cli`` in a child process forked from a server that has hyoka imported: a hostile input
    can hang (the child is killed at ``timeout``: ``subprocess.TimeoutExpired``) or exhaust its
    memory (``memory_limit`` bytes of address space) without touching the test process, and no run
    pays the ~1 s of interpreter start and imports. Output is bytes, as ``run_cli``'s; a killed
    child's output is lost. The child's returncode is the exit code, or −signal if it died.
    (multiprocessing re-imports the caller's main module in the server: pytest's is safe; a script
    needs the ``if __name__ == "__main__":`` guard.)"""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    receive, send = ctx.Pipe(duplex=False)
    argv = [str(a) for a in args]
    p = ctx.Process(
        target=_isolated_child, args=(send, argv, str(cwd) if cwd else None, env, memory_limit, nice), daemon=True
    )
    p.start()
    send.close()
    try:
        if not receive.poll(timeout):
            p.kill()
            p.join()
            raise subprocess.TimeoutExpired([sys.executable, "-m", "hyoka.cli", *argv], timeout, b"", b"")
        try:
            code, out, err = receive.recv()
        except EOFError:  # died without a word (a signal, the memory limit in C code)
            p.join()
            code, out, err = p.exitcode, b"", b""
        p.join()
    finally:
        receive.close()
    return subprocess.CompletedProcess([sys.executable, "-m", "hyoka.cli", *argv], code, out, err)
