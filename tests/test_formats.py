"""Machine formats for CI (hyoka.output.formats): SARIF, JUnit, GitHub annotations, CSV, Markdown,
--output.

The SARIF output is validated against the published OASIS SARIF 2.1.0 JSON schema and the JUnit
output against the JUnit XSD Jenkins uses (both vendored under tests/schemas/, sources in its
README). Expected places are the seed table's three findings, checked by hand in
examples/seed_r5.csv and seed_r5.xlsx: D001 on 自治会加入率's target 60％ (CSV line 6, sheet row 7,
column J), G002 on 避難行動要支援者の支援's grade Ｂ (line 26, F14), M001 on
コミュニティ・スクールの導入率's baseline 「-」 (line 38, I17; the record's activities cell runs
over several lines before the baseline, so the CSV location has no column).
"""

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import xmlschema

from hyoka.check import findings as F
from hyoka.output.formats import escape_data, escape_property, render
from hyoka.pipeline import run_check
from hyoka.read.csv import field_starts

from .conftest import EXAMPLES, ROOT, SEED_CSV
from .inprocess import run_cli

SCHEMAS = Path(__file__).parent / "schemas"
WAIVERS = EXAMPLES / "waivers.yaml"


def hyoka(*args, cwd=ROOT):
    return run_cli(*args, cwd=cwd)


@pytest.fixture(scope="module")
def sarif_schema():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="module")
def seed_sarif():
    r = hyoka("check", "examples/seed_r5.csv", "--format", "sarif", "--no-report", "--waivers", "examples/waivers.yaml")
    assert r.returncode == 1, r.stderr  # D001 is an error and is not waived
    return r.stdout


def _seed_line(number: int) -> str:
    return SEED_CSV.read_text(encoding="utf-8-sig").split("\n")[number - 1]


def test_sarif_of_the_seed_is_valid_and_places_the_three_findings(sarif_schema, seed_sarif):
    log = json.loads(seed_sarif)
    errors = sorted(sarif_schema.iter_errors(log), key=str)
    assert not errors, errors[0]
    run = log["runs"][0]
    places = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in run["results"]
    ]
    assert places == [
        # センターへの相談件数 45件 against 30件 graded Ｂ: information (a note)
        ("G008", "note", "examples/seed_r5.csv", {"startLine": 2, "startColumn": 111}),
        ("D001", "error", "examples/seed_r5.csv", {"startLine": 6, "startColumn": 193}),
        ("G002", "warning", "examples/seed_r5.csv", {"startLine": 26, "startColumn": 111}),
        ("M001", "warning", "examples/seed_r5.csv", {"startLine": 38}),
    ]
    # the columns point at the published values in the file's own text
    assert _seed_line(6)[193 - 1 :].startswith("60％,R9")  # target of 自治会加入率
    assert _seed_line(26)[111 - 1 :].startswith("Ｂ,")  # grade of 避難行動要支援者の支援
    assert run["columnKind"] == "unicodeCodePoints" and run["language"] == "ja"
    driver = run["tool"]["driver"]
    assert driver["name"] == "hyoka" and driver["version"]
    assert [(d["id"], d["defaultConfiguration"]["level"]) for d in driver["rules"]] == [
        ("D001", "error"),
        ("G002", "warning"),
        ("G008", "note"),
        ("M001", "warning"),
    ]
    assert driver["rules"][3]["shortDescription"]["text"] == "基準値が未記入"
    assert "直し方" in driver["rules"][0]["help"]["text"]
    assert [r["ruleIndex"] for r in run["results"]] == [2, 0, 1, 3]
    d001 = run["results"][1]
    assert "目標値 60％ が基準値 60.4％ より悪い方向" in d001["message"]["text"]
    assert d001["properties"]["cell"] == "seed_r5.csv:6:target"
    assert d001["properties"]["project"] == "自治会加入促進に関する連携"


def test_waived_finding_is_an_external_suppression(seed_sarif):
    results = json.loads(seed_sarif)["runs"][0]["results"]
    assert [("suppressions" in r) for r in results] == [False, False, False, True]
    (suppression,) = results[3]["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"].startswith("計画策定時（R3）にはコミュニティ・スクールが未導入")


def test_sarif_of_the_workbook_names_sheet_and_cell(sarif_schema):
    r = hyoka("check", "examples/seed_r5.xlsx", "--format", "sarif", "--no-report", "--fail-on", "never")
    assert r.returncode == 0, r.stderr
    log = json.loads(r.stdout)
    assert not list(sarif_schema.iter_errors(log))
    got = []
    for res in log["runs"][0]["results"]:
        loc = res["locations"][0]
        got.append(
            (
                res["ruleId"],
                loc["physicalLocation"]["artifactLocation"]["uri"],
                loc["physicalLocation"]["region"],
                loc["logicalLocations"][0]["fullyQualifiedName"],
                res["properties"]["sheet"],
            )
        )
    assert got == [
        ("G008", "examples/seed_r5.xlsx", {"startLine": 4, "startColumn": 6}, "R5実施状況!F4", "R5実施状況"),
        ("D001", "examples/seed_r5.xlsx", {"startLine": 7, "startColumn": 10}, "R5実施状況!J7", "R5実施状況"),
        ("G002", "examples/seed_r5.xlsx", {"startLine": 14, "startColumn": 6}, "R5実施状況!F14", "R5実施状況"),
        ("M001", "examples/seed_r5.xlsx", {"startLine": 17, "startColumn": 9}, "R5実施状況!I17", "R5実施状況"),
    ]


def test_junit_is_valid_and_fails_exactly_the_rows_at_fail_on(tmp_path):
    schema = xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))
    for fail_on, failing in [
        ("error", {"自治会加入促進に関する連携 / 自治会加入率": ["D001"]}),
        (
            "warning",
            {
                "自治会加入促進に関する連携 / 自治会加入率": ["D001"],
                "避難行動要支援者の支援 / 同意取得者に対する個別計画の作成率": ["G002"],
            },
        ),
    ]:
        out = tmp_path / f"junit-{fail_on}.xml"
        r = hyoka(
            "check",
            SEED_CSV,
            "--format",
            "junit",
            "--output",
            out,
            "--no-report",
            "--waivers",
            WAIVERS,
            "--fail-on",
            fail_on,
        )
        assert r.returncode == 1, r.stderr
        schema.validate(str(out))  # raises on any violation
        from xml.etree import ElementTree as ET

        root = ET.parse(out).getroot()
        suites = root.findall("testsuite")
        assert [s.get("name") for s in suites][:2] == ["市民協働推進課", "危機管理課"]
        cases = root.findall("testsuite/testcase")
        assert len(cases) == 15 == int(root.get("tests"))  # the seed table's 15 rows
        assert all(c.get("classname") == s.get("name") for s in suites for c in s.findall("testcase"))
        got = {c.get("name"): [f.get("type") for f in c.findall("failure")] for c in cases if c.findall("failure")}
        assert got == failing
        assert int(root.get("failures")) == len(failing)
        # the waived M001 is never a failure; it is listed with its reason
        (m001,) = [c for c in cases if c.get("name").startswith("コミュニティ・スクールの導入")]
        assert "M001" in m001.findtext("system-out") and "除外" in m001.findtext("system-out")


def test_github_commands_for_the_seed():
    r = hyoka("check", "examples/seed_r5.csv", "--format", "github", "--no-report")
    assert r.returncode == 1
    lines = r.stdout.decode("utf-8").splitlines()
    assert [line.split("::")[1] for line in lines] == [
        "notice file=examples/seed_r5.csv,line=2,col=111,title=G008 目標を大きく上回るのに最上位でない評価",
        "error file=examples/seed_r5.csv,line=6,col=193,title=D001 目標値が基準値より悪い方向",
        "warning file=examples/seed_r5.csv,line=26,col=111,title=G002 上位の評価なのに基準値より悪化",
        "warning file=examples/seed_r5.csv,line=38,title=M001 基準値が未記入",
    ]
    assert lines[1].split("::", 2)[2].startswith("seed_r5.csv:6:target: 「自治会加入率」は増加が望ましい指標")
    assert "%0A期待される内容: " in lines[1]


def test_markdown_summary_of_the_seed():
    """The job summary (--format markdown, #14): files, the summary line, then the findings no
    waiver accepts, errors first — hand-checked against the seed: D001 (error, line 6), G002
    (warning, line 26), G008 (information, line 2); M001 is waived by examples/waivers.yaml and
    only counted."""
    r = hyoka(
        "check", "examples/seed_r5.csv", "--format", "markdown", "--no-report", "--waivers", "examples/waivers.yaml"
    )
    assert r.returncode == 1, r.stderr
    lines = r.stdout.decode("utf-8").splitlines()
    assert lines[:7] == [
        "## hyoka",
        "",
        "読み込んだファイル：seed\\_r5.csv",
        "",
        "15行を確認：エラー 1件、警告 1件、情報 1件（ほかに除外 1件）",
        "",
        "| 重要度 | コード | 担当課 | セル | 事業名 / 目標指標 | 内容 |",
    ]
    rows = [line.split(" | ") for line in lines[8:]]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        (
            "| エラー",
            "D001 目標値が基準値より悪い方向",
            "市民協働推進課",
            "seed\\_r5.csv:6:target",
            "自治会加入促進に関する連携 / 自治会加入率",
        ),
        (
            "| 警告",
            "G002 上位の評価なのに基準値より悪化",
            "社会福祉課",
            "seed\\_r5.csv:26:grade",
            "避難行動要支援者の支援 / 同意取得者に対する個別計画の作成率",
        ),
        (
            "| 情報",
            "G008 目標を大きく上回るのに最上位でない評価",
            "市民協働推進課",
            "seed\\_r5.csv:2:grade",
            "各種助成制度の情報提供 / センターへの相談件数",
        ),
    ]
    assert rows[0][5].startswith("「自治会加入率」は増加が望ましい指標") and rows[0][5].endswith(" |")
    assert len(lines) == 11  # no "more" line: three rows shown of three


def test_markdown_cells_are_escaped_and_the_table_capped(tmp_path):
    """A cell cannot close the table, open a link or inject HTML: | [ ] < > & are escaped (a
    newline in a name is read as a space; one in a text would be <br>); past max_rows the rest is
    counted, errors kept first."""
    from hyoka.output.formats.markdown import to_markdown

    with open(SEED_CSV, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    header = table[0]
    for row in table[1:]:
        if row[header.index("indicator")] == "自治会加入率":  # D001's row
            row[header.index("project")] = "a|b [x](http://e) <script>&\nnext"
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)
    result = run_check([path])
    text = to_markdown(result, max_rows=2)
    [d001] = [line for line in text.splitlines() if "D001" in line]
    assert "a\\|b \\[x\\](http://e) &lt;script&gt;&amp; next / 自治会加入率" in d001
    assert d001.count(" | ") == 5  # six cells: the | in the text did not add one
    table_rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [line.split(" | ")[1].split()[0] for line in table_rows] == ["D001", "G002"]  # errors first
    assert text.endswith("\nほか2件は表に載せていません（すべての指摘は --format json・csv と報告書にあります）。\n")


def test_github_escaping():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert field_starts('a,"x,\n') == [1, 3]  # the quoted cell runs on: no third field
    assert field_starts('a,"x,""y",z')[2] == 11


def test_findings_places_are_integers():
    """Places travel as data: integer rows and columns, the text made only for output."""
    for path in (SEED_CSV, ROOT / "examples" / "seed_r5.xlsx"):
        found = run_check([path]).findings
        assert "cell" not in found
        for col in ("row", "cell_row", "col", "char_col", "row_index"):
            assert pd.api.types.is_integer_dtype(found[col]), (path.name, col, found[col].dtype)
        assert list(found.columns) == list(F.empty().columns)
    d001 = run_check([SEED_CSV]).findings.query("code == 'D001'").iloc[0]
    assert (d001["source_file"], d001["sheet"], d001["row"], d001["cell_row"], d001["col"], d001["char_col"]) == (
        "seed_r5.csv",
        "",
        6,
        6,
        11,
        193,
    )
    xl = run_check([ROOT / "examples" / "seed_r5.xlsx"]).findings
    assert sorted(zip(xl["sheet"], xl["col"], xl["cell_row"])) == [
        ("R5実施状況", 6, 4),
        ("R5実施状況", 6, 14),
        ("R5実施状況", 9, 17),
        ("R5実施状況", 10, 7),
    ]  # F4, F14, I17, J7


def test_sarif_column_needs_no_second_reading(tmp_path, monkeypatch):
    """The CSV's character columns are counted when it is read: the SARIF and GitHub outputs
    give the same startColumn after the input is gone."""
    table = tmp_path / "seed_r5.csv"
    shutil.copy(SEED_CSV, table)
    monkeypatch.chdir(tmp_path)
    result = run_check([Path("seed_r5.csv")])
    table.unlink()
    log = json.loads(render("sarif", result))
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    assert regions == [
        {"startLine": 2, "startColumn": 111},
        {"startLine": 6, "startColumn": 193},
        {"startLine": 26, "startColumn": 111},
        {"startLine": 38},
    ]
    github = render("github", result).decode("utf-8").splitlines()
    assert github[1].startswith("::error file=seed_r5.csv,line=6,col=193,")


def _edited_seed(tmp_path: Path, name: str, line: int, old: str, new: str) -> Path:
    text = SEED_CSV.read_text(encoding="utf-8-sig").split("\n")
    assert old in text[line - 1]
    text[line - 1] = text[line - 1].replace(old, new, 1)
    path = tmp_path / name
    path.write_text("\n".join(text), encoding="utf-8")
    return path


def test_github_escapes_data_from_the_table(tmp_path):
    # an indicator name with % , and : (quoted), in a file whose name has , and : too
    path = _edited_seed(tmp_path, "r5,本:表.csv", 6, ",自治会加入率,", ',"自治会加入率%,:目標",')
    r = hyoka("check", path.name, "--format", "github", "--no-report", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.decode("utf-8").splitlines()
    assert len(lines) == 4  # one line per finding: line breaks are escaped
    # the target moved right by the quotes and the 5 added characters: 193 + 7
    assert lines[1].startswith("::error file=r5%2C本%3A表.csv,line=6,col=200,title=D001 ")
    assert "::r5,本:表.csv:6:target: 「自治会加入率%25,:目標」は" in lines[1]
    assert "%0A期待される内容" in lines[1]


def test_csv_has_bom_json_keys_and_neutralised_formulas(tmp_path):
    path = _edited_seed(tmp_path, "r5.csv", 6, "自治会加入促進に関する連携", '"=HYPERLINK(""http://x"",""y"")"')
    r = hyoka("check", path.name, "--format", "csv", "--no-report", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert r.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "code",
        "severity",
        "department",
        "item",
        "project",
        "indicator",
        "field",
        "cell",
        "observed",
        "expected",
        "message",
        "waived",
    ]
    assert [row["code"] for row in rows] == ["G008", "D001", "G002", "M001"]
    assert rows[1]["project"] == '\'=HYPERLINK("http://x","y")'
    assert rows[3]["observed"] == "-"  # the missing marker is not a formula


@pytest.mark.parametrize("fmt", ["json", "csv", "sarif", "junit", "github", "markdown"])
def test_output_is_byte_identical_across_runs_and_folders(tmp_path, fmt):
    outs = []
    for n in (1, 2):
        d = tmp_path / f"copy{n}" / ("deeper" * n)
        d.mkdir(parents=True)
        shutil.copy(SEED_CSV, d / "seed_r5.csv")
        shutil.copy(WAIVERS, d / "waivers.yaml")
        r = hyoka("check", "seed_r5.csv", "--format", fmt, "--no-report", "--waivers", "waivers.yaml", cwd=d)
        assert r.returncode == 1, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1]
    assert str(tmp_path).encode() not in outs[0]


def test_output_file_gets_the_format_and_the_terminal_a_summary(tmp_path):
    out = tmp_path / "hyoka.sarif"
    r = hyoka("check", "examples/seed_r5.csv", "--format", "sarif", "--output", out, "--no-report")
    assert r.returncode == 1
    assert json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"][1]["ruleId"] == "D001"
    assert r.stdout.decode("utf-8").strip() == f"15行を確認：エラー 1件、警告 2件、情報 1件 → {out}"
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, renamed


def test_output_errors_are_exit_2_and_inputs_untouched(tmp_path):
    path = tmp_path / "r5.csv"
    shutil.copy(SEED_CSV, path)
    before = path.read_bytes()
    r = hyoka("check", path, "--format", "csv", "--output", path, "--no-report")
    assert r.returncode == 2
    assert (
        f"--output {path}: 入力ファイル（{path}）です".encode() in r.stderr and len(r.stderr.strip().splitlines()) == 1
    )
    assert path.read_bytes() == before
    r = hyoka("check", path, "--format", "json", "--output", tmp_path / "no" / "such.json", "--no-report")
    assert r.returncode == 2 and f"フォルダ {tmp_path / 'no'} がありません".encode() in r.stderr


def test_help_documents_formats_and_exit_codes():
    r = hyoka("check", "--help", "--lang", "en")
    text = " ".join(r.stdout.decode("utf-8").split())
    for word in ("sarif", "junit", "github", "csv", "--output", "Exit codes: 0", "1 = findings", "2 = usage"):
        assert word in text
    r = hyoka("check", "--help")
    text = "".join(r.stdout.decode("utf-8").split())  # Japanese lines are broken anywhere: compared without spaces
    for word in (
        "sarif",
        "junit",
        "github",
        "--output",
        "終了コード:0=--fail-on以上の指摘なし、1=--fail-on以上の指摘あり",
    ):
        assert word in text
