"""The language the command line speaks: help, usage errors, errors and warnings.

Decided before the arguments are parsed (the help is built in it), from, in order:

1. ``--lang ja|en`` anywhere on the command line (before ``--``);
2. ``lang`` of the configuration a check would read: ``--config FILE``, else ``hyoka.toml`` or
   ``[tool.hyoka]`` in ``pyproject.toml`` found from the working folder upwards (none with
   ``--no-config``); a configuration that cannot be read is passed over here (the command says
   what is wrong with it);
3. the locale: the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set; Japanese when
   it starts with ``ja``, and also when it is ``C`` or ``POSIX`` or when none is set (a server,
   a CI runner, Windows, where these are usually unset: hyoka is a tool for Japanese staff);
   English for any other locale (``en_US.UTF-8``, ``de_DE``…).

What a check writes — its reports, findings and terminal text — follows ``--lang``, else the
configuration's ``lang``, else Japanese, whatever the locale (the same tables and options give
the same report on every machine). This module is light: it imports no pandas.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGS = ("ja", "en")
_current = "ja"


def from_argv(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` (``--lang en`` or ``--lang=en``) when it is ja or en, else None."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg[7:] if arg.startswith("--lang=") else None
        if value in LANGS:
            return value
    return None


def _option(argv: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg[len(name) + 1 :]
    return None


def _toml(path: Path) -> dict[str, Any]:
    """The file's tables, or {} when it cannot be read here: the configuration loader reports it
    later (a FIFO or device is not opened, a file over 1 MB not parsed, as hyoka.config)."""
    from hyoka.files import read_regular

    limit = 1_000_000  # hyoka.resources.MAX_YAML_BYTES, without importing PyYAML on --help
    try:
        data = read_regular(path, limit)
        if len(data) > limit:
            return {}
        return tomllib.loads(data.decode("utf-8"))
    except (OSError, ValueError):  # tomllib.TOMLDecodeError and a bad encoding are ValueErrors
        return {}


def config_lang(argv: Sequence[str], cwd: Path | None = None) -> str | None:
    """``lang`` of the configuration file the command would read (see the module doc), or None."""
    if "--no-config" in argv:
        return None
    given = _option(argv, "--config")
    candidates = [Path(given)] if given else []
    if not given:
        here = (cwd or Path.cwd()).resolve()
        for folder in (here, *here.parents):  # as hyoka.config.find_config
            if (folder / "hyoka.toml").is_file():
                candidates = [folder / "hyoka.toml"]
                break
            if (folder / "pyproject.toml").is_file() and "hyoka" in _tool(folder / "pyproject.toml"):
                candidates = [folder / "pyproject.toml"]
                break
    for path in candidates:
        data = _toml(path)
        if path.name == "pyproject.toml":
            data = _tool(path).get("hyoka", {})
        lang = data.get("lang") if isinstance(data, dict) else None
        if lang in LANGS:
            return lang
    return None


def _tool(path: Path) -> dict[str, Any]:
    tool = _toml(path).get("tool", {})
    return tool if isinstance(tool, dict) else {}


def locale_lang(environ: Mapping[str, str] | None = None) -> str:
    """ja or en from the locale variables (see the module doc)."""
    env = os.environ if environ is None else environ
    value = next((env[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(v)), "")
    name = value.split(".")[0].split("@")[0]
    return "ja" if not name or name in ("C", "POSIX") or name.lower().startswith("ja") else "en"


def detect(argv: Sequence[str], environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """The command line's language for the arguments ``argv`` (without the program name)."""
    return from_argv(argv) or config_lang(argv, cwd) or locale_lang(environ)


def use(lang: str) -> None:
    """Set the language this run speaks (:func:`hyoka.cli.app.main` does, before parsing)."""
    global _current
    _current = lang if lang in LANGS else "ja"


def current() -> str:
    """The language this run speaks."""
    return _current


@lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    """``rules/cli.yaml``: the command line's own texts (the help, usage errors, words)."""
    from hyoka.resources import data_dir, load_yaml

    return load_yaml(data_dir("rules") / "cli.yaml")


def word(key: str, lang: str | None = None, **params: Any) -> str:
    """The text ``words.<key>`` of rules/cli.yaml in ``lang`` (default: :func:`current`)."""
    text = texts()["words"][key][lang or _current]
    return text.format(**params) if params else text
