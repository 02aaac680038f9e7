"""Failing cases a fresh user found (helper try-out, 2026-11-29), kept as tests: no output may
replace an input, two inputs with one name stay two tables, last year's findings point at last
year's file, and configuration mistakes name their file."""

import hashlib
import json
import shutil

from .conftest import SEED_CSV, SEED_XLSX
from .test_cli import hyoka
from .test_editions import last_year, write


def md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_report_never_replaces_an_input_workbook(tmp_path):
    """`hyoka check book.xlsx book.hyoka.xlsx --out .` used to overwrite the second input with the
    first one's annotated copy; now exit 2 before any report file is written."""
    shutil.copy(SEED_XLSX, tmp_path / "book.xlsx")
    shutil.copy(SEED_XLSX, tmp_path / "book.hyoka.xlsx")
    before = md5(tmp_path / "book.hyoka.xlsx")
    r = hyoka("check", "book.xlsx", "book.hyoka.xlsx", "--out", ".", "--fail-on", "never", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "hyoka: エラー: 報告のファイル book.hyoka.xlsx: 入力ファイル（book.hyoka.xlsx）です。別の名前かフォルダを指定してください"
    )
    r = hyoka("check", "book.xlsx", "book.hyoka.xlsx", "--out", ".", "--fail-on", "never", "--lang", "en", cwd=tmp_path)
    assert r.stderr.strip() == (
        "hyoka: error: report file book.hyoka.xlsx: that is an input file "
        "(book.hyoka.xlsx); choose another name or folder"
    )
    assert md5(tmp_path / "book.hyoka.xlsx") == before
    assert not (tmp_path / "index.html").exists()


def test_output_never_replaces_a_settings_file(tmp_path):
    shutil.copy(SEED_CSV, tmp_path / "r5.csv")
    (tmp_path / "m.yaml").write_text("columns: {}\n", encoding="utf-8")
    (tmp_path / "c.toml").write_text('lang = "ja"\n', encoding="utf-8")
    for extra in (["--mapping", "m.yaml", "--output", "m.yaml"], ["--config", "c.toml", "--output", "c.toml"]):
        r = hyoka("check", "r5.csv", "--no-report", "--format", "json", *extra, cwd=tmp_path)
        assert r.returncode == 2 and f"--output {extra[-1]}: 入力ファイル（" in r.stderr, (extra, r.stderr)
    assert (tmp_path / "m.yaml").read_text(encoding="utf-8") == "columns: {}\n"
    assert (tmp_path / "c.toml").read_text(encoding="utf-8") == 'lang = "ja"\n'


def test_two_inputs_with_one_name_stay_two_tables(tmp_path):
    """a/t.csv and b/t.csv (one CSV per department folder) used to be one table: 30 X001 pairs
    across the files and every SARIF place in b/t.csv. Each is named by its folder now, and
    gives the seed's findings (three, and G008 as information) on its own lines."""
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        shutil.copy(SEED_CSV, tmp_path / d / "t.csv")
    r = hyoka("check", "a/t.csv", "b/t.csv", "--no-report", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    cells = sorted((f["code"], f["cell"]) for f in json.loads(r.stdout))
    assert cells == [
        ("D001", "a/t.csv:6:target"),
        ("D001", "b/t.csv:6:target"),
        ("G002", "a/t.csv:26:grade"),
        ("G002", "b/t.csv:26:grade"),
        ("G008", "a/t.csv:2:grade"),
        ("G008", "b/t.csv:2:grade"),
        ("M001", "a/t.csv:38:baseline"),
        ("M001", "b/t.csv:38:baseline"),
    ]
    r = hyoka("check", "a/t.csv", "b/t.csv", "--no-report", "--format", "sarif", "--fail-on", "never", cwd=tmp_path)
    places = sorted(
        (
            res["ruleId"],
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            res["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for res in json.loads(r.stdout)["runs"][0]["results"]
    )
    assert places == [
        ("D001", "a/t.csv", 6),
        ("D001", "b/t.csv", 6),
        ("G002", "a/t.csv", 26),
        ("G002", "b/t.csv", 26),
        ("G008", "a/t.csv", 2),
        ("G008", "b/t.csv", 2),
        ("M001", "a/t.csv", 38),
        ("M001", "b/t.csv", 38),
    ]


def test_a_row_gone_since_last_year_is_placed_in_last_years_file(tmp_path):
    """E005 points at last year's cell (r4.csv line 48: 市民活動フェスティバル); the GitHub
    annotation used to name this year's file at that line."""
    shutil.copy(SEED_CSV, tmp_path / "r5.csv")
    write(tmp_path / "r4.csv", last_year())
    r = hyoka(
        "check",
        "r5.csv",
        "--previous",
        "r4.csv",
        "--no-report",
        "--format",
        "github",
        "--fail-on",
        "never",
        cwd=tmp_path,
    )
    gone = [line for line in r.stdout.splitlines() if "title=E005" in line]
    assert len(gone) == 1 and gone[0].startswith("::notice file=r4.csv,line=48,"), gone


def test_configuration_mistakes_name_the_file(tmp_path):
    shutil.copy(SEED_CSV, tmp_path / "r5.csv")
    (tmp_path / "hyoka.toml").write_bytes(b"\xff\xfe")
    r = hyoka("check", "r5.csv", "--no-report", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().endswith(
        "hyoka.toml: UTF-8 のテキストではありません（TOML ファイルは UTF-8 です）"
    )
    r = hyoka("check", "r5.csv", "--no-report", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().endswith("hyoka.toml: not UTF-8 text (TOML files are UTF-8)")
    (tmp_path / "hyoka.toml").write_text('select = ["D01"]\n', encoding="utf-8")
    r = hyoka("check", "r5.csv", "--no-report", cwd=tmp_path)
    assert (
        r.returncode == 2
        and "hyoka.toml またはコマンドライン）: コードまたはその先頭部分が 'D01' の検査はありません" in r.stderr
    )
    r = hyoka("check", "r5.csv", "--no-report", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 2 and "hyoka.toml or the command line): no rule has the code or prefix 'D01'" in r.stderr


def test_usage_mistakes_are_one_line_with_exit_2(tmp_path):
    """`--format xml` used to print Typer's four-line usage block; every error is one line."""
    for args, text, text_en in [
        (
            ["check", SEED_CSV, "--format", "xml"],
            "--format に「xml」は指定できません。",
            "Invalid value for '--format'",
        ),
        (["check", SEED_CSV, "--bogus"], "オプション --bogus はありません", "No such option: --bogus"),
        (["check"], "引数 FILE を指定してください。", "Missing argument 'FILE'"),
        (["nosuch"], "コマンド nosuch はありません。", "No such command 'nosuch'"),
    ]:
        r = hyoka(*args, cwd=tmp_path)
        assert r.returncode == 2, args
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("hyoka: エラー: " + text), r.stderr
        r = hyoka(*args, "--lang", "en", cwd=tmp_path)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("hyoka: error: ") and text_en in lines[0], r.stderr
    assert hyoka("--version").returncode == 0 and hyoka("check", "--help").returncode == 0


def test_a_quote_never_closed_is_refused_at_its_line(tmp_path):
    """A quote opened and never closed used to swallow every later line into one cell: the row
    `社会福祉課,B,y,1,2,3` vanished, the run said 「1行を確認」 and exit 0 (the try-out of #14; #15).
    Hand-checked lines: the header is line 1; in the second file the record on lines 2–3 holds a
    quoted line break, so the open quote is on line 4. A stray inch mark inside an unquoted cell
    (`5" pipe`) is no quote and still reads."""
    header = "department,grade,indicator,baseline,target,current\n"
    cases = {
        "middle.csv": (header + '社会福祉課,A,"unclosed,1,2,3\n社会福祉課,B,y,1,2,3\n', 2),
        "spanning.csv": (header + '社会福祉課,A,"two\nlines",1,2,3\n社会福祉課,B,"y,1,2,3\n', 4),
        "last_column.csv": (header + '社会福祉課,A,x,1,2,"3\n社会福祉課,B,y,1,2,3\n', 2),  # pyarrow read it
    }
    for name, (text, line) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        r = hyoka("check", name, "--no-report", cwd=tmp_path)
        assert r.returncode == 2, (name, r.stdout)
        assert r.stderr.strip().splitlines() == [
            f'hyoka: エラー: {name}、{line}行目: この行で始まる「"」が閉じられないままファイルの終わりまで続き、'
            '以降の行が一つのセルに飲み込まれます。引用符を閉じるか、セル内の「"」を「""」と二重にしてください'
        ]
        r = hyoka("check", name, "--no-report", "--lang", "en", cwd=tmp_path)
        assert r.stderr.startswith(f'hyoka: error: {name}, row {line}: a quote (") opened on this line is never closed')
    (tmp_path / "inch.csv").write_text(header + '社会福祉課,A,5" pipe,1,2,3\n', encoding="utf-8")
    assert hyoka("check", "inch.csv", "--no-report", "--fail-on", "never", cwd=tmp_path).returncode == 0
