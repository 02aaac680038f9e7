"""The report folder against hostile names and failures (#15): Markdown that no cell can break
out of, file names without control or direction characters, a report that stays whole until the
new one is complete, no report file over an input, and a cap on the department pages."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from hyoka.errors import HyokaError
from hyoka.options import CheckOptions
from hyoka.output import report
from hyoka.output.formats.markdown import to_markdown
from hyoka.output.report import PAGE_CAP, write_reports
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


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of ``folder`` (hidden ones too) and its bytes; a subfolder as ``name/``."""
    return {p.name + ("/" if p.is_dir() else ""): b"" if p.is_dir() else p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_run_that_fails_midway_leaves_the_previous_report_whole(tmp_path, monkeypatch, failure):
    out = tmp_path / "out"
    (out).mkdir()
    (out / "notes.txt").write_text("the coordinator's own file", encoding="utf-8")
    write_reports(run_check([_table(tmp_path / "old.csv", ["財政課", "健康増進課", "社会福祉課"])]), out)
    before = _snapshot(out)
    assert sorted(before) == [
        ".hyoka-manifest.json",
        "01_財政課.html",
        "01_財政課.md",
        "02_健康増進課.html",
        "02_健康増進課.md",
        "03_社会福祉課.html",
        "03_社会福祉課.md",
        "findings.json",
        "index.html",
        "notes.txt",
    ]
    calls = []
    real = report.atomic_write

    def failing(path, text, **kw):  # the third page of the new report cannot be written
        calls.append(Path(path).name)
        if len(calls) == 3:
            raise failure
        real(path, text, **kw)

    monkeypatch.setattr(report, "atomic_write", failing)
    new = run_check([_table(tmp_path / "new.csv", ["財政課", "危機管理課", "交通防犯課", "生涯学習課"])])
    with pytest.raises(HyokaError if isinstance(failure, OSError) else KeyboardInterrupt) as caught:
        write_reports(new, out)
    assert calls == ["01_財政課.html", "01_財政課.md", "02_危機管理課.html"]
    if isinstance(failure, OSError):
        assert "No space left on device" in str(caught.value) and str(out) in str(caught.value)
    assert _snapshot(out) == before  # byte for byte, and no staging folder left
    monkeypatch.setattr(report, "atomic_write", real)
    write_reports(new, out)  # the next run replaces the report whole: no page of the old one stays
    assert sorted(p.name for p in out.glob("0*")) == [
        f"{i:02d}_{n}.{e}"
        for i, n in enumerate(["財政課", "危機管理課", "交通防犯課", "生涯学習課"], 1)
        for e in ("html", "md")
    ]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the coordinator's own file"


@pytest.mark.skipif(os.name != "posix", reason="the staging folders' locks are POSIX flock")
def test_a_killed_runs_staging_folder_is_removed_and_a_live_ones_kept(tmp_path):
    import fcntl

    out = tmp_path / "out"
    dead, live = out / ".hyoka-staging.dead", out / ".hyoka-staging.live"
    for d in (dead, live):
        d.mkdir(parents=True)
        (d / "01_a.html").write_text("half", encoding="utf-8")
        (d / ".lock").touch()
    held = os.open(live / ".lock", os.O_RDWR)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another run, writing now
        write_reports(run_check([_table(tmp_path / "t.csv", ["財政課"])]), out)
        assert not dead.exists() and (live / "01_a.html").exists()
        assert [p.name for p in out.glob(".hyoka-staging.*")] == [live.name]  # its own is gone too
    finally:
        os.close(held)


@pytest.mark.parametrize("name", ["findings.json", "index.html", "01_財政課.md", ".hyoka-manifest.json"])
def test_no_report_file_replaces_a_file_the_run_reads(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    waivers = out / name  # a waiver list saved in the report folder under a report file's name
    waivers.write_text("waivers: []\n", encoding="utf-8")
    with pytest.raises(HyokaError) as caught:
        write_reports(run_check([_table(tmp_path / "t.csv", ["財政課"])], CheckOptions(waivers=waivers)), out)
    assert caught.value.say("ja") == (
        f"報告のファイル {waivers}: 入力ファイル（{waivers}）です。別の名前かフォルダを指定してください"
    )
    assert _snapshot(out) == {name: b"waivers: []\n"}  # nothing written, not even a staging folder


def test_over_the_page_cap_departments_with_findings_get_pages_and_the_rest_a_line(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "PAGE_CAP", 3)
    names = ["課A", "課B", "課C", "課D", "課E"]
    path = tmp_path / "t.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, d in enumerate(names):  # 課B and 課D graded A with a falling value (G002); the others fine
            current = "1回" if d in ("課B", "課D") else "3回"
            w.writerow(["（１）支援", f"事業{i}", d, "⑦", "A", "実施回数", "2回", "3回", current])
    out = tmp_path / "out"
    write_reports(run_check([path]), out)
    pages = sorted(p.name for p in out.glob("0*.html"))
    assert pages == ["01_課A.html", "02_課B.html", "04_課D.html"]  # B and D first, then A in table order
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "担当課が5あるため、ページは3課分だけ作りました" in index and "ページのない2課" in index
    assert "<td>課C</td>" in index and "<td>課E</td>" in index  # listed in the table, without a link
    assert 'href="03_' not in index and 'href="04_課D.html"' in index
    assert PAGE_CAP == 200  # the cap the README states


def test_direction_controls_are_shown_not_obeyed_on_pages(tmp_path):
    """Found by the #15 try-out: a department named x + U+202E + exe.lmth read 「xhtml.exe」 in the
    index and on its page (the browser obeyed the override). Pages and Markdown show the control as
    the escape the terminal uses; findings.json keeps the value as published."""
    name = "x\u202eexe.lmth"
    p = tmp_path / "d.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, ROWS[0][:2] + [name] + ROWS[0][3:]])
    written = write_reports(run_check([p]), tmp_path / "out")
    pages = [w for w in written if w.suffix in (".html", ".md")]
    assert sorted(w.name for w in pages) == ["01_x_exe.lmth.html", "01_x_exe.lmth.md", "index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "\u202e" not in text, page.name
        # in Markdown the backslash is escaped itself (it renders as x\u202eexe.lmth)
        assert ("x\\\\u202eexe.lmth" if page.suffix == ".md" else "x\\u202eexe.lmth") in text, page.name
    assert name in (tmp_path / "out" / "findings.json").read_text(encoding="utf-8")
