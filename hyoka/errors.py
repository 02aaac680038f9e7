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


class ConfigError(HyokaError):
    """A rule, scale, vocabulary or mapping file that is not valid; names the file and key."""
