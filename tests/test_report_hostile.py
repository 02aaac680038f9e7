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


def _table(path: Path, departments: list[str]) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, d in enumerate(departments):
            w.writerow(["（１）支援", f"事業{i}", d, "⑦", "A", "実施回数", "2回", "3回", "1回"])
    return path


def test_file_names_carry_no_control_or_direction_characters(tmp_path):
    names = [
        "\u202eexe.lmth",  # right-to-left override: 01_‮exe.lmth.html would read …html.exe
        "課\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069名",
        "a\x1b[31mb\x07c\x85d\x9be",  # C0 and C1 controls
        "zero\u200bwidth\ufeffjoin\u200d",
        "line\u2028sep\u2029",
        "健康増進課",
    ]
    out = tmp_path / "out"
    write_reports(run_check([_table(tmp_path / "t.csv", names)]), out)
    files = sorted(p.name for p in out.iterdir())
    assert all(name.isprintable() and " " not in name for name in files), files
    assert [f for f in files if f.endswith(".html") and f != "index.html"] == [
        "01_exe.lmth.html",
        "02_課__________名.html",
        "03_a_[31mb_c_d_e.html",
        "04_zero_width_join.html",
        "05_line_sep.html",
        "06_健康増進課.html",
    ]
