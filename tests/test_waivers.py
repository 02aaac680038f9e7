"""Waivers on the real seed table, whose findings are (hand-checked):

- D001 市民協働推進課 / 自治会加入促進に関する連携 / 自治会加入率 (error, seed_r5.csv:6:target)
- G002 社会福祉課 / 避難行動要支援者の支援 / 同意取得者に対する個別計画の作成率 (warning, :26:grade)
- M001 生涯学習課 / コミュニティ・スクールの導入 / コミュニティ・スクールの導入率 (warning, :38:baseline)
"""

import json
from datetime import date
from pathlib import Path

import pytest

from hyoka.check import findings as F
from hyoka.errors import ConfigError
from hyoka.options import CheckOptions
from hyoka.output.places import with_cells
from hyoka.pipeline import run_check
from hyoka.waivers.apply import apply_waivers
from hyoka.waivers.load import load_waivers

from .conftest import EXAMPLES, SEED_CSV, SEED_XLSX
from .test_cli import hyoka

TODAY = date(2025, 6, 1)
D001 = dict(code="D001", department="市民協働推進課", project="自治会加入促進に関する連携", indicator="自治会加入率")


def write(path: Path, *entries: dict) -> Path:
    lines = ["waivers:"]
    for e in entries:
        defaults = {"reason": "受入済み", "accepted_by": "企画課", "expires": "2099-03-31"}
        e = {**e, **{k: v for k, v in defaults.items() if k not in e}}
        first = True
        for k, v in e.items():
            if v is None:
                continue
            lines.append(f"  {'- ' if first else '  '}{k}: {v}")
            first = False
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(waivers: Path, today: date = TODAY, **kw):
    return with_cells(run_check([SEED_CSV], CheckOptions(waivers=waivers, today=today, **kw)))


def by_code(found, code):
    return found[found["code"] == code]


def test_waiver_marks_d001_waived_and_check_exits_zero(tmp_path):
    w = write(tmp_path / "waivers.yaml", D001)
    found = check(w)
    assert by_code(found, "D001")["waived"].tolist() == ["受入済み"]
    assert (by_code(found, "G002")["waived"] == "").all() and (by_code(found, "M001")["waived"] == "").all()
    assert not found["code"].str.startswith("W").any()
    assert hyoka("check", SEED_CSV, "--no-report").returncode == 1  # without the waiver
    r = hyoka("check", SEED_CSV, "--no-report", "--waivers", w, "--format", "json")
    assert r.returncode == 0  # --fail-on error
    data = json.loads(r.stdout)
    assert len(data) == 4  # shown, not dropped (G008 is information)
    assert [d["waived"] for d in data if d["code"] == "D001"] == ["受入済み"]
    assert list(data[0])[-2:] == ["message", "waived"]


@pytest.mark.parametrize(
    "entry",
    [
        {"code": "D001", "project": "自治会加入促進 に関する 連携"},  # layout spaces
        {"code": "D001", "project": "'　自治会加入促進に関する連携　'"},  # full-width spaces
        {"code": "d001", "department": "市民協働 推進課", "indicator": "自治会加入率"},
        {"code": "M001", "project": "ｺﾐｭﾆﾃｨ･ｽｸｰﾙの導入"},  # half-width katakana
        {"code": "Ｍ００１", "indicator": "コミュニティ・スクールの導入率"},  # full-width code
    ],
)
def test_width_and_whitespace_variants_match(tmp_path, entry):
    found = check(write(tmp_path / "w.yaml", entry))
    code = entry["code"].upper().replace("Ｍ００１", "M001")
    assert by_code(found, code)["waived"].tolist() == ["受入済み"]
    assert (found["waived"] != "").sum() == 1 and not found["code"].str.startswith("W").any()


def test_other_project_does_not_match(tmp_path):
    found = check(write(tmp_path / "w.yaml", {**D001, "project": "自治会活動支援"}))
    assert (found["waived"] == "").all()
    assert by_code(found, "W002")["cell"].tolist() == ["w.yaml:2"]


def test_expired_waiver_does_not_waive_and_gives_w001(tmp_path):
    w = write(
        tmp_path / "w.yaml", {"code": "M001", "reason": "x", "expires": "2099-01-01"}, {**D001, "expires": "2025-05-31"}
    )
    found = check(w)
    assert (by_code(found, "D001")["waived"] == "").all()
    w001 = by_code(found, "W001")
    assert len(w001) == 1
    f = w001.iloc[0]
    assert f["severity"] == "warning" and f["title"] == "期限切れの除外設定"
    assert f["cell"] == "w.yaml:6" and f["source_file"] == "w.yaml"
    assert (f["department"], f["project"], f["indicator"]) == (D001["department"], D001["project"], D001["indicator"])
    assert f["observed"] == "D001 / 市民協働推進課 / 自治会加入促進に関する連携 / 自治会加入率"
    assert "D001" in f["message"] and "自治会加入促進に関する連携" in f["message"] and "2025-05-31" in f["message"]
    assert f["expected"] == "期限の更新または削除"
    # the expiry date itself is still covered
    assert by_code(check(w, today=date(2025, 5, 31)), "D001")["waived"].tolist() == ["受入済み"]
    en = check(w, lang="en")
    assert by_code(en, "W001")["title"].tolist() == ["Waiver expired"]
    r = hyoka("check", SEED_CSV, "--no-report", "--waivers", w)
    assert r.returncode == 1 and "W001" in r.stdout


def test_waiver_for_a_code_that_does_not_fire_gives_w002(tmp_path):
    w = write(tmp_path / "w.yaml", D001, {"code": "P001", "department": "社会福祉課"})
    found = check(w)
    w002 = by_code(found, "W002")
    assert len(w002) == 1
    f = w002.iloc[0]
    assert f["severity"] == "info" and f["title"] == "除外設定が何にも一致しない"
    assert f["cell"] == "w.yaml:9" and f["department"] == "社会福祉課" and f["waived"] == ""
    assert f["observed"] == "P001 / 社会福祉課 / * / *"
    assert by_code(found, "D001")["waived"].tolist() == ["受入済み"]
    assert list(found.columns) == list(F.empty().columns) + ["cell"]  # the places, written out
    assert hyoka("check", SEED_CSV, "--no-report", "--waivers", w).returncode == 0  # info < error


def test_department_run_leaves_other_departments_waivers_alone(tmp_path):
    w = write(tmp_path / "w.yaml", D001, {"code": "M001"}, {"code": "G002", "department": "社会福祉課"})
    found = check(w, department="生涯学習課")
    assert found["code"].tolist() == ["M001"] and found["waived"].tolist() == ["受入済み"]


def test_department_matches_previous_name():
    result = run_check([SEED_CSV])
    frame = result.frame
    row = frame[frame["department_previous"] == "危機管理室"]
    assert row["department"].tolist() == ["危機管理課"]
    found = F.from_rows(
        row,
        code="X001",
        severity="warning",
        field="target",
        observed=row["target_raw"],
        expected=row["target_raw"],
        message=row["target_raw"],
        title="t",
    )
    waivers = [w for w in _entries(department="危機管理室", code="X001")]
    out = apply_waivers(found, waivers, TODAY, "ja", frame=frame)
    assert out["waived"].tolist() == ["受入済み"]


def _entries(**kw):
    from hyoka.waivers.load import Waiver

    return [
        Waiver(
            kw["code"],
            kw.get("department"),
            kw.get("project"),
            kw.get("indicator"),
            "受入済み",
            "企画課",
            date(2099, 1, 1),
            "w.yaml",
            2,
        )
    ]


@pytest.mark.parametrize(
    "body, needle",
    [
        (
            "waivers:\n  - code: D001\n    accepted_by: a\n    expires: 2099-01-01\n",
            "waiver 1 (line 2): reason: missing",
        ),
        (
            "waivers:\n  - code: D001\n    reason: r\n    accepted_by: a\n    expires: 2099-02-30\n",
            "waiver 1 (line 2): expires: 2099-02-30 is not a date",
        ),
        (
            "waivers:\n  - code: D001\n    reason: r\n    accepted_by: a\n    expires: 31/03/2099\n",
            "waiver 1 (line 2): expires",
        ),
        (
            "waivers:\n  - code: M001\n    reason: r\n    accepted_by: a\n    expires: 2099-01-01\n"
            "  - code: D001\n    reason: r\n    accepted_by: a\n    expires: 2099-01-01\n    projet: x\n",
            "waiver 2 (line 6): unknown key(s) projet",
        ),
        (
            "waivers:\n  - code: D001\n    reason: '  '\n    accepted_by: a\n    expires: 2099-01-01\n",
            "reason: must be non-empty",
        ),
        ("waivers:\n  - !!python/object/apply:os.system ['echo pwned']\n", "not valid YAML"),
        ("!!python/object:builtins.dict\nwaivers: []\n", "not valid YAML"),
    ],
)
def test_malformed_waiver_file_is_one_line_exit_2(tmp_path, body, needle):
    w = tmp_path / "bad.yaml"
    w.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_waivers(w)
    r = hyoka("check", SEED_CSV, "--no-report", "--waivers", w)
    assert r.returncode == 2 and r.stdout == "" and r.stderr.startswith(f"hyoka: エラー: {w}")
    r = hyoka("check", SEED_CSV, "--no-report", "--waivers", w, "--lang", "en")
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hyoka: error: ") and "bad.yaml" in lines[0]
    assert needle in lines[0]
    assert not (tmp_path / "pwned").exists()


def test_missing_waiver_file_is_exit_2(tmp_path):
    r = hyoka("check", SEED_CSV, "--no-report", "--waivers", tmp_path / "none.yaml")
    assert r.returncode == 2 and "none.yaml: 読み込めません（ファイルまたはフォルダがありません）" in r.stderr


def test_waive_adopts_the_legacy_table(tmp_path):
    before = SEED_CSV.read_bytes()
    w = tmp_path / "waivers.yaml"
    args = ("waive", SEED_CSV, "--waivers", w, "--reason", "導入前からの既知の指摘", "--by", "企画課 佐藤")
    r = hyoka(*args)
    assert r.returncode == 0, r.stderr
    assert "4件" in r.stdout
    entries = load_waivers(w)
    assert [(e.code, e.department, e.project, e.indicator) for e in entries] == [
        ("G008", "市民協働推進課", "各種助成制度の情報提供", "センターへの相談件数"),
        ("D001", "市民協働推進課", "自治会加入促進に関する連携", "自治会加入率"),
        ("G002", "社会福祉課", "避難行動要支援者の支援", "同意取得者に対する個別計画の作成率"),
        ("M001", "生涯学習課", "コミュニティ・スクールの導入", "コミュニティ・スクールの導入率"),
    ]
    assert {e.reason for e in entries} == {"導入前からの既知の指摘"} and {e.accepted_by for e in entries} == {
        "企画課 佐藤"
    }
    assert all((e.expires - date.today()).days in (365, 366) for e in entries)
    text = w.read_text(encoding="utf-8")
    r = hyoka(*args)
    assert r.returncode == 0 and "0件" in r.stdout
    assert w.read_text(encoding="utf-8") == text  # nothing added, file untouched
    r = hyoka("waive", SEED_XLSX, "--waivers", w, "--reason", "x", "--by", "y")
    assert "0件" in r.stdout  # the workbook has the same identities
    r = hyoka("check", SEED_CSV, "--waivers", w, "--format", "json", "--no-report", "--fail-on", "info")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert sorted(d["code"] for d in data) == ["D001", "G002", "G008", "M001"]
    assert all(d["waived"] == "導入前からの既知の指摘" for d in data)
    assert SEED_CSV.read_bytes() == before


def test_waive_selection_and_appending_keeps_comments(tmp_path):
    w = tmp_path / "w.yaml"
    w.write_text(
        "# our accepted findings\nwaivers:\n- code: M001   # 基準値なし\n  reason: r\n"
        "  accepted_by: a\n  expires: 2099-01-01\n",
        encoding="utf-8",
    )
    r = hyoka(
        "waive",
        SEED_CSV,
        "--waivers",
        w,
        "--reason",
        "x",
        "--by",
        "y",
        "--code",
        "G",
        "--code",
        "m001",
        "--expires",
        "2030-04-01",
        "--lang",
        "en",
    )
    assert r.returncode == 0 and "Added 2 waiver entries" in r.stdout
    text = w.read_text(encoding="utf-8")
    assert text.startswith("# our accepted findings\nwaivers:\n- code: M001   # 基準値なし\n")
    assert [(e.code, e.expires) for e in load_waivers(w)] == [
        ("M001", date(2099, 1, 1)),
        ("G008", date(2030, 4, 1)),
        ("G002", date(2030, 4, 1)),
    ]
    r = hyoka("waive", SEED_CSV, "--waivers", w, "--reason", "x", "--by", "y", "--department", "市民協働推進課")
    assert r.returncode == 0 and [e.code for e in load_waivers(w)] == ["M001", "G008", "G002", "D001"]


@pytest.mark.parametrize("extra", [("--expires", "2020-01-01"), ("--expires", "2030-02-30"), ("--reason", " ")])
def test_waive_bad_arguments_exit_2(tmp_path, extra):
    w = tmp_path / "w.yaml"
    opts = {"--reason": "x", "--by": "y", **dict([extra])}
    r = hyoka("waive", SEED_CSV, "--waivers", w, *[x for kv in opts.items() for x in kv])
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert not w.exists()


def test_waive_never_writes_to_an_input_table(tmp_path):
    table = tmp_path / "seed.csv"
    table.write_bytes(SEED_CSV.read_bytes())
    for target in (table, tmp_path / "other.xlsx"):
        r = hyoka("waive", table, "--waivers", target, "--reason", "x", "--by", "y")
        assert r.returncode == 2 and "表のファイルには除外設定を書き込みません" in r.stderr
    assert table.read_bytes() == SEED_CSV.read_bytes() and not (tmp_path / "other.xlsx").exists()


def test_reports_show_waived_findings(tmp_path):
    out = tmp_path / "rep"
    r = hyoka("check", SEED_CSV, "--out", out, "--waivers", EXAMPLES / "waivers.yaml", "--fail-on", "never")
    assert r.returncode == 0
    assert "除外" in r.stdout and "計画策定時" in r.stdout
    md = (out / "07_生涯学習課.md").read_text(encoding="utf-8")
    assert "| 警告（除外） | M001 基準値が未記入 |" in md and "計画策定時" in md
    assert "エラー 0件、警告 0件、情報 0件（ほかに除外 1件）" in md
    page = (out / "07_生涯学習課.html").read_text(encoding="utf-8")
    assert 'class="sev sev-waived"' in page and "除外理由：計画策定時" in page
    saved = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert [d["waived"] != "" for d in saved if d["code"] == "M001"] == [True]


def test_example_waiver_file_waives_m001():
    entries = load_waivers(EXAMPLES / "waivers.yaml")
    assert [e.code for e in entries] == ["M001"] and entries[0].line == 6
    found = check(EXAMPLES / "waivers.yaml", today=date(2025, 4, 1))
    assert by_code(found, "M001")["waived"].str.startswith("計画策定時").tolist() == [True]
    assert (found["waived"] != "").sum() == 1 and not found["code"].str.startswith("W").any()
