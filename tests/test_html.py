"""Web pages (.html, .htm) read as tables (hyoka.read.html, issue #17): spans, line breaks,
furigana, headers, charsets, several tables and --table, and the page with no evaluation table.

Every grid below was worked out by hand from the page written in the test (count the <tr> and
the positions each <td> covers)."""

import json

import pytest

from hyoka.errors import InputError
from hyoka.normalise.vocabulary import load_vocabulary
from hyoka.options import CheckOptions
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check
from hyoka.read.html import MAX_COLSPAN, read_tables
from hyoka.read.table import load_table

from .conftest import SEED_PORTAL_HTML
from .inprocess import run_cli

HEADER = "<tr><th>事業名</th><th>担当課</th><th>事業の評価</th><th>目標指標</th><th>基準値</th><th>目標値</th><th>現状値</th></tr>"
# graded A while 2回 fell to 1回: G002 on the grade
ROW = (
    "<tr><td>市職員研修</td><td>市民協働推進課</td><td>A</td><td>実施回数</td><td>2回</td><td>3回</td><td>1回</td></tr>"
)
NAV = "<table><tr><td><a href='/'>トップ</a></td><td><a href='/map'>サイトマップ</a></td></tr></table>"


def page(tmp_path, body: str, name: str = "page.html", charset: str = "utf-8", head: str = "") -> object:
    p = tmp_path / name
    p.write_bytes(f"<html><head><meta charset='{charset}'>{head}</head><body>{body}</body></html>".encode(charset))
    return p


def grids(path):
    return {g.name: g.rows for g in read_tables(path, path.name)}


def test_rowspan_and_colspan_fill_like_merged_cells(tmp_path):
    p = page(
        tmp_path,
        "<table>"
        "<tr><td rowspan=3>A</td><td colspan=2>B</td><td>C</td></tr>"
        "<tr><td>d</td><td rowspan=2 colspan=2>E</td></tr>"
        "<tr><td>f</td></tr>"
        "</table>",
    )
    # row 1: A B B C; row 2: A (covered) d E E; row 3: A f E E
    assert grids(p)["table1"] == [["A", "B", "B", "C"], ["A", "d", "E", "E"], ["A", "f", "E", "E"]]


def test_spans_are_bounded_as_browsers_bound_them(tmp_path):
    p = page(
        tmp_path,
        "<table><tbody><tr><td rowspan=999999>x</td><td colspan=100000>y</td></tr><tr><td>z</td></tr></tbody>"
        "<tbody><tr><td rowspan=0>r</td><td>s</td></tr><tr><td>t</td></tr></tbody></table>",
    )
    rows = grids(p)["table1"]
    assert len(rows) == 4  # rowspan ends with its row group, however large; rowspan=0 runs to the group's end
    assert len(rows[0]) == 1 + MAX_COLSPAN
    assert rows[1][:2] == ["x", "z"]
    assert [r[0] for r in rows[2:]] == ["r", "r"]
    assert rows[3][1] == "t"


def test_excel_text_running_over_empty_cells_is_not_a_merge(tmp_path):
    p = page(tmp_path, "<table><tr><td colspan=3 style='height:13.5pt;mso-ignore:colspan'>題名</td></tr></table>")
    assert grids(p)["table1"] == [["題名", "", ""]]


def test_br_paragraphs_and_spaces(tmp_path):
    p = page(
        tmp_path,
        "<table><tr>"
        "<td>効果<br>\n   情報提供を機に</td>"
        "<td><p>一行目</p><p>&nbsp;</p><p>三行目</p></td>"
        "<td>  a \t b\n c&nbsp;</td>"
        "<td><pre>x  y</pre></td>"
        "<td>4,5</td>"
        "</tr></table>",
    )
    assert grids(p)["table1"] == [["効果\n情報提供を機に", "一行目\n\n三行目", "a b c", "x  y", "4,5"]]


def test_furigana_and_hidden_runs_are_left_out(tmp_path):
    style = "<style>.rt0 {color:windowtext; display:none;} span.kana {display : none}</style>"
    p = page(
        tmp_path,
        "<table><tr>"
        "<td><ruby>担当課<rp>（</rp><rt>たんとうか</rt><rp>）</rp></ruby></td>"
        "<td><ruby>評価<span class=rt0>ヒョウカ</span></ruby></td>"  # hidden by the page's style
        "<td><ruby>社会福祉課<span class=rt1>シャカイ</span></ruby></td>"  # Excel's phonetic run in <ruby>
        "<td>課<span style='display:none'>カ</span><span class=kana>か</span></td>"
        "<td>3<!--[if supportFields]>PAGE<![endif]--><span style='mso-element:field-begin'></span> NUMPAGES "
        "<span style='mso-element:field-separator'></span>9<span style='mso-element:field-end'></span></td>"
        "<td>a<script>b</script><style>c</style></td>"
        "</tr></table>",
        head=style,
    )
    assert grids(p)["table1"] == [["担当課", "評価", "社会福祉課", "課", "39", "a"]]


def test_thead_rows_come_first_and_tfoot_last(tmp_path):
    p = page(
        tmp_path,
        "<table><tfoot><tr><td>foot</td></tr></tfoot><tbody><tr><td>body</td></tr></tbody>"
        "<thead><tr><th>head</th></tr></thead></table>",
    )
    assert grids(p)["table1"] == [["head"], ["body"], ["foot"]]


def test_two_row_thead_header_with_colspan_is_read(tmp_path, vocab):
    p = page(
        tmp_path,
        "<table><thead>"
        "<tr><th rowspan=2>事業名</th><th rowspan=2>担当課</th><th rowspan=2>事業の評価</th>"
        "<th colspan=4>目標指標の状況</th></tr>"
        "<tr><th>目標指標</th><th>基準値<br>(R3)</th><th>目標値<br>(R9)</th><th>現状値<br>(R5)</th></tr>"
        "</thead><tbody>" + ROW + "</tbody></table>",
    )
    t = load_table(p, vocab)
    row = t.frame.iloc[0]
    assert (row["project"], row["grade"], row["baseline"], row["current"]) == ("市職員研修", "A", "2回", "1回")
    assert (row["baseline_year"], row["target_year"], row["current_year"]) == ("R3", "R9", "R5")
    assert (row["sheet"], row["row"], row["col_current"]) == ("table1", 3, 7)


def test_shift_jis_page_as_excel_writes_it(tmp_path, vocab):
    """Excel declares shift_jis and writes cp932 (① is not in Shift_JIS): read as cp932."""
    body = (
        "<table>"
        + HEADER
        + ROW.replace("<td>A</td>", "<td>A</td>").replace("市民協働推進課", "市民協働推進課①")
        + "</table>"
    )
    p = tmp_path / "book.htm"
    p.write_bytes(
        (
            '<html><head><meta http-equiv=Content-Type content="text/html; charset=shift_jis"></head><body>'
            + body
            + "</body></html>"
        ).encode("cp932")
    )
    assert load_table(p, vocab).frame["department"].tolist() == ["市民協働推進課①"]


def test_undeclared_cp932_page_is_detected(tmp_path, vocab):
    p = tmp_path / "old.htm"
    p.write_bytes(("<html><body><table>" + HEADER + ROW + "</table></body></html>").encode("cp932"))
    assert load_table(p, vocab).frame["project"].tolist() == ["市職員研修"]


def test_a_byte_the_declared_charset_lacks_is_one_line(tmp_path):
    p = tmp_path / "bad.html"
    p.write_bytes(b"<html><head><meta charset='utf-8'></head>\n<body>\n<table><tr><td>\x82\xa0</td></tr></table>")
    r = run_cli("check", str(p), "--no-report", "--lang", "en")
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert len(err.splitlines()) == 1
    assert "bad.html, row 3" in err and "0x82" in err and "utf-8" in err


def test_several_tables_and_table_n(tmp_path):
    """A navigation table (table1) is skipped; a layout table around the evaluation table (table2)
    is skipped too, its nested table (table3) read; table4 is a second evaluation table."""
    second = ROW.replace("市職員研修", "協働講座")
    p = page(
        tmp_path,
        NAV
        + "<table><tr><td>"
        + "<table>"
        + HEADER
        + ROW
        + "</table>"
        + "</td></tr></table>"
        + "<table>"
        + HEADER
        + second
        + "</table>",
    )
    r = run_check([p])
    assert sorted(zip(r.frame["sheet"], r.frame["row"], r.frame["project"])) == [
        ("table3", 2, "市職員研修"),
        ("table4", 2, "協働講座"),
    ]
    cells = sorted(with_cells(r).query("code == 'G002'")["cell"])
    assert cells == ["page.html#table3!R2C3", "page.html#table4!R2C3"]
    r = run_check([p], CheckOptions(table=4))
    assert r.frame["project"].tolist() == ["協働講座"]
    out = run_cli("check", str(p), "--table", "4", "--no-report", "--format", "json")
    assert out.returncode == 0  # G002 is a warning
    assert [f["cell"] for f in json.loads(out.stdout) if f["code"] == "G002"] == ["page.html#table4!R2C3"]


def test_table_n_that_does_not_exist_is_one_line(tmp_path):
    r = run_cli("check", str(SEED_PORTAL_HTML), "--table", "7", "--no-report", "--lang", "en")
    assert r.returncode == 2
    assert r.stderr.decode().strip() == (
        "hyoka: error: seed_r5_portal.html: --table 7: the page has 4 table(s) (<table>: table1 to table4)"
    )
    r = run_cli("check", str(SEED_PORTAL_HTML), "--table", "1", "--no-report", "--lang", "en")
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "no header row" in err and "table table1, row 1" in err


def test_page_without_an_evaluation_table_is_one_line(tmp_path):
    p = page(tmp_path, NAV + "<p>お知らせ</p>" + NAV)
    r = run_cli("check", str(p), "--no-report", "--lang", "en")
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("hyoka: error: page.html: no header row: in no table (<table>) of the page")
    p = page(tmp_path, "<p>表はありません</p>", name="none.html")
    r = run_cli("check", str(p), "--no-report")
    assert r.returncode == 2
    assert r.stderr.decode().strip() == (
        "hyoka: エラー: none.html: ページに表（<table>）がありません。評価表が画像や PDF で載っているときは、"
        "その元のファイル（.xlsx、.csv、.pdf）を指定してください"
    )


def test_a_report_folder_for_a_page_has_no_annotated_copy(tmp_path):
    out = tmp_path / "reports"
    r = run_cli("check", str(SEED_PORTAL_HTML), "--out", str(out), "--fail-on", "never")
    assert r.returncode == 0
    assert not list(out.glob("*.xlsx"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "seed_r5_portal.html#table3!R6C10" in index  # D001, 自治会加入率's target
    r = run_cli("check", str(SEED_PORTAL_HTML), "--annotate", str(tmp_path / "a.xlsx"), "--no-report")
    assert r.returncode == 2  # an annotated copy is made of a workbook only


@pytest.mark.parametrize(
    "body, key",
    [
        ("<table>" + "<tr><td>x</td></tr>" * 3 + "</table>", None),
        ("<table><tr><td colspan=1000>a</td><td colspan=1000>b</td><td>c</td></tr></table>", "2,001 columns"),
        ("<table>" + "<tr><td colspan=1000 rowspan=2000>a</td></tr>" + "<tr></tr>" * 1999 + "</table>", "500,000"),
    ],
    ids=["small", "too-wide", "spans-over-budget"],
)
def test_hostile_spans_are_refused_in_one_line(tmp_path, body, key):
    p = page(tmp_path, body)
    r = run_cli("check", str(p), "--no-report", "--lang", "en")
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert len(err.splitlines()) == 1
    if key:
        assert key in err and "table table1" in err


def test_excel_page_of_frames_names_the_sheets_pages(tmp_path):
    """Excel saves a workbook of several sheets as a page of frames, one page per sheet in
    book.files/; the frames page has no table."""
    p = tmp_path / "book.htm"
    p.write_bytes(
        b'<html><head><meta http-equiv=Content-Type content="text/html; charset=shift_jis"></head>'
        b'<frameset rows="*,39"><frame src="book.files/sheet001.htm" name="frSheet">'
        b'<frame src="book.files/tabstrip.htm" name="frTabs"></frameset></html>'
    )
    r = run_cli("check", str(p), "--no-report", "--lang", "en")
    assert r.returncode == 2
    assert r.stderr.decode().strip() == (
        "hyoka: error: book.htm: a page of frames without a table (<table>); for a workbook of several "
        "sheets saved as a web page by Excel, give each sheet's page (book.files/sheet001.htm)"
    )


def test_charset_and_frame_scans_are_linear(tmp_path):
    """64 KB of "<meta " and "<frame " with no ">": the scans for a declared charset and for
    frames took 10 s and 7 s with unbounded attribute runs; bounded, well under a second."""
    import time

    for tag in (b"<meta ", b"<frame "):
        p = tmp_path / "head.html"
        p.write_bytes(tag * 11_000)
        start = time.perf_counter()
        with pytest.raises(InputError):
            load_table(p, load_vocabulary())
        assert time.perf_counter() - start < 3


def test_a_style_with_an_unclosed_rule_is_read_in_linear_time(tmp_path, vocab):
    style = "<style>" + "a" * 300_000 + "{" + "b" * 300_000 + "</style>"
    p = page(tmp_path, "<table>" + HEADER + ROW + "</table>", head=style)
    assert load_table(p, vocab).frame["project"].tolist() == ["市職員研修"]


def test_machine_formats_name_the_table_and_cell_without_a_line():
    """The page's lines are not its rows: no line in SARIF or GitHub's annotations, the table and
    cell (R3C6: the seed page's first data row, 事業の評価) as the logical location."""
    from .conftest import SEED_HTML

    sarif = json.loads(run_cli("check", str(SEED_HTML), "--no-report", "--format", "sarif").stdout)
    g008 = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "G008")
    (loc,) = g008["locations"]
    assert "region" not in loc["physicalLocation"]
    assert loc["logicalLocations"] == [{"name": "table1", "fullyQualifiedName": "table1!R3C6"}]
    assert (g008["properties"]["sheet"], g008["properties"]["sheetCell"]) == ("table1", "R3C6")
    github = run_cli("check", str(SEED_HTML), "--no-report", "--format", "github").stdout.decode()
    first = github.splitlines()[0]
    assert first.startswith("::notice file=") and ",line=" not in first and "seed_r5.html#table1!R3C6" in first


def test_inspect_lists_the_tables_not_read_and_takes_table_n():
    out = run_cli("inspect", str(SEED_PORTAL_HTML), "--lang", "en").stdout.decode()
    assert "Table table3: Header row(s): row 2" in out
    assert "Tables not read (no header row: navigation, layout): table1, table2, table4" in out
    out = run_cli("inspect", str(SEED_PORTAL_HTML), "--table", "1", "--lang", "en").stdout.decode()
    assert "トップページ | くらし・手続き | 市政情報 | サイトマップ" in out  # the navigation table's one row


def test_numbers_are_read_as_the_same_text_in_a_csv(tmp_path):
    """``4,5`` (a European decimal, or a typo) is not 45: the page's cell is the text 4,5, which
    the value reader does not take as a number (P004), as in a CSV; ``1,234`` is 1234 in both."""
    cells = ["市職員研修", "市民協働推進課", "A", "実施回数", "4,5", "1,234", "1回"]
    p = page(tmp_path, "<table>" + HEADER + "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr></table>")
    c = tmp_path / "same.csv"
    c.write_text("事業名,担当課,事業の評価,目標指標,基準値,目標値,現状値\n" + ",".join(f'"{x}"' for x in cells) + "\n")
    frames = [run_check([f]).frame for f in (p, c)]
    for frame in frames:
        assert frame["baseline_raw"].tolist() == ["4,5"] and frame["baseline_value"].isna().all()
        assert frame["target_value"].tolist() == [1234.0]
    found = [sorted(zip(r["code"], r["field"], r["observed"])) for r in (run_check([f]).findings for f in (p, c))]
    assert found[0] == found[1] and ("P004", "baseline", "4,5") in found[0]


def test_too_wide_names_the_tables_row(tmp_path):
    """The third row of the table (the first of its body, under a two-row thead) is too wide."""
    p = page(
        tmp_path,
        "<table><thead><tr><th>a</th></tr><tr><th>b</th></tr></thead>"
        "<tbody><tr><td colspan=1000>x</td><td colspan=1000>y</td><td>z</td></tr></tbody></table>",
    )
    r = run_cli("check", str(p), "--no-report", "--lang", "en")
    assert r.returncode == 2
    assert (
        r.stderr.decode()
        .strip()
        .startswith("hyoka: error: page.html, table table1, row 3: the table has 2,001 columns")
    )


def test_seed_pages_are_what_the_script_builds():
    """examples/build_html.py and the committed pages cannot drift apart (the script is run as a
    module here, writing nothing)."""
    import importlib.util

    from .conftest import EXAMPLES, SEED_EXCEL_HTM, SEED_HTML

    spec = importlib.util.spec_from_file_location("build_html", EXAMPLES / "build_html.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    rows = build.read_rows(build.CSV_PATH)
    assert SEED_HTML.read_bytes() == build.plain_page(rows).encode("utf-8")
    assert SEED_EXCEL_HTM.read_bytes() == build.excel_page(rows).encode("cp932")
    assert SEED_PORTAL_HTML.read_bytes() == build.portal_page(rows).encode("utf-8")
