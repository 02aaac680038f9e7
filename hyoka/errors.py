"""Errors raised for bad input. Each renders as one line naming file, sheet, row and column."""

from __future__ import annotations


class HyokaError(Exception):
    """Base class: a usage or input problem the user must fix (CLI exit code 2)."""


class InputError(HyokaError):
    """An input file that cannot be read as an evaluation table.

    The message names the place: ``file[, sheet][, row N][, column C]: what is wrong``.
    """

    def __init__(
        self, message: str, *, file: str, sheet: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        self.reason = message
        where = [file]
        if sheet:
            where.append(f"sheet {sheet}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}")


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
