"""What every command shares: the exit-code help, the one-line error exit, the configuration
lookup and the parsing of code lists."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from hyoka.config import Config

EXIT_HELP = """Exit codes: 0 = nothing at or above --fail-on; 1 = findings at or above --fail-on;
2 = usage or input error."""


def fail(message: str) -> NoReturn:
    """One line on stderr (never wrapped, never a traceback) and exit code 2 (raises typer.Exit)."""
    one_line = " ".join(str(message).split())
    print(f"hyoka: error: {one_line}", file=sys.stderr)
    raise typer.Exit(2)


def find_configuration(config: Path | None, no_config: bool) -> Config | None:
    """The configuration a command runs with: ``--config``, else hyoka.toml or ``[tool.hyoka]``
    found upwards; None with ``--no-config`` or when there is none. Raises ConfigError for a
    bad file."""
    from hyoka.config import find_config, load_config

    cfg_path = None if no_config else (config or find_config())
    return load_config(cfg_path) if cfg_path else None


def split_codes(values: list[str] | None) -> list[str] | None:
    """``--select G,D001 --select t`` → ["G", "D001", "T"] (upper case, blanks dropped); None stays None."""
    if values is None:
        return None
    return [v.strip().upper() for item in values for v in item.split(",") if v.strip()]
