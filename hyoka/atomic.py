"""Writing outputs so that an interrupted run never leaves a half-written file, and so that a
special file named as the output is written into, never replaced.

``replacing(path)`` yields a temporary path; when the block ends without an error the bytes
written there reach ``path`` in one of three ways (:func:`destination` decides):

- a **regular file**, or a name that does not exist yet: the temporary file, made in the
  target's folder, gets the mode a plain ``open()`` would give (0666 less the umask — mkstemp's
  0600 would make shared reports private) and is renamed over it, so a reader sees the old file
  or the new one, never half of one;
- a **symbolic link** to a regular file (or to a name that does not exist yet): the file it points
  to is replaced as above, and the link stays a link (``--output latest.json`` linking to
  ``2026/12.json`` updates ``2026/12.json``);
- a **special file** — a character device (``/dev/null``, a terminal), a FIFO, a socket, or a
  link to one — or a standard stream (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``,
  ``/proc/self/fd/N``, or a link to one, whatever it leads to: a pipe, a terminal, a file the
  shell opened): the bytes are written into it, as a shell's ``>`` would (a stream through the
  process's own descriptor N, so that nothing printed before or after is overwritten), and the
  temporary file is made in the system's temporary folder. Renaming over these would, for root
  (a CI container), turn ``/dev/null`` into a regular file or replace the ``/dev/stdout`` link.

``follow=False`` (the report folder's own files: nothing is written outside it) skips all this:
the temporary file is renamed over ``path`` itself, whatever it is.

With ``overwrite=False`` the new file is linked into place instead, which refuses a file that
exists (even one created meanwhile; a special file too). Raises FileExistsError in that case; the
temporary file is always removed.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: the process's own descriptors by name (written through the descriptor itself)
_STREAM = re.compile(r"^/(?:dev/(?P<name>stdin|stdout|stderr)|dev/fd/(?P<n>\d+)|proc/self/fd/(?P<m>\d+))$")
_NAMED = {"stdin": 0, "stdout": 1, "stderr": 2}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _hops(path: Path) -> Iterator[str]:
    """``path`` (made absolute, not resolved) and each name its chain of symbolic links leads to
    (at most 40 hops, as the kernel allows)."""
    current = os.path.abspath(path)
    for _ in range(40):
        yield current
        try:
            link = os.readlink(current)
        except OSError:  # not a link, or does not exist
            return
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))


def destination(path: Path | str) -> tuple[Path, bool]:
    """Where :func:`replacing` puts the bytes for ``path``: (the file, whether to write into it in
    place). In place for a special file or a standard stream (or a link to one); else the regular
    file the path names, a symbolic link followed to its target."""
    path = Path(path)
    for hop in _hops(path):
        if _STREAM.match(hop):
            return Path(hop), True
    try:
        mode = os.stat(path).st_mode
    except OSError:  # does not exist (or a dangling link: its target is created)
        return Path(os.path.realpath(path)), False
    if not stat.S_ISREG(mode):
        return path, True
    return Path(os.path.realpath(path)), False


def _write_into(target: Path, tmp: Path) -> None:
    """Copy ``tmp``'s bytes into the special file ``target`` (module doc)."""
    m = _STREAM.match(str(target))
    if m:
        fd = _NAMED[m["name"]] if m["name"] else int(m["n"] or m["m"])
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        with open(os.dup(fd), "wb") as sink, open(tmp, "rb") as source:
            shutil.copyfileobj(source, sink)
        return
    with open(target, "wb") as sink, open(tmp, "rb") as source:  # a device ignores the truncation
        shutil.copyfileobj(source, sink)


@contextmanager
def replacing(path: Path | str, overwrite: bool = True, follow: bool = True) -> Iterator[Path]:
    path = Path(path)
    target, into = destination(path) if overwrite and follow else (path, False)
    folder = tempfile.gettempdir() if into else target.parent
    fd, name = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if into:
            _write_into(target, tmp)
            return
        os.chmod(tmp, 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # refuses an existing file
            except FileExistsError:
                raise
            except OSError:  # no hard links on this file system
                if os.path.lexists(target):
                    raise FileExistsError(str(target)) from None
                os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path | str, text: str, follow: bool = True) -> None:
    """Write UTF-8 text (LF line ends) to ``path`` atomically (a special file: into it; see
    :func:`replacing` for ``follow``)."""
    with replacing(path, follow=follow) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


#: the name the reports, docs and waivers write with (one helper, here, below them all)
atomic_write = write_text
