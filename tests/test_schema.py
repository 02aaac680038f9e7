"""Pandera schema failures become findings on their cells."""

import csv

from hyoka.output.places import with_cells
from hyoka.pipeline import run_check

ROW = {
    "項目": "（３）市職員の市民団体活動などへの参加促進",
    "事業名": "市職員研修",
    "担当課": "市民協働推進課",
    "協働の相手": "⑦",
    "事業の評価": "D",
    "効果、理由（問題点）": "研修の実施方法、対象や内容の検討が必要。",
    "目標指標": "実施回数",
    "基準値（R3)": "2回",
    "目標値（R9)": "3回",
    "現状値（R5)": "1回",
}


def _check(tmp_path, rows, headers=None):
    p = tmp_path / "t.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=headers or list(ROW))
        w.writeheader()
        w.writerows(rows)
    return with_cells(run_check([p]))


def test_seed_row_passes(tmp_path):
    assert _check(tmp_path, [ROW]).empty


def test_failures_point_at_cells(tmp_path):
    rows = [ROW, {**ROW, "担当課": ""}, {**ROW, "協働の相手": "1,7"}]
    f = _check(tmp_path, rows).set_index("code")
    assert f.loc["S001", "cell"] == "t.csv:3:department"
    assert f.loc["S002", "cell"] == "t.csv:4:partners"
    assert f.loc["S002", "observed"] == "1,7"
    assert f.loc["S001", "severity"] == "error"


def test_year_out_of_range(tmp_path):
    headers = list(ROW)
    headers[headers.index("基準値（R3)")] = "基準値（R99)"  # 令和99年度 = FY2117
    row = {**ROW, "基準値（R99)": ROW["基準値（R3)"]}
    del row["基準値（R3)"]
    f = _check(tmp_path, [row], headers)
    s3 = f[f["code"] == "S003"]
    assert s3["observed"].tolist() == ["2117"]
    assert s3["field"].tolist() == ["baseline_year"]


# --- the pre-check that spares a clean table Pandera's import (hyoka.check.schema.passes) ---

import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pandera.pandas as pa  # noqa: E402
import pytest  # noqa: E402

from hyoka.check import schema  # noqa: E402

SEED_XLSX = "examples/seed_r5.xlsx"
ROOT = schema.data_dir("checks").parent


@pytest.fixture(scope="module")
def seed_frame():
    return run_check([ROOT / SEED_XLSX]).frame


def _pandera_only(frame, monkeypatch):
    """What validate gives when Pandera always runs (the behaviour before the pre-check)."""
    with monkeypatch.context() as m:
        m.setattr(schema, "passes", lambda frame: False)
        return schema.validate(frame)


def test_pandera_accepts_every_dtype_the_precheck_accepts():
    """Each dtype FAST_DTYPES lets through is one Pandera accepts for that schema dtype, so a
    pandera upgrade that narrowed its dtypes would show here."""
    made = {
        "string[pyarrow]/NA": pd.Series(["a"], dtype=pd.StringDtype("pyarrow")),
        "int64": pd.Series([1], dtype="int64"),
        "Int64": pd.Series([1], dtype="Int64"),
        "float64": pd.Series([1.0], dtype="float64"),
    }
    for schema_dtype, frame_dtype in schema.FAST_DTYPES.items():
        series = made[frame_dtype]
        assert schema._dtype_key(series.dtype) == frame_dtype
        pa.DataFrameSchema({"a": pa.Column(schema_dtype)}).validate(pd.DataFrame({"a": series}))


def test_the_seed_passes_without_pandera(seed_frame, monkeypatch):
    assert schema.passes(seed_frame)
    assert schema.validate(seed_frame).empty and _pandera_only(seed_frame, monkeypatch).empty


def _mutations(frame):
    """(what, mutated frame): one failure of each kind the schema checks, and dtypes Pandera
    accepts that the pre-check leaves to it."""
    out = []

    def put(what, column, value=None, dtype=None, drop=False):
        f = frame.copy()
        if drop:
            f = f.drop(columns=[column])
        elif dtype is not None:
            f[column] = f[column].astype(dtype)
        else:
            f.loc[f.index[2], column] = value
        out.append((what, f))

    put("blank department (nullable: false)", "department", pd.NA)
    put("blank source_file", "source_file", pd.NA)
    put("partners not circled codes", "partners", "1,7")
    put("partners with a trailing newline", "partners", "①\n")
    put("row 0 (greater_than_or_equal_to: 1)", "row", 0)
    put("baseline year 2117 (in_range)", "baseline_year", 2117)
    put("current year 1949 (in_range)", "current_year", 1949)
    put("current_value as text (dtype)", "current_value", dtype="string")
    put("department as object (Pandera accepts it)", "department", dtype=object)
    put("row as Int64 (Pandera accepts it)", "row", dtype="Int64")
    put("rate_value as Float64 (Pandera accepts it)", "rate_value", dtype="Float64")
    put("no grade_rank column", "grade_rank", drop=True)
    return out


def test_the_precheck_leaves_every_failure_to_pandera(seed_frame, monkeypatch):
    """validate() gives exactly Pandera's findings for each kind of failure, and passes() says
    "ask Pandera" for each failure and each dtype only Pandera judges. Hand-checked: the blank
    department is S001, 1,7 is S002, 2117 and 1949 are S003, the text current_value and the
    missing column are S000; "①\\n" is no failure for Pandera either (pandas' str.match, the
    operation both use, lets `$` match before a final newline)."""
    expected_codes = {
        "blank department (nullable: false)": ["S001"],
        "partners not circled codes": ["S002"],
        "baseline year 2117 (in_range)": ["S003"],
        "current year 1949 (in_range)": ["S003"],
        "current_value as text (dtype)": ["S000"],
        "no grade_rank column": ["S000"],
        "department as object (Pandera accepts it)": [],
        "row as Int64 (Pandera accepts it)": [],
        "rate_value as Float64 (Pandera accepts it)": [],
        "partners with a trailing newline": [],
    }
    for what, frame in _mutations(seed_frame):
        got, want = schema.validate(frame), _pandera_only(frame, monkeypatch)
        pd.testing.assert_frame_equal(got, want, obj=what)
        if what in expected_codes:
            assert sorted(got["code"]) == expected_codes[what], what
        if what != "partners with a trailing newline":
            assert not schema.passes(frame), what


def test_a_blank_in_a_nullable_column_still_passes(seed_frame):
    f = seed_frame.copy()
    f["baseline_value"] = np.nan
    f["grade_rank"] = pd.array([pd.NA] * len(f), dtype="Int64")
    assert schema.passes(f)


def _fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_clean_table_never_imports_pandera():
    code = (
        "import sys\nfrom hyoka.pipeline import run_check\n"
        f"r = run_check([{SEED_XLSX!r}])\n"
        "print(sorted(m for m in ('pandera', 'hypothesis', 'great_expectations') if m in sys.modules))"
    )
    assert _fresh(code) == "[]"


def test_pandera_runs_without_hypothesis_and_hypothesis_stays_importable(tmp_path):
    """A table with a blank department: Pandera runs (S001 on row 3), Hypothesis is not loaded by
    it, and `import hypothesis` still works afterwards in the same process."""
    p = tmp_path / "t.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(ROW))
        w.writeheader()
        w.writerows([ROW, {**ROW, "担当課": ""}])
    code = (
        "import sys\nfrom hyoka.pipeline import run_check\n"
        f"r = run_check([{str(p)!r}])\n"
        "codes = sorted(r.findings['code'][r.findings['code'].str.startswith('S')])\n"
        "loaded = [m for m in ('pandera', 'hypothesis') if m in sys.modules]\n"
        "import hypothesis.strategies\n"
        "print(codes, loaded)"
    )
    assert _fresh(code) == "['S001'] ['pandera']"
