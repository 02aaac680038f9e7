"""Build the seed table as web pages, from ``seed_r5.csv``, the way cities publish one.

The CSV holds one process of a Japanese city's published evaluation table (see README.md). This
script writes it back as HTML in three layouts a city's site has, so that hyoka reads the same
rows from each and gives the CSV's findings:

* ``seed_r5.html`` — a plain page (UTF-8): a heading, then one ``<table>`` whose ``<thead>`` holds
  the two-row header of the workbook (項目 / 事業名 / 担当課 over both rows with ``rowspan``;
  （１）令和5年度実施状況 and （２）目標指標の状況 over their four columns with ``colspan``), and
  whose body has one row per CSV row from the table's row 3; consecutive rows with the same 項目
  share one cell (``rowspan``); line breaks inside a cell are ``<br>``.
* ``html/seed_r5_excel.htm`` — what Excel's "save as web page" (Web ページとして保存) writes for
  the workbook: Shift_JIS declared in a ``<meta http-equiv>``, ``mso-`` styles and ``xl`` classes,
  conditional comments, ``x:str`` attributes, the title line as the table's first row running
  over empty cells (``colspan`` with ``mso-ignore:colspan``), the header in ordinary rows 2–3,
  furigana on the departments (``<ruby>`` with a phonetic ``<span class=rt0>`` hidden by
  ``display:none``), ``&nbsp;`` in empty cells, and the hidden row of column widths at the end.
* ``html/seed_r5_portal.html`` — a page of a city's content system: a navigation table and a
  breadcrumb table before the evaluation table (the third ``<table>`` of the page), a header in
  ``<thead>`` using ``<th>`` with furigana in ``<ruby>``/``<rt>``/``<rp>`` on 担当課, cells whose
  lines are ``<p>`` paragraphs, and a footer table after it.

Every value is written as the text the CSV holds (``17件``, ``-``, ``85.19％``, full-width ``Ｂ``);
HTML collapses runs of spaces as a browser shows them, so the one cell with layout spaces
(食生活改善推進員養成育成事業's activities) reads with single spaces. Text is escaped. Rebuilding
gives the same bytes.

Run from anywhere:  python examples/build_html.py
"""

import csv
import html
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "seed_r5.csv"
PLAIN = HERE / "seed_r5.html"
EXCEL = HERE / "html" / "seed_r5_excel.htm"
PORTAL = HERE / "html" / "seed_r5_portal.html"

TITLE = "プロセス３　夢を描く（集う） 【行動計画Ｐ．８～１０】"
FIELDS = [
    "item", "project", "department", "activities", "partners", "grade",
    "effect", "indicator", "baseline", "target", "current",
]
# furigana of the departments (Excel keeps the reading typed in; the portal page shows it)
READINGS = {
    "市民協働推進課": "しみんきょうどうすいしんか",
    "社会福祉課": "しゃかいふくしか",
    "生涯学習課": "しょうがいがくしゅうか",
}


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def lines(text, joiner="<br>"):
    """A cell's text escaped, its line breaks as ``joiner``."""
    return joiner.join(html.escape(line, quote=False) for line in text.split("\n"))


def item_spans(rows):
    """For each row: the rowspan of its 項目 cell, 0 where the cell above covers it."""
    spans = [0] * len(rows)
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i]["item"] != rows[start]["item"]:
            spans[start] = i - start
            start = i
    return spans


def value_headers(first):
    return [
        "目標指標",
        f"基準値（{first['baseline_year']})",
        f"目標値（{first['target_year']})",
        f"現状値（{first['current_year']})",
    ]


# ---------------------------------------------------------------- plain page


def plain_page(rows):
    first = rows[0]
    out = [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(TITLE)}</title>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(TITLE)}</h1>",
        "<p>令和5年度の実施状況と目標指標の状況です。</p>",
        "<table border=\"1\">",
        "<thead>",
        "<tr>",
        '<th rowspan="2">項目</th>',
        '<th rowspan="2">事業名</th>',
        '<th rowspan="2">担当課</th>',
        '<th colspan="4">（１）令和5年度実施状況</th>',
        '<th colspan="4">（２）目標指標の状況</th>',
        "</tr>",
        "<tr>",
        "<th>取組内容</th>",
        "<th>協働の相手<br>①～⑦</th>",
        "<th>事業の評価</th>",
        "<th>効果、理由（問題点）</th>",
        *(f"<th>{h}</th>" for h in value_headers(first)),
        "</tr>",
        "</thead>",
        "<tbody>",
    ]
    for rec, span in zip(rows, item_spans(rows)):
        out.append("<tr>")
        if span:
            out.append(f'<td rowspan="{span}">{lines(rec["item"])}</td>' if span > 1 else f"<td>{lines(rec['item'])}</td>")
        out.extend(f"<td>{lines(rec[f])}</td>" for f in FIELDS[1:])
        out.append("</tr>")
    out += ["</tbody>", "</table>", "</body>", "</html>", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- Excel's "save as web page"


def ruby_excel(text):
    reading = READINGS.get(text)
    if reading is None:
        return lines(text)
    kana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in reading)  # Excel keeps katakana
    return f"<ruby>{html.escape(text)}<span class=rt0 style='display:none'>{kana}</span></ruby>"


def excel_page(rows):
    first = rows[0]
    n = len(FIELDS)
    out = [
        '<html xmlns:v="urn:schemas-microsoft-com:vml"',
        'xmlns:o="urn:schemas-microsoft-com:office:office"',
        'xmlns:x="urn:schemas-microsoft-com:office:excel"',
        'xmlns="http://www.w3.org/TR/REC-html40">',
        "",
        "<head>",
        "<meta http-equiv=Content-Type content=\"text/html; charset=shift_jis\">",
        "<meta name=ProgId content=Excel.Sheet>",
        '<meta name=Generator content="Microsoft Excel 15">',
        '<link rel=File-List href="seed_r5_excel.files/filelist.xml">',
        "<style id=\"seed_r5_excel_style\">",
        "<!--table",
        "\t{mso-displayed-decimal-separator:\"\\.\";",
        "\tmso-displayed-thousand-separator:\"\\,\";}",
        ".xl65",
        "\t{mso-style-parent:style0;",
        "\tfont-weight:700;",
        "\tmso-number-format:\"\\@\";}",
        ".xl66",
        "\t{mso-style-parent:style0;",
        "\tborder:.5pt solid windowtext;",
        "\twhite-space:normal;}",
        "ruby",
        "\t{ruby-align:left;}",
        "rt",
        "\t{color:windowtext;",
        "\tfont-size:6.0pt;",
        "\tmso-char-type:katakana;",
        "\tdisplay:none;}",
        ".rt0",
        "\t{color:windowtext;",
        "\tfont-size:6.0pt;",
        "\tmso-char-type:katakana;",
        "\tdisplay:none;}",
        "-->",
        "</style>",
        "</head>",
        "",
        "<body link=\"#0563C1\" vlink=\"#954F72\">",
        "<!--[if !excel]>&nbsp;&nbsp;<![endif]-->",
        "<!--The following information was generated by Microsoft Excel's Publish as Web Page wizard.-->",
        "",
        "<div id=\"seed_r5_excel\" align=center x:publishsource=\"Excel\">",
        "",
        "<table border=0 cellpadding=0 cellspacing=0 width=1600 style='border-collapse:",
        " collapse;table-layout:fixed;width:1200pt'>",
        " <col width=64 style='width:48pt'>",
        " <tr height=18 style='height:13.5pt'>",
        f"  <td colspan={n - 2} height=18 class=xl65 width=1400 style='height:13.5pt;mso-ignore:colspan'>"
        f"{html.escape(TITLE)}</td>",
        "  <td class=xl65>&nbsp;</td>",
        "  <td class=xl65>&nbsp;</td>",
        " </tr>",
        " <tr height=36 style='height:27.0pt'>",
        "  <td rowspan=2 height=54 class=xl66 style='height:40.5pt'>項目</td>",
        "  <td rowspan=2 class=xl66>事業名</td>",
        "  <td rowspan=2 class=xl66>担当課</td>",
        "  <td colspan=4 class=xl66 style='border-left:none'>（１）令和5年度実施状況</td>",
        "  <td colspan=4 class=xl66 style='border-left:none'>（２）目標指標の状況</td>",
        " </tr>",
        " <tr height=18 style='height:13.5pt'>",
        "  <td height=18 class=xl66 style='height:13.5pt'>取組内容</td>",
        "  <td class=xl66>協働の相手<br>\n    ①～⑦</td>",
        "  <td class=xl66>事業の<ruby>評価<span class=rt0>ヒョウカ</span></ruby></td>",
        "  <td class=xl66>効果、理由（問題点）</td>",
        *(f"  <td class=xl66 x:str>{h}</td>" for h in value_headers(first)),
        " </tr>",
    ]
    for rec, span in zip(rows, item_spans(rows)):
        out.append(" <tr height=72 style='height:54.0pt'>")
        if span:
            rs = f"rowspan={span} " if span > 1 else ""
            out.append(f"  <td {rs}class=xl66 width=144 style='width:108pt'>{lines(rec['item'], '<br>' + chr(10) + '  ')}</td>")
        for f in FIELDS[1:]:
            text = rec[f]
            if f == "department":
                cell = ruby_excel(text)
            elif text == "":
                cell = "&nbsp;"
            else:
                cell = lines(text, "<br>\n  ")
            out.append(f"  <td class=xl66 x:str>{cell}</td>")
        out.append(" </tr>")
    out += [
        " <![if supportMisalignedColumns]>",
        " <tr height=0 style='display:none'>",
        *("  <td width=64 style='width:48pt'></td>" for _ in range(n)),
        " </tr>",
        " <![endif]>",
        "</table>",
        "",
        "</div>",
        "",
        "</body>",
        "",
        "</html>",
        "",
    ]
    return "\r\n".join(out)


# ---------------------------------------------------------------- a content system's page


def ruby_portal(text):
    reading = READINGS.get(text)
    if reading is None:
        return lines(text)
    return f"<ruby>{html.escape(text)}<rp>（</rp><rt>{reading}</rt><rp>）</rp></ruby>"


def paragraphs(text):
    """Each line a paragraph, an empty line ``<p>&nbsp;</p>`` (as a page editor writes it)."""
    return "".join(f"<p>{html.escape(line, quote=False) or '&nbsp;'}</p>" for line in text.split("\n"))


def portal_page(rows):
    first = rows[0]
    out = [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        "<head>",
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">',
        "<title>行動計画の実施状況 | 市役所</title>",
        "</head>",
        "<body>",
        '<table class="gnav" width="100%"><tr>',
        '<td><a href="/">トップページ</a></td>',
        '<td><a href="/kurashi/">くらし・手続き</a></td>',
        '<td><a href="/shisei/">市政情報</a></td>',
        '<td><a href="/sitemap.html">サイトマップ</a></td>',
        "</tr></table>",
        '<table class="breadcrumb"><tr><td>現在の位置：<a href="/">トップページ</a> &gt; 市政情報 &gt; 行動計画</td></tr></table>',
        f"<h1>{html.escape(TITLE)}</h1>",
        '<table class="datatable" summary="令和5年度実施状況">',
        f"<caption>{html.escape(TITLE)}</caption>",
        "<thead>",
        '<tr><th rowspan="2" scope="col">項目</th><th rowspan="2" scope="col">事業名</th>'
        '<th rowspan="2" scope="col"><ruby>担当課<rp>（</rp><rt>たんとうか</rt><rp>）</rp></ruby></th>'
        '<th colspan="4" scope="colgroup">（１）令和5年度実施状況</th>'
        '<th colspan="4" scope="colgroup">（２）目標指標の状況</th></tr>',
        "<tr><th>取組内容</th><th>協働の相手<br>①～⑦</th><th>事業の評価</th><th>効果、理由（問題点）</th>"
        + "".join(f"<th>{h}</th>" for h in value_headers(first))
        + "</tr>",
        "</thead>",
        "<tbody>",
    ]
    for rec, span in zip(rows, item_spans(rows)):
        cells = []
        if span:
            cells.append(f'<th rowspan="{span}" scope="rowgroup">{lines(rec["item"])}</th>')
        for f in FIELDS[1:]:
            if f == "department":
                cells.append(f"<td>{ruby_portal(rec[f])}</td>")
            elif f in ("activities", "effect"):
                cells.append(f"<td>{paragraphs(rec[f])}</td>")
            else:
                cells.append(f"<td>{lines(rec[f])}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += [
        "</tbody>",
        "</table>",
        '<table class="footer"><tr><td>市役所 市民協働推進課</td><td>電話：0000-00-0000</td></tr></table>',
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def main():
    rows = read_rows(CSV_PATH)
    EXCEL.parent.mkdir(exist_ok=True)
    PLAIN.write_bytes(plain_page(rows).encode("utf-8"))
    EXCEL.write_bytes(excel_page(rows).encode("cp932"))
    PORTAL.write_bytes(portal_page(rows).encode("utf-8"))
    for path in (PLAIN, EXCEL, PORTAL):
        print(f"wrote {path} ({len(rows)} data rows)")


if __name__ == "__main__":
    main()
