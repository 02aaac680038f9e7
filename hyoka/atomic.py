"""Writing outputs so that an interrupted run never leaves a half-written file.

``replacing(path)`` yields a temporary path in the target's folder; when the block ends without an
error the file gets the mode a plain ``open()`` would give (0666 less the umask — mkstemp's 0600
would make shared reports private) and is renamed over ``path``. With ``overwrite=False`` it is
linked into place instead, which refuses a file that exists (even one created meanwhile).
Raises FileExistsError in that case; the temporary file is always removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(path: Path | str, overwrite: bool = True) -> Iterator[Path]:
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # refuses an existing file
            except FileExistsError:
                raise
            except OSError:  # no hard links on this file system
                if path.exists():
                    raise FileExistsError(str(path)) from None
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path | str, text: str) -> None:
    """Write UTF-8 text (LF line ends) to ``path`` atomically."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


#: the name the reports, docs and waivers write with (one helper, here, below them all)
atomic_write = write_text
