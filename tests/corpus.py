"""A corpus of bad and hostile input files, generated at test time (nothing binary is committed).

``CASES`` lists every case by name, in order; ``build(folder)`` writes every case's file into
``folder`` and returns ``{name: Case}``. Each case says what the CLI must do with it:

- ``expect="error"``: exit 2 with exactly one stderr line ``hyoka: error: …`` (run with ``--lang en``) naming the file and
  every string of ``where`` (sheet, row, column) and ``error_has`` (the reason);
- ``expect="findings"``: exit 0/1 and a JSON array of findings on stdout, holding every string of
  ``json_has`` literally;
- ``expect="either"``: one of the two (readable-but-odd input whose verdict is a policy choice).

Files are built with the standard library, openpyxl and zipfile only (the PDF cases copy the
committed example PDFs or write small PDFs by hand). Random bytes are seeded.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HEADER = [
    "項目",
    "事業名",
    "担当課",
    "協働の相手",
    "事業の評価",
    "目標指標",
    "基準値（R3)",
    "目標値（R9)",
    "現状値（R5)",
]
ROWS = [
    # graded A while 2回 fell to 1回: G002 names 市職員研修 (the table has no effect column, so a
    # lower grade would give no finding: T001 needs one)
    ["（１）支援", "市職員研修", "市民協働推進課", "⑦", "A", "実施回数", "2回", "3回", "1回"],
    ["（１）支援", "協働講座", "市民協働推進課", "①", "A", "参加者数", "100人", "150人", "90人"],
    ["（２）参加", "地域懇談会", "地域振興課", "③", "B", "開催地区数", "5地区", "10地区", "7地区"],
]
MISSING_MARKERS = ["", "-", "－", "―", "—", "‐", "–", "ー", "※", "未集計", "評価不能", "n/a", "N/A", "NA", "na", "#N/A"]
VALUE_COLUMNS = (6, 7, 8)  # 基準値, 目標値, 現状値 in HEADER
ZIP_BOMB_BYTES = 520 * 1024 * 1024  # over hyoka.read.xlsx.MAX_UNCOMPRESSED (500 MB)


@dataclass
class Case:
    name: str
    path: Path
    expect: str  # "error" | "findings" | "either"
    error_has: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    json_has: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)  # extra CLI arguments (default --no-report)
    report: bool = False  # run with reports (no --no-report)
    xfail: str = ""  # reason: a known hyoka bug, exact failure
    setup_after: bool = False  # the path is removed before the run
    names_input: bool = True  # the error line names the input file (else: see where)
    keep: list[Path] = field(default_factory=list)  # other files that must keep their bytes (or their absence)
    env: dict[str, str] = field(default_factory=dict)  # extra environment for the run
    stderr_has: list[str] = field(default_factory=list)  # a findings run's stderr holds these (a warning line)


# ------------------------------------------------------------------ helpers


def csv_text(rows, header=HEADER, delimiter=",", lineterminator="\r\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator)
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, rows=ROWS, header=HEADER, encoding="utf-8", **kw) -> Path:
    path.write_bytes(csv_text(rows, header, **kw).encode(encoding))
    return path


def write_xlsx(path: Path, sheets) -> Path:
    """sheets: [(title, rows, state)] with rows lists of cell values (row 1 first)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        ws.sheet_state = state
    wb.save(path)
    return path


def table_xlsx(path: Path, rows=ROWS, header=HEADER, title="評価シート", above=(("令和5年度 評価表",),)) -> Path:
    return write_xlsx(path, [(title, [list(a) for a in above] + [header] + [list(r) for r in rows], "visible")])


def rewrite_zip(path: Path, edit) -> Path:
    """Rewrite the zip at ``path``: ``edit(name, data)`` returns new bytes, or None to drop the member."""
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            new = edit(name, data)
            if new is not None:
                zf.writestr(name, new)
    return path


def _sheet1(edit):
    def f(name, data):
        return edit(data) if name == "xl/worksheets/sheet1.xml" else data

    return f


# ------------------------------------------------------------------ the cases
# Each builder takes the folder and returns a Case (the path under the folder). The first 72 are
# listed in BUILDERS / CASE_NAMES below; later ones register with @case("name") (issue #15 on).

EXTRA: list[tuple[str, object]] = []  # (name, builder) in registration order


def case(name: str):
    """Register a builder under ``name`` (known at collection time without building the file)."""

    def register(builder):
        EXTRA.append((name, builder))
        return builder

    return register


def _empty(d):
    (d / "empty.csv").write_bytes(b"")
    return Case("empty_csv", d / "empty.csv", "error", ["empty"])


def _empty_xlsx(d):
    (d / "empty.xlsx").write_bytes(b"")
    return Case("empty_xlsx", d / "empty.xlsx", "error")


def _header_only_csv(d):
    return Case("header_only_csv", write_csv(d / "header_only.csv", []), "error", ["no data rows"])


def _header_only_xlsx(d):
    return Case(
        "header_only_xlsx", table_xlsx(d / "header_only.xlsx", rows=[]), "error", ["no data rows"], where=["評価シート"]
    )


def _cp932(d):
    return Case("cp932_csv", write_csv(d / "cp932.csv", encoding="cp932"), "findings", json_has=["市職員研修"])


def _utf16_bom(d):
    return Case("utf16_bom_csv", write_csv(d / "utf16.csv", encoding="utf-16"), "findings", json_has=["市職員研修"])


def _utf16_be_bom(d):
    p = d / "utf16be.csv"
    p.write_bytes(b"\xfe\xff" + csv_text(ROWS).encode("utf-16-be"))
    return Case("utf16_be_bom_csv", p, "findings", json_has=["市職員研修"])


def _utf16_nobom(d):
    p = d / "utf16_nobom.csv"
    p.write_bytes(csv_text(ROWS).encode("utf-16-le"))
    return Case("utf16_nobom_csv", p, "either")


def _broken_utf8(d):
    data = csv_text(ROWS).encode("utf-8")
    i = data.index("市職員研修".encode())
    p = d / "broken_utf8.csv"
    p.write_bytes(data[:i] + b"\xff\xfe\xc3" + data[i + 1 :])  # invalid bytes and a cut character
    return Case("broken_utf8_csv", p, "either")


def _nul(d):
    data = csv_text(ROWS).encode("utf-8")
    p = d / "nul.csv"
    p.write_bytes(data.replace("市職員研修".encode(), b"\x00\x00" + "研修".encode()))
    return Case("nul_bytes_csv", p, "error", ["NUL"])


def _junk_csv(d):
    p = d / "junk.csv"
    p.write_bytes(random.Random(1).randbytes(64 * 1024))
    return Case("binary_junk_csv", p, "error")


def _junk_csv_high(d):
    rnd = random.Random(2)
    p = d / "junk_high.csv"
    p.write_bytes(bytes(rnd.randrange(0x80, 0x100) for _ in range(32 * 1024)))  # no NUL, no ASCII
    return Case("binary_junk_high_bytes_csv", p, "error")


def _random_xlsx(d):
    p = d / "random.xlsx"
    p.write_bytes(random.Random(3).randbytes(64 * 1024))
    return Case("random_bytes_xlsx", p, "error", ["not a readable .xlsx"])


def _truncated_xlsx(d):
    full = table_xlsx(d / "whole.tmp.xlsx").read_bytes()
    (d / "whole.tmp.xlsx").unlink()
    p = d / "truncated.xlsx"
    p.write_bytes(full[: len(full) // 2])
    return Case("truncated_xlsx", p, "error")


def _zip_bomb(d):
    p = table_xlsx(d / "bomb.xlsx")
    chunk = b"\0" * (8 * 1024 * 1024)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/media/zeros.bin", "w", force_zip64=True) as fh:
            for _ in range(ZIP_BOMB_BYTES // len(chunk)):
                fh.write(chunk)
    return Case("zip_bomb_xlsx", p, "error", ["limit"])


def _not_workbook_zip(d):
    p = d / "notabook.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "これはブックではありません")
    return Case("zip_not_workbook_xlsx", p, "error", ["xl/workbook.xml"])


def _xls(d):
    p = d / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    return Case("ole_xls", p, "error", [".xls"])


def _xlsm(d):
    p = d / "macro.xlsm"
    table_xlsx(p)
    return Case("xlsm", p, "findings", json_has=["市職員研修"])


def _encrypted(d):
    p = d / "protected.xlsx"
    name = "EncryptedPackage".encode("utf-16-le")
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + name + b"\0" * (512 - len(name)))
    return Case("password_protected_xlsx", p, "error", ["password"])


def _wide(d):
    n = 100_000
    header = HEADER + [f"列{i}" for i in range(n)]
    row = ROWS[0] + ["x"] * n
    return Case("columns_100k_csv", write_csv(d / "wide.csv", [row], header), "error", ["columns"])


def _big_cell(d):
    row = list(ROWS[0])
    row[1] = "研" * (5 * 1024 * 1024 // 3)  # 5 MB of UTF-8
    return Case("cell_5mb_csv", write_csv(d / "bigcell.csv", [row]), "either")


def _dup_csv(d):
    header = HEADER[:6] + ["基準値", "基準値"] + HEADER[7:]
    rows = [r[:7] + [r[6]] + r[7:] for r in ROWS]
    # the first 基準値 is read; the second is reported (H005) on its header cell, not dropped
    return Case("duplicate_columns_csv", write_csv(d / "dup.csv", rows, header), "findings", json_has=["dup.csv:1:8"])


def _dup_xlsx(d):
    header = HEADER[:6] + ["基準値", "基準値"] + HEADER[7:]
    rows = [r[:7] + [r[6]] + r[7:] for r in ROWS]
    return Case(
        "duplicate_columns_xlsx",
        table_xlsx(d / "dup.xlsx", rows, header),
        "findings",
        json_has=["評価シート!H"],
    )


def _missing_cols(d):
    rows = [[r[1], r[4]] for r in ROWS]
    return Case("missing_columns_csv", write_csv(d / "missing.csv", rows, ["事業名", "評価"]), "error", ["header"])


def _formula_nocache(d):
    rows = [list(r) for r in ROWS]
    rows[0][8] = "=1+1"
    return Case("formula_no_cached_value_xlsx", table_xlsx(d / "formula.xlsx", rows), "findings", json_has=["F001"])


def _formula_cached(d):
    rows = [list(r) for r in ROWS]
    rows[0][8] = "=1+1"
    p = table_xlsx(d / "formula_cached.xlsx", rows)
    rewrite_zip(
        p,
        _sheet1(
            lambda x: (
                x.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
                .replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")  # openpyxl writing with lxml
                .replace(b"<f>1+1</f></c>", b"<f>1+1</f><v>2</v></c>")
            )
        ),
    )
    assert b"<v>2</v>" in zipfile.ZipFile(p).read("xl/worksheets/sheet1.xml")
    return Case("formula_cached_value_xlsx", p, "findings")


def _merged_overlap(d):
    p = table_xlsx(d / "merged.xlsx")
    merge = b'<mergeCells count="2"><mergeCell ref="A4:B5"/><mergeCell ref="B5:C6"/></mergeCells>'
    rewrite_zip(p, _sheet1(lambda x: x.replace(b"</sheetData>", b"</sheetData>" + merge, 1)))
    return Case("overlapping_merged_ranges_xlsx", p, "either")


def _merged_circular(d):
    p = table_xlsx(d / "merged_circ.xlsx")
    merge = (
        b'<mergeCells count="3"><mergeCell ref="A3:C5"/><mergeCell ref="C5:A3"/>'
        b'<mergeCell ref="XFD1048576:A1"/></mergeCells>'
    )
    rewrite_zip(p, _sheet1(lambda x: x.replace(b"</sheetData>", b"</sheetData>" + merge, 1)))
    return Case("reversed_and_huge_merged_ranges_xlsx", p, "either")


def _dates(d):
    rows = [r[:6] + [datetime(2021, 4, 1), datetime(2027, 3, 31), datetime(2023, 4, 1, 9, 30)] for r in ROWS]
    return Case("dates_in_value_columns_xlsx", table_xlsx(d / "dates.xlsx", rows), "findings")


def _markers_rows():
    rows = []
    for i, m in enumerate(MISSING_MARKERS):
        for c in VALUE_COLUMNS:
            r = list(ROWS[i % len(ROWS)])
            r[1] = f"事業{i}-{c}"
            r[c] = m
            rows.append(r)
        rows.append(ROWS[0][:6] + [m, m, m])
    return rows


def _markers_csv(d):
    return Case("missing_markers_csv", write_csv(d / "markers.csv", _markers_rows()), "findings")


def _markers_xlsx(d):
    return Case("missing_markers_xlsx", table_xlsx(d / "markers.xlsx", _markers_rows()), "findings")


def _vanished(d):
    p = write_csv(d / "vanished.csv")
    return Case("file_disappears_csv", p, "error", ["no such file"], setup_after=True)


def _out_not_writable(d):
    p = write_csv(d / "outcheck.csv")
    if os.geteuid() == 0:  # root writes through chmod: a path under a regular file
        blocker = d / "blocker.txt"
        blocker.write_text("a regular file")
        out = blocker / "reports"
    else:
        locked = d / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        out = locked / "reports"
    return Case(
        "out_not_writable",
        p,
        "error",
        ["cannot write reports"],
        where=[str(out)],
        args=["--out", str(out)],
        report=True,
        names_input=False,
    )


def _directory(d):
    p = d / "folder.csv"
    p.mkdir()
    write_csv(p / "inside.csv")
    return Case("directory_as_file", p, "error", ["folder"])


def _whitespace(d):
    p = d / "spaces.csv"
    p.write_bytes(b"   \r\n\t \n \xe3\x80\x80\n\n   ")  # ends with an ideographic space line
    return Case("whitespace_only_csv", p, "error")


def _long_no_header(d):
    line = ",".join(f"{i}:" + "値" * 2000 for i in range(100))  # 100 fields, 600 KB a line
    p = d / "longlines.csv"
    p.write_text("\n".join([line] * 20) + "\n", encoding="utf-8")
    return Case("long_lines_no_header_csv", p, "error", ["header"])


def _semicolon(d):
    return Case("semicolon_csv", write_csv(d / "semi.csv", delimiter=";"), "findings", json_has=["市職員研修"])


def _header_row_40(d):
    rows = [[f"注記{i}"] for i in range(39)]
    text = csv_text(rows, header=None) + csv_text(ROWS)
    p = d / "late_header.csv"
    p.write_text(text, encoding="utf-8")
    return Case("header_on_row_40_csv", p, "error", ["header"])


def _header_row_40_xlsx(d):
    return Case(
        "header_on_row_40_xlsx",
        table_xlsx(d / "late_header.xlsx", above=[[f"注記{i}"] for i in range(39)]),
        "error",
        ["header"],
    )


def _title_only(d):
    return Case(
        "title_only_xlsx",
        write_xlsx(d / "title.xlsx", [("評価シート", [["令和5年度 評価表"]], "visible")]),
        "error",
        ["header"],
    )


def _all_hidden(d):
    p = d / "hidden.xlsx"
    write_xlsx(p, [("表1", [HEADER] + ROWS, "visible"), ("表2", [HEADER] + ROWS, "visible")])
    rewrite_zip(p, lambda n, x: x.replace(b'state="visible"', b'state="hidden"') if n == "xl/workbook.xml" else x)
    assert zipfile.ZipFile(p).read("xl/workbook.xml").count(b'state="hidden"') == 2
    return Case("all_sheets_hidden_xlsx", p, "error", ["header"])


def _legend_only(d):
    rows = [["コード", "順位", "意味"], ["A", 1, "順調"], ["D", 4, "遅れ"]]
    return Case(
        "legend_only_xlsx",
        write_xlsx(d / "legend.xlsx", [("凡例", [HEADER] + ROWS + rows, "visible")]),
        "error",
        ["header"],
    )


def _markup(d):
    rows = [["<script>alert(1)</script>", "[red]x[/]", "市民協働推進課", "⑦", "A", "<b>実施回数</b>", "", "3回", "1回"]]
    return Case(
        "markup_and_html_csv",
        write_csv(d / "markup.csv", rows),
        "findings",
        json_has=["[red]x[/]", "<script>alert(1)</script>", "<b>実施回数</b>"],
    )


def _formula_injection(d):
    evil = "=cmd|' /C calc'!A0"
    rows = [[evil, evil, "市民協働推進課", "⑦", "A", evil, "", "3回", evil]]
    return Case("formula_injection_csv", write_csv(d / "inject.csv", rows), "findings", json_has=[evil])


def _formula_injection_xlsx(d):
    evil = "=cmd|' /C calc'!A0"
    p = d / "inject.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "評価シート"
    ws.append(HEADER)
    ws.append(ROWS[0])
    ws.append(["（１）支援", evil, "市民協働推進課", "⑦", "A", "実施回数", "", "3回", "1回"])
    ws["B3"].data_type = "s"  # the text itself, not a formula
    wb.save(p)
    return Case("formula_injection_xlsx", p, "either")


def _bom_cp932(d):
    p = d / "bom_cp932.csv"
    p.write_bytes(b"\xef\xbb\xbf" + csv_text(ROWS).encode("cp932"))
    return Case("utf8_bom_then_cp932_csv", p, "error", where=["row"])


def _bom_utf8(d):
    return Case("utf8_bom_csv", write_csv(d / "bom.csv", encoding="utf-8-sig"), "findings", json_has=["市職員研修"])


def _crlf(d):
    return Case("crlf_csv", write_csv(d / "crlf.csv", lineterminator="\r\n"), "findings", json_has=["C", "市職員研修"])


def _lf(d):
    return Case("lf_csv", write_csv(d / "lf.csv", lineterminator="\n"), "findings", json_has=["市職員研修"])


def _cr_only(d):
    return Case("cr_only_csv", write_csv(d / "cr.csv", lineterminator="\r"), "either")


def _quoted_newlines(d):
    rows = [list(r) for r in ROWS]
    rows[0][1] = "市職員\n研修\r\n（再掲）"
    rows[1][5] = "参加者数\n（延べ）"
    return Case("quoted_newlines_csv", write_csv(d / "qnl.csv", rows), "findings")


def _trailing_comma(d):
    text = "".join(line + ",\r\n" for line in csv_text(ROWS).splitlines())
    p = d / "trailing.csv"
    p.write_text(text, encoding="utf-8")
    return Case("trailing_comma_csv", p, "findings", json_has=["市職員研修"])


def _fullwidth(d):
    fw = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
    rows = [[c.translate(fw) for c in r] for r in ROWS]
    return Case("fullwidth_digits_csv", write_csv(d / "fullwidth.csv", rows), "findings")


def _tsv(d):
    return Case("tab_separated_txt", write_csv(d / "tabs.txt", delimiter="\t"), "findings")


def _euc(d):
    return Case(
        "euc_jp_csv", write_csv(d / "euc.csv", [r[:3] + ["7"] + r[4:] for r in ROWS], encoding="euc_jp"), "either"
    )


def _unterminated_quote(d):
    p = d / "quote.csv"
    p.write_text(
        csv_text(ROWS[:1]) + '"（１）支援,"市職員研修,市民協働推進課\n' + csv_text(ROWS[1:], header=None),
        encoding="utf-8",
    )
    return Case("unterminated_quote_csv", p, "either")


def _ragged(d):
    rows = [ROWS[0][:4], ROWS[1] + ["余分", "もっと余分"], ROWS[2]]
    return Case("ragged_rows_csv", write_csv(d / "ragged.csv", rows), "either")


def _newlines_only(d):
    p = d / "newlines.csv"
    p.write_bytes(b"\r\n" * 1000)
    return Case("newlines_only_csv", p, "error", ["empty"])


def _bom_only(d):
    p = d / "bomonly.csv"
    p.write_bytes(b"\xef\xbb\xbf")
    return Case("bom_only_csv", p, "error")


def _commas_only(d):
    p = d / "commas.csv"
    p.write_text(",,,,,,,,\n" * 100, encoding="utf-8")
    return Case("commas_only_csv", p, "error", ["header"])


def _many_rows(d):
    rows = [[r[0], f"{r[1]}{i}"] + r[2:] for i in range(1000) for r in ROWS]
    return Case("many_rows_csv", write_csv(d / "many.csv", rows), "findings")


def _control_chars(d):
    rows = [list(r) for r in ROWS]
    rows[0][1] = "\x1b[31m赤\x1b]0;title\x07\x08\x7f研修\u202e\u200b"
    return Case("control_characters_csv", write_csv(d / "ctrl.csv", rows), "findings")


def _unknown_ext(d):
    p = d / "table.pdf"
    p.write_bytes(b"%PDF-1.4\n")
    return Case("header_only_pdf", p, "error", ["not a readable PDF"])


def _no_ext(d):
    p = d / "table"
    write_csv(p)
    return Case("no_extension", p, "error", ["without an extension"])


def _bad_sheet_xml(d):
    p = table_xlsx(d / "badxml.xlsx")
    rewrite_zip(p, _sheet1(lambda x: x[: len(x) // 2]))
    return Case("malformed_sheet_xml_xlsx", p, "error")


def _bad_workbook_xml(d):
    p = table_xlsx(d / "badwb.xlsx")
    rewrite_zip(p, lambda n, x: x[: len(x) // 2] if n == "xl/workbook.xml" else x)
    return Case("malformed_workbook_xml_xlsx", p, "error", ["damaged"])


def _no_rels(d):
    p = table_xlsx(d / "norels.xlsx")
    rewrite_zip(p, lambda n, x: None if n == "xl/_rels/workbook.xml.rels" else x)
    return Case("missing_workbook_rels_xlsx", p, "error", ["damaged"])


def _no_sheet_part(d):
    p = table_xlsx(d / "nosheet.xlsx")
    rewrite_zip(p, lambda n, x: None if n == "xl/worksheets/sheet1.xml" else x)
    return Case("missing_sheet_part_xlsx", p, "error")


def _far_cell(d):
    p = table_xlsx(d / "farcell.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(p)
    wb.active["XFD1048576"] = "迷子のセル"
    wb.save(p)
    return Case("stray_cell_at_XFD1048576_xlsx", p, "error", ["used range"])


def _percent_xlsx(d):
    p = d / "percent.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "評価シート"
    ws.append(HEADER)
    ws.append(ROWS[0][:6] + [float("nan"), 1e308, -1e-320])
    ws.append(ROWS[1][:6] + [0.5, 2.5, float("inf")])
    for c in ("G3", "H3", "I3"):
        ws[c].number_format = "0.0%"
    wb.save(p)
    return Case("nan_inf_huge_numbers_xlsx", p, "either")


def _sheet_name_markup(d):
    p = write_xlsx(d / "sheetname.xlsx", [("<b>課<b>&amp;'x'", [HEADER] + ROWS[:1], "visible")])
    return Case("markup_sheet_name_xlsx", p, "findings")


def _merged_header(d):
    p = table_xlsx(d / "mergedhdr.xlsx")
    merge = b'<mergeCells count="1"><mergeCell ref="A2:I5"/></mergeCells>'
    rewrite_zip(p, _sheet1(lambda x: x.replace(b"</sheetData>", b"</sheetData>" + merge, 1)))
    return Case("merge_over_header_and_rows_xlsx", p, "either")


# ------------------------------------------------------------------ #15: workbook parts (xlsx reading)


SHEET = "評価シート"  # table_xlsx's sheet title


def _percent_styled(p: Path) -> Path:
    """Give A1 (the title text) a percent format: the workbook is then read by openpyxl (auto)."""
    from openpyxl import load_workbook

    wb = load_workbook(p)
    wb.active["A1"].number_format = "0.0%"
    wb.save(p)
    return p


def _shared_strings(p: Path, edit_sst=lambda x: x) -> Path:
    """Rewrite the workbook's inline strings (openpyxl writes them) as shared strings, as Excel
    saves them; ``edit_sst`` edits the sharedStrings part's bytes."""
    strings: list[bytes] = []

    def to_index(m):
        strings.append(m.group(3))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (m.group(1), m.group(2) or b"", len(strings) - 1)

    inline = re.compile(rb'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>')

    def edit(name, data):
        if name.startswith("xl/worksheets/sheet"):
            return inline.sub(to_index, data)
        if name == "[Content_Types].xml":
            over = b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            return data.replace(b"</Types>", over + b"</Types>")
        if name == "xl/_rels/workbook.xml.rels":
            rel = b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            return data.replace(b"</Relationships>", rel + b"</Relationships>")
        return data

    rewrite_zip(p, edit)
    n = len(strings)
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (n, n)
    )
    sst += b"".join(b"<si><t>%s</t></si>" % t for t in strings) + b"</sst>"
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", edit_sst(sst))
    return p


@case("shared_strings_unique_count_4e9_xlsx")
def _sst_count(d):
    # calamine reserves the declared count (96 GB): the file is refused before it is handed over
    p = _shared_strings(
        table_xlsx(d / "sst_count.xlsx"), lambda x: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', x)
    )
    return Case("shared_strings_unique_count_4e9_xlsx", p, "error", ["4,000,000,000"])


def _far_cell_row(data: bytes, ref: bytes) -> bytes:
    row = re.match(rb"[A-Z]+(\d+)", ref).group(1)
    cell = b'<row r="%s"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row>' % (row, ref)
    return data.replace(b"</sheetData>", cell + b"</sheetData>")


@case("lying_dimension_cell_at_XFD1048576_xlsx")
def _lying_dimension(d):
    # <dimension ref="A1:I5"> is kept (it lies): the real extent is read from the cells
    p = rewrite_zip(table_xlsx(d / "lying_dim.xlsx"), _sheet1(lambda x: _far_cell_row(x, b"XFD1048576")))
    return Case("lying_dimension_cell_at_XFD1048576_xlsx", p, "error", ["used range"], where=[SHEET])


@case("lying_dimension_row_4e9_xlsx")
def _lying_dimension_row(d):
    p = rewrite_zip(table_xlsx(d / "lying_dim_row.xlsx"), _sheet1(lambda x: _far_cell_row(x, b"A4000000000")))
    return Case("lying_dimension_row_4e9_xlsx", p, "error", ["used range"], where=[SHEET])


@case("one_sheet_part_for_100_sheets_xlsx")
def _shared_part(d):
    # a 6 MB sheet part named by 100 <sheet> entries: read 100 times, 600 MB (> 500 MB)
    p = table_xlsx(d / "shared_part.xlsx")
    filler = b'<row r="%d"><c r="A%d"><v>1</v></c></row>'
    rows = b"".join(filler % (i, i) for i in range(10, 160_000))

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"</sheetData>", rows + b"</sheetData>")
        if name == "xl/workbook.xml":
            one = re.search(rb"<sheet [^>]*/>", data).group(0)
            many = b"".join(one.replace(b'name="', b'name="s%d' % i) for i in range(100))
            return data.replace(one, many)
        return data

    rewrite_zip(p, edit)
    return Case("one_sheet_part_for_100_sheets_xlsx", p, "error", ["100 sheets"])


@case("far_column_on_every_row_xlsx")
def _far_columns(d):
    # within the per-sheet limits (2,000 columns, 30 million cells): 15,000 rows each with a cell
    # in column 2,000 (BXX), on 4 sheets: 120 million cells of grid from 80 KB (the workbook limit
    # is 10 million)
    p = table_xlsx(d / "far_columns.xlsx")
    rows = b"".join(b'<row r="%d"><c r="BXX%d"><v>1</v></c></row>' % (i, i) for i in range(10, 15_000))

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"</sheetData>", rows + b"</sheetData>")
        if name == "xl/workbook.xml":
            one = re.search(rb"<sheet [^>]*/>", data).group(0)
            return data.replace(one, b"".join(one.replace(b'name="', b'name="s%d' % i) for i in range(4)))
        return data

    rewrite_zip(p, edit)
    return Case("far_column_on_every_row_xlsx", p, "error", ["cells"])


@case("merged_range_to_XFD_xlsx")
def _merged_to_xfd(d):
    # a merged range far wider than the cells (20,001 rows × 16,375 columns): filled within the used
    # range only (A1:I20001)
    def edit(x):
        return x.replace(
            b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="J1:XFD20001"/></mergeCells>'
        )

    p = rewrite_zip(table_xlsx(d / "merged_xfd.xlsx"), _sheet1(lambda x: edit(_far_cell_row(x, b"A20001"))))
    return Case("merged_range_to_XFD_xlsx", p, "findings", json_has=["市職員研修"])


def _bad_index(p: Path, index: bytes) -> Path:
    """Shared strings, with the index of B3 (市職員研修) replaced by ``index``."""
    _shared_strings(p)
    return rewrite_zip(p, _sheet1(lambda x: re.sub(rb'(<c r="B3" t="s"><v>)\d+', rb"\g<1>" + index, x)))


@case("shared_string_index_minus_one_xlsx")
def _index_minus_one(d):
    p = _bad_index(table_xlsx(d / "sst_minus_one.xlsx"), b"-1")
    return Case("shared_string_index_minus_one_xlsx", p, "error", ["shared string"], where=[SHEET, "row 3", "column B"])


@case("shared_string_index_minus_one_openpyxl_xlsx")
def _index_minus_one_openpyxl(d):
    p = _bad_index(_percent_styled(table_xlsx(d / "sst_minus_one_op.xlsx")), b"-1")
    return Case(
        "shared_string_index_minus_one_openpyxl_xlsx", p, "error", ["shared string"], where=[SHEET, "row 3", "column B"]
    )


@case("shared_string_index_past_end_xlsx")
def _index_past_end(d):
    p = _bad_index(table_xlsx(d / "sst_past_end.xlsx"), b"999")
    return Case("shared_string_index_past_end_xlsx", p, "error", ["shared string"], where=[SHEET, "row 3", "column B"])


@case("shared_string_index_past_end_openpyxl_xlsx")
def _index_past_end_openpyxl(d):
    p = _bad_index(_percent_styled(table_xlsx(d / "sst_past_end_op.xlsx")), b"999")
    return Case(
        "shared_string_index_past_end_openpyxl_xlsx", p, "error", ["shared string"], where=[SHEET, "row 3", "column B"]
    )


def xml_replace(x: bytes, old: str, new: str) -> bytes:
    """``old`` → ``new`` in a part's XML, written as UTF-8 or as character references (openpyxl
    writing with lxml spells 市 as ``&#24066;``); ``new`` is written as UTF-8."""
    refs = "".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in old).encode()
    return x.replace(old.encode(), new.encode()).replace(refs, new.encode())


@case("nul_from_x0000_escape_xlsx")
def _nul_escape(d):
    # _x0000_ is how a workbook writes a NUL (XML cannot hold one): refused, as a CSV's NUL is
    def edit(x):
        return xml_replace(x, "市職員研修", "市職員_x0000_研修")

    p = _shared_strings(table_xlsx(d / "nul_escape.xlsx"), edit)
    return Case("nul_from_x0000_escape_xlsx", p, "error", ["NUL"], where=[SHEET, "row 3", "column B"])


@case("nul_from_x0000_escape_openpyxl_xlsx")
def _nul_escape_openpyxl(d):
    def edit(x):
        return xml_replace(x, "市職員研修", "市職員_x0000_研修")

    p = _shared_strings(_percent_styled(table_xlsx(d / "nul_escape_op.xlsx")), edit)
    return Case("nul_from_x0000_escape_openpyxl_xlsx", p, "error", ["NUL"], where=[SHEET, "row 3", "column B"])


@case("control_characters_from_escapes_xlsx")
def _control_escape(d):
    # ESC, BEL and BS written as _x001B_ … : read as a CSV's control characters are (findings)
    def edit(x):
        return xml_replace(x, "市職員研修", "市職員_x001B_[31m_x0007__x0008_研修")

    p = _shared_strings(table_xlsx(d / "ctrl_escape.xlsx"), edit)
    return Case("control_characters_from_escapes_xlsx", p, "findings", json_has=["研修"])


@case("malformed_sheet_xml_openpyxl_xlsx")
def _bad_xml_openpyxl(d):
    p = rewrite_zip(_percent_styled(table_xlsx(d / "badxml_op.xlsx")), _sheet1(lambda x: x[: len(x) // 2]))
    return Case("malformed_sheet_xml_openpyxl_xlsx", p, "error", ["damaged"], where=[SHEET])


@case("number_cell_not_a_number_openpyxl_xlsx")
def _bad_number_openpyxl(d):
    # a cell typed as a number holding text: openpyxl raises ValueError
    def edit(x):
        return re.sub(rb'<c r="I3" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="I3" t="n"><v>1,5</v></c>', x)

    p = rewrite_zip(_percent_styled(table_xlsx(d / "bad_number_op.xlsx")), _sheet1(edit))
    return Case(
        "number_cell_not_a_number_openpyxl_xlsx", p, "error", ["not a number"], where=[SHEET, "row 3", "column I"]
    )


@case("date_out_of_range_openpyxl_xlsx")
def _date_overflow_openpyxl(d):
    # a date serial far past year 9999 in a date-formatted cell: openpyxl reads it as an error
    # value (its warning is not printed)
    from openpyxl import load_workbook

    p = _percent_styled(table_xlsx(d / "date_overflow_op.xlsx"))
    wb = load_workbook(p)
    wb.active["I3"] = 1e20
    wb.active["I3"].number_format = "yyyy-mm-dd"
    wb.save(p)
    return Case("date_out_of_range_openpyxl_xlsx", p, "findings")


@case("no_default_style_openpyxl_xlsx")
def _no_default_style(d):
    # styles.xml with a percent format and no cellStyleXfs: openpyxl warns on stderr
    def edit(name, data):
        if name == "xl/styles.xml":
            return re.sub(rb"<cellStyleXfs.*?</cellStyleXfs>|<cellStyles.*?</cellStyles>", b"", data, flags=re.S)
        return data

    p = rewrite_zip(_percent_styled(table_xlsx(d / "no_default_style.xlsx")), edit)
    return Case("no_default_style_openpyxl_xlsx", p, "findings", json_has=["市職員研修"])


@case("merged_column_to_row_1048576_openpyxl_xlsx")
def _merged_column_openpyxl(d):
    """Found by the #15 try-out: one merged column J2:J1048576 in a workbook with a percent format
    (so openpyxl reads it) ran past 120 s; openpyxl makes an object per merged cell."""
    p = _percent_styled(table_xlsx(d / "merge_column.xlsx"))
    rewrite_zip(
        p,
        _sheet1(
            lambda x: x.replace(
                b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="J2:J1048576"/></mergeCells>', 1
            )
        ),
    )
    return Case("merged_column_to_row_1048576_openpyxl_xlsx", p, "error", ["1,048,575 cells", "unmerge"])


@case("hyperlink_over_whole_sheet_openpyxl_xlsx")
def _hyperlink_whole_sheet_openpyxl(d):
    """Found by the #15 try-out: one hyperlink on A1:XFD1048576 (5 KB, openpyxl path) took 1.5 GB
    before running out of memory: openpyxl makes a cell for each place a hyperlink range covers."""
    p = _percent_styled(table_xlsx(d / "hyperlink.xlsx"))
    link = b'<hyperlinks><hyperlink ref="A1:XFD1048576" display="x" location="A1"/></hyperlinks>'
    rewrite_zip(p, _sheet1(lambda x: x.replace(b"</sheetData>", b"</sheetData>" + link, 1)))
    return Case("hyperlink_over_whole_sheet_openpyxl_xlsx", p, "error", ["17,179,869,184 cells", "unlink"])


@case("formatted_empty_rows_openpyxl_xlsx")
def _formatted_empty_rows_openpyxl(d):
    """Found by the #15 try-out: 10,000 rows of formatted empty cells (200 KB, openpyxl path) ran
    past 120 s: the grid asked openpyxl for the sheet's extent once per row (quadratic)."""
    p = _percent_styled(table_xlsx(d / "empty_rows.xlsx"))
    row = "".join(f'<c r="{c}{{i}}" s="0"/>' for c in "ABCDEFGHIJ")
    rows = "".join(f'<row r="{i}">' + row.format(i=i) + "</row>" for i in range(10, 10010)).encode()
    rewrite_zip(p, _sheet1(lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>", 1)))
    return Case("formatted_empty_rows_openpyxl_xlsx", p, "findings", json_has=["市職員研修"])


@case("strict_open_xml_xlsx")
def _strict_open_xml(d):
    """Found by the #15 try-out: a workbook saved as Excel's Strict Open XML Spreadsheet (other
    namespaces) had its 0.0% values read as 0.5 and its annotated copy emptied, without a word."""
    p = _percent_styled(table_xlsx(d / "strict.xlsx"))
    spaces = [
        (
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        ),
        (
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        ),
    ]

    def strict(name, data):
        if name.endswith((".xml", ".rels")):
            for a, b in spaces:
                data = data.replace(a, b)
        return data

    rewrite_zip(p, strict)
    return Case("strict_open_xml_xlsx", p, "error", ["Strict Open XML", "save it as Excel Workbook"])


# ------------------------------------------------------------------ #15: annotated copies


def _merge_xml(refs) -> bytes:
    return (
        b'<mergeCells count="%d">' % len(refs) + b"".join(b'<mergeCell ref="%s"/>' % r for r in refs) + b"</mergeCells>"
    )


def _with_merges(path: Path, refs) -> Path:
    body = _merge_xml(refs)
    return rewrite_zip(path, _sheet1(lambda x: x.replace(b"</sheetData>", b"</sheetData>" + body, 1)))


def _report_case(name: str, p: Path, d: Path, **kw) -> Case:
    """A findings run with its report (in a folder of its own: the runs share one working folder)."""
    args = [*kw.pop("args", []), "--out", str(d / f"out_{name}")]
    return Case(name, p, "findings", json_has=kw.pop("json_has", ["市職員研修"]), report=True, args=args, **kw)


@case("annotate_merge_to_XFD1048576_xlsx")
def _annotate_merge_xfd(d):
    # read in a second; openpyxl would make 17 billion MergedCell objects: a copy of the findings only
    p = _with_merges(table_xlsx(d / "merge_xfd.xlsx"), [b"A100:XFD1048576"])
    return _report_case("annotate_merge_to_XFD1048576_xlsx", p, d, stderr_has=["holds the findings sheet only"])


@case("annotate_million_merged_ranges_xlsx")
def _annotate_many_merges(d):
    p = _with_merges(table_xlsx(d / "merges_1e6.xlsx"), [b"A%d:B%d" % (r, r) for r in range(100, 1_000_100)])
    return _report_case("annotate_million_merged_ranges_xlsx", p, d, stderr_has=["more than 20,000 merged ranges"])


@case("annotate_million_cell_formats_xlsx")
def _annotate_many_styles(d):
    def styles(name, data):
        if name != "xl/styles.xml":
            return data
        start, end = data.index(b"<cellXfs"), data.index(b"</cellXfs>")
        return data[:start] + b'<cellXfs count="1000000">' + b"<xf/>" * 1_000_000 + data[end:]

    p = rewrite_zip(table_xlsx(d / "xfs_1e6.xlsx"), styles)
    return _report_case("annotate_million_cell_formats_xlsx", p, d, stderr_has=["more than 65,490 cell formats"])


@case("annotate_same_name_two_folders_xlsx")
def _annotate_same_name(d):
    (d / "same_a").mkdir()
    (d / "same_b").mkdir()
    a = table_xlsx(d / "same_a" / "調書.xlsx", rows=ROWS[:1])
    b = table_xlsx(d / "same_b" / "調書.xlsx", rows=ROWS[1:2])
    return _report_case(
        "annotate_same_name_two_folders_xlsx",
        a,
        d,
        args=[str(b)],
        keep=[b],
        json_has=["same_a/調書.xlsx", "same_b/調書.xlsx"],
    )


@case("annotate_names_sanitise_alike_xlsx")
def _annotate_alike(d):
    a = table_xlsx(d / "a b.xlsx", rows=ROWS[:1])
    b = table_xlsx(d / "a_b.xlsx", rows=ROWS[1:2])
    return _report_case(
        "annotate_names_sanitise_alike_xlsx", a, d, args=[str(b)], keep=[b], json_has=["[a b.xlsx]", "[a_b.xlsx]"]
    )


@case("annotate_bracket_and_line_break_names_xlsx")
def _annotate_brackets(d):
    # ] in the file's name; ] and a literal line break in the sheet's (openpyxl refuses the ], and
    # reads the line break as a space where calamine keeps it)
    p = table_xlsx(d / "x]y.xlsx")
    rewrite_zip(
        p, lambda n, x: x.replace("評価シート".encode(), "評価]\nシート".encode()) if n == "xl/workbook.xml" else x
    )
    return _report_case("annotate_bracket_and_line_break_names_xlsx", p, d)


@case("annotate_edited_copy_is_kept_xlsx")
def _annotate_edited(d):
    # the report folder holds a copy the clerk edited: its bytes are not those the manifest records
    p = table_xlsx(d / "edited.xlsx")
    out = d / "out_annotate_edited_copy_is_kept_xlsx"
    out.mkdir()
    edited = out / "edited.hyoka.xlsx"
    edited.write_bytes(p.read_bytes())
    manifest = '{"files": {"edited.hyoka.xlsx": ""}, "digests": {"edited.hyoka.xlsx": "%s"}}' % ("0" * 64)
    (out / ".hyoka-manifest.json").write_text(manifest, encoding="utf-8")
    return _report_case(
        "annotate_edited_copy_is_kept_xlsx", p, d, keep=[edited], stderr_has=["was changed after hyoka wrote it"]
    )


@case("annotate_recheck_annotated_copy_xlsx")
def _annotate_again(d):
    # the clerk's loop: an annotated copy (its findings sheet first, a comment signed hyoka, the
    # hidden record of marks) checked again into its own report folder
    from openpyxl import load_workbook
    from openpyxl.comments import Comment

    folder = d / "out_annotate_recheck_annotated_copy_xlsx"
    folder.mkdir()
    p = table_xlsx(folder / "調書.hyoka.xlsx")
    wb = load_workbook(p)
    summary = wb.create_sheet("hyoka指摘一覧", 0)
    summary.append(
        [
            "重要度",
            "セル",
            "ルール",
            "担当課",
            "事業名 / 目標指標",
            "内容",
            "公表値",
            "期待される内容",
            "直し方",
            "除外理由",
        ]
    )
    summary.append(["警告", "評価シート!E3", "G002 上位の評価なのに基準値より悪化", "市民協働推進課", "市職員研修"])
    wb["評価シート"]["E3"].comment = Comment("[G002 警告] 評価「A」は上位の評価ですが…", "hyoka")
    marks = wb.create_sheet("hyoka_marks")
    marks.append(["sheet", "cell", "fill", "comment", "author"])
    marks.append(["評価シート", "E3", "", "", ""])
    marks.sheet_state = "veryHidden"
    wb.save(p)
    return _report_case("annotate_recheck_annotated_copy_xlsx", p, d)


# ------------------------------------------------------------------ #15: YAML, patterns, numbers, special files
# Each case hands a hostile file to an option (--mapping, --indicators, …) beside a good table:
# the error line names that file (names_input=False) and, where known, the line or key.


def _alias_bomb(depth: int = 9) -> str:
    """A flow list of ``depth`` anchors, each nine aliases of the one before: 9**depth values."""
    items = ['&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    items += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, depth)]
    return "[" + ", ".join(items) + "]"


#: option → (file name, the file's text around the bomb), each under a key the file may have
_BOMB_FILES = {
    "mapping": ("mapping.yaml", "ignore: {bomb}\n"),
    "indicators": ("indicators.yaml", "indicators:\n  - {{name: {bomb}, direction: increase}}\n"),
    "departments": ("departments.yaml", "departments: {bomb}\n"),
    "vocabulary": ("vocabulary.yaml", "missing_markers: {bomb}\n"),
    "waivers": ("waivers.yaml", "waivers: {bomb}\n"),
    "scale": ("scale.yaml", "id: x\ngrades: {bomb}\n"),
    "rules": ("catalog.yaml", "rules: {bomb}\n"),
}


def _bomb_builder(option: str):
    def build(d):
        name, text = _BOMB_FILES[option]
        f = d / name
        f.write_text(text.format(bomb=_alias_bomb()), encoding="utf-8")  # under 500 bytes
        table = write_csv(d / "table.csv")
        return Case(
            f"yaml_alias_bomb_{option}",
            table,
            "error",
            ["aliases"],
            where=[name, "line "],
            args=[f"--{option}", str(f)],
            names_input=False,
            keep=[f],
        )

    build.__name__ = f"_yaml_alias_bomb_{option}"
    return build


for _option in _BOMB_FILES:
    case(f"yaml_alias_bomb_{_option}")(_bomb_builder(_option))


@case("yaml_alias_recursive_mapping")
def _yaml_alias_recursive(d):
    f = d / "mapping.yaml"
    f.write_text("ignore: &a [x, *a]\n", encoding="utf-8")
    table = write_csv(d / "table.csv")
    args = ["--mapping", str(f)]
    return Case(
        "yaml_alias_recursive_mapping", table, "error", ["*a"], ["mapping.yaml line 1"], args=args, names_input=False
    )


@case("yaml_nested_100k_deep_mapping")
def _yaml_deep(d):
    # 200 KB of [[[[…]]]]: PyYAML's C composer recursed until the process died (SIGSEGV)
    f = d / "mapping.yaml"
    f.write_text("ignore: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    table = write_csv(d / "table.csv")
    args = ["--mapping", str(f)]
    return Case(
        "yaml_nested_100k_deep_mapping",
        table,
        "error",
        ["nested"],
        ["mapping.yaml line 1"],
        args=args,
        names_input=False,
    )


@case("yaml_5000_digit_rank_vocabulary")
def _yaml_long_int(d):
    # int() of over 4,300 digits raised ValueError inside PyYAML's constructor (an internal error)
    f = d / "vocabulary.yaml"
    f.write_text("levels:\n  - {level: 高い, rank: " + "9" * 5000 + "}\n", encoding="utf-8")
    table = write_csv(d / "table.csv")
    args = ["--vocabulary", str(f)]
    return Case(
        "yaml_5000_digit_rank_vocabulary",
        table,
        "error",
        ["5,000 digits"],
        ["vocabulary.yaml line 2"],
        args=args,
        names_input=False,
    )


@case("scale_rank_1e23")
def _scale_rank_1e23(d):
    # a rank of 10**23 passed the scale's checks and overflowed int64 in the grade column
    f = d / "scale.yaml"
    grades = [("A", 10**23, "upper"), ("B", 2, "upper"), ("C", 3, "lower"), ("D", 4, "lower")]
    f.write_text(
        "id: big\ngrades:\n"
        + "".join(
            f"  - {{code: {c}, rank: {r}, standing: {st}, meaning: {{ja: {c}, en: {c}}}}}\n" for c, r, st in grades
        ),
        encoding="utf-8",
    )
    table = write_csv(d / "table.csv")
    args = ["--scale", str(f)]
    return Case(
        "scale_rank_1e23", table, "error", ["rank must be"], ["scale.yaml", "grade A"], args=args, names_input=False
    )


@case("level_rank_1e23_vocabulary")
def _level_rank_1e23(d):
    f = d / "vocabulary.yaml"
    f.write_text("levels:\n  - {level: 高い, rank: 1.0e+23}\n", encoding="utf-8")
    table = write_csv(d / "table.csv")
    args = ["--vocabulary", str(f)]
    return Case(
        "level_rank_1e23_vocabulary",
        table,
        "error",
        ["rank must be"],
        ["vocabulary.yaml", "levels"],
        args=args,
        names_input=False,
    )


def _long_number_rows():
    rows = [r[:] for r in ROWS]
    rows[0][8] = "9" * 5000  # a current value of 5,000 digits: a number (about 1e5000: inf) or unreadable
    rows[1][7] = "1" + "0" * 4400 + "人"
    return rows


@case("value_5000_digits_csv")
def _value_5000_digits_csv(d):
    return Case(
        "value_5000_digits_csv", write_csv(d / "digits.csv", _long_number_rows()), "findings", json_has=["9999"]
    )


@case("value_5000_digits_xlsx")
def _value_5000_digits_xlsx(d):
    rows = [r[:] for r in ROWS]
    rows[0][8] = 12345  # a number cell, its <v> then written with 5,000 digits
    p = table_xlsx(d / "digits.xlsx", rows)
    rewrite_zip(p, _sheet1(lambda x: x.replace(b"<v>12345</v>", b"<v>" + b"9" * 5000 + b"</v>", 1)))
    return Case("value_5000_digits_xlsx", p, "findings")


_SLOW = r"(\w*\w*\w*\w*)*!"  # backtracks exponentially in Python's re on a long name with no "!"


def _long_name_rows():
    rows = [r[:] for r in ROWS]
    rows[2][5] = "地域懇談会の開催地区数及び参加した住民の延べ人数と満足度"  # 28 word characters
    return rows


@case("backtracking_pattern_indicators")
def _slow_pattern_indicators(d):
    f = d / "indicators.yaml"
    f.write_text(
        'indicators:\n  - {pattern: "' + _SLOW.replace("\\", "\\\\") + '", direction: increase}\n', encoding="utf-8"
    )
    table = write_csv(d / "table.csv", _long_name_rows())
    return Case("backtracking_pattern_indicators", table, "findings", args=["--indicators", str(f)], keep=[f])


@case("backtracking_pattern_mapping")
def _slow_pattern_mapping(d):
    f = d / "mapping.yaml"
    f.write_text("directions:\n  - {pattern: '" + _SLOW + "', direction: decrease}\n", encoding="utf-8")
    table = write_csv(d / "table.csv", _long_name_rows())
    return Case("backtracking_pattern_mapping", table, "findings", args=["--mapping", str(f)], keep=[f])


@case("possessive_pattern_mapping")
def _possessive_pattern(d):
    f = d / "mapping.yaml"
    f.write_text("directions:\n  - {pattern: '率*+', direction: increase}\n", encoding="utf-8")
    table = write_csv(d / "table.csv")
    args = ["--mapping", str(f)]
    return Case(
        "possessive_pattern_mapping",
        table,
        "error",
        ["bad pattern"],
        ["mapping.yaml", "directions[1]"],
        args=args,
        names_input=False,
    )


@case("repeat_1001_pattern_indicators")
def _repeat_pattern(d):
    f = d / "indicators.yaml"
    f.write_text("indicators:\n  - {pattern: '率{1001}', direction: increase}\n", encoding="utf-8")
    table = write_csv(d / "table.csv")
    args = ["--indicators", str(f)]
    return Case(
        "repeat_1001_pattern_indicators",
        table,
        "error",
        ["{1001}"],
        ["indicators.yaml", "indicators[1]"],
        args=args,
        names_input=False,
    )


# A special file as a table or a file option: its st_size of 0 passed every size limit and it read
# without end. The case's path is a good table (the test reads its bytes), the special file an argument.


@case("table_symlink_to_dev_zero")
def _dev_zero_table(d):
    link = d / "zero.csv"
    link.symlink_to("/dev/zero")
    table = write_csv(d / "table.csv")
    return Case(
        "table_symlink_to_dev_zero", table, "error", ["device"], ["zero.csv"], args=[str(link)], names_input=False
    )


@case("table_fifo")
def _fifo_table(d):
    fifo = d / "pipe.xlsx"
    os.mkfifo(fifo)
    table = write_csv(d / "table.csv")
    return Case("table_fifo", table, "error", ["FIFO"], ["pipe.xlsx"], args=[str(fifo)], names_input=False)


@case("config_rules_dev_zero")
def _config_rules_dev_zero(d):
    toml = d / "hyoka.toml"
    toml.write_text('rules = "/dev/zero"\n', encoding="utf-8")
    table = write_csv(d / "table.csv")
    args = ["--config", str(toml)]
    return Case(
        "config_rules_dev_zero", table, "error", ["device"], ["/dev/zero"], args=args, names_input=False, keep=[toml]
    )


@case("config_file_dev_zero")
def _config_dev_zero(d):
    table = write_csv(d / "table.csv")
    return Case(
        "config_file_dev_zero",
        table,
        "error",
        ["device"],
        ["/dev/zero"],
        args=["--config", "/dev/zero"],
        names_input=False,
    )


@case("waivers_fifo")
def _waivers_fifo(d):
    fifo = d / "waivers.yaml"
    os.mkfifo(fifo)
    table = write_csv(d / "table.csv")
    args = ["--waivers", str(fifo)]
    return Case("waivers_fifo", table, "error", ["FIFO"], ["waivers.yaml"], args=args, names_input=False)


@case("mapping_dev_zero")
def _mapping_dev_zero(d):
    link = d / "mapping.yaml"
    link.symlink_to("/dev/zero")
    table = write_csv(d / "table.csv")
    args = ["--mapping", str(link)]
    return Case("mapping_dev_zero", table, "error", ["device"], ["mapping.yaml"], args=args, names_input=False)


# A mapping file's key of the wrong shape: refused at load, one line naming the file and the key
# (hyoka.pipeline.MAPPING_SHAPES), not a TypeError in normalisation or a text read letter by letter.


@case("mapping_ignore_date")
def _mapping_ignore_date(d):
    """``ignore: 2024-01-01``: YAML reads a date, not a list of headers (was "internal error:
    TypeError: 'datetime.date' object is not iterable")."""
    f = d / "mapping.yaml"
    f.write_text("ignore: 2024-01-01\n", encoding="utf-8")
    table = write_csv(d / "table.csv")
    return Case(
        "mapping_ignore_date",
        table,
        "error",
        ["ignore: expected a list of words ([word, word, …]), not a date (2024-01-01)"],
        ["mapping.yaml"],
        args=["--mapping", str(f)],
        names_input=False,
        keep=[f],
    )


@case("mapping_directions_string")
def _mapping_directions_string(d):
    """``directions: "up"``: a text where a list of {pattern, direction} is expected (was
    "directions[0]: string indices must be integers, not 'str'")."""
    f = d / "mapping.yaml"
    f.write_text('directions: "up"\n', encoding="utf-8")
    table = write_csv(d / "table.csv")
    return Case(
        "mapping_directions_string",
        table,
        "error",
        ["directions: expected a list of entries (one `- {…}` per line), not a text (up)"],
        ["mapping.yaml"],
        args=["--mapping", str(f)],
        names_input=False,
        keep=[f],
    )


@case("symlink_loop_csv")
def _symlink_loop(d):
    """A table that is a symlink to itself (``ln -s loop.csv loop.csv``): Path.resolve() raised
    RuntimeError ("Symlink loop from …", an internal error line) before hyoka.files.real; now the
    one "cannot read" line naming it, in the system's words for ELOOP."""
    link = d / "loop.csv"
    link.symlink_to("loop.csv")
    return Case("symlink_loop_csv", link, "error", ["cannot read (Too many levels of symbolic links)"])


# ------------------------------------------------------------------ #15: command line, errors, CSV reading


@case("title_line_above_header_csv")
def _title_line_csv(d):
    """One title line above the header (the C parser refused it: "Expected 1 fields in line 2,
    saw 9"): read as the same table, its lines counted from the title."""
    p = d / "titled.csv"
    p.write_text("令和5年度 施策評価表\r\n" + csv_text(ROWS), encoding="utf-8")
    return Case("title_line_above_header_csv", p, "findings", json_has=["titled.csv:3:grade", "市職員研修"])


@case("blank_line_above_header_csv")
def _blank_line_csv(d):
    p = d / "blank_first.csv"
    p.write_bytes(b"\r\n" + csv_text(ROWS).encode("cp932"))
    return Case("blank_line_above_header_csv", p, "findings", json_has=["blank_first.csv:3:grade", "市職員研修"])


@case("utf8_one_bad_byte_csv")
def _utf8_one_bad_byte(d):
    """UTF-8 with one byte that is not: refused at its line and character, never read as cp932."""
    p = d / "one_bad_byte.csv"
    p.write_bytes(csv_text(ROWS).encode().replace("協働講座".encode(), "協働".encode() + b"\xff" + "講座".encode()))
    # line 3: （１）支援, is 6 characters, 協働 2 more: the byte is the 9th character
    return Case("utf8_one_bad_byte_csv", p, "error", ["0xFF at character 9", "not valid utf-8"], where=["row 3"])


@case("tiny_utf8_bad_byte_csv")
def _tiny_bad_byte(d):
    """Four bytes, 社 in UTF-8 and 0xFF: was read as cp932 mojibake (and a no-header error)."""
    p = d / "tiny.csv"
    p.write_bytes("社".encode() + b"\xff")
    return Case("tiny_utf8_bad_byte_csv", p, "error", ["0xFF at character 2", "byte 4 of the file"], where=["row 1"])


@case("control_characters_in_file_name_csv")
def _control_name(d):
    """ESC, BEL and U+202E in the file name are shown as escapes in the error line, never sent raw."""
    p = d / "課\x1b[31m\x07\u202ecsv.exe.csv"
    p.write_bytes(b"")
    return Case(
        "control_characters_in_file_name_csv",
        p,
        "error",
        ["empty"],
        where=["課\\x1b[31m\\x07\\u202ecsv.exe.csv"],
        names_input=False,
    )


@case("control_characters_in_sheet_name_xlsx")
def _control_sheet(d):
    p = write_xlsx(d / "sheet_bidi.xlsx", [("課\u202exslx.exe", [HEADER], "visible")])
    return Case("control_characters_in_sheet_name_xlsx", p, "error", where=["課\\u202exslx.exe"])


@case("cell_5000_characters_csv")
def _cell_5000(d):
    """A 5,000-character grade: the JSON keeps it whole (the terminal shortens it: test_cli_safety)."""
    rows = [list(r) for r in ROWS]
    rows[0][4] = "Ｚ" * 5000
    return Case("cell_5000_characters_csv", write_csv(d / "long_cell.csv", rows), "findings", json_has=["Ｚ" * 5000])


# ------------------------------------------------------------------ #15: outputs (report folder, --output, names)
# Each runs with reports into its own folder (--out under the case's folder, never the shared cwd).


@case("markdown_breaking_sheet_name_xlsx")
def _md_sheet_name(d):
    """A sheet name with a newline, raw HTML, a pipe and a lone CR: the department .md escapes it
    (tests/test_report_hostile.py checks the Markdown with a parser)."""
    sheet = "a\n<img src=x onerror=f()>|b\r<b>"
    p = write_xlsx(d / "mdsheet.xlsx", [(sheet, [HEADER, *ROWS], "visible")])
    return Case(
        "markdown_breaking_sheet_name_xlsx",
        p,
        "findings",
        json_has=["<img src=x onerror=f()>|b"],
        report=True,
        args=["--out", str(d / "out")],
    )


@case("direction_override_department_csv")
def _bidi_department(d):
    """U+202E and other invisible characters in department names: file names drop them."""
    rows = [list(r) for r in ROWS]
    rows[0][2] = "\u202eexe.lmth"
    rows[2][2] = "地域\u2066振興\u2069課\x85\u200b"
    p = write_csv(d / "bidi.csv", rows)
    return Case(
        "direction_override_department_csv",
        p,
        "findings",
        json_has=["\u202eexe.lmth"],
        report=True,
        args=["--out", str(d / "out")],
    )


@case("departments_1000_csv")
def _departments_1000(d):
    """1,000 departments in 70 KB: at most 200 department pages (hyoka.output.pages.PAGE_CAP)."""
    rows = [["（１）支援", f"事業{i}", f"課{i:04d}", "⑦", "A", "実施回数", "2回", "3回", "1回"] for i in range(1000)]
    p = write_csv(d / "deps1000.csv", rows)
    return Case("departments_1000_csv", p, "findings", json_has=["課0999"], report=True, args=["--out", str(d / "out")])


@case("waivers_saved_as_report_findings_json")
def _waivers_in_report(d):
    """A waiver list saved as OUT/findings.json: refused before anything is written."""
    out = d / "out"
    out.mkdir()
    waivers = out / "findings.json"
    waivers.write_text("waivers: []\n", encoding="utf-8")
    return Case(
        "waivers_saved_as_report_findings_json",
        write_csv(d / "t.csv"),
        "error",
        error_has=["report file", "findings.json", "input file"],
        report=True,
        names_input=False,
        args=["--waivers", str(waivers), "--out", str(out)],
        keep=[out],
    )


@case("annotate_over_an_input_before_reports")
def _annotate_over_input(d):
    """--annotate naming the waiver file: refused before the report folder is even made."""
    waivers = d / "waivers.yaml"
    waivers.write_text("waivers: []\n", encoding="utf-8")
    out = d / "out"
    return Case(
        "annotate_over_an_input_before_reports",
        write_csv(d / "t.csv"),
        "error",
        error_has=["--annotate", "input file"],
        report=True,
        names_input=False,
        args=["--waivers", str(waivers), "--annotate", str(waivers), "--out", str(out)],
        keep=[waivers, out],
    )


@case("folder_in_place_of_a_report_page")
def _folder_for_page(d):
    """The previous report, and a folder where the new index.html goes: one error line, and the
    previous report keeps every byte (no page of the new one beside it)."""
    out = d / "out"
    out.mkdir()
    (out / "01_市民協働推進課.html").write_text("previous page", encoding="utf-8")
    (out / ".hyoka-manifest.json").write_text('{"files": {"01_市民協働推進課.html": ""}}\n', encoding="utf-8")
    (out / "index.html").mkdir()
    (out / "index.html" / "keep.txt").write_text("someone's file", encoding="utf-8")
    return Case(
        "folder_in_place_of_a_report_page",
        write_csv(d / "t.csv"),
        "error",
        error_has=["index.html", "cannot write reports"],
        report=True,
        names_input=False,
        args=["--out", str(out)],
        keep=[out],
    )


# ---- #17: web pages (hyoka.read.html)


def html_table(rows=ROWS, header=HEADER) -> str:
    """The corpus table as one HTML <table> (cells escaped)."""
    import html

    def tr(cells, tag):
        return "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>"

    return "<table>" + tr(header, "th") + "".join(tr(r, "td") for r in rows) + "</table>"


@case("html_spans_over_the_cell_budget")
def _html_spans(d):
    """colspan=100000 (clamped to 1000, as browsers do) over rowspan=2000 rows: two million grid
    positions from a page of 30 KB, refused before any is made."""
    p = d / "spans.html"
    p.write_text(
        "<table><tr><td colspan=100000 rowspan=2000>x</td></tr>" + "<tr></tr>" * 1999 + "</table>", encoding="utf-8"
    )
    return Case("html_spans_over_the_cell_budget", p, "error", ["500,000 cells"], where=["table table1"])


@case("html_colspan_too_wide")
def _html_wide(d):
    p = d / "wide.html"
    p.write_text("<table><tr>" + "<td colspan=100000>x</td>" * 3 + "</tr></table>", encoding="utf-8")
    return Case("html_colspan_too_wide", p, "error", ["columns"], where=["table table1", "row 1"])


@case("html_ten_megabytes_of_cells")
def _html_many_cells(d):
    """A 10 MB page of a million cells: refused from the tag count, before a tree is built."""
    p = d / "cells.html"
    p.write_text("<table>" + ("<tr>" + "<td>1</td>" * 10 + "</tr>") * 100_001 + "</table>", encoding="utf-8")
    return Case("html_ten_megabytes_of_cells", p, "error", ["1,000,010 cells"])


@case("html_nested_too_deep")
def _html_deep(d):
    """The table inside 100,000 <div>s: libxml2 stops at 256 levels, so the page is refused
    rather than read without its table."""
    p = d / "deep.html"
    p.write_text("<div>" * 100_000 + html_table() + "</div>" * 100_000, encoding="utf-8")
    return Case("html_nested_too_deep", p, "error", ["256"])


@case("html_cell_over_ten_megabytes")
def _html_huge_cell(d):
    """One cell of 11 MB of text (under the page limit): libxml2 stops reading at 10 MB of text,
    which must be said as such (the try-out got the nesting message for it)."""
    p = d / "big_cell.html"
    p.write_text(html_table().replace("</td>", "x" * 11_000_000 + "</td>", 1), encoding="utf-8")
    return Case("html_cell_over_ten_megabytes", p, "error", ["10 MB"])


@case("html_entities_not_expanded")
def _html_entities(d):
    """An internal DTD subset declaring an external entity (a local file) and nested entities
    (a billion laughs): the HTML parser expands neither; the cell keeps the text as written."""
    rows = [list(ROWS[0]), *ROWS[1:]]
    rows[0][1] = "XXE"
    body = html_table(rows).replace("XXE", "&xxe;&lol3;")
    p = d / "entities.html"
    p.write_text(
        '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        "<html><body>" + body + "</body></html>",
        encoding="utf-8",
    )
    return Case("html_entities_not_expanded", p, "findings", json_has=["&xxe;&lol3;", "協働講座"])


@case("html_declared_utf8_holds_cp932")
def _html_wrong_charset(d):
    p = d / "charset.html"
    page = "<html><head><meta charset='utf-8'></head>\n<body>\n" + html_table() + "</body></html>"
    p.write_bytes(page.encode("cp932"))
    return Case("html_declared_utf8_holds_cp932", p, "error", ["not valid utf-8"], where=["row 3"])


@case("html_page_without_a_table")
def _html_no_table(d):
    p = d / "news.html"
    p.write_text("<html><body><ul><li>お知らせ</li></ul></body></html>", encoding="utf-8")
    return Case("html_page_without_a_table", p, "error", ["no table"])


# ---- #17: PDF reports (hyoka.read.pdf)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 the catalog), its cross-reference table exact."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_pdf(lines: list[str], stream: bytes | None = None, kids: bytes = b"[3 0 R]", count: int = 1) -> bytes:
    """A one-page PDF of plain text lines (Helvetica, no ruling); ``stream``: the page's content as
    a FlateDecode stream instead; ``kids`` and ``count``: the page tree's (to make it lie)."""
    text = " ".join(f"BT /F1 12 Tf 72 {720 - 16 * i} Td ({line}) Tj ET" for i, line in enumerate(lines))
    content = (
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream)
        if stream is not None
        else b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode())
    )
    return pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids %s /Count %d >>" % (kids, count),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            content,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@case("seed_pdf")
def _seed_pdf(d):
    """The seed printed to PDF (examples/seed_r5.pdf): its findings, placed by page."""
    p = d / "seed_r5.pdf"
    p.write_bytes((_EXAMPLES / "seed_r5.pdf").read_bytes())
    return Case("seed_pdf", p, "findings", json_has=["seed_r5.pdf#p1!R6C10", "seed_r5.pdf#p2!R5C9"])


@case("truncated_pdf")
def _truncated_pdf(d):
    full = (_EXAMPLES / "seed_r5.pdf").read_bytes()
    p = d / "truncated.pdf"
    p.write_bytes(full[: len(full) // 2])
    return Case("truncated_pdf", p, "error")


@case("scanned_pdf")
def _scanned_pdf(d):
    p = d / "scanned.pdf"
    p.write_bytes((_EXAMPLES / "pdf" / "scanned_r5.pdf").read_bytes())
    return Case("scanned_pdf", p, "error", ["does not do OCR"])


@case("password_protected_pdf")
def _locked_pdf(d):
    p = d / "locked.pdf"
    p.write_bytes((Path(__file__).resolve().parent / "data" / "pdf" / "locked.pdf").read_bytes())
    return Case("password_protected_pdf", p, "error", ["password"])


@case("inflating_page_pdf")
def _inflating_pdf(d):
    """150 KB whose page inflates to 60 MB of text drawings (pdfminer took minutes and GBs)."""
    p = d / "inflating.pdf"
    p.write_bytes(text_pdf([], stream=zlib.compress(b"BT /F1 1 Tf 10 10 Td (x) Tj ET\n" * 2_000_000, 9)))
    return Case("inflating_page_pdf", p, "error", ["drawing instructions"])


@case("page_tree_loop_pdf")
def _page_loop_pdf(d):
    """A page tree that lists itself among its pages, and claims 99,999,999 of them."""
    p = d / "loop.pdf"
    p.write_bytes(text_pdf(["x"], kids=b"[2 0 R 3 0 R]", count=99_999_999))
    return Case("page_tree_loop_pdf", p, "either")


@case("text_without_ruling_pdf")
def _plain_pdf(d):
    p = d / "plain.pdf"
    p.write_bytes(text_pdf(["Indicator  Baseline  Target  Current", "Visitors  120  150  140"]))
    return Case("text_without_ruling_pdf", p, "error", ["no ruled table"])


BUILDERS = [
    _empty,
    _empty_xlsx,
    _header_only_csv,
    _header_only_xlsx,
    _cp932,
    _utf16_bom,
    _utf16_be_bom,
    _utf16_nobom,
    _broken_utf8,
    _nul,
    _junk_csv,
    _junk_csv_high,
    _random_xlsx,
    _truncated_xlsx,
    _zip_bomb,
    _not_workbook_zip,
    _xls,
    _xlsm,
    _encrypted,
    _wide,
    _big_cell,
    _dup_csv,
    _dup_xlsx,
    _missing_cols,
    _formula_nocache,
    _formula_cached,
    _merged_overlap,
    _merged_circular,
    _dates,
    _markers_csv,
    _markers_xlsx,
    _vanished,
    _out_not_writable,
    _directory,
    _whitespace,
    _long_no_header,
    _semicolon,
    _header_row_40,
    _header_row_40_xlsx,
    _title_only,
    _all_hidden,
    _legend_only,
    _markup,
    _formula_injection,
    _formula_injection_xlsx,
    _bom_cp932,
    _bom_utf8,
    _crlf,
    _lf,
    _cr_only,
    _quoted_newlines,
    _trailing_comma,
    _fullwidth,
    _tsv,
    _euc,
    _unterminated_quote,
    _ragged,
    _newlines_only,
    _bom_only,
    _commas_only,
    _many_rows,
    _control_chars,
    _unknown_ext,
    _no_ext,
    _bad_sheet_xml,
    _bad_workbook_xml,
    _no_rels,
    _no_sheet_part,
    _far_cell,
    _percent_xlsx,
    _sheet_name_markup,
    _merged_header,
]

CASE_NAMES = [  # in BUILDERS order: known at collection time without writing 520 MB
    "empty_csv",
    "empty_xlsx",
    "header_only_csv",
    "header_only_xlsx",
    "cp932_csv",
    "utf16_bom_csv",
    "utf16_be_bom_csv",
    "utf16_nobom_csv",
    "broken_utf8_csv",
    "nul_bytes_csv",
    "binary_junk_csv",
    "binary_junk_high_bytes_csv",
    "random_bytes_xlsx",
    "truncated_xlsx",
    "zip_bomb_xlsx",
    "zip_not_workbook_xlsx",
    "ole_xls",
    "xlsm",
    "password_protected_xlsx",
    "columns_100k_csv",
    "cell_5mb_csv",
    "duplicate_columns_csv",
    "duplicate_columns_xlsx",
    "missing_columns_csv",
    "formula_no_cached_value_xlsx",
    "formula_cached_value_xlsx",
    "overlapping_merged_ranges_xlsx",
    "reversed_and_huge_merged_ranges_xlsx",
    "dates_in_value_columns_xlsx",
    "missing_markers_csv",
    "missing_markers_xlsx",
    "file_disappears_csv",
    "out_not_writable",
    "directory_as_file",
    "whitespace_only_csv",
    "long_lines_no_header_csv",
    "semicolon_csv",
    "header_on_row_40_csv",
    "header_on_row_40_xlsx",
    "title_only_xlsx",
    "all_sheets_hidden_xlsx",
    "legend_only_xlsx",
    "markup_and_html_csv",
    "formula_injection_csv",
    "formula_injection_xlsx",
    "utf8_bom_then_cp932_csv",
    "utf8_bom_csv",
    "crlf_csv",
    "lf_csv",
    "cr_only_csv",
    "quoted_newlines_csv",
    "trailing_comma_csv",
    "fullwidth_digits_csv",
    "tab_separated_txt",
    "euc_jp_csv",
    "unterminated_quote_csv",
    "ragged_rows_csv",
    "newlines_only_csv",
    "bom_only_csv",
    "commas_only_csv",
    "many_rows_csv",
    "control_characters_csv",
    "header_only_pdf",
    "no_extension",
    "malformed_sheet_xml_xlsx",
    "malformed_workbook_xml_xlsx",
    "missing_workbook_rels_xlsx",
    "missing_sheet_part_xlsx",
    "stray_cell_at_XFD1048576_xlsx",
    "nan_inf_huge_numbers_xlsx",
    "markup_sheet_name_xlsx",
    "merge_over_header_and_rows_xlsx",
]


def build(folder: Path) -> dict[str, Case]:
    """Write every case's file under ``folder`` (one subfolder per case) and return them by name."""
    cases = {}
    for b in [*BUILDERS, *(b for _, b in EXTRA)]:
        sub = folder / b.__name__.strip("_")
        sub.mkdir(parents=True)
        c = b(sub)
        assert c.name not in cases, c.name
        cases[c.name] = c
    assert list(cases) == case_names(), "CASE_NAMES is out of step with BUILDERS"
    return cases


def case_names() -> list[str]:
    """The case names, without writing files (for test parametrisation)."""
    return [*CASE_NAMES, *(n for n, _ in EXTRA)]
