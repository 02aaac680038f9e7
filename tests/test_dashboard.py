"""The coordinator's dashboard (index.html) and the department pages: the numbers a person counted
on the seed table, read back from the DOM a real browser (headless Chromium) built; nothing
loaded from outside the report folder; pages that stay small for a department with 5,000
findings; byte-identical reports from the same input (except the one "generated" line).

Counted by hand in examples/seed_r5.csv (15 project rows; a record spans several lines where a
cell has line breaks, so the file's 46 lines are not rows): 市民協働推進課 has 8 rows, 社会福祉課 2,
the five other departments 1 each. Findings: D001 (line 6, target 60％ below baseline 60.4％ of a
rate that should rise: an error), G002 (line 26, Ｂ while 60％ fell to 56.5％) and M001 (line 38,
baseline "-"): 1 error, 2 warnings. Progress (current − baseline) / (target − baseline) exists for
13 rows: line 6 has no target beyond its baseline, line 38 no baseline. Grades of those 13: A 3
(lines 5, 14, 34), B 7 (2, 7, 8, 16, 23, 26, 28), C 1 (9), D 2 (4, 43). Every row has baseline
year R3, target year R9 and current year R5: elapsed share (5 − 3) / (9 − 3) = 1/3. Line 26:
(56.5 − 60) / (80 − 60) = −17.5 % → "-18%". Progress of the 13, by grade, top to bottom:
A 249 %, 227 %, 100 %; B 215 %, 100 %, 95 %, 75 %, 24 %, 17 %, −18 % (line 26); C 0 %; D 0 %, −100 %.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import re
import subprocess
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from hyoka.options import CheckOptions
from hyoka.output.report import GROUP_CAP, ROW_CAP, write_reports
from hyoka.pipeline import run_check

from .browser import BLOCK_NETWORK, CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
SEED_CSV = ROOT / "examples" / "seed_r5.csv"
SEED_XLSX = ROOT / "examples" / "seed_r5.xlsx"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.text_parts = tag, dict(attrs), parent, [], []

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.text_parts)

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag=None, **attrs):
        want = {k.rstrip("_"): v for k, v in attrs.items()}
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and all((v in n.attrs.get(k, "").split()) if k == "class" else n.attrs.get(k) == v for k, v in want.items())
        ]

    def by_id(self, ident):
        found = self.find_all(id=ident)
        assert len(found) == 1, f"#{ident}: {len(found)} elements"
        return found[0]


class Tree(HTMLParser):
    """A DOM tree from HTML (Chromium's --dump-dom serialises the DOM it built)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {})
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        self.cur.text_parts.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        self.cur.text_parts.append(node)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text_parts.append(data)


def browser_dom(page: Path, profile: Path) -> Node:
    r = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            *BLOCK_NETWORK,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "<html" in r.stdout, r.stderr[-800:]
    return Tree(r.stdout).root


def cells(tr: Node) -> list[str]:
    return [c.text.strip() for c in tr.children if c.tag in ("td", "th")]


def resources(html: str) -> list[str]:
    """Every URL the page names in an attribute (src, href, srcset, action, data, poster, …) or in CSS."""
    refs = re.findall(r'\s(?:src|href|xlink:href|srcset|action|data|poster|formaction|background)="([^"]*)"', html)
    return refs + re.findall(r"url\(([^)]*)\)|@import", html)


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed") / "out"
    write_reports(run_check([SEED_CSV]), out)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed (.ci/run installs it)")
def test_dashboard_numbers_in_the_browser(seed_report, tmp_path):
    dom = browser_dom(seed_report / "index.html", tmp_path / "profile")
    big = {
        k: dom.by_id(f"card-{k}").find_all("span", class_="big")[0].text
        for k in ("rows", "error", "warning", "info", "waived")
    }
    assert big == {"rows": "15", "error": "1", "warning": "2", "info": "1", "waived": "0"}
    assert dom.by_id("summary").text == "15行を確認：エラー 1件、警告 2件、情報 1件"

    rows = {cells(tr)[0]: cells(tr)[1:6] for tr in dom.by_id("by-department").find_all("tr")[1:]}
    assert rows["市民協働推進課"] == ["8", "1", "0", "1", "0"]  # G008 on line 2: information
    assert rows["社会福祉課"] == ["2", "0", "1", "0", "0"]
    assert rows["生涯学習課"] == ["1", "0", "1", "0", "0"]
    assert rows["危機管理課旧名称：危機管理室"] == ["1", "0", "0", "0", "0"]
    assert rows["合計"] == ["15", "1", "2", "1", "0"]
    links = [a.attrs["href"] for a in dom.by_id("by-department").find_all("a")]
    assert "05_社会福祉課.html" in links and not [h for h in links if h.endswith(".md")]  # no .md column (#14)
    assert all((seed_report / h).is_file() for h in links)

    by_rule = {cells(tr)[0]: cells(tr)[2:4] for tr in dom.by_id("by-rule").find_all("tr")[1:]}
    assert by_rule == {"D001": ["エラー", "1"], "G002": ["警告", "1"], "M001": ["警告", "1"], "G008": ["情報", "1"]}
    assert dom.by_id("rule-M001").find_all("summary")[0].text == "基準値が未記入"
    assert "基準値" in dom.by_id("rule-M001").find_all("details")[0].text  # the rule's description

    # every row is 1/3 into its plan: one strip per grade, not a vertical line at 33 % (#14)
    chart = dom.by_id("progress-chart")
    assert "mode-grades" in chart.attrs["class"] and dom.by_id("chart-heading").text == "評価別の進捗率（1行＝1点）"
    pts = chart.find_all("circle", class_="pt")
    assert len(pts) == 13  # one point per row with progress
    grades = pd.Series([p.attrs["data-grade"] for p in pts]).value_counts().to_dict()
    assert grades == {"B": 7, "A": 3, "D": 2, "C": 1}
    strips = {t.attrs["data-grade"]: float(t.attrs["x"]) for t in chart.find_all("text", class_="category")}
    assert list(strips) == ["A", "B", "C", "D"] and strips["A"] < strips["B"] < strips["C"] < strips["D"]
    for p in pts:  # each point in its grade's strip, at most a few steps aside
        assert abs(float(p.attrs["cx"]) - strips[p.attrs["data-grade"]]) < (strips["B"] - strips["A"]) / 2
    spots = [(p.attrs["cx"], p.attrs["cy"]) for p in pts]
    assert len(set(spots)) == 13  # none hides another: line 14 (Ａ) and 28 (Ｂ) both at 100 % stand apart
    assert sorted(int(p.attrs["data-no"]) for p in pts) == list(range(1, 14))
    numbers = [t.text for t in chart.find_all("text", class_="no")]
    assert sorted(map(int, numbers)) == list(range(1, 14))  # each point's number is drawn beside it
    g002 = [p for p in pts if "26行目" in p.text]
    assert len(g002) == 1 and "社会福祉課" in g002[0].text and "-18%" in g002[0].text
    zero = [t for t in chart.find_all("text") if t.text == "0%" and t.attrs.get("text-anchor") == "end"][0]
    assert float(g002[0].attrs["cy"]) > float(zero.attrs["y"]) - 4  # drawn below the 0 % line
    # numbered strip by strip, top to bottom: A 249 %, 227 %, 100 %; B 215 %, 100 %, 95 %, 75 %, 24 %, 17 %, −18 % …
    key = [cells(tr) for tr in dom.by_id("chart-key").find_all("tr")[1:]]
    assert [k[:3] for k in key][:4] == [
        ["1", "Ａ", "249%"],
        ["2", "Ａ", "227%"],
        ["3", "Ａ", "100%"],
        ["4", "Ｂ", "215%"],
    ]
    assert key[9][:4] == ["10", "Ｂ", "-18%", "社会福祉課"] and key[9][-1] == "26行目"
    assert key[12][:3] == ["13", "D", "-100%"]
    labels = [t.text for t in chart.find_all("text", class_="ref-label")]
    assert "経過どおり 33%" in labels  # the elapsed share, a line across every strip
    assert "progress" not in chart.text and "expected_progress" not in dom.by_id("chart").text
    counts = dom.by_id("chart-counts").text
    assert "描いた行：13行" in counts and "描いていない行：2行" in counts
    assert dom.by_id("changes").text.strip() == "前回の版は指定されていません。"


def test_nothing_is_loaded_from_outside_the_folder(seed_report):
    for page in seed_report.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<link" not in html and "<iframe" not in html, page.name
        assert "default-src 'none'" in html  # CSP: the browser fetches nothing
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        if page.name == "index.html":  # one inline script, allowed by its hash and nothing else
            assert len(scripts) == 1 and scripts[0][0] == ""
            digest = base64.b64encode(hashlib.sha256(scripts[0][1].encode()).digest()).decode()
            assert f"script-src 'sha256-{digest}'\">" in html
        else:
            assert scripts == [] and "script-src" not in html, page.name
        for ref in resources(html):
            assert not re.match(r"^\s*(https?:|//|file:|data:|javascript:)", ref, re.I), (page.name, ref)
            assert ref.startswith("#") or (seed_report / ref).is_file(), (page.name, ref)


def test_english_dashboard(tmp_path):
    out = tmp_path / "en"
    write_reports(run_check([SEED_CSV], CheckOptions(lang="en")), out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "15 rows checked: 1 error, 2 warnings, 1 info" in index
    assert "No previous edition was given." in index
    page = (out / "07_生涯学習課.html").read_text(encoding="utf-8")
    assert "1 row checked: 0 errors, 1 warning, 0 infos" in page  # "1 row", not "1 rows"
    assert "<h1>Department: 生涯学習課</h1>" in page
    md = (out / "02_危機管理課.md").read_text(encoding="utf-8")
    assert "Previous name: 危機管理室" in md
    for text in (index, page, md):  # the interface's own texts
        interface = re.sub(r"<td[^>]*>.*?</td>|<title>seed_r5.*?</title>|\|[^\n]*\|", "", text, flags=re.S)
        assert "：" not in interface and "　" not in interface


def test_previous_edition_section(tmp_path):
    """The section renders E-code findings (from comparing two editions) grouped by code, and the
    comparison's summary. The editions matching is another branch's work: here its two outputs
    are given as that branch defines them (codes ^E\\d{3}$, result.edition)."""
    result = run_check([SEED_CSV])
    f = result.findings
    e = f[f["code"].isin(["D001", "G002", "M001"])].copy()
    e["code"], e["severity"], e["title"] = (
        ["E001", "E001", "E002"],
        "info",
        ["評価が変わった", "評価が変わった", "行が消えた"],
    )
    e["message"] = ["評価がＡからＢに変わりました。", "評価がＣからＢに変わりました。", "前回の行がありません。"]
    result.findings = pd.concat([f, e], ignore_index=True)
    result.edition = SimpleNamespace(previous_paths=[Path("/data/seed_r4.csv")], previous_rows=14, matched=12)
    out = tmp_path / "out"
    write_reports(result, out)
    dom = Tree((out / "index.html").read_text(encoding="utf-8")).root
    changes = dom.by_id("changes")
    assert (
        "前回の版：seed_r4.csv" in changes.text
        and "前回の行数：14" in changes.text
        and "対応づけた行：12" in changes.text
    )
    e001 = dom.by_id("change-E001")
    assert "2件" in e001.find_all("summary")[0].text
    assert [cells(tr)[0] for tr in e001.find_all("tr")[1:]] == ["seed_r5.csv:6:target", "seed_r5.csv:26:grade"]
    assert "1件" in dom.by_id("change-E002").find_all("summary")[0].text
    del result.edition
    write_reports(result, out)  # E findings without the summary object
    assert "前回の版：" not in (out / "index.html").read_text(encoding="utf-8")


def test_header_finding_goes_to_the_sheets_department(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(
        ["事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)", "基準値の出典"]
    )
    ws.append(["市職員研修", "市民協働推進課", "D", "実施回数", "2回", "3回", "1回", "研修記録"])
    wb.save(tmp_path / "u.xlsx")
    out = tmp_path / "out"
    write_reports(run_check([tmp_path / "u.xlsx"]), out)
    assert sorted(p.name for p in out.glob("*.html")) == ["01_市民協働推進課.html", "index.html"]
    page = (out / "01_市民協働推進課.html").read_text(encoding="utf-8")
    assert "[u.xlsx]Sheet!H1" in page.replace("<wbr>", "")  # (a cell may wrap after its file and sheet)


def test_a_department_with_5000_findings(tmp_path):
    src = tmp_path / "big.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["事業名", "担当課", "事業の評価", "目標指標", "基準値（R3)", "目標値（R9)", "現状値（R5)"])
        for i in range(5000):
            w.writerow([f"事業{i}", "大規模課", "B", "参加者数", "-", "100人", "50人"])  # M001: no baseline
        w.writerow(["市職員研修", "小規模課", "D", "実施回数", "2回", "3回", "1回"])
    result = run_check([src])
    assert (result.findings["code"] == "M001").sum() == 5000
    out = tmp_path / "out"
    t0 = time.perf_counter()
    write_reports(result, out)
    took = time.perf_counter() - t0
    page = (out / "01_大規模課.html").read_text(encoding="utf-8")
    dom = Tree(page).root
    group = dom.by_id("rule-M001")
    assert group.tag == "section" and not dom.find_all("details")  # every group prints (#14)
    assert "5000件" in group.find_all("h3")[0].text
    assert len(group.find_all("tbody")[0].find_all("tr")) == GROUP_CAP
    assert f"ほか{5000 - GROUP_CAP}件" in group.text
    assert len(dom.by_id("rows").find_all("tbody")[0].find_all("tr")) == ROW_CAP
    assert f"表示していない行：{5000 - ROW_CAP}行" in page and len(page.encode()) < 3_000_000
    md = (out / "01_大規模課.md").read_text(encoding="utf-8")
    assert (
        md.count("| 警告 | M001") == 5000 and len(re.findall(r"(?m)^\| \d+ \| 事業\d+ \|", md)) == 5000
    )  # the .md keeps every finding and row
    assert took < 60


def _strip_generated(text: bytes) -> bytes:
    lines = text.split(b"\n")
    gen = [i for i, line in enumerate(lines) if b'id="generated"' in line or line.startswith("- 作成日時：".encode())]
    assert len(gen) == 1
    return b"\n".join(lines[: gen[0]] + lines[gen[0] + 1 :])


def test_reports_are_reproducible(tmp_path):
    """Two runs on the same workbook, seconds apart: every file byte-identical, except the one
    line of each page (index, department .html and .md) that says when it was made."""
    outs = []
    for k, when in enumerate((datetime(2026, 4, 1, 9, 0, tzinfo=UTC), datetime(2026, 4, 2, 17, 30, tzinfo=UTC))):
        out = tmp_path / f"run{k}"
        write_reports(run_check([SEED_XLSX]), out, generated=when)
        outs.append(out)
        time.sleep(2.1)  # zip entries store times in 2 s steps
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted(p.name for p in outs[1].iterdir()) and "seed_r5.hyoka.xlsx" in names
    for name in names:
        a, b = (outs[0] / name).read_bytes(), (outs[1] / name).read_bytes()
        if name.endswith((".html", ".md")):
            assert a != b and _strip_generated(a) == _strip_generated(b), name
        else:
            assert a == b, name
