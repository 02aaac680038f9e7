"""Every file a check reads: regular files only, and no output replaces one.

:func:`open_regular` / :func:`read_regular` are how hyoka opens a file it reads (tables before
their reader runs, rule, mapping, waiver, vocabulary, scale and configuration files): a FIFO, a
device (``/dev/zero``), a socket or a folder is refused before it is opened, by
:class:`SpecialFileError`, since its ``st_size`` of 0 would pass every size limit and it reads
without end (or, for a FIFO, blocks). A symlink to a regular file is followed.

:func:`refuse_inputs` and :func:`check_output_file` raise HyokaError naming the option
(``--output``, ``--annotate``, a report file) and the input.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from hyoka.errors import HyokaError, Message, msg

if TYPE_CHECKING:  # (at run time: only attributes are read; hyoka.resources imports this module)
    from hyoka.options import CheckOptions
    from hyoka.read.raw import RawTable


class SpecialFileError(OSError):
    """``path`` is not a regular file (a folder, FIFO, device or socket). ``message``: the
    reason, said in the user's language (``is a device, not a regular file …``)."""

    def __init__(self, path: Path | str, kind: str) -> None:
        self.message: Message = msg("not_regular_file", kind=msg(f"file_kind.{kind}"))
        super().__init__(f"{path}: {self.message}")


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


def input_paths(options: CheckOptions, tables: list[RawTable] | None = None) -> list[Path]:
    """Every file a check reads: the tables, last year's tables, and the waiver, mapping,
    indicator, department, vocabulary, rule, scale and configuration files. No output may be written to one."""
    named: list[Path | str | None] = [
        options.waivers,
        options.mapping,
        options.indicators,
        options.departments_file,
        options.rules,
        options.config_file,
        options.vocabulary if isinstance(options.vocabulary, (str, Path)) else None,
        *(options.previous or []),
    ]
    if options.scale and Path(options.scale).is_file():
        named.append(options.scale)
    return [Path(t.path) for t in tables or [] if t.path] + [Path(p) for p in named if p]


def refuse_inputs(target: Path, options: CheckOptions, tables: list[RawTable], what: str) -> None:
    """Raise HyokaError when ``target`` (an output about to be written) is one of the inputs."""
    try:
        resolved = Path(target).resolve()
    except OSError:
        return
    for p in input_paths(options, tables):
        try:
            if p.resolve() == resolved:
                raise HyokaError(msg("output_is_input", what=what, target=target, input=p))
        except OSError:
            continue


def check_output_file(target: Path, options: CheckOptions, tables: list[RawTable], what: str = "--output") -> None:
    """An output file (``--output``) must not be an input (tables, waivers, …) and its folder
    must exist. Raises HyokaError naming ``what``."""
    refuse_inputs(target, options, tables, what)
    if target.is_dir():
        raise HyokaError(msg("output_is_folder", what=what, target=target))
    if not target.parent.is_dir():
        raise HyokaError(msg("output_no_folder", what=what, target=target, folder=target.parent))
