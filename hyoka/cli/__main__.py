"""``python -m hyoka.cli``: the same as the ``hyoka`` command."""

from hyoka.cli.app import main

main()
