"""Reading a file hyoka was given: regular files only.

:func:`open_regular` / :func:`read_regular` are how hyoka opens a file it reads (rule, mapping,
waiver, vocabulary, scale and configuration files), and :func:`check_regular` is asked before a
table's reader runs: a FIFO, a device (``/dev/zero``), a socket or a folder is refused by
:class:`SpecialFileError` before it is opened, since its ``st_size`` of 0 would pass every size
limit and it reads without end (or, for a FIFO, blocks). A symlink to a regular file is followed.
:func:`real` is how a path the user gave is resolved (compared with another, or its folder
found): a symlink loop there is an OSError (ELOOP) that says "cannot read", not the RuntimeError
``Path.resolve()`` raises for it before Python 3.13.
(The list of files a check reads, which no output may replace, is hyoka.inputs.)
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from hyoka.errors import Message, msg


class SpecialFileError(OSError):
    """``path`` is not a regular file (a folder, FIFO, device or socket). ``message``: the
    reason, said in the user's language (``is a device, not a regular file …``)."""

    def __init__(self, path: Path | str, kind: str) -> None:
        self.message: Message = msg("not_regular_file", kind=msg(f"file_kind.{kind}"))
        super().__init__(f"{path}: {self.message}")


def real(path: Path | str) -> Path:
    """``path`` made absolute with its symlinks and ``..`` resolved (``Path.resolve()``, not
    strict: a path that does not exist yet resolves as far as it can). Raises OSError with errno
    ELOOP (``Too many levels of symbolic links``) naming ``path`` when a symlink on it leads back
    to itself (``ln -s a a``, a → b → a), and the OSError of a folder on it that cannot be looked at."""
    try:
        return Path(path).resolve()
    except RuntimeError:  # Python < 3.13: "Symlink loop from '…'"
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def _kind(mode: int) -> str | None:
    """The kind of a file that is not a regular one (``folder``, ``fifo``, ``device``,
    ``socket``, ``other``), None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "other"


def check_regular(path: Path | str) -> int:
    """The size in bytes of ``path`` when it is a regular file (symlinks followed). Raises
    SpecialFileError when it is not, OSError (FileNotFoundError, PermissionError …) when it
    cannot be looked at. Nothing is opened."""
    st = os.stat(path)
    kind = _kind(st.st_mode)
    if kind is not None:
        raise SpecialFileError(path, kind)
    return st.st_size


def open_regular(path: Path | str) -> BinaryIO:
    """Open ``path`` for reading in binary mode when it is a regular file. The check runs before
    the file is opened (a FIFO would block, a tape device rewind) and again on the open file
    (it may have been replaced in between). Raises SpecialFileError or OSError."""
    check_regular(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise SpecialFileError(path, kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` + 1 of them (a caller refuses a
    file longer than ``limit``: ``len(data) > limit``), however large it claims or grows to be.
    Raises SpecialFileError or OSError."""
    with open_regular(path) as fh:
        return fh.read(limit + 1)
