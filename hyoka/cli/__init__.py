"""The command line (typer): ``hyoka`` is ``hyoka.cli:main``."""

from hyoka.cli import interrupt

# first, before typer, pandas and the commands load: a Ctrl-C while they do is one line, not a
# traceback (hyoka.cli.interrupt)
interrupt.loading()
try:
    from hyoka.cli.app import main
finally:
    interrupt.loaded()

__all__ = ["main"]
