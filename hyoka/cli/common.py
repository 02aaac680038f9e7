"""What every command shares: the one-line error exit and warning, the configuration lookup and
the parsing of code lists."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from hyoka.cli import language
from hyoka.display import visible
from hyoka.errors import HyokaError

if TYPE_CHECKING:
    from hyoka.config import Config


def fail(error: Exception | str) -> NoReturn:
    """One line on stderr (never wrapped, never a traceback, control characters shown as escapes)
    in the run's language (an error's :meth:`~hyoka.errors.HyokaError.say`) and exit code 2
    (raises typer.Exit)."""
    lang = language.current()
    text = error.say(lang) if isinstance(error, HyokaError) else str(error)
    print(language.word("error", lang) + visible(" ".join(text.split()), one_line=True), file=sys.stderr)
    raise typer.Exit(2)


def warn(text: str) -> None:
    """One line on stderr: ``hyoka: 警告: …`` / ``hyoka: warning: …``."""
    print(language.word("warning") + visible(" ".join(text.split()), one_line=True), file=sys.stderr)


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
