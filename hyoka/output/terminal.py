"""The findings for people, in a terminal (``hyoka check``'s text format).

:func:`print_text` prints the rich table 担当課別の指摘件数 (rows and findings per department and
severity, waived apart), each department's findings (severity, code, cell, message, expected
value, how to fix it, waiver reason) and the summary line. Cell text is
printed literally: no rich markup, control characters removed (:func:`clean`).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hyoka.check import findings as F
from hyoka.output.places import with_cells
from hyoka.output.report import skipped_line, strings, summary_text

SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_CONTROL = dict.fromkeys(c for c in range(0x20) if c not in (9, 10)) | dict.fromkeys(range(0x7F, 0xA0))


def clean(text: object) -> Text:
    """Cell text for the terminal: printed literally (no rich markup) with control characters
    (escape sequences, bells, carriage returns) removed."""
    return Text(str(text).translate(_CONTROL))


def print_text(result, written: list[Path], out: Path, con: Console | None = None) -> None:
    """Print ``result`` (a :class:`hyoka.pipeline.CheckResult`) to ``con`` (default: stdout,
    soft-wrapped when piped); ``written``: the report files, when any were written to ``out``."""
    s = strings(result.options.lang)
    con = con or Console(highlight=False, soft_wrap=not sys.stdout.isatty())
    found = with_cells(result)
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
        table.add_row(
            clean(name),
            str(int((dep == name).sum())),
            *[str(int((sub["severity"] == sev).sum())) for sev in F.SEVERITIES],
            str(int(((fdep == name) & is_waived).sum())),
        )
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
            if f.fix:
                con.print(Text(clean(f"      → {s['fix']}: {f.fix}").plain, style="dim"))
            if f.waived:
                con.print(Text(clean(f"      {s['waived_reason']}: {f.waived}").plain, style="dim"))
    con.print(Text("\n" + summary_text(s, len(frame), found)))
    if skipped := skipped_line(result, s):
        con.print(Text(clean(skipped).plain, style="dim"))
    if written:
        con.print(Text(f"→ {out / 'index.html'}"))


def render_text(result, written: list[Path], out: Path) -> bytes:
    """What :func:`print_text` prints, as UTF-8 for a file (``--output``): no colour, 120 columns."""
    buf = io.StringIO()
    print_text(result, written, out, Console(file=buf, highlight=False, no_color=True, width=120, soft_wrap=True))
    return buf.getvalue().encode("utf-8")


def print_summary(result, output: Path) -> None:
    """The one line the terminal gets when the findings went to the file ``output``."""

    s = strings(result.options.lang)
    Console(highlight=False, soft_wrap=True).print(
        Text(summary_text(s, len(result.frame), result.findings) + f" → {output}")
    )
