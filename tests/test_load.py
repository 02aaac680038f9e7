"""Loading the seed in both forms, encodings, header detection and cell references."""

import zipfile
from xml.sax.saxutils import escape

import pandas as pd
import pytest
from openpyxl import Workbook

from hyoka.errors import InputError, NoHeaderError
from hyoka.read.csv import decode_csv_bytes
from hyoka.read.header import match_header
from hyoka.read.table import load_table

from .conftest import SEED_CSV, SEED_EXCEL_HTM, SEED_HTML, SEED_PDF, SEED_PORTAL_HTML, SEED_XLSX, UK_Q1


def test_seed_csv_rows_and_line_numbers(vocab):
    t = load_table(SEED_CSV, vocab)
    f = t.frame
    assert len(f) == 15
    # records span several physical lines (quoted newlines): checked by opening the file
    assert f["row"].tolist()[:4] == [2, 4, 5, 6]
    assert f.loc[13, "project"] == "コミュニティ・スクールの導入"
    assert f.loc[13, "row"] == 38
    # places as numbers: column 9; no character column, as the activities cell before it runs on
    assert (f.loc[13, "col_baseline"], f.loc[13, "char_baseline"]) == (9, 0)
    assert t.labels[9] == "baseline"  # shown as seed_r5.csv:38:baseline
    d001 = f[f["row"] == 6].iloc[0]  # the seed's D001: line 6, character 193
    assert (d001["col_target"], d001["char_target"]) == (11, 193)
    assert f.loc[0, "char_target"] == 0  # the record's activities cell runs on
    assert f.loc[13, "baseline"] == "-"


def test_seed_xlsx_layout(vocab):
    t = load_table(SEED_XLSX, vocab)
    f = t.frame
    assert t.sheets_read == ["R5実施状況"]
    assert len(f) == 15
    assert f["row"].tolist() == list(range(4, 19))  # title + two header rows above
    assert t.headers["baseline"] == "基準値（R3)"
    assert f["baseline_year"].unique().tolist() == ["R3"]  # from the header label
    # that header cell, I3
    assert (f["col_baseline_year"].unique().tolist(), f["cellrow_baseline_year"].unique().tolist()) == ([9], [3])
    assert f["target_year"].unique().tolist() == ["R9"]
    assert f["current_year"].unique().tolist() == ["R5"]
    # 項目 is merged over A4:A13; every row of the range carries it
    assert (f.loc[0:9, "item"] == "（１）市民の組織機能を強化するための支援").all()
    assert f.loc[10, "item"] == "（２）相互交流のネットワーク化"
    assert (f.loc[10, "sheet"], f.loc[10, "row"], f.loc[10, "col_grade"]) == ("R5実施状況", 14, 6)  # F14
    assert "char_grade" not in f  # a workbook has no character columns
    assert f.loc[2, "grade"] == "Ａ"  # as published, full-width


def test_both_seed_forms_hold_the_same_values(vocab):
    a = load_table(SEED_CSV, vocab).frame
    b = load_table(SEED_XLSX, vocab).frame
    cols = [
        "item",
        "project",
        "department",
        "activities",
        "partners",
        "grade",
        "effect",
        "indicator",
        "baseline",
        "target",
        "current",
        "baseline_year",
        "target_year",
        "current_year",
    ]
    pd.testing.assert_frame_equal(a[cols], b[cols])


@pytest.mark.parametrize("page", [SEED_HTML, SEED_EXCEL_HTM, SEED_PORTAL_HTML], ids=["plain", "excel", "portal"])
def test_seed_pages_hold_the_csv_values(vocab, page):
    """The pages examples/build_html.py writes read back to the CSV's values: 項目 from its
    rowspan, line breaks from <br> (and <p>), departments without their furigana, ①–⑦ from the
    Shift_JIS page (cp932). HTML shows a run of spaces as one, so the one cell with layout spaces
    (食生活改善推進員養成育成事業's activities, CSV line 10) is compared with its runs collapsed."""
    a = load_table(SEED_CSV, vocab).frame
    b = load_table(page, vocab).frame
    cols = ["item", "project", "department", "activities", "partners", "grade", "effect", "indicator"]
    cols += ["baseline", "target", "current", "baseline_year", "target_year", "current_year"]
    collapse = {"activities": lambda s: s.str.replace(r" +", " ", regex=True).str.replace(r"\n ", "\n", regex=True)}
    a, b = (
        a[cols].assign(**{c: f(a[c]) for c, f in collapse.items()}),
        b[cols].assign(**{c: f(b[c]) for c, f in collapse.items()}),
    )
    pd.testing.assert_frame_equal(a, b)
    assert load_table(SEED_CSV, vocab).frame["activities"][8] != a["activities"][8]  # the collapsed cell


@pytest.mark.parametrize(
    "text, expected",
    [
        ("基準値（R3)", ("baseline", "R3")),
        ("目標値（R9)", ("target", "R9")),
        ("現状値\n（R5)", ("current", "R5")),
        ("基準値(H30)", ("baseline", "H30")),
        ("目標値（令和9年度）", ("target", "令和9年度")),
        ("協働の相手\n①～⑦", ("partners", None)),
        ("所管課", ("department", None)),
        ("実績値", ("current", None)),
        ("（２）目標指標の状況", None),
        ("（１）令和5年度実施状況", None),
    ],
)
def test_header_matching(vocab, text, expected):
    assert match_header(text, vocab) == expected


def _write(path, text, encoding):
    path.write_bytes(text.encode(encoding))
    return path


SMALL = (
    "項目,事業名,担当課,協働の相手,事業の評価,目標指標,基準値,目標値,現状値\n"
    "（１）支援,髙橋①事業,市民協働推進課,①②,Ａ,加入率,60.4％,62％,61％\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932"])
def test_csv_encodings_detected(tmp_path, vocab, encoding):
    # 髙 and ① exist in cp932 but not in strict Shift_JIS: reading must not use shift_jis
    p = _write(tmp_path / f"t_{encoding}.csv", SMALL, encoding)
    f = load_table(p, vocab).frame
    assert f.loc[0, "project"] == "髙橋①事業"
    assert f.loc[0, "partners"] == "①②"


@pytest.mark.parametrize(
    "text, project, department",
    [
        # the file: short enough that detection scored it as another encoding
        ("事業名,担当課,評価\r\n①訓練,危機管理課,A\r\n", "①訓練", "危機管理課"),
        ("事業名,担当課,評価\r\n第Ⅲ期計画,㈱テスト課,A\r\n", "第Ⅲ期計画", "㈱テスト課"),
        ("事業名,担当課,評価\r\n髙橋事業,総務課,B\r\n", "髙橋事業", "総務課"),
    ],
)
def test_short_cp932_files(tmp_path, vocab, text, project, department):
    p = _write(tmp_path / "s.csv", text, "cp932")
    assert decode_csv_bytes(p.read_bytes(), "s.csv")[1] == "cp932"
    f = load_table(p, vocab).frame
    assert (f.loc[0, "project"], f.loc[0, "department"], f.loc[0, "row"]) == (project, department, 2)


def test_euc_jp_files_are_detected(tmp_path, vocab):
    # not valid cp932 (checked by hand: byte 0xEF at 58, the lead byte of Ａ's second half, has no trail byte)
    text = "事業名,担当課,評価,基準値\n防災訓練の実施,危機管理課,Ａ,10件\n"
    with pytest.raises(UnicodeDecodeError):
        text.encode("euc_jp").decode("cp932")
    f = load_table(_write(tmp_path / "e.csv", text, "euc_jp"), vocab).frame
    assert (f.loc[0, "project"], f.loc[0, "grade"], f.loc[0, "baseline"]) == ("防災訓練の実施", "Ａ", "10件")
    # valid cp932, but only as user-defined characters (lead bytes F0–F9) and half-width kana: not cp932
    text = "事業名,担当課,評価\n防災訓練,危機管理課,A\n"
    assert "\ue4dd" in text.encode("euc_jp").decode("cp932")
    f = load_table(_write(tmp_path / "e2.csv", text, "euc_jp"), vocab).frame
    assert (f.loc[0, "project"], f.loc[0, "department"]) == ("防災訓練", "危機管理課")


def test_undecodable_bytes_name_file_and_line(tmp_path, vocab):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"\xef\xbb\xbf" + "事業名,担当課,評価\n訓練,総務課,A\n".encode() + b"x,\xff\xfe,A\n")
    with pytest.raises(InputError) as e:
        load_table(p, vocab)
    # BOM 3 bytes + line 1 27 (8 kanji × 3, 2 commas, a line end) + line 2 19 + "x," 2: 51 bytes
    # before it, so the 52nd byte; the third character of line 3
    assert str(e.value) == (
        "bad.csv, row 3: the byte 0xFF at character 3 of the line (byte 52 of the file) is not valid utf-8-sig; "
        "save the file as UTF-8 CSV"
    )
    p.write_bytes("事業名,担当課,評価\n訓練,総務課,A\n".encode("utf-16") + b"\x00\xdc")  # a lone low surrogate
    # BOM 2 bytes + 20 characters × 2: the 43rd and 44th bytes, the first character of line 3
    with pytest.raises(
        InputError, match=r"^bad.csv, row 3: the byte 0x00 0xDC at character 1 of the line \(byte 43 of the file\)"
    ):
        load_table(p, vocab)


def test_csv_title_line_above_header(tmp_path, vocab):
    p = _write(tmp_path / "t.csv", "令和5年度 実施状況,,,,,,,,\n" + SMALL + "※ 注記：値は速報値,,,,,,,,\n", "utf-8")
    f = load_table(p, vocab).frame
    assert len(f) == 1  # the ※ note below the table is not a row
    assert f.loc[0, "row"] == 3


@pytest.mark.parametrize(
    "head",
    [
        "タイトル行\n\n",  # a title with no commas, then a blank line: both shorter than the header
        "令和5年度 事務事業評価,作成 総務課\n",  # fewer commas than the header
        "\n\n",  # blank lines only
    ],
)
def test_csv_short_lines_above_header(tmp_path, vocab, head):
    body = '事業名,担当課,評価,基準値\n"防災\n訓練",危機管理課,A,10\n"x",総務課,B,20\n'
    p = _write(tmp_path / "t.csv", head + body, "utf-8")
    f = load_table(p, vocab).frame
    header = head.count("\n") + 1
    assert f["project"].tolist() == ["防災\n訓練", "x"]
    assert f["row"].tolist() == [header + 1, header + 3]  # the first record spans two lines
    # "x",総務課,B,20: B at character 9, 20 at 11; the record that runs on has no character column
    assert f["char_grade"].tolist() == [0, 9] and f["char_baseline"].tolist() == [0, 11]


def test_csv_title_line_above_a_header_the_c_parser_refuses(tmp_path, vocab):
    # the title line has one field, the header five: the C parser refuses it, the record reader reads it
    p = _write(tmp_path / "t.csv", "タイトル\n事業名,担当課,評価,基準値,目標値\n訓練,総務課,A,1,2\n", "utf-8")
    t = load_table(p, vocab)
    assert t.header_rows == [2]
    assert t.frame["project"].tolist() == ["訓練"] and t.frame["row"].tolist() == [3]


def test_csv_row_longer_than_header_below_a_title_is_refused(tmp_path, vocab):
    p = _write(tmp_path / "r.csv", "タイトル\n事業名,担当課,評価,基準値\n訓練,総務課,A,1\nx,y,B,1,extra\n", "utf-8")
    with pytest.raises(InputError, match=r"^r.csv: not a readable CSV \(Expected 4 fields in line 4, saw 5\)$"):
        load_table(p, vocab)


def test_no_header_is_a_one_line_error(tmp_path, vocab):
    p = _write(tmp_path / "junk.csv", "a,b,c\n1,2,3\n", "utf-8")
    with pytest.raises(InputError) as e:
        load_table(p, vocab)
    assert str(e.value).startswith("junk.csv: no header row")
    assert "\n" not in str(e.value)


def test_no_header_names_the_closest_row_and_points_to_inspect(tmp_path, vocab):
    # a title line, then a row that names two fields (事業名, 担当課) and one nothing (値): not enough
    p = _write(tmp_path / "x.csv", "一覧表\n事業名,担当課,値\n訓練,総務課,3\n", "utf-8")
    with pytest.raises(NoHeaderError) as e:
        load_table(p, vocab)
    assert str(e.value) == (
        "x.csv: no header row: none of the first 30 rows names an indicator and two of "
        "baseline/target/current, or 3 known columns (rules/columns.yaml). Closest: row 2 "
        "(事業名 → project, 担当課 → department, 値 → ?). Run `hyoka inspect x.csv` to see how each "
        "row was read, and map headers with --mapping (docs/mapping.md)."
    )
    assert e.value.closest == ("", 2, [(1, "事業名", "project"), (2, "担当課", "department"), (3, "値", None)])
    assert e.value.sheets[0][1][0] == (1, ["一覧表", "", ""])


def test_no_header_in_a_workbook_names_the_sheet(tmp_path, vocab):
    wb = Workbook()
    wb.active.title = "概要"
    wb.active.append(["計画の進捗"])
    ws = wb.create_sheet("一覧")
    ws.append(["番号", "事業名", "担当課", "メモ"])
    ws.append([1, "訓練", "総務課", "x"])
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(NoHeaderError) as e:
        load_table(tmp_path / "b.xlsx", vocab)
    assert "Closest: sheet 一覧, row 1 (番号 → ignore, 事業名 → project, 担当課 → department, メモ → ?)." in str(
        e.value
    )
    assert "in no sheet do any of the first 30 rows name an indicator" in str(e.value)


def test_empty_and_binary_files(tmp_path, vocab):
    with pytest.raises(InputError, match="empty"):
        load_table(_write(tmp_path / "e.csv", "", "utf-8"), vocab)
    (tmp_path / "b.csv").write_bytes(b"\x00\x01\x02garbage\x00")
    with pytest.raises(InputError, match="NUL"):
        load_table(tmp_path / "b.csv", vocab)
    (tmp_path / "t.xlsx").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(InputError, match="not a readable .xlsx"):
        load_table(tmp_path / "t.xlsx", vocab)


def test_xlsx_numbers_percent_format_and_hidden_sheet(tmp_path, vocab):
    wb = Workbook()
    ws = wb.active
    ws.title = "健康増進課"
    ws.append(["事業名", "担当課", "評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)"])
    ws.append(["事業", "健康増進課", "A", "受診率", 0.852, 0.9, 0.87])
    for c in ("E2", "F2", "G2"):
        ws[c].number_format = "0.0%"
    hidden = wb.create_sheet("凡例")
    hidden.sheet_state = "hidden"
    p = tmp_path / "n.xlsx"
    wb.save(p)
    t = load_table(p, vocab)
    assert t.sheets_read == ["健康増進課"] and t.sheets_skipped == ["凡例"]
    assert t.frame.loc[0, "baseline"] == "85.2%"  # 0.852 shown as 85.2 %, not 0.852


def test_uk_table_loads_with_its_own_columns(vocab):
    f = load_table(UK_Q1, vocab).frame
    assert len(f) == 45
    assert f.loc[0, "grade"] == "lg" and f.loc[0, "baseline"] == "95.3"


def _ods_cell(value) -> str:
    if value is None:  # under a cell merged from above
        return "<table:covered-table-cell/>"
    if isinstance(value, float | int):
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def write_ods(path, sheets: dict[str, list[list]]):
    """A minimal OpenDocument spreadsheet, written by hand (no ODS writer is installed)."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    tables = "".join(
        f'<table:table table:name="{name}">'
        + "".join("<table:table-row>" + "".join(map(_ods_cell, row)) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    mime = "application/vnd.oasis.opendocument.spreadsheet"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", mime)  # stored first, uncompressed, as the format asks
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods_is_read(tmp_path, vocab):
    rows = [
        ["令和5年度 実施状況"],
        ["項目", "事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "現状値（R5)"],
        ["（１）支援", "①防災訓練", "危機管理課", "Ａ", "参加者数", 60.4, 17],
    ]
    t = load_table(write_ods(tmp_path / "t.ods", {"R5実施状況": rows}), vocab)
    f = t.frame
    assert t.sheets_read == ["R5実施状況"]
    assert (f.loc[0, "sheet"], f.loc[0, "row"], f.loc[0, "col_grade"]) == ("R5実施状況", 3, 4)
    assert (f.loc[0, "project"], f.loc[0, "grade"]) == ("①防災訓練", "Ａ")
    assert (f.loc[0, "baseline"], f.loc[0, "current"], f.loc[0, "baseline_year"]) == ("60.4", "17", "R3")
    assert not f["nocache_grade"].any()


def test_not_an_xls_is_one_line(tmp_path, vocab):
    # no .xls writer is installed and none ships with a package here: only the refusal is tested
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(InputError, match=r"^old.xls: not a readable \.xls workbook \(CalamineError: [^\n]*\)$"):
        load_table(tmp_path / "old.xls", vocab)


def test_workbook_named_as_csv_is_refused_with_its_kind(tmp_path, vocab):
    wb = Workbook()
    wb.active.append(["事業名", "担当課", "評価"])
    wb.save(tmp_path / "book.csv")
    with pytest.raises(InputError) as e:
        load_table(tmp_path / "book.csv", vocab)
    assert str(e.value) == "book.csv: this .csv is an Excel workbook (.xlsx); rename it to .xlsx"
    write_ods(tmp_path / "sheet.txt", {"s": [["事業名"]]})
    with pytest.raises(
        InputError, match=r"^sheet.txt: this .txt is an OpenDocument spreadsheet \(.ods\); rename it to .ods$"
    ):
        load_table(tmp_path / "sheet.txt", vocab)
    (tmp_path / "old.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(
        InputError, match=r"^old.csv: this .csv is an old-format Excel workbook \(.xls\); rename it to .xls$"
    ):
        load_table(tmp_path / "old.csv", vocab)
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(InputError, match=r"rename it to .xls$"):
        load_table(tmp_path / "old.xlsx", vocab)


def test_a_pdf_or_workbook_named_as_another_kind_says_what_it_is(tmp_path, vocab):
    # the try-out's renamed files: a PDF as .html was "NUL characters", an .xlsx as .pdf "not a PDF"
    for name, data, kind in [
        ("report.html", SEED_PDF.read_bytes(), "a PDF; rename it to .pdf"),
        ("report.csv", SEED_PDF.read_bytes(), "a PDF; rename it to .pdf"),
        ("book.pdf", SEED_XLSX.read_bytes(), "an Excel workbook (.xlsx); rename it to .xlsx"),
    ]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as e:
            load_table(tmp_path / name, vocab)
        assert str(e.value) == f"{name}: this {name[name.rindex('.') :]} is {kind}"
