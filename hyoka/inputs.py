"""No output replaces an input: every file a check reads, and the refusal to write over one.
(Each of those files is read as a regular file only: hyoka.files.)

Raises HyokaError naming the option (``--output``, ``--annotate``, a report file) and the input.
"""

from __future__ import annotations

from pathlib import Path

from hyoka.errors import HyokaError, msg
from hyoka.files import real
from hyoka.options import CheckOptions
from hyoka.read.raw import RawTable


def input_paths(options: CheckOptions, tables: list[RawTable] | None = None) -> list[Path]:
    """Every file a check reads: the tables, last year's tables, and the waiver, mapping,
    indicator, department, vocabulary, rule, scale and configuration files. No output may be written to one."""
    named: list[Path | str | None] = [
        options.waivers,
        options.mapping,
        options.indicators,
        options.departments_file,
        options.rules,
        options.config_file,
        options.vocabulary if isinstance(options.vocabulary, (str, Path)) else None,
        *(options.previous or []),
    ]
    if options.scale and Path(options.scale).is_file():
        named.append(options.scale)
    return [Path(t.path) for t in tables or [] if t.path] + [Path(p) for p in named if p]


def refuse_inputs(target: Path, options: CheckOptions, tables: list[RawTable], what: str) -> None:
    """Raise HyokaError when ``target`` (an output about to be written) is one of the inputs."""
    try:
        resolved = real(target)
    except OSError:
        return
    for p in input_paths(options, tables):
        try:
            if real(p) == resolved:
                raise HyokaError(msg("output_is_input", what=what, target=target, input=p))
        except OSError:
            continue


def check_output_file(target: Path, options: CheckOptions, tables: list[RawTable], what: str = "--output") -> None:
    """An output file (``--output``) must not be an input (tables, waivers, …) and its folder
    must exist. Raises HyokaError naming ``what``."""
    refuse_inputs(target, options, tables, what)
    if target.is_dir():
        raise HyokaError(msg("output_is_folder", what=what, target=target))
    if not target.parent.is_dir():
        raise HyokaError(msg("output_no_folder", what=what, target=target, folder=target.parent))
