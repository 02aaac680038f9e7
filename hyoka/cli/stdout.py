"""Standard output that cannot be written (#15): a full disk (``> /dev/full``, ENOSPC), an I/O
error, or stdout closed (``>&-``) is one line on stderr and exit 2, said by
:func:`hyoka.cli.app.main` — not a traceback, not "internal error", and not Python's "Exception
ignored … <stdout>" at exit, which would happen when the text fits the buffer and is only written
by the final flush.

:func:`guard` replaces ``sys.stdout`` with the same stream (the encoding, errors and line
buffering Python chose) over a file descriptor writer that raises :class:`OutputError` for a
failed write. Any writer — typer, rich, ``print``, ``sys.stdout.buffer`` — goes through it, so
the error is known for what it is, where an OSError from deep in rich could be anything. A
closed reader (EPIPE) stays BrokenPipeError: hyoka.cli.app ends that quietly with exit 141, as
``head`` expects.

stdout closed: Python starts with ``sys.stdout = None``. Descriptor 1 is then taken by the null
device opened read-only, so that no file hyoka opens later (a report page) becomes descriptor 1
and receives the output, and every write to it fails (EBADF), said as "closed".
"""

import io
import os
import sys

STDOUT = 1


class OutputError(Exception):
    """Standard output could not be written: ``error`` the OSError, ``closed`` True when stdout
    was closed before hyoka started."""

    def __init__(self, error: OSError, closed: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.closed = closed


class _Writer(io.RawIOBase):
    """The raw writer under the guarded stdout: ``os.write`` on ``fd``."""

    def __init__(self, fd: int, closed: bool) -> None:
        super().__init__()
        self.fd = fd
        self.was_closed = closed

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return not self.was_closed and os.isatty(self.fd)

    def write(self, data) -> int:
        try:
            return os.write(self.fd, data)
        except BrokenPipeError:  # the reader went away: hyoka.cli.app exits 141, quietly
            raise
        except OSError as exc:
            raise OutputError(exc, self.was_closed) from None


def guard() -> None:
    """Put the guarded stream in place of ``sys.stdout`` (module doc). Only for the process's own
    stdout: a caller that has put another stream there (a test capturing the output) keeps it."""
    current = sys.stdout
    if current is None:
        closed = True
        try:
            os.fstat(STDOUT)
            return  # descriptor 1 is open, only Python did not make a stream of it: leave it
        except OSError:
            pass
        try:
            fd = os.open(os.devnull, os.O_RDONLY)
            if fd != STDOUT:
                os.dup2(fd, STDOUT)
                os.close(fd)
        except OSError:
            return
        encoding, errors, line_buffering, unbuffered = "utf-8", "strict", False, False
    elif current is sys.__stdout__ and isinstance(current, io.TextIOWrapper):
        closed = False
        try:
            if current.fileno() != STDOUT:
                return
        except (OSError, ValueError, AttributeError):
            return
        current.flush()
        encoding, errors, line_buffering = current.encoding, current.errors or "strict", current.line_buffering
        unbuffered = isinstance(current.buffer, io.RawIOBase)  # python -u, PYTHONUNBUFFERED
    else:
        return
    raw = _Writer(STDOUT, closed)
    # unbuffered as Python's own stdout was (python -u, PYTHONUNBUFFERED: every write goes out at once)
    layer: io.RawIOBase | io.BufferedWriter = raw if unbuffered else io.BufferedWriter(raw)
    sys.stdout = io.TextIOWrapper(
        layer, encoding=encoding, errors=errors, line_buffering=line_buffering, write_through=unbuffered
    )


def flush() -> None:
    """Write out what the guarded stdout still holds (raises OutputError or BrokenPipeError)."""
    if sys.stdout is not None:
        sys.stdout.flush()


def discard() -> None:
    """After a failed write: point descriptor 1 at the null device, so that what the stream still
    holds goes nowhere at exit instead of failing again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, STDOUT)
        os.close(null)
    except OSError:
        pass


__all__ = ["OutputError", "discard", "flush", "guard"]
