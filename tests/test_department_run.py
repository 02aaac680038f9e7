"""A department's self-check never destroys the coordinator's report (#14).

`hyoka check book.xlsx --department 社会福祉課` used to write into `reports/` (the default `--out`)
and prune every page the last run had written: a seven-department report became one page, still
titled 「（全体）」. Now a department run writes to `reports/<department>/` by default, its index says
it covers one department, and a run only removes files a run of its own scope wrote before.
"""

import json
import os

from hyoka.output.report import ALL, MANIFEST, _replace_manifest, recorded_scopes

from .conftest import SEED_XLSX
from .inprocess import run_cli

FULL_PAGES = [
    f"{i:02d}_{name}.{ext}"
    for i, name in enumerate(
        ["市民協働推進課", "危機管理課", "交通防犯課", "健康増進課", "社会福祉課", "高齢福祉課", "生涯学習課"], 1
    )
    for ext in ("html", "md")
]


def hyoka(*args, cwd):
    return run_cli(*args, text=True, cwd=cwd)


def snapshot(folder):
    """Every file of ``folder`` (not its subfolders): name → bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_full_then_department_run_with_default_options(tmp_path):
    r = hyoka("check", SEED_XLSX, "--fail-on", "never", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    reports = tmp_path / "reports"
    before = snapshot(reports)
    assert sorted(before) == sorted(
        [*FULL_PAGES, "index.html", "findings.json", "seed_r5.hyoka.xlsx", MANIFEST]
    )  # 7 departments, as a coordinator wrote them

    r = hyoka("check", SEED_XLSX, "--department", "社会福祉課", "--fail-on", "never", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.rstrip().endswith("→ reports/社会福祉課/index.html")
    assert snapshot(reports) == before  # the same files, byte for byte
    own = tmp_path / "reports" / "社会福祉課"
    assert sorted(snapshot(own)) == sorted(
        ["01_社会福祉課.html", "01_社会福祉課.md", "index.html", "findings.json", "seed_r5.hyoka.xlsx", MANIFEST]
    )
    index = (own / "index.html").read_text(encoding="utf-8")
    # hand-checked: 社会福祉課 has rows 14 and 15 of the seed, and one warning (G002 on F14)
    assert '<p class="kicker">評価表チェック結果（社会福祉課）</p>' in index and "（全体）" not in index
    assert "この結果は「社会福祉課」の行だけを確認したものです（--department）。全体の結果ではありません。" in index
    assert "2行を確認：エラー 0件、警告 1件、情報 0件" in index
    assert [f["code"] for f in json.loads((own / "findings.json").read_text(encoding="utf-8"))] == ["G002"]


def test_department_run_into_the_full_report_keeps_the_other_pages(tmp_path):
    out = tmp_path / "rep"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # the same stamp each run
    r = run_cli("check", SEED_XLSX, "--out", out, "--fail-on", "never", text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    before = snapshot(out)

    r = run_cli(
        "check", SEED_XLSX, "--department", "社会福祉課", "--out", out, "--fail-on", "never", text=True, env=env
    )
    assert r.returncode == 0
    # it says which of the coordinator's files now cover one department
    assert r.stderr == (
        f"hyoka: 警告: {out} には全体の結果があります。findings.json, index.html, seed_r5.hyoka.xlsx をこの課だけの"
        "結果で置き換えました（ほかの課のページは残っています。全体の結果は --department なしでもう一度実行すると戻ります）\n"
    )
    after = snapshot(out)
    for name in FULL_PAGES:  # every department page of the full report, 社会福祉課's own included
        assert after[name] == before[name], name
    assert set(after) == set(before) | {"01_社会福祉課.html", "01_社会福祉課.md"}
    assert "評価表チェック結果（社会福祉課）" in after["index.html"].decode("utf-8")

    # the coordinator's next run writes the whole report again, byte for byte; the department's
    # two pages are the department run's: a full run leaves them
    r = run_cli("check", SEED_XLSX, "--out", out, "--fail-on", "never", text=True, env=env)
    assert r.returncode == 0 and r.stderr == ""
    again = snapshot(out)
    assert {n: b for n, b in again.items() if n in before and n != MANIFEST} == {
        n: b for n, b in before.items() if n != MANIFEST
    }
    assert set(again) == set(before) | {"01_社会福祉課.html", "01_社会福祉課.md"}


def test_pruning_removes_only_files_of_the_same_scope(tmp_path):
    """The manifest names each file's scope; a run prunes only its own scope's files it did not
    write again, and reads the earlier manifest form (a list) as the full report's."""
    for name in ("index.html", "01_a.html", "02_b.html", "01_b.html", "mine.html"):
        (tmp_path / name).write_text(name)
    (tmp_path / MANIFEST).write_text(json.dumps({"files": ["index.html", "01_a.html", "02_b.html"]}))
    assert recorded_scopes(tmp_path) == dict.fromkeys(["index.html", "01_a.html", "02_b.html"], ALL)
    # department b writes index.html and 01_b.html: nothing of the full report is removed
    _replace_manifest(tmp_path, [tmp_path / "index.html", tmp_path / "01_b.html"], "b")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST) == [
        "01_a.html",
        "01_b.html",
        "02_b.html",
        "index.html",
        "mine.html",
    ]
    assert recorded_scopes(tmp_path) == {"01_a.html": ALL, "02_b.html": ALL, "01_b.html": "b", "index.html": "b"}
    # a full run without department b: its own 02_b.html goes; b's 01_b.html and the user's file stay
    _replace_manifest(tmp_path, [tmp_path / "index.html", tmp_path / "01_a.html"], ALL)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST) == [
        "01_a.html",
        "01_b.html",
        "index.html",
        "mine.html",
    ]
    # department b again, now without 01_b.html (renamed, say): its own page goes
    _replace_manifest(tmp_path, [tmp_path / "index.html"], "b")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST) == ["01_a.html", "index.html", "mine.html"]


def test_checking_the_annotated_copy_again_keeps_it(tmp_path):
    """The clerk's loop (#15's first item): check the book, then check the annotated copy the run
    wrote into the same reports folder. The second run used to prune `seed_r5.hyoka.xlsx` as a
    stale file of its own scope — deleting the file it had just read."""
    assert hyoka("check", SEED_XLSX, "--fail-on", "never", cwd=tmp_path).returncode == 0
    copy = tmp_path / "reports" / "seed_r5.hyoka.xlsx"
    before = copy.read_bytes()
    r = hyoka("check", "reports/seed_r5.hyoka.xlsx", "--fail-on", "never", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert copy.read_bytes() == before  # still there, untouched
    assert (tmp_path / "reports" / "seed_r5.hyoka.hyoka.xlsx").is_file()  # the second run's own copy
    assert "seed_r5.hyoka.xlsx" not in recorded_scopes(tmp_path / "reports")  # the user's file now
