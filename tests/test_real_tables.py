"""The development set (examples/real, copied from ../shared/real): each real table is read with
no options, and which rows are data, which were skipped and why, and which field each column
became are pinned here. Every expectation below was checked by opening the file and reading the
publisher's table (SOURCES.md beside each file)."""

from pathlib import Path

import pytest

from hyoka.read.table import load_table

REAL = Path(__file__).parent.parent / "examples" / "real"


def _read(vocab, name):
    t = load_table(next(REAL.glob(f"*/{name}")), vocab)
    fields = {e["column"]: e["field"] for e in t.layout if e["field"] and not e["note"]}
    skipped = [(row, why) for _, row, why, _ in t.skipped_rows]
    return t, fields, skipped


def test_fuji_plan_and_actual_blocks_and_totals(vocab):
    # 章 | 会計 | 前期実施計画 事業数 | 前期実施計画 事業費 (A) | H23-27実績額 (B) 事業数 | … 事業費 | 進捗率
    t, fields, skipped = _read(vocab, "fuji_5ji_zenki_toushiteki_jigyohi.csv")
    assert fields == {1: "item", 3: "target", 4: "target", 5: "current", 6: "current", 7: "rate"}
    blocks = {e["column"]: e["block"] for e in t.layout if e["block"]}
    assert blocks == {3: "事業数", 4: "事業費", 5: "事業数", 6: "事業費"}
    # every 計 row is a chapter subtotal; 合計 (written once, line 20) heads the grand-total rows below it
    assert skipped == [(r, "total") for r in (3, 6, 9, 12, 14, 17, 19, 20, 21, 22, 23, 24)]
    f = t.frame
    assert sorted(set(f["row"])) == [2, 4, 5, 7, 8, 10, 11, 13, 15, 16, 18]
    assert len(f) == 22  # two indicators (事業数, 事業費) per detail row
    r5 = f[f["row"] == 5].set_index("indicator")  # 第2章 (carried down) 企業: 1 / 1,895,000 → 1 / 2,252,251
    assert r5.loc["事業費", ["item", "target", "current"]].tolist() == ["第2章 健康・福祉", "1,895,000", "2,252,251"]
    assert (r5.loc["事業費", "col_target"], r5.loc["事業費", "col_current"]) == (4, 6)
    assert r5.loc["事業数", "current_year"] == "H27"  # the period H23-27 in the header, dated by its end
    # 進捗率 (B)/(A) rates the block beside it (事業費): 193.2% on line 4 (3,034,064 / 1,570,693)
    assert f[(f["row"] == 4) & (f["indicator"] == "事業費")]["rate"].tolist() == ["193.2%"]


def test_gender_white_paper_headings_and_item_as_indicator(vocab):
    t, fields, skipped = _read(vocab, "gender_4ji_seika_mokuhyo_R2hakusho.csv")
    assert fields == {1: "item", 2: "target", 3: "baseline", 4: "current"}  # 目標値(期限) 計画策定時の数値 最新値
    # 第1分野…, 男性の育児休業取得率 (a group over 国家公務員 / 地方公務員 / 民間企業), 第2分野…, 国家公務員の各役職段階…
    assert skipped == [(2, "heading"), (4, "heading"), (10, "heading"), (14, "heading")]
    f = t.frame
    assert f["row"].tolist() == [3, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16]
    row = f[f["row"] == 7].iloc[0]
    assert (row["indicator"], row["baseline"], row["target"], row["current"]) == (
        "民間企業",
        "2.3% (平成26年)",
        "13% (平成32年)",
        "6.16% (平成30年)",
    )
    assert row["col_indicator"] == 1  # the 項目 column names the indicator: the table has no other


def test_ofunato_indicator_blocks_and_yearly_series(vocab):
    t, fields, skipped = _read(vocab, "ofunato_R7_kodomokatei.csv")
    assert skipped == []
    assert {c: fields[c] for c in (3, 4, 6, 12, 13, 18, 33, 36)} == {
        3: "project",  # 事務事業名
        4: "item",  # 施策名
        6: "department",  # 部課名
        12: "indicator",  # ⑦ 成果指標（…）⏎サ：名称
        13: "unit",  # …サ：単位
        18: "current",  # ⑦成果指標⏎サ, the first of six yearly blocks
        33: "current",
        36: "grade",  # (1) 改革改善の方向性
    }
    # the second grade column (課長等意見 (1) 今後の方向性) is reported, not dropped
    assert [(u[2], u[5]) for u in t.duplicates if u[5] == "grade"] == [(37, "grade")]
    f = t.frame
    # 0240 大船渡市少年センター運営事業 (line 35): サ 234, 230, 200, 159, 0, 0 → baseline 234 (R, col 18)
    # and current 0 (the sixth block, col 33); シ and ス have no name but 0 values (I-15): kept
    r = f[f["row"] == 35].set_index("block")
    assert r.loc["サ", ["indicator", "baseline", "current"]].tolist() == ["巡回補導日数", "234", "0"]
    assert (r.loc["サ", "col_baseline"], r.loc["サ", "col_current"]) == (18, 33)
    assert sorted(r.index) == ["サ", "シ", "ス"]
    assert r.loc["シ", "indicator"] == ""
    # 1384 病後児保育事業 (line 27): シ is empty in every block and has no name: no indicator
    assert sorted(f[f["row"] == 27]["block"]) == ["サ", "ス"]
    assert len(f) == 38


def test_tochigi_two_targets_and_an_empty_remarks_column(vocab):
    t, fields, skipped = _read(vocab, "tochigi_kankyo_H17_tasseido.csv")
    assert fields == {1: "item", 2: "indicator", 3: "baseline", 4: "current", 5: "target", 7: "grade"}
    assert t.empty_fields == [("", "remarks")]  # 備 考 is empty in all four rows
    # H22の目標値 (the plan's final target) is the second target: reported, not silently dropped
    assert [(u[2], u[4], u[5]) for u in t.duplicates] == [(6, "H22の目標値", "target")]
    assert t.unmapped == []
    assert t.frame["grade"].tolist() == ["◎", "◎", "−", "○"]
    assert t.frame["target"].tolist() == ["95.0", "100", "0", "85.0"]  # 年度目標値


def test_canada_results_framework(vocab):
    t, fields, skipped = _read(vocab, "canada_drr2016_TSB.csv")
    assert {c: fields[c] for c in (3, 5, 7, 16, 18)} == {
        3: "indicator",  # name_en
        5: "target_year",
        7: "effect",  # explanation_en
        16: "current",  # actual_result_en
        18: "grade",  # status_color
    }
    ignored = {e["header"] for e in t.layout if e["note"] == "ignored"}
    assert ignored == {"name_fr", "explanation_fr", "target_narrative_fr", "actual_result_fr"}
    assert len(t.frame) == 28 and skipped == []
    first = t.frame.iloc[0]
    assert (first["indicator"], first["current"], first["grade"]) == (
        "Average time for completing investigation reports",
        "656",
        "failure",
    )


@pytest.mark.parametrize(
    "name, rows, empty",
    [
        ("fukuoka_hofuku_seika_shihyo.csv", 8, ["project", "department", "grade", "current_year", "current"]),
        ("gender_whitepaper_h27_seika_mokuhyo.csv", 10, ["project", "department", "grade"]),
        ("kenko_nippon21_2nd_final.csv", 10, ["project", "department"]),
        ("mie_h15_kihonjigyo_excelhtml.csv", 3, ["project", "department", "grade"]),
        ("tottori_koteihyo.csv", 26, []),
    ],
)
def test_tidy_tables_and_their_empty_columns(vocab, name, rows, empty):
    # canonical headers; columns that are there but empty in every row count as absent
    t, fields, skipped = _read(vocab, name)
    assert len(t.frame) == rows and skipped == []
    assert t.empty_fields == [("", f) for f in empty]
    read = {e["column"]: (e["field"], e["note"]) for e in t.layout}
    assert read[6] == ("indicator", "") and read[7] == ("baseline", "")
    assert read[11] == ("current", "empty" if "current" in empty else "")


def test_scale_chosen_from_the_published_grades():
    from hyoka.options import CheckOptions
    from hyoka.pipeline import run_check

    def codes(name, **opts):
        r = run_check([next(REAL.glob(f"*/{name}"))], CheckOptions(**opts))
        return r.scale.id, r.findings

    # 栃木県: ◎ ◎ − ○ are the circles-plus scale (− is its "cannot be judged"); no grade is off-scale
    scale, found = codes("tochigi_kankyo_H17_tasseido.csv")
    assert scale == "circles-plus" and "G001" not in set(found["code"])
    assert found[found["code"] == "H004"]["observed"].tolist() == ["circles-plus"]
    # 大船渡市: １　現状維持 / ２　改革改善（縮小・統合含む）/ ３　終了・廃止・休止 are proposals (今後の方向性)
    scale, found = codes("ofunato_R7_kodomokatei.csv")
    assert scale == "direction" and "G001" not in set(found["code"])
    # Canada: success / failure (GC InfoBase status_color) are the GC results legend's met / not met
    assert codes("canada_drr2016_TSB.csv")[0] == "gc-results"
    # a scale given is used as given, and nothing is said
    scale, found = codes("tochigi_kankyo_H17_tasseido.csv", scale="a-d")
    assert scale == "a-d" and "H004" not in set(found["code"])
    # ◎ ◎ ○ are off the A–D scale, said once per spelling (◎ on lines 2 and 3, ○ on 5);
    # − (U+2212) is a dash there: a grade not given
    g001 = found[found["code"] == "G001"]
    assert list(zip(g001["row"], g001["observed"])) == [(2, "◎"), (5, "○")]
    assert (found["code"] == "G004").sum() == 1


def test_a_mapping_gives_the_years_of_unlabelled_blocks(tmp_path):
    # 大船渡市's six ⑦成果指標 blocks say no year; the repo's converter reads them as R2 … R7
    from hyoka.normalise.vocabulary import load_vocabulary
    from hyoka.pipeline import apply_mapping

    mapping = tmp_path / "m.yaml"
    mapping.write_text("series_years: [R2, R3, R4, R5, R6, R7]\n", encoding="utf-8")
    vocab = load_vocabulary()
    apply_mapping(vocab, mapping)
    f = load_table(REAL / "published" / "ofunato_R7_kodomokatei.csv", vocab).frame
    # 1719 結婚支援事業 (line 32): 相談件数 74, 127, 97, 108, 91, 0 → baseline 74 (R2), current 0 (R7, col 33)
    r = f[(f["row"] == 32) & (f["block"] == "サ")].iloc[0]
    assert (r["baseline"], r["baseline_year"], r["current"], r["current_year"], r["col_current"]) == (
        "74",
        "R2",
        "0",
        "R7",
        33,
    )
    # a row whose latest value is in the fifth block: that block's year
    assert set(f["current_year"]) <= {"R2", "R3", "R4", "R5", "R6", "R7", ""}
