"""The downloads of ``hyoka serve``, held in memory for a short while under random tokens.

An upload's annotated workbook and findings CSV are kept here, never on disk, for
:data:`TTL` seconds after the result page was made; the page links them by a token
(``secrets.token_urlsafe``: 32 random bytes) that nobody can guess. The store is bounded: at most
:data:`MAX_ITEMS` downloads and :data:`MAX_BYTES` bytes; the oldest go first, and a download
larger than the whole store is not kept (the page then says so). Thread-safe.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

#: seconds a download stays after its result page was made
TTL = 600.0
#: at most this many downloads are held
MAX_ITEMS = 256
#: at most this many bytes are held (all downloads together)
MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Download:
    """One file to hand back: ``data``, ``filename`` (as the browser saves it), ``media_type``,
    ``expires`` (time.monotonic() after which it is gone)."""

    data: bytes
    filename: str
    media_type: str
    expires: float


class DownloadStore:
    def __init__(self, ttl: float = TTL, max_items: int = MAX_ITEMS, max_bytes: int = MAX_BYTES) -> None:
        self.ttl, self.max_items, self.max_bytes = ttl, max_items, max_bytes
        self._items: OrderedDict[str, Download] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, data: bytes, filename: str, media_type: str) -> str | None:
        """Keep ``data`` and return its token; None when it is larger than the whole store."""
        if len(data) > self.max_bytes:
            return None
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._expire(time.monotonic())
            while self._items and (len(self._items) >= self.max_items or self._bytes + len(data) > self.max_bytes):
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old.data)
            self._items[token] = Download(data, filename, media_type, time.monotonic() + self.ttl)
            self._bytes += len(data)
        return token

    def get(self, token: str) -> Download | None:
        """The download of ``token``, None when there is none or it has expired."""
        with self._lock:
            self._expire(time.monotonic())
            return self._items.get(token)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def size(self) -> int:
        """Bytes held."""
        with self._lock:
            return self._bytes

    def _expire(self, now: float) -> None:
        for token in [t for t, d in self._items.items() if d.expires <= now]:
            self._bytes -= len(self._items.pop(token).data)
