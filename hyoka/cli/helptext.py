"""``--help`` in the user's language (hyoka.cli.language), laid out for Japanese text.

The commands are built by typer with these classes (``cls=``): :class:`HyokaCommand` and
:class:`HyokaGroup` write their help from ``rules/cli.yaml`` (the texts of each command, argument
and option by its path and flag; see that file) instead of the ``help=`` of the declarations, in
the language of the run. The layout is click's (usage, the text, the arguments, options and
commands as two columns) with human metavars (``FILE``, ``DIR``, ``CODE``: declared with each
parameter) and no type names, wrapped by display width, so a line of Japanese (two columns to a
character) fits the terminal as a line of English does.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from enum import Enum
from typing import Any

from typer.core import TyperCommand, TyperGroup

from hyoka.cli import language

#: characters a line does not start with (、。）」…) or end with (（「…): kept with their neighbour
_NO_START = set("、。，．・：；？！）］｝」』】〕〉》ー…‥々ゝゞヽヾ,.:;?!)]}%")
_NO_END = set("（［｛「『【〔〈《([{")
#: a bracketed note ([必須], [既定: reports], [tool.hyoka]) is one word; then spaces, Latin runs, one character
_TOKEN = re.compile(r"\[[^\[\]\n]{1,40}\]|\s+|[\x21-\x7e\u00a0-\u02ff]+|.", re.S)


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _tokens(text: str) -> list[str]:
    """Words that are not broken: a bracketed note, a run of Latin characters, one Japanese
    character with the punctuation that must stay beside it; whitespace runs separately."""
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if out and not tok.isspace() and not out[-1].isspace() and (tok[0] in _NO_START or out[-1][-1] in _NO_END):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def wrap(text: str, cols: int) -> list[str]:
    """``text`` (one paragraph) as lines of at most ``cols`` columns (a longer word on its own
    line): broken at spaces between Latin words and between any two Japanese characters."""
    lines: list[str] = []
    line, used = "", 0
    for tok in _tokens(" ".join(text.split())):
        if tok.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        w = width(tok)
        if line and used + w > cols:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + tok, used + w
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a help text (blank lines between them); lines inside one are joined, with a
    space only between Latin words."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        joined = ""
        for part in block.splitlines():
            part = part.strip()
            if joined and part and width(joined[-1]) == 1 and width(part[0]) == 1:
                joined += " "
            joined += part
        out.append(joined)
    return out


def _key(ctx: Any) -> str:
    """The command's path in rules/cli.yaml: ``""`` for hyoka, ``check``, ``rules explain``."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(names))


def command_texts(key: str) -> dict[str, Any]:
    """The texts of the command at ``key`` (see :func:`_key`); {} when it has none."""
    return language.texts()["commands"].get(key, {})


def text(entry: dict[str, str] | None, lang: str) -> str:
    return (entry or {}).get(lang, "")


def param_help(key: str, param: Any, lang: str) -> str:
    """The help of ``param`` (an argument by name, an option by its first flag) of the command at
    ``key``: the command's own, else the shared text of the option."""
    own = command_texts(key)
    if param.param_type_name == "argument":
        return text((own.get("arguments") or {}).get(param.name), lang)
    flag = param.opts[0] if param.opts else ""
    if param.name == "help":
        return language.word("help_option", lang)
    entry = (own.get("options") or {}).get(flag) or language.texts()["options"].get(flag)
    return text(entry, lang)


def _metavar(param: Any) -> str:
    """The argument's or option's value as shown: its declared metavar (else its name in capitals),
    ``...`` when it takes several."""
    name = param.metavar or param.name.upper()
    return name + ("..." if param.nargs != 1 else "")


def _default(param: Any) -> str:
    value = param.default
    if value is None or value is False or value == () or value == [] or callable(value):
        return ""
    if isinstance(value, Enum):
        value = value.value
    return str(value)


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def param_row(ctx: Any, key: str, param: Any, lang: str) -> tuple[str, str]:
    """(the term, the help with [default, required]) of one parameter."""
    if param.param_type_name == "argument":
        term = _metavar(param)
    else:
        term = ", ".join(param.opts)
        if param.secondary_opts:
            term += " / " + ", ".join(param.secondary_opts)
        if not _is_flag(param):
            term += " " + _metavar(param)
    extra = []
    if not _is_flag(param) and getattr(param, "show_default", True) and (default := _default(param)):
        extra.append(language.word("default", lang, value=default))
    if param.required:
        extra.append(language.word("required", lang))
    help_text = param_help(key, param, lang)
    if extra:
        help_text += ("  " if help_text else "") + "[" + "; ".join(extra) + "]"
    return term, help_text


def usage_line(cmd: Any, ctx: Any, lang: str) -> str:
    """``hyoka check [オプション] FILE...``: the command path, options, then the arguments."""
    pieces = [language.word("options_metavar", lang)]
    for p in cmd.get_params(ctx):
        if p.param_type_name == "argument":
            pieces.append(_metavar(p) if p.required else f"[{_metavar(p)}]")
    if isinstance(cmd, TyperGroup):
        optional = getattr(cmd, "invoke_without_command", False) and not getattr(cmd, "no_args_is_help", False)
        command = language.word("command_metavar", lang)
        pieces.append(f"[{command}]" if optional else command)
    return ctx.command_path + " " + " ".join(pieces)


def _definitions(rows: list[tuple[str, str]], indent: int, cols: int) -> list[str]:
    """Two columns, the second wrapped: a term longer than 24 columns puts its text on the next line."""
    term_cols = min(max((width(t) for t, _ in rows), default=0), 24) + 2
    text_cols = max(cols - indent - term_cols, 20)
    out = []
    for term, help_text in rows:
        lines = wrap(help_text, text_cols) if help_text else []
        pad = " " * (indent + term_cols)
        if width(term) + 2 > term_cols and lines:
            out.append(" " * indent + term)
            out += [pad + line for line in lines]
        elif lines:
            out.append(" " * indent + term + " " * (term_cols - width(term)) + lines[0])
            out += [pad + line for line in lines[1:]]
        else:
            out.append(" " * indent + term)
    return out


def render(cmd: Any, ctx: Any, lang: str | None = None) -> str:
    """The whole help of ``cmd`` in ``lang`` (default: the run's)."""
    lang = lang or language.current()
    key = _key(ctx)
    cols = max(min(shutil.get_terminal_size().columns, 100) - 2, 50)
    out = wrap(language.word("usage", lang) + usage_line(cmd, ctx, lang), cols)
    for para in paragraphs(text(command_texts(key).get("help"), lang)):
        out += [""] + ["  " + line for line in wrap(para, cols - 2)]
    params = [p for p in cmd.get_params(ctx) if not getattr(p, "hidden", False)]
    for section, kind in (("arguments", "argument"), ("options", "option")):
        rows = [param_row(ctx, key, p, lang) for p in params if p.param_type_name == kind]
        if rows:
            out += ["", language.word(section, lang) + ":", *_definitions(rows, 2, cols)]
    if isinstance(cmd, TyperGroup):
        rows = []
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            sub_key = f"{key} {name}".strip()
            texts = command_texts(sub_key)
            rows.append((name, text(texts.get("summary") or texts.get("help"), lang)))
        if rows:
            out += ["", language.word("commands", lang) + ":", *_definitions(rows, 2, cols)]
    return "\n".join(out)


class HyokaCommand(TyperCommand):
    """A command whose help is :func:`render`'s."""

    def get_help(self, ctx: Any) -> str:
        return render(self, ctx)


class HyokaGroup(TyperGroup):
    """A group of commands whose help is :func:`render`'s."""

    def get_help(self, ctx: Any) -> str:
        return render(self, ctx)
