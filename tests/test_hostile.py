"""Bad and hostile input found by trying to break hyoka: each case once failed or misled."""

import csv
import os
import stat

import pytest

from hyoka.errors import ConfigError, HyokaError, InputError
from hyoka.options import CheckOptions
from hyoka.output.report import write_reports
from hyoka.pipeline import run_check

from .test_cli import hyoka

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
ROW = ["（１）支援", "市職員研修", "市民協働推進課", "⑦", "D", "実施回数", "2回", "3回", "1回"]


def write_csv(path, rows, header=HEADER, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_angle_bracket_is_not_a_rename(tmp_path):
    p = write_csv(
        tmp_path / "t.csv",
        [
            ROW[:2] + ["<b>課</b>"] + ROW[3:],
            ROW[:2] + ["健康福祉部>健康増進課"] + ROW[3:],
            ROW[:2] + ["危機管理室→"] + ROW[3:],
        ],
    )
    f = run_check([p]).frame
    assert f["department"].tolist() == ["<b>課</b>", "健康福祉部>健康増進課", "危機管理室→"]
    assert f["department_previous"].isna().all()


def test_script_in_cells_is_escaped_in_every_report(tmp_path):
    evil = "<script>alert(1)</script>"
    p = write_csv(
        tmp_path / "t.csv",
        [[evil, evil, "市民協働推進課", "⑦", "[red]x[/]", "<img src=x onerror=alert(1)>", "2回", "3回", "1回"]],
    )
    result = run_check([p])
    write_reports(result, tmp_path / "out")
    html = (tmp_path / "out" / "01_市民協働推進課.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = (tmp_path / "out" / "01_市民協働推進課.md").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in md and "&amp;lt;" not in md  # escaped once, not twice
    assert "\\[red\\]x\\[/\\]" in md


def test_terminal_prints_markup_literally_and_drops_escapes(tmp_path):
    p = write_csv(
        tmp_path / "t.csv", [ROW[:4] + ["[red]Z[/]"] + ROW[5:], ROW[:2] + ["\x1b[31m赤課\x1b]0;title\x07"] + ROW[3:]]
    )
    r = hyoka("check", p, "--no-report")
    assert "[red]Z[/]" in r.stdout
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_stale_pages_are_removed_and_files_are_readable(tmp_path):
    out = tmp_path / "out"
    two = write_csv(tmp_path / "two.csv", [ROW, ROW[:2] + ["健康増進課"] + ROW[3:]])
    write_reports(run_check([two]), out)
    assert (out / "02_健康増進課.html").exists()
    (out / "mine.html").write_text("a page of the user's")
    one = write_csv(tmp_path / "one.csv", [ROW])
    write_reports(run_check([one]), out)
    assert not (out / "02_健康増進課.html").exists()  # written by hyoka before, gone now
    assert (out / "mine.html").exists()  # never hyoka's: left alone
    umask = os.umask(0)
    os.umask(umask)
    # as a plain open() would create it (mkstemp alone gives 0600: nobody else could read reports)
    assert stat.S_IMODE(os.stat(out / "index.html").st_mode) == 0o666 & ~umask


def test_header_only_and_unknown_department(tmp_path):
    with pytest.raises(InputError, match="no data rows"):
        run_check([write_csv(tmp_path / "h.csv", [])])
    with pytest.raises(HyokaError, match="no rows for this department.*市民協働推進課"):
        run_check([write_csv(tmp_path / "t.csv", [ROW])], CheckOptions(department="存在しない課"))


def test_folder_xls_and_unknown_scale(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        run_check([tmp_path])
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"old.xls: not a readable \.xls workbook \(CalamineError"):
        run_check([tmp_path / "old.xls"])
    with pytest.raises(ConfigError, match="unknown scale 'nope'.*a-d.*rag"):
        run_check([write_csv(tmp_path / "t.csv", [ROW])], CheckOptions(scale="nope"))


def test_tab_separated_text_is_read(tmp_path):
    p = write_csv(tmp_path / "t.tsv", [ROW], delimiter="\t")
    f = run_check([p]).frame
    assert f["current_raw"].tolist() == ["1回"]


def test_same_file_twice_is_read_once(tmp_path):
    p = write_csv(tmp_path / "t.csv", [ROW])
    assert len(run_check([p, tmp_path / "." / "t.csv"]).frame) == 1


def test_rule_that_divides_by_zero_is_a_one_line_error(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """rules:
- code: X001
  severity: error
  cell: grade
  when: "1 / 0 == 1"
  title: {ja: t, en: t}
  description: {ja: d, en: d}
  observed: ""
  expected: {ja: e, en: e}
  message: {ja: m, en: m}
  fix: {ja: f, en: f}
""",
        encoding="utf-8",
    )
    r = hyoka("check", write_csv(tmp_path / "t.csv", [ROW]), "--rules", rules, "--no-report")
    assert r.returncode == 2
    # (a rule author's error: its text is still English, after the Japanese prefix)
    assert r.stderr.startswith("hyoka: エラー: rule X001: cannot evaluate") and len(r.stderr.splitlines()) == 1
