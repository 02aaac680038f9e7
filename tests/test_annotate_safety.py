"""The annotated copy under hostile and awkward workbooks (#15): bounded before openpyxl loads a
workbook (a summary-only copy over a bound, said on stderr and in the report), one copy per
workbook whatever the names, an edited copy kept, and hyoka's own marks replaced when an annotated
copy is checked again. Every expected value below was worked out by hand from the generated file.

The table (tests/corpus.py's table_xlsx): a title in row 1, the header in row 2, data from row 3;
column E is 事業の評価. 市職員研修 (2回 → 1回, graded A) and 協働講座 (100人 → 90人, graded A)
are each one G002 on their grade: E3 and E4 when both rows are there.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from hyoka.errors import msg
from hyoka.output import annotate as A
from hyoka.output.report import MANIFEST, recorded_digests
from hyoka.pipeline import run_check

from .corpus import ROWS, _sheet1, rewrite_zip, table_xlsx, write_csv
from .inprocess import run_cli


def hyoka(*args, cwd):
    return run_cli(*map(str, args), text=True, cwd=cwd)


def merged(path: Path, refs: list[str]) -> Path:
    body = f'<mergeCells count="{len(refs)}">'.encode() + b"".join(f'<mergeCell ref="{r}"/>'.encode() for r in refs)
    return rewrite_zip(
        path, _sheet1(lambda x: x.replace(b"</sheetData>", b"</sheetData>" + body + b"</mergeCells>", 1))
    )


def rename_sheet(path: Path, name: bytes) -> Path:
    """The sheet 評価シート renamed in the workbook part only, bytes as given (a literal line
    break, a ``]``: what openpyxl would never write)."""
    return rewrite_zip(path, lambda n, x: x.replace("評価シート".encode(), name) if n == "xl/workbook.xml" else x)


def sheet_rows(path: Path, sheet: str = "hyoka指摘一覧") -> list[list]:
    return [list(r) for r in load_workbook(path)[sheet].iter_rows(min_row=2, max_col=2, values_only=True)]


# --- measuring before openpyxl ---------------------------------------------------------------


def test_measure_counts_what_openpyxl_would_build(tmp_path):
    """37 cells (a title, 9 header cells, 3 rows of 9) in 5 rows, 2 cell formats (openpyxl's
    cellStyleXfs and cellXfs hold one each); a merge of A100:XFD1048576 covers 16,384 columns ×
    1,048,477 rows = 17,178,247,168 cells."""
    plain = A.measure(table_xlsx(tmp_path / "t.xlsx"))
    assert {k: plain.counts[k] for k in ("cells", "merged", "styles")} == {"cells": 42, "merged": 0, "styles": 2}
    assert plain.titles == ["評価シート"] and plain.renames == {} and plain.over() is None
    big = A.measure(merged(table_xlsx(tmp_path / "m.xlsx"), ["A100:XFD1048576"]))
    assert big.counts["cells"] == 42 + 17_178_247_168 and big.counts["merged"] == 1
    assert big.over() == msg("annotate_too_large", what=msg("annotate_limit_cells", limit=400_000))
    assert big.over().say("ja") == "シートごとコピーするには大きすぎます（セルが 400,000 個を超えます）"


def test_a_sheet_part_named_by_many_sheets_counts_each_time(tmp_path):
    """openpyxl reads a part once for each <sheet> naming it: 3 entries for one part of 42
    cells count 126."""
    p = table_xlsx(tmp_path / "t.xlsx")

    def three(name, data):
        if name != "xl/workbook.xml":
            return data
        entry = re.search(rb"<sheet [^>]*/>", data).group(0)
        more = entry.replace("評価シート".encode(), b"x2").replace(b'sheetId="1"', b'sheetId="2"')
        more += entry.replace("評価シート".encode(), b"x3").replace(b'sheetId="1"', b'sheetId="3"')
        return data.replace(entry, entry + more)

    rewrite_zip(p, three)
    size = A.measure(p)
    assert size.titles == ["評価シート", "x2", "x3"] and size.counts["cells"] == 3 * 42


@pytest.mark.parametrize(
    "build, reason",
    [
        (lambda p: merged(p, ["A100:XFD1048576"]), "セルが 400,000 個を超えます"),
        (lambda p: merged(p, [f"A{r}:B{r}" for r in range(100, 20_102)]), "セルの結合が 20,000 個を超えます"),
        (
            lambda p: rewrite_zip(
                p,
                lambda n, x: (
                    re.sub(
                        rb"<cellXfs.*?</cellXfs>",
                        b'<cellXfs count="70000">' + b"<xf/>" * 70_000 + b"</cellXfs>",
                        x,
                        flags=re.S,
                    )
                    if n == "xl/styles.xml"
                    else x
                ),
            ),
            "セルの書式が 65,490 個を超えます",
        ),
    ],
    ids=["merge_to_XFD1048576", "20001_merged_ranges", "70000_cell_formats"],
)
def test_over_a_bound_the_copy_is_the_findings_sheet_alone(tmp_path, build, reason):
    book = build(table_xlsx(tmp_path / "t.xlsx"))
    found = run_check([book]).findings
    done = A.annotate(book, tmp_path / "t.hyoka.xlsx", found)
    assert done.summary_only.say("ja") == f"シートごとコピーするには大きすぎます（{reason}）"
    assert load_workbook(done.path).sheetnames == ["hyoka指摘一覧"]
    assert sheet_rows(done.path) == [["警告", "評価シート!E3"], ["警告", "評価シート!E4"]]
    assert load_workbook(done.path)["hyoka指摘一覧"]["B2"].hyperlink is None  # no sheet to link to


def test_an_openpyxl_failure_gives_the_findings_sheet_alone(tmp_path, monkeypatch):
    book = table_xlsx(tmp_path / "t.xlsx")
    found = run_check([book]).findings

    def broken(*a, **k):
        raise KeyError("There is no item named 'xl/sharedStrings.xml' in the archive")

    monkeypatch.setattr("openpyxl.load_workbook", broken)
    done = A.annotate(book, tmp_path / "t.hyoka.xlsx", found, lang="en")
    assert done.summary_only.say("en") == "openpyxl cannot open or save the workbook (KeyError)"
    monkeypatch.undo()
    assert sheet_rows(done.path, "hyoka findings") == [["Warning", "評価シート!E3"], ["Warning", "評価シート!E4"]]


def test_the_check_reports_a_summary_only_copy_in_one_line_and_on_its_pages(tmp_path):
    shutil.copy(merged(table_xlsx(tmp_path / "src.xlsx"), ["A100:XFD1048576"]), tmp_path / "調書.xlsx")
    r = hyoka("check", "調書.xlsx", "--out", "out", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert r.returncode == 0
    assert r.stderr.splitlines() == [
        "hyoka: 警告: 調書.xlsx: 指摘を書き込んだブック out/調書.hyoka.xlsx には指摘一覧のシートだけを書きました"
        "（シートごとコピーするには大きすぎます（セルが 400,000 個を超えます））。元のブックは変わりません"
    ]
    assert [f["cell"] for f in json.loads(r.stdout)] == ["[調書.xlsx]評価シート!E3", "[調書.xlsx]評価シート!E4"]
    note = "（指摘一覧のシートだけ：シートごとコピーするには大きすぎます（セルが 400,000 個を超えます））"
    assert note in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert note in (tmp_path / "out" / "01_市民協働推進課.html").read_text(encoding="utf-8")
    assert note in (tmp_path / "out" / "01_市民協働推進課.md").read_text(encoding="utf-8")
    r = hyoka("check", "調書.xlsx", "--annotate", "one.xlsx", "--no-report", "--lang", "en", cwd=tmp_path)
    assert r.stderr.splitlines()[0] == (
        "hyoka: warning: 調書.xlsx: the annotated copy one.xlsx holds the findings sheet only (too large to copy "
        "with its sheets (more than 400,000 cells)); the workbook itself is unchanged"
    )
    assert load_workbook(tmp_path / "one.xlsx").sheetnames == ["hyoka findings"]


# --- one copy per workbook --------------------------------------------------------------------


def test_two_same_named_workbooks_get_a_copy_each_with_their_own_findings(tmp_path):
    for folder, row in (("a", ROWS[0]), ("b", ROWS[1])):
        (tmp_path / folder).mkdir()
        table_xlsx(tmp_path / folder / "調書.xlsx", rows=[row])
    r = hyoka("check", "a/調書.xlsx", "b/調書.xlsx", "--out", "out", "--fail-on", "never", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for name, indicator in (("a_調書.hyoka.xlsx", "「実施回数」"), ("b_調書.hyoka.xlsx", "「参加者数」")):
        wb = load_workbook(tmp_path / "out" / name)
        assert indicator in wb["評価シート"]["E3"].comment.text
        assert [r[1] for r in sheet_rows(tmp_path / "out" / name)] == ["評価シート!E3"]


def test_names_that_sanitise_alike_get_distinct_copies_in_any_order(tmp_path):
    """`a b` and `a_b` both sanitise to a_b: the name that needed no change keeps it."""
    table_xlsx(tmp_path / "a b.xlsx", rows=[ROWS[0]])
    table_xlsx(tmp_path / "a_b.xlsx", rows=[ROWS[1]])
    for order in (("a b.xlsx", "a_b.xlsx"), ("a_b.xlsx", "a b.xlsx")):
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
        assert hyoka("check", *order, "--out", "out", "--fail-on", "never", cwd=tmp_path).returncode == 0
        out = tmp_path / "out"
        assert sorted(p.name for p in out.glob("*.xlsx")) == ["a_b-2.hyoka.xlsx", "a_b.hyoka.xlsx"]
        assert "「参加者数」" in load_workbook(out / "a_b.hyoka.xlsx")["評価シート"]["E3"].comment.text
        assert "「実施回数」" in load_workbook(out / "a_b-2.hyoka.xlsx")["評価シート"]["E3"].comment.text
        index = (out / "index.html").read_text(encoding="utf-8")
        assert 'a b.xlsx<span class="codes"><a href="a_b-2.hyoka.xlsx">' in index


def test_names_differing_in_case_only_get_distinct_copies(tmp_path):
    from hyoka.output.report import _annotated_targets

    class Book:
        def __init__(self, name):
            self.source, self.path = name, str(tmp_path / name)

    books = [Book("a.XLSX"), Book("A.xlsx"), Book("t.csv")]
    assert [(t.source, p.name, why) for t, p, why in _annotated_targets(tmp_path, books)] == [
        ("a.XLSX", "a-2.hyoka.xlsx", None),
        ("A.xlsx", "A.hyoka.xlsx", None),
    ]


# --- awkward names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "file, sheet, copy_sheet",
    [
        ("x]y.xlsx", "評価シート".encode(), "評価シート"),
        ("t.xlsx", "評価]シート".encode(), "評価］シート"),  # openpyxl refuses ] in a sheet's name
        ("t.xlsx", b"a/b:c", "a／b：c"),
        ("t.xlsx", "評価\nシート".encode(), "評価 シート"),  # a literal line break: a space to XML
        ("t.xlsx", "評価&#10;シート".encode(), "評価\nシート"),  # a character reference: a line break
    ],
    ids=["bracket_in_file", "bracket_in_sheet", "slash_colon_in_sheet", "newline_in_sheet", "newline_ref_in_sheet"],
)
def test_awkward_names_keep_their_findings_on_their_cells(tmp_path, file, sheet, copy_sheet):
    book = rename_sheet(table_xlsx(tmp_path / file), sheet)
    found = run_check([book]).findings
    assert len(found) == 2
    done = A.annotate(book, tmp_path / "copy.xlsx", found)
    assert done.summary_only is None
    wb = load_workbook(done.path)
    assert wb.sheetnames == ["hyoka指摘一覧", copy_sheet, "hyoka_marks"]
    assert "「実施回数」" in wb[copy_sheet]["E3"].comment.text and "「参加者数」" in wb[copy_sheet]["E4"].comment.text
    assert sheet_rows(done.path) == [["警告", f"{copy_sheet}!E3"], ["警告", f"{copy_sheet}!E4"]]
    assert wb["hyoka指摘一覧"]["B2"].hyperlink.location == f"'{copy_sheet}'!E3"


# --- an edited copy is kept -------------------------------------------------------------------


def test_a_copy_edited_since_hyoka_wrote_it_is_kept(tmp_path):
    table_xlsx(tmp_path / "調書.xlsx")
    out = tmp_path / "reports"
    copy = out / "調書.hyoka.xlsx"
    run = ("check", "調書.xlsx", "--fail-on", "never", "--lang", "en")
    assert hyoka(*run, cwd=tmp_path).stderr == ""
    first = copy.read_bytes()
    assert recorded_digests(out) == {"調書.hyoka.xlsx": __import__("hashlib").sha256(first).hexdigest()}
    assert hyoka(*run, cwd=tmp_path).stderr == ""  # unchanged: replaced, by the same bytes
    assert copy.read_bytes() == first and sorted(p.name for p in out.glob("*.xlsx")) == ["調書.hyoka.xlsx"]

    wb = load_workbook(copy)  # the clerk fixes a grade in the copy
    wb["評価シート"]["E3"] = "C"
    wb.save(copy)
    edited = copy.read_bytes()
    r = hyoka(*run, cwd=tmp_path)
    assert r.stderr.splitlines() == [
        "hyoka: warning: reports/調書.hyoka.xlsx was changed after hyoka wrote it, so it is kept and the new "
        "copy is reports/調書-2.hyoka.xlsx"
    ]
    assert copy.read_bytes() == edited
    assert (out / "調書-2.hyoka.xlsx").read_bytes() == first  # the same findings, the same bytes
    files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert "調書.hyoka.xlsx" not in files and "調書-2.hyoka.xlsx" in files  # the user's file now

    r = hyoka(*run, cwd=tmp_path)  # again: the edited copy is not hyoka's, -2 is and is replaced
    assert r.stderr.splitlines() == [
        "hyoka: warning: reports/調書.hyoka.xlsx is not a copy as hyoka wrote it, so it is kept and the new "
        "copy is reports/調書-2.hyoka.xlsx"
    ]
    assert copy.read_bytes() == edited and sorted(p.name for p in out.glob("*.xlsx")) == [
        "調書-2.hyoka.xlsx",
        "調書.hyoka.xlsx",
    ]


def test_a_stale_copy_edited_by_the_user_is_not_removed(tmp_path):
    """Run 1 writes a copy; the user edits it; the workbook is no longer checked (run 2 checks a
    CSV): the stale copy stays, and leaves the manifest."""
    table_xlsx(tmp_path / "調書.xlsx")
    write_csv(tmp_path / "t.csv")
    assert hyoka("check", "調書.xlsx", "--out", "o", "--fail-on", "never", cwd=tmp_path).returncode == 0
    copy = tmp_path / "o" / "調書.hyoka.xlsx"
    copy.write_bytes(copy.read_bytes() + b"\0")
    r = hyoka("check", "t.csv", "--out", "o", "--fail-on", "never", cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr
    assert copy.is_file() and "調書.hyoka.xlsx" not in recorded_digests(tmp_path / "o")


def test_a_manifest_without_digests_still_owns_its_copy(tmp_path):
    """A report folder written before #15 records names only: its copy is hyoka's, replaced
    without a word."""
    table_xlsx(tmp_path / "調書.xlsx")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "調書.hyoka.xlsx").write_bytes(b"old")
    (out / MANIFEST).write_text(json.dumps({"files": {"調書.hyoka.xlsx": ""}}), encoding="utf-8")
    r = hyoka("check", "調書.xlsx", "--fail-on", "never", cwd=tmp_path)
    assert r.stderr == "" and zipfile.is_zipfile(out / "調書.hyoka.xlsx")
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["調書.hyoka.xlsx"]


# --- checking an annotated copy again -----------------------------------------------------------


def test_checking_an_annotated_copy_replaces_hyokas_marks(tmp_path):
    """E3 (市職員研修) had a green fill, E4 (協働講座) a yellow one and the clerk's comment. The
    first copy marks both; the clerk fixes E3's grade in the copy and checks the copy: the new
    copy has one findings sheet, E3 back to green without a comment, E4 with the clerk's comment
    and hyoka's text once, in hyoka's yellow; the findings sheet is not read as a table."""
    book = table_xlsx(tmp_path / "調書.xlsx")
    wb = load_workbook(book)
    ws = wb["評価シート"]
    ws["E3"].fill = PatternFill("solid", fgColor="E2EFDA")
    ws["E4"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["E4"].comment = Comment("確認済み", "田中")
    wb.save(book)
    assert hyoka("check", "調書.xlsx", "--fail-on", "never", cwd=tmp_path).returncode == 0
    copy = tmp_path / "reports" / "調書.hyoka.xlsx"
    first = load_workbook(copy)
    e4 = first["評価シート"]["E4"].comment.text
    assert e4.startswith("確認済み\n---\n[G002 警告]") and e4.count("[G002") == 1
    marks = [list(r) for r in first["hyoka_marks"].iter_rows(values_only=True)]
    assert [m[:2] + m[3:] for m in marks] == [
        ["sheet", "cell", "comment", "author"],
        ["評価シート", "E3", None, None],
        ["評価シート", "E4", "確認済み", "田中"],
    ]
    first["評価シート"]["E3"] = "C"  # the clerk's fix, in the copy
    first.save(copy)

    r = hyoka("check", "reports/調書.hyoka.xlsx", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert [f["cell"] for f in found] == ["[調書.hyoka.xlsx]評価シート!E4"]  # nothing from the findings sheet
    again = load_workbook(tmp_path / "reports" / "調書.hyoka.hyoka.xlsx")
    assert again.sheetnames == ["hyoka指摘一覧", "評価シート", "hyoka_marks"]
    assert sheet_rows(tmp_path / "reports" / "調書.hyoka.hyoka.xlsx") == [["警告", "評価シート!E4"]]
    ws = again["評価シート"]
    assert ws["E3"].comment is None and ws["E3"].fill.fgColor.rgb == "00E2EFDA"
    assert ws["E4"].comment.text == e4 and ws["E4"].fill.fgColor.rgb == "00FFEB9C"
    marks = [list(r) for r in again["hyoka_marks"].iter_rows(values_only=True)]
    assert [m[:2] + m[3:] for m in marks][1:] == [["評価シート", "E4", "確認済み", "田中"]]
    assert 'fgColor rgb="00FFFF00"' in marks[1][2]  # the clerk's yellow, to restore next time


def test_an_older_copy_loses_hyokas_signed_comments_and_fills(tmp_path):
    """A copy written before the marks sheet: hyoka's comments (signed "hyoka") and its fills
    are removed before the new ones are written, so nothing stacks."""
    book = table_xlsx(tmp_path / "t.xlsx")
    found = run_check([book]).findings
    first = A.annotate(book, tmp_path / "c1.xlsx", found).path
    wb = load_workbook(first)
    wb.remove(wb["hyoka_marks"])
    wb.save(first)
    again = A.annotate(first, tmp_path / "c2.xlsx", found, source="t.xlsx").path
    ws = load_workbook(again)["評価シート"]
    assert ws["E3"].comment.text.count("[G002") == 1 and "---" not in ws["E3"].comment.text
    assert load_workbook(again).sheetnames == ["hyoka指摘一覧", "評価シート", "hyoka_marks"]


def test_more_findings_than_the_bound_give_the_findings_sheet_alone_cut_short(tmp_path, monkeypatch):
    """With a bound of one finding, the two G002 make a copy of the findings sheet alone: the
    first finding (E3) and a row saying one more."""
    monkeypatch.setitem(A.LIMITS, "findings", 1)
    book = table_xlsx(tmp_path / "t.xlsx")
    done = A.annotate(book, tmp_path / "c.xlsx", run_check([book]).findings)
    assert done.summary_only.say("ja") == "シートごとコピーするには大きすぎます（セルへの指摘 2 件、上限は 1 件）"
    assert sheet_rows(done.path) == [["警告", "評価シート!E3"], ["ほか 1 件（hyoka の報告に全件があります）", None]]
    assert load_workbook(done.path)["hyoka指摘一覧"].auto_filter.ref == "A1:J2"
