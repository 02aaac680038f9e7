"""The report folder against hostile names and failures (#15): Markdown that no cell can break
out of, file names without control or direction characters, a report that stays whole until the
new one is complete, no report file over an input, and a cap on the department pages."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from hyoka.output.formats.markdown import to_markdown
from hyoka.output.report import write_reports
from hyoka.pipeline import run_check

from .corpus import HEADER, ROWS, write_xlsx

#: a sheet name that starts an HTML line and splits a table cell, with a lone CR (a line end in CommonMark)
SHEET = "a\n<img src=x onerror=f()>|b\r<b>"


def _hostile_book(tmp_path: Path) -> Path:
    rows = [list(r) for r in ROWS]
    rows[0][1] = "研修|x\r<script>alert(1)</script>"  # a project name with the same tricks
    return write_xlsx(tmp_path / "book.xlsx", [(SHEET, [HEADER, *rows], "visible")])


def _md_tokens(text: str):
    md = MarkdownIt("commonmark").enable("table")
    for t in md.parse(text):
        yield t
        yield from t.children or []


def _check_markdown(text: str, widths: set[int]) -> None:
    """No HTML but the <br> the escape writes, and every table row as wide as its header."""
    tokens = list(_md_tokens(text))
    assert [t.content for t in tokens if t.type.startswith("html") and t.content != "<br>"] == []
    cells, row_widths = 0, []
    for t in tokens:
        if t.type == "tr_open":
            cells = 0
        elif t.type in ("td_open", "th_open"):
            cells += 1
        elif t.type == "tr_close":
            row_widths.append(cells)
    assert row_widths and set(row_widths) <= widths, row_widths
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert all(line.endswith("|") for line in lines)


def test_department_markdown_escapes_every_cell(tmp_path):
    result = run_check([_hostile_book(tmp_path)])
    out = tmp_path / "out"
    write_reports(result, out)
    page = (out / "01_市民協働推進課.md").read_text(encoding="utf-8")
    assert "G002" in page and "\\|b<br>&lt;b&gt;" in page  # the sheet name, escaped, in the cell column
    _check_markdown(page, {9, 8})  # the findings table (9 columns) and the rows table (8)


def test_markdown_format_escapes_every_cell(tmp_path):
    text = to_markdown(run_check([_hostile_book(tmp_path)]))
    assert "G002" in text
    _check_markdown(text, {6})
