"""The command line (typer): ``hyoka`` is ``hyoka.cli:main``."""

from hyoka.cli.app import main

__all__ = ["main"]
