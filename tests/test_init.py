"""``hyoka init`` (adopting hyoka in a data repository), the pre-commit hook, and the waiver file as
the CI baseline — on the seed table, whose findings are D001 seed_r5.csv:6:target (error),
G002 :26:grade and M001 :38:baseline (warnings), and G008 :2:grade (information)."""

import csv
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hyoka.config import load_config, load_departments
from hyoka.waivers.load import load_waivers

from .conftest import ROOT, SEED_CSV
from .inprocess import run_cli

GIT = shutil.which("git")
SEED_FINDINGS = [
    ("G008", "info", "seed_r5.csv:2:grade"),
    ("D001", "error", "seed_r5.csv:6:target"),
    ("G002", "warning", "seed_r5.csv:26:grade"),
    ("M001", "warning", "seed_r5.csv:38:baseline"),
]


def hyoka(*args, cwd=None):
    return run_cli(*args, text=True, cwd=cwd)


def git(*args, cwd):
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=hyoka test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def findings(*args, cwd):
    r = hyoka("check", "--no-report", "--format", "json", *args, cwd=cwd)
    import json

    return r.returncode, [
        (d["code"], d["severity"], d["cell"], bool(d["waived"])) for d in json.loads(r.stdout or "[]")
    ]


def edited_seed(path: Path, indicator: str, column: str, value: str) -> Path:
    """A copy of the seed table with one cell changed (the row found by its indicator)."""
    with open(SEED_CSV, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(column)
    [row] = [r for r in rows[1:] if r[rows[0].index("indicator")] == indicator]
    row[col] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def workflow(folder: Path) -> dict:
    data = yaml.safe_load((folder / ".github/workflows/hyoka.yml").read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def step(data: dict, name: str) -> dict:
    [s] = [s for s in data["jobs"]["hyoka"]["steps"] if s.get("name") == name]
    return s


# ---------------------------------------------------------------- hyoka init in an empty folder


def test_init_empty_folder_writes_every_file(tmp_path):
    r = hyoka("init", tmp_path / "data", "--source", "https://git.example.org/city/hyoka", "--rev", "v0.1.0")
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "data"
    expected = [
        "hyoka.toml",
        "departments.yaml",
        "waivers.yaml",
        ".github/workflows/hyoka.yml",
        ".gitlab-ci.yml",
        ".pre-commit-config.yaml",
    ]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == sorted(expected)
    for name in expected:
        assert f"作成: {(folder / name).as_posix()}" in r.stdout.splitlines()
    assert "既存のため変更なし" not in r.stdout
    assert "OWNER" not in r.stdout  # a real source: no placeholder note

    cfg = load_config(folder / "hyoka.toml")  # the configuration loader reads it
    assert (cfg.scale, cfg.fail_on, cfg.lang) == ("a-d", "error", "ja")
    assert cfg.departments == folder / "departments.yaml" and cfg.waivers == folder / "waivers.yaml"
    assert load_departments(cfg.departments) == ([], {})  # a skeleton to fill in
    assert load_waivers(cfg.waivers) == []
    text = (folder / "hyoka.toml").read_text(encoding="utf-8")
    assert "評価の区分" in text and "grading scale" in text  # guidance in Japanese and English

    pc = yaml.safe_load((folder / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert pc == {
        "repos": [{"repo": "https://git.example.org/city/hyoka", "rev": "v0.1.0", "hooks": [{"id": "hyoka"}]}]
    }


def test_init_config_works_with_check(tmp_path):
    """The written configuration runs the seed: an empty department list checks no names (no
    X003), the empty waiver file waives nothing, and the D001 error fails the run."""
    assert hyoka("init", tmp_path, "--scale", "a-d").returncode == 0
    shutil.copy(SEED_CSV, tmp_path / "seed_r5.csv")
    code, found = findings("seed_r5.csv", cwd=tmp_path)
    assert code == 1
    assert found == [(c, s, cell, False) for c, s, cell in SEED_FINDINGS]


def test_init_scale_and_language(tmp_path):
    r = hyoka("init", tmp_path, "--scale", "rag", "--lang", "en")
    assert r.returncode == 0
    assert f"written: {(tmp_path / 'hyoka.toml').as_posix()}" in r.stdout
    assert "placeholder (https://github.com/OWNER/hyoka)" in r.stdout
    cfg = load_config(tmp_path / "hyoka.toml")
    assert (cfg.scale, cfg.lang) == ("rag", "en")


def test_init_bad_arguments_exit_2(tmp_path):
    r = hyoka("init", tmp_path / "x", "--scale", "a-e")
    assert (
        r.returncode == 2
        and r.stderr.startswith("hyoka: エラー: 評価尺度 'a-e' はありません")
        and len(r.stderr.splitlines()) == 1
    )
    assert not (tmp_path / "x").exists()  # nothing written on a bad argument
    (tmp_path / "file").write_text("x")
    r = hyoka("init", tmp_path / "file")
    assert r.returncode == 2 and r.stderr == f"hyoka: エラー: {tmp_path / 'file'}: フォルダではありません\n"
    r = hyoka("init", tmp_path / "y", "--rev", "v1; rm -rf /")
    assert r.returncode == 2 and "--rev" in r.stderr


# ---------------------------------------------------------------- the GitHub workflow


def test_workflow_steps(tmp_path):
    assert hyoka("init", tmp_path, "--source", "https://git.example.org/city/hyoka", "--rev", "a" * 40).returncode == 0
    data = workflow(tmp_path)
    assert set(data["on"]) == {"pull_request", "push", "workflow_dispatch"}
    # what upload-sarif needs in a private repository (#14): it reads the workflow run too
    assert data["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    assert data["env"]["HYOKA_INSTALL"] == "git+https://git.example.org/city/hyoka@" + "a" * 40
    text = (tmp_path / ".github/workflows/hyoka.yml").read_text(encoding="utf-8")
    assert "PLACEHOLDER" not in text and "仮の値" not in text  # a real source and rev: no placeholder mark
    steps = data["jobs"]["hyoka"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses == [
        "actions/checkout",
        "actions/setup-python",
        "",
        "",
        "",
        "github/codeql-action/upload-sarif",
        "",
        "",
        "actions/upload-artifact",
    ]
    summary = step(data, "Job summary (findings table)")  # GitHub shows only a few annotations per step
    assert summary["if"] == "always() && steps.changed.outputs.count != '0'"
    assert (
        'hyoka check --no-report --fail-on never --format markdown "${extra[@]}" -- "${files[@]}" '
        '>> "$GITHUB_STEP_SUMMARY"'
    ) in summary["run"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert 'pip install "$HYOKA_INSTALL"' in step(data, "Install hyoka")["run"]
    sarif = step(data, "hyoka check (SARIF)")
    assert "hyoka check --no-report --fail-on never --format sarif --output hyoka.sarif" in sarif["run"]
    assert sarif["if"] == "steps.changed.outputs.count != '0'"
    assert step(data, "Upload SARIF (code scanning)")["with"]["sarif_file"] == "hyoka.sarif"
    annotate = step(data, "hyoka check (annotations)")
    assert "hyoka check --format github" in annotate["run"] and "--fail-on" not in annotate["run"]
    for s in steps:  # every script is valid bash
        if "run" in s:
            subprocess.run(["bash", "-n"], input=s["run"], text=True, check=True)


def _install_step(folder: Path, install: str | None = None) -> subprocess.CompletedProcess:
    """Run the workflow's "Install hyoka" script with stand-ins for python and hyoka on PATH (they
    print what they were asked), HYOKA_INSTALL as the workflow sets it or as given."""
    data = workflow(folder)
    bin_dir = folder / "stub-bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("python", "hyoka"):
        (bin_dir / name).write_text(f'#!/bin/sh\necho "{name} $*"\n', encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env["HYOKA_INSTALL"] = install if install is not None else data["env"]["HYOKA_INSTALL"]
    return subprocess.run(
        ["bash", "-c", step(data, "Install hyoka")["run"]], env=env, capture_output=True, text=True, cwd=folder
    )


def test_without_source_and_rev_the_install_reference_is_a_marked_placeholder(tmp_path):
    """No tag of hyoka exists, so without --source and --rev nothing may point at one (the old
    default was v<version>, v0.1.0, which does not exist): HYOKA_INSTALL and the pre-commit entry are
    placeholders, marked by a comment, the install step stops on them with an error, and init says
    so in one line."""
    r = hyoka("init", tmp_path)
    assert r.returncode == 0, r.stderr
    data = workflow(tmp_path)
    assert data["env"]["HYOKA_INSTALL"] == "git+https://github.com/OWNER/hyoka@SET-A-TAG-OR-COMMIT"
    text = (tmp_path / ".github/workflows/hyoka.yml").read_text(encoding="utf-8")
    assert "# ★ PLACEHOLDER: set hyoka's repository (URL) and a tag or commit that exists there" in text
    pc = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert pc["repos"][0]["repo"] == "https://github.com/OWNER/hyoka" and pc["repos"][0]["rev"] == "SET-A-TAG-OR-COMMIT"
    gitlab = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8"))["hyoka"]
    assert gitlab["variables"]["HYOKA_INSTALL"] == "git+https://github.com/OWNER/hyoka@SET-A-TAG-OR-COMMIT"
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or "v0.1.0" not in path.read_text(encoding="utf-8"), path
    notes = [line for line in r.stdout.splitlines() if "仮の値" in line]
    assert len(notes) == 1 and "hyoka init --source URL --rev タグ" in notes[0]

    stopped = _install_step(tmp_path)
    assert stopped.returncode == 1 and "::error::Set HYOKA_INSTALL" in stopped.stdout
    assert "python -m pip" not in stopped.stdout
    # a real source with the placeholder tag still stops; a real reference installs
    assert _install_step(tmp_path, "git+https://git.example.org/city/hyoka@SET-A-TAG-OR-COMMIT").returncode == 1
    ok = _install_step(tmp_path, "git+https://git.example.org/city/hyoka@" + "b" * 40)
    assert ok.returncode == 0
    assert ok.stdout.splitlines() == [
        "python -m pip install git+https://git.example.org/city/hyoka@" + "b" * 40,
        "hyoka --version",
    ]


def test_a_source_without_rev_leaves_the_rev_a_placeholder(tmp_path):
    r = hyoka("init", tmp_path, "--source", "https://git.example.org/city/hyoka", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert workflow(tmp_path)["env"]["HYOKA_INSTALL"] == "git+https://git.example.org/city/hyoka@SET-A-TAG-OR-COMMIT"
    [note] = [line for line in r.stdout.splitlines() if line.startswith("No --rev")]
    assert "placeholder (SET-A-TAG-OR-COMMIT)" in note and "exists in https://git.example.org/city/hyoka" in note
    assert _install_step(tmp_path).returncode == 1


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_a_local_git_source_without_rev_is_pinned_to_its_current_commit(tmp_path):
    """A local clone of hyoka given as --source: its HEAD is a revision that exists, so it is
    pinned (and said)."""
    clone = tmp_path / "hyoka-clone"
    clone.mkdir()
    git("init", "-q", cwd=clone)
    (clone / "README").write_text("x")
    git("add", "-A", cwd=clone)
    git("commit", "-qm", "one", cwd=clone)
    head = git("rev-parse", "HEAD", cwd=clone).strip()
    r = hyoka("init", tmp_path / "data", "--source", clone, "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert workflow(tmp_path / "data")["env"]["HYOKA_INSTALL"] == f"git+file://{clone.resolve()}@{head}"
    pc = yaml.safe_load((tmp_path / "data" / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert pc["repos"][0]["rev"] == head
    assert f"No --rev: pinned to the current commit of {clone}, {head}." in r.stdout.splitlines()
    assert "placeholder" not in r.stdout


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_init_in_a_subfolder_of_a_git_repository_warns(tmp_path):
    """GitHub runs only the workflows in the repository's top .github/workflows/: init in a
    subfolder says where the workflow belongs (the files are still written where asked); at the
    top, or outside git, no warning."""
    repo = tmp_path / "repo"
    (repo / "評価表").mkdir(parents=True)
    git("init", "-q", cwd=repo)
    r = hyoka("init", "評価表", "--source", "https://git.example.org/city/hyoka", "--rev", "v1", cwd=repo)
    assert r.returncode == 0, r.stderr
    [warning] = [line for line in r.stdout.splitlines() if line.startswith("警告")]
    assert warning.startswith("警告: 評価表 は git リポジトリ . の中のフォルダです。")
    assert "./.github/workflows/hyoka.yml に置いてください（hyoka init . で書けます。" in warning
    assert (repo / "評価表" / ".github/workflows/hyoka.yml").is_file()  # written where asked
    assert not (repo / ".github").exists()  # nothing outside the folder
    en = hyoka("init", repo / "評価表" / "R5", "--lang", "en", cwd=tmp_path)
    assert f"Warning: {(repo / '評価表' / 'R5').as_posix()} is inside the git repository repo." in en.stdout
    assert "it belongs at repo/.github/workflows/hyoka.yml (hyoka init repo writes it there;" in en.stdout
    top = hyoka("init", ".", "--source", "https://git.example.org/city/hyoka", "--rev", "v1", cwd=repo)
    assert top.returncode == 0 and "警告" not in top.stdout
    outside = hyoka("init", tmp_path / "plain", "--lang", "en")
    assert "Warning" not in outside.stdout


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_workflow_finds_changed_data_files(tmp_path):
    """Run the workflow's own "Find changed data files" script in a git repository: every data
    file with no base; only the added and modified ones (not deleted, not Excel lock files) after
    a change; every file again when the configuration changed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    assert hyoka("init", repo, "--source", "https://git.example.org/city/hyoka").returncode == 0
    script = step(workflow(repo), "Find changed data files")["run"]
    (repo / "R5").mkdir()
    shutil.copy(SEED_CSV, repo / "R5" / "市民協働推進課 R5.csv")
    shutil.copy(SEED_CSV, repo / "old.CSV")
    (repo / "notes.txt").write_text("x")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "first", cwd=repo)
    first = git("rev-parse", "HEAD", cwd=repo).strip()

    def run(base):
        out = tmp_path / "out"
        out.write_text("")
        env = {**os.environ, "HYOKA_BASE": base, "HYOKA_FILES": str(tmp_path / "files"), "GITHUB_OUTPUT": str(out)}
        subprocess.run(["bash", "-c", script], cwd=repo, env=env, check=True, capture_output=True)
        files = sorted(f for f in (tmp_path / "files").read_bytes().decode("utf-8").split("\0") if f)
        outputs = dict(line.split("=", 1) for line in out.read_text().splitlines())
        return files, outputs

    assert run("") == (["R5/市民協働推進課 R5.csv", "old.CSV"], {"count": "2", "subset": "false"})
    assert run("0" * 40) == (["R5/市民協働推進課 R5.csv", "old.CSV"], {"count": "2", "subset": "false"})

    edited_seed(repo / "R5" / "市民協働推進課 R5.csv", "自治会加入率", "target", "65％")
    shutil.copy(ROOT / "examples" / "seed_r5.xlsx", repo / "R5" / "new.xlsx")
    (repo / "R5" / "~$new.xlsx").write_bytes(b"lock")
    (repo / "old.CSV").unlink()
    (repo / "notes.txt").write_text("y")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "second", cwd=repo)
    assert run(first) == (["R5/new.xlsx", "R5/市民協働推進課 R5.csv"], {"count": "2", "subset": "true"})

    (repo / "hyoka.toml").write_text(
        (repo / "hyoka.toml").read_text(encoding="utf-8").replace('fail-on = "error"', 'fail-on = "warning"'),
        encoding="utf-8",
    )
    git("commit", "-qam", "config", cwd=repo)
    assert run(first) == (["R5/new.xlsx", "R5/市民協働推進課 R5.csv"], {"count": "2", "subset": "false"})
    head = git("rev-parse", "HEAD", cwd=repo).strip()
    assert run(head) == ([], {"count": "0", "subset": "true"})  # nothing changed: the steps are skipped


# ---------------------------------------------------------------- GitLab


def test_gitlab_job(tmp_path):
    assert hyoka("init", tmp_path, "--source", "https://git.example.org/city/hyoka", "--rev", "v0.1.0").returncode == 0
    job = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8"))["hyoka"]
    assert job["variables"] == {"HYOKA_INSTALL": "git+https://git.example.org/city/hyoka@v0.1.0", "GIT_DEPTH": "0"}
    assert job["artifacts"]["reports"]["junit"] == "hyoka-junit.xml" and job["artifacts"]["when"] == "always"
    script = "\n".join(job["script"])
    assert "hyoka check --format junit --output hyoka-junit.xml" in script
    assert "CI_MERGE_REQUEST_DIFF_BASE_SHA" in script
    for item in job["script"]:
        subprocess.run(["bash", "-n"], input=item, text=True, check=True)


# ---------------------------------------------------------------- a populated folder


def test_init_keeps_existing_files_byte_for_byte(tmp_path):
    own = {
        "hyoka.toml": 'scale = "circles"\n# ours\n',
        ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks: []\n",
        ".github/workflows/hyoka.yml": "name: ours\n",
        ".gitlab-ci.yml": "test:\n  script: [make]\n",
    }
    for name, text in own.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    before = {name: ((tmp_path / name).read_bytes(), (tmp_path / name).stat().st_mtime_ns) for name in own}
    time.sleep(0.01)
    r = hyoka("init", tmp_path, "--source", "https://git.example.org/city/hyoka", "--rev", "v0.1.0")
    assert r.returncode == 0, r.stderr
    after = {name: ((tmp_path / name).read_bytes(), (tmp_path / name).stat().st_mtime_ns) for name in own}
    assert after == before
    lines = r.stdout.splitlines()
    for name in own:
        assert f"既存のため変更なし: {(tmp_path / name).as_posix()}" in lines
    assert f"作成: {(tmp_path / 'hyoka.gitlab-ci.yml').as_posix()}" in lines
    assert "local: hyoka.gitlab-ci.yml" in r.stdout  # how to include it
    assert '- repo: "https://git.example.org/city/hyoka"' in r.stdout  # the pre-commit entry to add
    # the kept hyoka.toml names its own files: no skeletons beside it
    assert not (tmp_path / "departments.yaml").exists() and not (tmp_path / "waivers.yaml").exists()
    job = yaml.safe_load((tmp_path / "hyoka.gitlab-ci.yml").read_text(encoding="utf-8"))
    assert job["hyoka"]["artifacts"]["reports"]["junit"] == "hyoka-junit.xml"
    listed = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert listed == sorted([*own, "hyoka.gitlab-ci.yml"])

    again = hyoka("init", tmp_path, "--source", "https://git.example.org/city/hyoka", "--rev", "v0.1.0")
    assert again.returncode == 0 and "作成:" not in again.stdout  # a second run writes nothing


def test_init_run_again_writes_nothing_and_says_what_still_names_the_placeholder(tmp_path):
    """A fresh user ran `hyoka init`, then `hyoka init --source URL --rev TAG` as the first run's
    note said: it used to write a hyoka.gitlab-ci.yml to include into the .gitlab-ci.yml it had
    written itself, print a pre-commit entry already in the file, and not say OWNER stayed."""
    assert hyoka("init", tmp_path).returncode == 0
    first = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    r = hyoka("init", tmp_path, "--source", "https://git.example.org/city/hyoka", "--rev", "v0.1.0")
    assert r.returncode == 0 and "作成:" not in r.stdout
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == first
    assert "include:" not in r.stdout and "repos: に次を追加" not in r.stdout
    assert (
        "既存のため変更しなかった .github/workflows/hyoka.yml, .gitlab-ci.yml, .pre-commit-config.yaml には"
        "仮の入手先（https://github.com/OWNER/hyoka, SET-A-TAG-OR-COMMIT）が残っています。"
    ) in r.stdout


def test_init_keeps_pyproject_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.hyoka]\nscale = "rag"\n', encoding="utf-8")
    r = hyoka("init", tmp_path, "--lang", "en")
    assert r.returncode == 0
    assert f"kept (exists, not changed): {(tmp_path / 'pyproject.toml').as_posix()}" in r.stdout
    assert not (tmp_path / "hyoka.toml").exists()  # it would shadow [tool.hyoka]
    assert (tmp_path / ".github/workflows/hyoka.yml").is_file()


# ---------------------------------------------------------------- the waiver file as the CI baseline


def test_waiver_baseline_fails_only_on_new_findings(tmp_path):
    assert hyoka("init", tmp_path).returncode == 0
    shutil.copy(SEED_CSV, tmp_path / "seed_r5.csv")
    r = hyoka(
        "waive",
        "seed_r5.csv",
        "--waivers",
        "waivers.yaml",
        "--reason",
        "導入前からの既知の指摘",
        "--by",
        "企画課",
        cwd=tmp_path,
    )
    assert r.returncode == 0 and "4件" in r.stdout
    assert hyoka("check", "--no-report", "--fail-on", "info", "seed_r5.csv", cwd=tmp_path).returncode == 0
    code, found = findings("seed_r5.csv", cwd=tmp_path)
    assert code == 0 and found == [(c, s, cell, True) for c, s, cell in SEED_FINDINGS]

    # a new error on another row fails the run; the baseline's findings stay waived
    edited_seed(tmp_path / "seed_r5.csv", "補助金交付割合", "target", "70％")
    code, found = findings("seed_r5.csv", cwd=tmp_path)
    assert code == 1
    # (93.75％ against a target of 70％ set below the baseline 75％ is D001's, not a target exceeded: no G008)
    assert [f for f in found if not f[3]] == [("D001", "error", "seed_r5.csv:7:target", False)]

    # the accepted D001 fixed: its waiver is stale (W002, info), which never fails at fail-on error …
    edited_seed(tmp_path / "seed_r5.csv", "自治会加入率", "target", "65％")
    code, found = findings("seed_r5.csv", cwd=tmp_path)
    assert code == 0
    assert [f[:2] for f in found if not f[3]] == [("W002", "info")]
    # … and `--ignore W002` (a run over some of the files) leaves it out
    code, found = findings("--ignore", "W002", "seed_r5.csv", cwd=tmp_path)
    assert code == 0 and all(f[3] for f in found)


def test_expired_waivers_give_w001_and_the_findings_back(tmp_path):
    assert hyoka("init", tmp_path).returncode == 0
    shutil.copy(SEED_CSV, tmp_path / "seed_r5.csv")
    assert (
        hyoka(
            "waive", "seed_r5.csv", "--waivers", "waivers.yaml", "--reason", "既知", "--by", "企画課", cwd=tmp_path
        ).returncode
        == 0
    )
    path = tmp_path / "waivers.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("expires: 20", "expires: 2000-01-01 #"), encoding="utf-8")
    code, found = findings("seed_r5.csv", cwd=tmp_path)
    assert code == 1  # the D001 error is no longer waived
    assert sorted(f[:2] for f in found if f[0] == "W001") == [("W001", "warning")] * 4
    assert [f[:3] for f in found if f[0] == "D001"] == [SEED_FINDINGS[1]]
    # a team that wants an expired waiver itself to stop CI raises W001's severity
    toml = tmp_path / "hyoka.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[severity]\nW001 = "error"\n', encoding="utf-8")
    code, found = findings("seed_r5.csv", cwd=tmp_path)
    assert sorted({f[:2] for f in found if f[0] == "W001"}) == [("W001", "error")]


def test_waive_code_is_validated(tmp_path):
    for bad in ("D01", "Q", "W002"):
        r = hyoka("waive", SEED_CSV, "--waivers", tmp_path / "w.yaml", "--reason", "r", "--by", "b", "--code", bad)
        assert r.returncode == 2 and "--code" in r.stderr and repr(bad) in r.stderr
    assert not (tmp_path / "w.yaml").exists()
    r = hyoka("waive", SEED_CSV, "--waivers", tmp_path / "w.yaml", "--reason", "r", "--by", "b", "--code", "d001,M")
    assert r.returncode == 0
    assert [w.code for w in load_waivers(tmp_path / "w.yaml")] == ["D001", "M001"]


def test_template_reads_the_configuration_scale(tmp_path):
    import openpyxl

    (tmp_path / "hyoka.toml").write_text('scale = "circles"\ndepartments = "d.yaml"\n', encoding="utf-8")
    (tmp_path / "d.yaml").write_text("departments: [危機管理課, 生涯学習課]\n", encoding="utf-8")
    assert hyoka("template", "t.xlsx", cwd=tmp_path).returncode == 0
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    grades, names = [dv.formula1 for dv in wb["評価シート"].data_validations.dataValidation if dv.type == "list"]
    assert grades == '"◎,○,△,×"'  # the configuration's scale, not the default A–D
    sheet, cells = names.split("!")  # the department drop-down reads the legend's list
    assert sheet == "'凡例'"
    assert [c.value for row in wb["凡例"][cells.replace("$", "")] for c in row] == ["危機管理課", "生涯学習課"]
    assert hyoka("template", "u.xlsx", "--scale", "a-d", "--no-config", cwd=tmp_path).returncode == 0
    lists = [
        dv.formula1
        for dv in openpyxl.load_workbook(tmp_path / "u.xlsx")["評価シート"].data_validations.dataValidation
        if dv.type == "list"
    ]
    assert lists == ['"A,B,C,D"']


# ---------------------------------------------------------------- the pre-commit hook, for real


def test_pre_commit_hooks_file():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "hyoka",
        "hyoka check",
        "python",
        True,
    )
    import re

    files = re.compile(hook["files"])
    assert files.search("R5/seed_r5.csv") and files.search("書類/調書.XLSX") and not files.search("a.yaml")
    assert re.compile(hook["exclude"]).search("R5/~$調書.xlsx")
    assert "--no-report" in hook["args"]


def _snapshot(dest: Path) -> str:
    """This checkout's working tree (tracked and new files) committed in a fresh repository, so
    pre-commit installs exactly what is being tested. Returns the commit."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode("utf-8")
        .split("\0")
    )
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-qm", "snapshot", cwd=dest)
    return git("rev-parse", "HEAD", cwd=dest).strip()


@pytest.mark.skipif(
    GIT is None or importlib.util.find_spec("pre_commit") is None,
    reason="needs git and pre-commit (pip install '.[test]')",
)
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs hyoka's git checkout")
@pytest.mark.slow
def test_pre_commit_hook_runs_hyoka(tmp_path):
    """pre-commit installs hyoka from its repository (its own virtualenv, dependencies from the
    package index) and runs the `hyoka` hook on the data repository's files: the seed table's
    D001 error fails the commit; fixed, or accepted in the waiver file, it passes."""
    hyoka_repo = tmp_path / "hyoka"
    hyoka_repo.mkdir()
    rev = _snapshot(hyoka_repo)
    data = tmp_path / "data"
    assert hyoka("init", data, "--source", hyoka_repo, "--rev", rev).returncode == 0
    shutil.copy(SEED_CSV, data / "seed_r5.csv")
    git("init", "-q", cwd=data)
    git("add", "-A", cwd=data)
    git("commit", "-qm", "data", cwd=data)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run():
        start = time.monotonic()
        r = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files"],
            cwd=data,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        return r, time.monotonic() - start

    r, first = run()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "D001 seed_r5.csv:6:target" in r.stdout and "Failed" in r.stdout

    edited_seed(data / "seed_r5.csv", "自治会加入率", "target", "65％")
    git("commit", "-qam", "fix the target", cwd=data)
    r, second = run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Passed" in r.stdout

    shutil.copy(SEED_CSV, data / "seed_r5.csv")  # the error back, now accepted as the baseline
    assert (
        hyoka(
            "waive", "seed_r5.csv", "--waivers", "waivers.yaml", "--reason", "既知", "--by", "企画課", cwd=data
        ).returncode
        == 0
    )
    git("commit", "-qam", "baseline", cwd=data)
    r, third = run()
    assert r.returncode == 0, r.stdout + r.stderr
    print(f"pre-commit: first run (installs hyoka) {first:.1f} s, then {second:.1f} s and {third:.1f} s")
