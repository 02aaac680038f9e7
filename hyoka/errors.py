"""Errors raised for bad input. Each renders as one line naming file, sheet, row and column.

An error's ``str()`` is English (what a library caller, a log or a test reads). An error raised
with a :class:`Message` (``InputError(msg("no_such_file"), file=...)``) can also be said in
Japanese: :meth:`HyokaError.say` gives its text in a language, which the command line prints
(``hyoka: エラー: missing.csv: ファイルがありません``). The texts live in ``rules/errors.yaml``
(key → ``{ja, en}`` with ``{name}`` placeholders); a parameter that is itself a Message or an error
is said in the same language. An error still raised with a plain English text says that text in
either language: the messages are converted where users meet them first (files, encodings,
headers, options, configuration and rule files, outputs), the rest stays English.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGS = ("ja", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """``rules/errors.yaml`` (bundled with hyoka: hyoka.resources.data_dir's places, read here
    because that module raises these errors): key → {ja, en}. Raises ConfigError when it is broken."""
    import yaml

    here = Path(__file__).resolve().parent
    path = next(
        (p for p in (here / "_data" / "rules" / "errors.yaml", here.parent / "rules" / "errors.yaml") if p.is_file()),
        None,
    )
    if path is None:
        raise ConfigError(f"hyoka's rules/errors.yaml is missing from the installation ({here})")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of message keys to {{ja, en}} texts")
    for key, texts in data.items():
        if not isinstance(texts, dict) or not all(isinstance(texts.get(lang), str) for lang in LANGS):
            raise ConfigError(f"{path}: {key}: needs both ja and en texts")
    return data


def say(value: Any, lang: str) -> Any:
    """``value`` in ``lang`` when it can be said in either (a Message, an error); else as it is."""
    if isinstance(value, Message | HyokaError):
        return value.say(lang)
    return value


class Message(str):
    """An error text: the English text (this str) with its key in rules/errors.yaml and the
    parameters, so that :meth:`say` can give it in Japanese too. Parameters keep their type
    (``{total:,}`` formats a number)."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Message:
        self = super().__new__(cls, _format(key, "en", params))
        self.key, self.params = key, params
        return self

    def say(self, lang: str) -> str:
        """The text in ``lang`` (``ja`` or ``en``)."""
        return _format(self.key, lang, self.params)

    def __reduce__(self):  # copied and pickled as its key and parameters, not as its English text
        return _message, (self.key, self.params)


def _message(key: str, params: dict[str, Any]) -> Message:
    return Message(key, **params)


def msg(key: str, /, **params: Any) -> Message:
    """The message ``key`` of rules/errors.yaml with its parameters (KeyError for an unknown key)."""
    return Message(key, **params)


def _format(key: str, lang: str, params: dict[str, Any]) -> str:
    texts = catalogue()[key]
    return texts.get(lang, texts["en"]).format(**{k: say(v, lang) for k, v in params.items()})


def os_reason(exc: OSError) -> Message | str:
    """Why an OS call failed, for ``cannot read ({reason})``: the system's English text
    (``exc.strerror``), said in Japanese for the common causes (no such file, no permission, a
    folder, no space, a read-only disk)."""
    text = exc.strerror or str(exc)
    name = errno.errorcode.get(exc.errno or -1, "")
    return Message(f"os.{name}", strerror=text) if f"os.{name}" in catalogue() else text


class HyokaError(Exception):
    """Base class: a usage or input problem the user must fix (CLI exit code 2)."""

    def say(self, lang: str) -> str:
        """The error's text in ``lang``: its Message said in that language, else its English text."""
        return say(self.args[0], lang) if len(self.args) == 1 else str(self)


class InputError(HyokaError):
    """An input file that cannot be read as an evaluation table.

    The message names the place: ``file[, sheet][, row N][, column C]: what is wrong``
    (``file、シート「S」、N行目、C列: …`` in Japanese).
    """

    def __init__(
        self, message: str, *, file: str, sheet: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        self.reason = message
        super().__init__(self.say("en"))

    def say(self, lang: str) -> str:
        where = [self.file]
        if self.sheet:  # a web page's tables are named table1, table2 …: 表「table2」, not a sheet
            key = "place.table" if self.file.lower().endswith((".html", ".htm")) else "place.sheet"
            where.append(_format(key, lang, {"sheet": self.sheet}))
        if self.row is not None:
            where.append(_format("place.row", lang, {"row": self.row}))
        if self.column:
            where.append(_format("place.column", lang, {"column": self.column}))
        return f"{_format('place.sep', lang, {}).join(where)}: {say(self.reason, lang)}"


class NoHeaderError(InputError):
    """No header row was found. ``sheets``: per sheet (``""`` for a CSV), its first rows as
    (row number, [cell texts]); ``closest``: the row that came closest as (sheet, row number,
    [(1-based column, text, field read or None)]), or None when every row is empty. ``hyoka
    inspect`` shows them instead of failing."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        sheets: list[tuple[str, list[tuple[int, list[str]]]]],
        closest: tuple[str, int, list[tuple[int, str, str | None]]] | None,
    ) -> None:
        super().__init__(message, file=file)
        self.sheets, self.closest = sheets, closest


class ConfigError(HyokaError):
    """A rule, scale, vocabulary or mapping file that is not valid; names the file and key."""


def debugging() -> bool:
    """``HYOKA_DEBUG`` is set (to anything but ``""`` or ``0``): unexpected exceptions keep their
    traceback instead of becoming one line."""
    return os.environ.get("HYOKA_DEBUG", "") not in ("", "0")


@contextmanager
def reading(file: str, sheet: str | None = None) -> Iterator[None]:
    """The safety net under everything that reads or normalises one input ``file`` (and
    ``sheet``): an exception that is not a :class:`HyokaError` — an IndexError, ValueError,
    OverflowError or pyarrow's ArrowInvalid from a file no check foresaw, a parser's own error —
    becomes an :class:`InputError` naming the file (``read_failed``, with the exception's name
    and first line), and a MemoryError one that says the file is too large to read within
    memory. HyokaErrors, KeyboardInterrupt and SystemExit pass unchanged; with ``HYOKA_DEBUG``
    set nothing is converted (the traceback shows where it came from)."""
    try:
        yield
    except HyokaError:
        raise
    except MemoryError:
        if debugging():
            raise
        raise InputError(msg("too_large_for_memory"), file=file, sheet=sheet) from None
    except Exception as exc:
        if debugging():
            raise
        raise InputError(msg("read_failed", error=exception_line(exc)), file=file, sheet=sheet) from exc


def exception_line(exc: BaseException) -> str:
    """``Name: first line of the message`` of an exception, at most 200 characters, as one line
    (for an error line that says what went wrong inside a library)."""
    text = (str(exc).strip().splitlines() or [""])[0]
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
