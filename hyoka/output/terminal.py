"""The findings for people, in a terminal (``hyoka check``'s text format).

:func:`print_text` prints the rich table 担当課別の指摘件数 (rows and findings per department and
severity, waived apart), each department's findings (severity, code, cell, message, expected
value, how to fix it, waiver reason) and the summary line. Cell text is printed literally: no
rich markup, control characters shown as escapes (:func:`clean`, :func:`hyoka.display.visible`),
and a long cell value quoted in a finding shown by its first characters and its length
(:func:`hyoka.display.shorten`; the JSON, CSV and report files keep it whole).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hyoka.check import findings as F
from hyoka.display import KEEP, SLACK, shorten, shorten_within, visible
from hyoka.output.places import with_cells
from hyoka.output.report import skipped_line, strings, summary_text

SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
#: a finding's text longer than this after its long cell values are shortened is cut too
MAX_TEXT = 500


def clean(text: object) -> Text:
    """Cell text for the terminal: printed literally (no rich markup) with control characters
    (escape sequences, bells, carriage returns, bidirectional controls) shown as escapes."""
    return Text(visible(text))


def long_values(frame: pd.DataFrame, rows: pd.Series) -> dict[int, list[str]]:
    """For the rows ``rows`` (a finding's ``row_index``: the label of its row in the normalised
    ``frame``, which a ``--department`` run has filtered; -1 for none) the text cells longer than
    :func:`~hyoka.display.shorten` shows whole: row label → [texts]. Only the rows given are looked
    at, one text column at a time."""
    at = frame.index.intersection(sorted({int(i) for i in rows if i >= 0}))
    if not len(at):
        return {}
    sub = frame.loc[at]
    out: dict[int, list[str]] = {}
    for c in sub.columns:
        if sub[c].dtype == object or isinstance(sub[c].dtype, pd.StringDtype):
            col = sub[c].astype("string")
            long = col[col.str.len().fillna(0) > KEEP + SLACK]
            for label, value in zip(long.index, long.tolist()):
                out.setdefault(int(label), []).append(value)
    return out


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
            clean(shorten(name, result.options.lang)),
            str(int((dep == name).sum())),
            *[str(int((sub["severity"] == sev).sum())) for sev in F.SEVERITIES],
            str(int(((fdep == name) & is_waived).sum())),
        )
    con.print(table)
    lang = result.options.lang
    longs = long_values(frame, found["row_index"])

    def short(text: object, row: int) -> str:  # the row's long cell values shortened, then the whole
        return shorten(shorten_within(str(text), longs.get(int(row), []), lang), lang, MAX_TEXT)

    for name in dict.fromkeys(fdep.tolist()):
        sub = found[fdep == name]
        con.print(Text("\n" + clean(shorten(name, lang)).plain, style="bold"))
        for f in sub.itertuples():
            line = Text("  ")
            line.append(f"{s[f.severity]:<4}", style=SEV_STYLE[f.severity])
            line.append(f" {f.code} ", style="bold")
            line.append(clean(shorten(f.cell, lang)).plain, style="dim")
            if f.waived:
                line.append(f"  [{s['waived']}]", style="bold")
            con.print(line)
            con.print(clean(f"      {short(f.message, f.row_index)}"))
            if f.expected:
                con.print(Text(clean(f"      → {s['expected']}: {short(f.expected, f.row_index)}").plain, style="dim"))
            if f.fix:
                con.print(Text(clean(f"      → {s['fix']}: {short(f.fix, f.row_index)}").plain, style="dim"))
            if f.waived:
                shown = short(f.waived, f.row_index)
                con.print(Text(clean(f"      {s['waived_reason']}: {shown}").plain, style="dim"))
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
