"""The ``hyoka`` command line.

Exit codes: 0 nothing reached ``--fail-on``; 1 findings at or above ``--fail-on``; 2 a usage or
input error (one line on stderr, no traceback).
"""

from __future__ import annotations

import io
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hyoka import __version__
from hyoka.atomic import replacing
from hyoka.authoring.docs import page as code_page, write_docs
from hyoka.authoring.scaffold import DEFAULT_REV, DEFAULT_SOURCE, init_repository, summary
from hyoka.authoring.template import parse_years, write_template
from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.rules import load_catalog
from hyoka.config import find_config, load_config, load_departments
from hyoka.errors import HyokaError
from hyoka.interop.gx import export_gx
from hyoka.normalise.scale import load_scale
from hyoka.output.annotate import annotate_workbook
from hyoka.output.formats import render
from hyoka.output.report import strings, summary_text, write_reports
from hyoka.pipeline import options_from, refuse_inputs, run_check, unknown_codes
from hyoka.waivers.load import one_year_after, parse_date
from hyoka.waivers.write import check_target, waive as add_waivers

EXIT_HELP = """Exit codes: 0 = nothing at or above --fail-on; 1 = findings at or above --fail-on;
2 = usage or input error."""

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="hyoka: consistency checks for evaluation tables (baseline / target / current, grades).\n\n" + EXIT_HELP)


class Fmt(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"
    sarif = "sarif"
    junit = "junit"
    github = "github"


FORMAT_HELP = ("text: the findings for people (default); json: a JSON array of findings; csv: the same "
               "table as CSV (UTF-8 with BOM, for Excel); sarif: SARIF 2.1.0 for GitHub code scanning; "
               "junit: JUnit XML, a testsuite per department and a testcase per row, a failure per finding "
               "at or above --fail-on; github: GitHub Actions annotations (::error file=…,line=…::…). "
               "Machine formats go to stdout, or to --output.")


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class Lang(str, Enum):
    ja = "ja"
    en = "en"


SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_CONTROL = dict.fromkeys(c for c in range(0x20) if c not in (9, 10)) | dict.fromkeys(range(0x7F, 0xA0))


def clean(text: object) -> Text:
    """Cell text for the terminal: printed literally (no rich markup) with control characters
    (escape sequences, bells, carriage returns) removed."""
    return Text(str(text).translate(_CONTROL))


def _fail(message: str) -> None:
    """One line on stderr (never wrapped, never a traceback) and exit code 2."""
    one_line = " ".join(str(message).split())
    print(f"hyoka: error: {one_line}", file=sys.stderr)
    raise typer.Exit(2)


@app.command(help="Check evaluation tables and write a review report per department.\n\n" + EXIT_HELP)
def check(
    paths: list[Path] = typer.Argument(..., help="CSV or .xlsx files to check."),
    out: Path = typer.Option(Path("reports"), "--out", help="Folder for the reports."),
    scale: Optional[str] = typer.Option(None, "--scale", help="Grading scale file, or a bundled preset (a-d, s-a-b-c, f-s-a-b-c-x-y-z, circles, achievement, rag). Default a-d."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Rule catalog to use instead of the bundled rules/catalog.yaml."),
    mapping: Optional[Path] = typer.Option(None, "--mapping", help="A plan's column aliases and indicator directions (YAML)."),
    department: Optional[str] = typer.Option(None, "--department", help="Check only this department (current or previous name)."),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="Exit 1 when a finding reaches this severity (default error)."),
    fmt: Fmt = typer.Option(Fmt.text, "--format", help=FORMAT_HELP),
    output: Optional[Path] = typer.Option(None, "--output", help="Write the --format output to this file (atomically) instead of stdout; the terminal then gets a one-line summary."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help="Language of messages and reports (default ja)."),
    no_report: bool = typer.Option(False, "--no-report", help="Do not write the report folder."),
    waivers: Optional[Path] = typer.Option(None, "--waivers", help="Waiver file (YAML): accepted findings, shown as waived."),
    indicators: Optional[Path] = typer.Option(None, "--indicators", help="Indicator metadata (YAML): direction, unit, bounds per indicator."),
    departments: Optional[Path] = typer.Option(None, "--departments", help="The plan's department list with renames (YAML)."),
    select: Optional[list[str]] = typer.Option(None, "--select", help="Run only these rule codes or prefixes (comma-separated or repeated)."),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="Do not run these rule codes or prefixes."),
    config: Optional[Path] = typer.Option(None, "--config", help="Configuration file (default: hyoka.toml or [tool.hyoka] in pyproject.toml, searched upwards)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore configuration files."),
    annotate: Optional[Path] = typer.Option(None, "--annotate", help="Write a copy of the (one) .xlsx input with each finding on its cell: filled, commented, and listed on a first sheet."),
    previous: Optional[list[Path]] = typer.Option(None, "--previous", help="Last year's edition (CSV or .xlsx; repeat for several files): rows are matched and changes reported (E001-E010)."),
) -> None:
    try:
        with _stage_progress(fmt is Fmt.text and output is None and sys.stderr.isatty(), lang.value if lang else "ja") as progress:
            result, cfg = _run(paths, config, no_config, progress=progress, scale=scale, rules=rules,
                               mapping=mapping, department=department, lang=lang.value if lang else None,
                               waivers=waivers, indicators=indicators, departments_file=departments,
                               select=_split(select), ignore=_split(ignore), previous=previous or None)
        if output is not None:
            _check_output(output, result)
        written = [] if no_report else _write(result, out)
        annotated = _annotate(result, annotate) if annotate else None
        fail_on = fail_on.value if fail_on else (cfg.fail_on if cfg and cfg.fail_on else "error")
        if fmt is Fmt.text:
            if output is None:
                _print_text(result, written, out)
            else:
                buf = io.StringIO()
                _print_text(result, written, out, Console(file=buf, highlight=False, no_color=True, width=120,
                                                          soft_wrap=True))
                _write_output(output, buf.getvalue().encode("utf-8"))
        else:

            data = render(fmt.value, result, fail_on)
            if output is None:
                sys.stdout.flush()
                if hasattr(sys.stdout, "buffer"):
                    sys.stdout.buffer.write(data)   # bytes as rendered: the CSV's BOM, CRLF
                    sys.stdout.buffer.flush()
                else:
                    sys.stdout.write(data.decode("utf-8"))
            else:
                _write_output(output, data)
        if output is not None:
            _print_summary(result, output)
        if annotated:
            Console(highlight=False).print(Text(f"→ {annotated}"))
    except HyokaError as exc:
        _fail(str(exc))
        return
    raise typer.Exit(1 if F.fails(result.findings, fail_on) else 0)


def _check_output(target: Path, result) -> None:
    """--output must not be an input (tables or waivers) and its folder must exist."""

    refuse_inputs(target, result.options, result.tables, "--output")
    if target.is_dir():
        raise HyokaError(f"--output {target}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise HyokaError(f"--output {target}: no such folder {target.parent}")


def _write_output(target: Path, data: bytes) -> None:

    try:
        with replacing(target) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise HyokaError(f"--output {target}: cannot write ({exc.strerror or exc})") from None


def _print_summary(result, output: Path) -> None:
    """The one line the terminal gets when the findings went to --output."""

    s = strings(result.options.lang)
    Console(highlight=False, soft_wrap=True).print(
        Text(summary_text(s, len(result.frame), result.findings) + f" → {output}"))


def _annotate(result, target: Path) -> Path:

    books = [t for t in result.tables if t.path.lower().endswith((".xlsx", ".xlsm"))]
    if len(books) != 1:
        raise HyokaError(f"--annotate {target}: needs exactly one .xlsx input (got {len(books)})")

    refuse_inputs(target, result.options, result.tables, "--annotate")
    return annotate_workbook(books[0].path, target, result.findings, result.options.lang)


def _split(values: list[str] | None) -> list[str] | None:
    """``--select G,D001 --select T`` → ["G", "D001", "T"]."""
    if values is None:
        return None
    return [v.strip().upper() for item in values for v in item.split(",") if v.strip()]


def _run(paths, config: Path | None, no_config: bool, progress=None, **flags):
    """Find and read the configuration, merge the flags over it, run the check."""

    cfg_path = None if no_config else (config or find_config())
    cfg = load_config(cfg_path) if cfg_path else None
    return run_check(list(paths), options_from(cfg, **flags), progress=progress), cfg


_STAGES = {"load": ("読み込み", "reading"), "normalise": ("正規化", "normalising"),
           "validate": ("スキーマ検証", "validating"), "rules": ("ルール", "rules"),
           "waivers": ("除外の適用", "waivers")}


class _stage_progress:
    """A spinner per pipeline stage on stderr (rich.progress) for long runs in a terminal; a
    no-op callback otherwise (JSON output, pipes, CI logs)."""

    def __init__(self, enabled: bool, lang: str):
        self.enabled, self.lang, self.bar, self.task = enabled, lang, None, None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        return self.step

    def step(self, stage: str) -> None:
        ja, en = _STAGES.get(stage, (stage, stage))
        label = f"hyoka: {ja if self.lang == 'ja' else en}"
        if self.task is not None:
            self.bar.update(self.task, completed=1, total=1)
        self.task = self.bar.add_task(label, total=None)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _write(result, out: Path) -> list[Path]:
    return write_reports(result, out)


def _print_text(result, written: list[Path], out: Path, con: Console | None = None) -> None:

    s = strings(result.options.lang)
    clerk = bool(result.options.department)  # a department's self-check: say how to fix each one
    con = con or Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    found = result.findings
    frame = result.frame
    dep = frame["department"].fillna(s["no_department"])
    table = Table(title=s["by_department"], title_justify="left")
    table.add_column(s["department"])
    table.add_column(s["rows"], justify="right")
    for sev in F.SEVERITIES:
        table.add_column(s[sev], justify="right", style=SEV_STYLE[sev])
    table.add_column(s["waived"], justify="right", style="dim")
    fdep = found["department"].replace("", s["no_department"])
    is_waived = found["waived"].fillna("") != ""
    for name in dict.fromkeys(dep.tolist() + fdep.tolist()):  # + waiver findings' departments
        sub = found[(fdep == name) & ~is_waived]
        table.add_row(clean(name), str(int((dep == name).sum())),
                      *[str(int((sub["severity"] == sev).sum())) for sev in F.SEVERITIES],
                      str(int(((fdep == name) & is_waived).sum())))
    con.print(table)
    for name in dict.fromkeys(fdep.tolist()):
        sub = found[fdep == name]
        con.print(Text("\n" + clean(name).plain, style="bold"))
        for f in sub.itertuples():
            line = Text("  ")
            line.append(f"{s[f.severity]:<4}", style=SEV_STYLE[f.severity])
            line.append(f" {f.code} ", style="bold")
            line.append(clean(f.cell).plain, style="dim")
            if f.waived:
                line.append(f"  [{s['waived']}]", style="bold")
            con.print(line)
            con.print(clean(f"      {f.message}"))
            if f.expected:
                con.print(Text(clean(f"      → {s['expected']}: {f.expected}").plain, style="dim"))
            if clerk and f.fix:
                con.print(Text(clean(f"      → {s['fix']}: {f.fix}").plain, style="dim"))
            if f.waived:
                con.print(Text(clean(f"      {s['waived_reason']}: {f.waived}").plain, style="dim"))
    con.print(Text("\n" + summary_text(s, len(frame), found)))
    if written:
        con.print(Text(f"→ {out / 'index.html'}"))


@app.command(help="Accept the current findings: add waiver entries for them to a waiver file.\n\n"
                  "Runs the check and appends one entry per finding (department, project, indicator, code) "
                  "that the file does not waive yet. The tables are never written.")
def waive(
    paths: list[Path] = typer.Argument(..., help="CSV or .xlsx files to check."),
    waivers: Path = typer.Option(..., "--waivers", help="Waiver file (YAML) to add to; created when missing."),
    reason: str = typer.Option(..., "--reason", help="Why the findings are accepted."),
    by: str = typer.Option(..., "--by", help="Who accepts them."),
    expires: Optional[str] = typer.Option(None, "--expires", help="YYYY-MM-DD; default one year from today."),
    code: Optional[list[str]] = typer.Option(None, "--code", help="Only findings with this code or code prefix (repeatable)."),
    department: Optional[str] = typer.Option(None, "--department", help="Only this department (current or previous name)."),
    scale: Optional[str] = typer.Option(None, "--scale", help="Grading scale file, or a bundled preset (a-d, s-a-b-c, f-s-a-b-c-x-y-z, circles, achievement, rag)."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Rule catalog to use instead of the bundled one."),
    mapping: Optional[Path] = typer.Option(None, "--mapping", help="A plan's column aliases and indicator directions (YAML)."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help="Language of the messages (default: the configuration's, else ja)."),
    indicators: Optional[Path] = typer.Option(None, "--indicators", help="Indicator metadata (YAML)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Configuration file (default: found upwards, as for check)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore configuration files."),
) -> None:
    from datetime import date


    try:
        check_target(waivers, paths)
        if code:   # before the check runs: a typo stops at once
            _check_waive_codes(tuple(_split(code)), rules, config, no_config)
        today = date.today()
        until = parse_date(expires) if expires else one_year_after(today)
        existing = waivers if waivers.exists() else None
        # the same configuration as `check`, so the entries match what check will report
        result, _ = _run(paths, config, no_config, scale=scale, rules=rules, mapping=mapping,
                         department=department, lang=lang.value if lang else None, waivers=existing,
                         today=today, indicators=indicators)
        found = result.findings[~result.findings["code"].isin(registry.codes_of("waiver"))]
        if code:
            prefixes = tuple(_split(code))
            found = found[found["code"].str.upper().str.startswith(prefixes)]
        added = add_waivers(found, waivers, by, reason, until, today=today, inputs=paths)
    except HyokaError as exc:
        _fail(str(exc))
        return
    typer.echo(strings(result.options.lang)["waive_added"].format(n=len(added), path=waivers))


def _check_waive_codes(prefixes: tuple[str, ...], rules: Path | None, config: Path | None, no_config: bool) -> None:
    """``waive --code`` must name a rule code or prefix of the catalog in use (``--rules``, else
    the configuration's, else the bundled one), as select/ignore must: a typo would otherwise
    waive nothing and say so only as "0 added". W001/W002 cannot be waived."""
    if rules is None and not no_config and (cfg_path := config or find_config()):
        rules = load_config(cfg_path).rules
    known = registry.known_codes(load_catalog(rules)) - set(registry.codes_of("waiver"))
    if unknown := unknown_codes(list(prefixes), known):
        raise HyokaError(f"--code: no rule has the code or prefix {', '.join(repr(u) for u in unknown)} "
                         f"(`hyoka rules` lists them; W001/W002 are about the waiver file and cannot be waived)")


rules_app = typer.Typer(no_args_is_help=False, rich_markup_mode=None,
                        help="The rules: list them, explain one, write their documentation.")
app.add_typer(rules_app, name="rules")


@rules_app.callback(invoke_without_command=True)
def rules_list(
    ctx: typer.Context,
    lang: Lang = typer.Option(Lang.ja, "--lang"),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Rule catalog to list instead of the bundled one."),
) -> None:
    """List the rules: code, severity and title (`hyoka rules explain CODE` for one)."""
    if ctx.invoked_subcommand is not None:
        return

    try:
        catalog = load_catalog(rules)
    except HyokaError as exc:
        _fail(str(exc))
        return
    table = Table()
    for col in ("code", "severity", "title", "name"):
        table.add_column(col)
    # a --rules catalog lists its own rules; the bundled one every code hyoka reports
    codes = registry.rule_codes(catalog) if rules is not None else registry.all_codes(catalog)
    for c in codes.values():
        table.add_row(c.code, Text(c.severity, style=SEV_STYLE[c.severity]), clean(c.text("title", lang.value)), c.name)
    # piped output is not cut to 80 columns: titles are read by scripts and people alike
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)


def _explain(code: str, lang: Lang, rules: Optional[Path]) -> None:
    try:
        page = code_page(code.upper(), lang.value, load_catalog(rules))
        if page is None:
            _fail(f"no rule {code!r}; `hyoka rules` lists them")
            return
    except HyokaError as exc:
        _fail(str(exc))
        return
    sys.stdout.write(page)


@rules_app.command("explain")
def rules_explain(code: str, lang: Lang = typer.Option(Lang.ja, "--lang"),
                  rules: Optional[Path] = typer.Option(None, "--rules", help="Rule catalog (default: bundled).")) -> None:
    """Explain one rule: what it checks, why, the condition, an example and its finding, how to fix."""
    _explain(code, lang, rules)


@rules_app.command("docs")
def rules_docs(out: Path = typer.Option(Path("docs/rules"), "--out", help="Folder for the pages."),
               rules: Optional[Path] = typer.Option(None, "--rules", help="Rule catalog (default: bundled).")) -> None:
    """Write one Markdown page per rule (Japanese and English) and an index."""

    try:
        written = write_docs(out, load_catalog(rules))
    except (HyokaError, OSError) as exc:
        _fail(str(exc))
        return
    typer.echo(f"{len(written)} files → {out}")


@app.command("rule", help="Explain one rule (the same as `hyoka rules explain CODE`).")
def rule_cmd(code: str, lang: Lang = typer.Option(Lang.ja, "--lang")) -> None:
    _explain(code, lang, None)


@app.command("template", help="Write the department sheet to fill in (.xlsx): the header with year labels, "
                              "a drop-down of the scale's grades and of the departments, input hints, and the "
                              "scale's legend on its own sheet. A filled template passes `hyoka check` with no mapping.")
def template_cmd(
    out: Path = typer.Argument(..., help="The workbook to write (*.xlsx)."),
    scale: Optional[str] = typer.Option(None, "--scale", help="Grading scale file, or a bundled preset (a-d, s-a-b-c, f-s-a-b-c-x-y-z, circles, achievement, rag). Default a-d."),
    departments: Optional[Path] = typer.Option(None, "--departments", help="The plan's department list (YAML: departments, renames) for the drop-down."),
    years: str = typer.Option("R3,R9,R5", "--years", help="Year labels of baseline, target and current, comma-separated."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help="Language of the headers, hints and legend (default: the configuration's, else ja)."),
    force: bool = typer.Option(False, "--force", help="Overwrite OUT if it exists."),
    config: Optional[Path] = typer.Option(None, "--config", help="Configuration file whose scale, departments and lang are the defaults (default: found upwards, as for check)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore configuration files."),
) -> None:

    try:
        cfg_path = None if no_config else (config or find_config())
        if cfg_path:  # the sheet offers the grades and departments that `check` will accept
            cfg = load_config(cfg_path)
            scale = scale if scale is not None else cfg.scale
            departments = departments if departments is not None else cfg.departments
            lang = lang if lang is not None else (Lang(cfg.lang) if cfg.lang else None)
        lang = lang or Lang.ja
        names = (load_departments(departments)[0] or None) if departments else None
        written = write_template(out, load_scale(scale), names, parse_years(years), lang.value, overwrite=force)
    except HyokaError as exc:
        _fail(str(exc))
        return
    typer.echo(f"→ {written}")


@app.command("init", help="Adopt hyoka in a data repository: write hyoka.toml (with departments.yaml and an empty "
                          "waivers.yaml), a GitHub Actions workflow, a GitLab CI job and a pre-commit configuration "
                          "into DIR. Existing files are never changed: they are reported as kept.")
def init_cmd(
    folder: Path = typer.Argument(Path("."), metavar="DIR", help="The data repository's folder (default: the current one)."),
    source: Optional[str] = typer.Option(None, "--source", help="hyoka's git repository (URL or path) that CI installs and pre-commit uses. Default: a placeholder to replace."),
    rev: Optional[str] = typer.Option(None, "--rev", help="The tag or commit of hyoka to pin (default: v<version>)."),
    scale: str = typer.Option("a-d", "--scale", help="The plan's grading scale written to hyoka.toml (a preset or a scale file)."),
    lang: Lang = typer.Option(Lang.ja, "--lang", help="Language of the summary and of hyoka.toml's lang."),
) -> None:

    try:
        result = init_repository(folder, source=source or DEFAULT_SOURCE, rev=rev or DEFAULT_REV,
                                 scale=scale, lang=lang.value)
    except HyokaError as exc:
        _fail(str(exc))
        return
    sys.stdout.write(summary(result, lang.value))


export_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                         help="Export hyoka's checks for other tools.")
app.add_typer(export_app, name="export")


@export_app.command("gx", help="Write hyoka's checks as a Great Expectations (GX Core 1.x) Expectation Suite "
                               "for the normalised table: OUT/NAME.json, and OUT/NAME_unexpressed.json listing "
                               "the rules GX cannot express and why (also printed). With table files, also "
                               "OUT/normalised.parquet: their normalised table, the data the suite is for.")
def export_gx_cmd(
    paths: Optional[list[Path]] = typer.Argument(None, help="Tables to normalise into OUT/normalised.parquet (optional)."),
    out: Path = typer.Option(..., "--out", help="Folder for the suite."),
    name: str = typer.Option("hyoka", "--name", help="Suite name (and file name)."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Rule catalog to export instead of the bundled one."),
    scale: Optional[str] = typer.Option(None, "--scale", help="Grading scale the table is normalised with (recorded in the suite; used for PATHS)."),
    indicators: Optional[Path] = typer.Option(None, "--indicators", help="Indicator metadata (YAML), used for PATHS and recorded in the suite."),
    mapping: Optional[Path] = typer.Option(None, "--mapping", help="A plan's column aliases and indicator directions (YAML), for PATHS."),
    select: Optional[list[str]] = typer.Option(None, "--select", help="Export only these rule codes or prefixes."),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="Do not export these rule codes or prefixes."),
    config: Optional[Path] = typer.Option(None, "--config", help="Configuration file (select, ignore, severity, scale, indicators, margins)."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore configuration files."),
) -> None:

    try:
        cfg_path = None if no_config else (config or find_config())
        cfg = load_config(cfg_path) if cfg_path else None
        options = options_from(cfg, scale=scale, rules=rules, mapping=mapping, indicators=indicators,
                               select=_split(select), ignore=_split(ignore))
        done = export_gx(out, options, list(paths or []), name=name)
    except HyokaError as exc:
        _fail(str(exc))
        return
    con = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    suite = done.suite
    con.print(Text(f"{len(suite.suite['expectations'])} expectations for {len(suite.codes)} codes "
                   f"({', '.join(suite.codes)}) → {done.suite_path}"))
    if done.table_path:
        con.print(Text(f"normalised table → {done.table_path}"))
    con.print(Text(f"{len(suite.unexpressed)} not expressible in GX → {done.unexpressed_path}"))
    for u in suite.unexpressed:
        con.print(clean(f"  {u['code']} ({u['field']}): {u['reason']}"))
    import importlib.util
    if importlib.util.find_spec("great_expectations") is None:   # looked up, not imported
        con.print(Text("Great Expectations is not installed here: `pip install 'hyoka[gx]'` to run the suite "
                       "(hyoka.interop.gx.validate_with_gx, or your own GX project)."))


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Print the version.")) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)


def main() -> None:
    """Run the CLI. Usage mistakes (an unknown option, a bad value, a missing argument) are one
    line on stderr with exit 2, like every other error; ``--help`` and ``--version`` exit 0."""
    try:   # recent Typer carries its own copy of click's exceptions; older ones use click's
        from typer._click.exceptions import ClickException, UsageError
    except ImportError:
        from click.exceptions import ClickException, UsageError
    Abort = getattr(typer, "Abort", KeyboardInterrupt)

    try:
        code = app(standalone_mode=False)
    except SystemExit:
        raise
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":   # bare `hyoka`: the help, as before
            exc.show()
            sys.exit(2)
        where = f" (`{exc.ctx.command_path} --help` lists the options)" if exc.ctx else ""
        print("hyoka: error: " + " ".join(exc.format_message().split()) + where, file=sys.stderr)
        sys.exit(2)
    except Abort:   # Ctrl-C or end of input at a prompt
        print("hyoka: interrupted", file=sys.stderr)
        sys.exit(130)
    except ClickException as exc:
        print("hyoka: error: " + " ".join(exc.format_message().split()), file=sys.stderr)
        sys.exit(exc.exit_code if exc.exit_code else 2)
    except HyokaError as exc:
        print("hyoka: error: " + " ".join(str(exc).split()), file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # never a traceback for the user; HYOKA_DEBUG=1 shows it
        if os.environ.get("HYOKA_DEBUG"):
            raise
        print(f"hyoka: internal error: {type(exc).__name__}: {exc} (HYOKA_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
