"""``hyoka inspect`` on the real published tables (examples/real/published, see SOURCES.md there): how each was
read, hand-checked against the files, and the starter mapping written by --write-mapping read back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hyoka.authoring.inspection import inspect_file, starter_mapping
from hyoka.normalise.vocabulary import load_vocabulary
from hyoka.pipeline import apply_mapping
from hyoka.read.table import load_table

from .inprocess import run_cli

REAL = Path(__file__).resolve().parent.parent / "examples" / "real" / "published"
FUJI = REAL / "fuji_5ji_zenki_toushiteki_jigyohi.csv"
GENDER = REAL / "gender_4ji_seika_mokuhyo_R2hakusho.csv"
OFUNATO = REAL / "ofunato_R7_kodomokatei.csv"
TOCHIGI = REAL / "tochigi_kankyo_H17_tasseido.csv"
CANADA = REAL / "canada_drr2016_TSB.csv"


def _has(out: str, *cells: str) -> bool:
    """A line of ``out`` holds ``cells`` in order, separated by spaces only (table columns)."""
    return re.search(r"\s+".join(re.escape(c) for c in cells), out) is not None


def _column(ins, n: int) -> dict:
    return next(d for d in ins.table.layout if d["column"] == n)


def test_fuji_blocks_and_totals():
    ins = inspect_file(FUJI, load_vocabulary())
    t = ins.table
    assert t.header_rows == [1]
    # column 3 `前期実施計画 事業数`: the target of the block 事業数; column 5 its current (H23-27)
    assert _column(ins, 3) | {} == {
        "sheet": "",
        "column": 3,
        "header": "前期実施計画 事業数",
        "field": "target",
        "block": "事業数",
        "year": None,
        "unit": None,
        "note": "",
    }
    assert (_column(ins, 5)["field"], _column(ins, 5)["block"], _column(ins, 5)["year"]) == (
        "current",
        "事業数",
        "H27",  # the period H23-27 written in the header, dated by its last year
    )
    assert _column(ins, 2)["note"] == "unknown"  # 会計
    # each chapter's 計 row, then 合計 written once over 一般 / 特別 / 企業 / 土地改良 / 計 (carried down)
    assert [(r, why) for _, r, why, _ in t.skipped_rows] == [
        (r, "total") for r in (3, 6, 9, 12, 14, 17, 19, 20, 21, 22, 23, 24)
    ]
    assert t.skipped_rows[8][3] == "特別"  # the row's own cells, as published (合計 is written above)
    # 11 rows read, two indicators (事業数, 事業費) each
    assert t.frame["row"].nunique() == 11 and len(t.frame) == 22
    assert ins.grades == {}


def test_fuji_printed_in_japanese_and_english():
    r = run_cli("inspect", FUJI, text=True)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "見出し行: 1行目" in out
    assert _has(out, "3", "前期実施計画 事業数", "目標値 target", "事業数")
    assert "  事業数: 目標値 target 3; 現状値 current 5" in out
    assert _has(out, "20", "合計・小計の行", "合計 / 一般")
    assert "読み取った行: 11" in out and "指標: 22" in out
    # the first row's values as parsed: 2 事業数 target 38
    assert _has(out, "2 事業数", "目標値 target", "38", "→ 38.0")
    r = run_cli("inspect", FUJI, "--lang", "en", text=True)
    assert r.returncode == 0
    assert _has(r.stdout, "20", "total or subtotal", "合計 / 一般")
    assert "Rows read: 11" in r.stdout


def test_gender_headings():
    ins = inspect_file(GENDER, load_vocabulary())
    assert [(r, why) for _, r, why, _ in ins.table.skipped_rows] == [(r, "heading") for r in (2, 4, 10, 14)]
    assert ins.table.skipped_rows[0][3] == "第1分野 男性中心型労働慣行等の変革と女性の活躍"
    assert [(d["header"], d["field"]) for d in ins.table.layout] == [
        ("項目", "item"),
        ("目標値(期限)", "target"),
        ("計画策定時の数値", "baseline"),
        ("最新値", "current"),
    ]
    p = ins.parsed
    # row 5: 3.1% (平成26年度) → 3.1 %
    assert p.loc[1, "row"] == 5 and p.loc[1, "baseline_raw"] == "3.1% (平成26年度)"
    assert p.loc[1, "baseline_value"] == 3.1 and p.loc[1, "baseline_unit"] == "%"
    out = run_cli("inspect", GENDER, text=True).stdout
    assert _has(out, "4", "見出しの行", "男性の育児休業取得率")


def test_tochigi_grades_fit_circles_plus_and_unread_target():
    ins = inspect_file(TOCHIGI, load_vocabulary())
    # 達 成 度: ◎ ◎ ○ −
    assert ins.grades == {"◎": 2, "○": 1, "−": 1}
    assert ins.fits[0].scale.id == "circles-plus"
    h22 = _column(ins, 6)
    assert (h22["header"], h22["field"], h22["year"], h22["note"]) == ("H22の目標値", "target", "H22", "unread")
    assert ins.table.empty_fields == [("", "remarks")]  # 備 考 is empty in all 4 rows


def test_ofunato_wide_blocks_and_grades():
    ins = inspect_file(OFUNATO, load_vocabulary())
    t = ins.table
    assert (_column(ins, 12)["field"], _column(ins, 12)["block"]) == ("indicator", "サ")
    assert (_column(ins, 13)["field"], _column(ins, 13)["block"]) == ("unit", "サ")
    assert _column(ins, 37)["note"] == "unread"  # the second grade column (課長等意見 今後の方向性)
    assert t.frame["row"].nunique() == 24
    assert ins.grades == {"１　現状維持": 13, "２　改革改善（縮小・統合含む）": 10, "３　終了・廃止・休止": 1}
    # 今後の方向性: the direction scale reads all 24 once the list number and the bracket are taken off
    assert (ins.fits[0].scale.id, ins.fits[0].rows, ins.fits[0].missing) == ("direction", 24, [])
    out = run_cli("inspect", OFUNATO, text=True).stdout
    assert "  サ: 目標指標 indicator 12; 単位の列 unit 13; 現状値 current 18, 21, 24, 27, 30, 33" in out


def test_canada_reads_in_english():
    r = run_cli("inspect", CANADA, "--lang", "en", text=True)
    assert r.returncode == 0, r.stderr
    assert "Rows read: 28" in r.stdout


def _roundtrip(table: Path, tmp_path: Path, fill: dict[str, str]):
    """Write the starter mapping for ``table``, fill ``fill`` (header → field) into its empty
    lines, and read the table with it."""
    out = tmp_path / "mapping.yaml"
    r = run_cli("inspect", table, "--write-mapping", out, text=True)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for header, fld in fill.items():
        assert data["columns"][header] == ""
        data["columns"][header] = fld
    filled = tmp_path / "filled.yaml"
    filled.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    vocab = load_vocabulary()
    apply_mapping(vocab, filled)
    return text, load_table(table, vocab)


def test_write_mapping_round_trip_multiline_header(tmp_path):
    # the second grade column's header is written on two lines in the CSV cell
    header = "４\u3000課長等意見\n(1) 今後の方向性"
    text, t = _roundtrip(OFUNATO, tmp_path, {header: "ignore", "事務事業ID": "ignore"})
    assert '"４\u3000課長等意見\\n(1) 今後の方向性": ""' in text
    assert '#   "部課名": department   # 列 6' in text
    notes = {d["column"]: d["note"] for d in t.layout}
    assert notes[2] == "ignored"  # 事務事業ID
    # mapped to ignore the header names nothing: the first grade column is still the grade
    assert t.columns["grade"] == 35


def test_write_mapping_round_trip_fuji(tmp_path):
    text, t = _roundtrip(FUJI, tmp_path, {"会計": "ignore"})
    assert '"会計": ""   # 列 2' in text  # the one column not read
    assert '#   "進捗率 (B)/(A)": rate   # 列 7' in text  # read already: listed as a comment
    assert {d["column"]: d["note"] for d in t.layout}[2] == "ignored"


def test_starter_mapping_loads_as_written(tmp_path):
    # empty fields are "not filled in yet": the file loads and changes nothing
    for table in (FUJI, OFUNATO, GENDER, TOCHIGI, CANADA):
        p = tmp_path / f"{table.stem}.yaml"
        p.write_text(starter_mapping(inspect_file(table, load_vocabulary())), encoding="utf-8")
        vocab = load_vocabulary()
        before = dict(vocab.aliases)
        apply_mapping(vocab, p)
        assert vocab.aliases == before


def test_write_mapping_refuses_inputs_and_existing_files(tmp_path):
    r = run_cli("inspect", FUJI, "--write-mapping", FUJI, text=True)
    assert r.returncode == 2 and "入力ファイル（" in r.stderr
    existing = tmp_path / "m.yaml"
    existing.write_text("columns: {}\n", encoding="utf-8")
    r = run_cli("inspect", FUJI, "--write-mapping", existing, text=True)
    assert r.returncode == 2 and "ファイルがすでにあります" in r.stderr
    assert existing.read_text(encoding="utf-8") == "columns: {}\n"


def test_no_header_is_inspected_and_mapped(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("令和5年度\n事業,担当,値\n訓練,総務課,3\n", encoding="utf-8")
    r = run_cli("check", p, "--no-report", text=True)
    assert r.returncode == 2
    assert "最も近いのは2行目（事業 → project, 担当 → department, 値 → ?）です。`hyoka inspect x.csv` で" in r.stderr
    r = run_cli("check", p, "--no-report", "--lang", "en", text=True)
    assert "Closest: row 2 (事業 → project, 担当 → department, 値 → ?). Run `hyoka inspect x.csv`" in r.stderr
    m = tmp_path / "m.yaml"
    r = run_cli("inspect", p, "--write-mapping", m, text=True)
    assert r.returncode == 0, r.stderr
    assert "最も近い行: 2行目" in r.stdout
    assert _has(r.stdout, "3", "値", "?")
    m.write_text(m.read_text(encoding="utf-8").replace('"値": ""', '"値": current'), encoding="utf-8")
    r = run_cli("inspect", p, "--mapping", m, "--lang", "en", text=True)
    assert r.returncode == 0, r.stderr
    assert "Header row(s): row 2" in r.stdout and "Rows read: 1" in r.stdout


@pytest.mark.parametrize("name", ["missing.csv", "bad.txt.xyz"])
def test_unreadable_input_is_one_line(tmp_path, name):
    r = run_cli("inspect", tmp_path / name, text=True)
    assert r.returncode == 2
    assert r.stderr.startswith(f"hyoka: エラー: {tmp_path / name}: ") and r.stderr.count("\n") == 1
