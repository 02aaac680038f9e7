"""``hyoka check``: run the checks, write the reports, print or write the findings."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from hyoka.cli.common import fail, find_configuration, split_codes, warn
from hyoka.cli.options import (
    Config,
    Department,
    Departments,
    FailOn,
    Fmt,
    Ignore,
    Indicators,
    Mapping,
    NoConfig,
    OptLang,
    Paths,
    Rules,
    Scale,
    Select,
    Table,
    Waivers,
    choices,
)
from hyoka.errors import HyokaError, msg, os_reason


def check(
    paths: Paths,
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR")] = None,
    scale: Scale = None,
    rules: Rules = None,
    mapping: Mapping = None,
    department: Department = None,
    fail_on: Annotated[FailOn | None, typer.Option("--fail-on", metavar=choices(FailOn))] = None,
    fmt: Annotated[Fmt, typer.Option("--format", metavar=choices(Fmt))] = Fmt.text,
    output: Annotated[Path | None, typer.Option("--output", metavar="FILE")] = None,
    lang: OptLang = None,
    no_report: Annotated[bool, typer.Option("--no-report")] = False,
    waivers: Waivers = None,
    indicators: Indicators = None,
    departments: Departments = None,
    vocabulary: Annotated[Path | None, typer.Option("--vocabulary", metavar="FILE")] = None,
    select: Select = None,
    ignore: Ignore = None,
    config: Config = None,
    no_config: NoConfig = False,
    annotate: Annotated[Path | None, typer.Option("--annotate", metavar="FILE")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE")] = None,
    previous: Annotated[list[Path] | None, typer.Option("--previous", metavar="FILE")] = None,
    table: Table = None,
) -> None:
    from rich.console import Console
    from rich.text import Text

    from hyoka.check import findings as F
    from hyoka.cli.language import current
    from hyoka.cli.progress import stage_progress
    from hyoka.output.terminal import print_summary, print_text, render_text

    try:
        with stage_progress(fmt is Fmt.text and output is None and sys.stderr.isatty(), current()) as progress:
            result, cfg = run_configured(
                paths,
                config,
                no_config,
                progress=progress,
                scale=scale,
                rules=rules,
                mapping=mapping,
                department=department,
                lang=lang.value if lang else None,
                waivers=waivers,
                indicators=indicators,
                departments_file=departments,
                vocabulary=vocabulary,
                select=split_codes(select),
                ignore=split_codes(ignore),
                previous=previous or None,
                as_of=as_of,
                table=table,
            )
        if output is not None:
            from hyoka.inputs import check_output_file

            check_output_file(output, result.options, result.tables, "--output")
        if annotate is not None:  # refused before the reports are written too (#15)
            from hyoka.inputs import refuse_inputs

            refuse_inputs(annotate, result.options, result.tables, "--annotate")
        out = out if out is not None else default_out(department)
        written = [] if no_report else _write_reports(result, out)
        annotated = _annotate(result, annotate) if annotate else None
        threshold = fail_on.value if fail_on else (cfg.fail_on if cfg and cfg.fail_on else "error")
        if fmt is Fmt.text:
            if output is None:
                print_text(result, written, out)
            else:
                _write_output(output, render_text(result, written, out))
        else:
            from hyoka.output.formats import render

            data = render(fmt.value, result, threshold)
            if output is None:
                _to_stdout(data)
            else:
                _write_output(output, data)
        if output is not None:
            print_summary(result, output)
        if annotated:
            Console(highlight=False).print(Text(f"→ {annotated}"))
    except HyokaError as exc:
        fail(exc)
    raise typer.Exit(1 if F.fails(result.findings, threshold) else 0)


def default_out(department: str | None) -> Path:
    """The report folder when ``--out`` is not given: ``reports``, and for a department's
    self-check ``reports/<department>/``, so that a clerk's run never replaces the coordinator's
    report of every department."""
    if not department:
        return Path("reports")
    from hyoka.output.report import safe_filename

    return Path("reports") / safe_filename(department, 0)[3:]


def run_configured(paths: list[Path], config: Path | None, no_config: bool, progress=None, **flags):
    """Find and read the configuration, merge the ``flags`` (CheckOptions fields; None: not
    given) over it and run the check. Returns (CheckResult, Config or None); raises HyokaError."""
    from hyoka.pipeline import options_from, run_check

    cfg = find_configuration(config, no_config)
    return run_check(list(paths), options_from(cfg, **flags), progress=progress), cfg


def _to_stdout(data: bytes) -> None:
    """A machine format on stdout, bytes as rendered (the CSV's BOM, CRLF)."""
    sys.stdout.flush()
    if hasattr(sys.stdout, "buffer"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))


def _write_output(target: Path, data: bytes) -> None:
    """``--output``: replace ``target`` atomically. Raises HyokaError when it cannot be written."""
    from hyoka.atomic import replacing

    try:
        with replacing(target) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise HyokaError(msg("cannot_write_output", option="--output", path=target, reason=os_reason(exc))) from None


def _write_reports(result, out: Path) -> list[Path]:
    """Write the report folder; a department's check written over the report of every department
    (an explicit ``--out``) says which of its files it replaced (the other pages are kept)."""
    from hyoka.cli.language import word
    from hyoka.output.report import ALL, recorded_scopes, report_scope, write_reports

    before = recorded_scopes(out)
    written = write_reports(result, out, warn=_say_warning)
    if report_scope(result) != ALL:
        replaced = sorted(p.name for p in written if before.get(p.name) == ALL)
        if replaced:
            warn(word("replaces_full_report", out=out, files=", ".join(replaced)))
    return written


def _annotate(result, target: Path) -> Path:
    """``--annotate``: the (one) .xlsx input with its findings on their cells, written to ``target``."""
    from hyoka.inputs import refuse_inputs
    from hyoka.output.annotate import annotate_workbook

    books = [t for t in result.tables if t.path.lower().endswith((".xlsx", ".xlsm"))]
    if len(books) != 1:
        raise HyokaError(msg("annotate_one_book", target=target, n=len(books)))
    refuse_inputs(target, result.options, result.tables, "--annotate")
    return annotate_workbook(
        books[0].path, target, result.findings, result.options.lang, source=books[0].source, warn=_say_warning
    )


def _say_warning(message) -> None:
    """A warning of the annotated copies (a Message) on stderr in the command line's language."""
    from hyoka.cli.language import current

    warn(message.say(current()))
