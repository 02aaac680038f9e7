"""Configuration files: discovery, selection, severity overrides, per-file ignores, errors."""

import re

import pytest

from hyoka.config import find_config, load_config, selected
from hyoka.errors import ConfigError
from hyoka.output.places import with_cells
from hyoka.pipeline import options_from, run_check

from .conftest import EXAMPLES, SEED_CSV, UK_Q1
from .test_cli import hyoka


@pytest.mark.parametrize(
    "code, select, extend, ignore, expected",
    [
        ("G002", None, [], [], True),
        ("G002", ["D"], [], [], False),
        ("G002", None, [], ["G"], False),
        ("G002", ["G002"], [], ["G"], True),  # the more specific entry wins (ruff)
        ("G002", ["G"], [], ["G002"], False),
        ("T001", ["G"], ["T"], [], True),
    ],
)
def test_selection(code, select, extend, ignore, expected):
    assert selected(code, select, extend, ignore) is expected


def test_found_upwards_and_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.hyoka]\nignore = ["M001"]\n', encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / "hyoka.toml").write_text('select = ["G"]\n', encoding="utf-8")
    assert find_config(deep) == tmp_path / "a" / "hyoka.toml"


def test_seed_with_selection_and_severity(tmp_path):
    cfg = tmp_path / "hyoka.toml"
    cfg.write_text('ignore = ["M"]\n[severity]\nD001 = "warning"\n', encoding="utf-8")
    r = run_check([SEED_CSV], options_from(load_config(cfg)))
    assert sorted(r.findings["code"]) == ["D001", "G002", "G008"]  # M001 ignored
    assert r.findings.set_index("code").loc["D001", "severity"] == "warning"


def test_per_file_ignores_match_the_file_name(tmp_path):
    cfg = tmp_path / "hyoka.toml"
    cfg.write_text('[per-file-ignores]\n"seed_*.csv" = ["D001", "G"]\n', encoding="utf-8")
    r = run_check([SEED_CSV], options_from(load_config(cfg)))
    assert r.findings["code"].tolist() == ["M001"]


def test_cli_flags_override_the_file(tmp_path):
    (tmp_path / "hyoka.toml").write_text('fail-on = "never"\nselect = ["M"]\n', encoding="utf-8")
    r = hyoka("check", SEED_CSV, "--no-report", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0 and '"M001"' in r.stdout and '"D001"' not in r.stdout
    r = hyoka("check", SEED_CSV, "--no-report", "--fail-on", "warning", cwd=tmp_path)
    assert r.returncode == 1  # the flag beats fail-on = never
    r = hyoka("check", SEED_CSV, "--no-report", "--no-config", "--format", "json", cwd=tmp_path)
    assert '"D001"' in r.stdout


@pytest.mark.parametrize(
    "body, error",
    [
        ('selct = ["G"]', "unknown key.*selct"),
        ('select = "G"', "select: must be a list"),
        ('[severity]\nD001 = "fatal"', r"\[severity\] D001: must be one of"),
        ('fail-on = "sometimes"', "fail-on: must be one of"),
        ("[margins]\nschedule = 2", r"\[margins\] schedule: must be a number between 0 and 1"),
        ("[margins]\npace = 0.1", "unknown margin"),
        ("select = [", "not valid TOML"),
    ],
)
def test_bad_configuration_names_the_key(tmp_path, body, error):
    cfg = tmp_path / "hyoka.toml"
    cfg.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=error):
        load_config(cfg)
    r = hyoka("check", SEED_CSV, "--no-report", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith(f"hyoka: エラー: {cfg}") and len(r.stderr.splitlines()) == 1
    r = hyoka("check", SEED_CSV, "--no-report", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith(f"hyoka: error: {cfg}") and len(r.stderr.splitlines()) == 1
    assert re.search(error, r.stderr)


def test_departments_file_with_renames(tmp_path):
    deps = tmp_path / "departments.yaml"
    deps.write_text(
        "departments: [市民協働推進課, 危機管理課, 交通防犯課, 健康増進課, 社会福祉課, 高齢福祉課]\nrenames: {}\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "hyoka.toml"
    cfg.write_text('departments = "departments.yaml"\n', encoding="utf-8")
    r = run_check([SEED_CSV], options_from(load_config(cfg)))
    found = with_cells(r)
    x3 = found[found["code"] == "X003"]
    assert x3["department"].tolist() == ["生涯学習課"]  # the one department left out
    assert x3["cell"].tolist() == ["seed_r5.csv:38:department"]


def test_uk_example_configuration():
    r = hyoka("check", UK_Q1.name, "--no-report", "--format", "json", cwd=EXAMPLES / "uk")
    import json

    data = json.loads(r.stdout)
    assert any(d["code"] == "G005" for d in data)  # the rag scale from the file
    # the mapping from the file: its directions make SNH03's zero target a Z001 (a rising KPI),
    # in the file's language
    z001 = [d for d in data if d["code"] == "Z001" and d["cell"] == "hart_dc_kpi_2014q1.csv:44:target"]
    assert z001 and z001[0]["message"].startswith("The target of")
    assert not [d for d in data if d["code"] == "D001"]  # standing targets (#13): no override needed


@pytest.mark.parametrize(
    "args, error",
    [
        (["--select", "QQQ"], "select: no rule has the code or prefix 'QQQ'"),
        (["--ignore", "G9"], "ignore: no rule has the code or prefix 'G9'"),
    ],
)
def test_unknown_codes_are_errors_not_silence(args, error, tmp_path):
    r = hyoka("check", SEED_CSV, "--no-report", "--no-config", "--lang", "en", *args, cwd=tmp_path)
    assert r.returncode == 2 and error in r.stderr


def test_unknown_severity_code_in_file(tmp_path):
    (tmp_path / "hyoka.toml").write_text('[severity]\nD = "info"\n', encoding="utf-8")
    r = hyoka("check", SEED_CSV, "--no-report", cwd=tmp_path)
    assert r.returncode == 2 and f"severity（{tmp_path / 'hyoka.toml'}）: コードが 'D' の検査はありません" in r.stderr
    r = hyoka("check", SEED_CSV, "--no-report", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 2 and f"severity ({tmp_path / 'hyoka.toml'}): no rule has the code 'D'" in r.stderr


def test_per_file_ignores_relative_to_the_config(tmp_path):
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "seed.csv").write_bytes(SEED_CSV.read_bytes())
    (tmp_path / "hyoka.toml").write_text('[per-file-ignores]\n"legacy/*.csv" = ["D", "G", "M"]\n', encoding="utf-8")
    for cwd, arg in ((tmp_path, "legacy/seed.csv"), (legacy, "seed.csv"), (EXAMPLES, legacy / "seed.csv")):
        args = ["--config", tmp_path / "hyoka.toml"] if cwd == EXAMPLES else []
        r = hyoka("check", arg, "--no-report", "--format", "json", *args, cwd=cwd)
        assert r.stdout.strip() == "[]", (cwd, r.stdout[:200], r.stderr)


def test_waive_uses_the_configuration(tmp_path):
    import shutil

    uk = tmp_path / "uk"
    shutil.copytree(EXAMPLES / "uk", uk)
    r = hyoka(
        "waive", "hart_dc_kpi_2014q1.csv", "--waivers", "waivers.yaml", "--reason", "adopting", "--by", "QA", cwd=uk
    )
    assert r.returncode == 0, r.stderr
    assert "entries" in r.stdout or "件" in r.stdout or "added" in r.stdout
    r = hyoka("check", "hart_dc_kpi_2014q1.csv", "--waivers", "waivers.yaml", "--no-report", "--format", "json", cwd=uk)
    import json

    data = json.loads(r.stdout)
    assert data and all(d["waived"] for d in data), [d for d in data if not d["waived"]][:3]
    assert r.returncode == 0
    r = hyoka("waive", "hart_dc_kpi_2014q1.csv", "--waivers", "hyoka.toml", "--reason", "x", "--by", "y", cwd=uk)
    # the folder's hyoka.toml says lang = "en": the command line speaks English there
    assert (r.returncode, r.stderr) == (
        2,
        "hyoka: error: --waivers hyoka.toml: a waiver file is YAML: name it *.yaml\n",
    )


@pytest.mark.parametrize(
    "body, error",
    [
        ("grades: [{code: A, rank: 1, standing: upper}, {code: A, rank: 2, standing: lower}]", "appears twice"),
        ("grades: [{code: A, rank: true, standing: upper}]", "rank must be"),
        ("grades: [{code: A, aliases: AA, rank: 1, standing: upper}]", "aliases must be a list"),
        ("grades: [{code: A, colour: red, rank: 1, standing: upper}]", "unknown key"),
        ("grades: [{code: A, rank: 1, standing: upper}, {code: B, rank: 1, standing: lower}]", "share a rank"),
        ("grades: [{code: A, rank: 1, standing: upper, when: 'current_value'}]", "cannot evaluate"),
    ],
)
def test_bad_scale_files(tmp_path, body, error):
    p = tmp_path / "scale.yaml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=error):
        run_check([SEED_CSV], options_from(None, scale=str(p)))


def test_scale_meaning_may_be_plain_text(tmp_path):
    p = tmp_path / "scale.yaml"
    p.write_text(
        "name: 自作\ngrades: [{code: A, rank: 1, standing: upper, meaning: 良い}, "
        "{code: B, rank: 2, standing: upper}, {code: C, rank: 3, standing: lower}, "
        "{code: D, rank: 4, standing: lower}]",
        encoding="utf-8",
    )
    r = run_check([SEED_CSV], options_from(None, scale=str(p)))
    assert sorted(r.findings["code"]) == ["D001", "G002", "G008", "M001"]
