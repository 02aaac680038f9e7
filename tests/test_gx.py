"""Great Expectations interop (hyoka.interop.gx): the exported suite flags in GX exactly the rows hyoka
flags, rule by rule, on the real seed table and on tables built by editing its rows."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hyoka.check.rules import load_catalog
from hyoka.interop import gx as G
from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

from .conftest import ROOT, SEED_CSV
from .inprocess import run_cli

CATALOG_CODES = sorted({r.code for r in load_catalog()})
SCHEMA_ROW_CODES = ["S001", "S002", "S003"]  # schema failures on rows (S000 is table-level here)


def _compare(result):
    """Run the suite built from ``result``'s rules in GX; return (gx rows, hyoka rows) per code."""
    suite = G.build_suite(result.rules)
    assert suite.unexpressed == []
    found = G.validate_with_gx(result.frame, json.loads(json.dumps(suite.suite)))  # through JSON
    assert set(found) == set(suite.codes)
    return found, G.hyoka_rows(result.findings, suite.codes)


# --- no GX needed -------------------------------------------------------------------------------


def test_suite_json_shape_and_translations():
    suite = G.build_suite(load_catalog()).suite
    assert set(suite) == {"name", "expectations", "meta"} and suite["name"] == "hyoka"
    assert all(set(e) == {"type", "kwargs", "meta"} and e["type"].startswith("expect_") for e in suite["expectations"])
    by = {}
    for e in suite["expectations"]:
        by.setdefault(e["meta"]["hyoka_code"], []).append(e)
    assert set(CATALOG_CODES) <= set(by)
    # D001: (target - baseline) * sign < 0 → one pair comparison per sign, times the two cases of
    # (target_value != 0 or baseline_value < 0) (a zero target below a positive baseline is Z001's)
    d001 = by["D001"]
    assert [e["type"] for e in d001] == ["expect_column_pair_values_a_to_be_greater_than_b"] * 4
    assert (d001[0]["kwargs"]["column_A"], d001[0]["kwargs"]["column_B"]) == ("target_value", "baseline_value")
    assert (d001[1]["kwargs"]["column_A"], d001[1]["kwargs"]["column_B"]) == ("baseline_value", "target_value")
    assert d001[0]["kwargs"]["row_condition"] == (
        "sign.copy() > 0 and direction_source == 'declared' and target_form == 'single' and units_agree == True"
        " and standing_target == False and target_value.notna() and (target_value != 0)"
    )
    assert d001[2]["kwargs"]["row_condition"].endswith("standing_target == False and baseline_value < 0")
    assert all(e["kwargs"]["condition_parser"] == "pandas" and e["kwargs"]["or_equal"] for e in d001)
    # M001: a value set under a row condition; != guarded against missing values
    m001 = by["M001"][0]
    assert m001["type"] == "expect_column_values_to_not_be_in_set"
    assert m001["kwargs"] == {
        "column": "baseline_state",
        "value_set": ["missing"],
        "condition_parser": "pandas",
        # no_indicator: a row that is no indicator is reported by its name (N001), not its values
        "row_condition": "nocache_baseline == False and grade_is_status == False and no_indicator == False",
    }
    assert "baseline_value.notna() and (baseline_value != 0)" in by["Z001"][0]["kwargs"]["row_condition"]
    # the schema: department not null is S001; partners' pattern S002; years 1950-2100 S003
    assert any(
        e["type"] == "expect_column_values_to_not_be_null" and e["kwargs"]["column"] == "department" for e in by["S001"]
    )
    assert {e["kwargs"]["column"] for e in by["S003"] if e["type"] == "expect_column_values_to_be_between"} == {
        "baseline_year",
        "target_year",
        "current_year",
    }
    assert by["S002"][-1]["kwargs"]["regex"] == "^[①-⑳]*$"


def test_unexpressible_rules_are_listed_with_a_reason(tmp_path):
    catalog = tmp_path / "rules.yaml"
    base = {
        "severity": "warning",
        "fields": ["target"],
        "cell": "target",
        "title": {"ja": "t", "en": "t"},
        "description": {"ja": "d", "en": "d"},
        "observed": "{target_raw}",
        "expected": {"ja": "e", "en": "e"},
        "message": {"ja": "m", "en": "m"},
        "fix": {"ja": "f", "en": "f"},
    }
    rules = [
        {"code": "Q001", "name": "equal", "when": "target_value == baseline_value", **base},
        {"code": "Q002", "name": "ok", "when": "target_value > baseline_value and units_agree", **base},
    ]
    catalog.write_text(yaml.safe_dump({"rules": rules}, allow_unicode=True), encoding="utf-8")
    built = G.build_suite(load_catalog(catalog), schema=False)
    assert [u["code"] for u in built.unexpressed] == ["Q001"]
    assert "no part of `target_value == baseline_value`" in built.unexpressed[0]["reason"]
    assert built.codes == ["Q002"]
    (q002,) = built.suite["expectations"]
    assert q002["kwargs"]["column_A"] == "baseline_value" and q002["kwargs"]["row_condition"] == "units_agree == True"


def test_cli_export_writes_suite_and_unexpressed_list(tmp_path):
    out = tmp_path / "gx"
    proc = run_cli("export", "gx", "--out", out, "--no-config", "--ignore", "F", SEED_CSV, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    suite = json.loads((out / "hyoka.json").read_text(encoding="utf-8"))
    codes = {e["meta"]["hyoka_code"] for e in suite["expectations"]}
    assert "D001" in codes and "F001" not in codes
    assert json.loads((out / "hyoka_unexpressed.json").read_text(encoding="utf-8")) == []
    assert "0 not expressible" in proc.stdout
    table = pd.read_parquet(out / "normalised.parquet")
    assert len(table) == 15 and table.loc[3, "indicator"] == "自治会加入率"
    assert "great_expectations" not in proc.stderr


def test_check_does_not_import_great_expectations():
    code = (
        f"import sys; from hyoka.cli import main; sys.argv = ['hyoka', 'check', {str(SEED_CSV)!r}, '--no-report', "
        "'--fail-on', 'never', '--no-config']\ntry:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0\n"
        "assert 'great_expectations' not in sys.modules, 'check imported GX'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_package_names_import_without_great_expectations():
    """hyoka.interop.gx is a package (normal_form, query, expectations, export, runner); its public
    names come from the package, and importing them (even export gx's) leaves GX unimported."""
    code = (
        "import sys\nfrom hyoka.interop.gx import build_suite, export_gx, validate_with_gx, Suite, NotExpressible\n"
        "from hyoka.interop.gx.runner import validate_with_gx as v\nassert v is validate_with_gx\n"
        "assert 'great_expectations' not in sys.modules, 'importing hyoka.interop.gx imported GX'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


# --- GX itself ------------------------------------------------------------------------------------


# Marked slow (the GX import alone takes seconds): `python -m pytest -m "not slow"` leaves them out.
# GX is imported by the fixture, not at collection, so the fast tier never pays for it.
@pytest.fixture(scope="module")
def gx():
    return pytest.importorskip("great_expectations")


def gx_test(fn):
    """A test that runs Great Expectations itself: slow, and skipped where GX is not installed."""
    return pytest.mark.slow(pytest.mark.usefixtures("gx")(fn))


@gx_test
def test_seed_gx_flags_the_same_rows_as_hyoka():
    result = run_check([SEED_CSV])
    found, hyoka = _compare(result)
    assert found == hyoka
    row = result.frame["row"]
    # seed_r5.csv line 6 (自治会加入率 60.4％ → 60％) is D001; line 26 G002; line 38 M001
    assert {int(row[i]) for i in found["D001"]} == {6}
    assert {int(row[i]) for i in found["G002"]} == {26}
    assert {int(row[i]) for i in found["M001"]} == {38}
    assert {int(row[i]) for i in found["G008"]} == {2}  # 45件 against 30件 graded Ｂ: information
    assert all(not v for k, v in found.items() if k not in ("D001", "G002", "M001", "G008"))


def _seed_rows():
    with open(SEED_CSV, encoding="utf-8", newline="") as fh:
        return {r["project"]: r for r in csv.DictReader(fh)}


def _edit(rows, seed_project, **changes):
    # the seed has no rate or target_min column (a minimum target): every row gets both, empty
    return {**rows[seed_project], "rate": "", "target_min": "", **changes}


# Each edit is meant to trigger the code on its left (checked by hand against the rule texts).
def _table_a(rows):
    return [
        ("M002", _edit(rows, "各種助成制度の情報提供", target="-")),
        ("M003", _edit(rows, "コミュニティ設立支援", current="")),
        ("P001", _edit(rows, "自治会活動支援", current="年1回程度")),
        ("D001", _edit(rows, "自治会加入促進に関する連携")),
        ("B001", _edit(rows, "コミュニティ助成", current="937.5％")),
        ("U001", _edit(rows, "自治公民館施設整備", current="1,234件")),
        ("G001", _edit(rows, "自主防災組織結成促進・活動支援事業", grade="B+")),
        ("G004", _edit(rows, "消費者団体の育成（消費生活推進連絡会・生活学校）", grade="")),
        ("P002", _edit(rows, "食生活改善推進員養成育成事業", current="45団休")),
        ("U002", _edit(rows, "市民活動センター団体登録事業", current="134人")),
        ("G002", _edit(rows, "避難行動要支援者の支援")),
        ("Y003", _edit(rows, "地域共生社会推進支援事業", target_year="H35")),
        ("P005", _edit(rows, "自治公民館施設整備", project="公民館改修", target="60(57)")),
        ("P006", _edit(rows, "自治公民館施設整備", project="公民館補修", target="5館(改修")),
        ("M005", _edit(rows, "地域共生社会推進支援事業", project="相談体制", target_year="")),
        ("G003", _edit(rows, "地域住民助け合い事業", grade="C")),
        ("M001", _edit(rows, "コミュニティ・スクールの導入")),
        ("T001", _edit(rows, "市職員研修", effect="")),
        ("X001", _edit(rows, "各種助成制度の情報提供")),  # the same project and indicator again
        ("X002", _edit(rows, "自治会加入促進に関する連携", project="自治会加入キャンペーン", baseline="55％")),
        ("X003", _edit(rows, "市職員研修", department="企画課", effect="研修を実施した。")),
        (
            "D002",
            _edit(
                rows,
                "各種助成制度の情報提供",
                project="相談窓口",
                indicator="相談対応数",
                baseline="30件",
                target="30件",
                current="28件",
            ),
        ),
        (
            "G007",
            _edit(
                rows,
                "市民活動センター団体登録事業",
                project="団体登録促進",
                grade="Ａ",
                baseline="100団体",
                target="200団体",
                current="105団体",
            ),
        ),
        ("Y002", _edit(rows, "自治公民館施設整備", project="公民館補助", target_year="R4")),
        ("Y001", _edit(rows, "自治会活動支援", project="活動補助", baseline_year="R6")),
        ("Z001", _edit(rows, "自治会加入促進に関する連携", project="加入率向上", target="0％")),
        # 85.19％ → 87％ (R3 → R9), now 84％, no grade: moved away from the target
        ("D003", _edit(rows, "自治会活動支援", project="活動支援（評価なし）", grade="", current="84％")),
        # at least 80％, while the baseline 85.19％ already was
        ("D004", _edit(rows, "自治会活動支援", project="加入率維持", target="", target_min="80％")),
        # the baseline repeated as the current value, dated R3, in an R5 report
        ("Y004", _edit(rows, "自治会活動支援", project="未更新", current="85.19％", current_year="R3")),
        ("R001", _edit(rows, "自治会活動支援", project="加入率の達成率", rate="95.0%")),  # 89.7 / 87 = 103.1 %
        ("Z002", _edit(rows, "市民活動センター団体登録事業", project="団体支援", current="0団体")),
        (
            "T002",
            _edit(
                rows,
                "消費者団体の育成（消費生活推進連絡会・生活学校）",
                project="指標なし事業",
                indicator="",
                baseline="",
                target="",
                current="",
            ),
        ),
        ("P003", _edit(rows, "各種助成制度の情報提供", project="策定時事業", baseline_year="策定時")),
        ("P004", _edit(rows, "自治会活動支援", project="男女別", current="男性:80% 女性:90%")),
        (
            "U004",
            _edit(
                rows,
                "自治会活動支援",
                project="活動時間",
                indicator="活動時間",
                baseline="67分",
                target="2時間30分",
                current="83分",
            ),
        ),
        (
            "U003",
            _edit(
                rows,
                "自治会活動支援",
                project="対象拡大",
                baseline="85%(100団体)",
                target="87%(120団体)",
                current="89.7%(120団体)",
            ),
        ),
        ("S002", _edit(rows, "コミュニティ設立支援", project="協働事業", partners="A社")),
        ("S003", _edit(rows, "自治会活動支援", project="年度誤り", current_year="2200年度")),
        ("S001", _edit(rows, "コミュニティ設立支援", project="担当課なし", department="")),
        ("F001", _edit(rows, "コミュニティ助成", project="計算式", current="=I2*1.1")),
    ]


def _table_b(rows):  # the s-a-b-c scale defines its grades by the values: S = current beyond target
    return [
        ("G005", _edit(rows, "市民活動センター団体登録事業", grade="S")),  # 134団体 is short of 150団体
        (None, _edit(rows, "市民活動センター団体登録事業", project="団体登録（正）", grade="B")),
    ]


def _table_c(rows):  # f-s-a-b-c-x-y-z: the status X (not started) must agree with the values
    return [
        ("G006", _edit(rows, "市民活動センター団体登録事業", grade="X")),  # 129 → 134団体 has moved
        (None, _edit(rows, "市民活動センター団体登録事業", project="団体登録（未着手）", grade="X", current="129団体")),
    ]


def _series(rows, seed_project, values, **changes):
    """A seed row with yearly values (headed R2 …) in place of its current value and year."""
    row = {k: v for k, v in _edit(rows, seed_project, **changes).items() if k not in ("current", "current_year")}
    return {**row, **{f"R{i + 2}": v for i, v in enumerate(values)}}


def _table_d(rows):  # yearly values on the direction scale (大船渡市's sheet, SOURCES.md I-11 … I-22)
    seed = "市民活動センター団体登録事業"
    lost = "@県立美術館の開館に向けて、案内を検討する。\nA中部地域の流域治水を進める。"  # ①② lost in CP932
    return [
        ("V001", _series(rows, seed, ["234", "230", "200", "159", "0", "0"], project="少年センター", grade="３　終了")),
        (
            "V002",
            _series(rows, seed, ["100", "0", "100", "100", "100", "100"], project="代替職員", grade="１　現状維持"),
        ),
        ("V003", _series(rows, seed, ["445", "462", "503", "420", "348", "348"], project="ひまわり", grade="現状維持")),
        ("V004", _series(rows, seed, ["－", "－", "－", "-", "44239", "40000"], project="交流広場", grade="現状維持")),
        (
            "V005",
            _series(rows, seed, ["70.0", "66.1", "57", "44.3", "53.71", "51.4"], project="充足率", grade="現状維持"),
        ),
        (
            "N001",
            _series(rows, seed, ["0", "0", "0", "0", "0", "0"], project="一時預かり", indicator="0", grade="現状維持"),
        ),
        (
            "T003",
            _series(rows, seed, ["1810", "2149"], project="一時預かり", indicator="述べ利用人数", grade="現状維持"),
        ),
        ("T004", _series(rows, seed, ["5088", "7132"], project=lost, grade="現状維持")),
        (
            "X004",
            _series(rows, seed, ["11", "19", "16"], project="用品貸与", department="市民協働推進 課", grade="現状維持"),
        ),
    ]


def _table_e(rows):  # graded on 1 row of 3: a blank current where ungraded is the only sign of a gap (M004)
    return [
        ("M004", _edit(rows, "コミュニティ設立支援", grade="", current="")),
        (None, _edit(rows, "自治会活動支援", grade="")),
        (None, _edit(rows, "コミュニティ助成")),
    ]


def _write_xlsx(path: Path, edited):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(edited[0][1]))
    for _, r in edited:
        ws.append(list(r.values()))  # "=I2*1.1" is written as a formula with no cached value
    wb.save(path)
    return path


def _check_table(path, edited, options):
    result = run_check([path], options)
    found, hyoka = _compare(result)
    assert found == hyoka
    for i, (code, rec) in enumerate(edited):  # each edited row is flagged by the code it was built for
        if code is None:
            continue
        (hit,) = result.frame.index[result.frame["row"] == i + 2]  # sheet row: after the header
        assert hit in found[code], f"{code}: row {i + 2} ({rec['project']}) not flagged (GX {found[code]})"
    return found


@gx_test
def test_edited_seed_rows_gx_flags_the_same_rows_for_every_rule(tmp_path):
    rows = _seed_rows()
    depts = sorted({r["department"].split("→")[-1] for r in rows.values()})
    meta = tmp_path / "indicators.yaml"
    meta.write_text(
        yaml.safe_dump({"indicators": [{"name": "登録団体数", "unit": "団体"}]}, allow_unicode=True), encoding="utf-8"
    )
    table_a = _table_a(rows)
    found_a = _check_table(
        _write_xlsx(tmp_path / "a.xlsx", table_a), table_a, CheckOptions(indicators=meta, departments=depts)
    )
    table_b = _table_b(rows)
    found_b = _check_table(_write_xlsx(tmp_path / "b.xlsx", table_b), table_b, CheckOptions(scale="s-a-b-c"))
    table_c = _table_c(rows)
    found_c = _check_table(_write_xlsx(tmp_path / "c.xlsx", table_c), table_c, CheckOptions(scale="f-s-a-b-c-x-y-z"))
    assert found_c["G006"] == {0}  # the row that has not moved is no contradiction
    table_d = _table_d(rows)
    found_d = _check_table(_write_xlsx(tmp_path / "d.xlsx", table_d), table_d, CheckOptions(scale="direction"))
    table_e = _table_e(rows)
    found_e = _check_table(_write_xlsx(tmp_path / "e.xlsx", table_e), table_e, CheckOptions())
    exercised = {c for f in (found_a, found_b, found_c, found_d, found_e) for c, v in f.items() if v}
    assert set(CATALOG_CODES + SCHEMA_ROW_CODES) <= exercised, sorted(set(CATALOG_CODES + SCHEMA_ROW_CODES) - exercised)


@gx_test
def test_missing_department_and_type_drift():
    result = run_check([SEED_CSV])
    frame = result.frame.copy()
    frame.loc[4, "department"] = pd.NA  # S001 on that row
    frame["current_value"] = frame["current_value"].astype("string")  # a wrong dtype: table-level S000
    from hyoka.check.schema import validate

    hyoka = G.hyoka_rows(validate(frame), ["S000", "S001"])
    assert hyoka == {"S000": {-1}, "S001": {4}}
    suite = G.build_suite(result.rules, schema=True).suite
    suite["expectations"] = [e for e in suite["expectations"] if e["meta"]["hyoka_code"].startswith("S")]
    found = G.validate_with_gx(frame, suite)
    assert found["S000"] == {-1} and found["S001"] == {4}


@gx_test
def test_validate_with_gx_reports_an_expectation_gx_cannot_run():
    result = run_check([SEED_CSV])
    suite = {
        "name": "broken",
        "meta": {},
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "meta": {"hyoka_code": "Q001"},
                "kwargs": {
                    "column": "baseline_value",
                    "row_condition": "no_such_column > 0",
                    "condition_parser": "pandas",
                },
            }
        ],
    }
    with pytest.raises(Exception, match="Q001"):
        G.validate_with_gx(result.frame, suite)


@gx_test
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # string row conditions, GX >= 1.9
def test_a_gx_file_context_loads_the_exported_suite(tmp_path, gx):
    out = tmp_path / "export"
    G.export_gx(out, CheckOptions())
    context = gx.get_context(mode="file", project_root_dir=tmp_path / "project")
    (tmp_path / "project" / "gx" / "expectations" / "hyoka.json").write_bytes((out / "hyoka.json").read_bytes())
    suite = context.suites.get("hyoka")
    exported = json.loads((out / "hyoka.json").read_text(encoding="utf-8"))["expectations"]
    assert len(suite.expectations) == len(exported)
    d001 = [e for e in suite.expectations if e.meta["hyoka_code"] == "D001"]
    assert [e.column_A for e in d001] == ["target_value", "baseline_value"] * 2
