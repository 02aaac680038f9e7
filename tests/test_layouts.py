"""Hand-made hostile layouts: where the header is, how many rows it has, and rows that are not
projects in the middle of a table. Each table is small enough to check by reading it."""

from openpyxl import Workbook

from hyoka.read.table import load_table


def _csv(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _xlsx(tmp_path, rows, merges=(), name="t.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.title = "評価"
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    p = tmp_path / name
    wb.save(p)
    return p


def test_header_on_row_12_below_a_title_block(tmp_path, vocab):
    title = [["令和6年度 事務事業評価表"], ["作成：企画課"]] + [[""] for _ in range(9)]
    rows = title + [
        ["事業名", "担当課", "評価", "目標指標", "基準値", "目標値", "現状値"],
        ["防災訓練", "危機管理課", "A", "参加者数", "100人", "150人", "160人"],
    ]
    t = load_table(_xlsx(tmp_path, rows), vocab)
    assert t.header_rows == [12]
    assert t.frame["row"].tolist() == [13]
    assert (t.frame.loc[0, "project"], t.frame.loc[0, "col_current"]) == ("防災訓練", 7)


def test_three_header_rows_group_over_sub_headers(tmp_path, vocab):
    # row 1: a title spanning the table; row 2: 目標指標 merged over four columns; row 3: the sub-headers
    rows = [
        ["令和6年度 施策評価", "", "", "", "", ""],
        ["事業名", "担当課", "目標指標", "", "", ""],
        ["", "", "指標名", "基準値（R3)", "目標値（R9)", "実績値（R5)"],
        ["防災訓練", "危機管理課", "参加者数", "100人", "150人", "160人"],
        ["広報紙発行", "広報課", "発行回数", "12回", "12回", "11回"],
    ]
    t = load_table(_xlsx(tmp_path, rows, merges=["A1:F1", "C2:F2", "A2:A3", "B2:B3"]), vocab)
    # the merged A2:A3 / B2:B3 fill row 3, which then names every column by itself
    assert t.header_rows[-1] == 3
    f = t.frame
    assert f["row"].tolist() == [4, 5]
    assert f["indicator"].tolist() == ["参加者数", "発行回数"]  # 指標名 under the 目標指標 group
    assert (f.loc[1, "current"], f.loc[1, "current_year"], f.loc[1, "cellrow_current_year"]) == ("11回", "R5", 3)
    assert f.loc[0, "department"] == "危機管理課"
    # the same table copied from a PDF into a CSV: no merged cells, the group written once
    text = (
        "令和6年度 施策評価,,,,,\n"
        "事業名,担当課,目標指標,,,\n"
        ",,指標名,基準値（R3),目標値（R9),実績値（R5)\n"
        "防災訓練,危機管理課,参加者数,100人,150人,160人\n"
    )
    c = load_table(_csv(tmp_path, text), vocab)
    assert c.header_rows == [2, 3]
    assert c.frame.loc[0, ["project", "indicator", "current"]].tolist() == ["防災訓練", "参加者数", "160人"]


def test_a_total_row_in_the_middle_and_a_note_below(tmp_path, vocab):
    text = (
        "項目,事業名,担当課,評価,目標指標,基準値,目標値,現状値\n"
        "(1)防災,防災訓練,危機管理課,A,参加者数,100,150,160\n"
        ",小計,,,,100,150,160\n"
        "(2)広報,広報紙発行,広報課,B,発行回数,12,12,11\n"
        "合計,,,,,112,162,171\n"
        "※ 現状値は速報値,,,,,,,\n"
    )
    t = load_table(_csv(tmp_path, text), vocab)
    assert t.frame["row"].tolist() == [2, 4]
    assert [(r, why) for _, r, why, _ in t.skipped_rows] == [(3, "total"), (5, "total"), (6, "note")]


def test_a_header_repeated_at_a_page_break(tmp_path, vocab):
    header = "事業名,担当課,評価,目標指標,基準値,目標値,現状値\n"
    text = header + "防災訓練,危機管理課,A,参加者数,100,150,160\n" + header + "広報紙発行,広報課,B,発行回数,12,12,11\n"
    t = load_table(_csv(tmp_path, text), vocab)
    assert t.frame["project"].tolist() == ["防災訓練", "広報紙発行"]
    assert [(r, why) for _, r, why, _ in t.skipped_rows] == [(3, "header")]


def test_duplicate_header_names_read_the_first_and_report_the_second(tmp_path, vocab):
    text = "事業名,担当課,評価,目標指標,基準値,目標値,現状値,現状値\n防災訓練,危機管理課,A,参加者数,100,150,160,170\n"
    t = load_table(_csv(tmp_path, text), vocab)
    assert t.frame.loc[0, "current"] == "160" and t.frame.loc[0, "col_current"] == 7
    assert [(u[2], u[4], u[5]) for u in t.duplicates] == [(8, "現状値", "current")]


def test_rowspan_written_once_carries_down(tmp_path, vocab):
    # a project with two indicators: project, department and effect written on the first row only
    text = (
        "項目,事業名,担当課,評価,効果・理由,目標指標,基準値,目標値,現状値\n"
        "(1)防災,防災訓練,危機管理課,A,参加者が増えた,参加者数,100,150,160\n"
        ",,,,,実施回数,2,4,4\n"
        "(2)広報,広報紙発行,広報課,B,,発行回数,12,12,11\n"
    )
    t = load_table(_csv(tmp_path, text), vocab)
    f = t.frame
    assert f["project"].tolist() == ["防災訓練", "防災訓練", "広報紙発行"]
    assert f["department"].tolist() == ["危機管理課", "危機管理課", "広報課"]
    assert f["item"].tolist() == ["(1)防災", "(1)防災", "(2)広報"]
    assert f.loc[1, "effect"] == "参加者が増えた"
    assert f.loc[2, "effect"] == ""  # a project of its own: nothing carried into it


def test_yearly_series_gives_baseline_and_latest_current(tmp_path, vocab):
    text = "指標名,単位,平成13年実績,平成14年実績,見込,5ヵ年目標\n公園面積,ha,10,12,,20\n図書貸出数,冊,500,,,800\n"
    t = load_table(_csv(tmp_path, text), vocab)
    f = t.frame
    # the latest actual is the current value, the earliest the baseline; 図書貸出数 has one value
    # only (平成13年): it is its latest, and there is no baseline
    assert f["baseline"].tolist() == ["10", ""]
    assert f["current"].tolist() == ["12", "500"]
    assert f["current_year"].tolist() == ["平成14年", "平成13年"]
    assert (f.loc[0, "col_baseline"], f.loc[0, "col_current"], f.loc[1, "col_current"]) == (3, 4, 3)
    assert f["target"].tolist() == ["20", "800"]


def test_a_row_that_only_continues_the_text_above(tmp_path, vocab):
    # a long 取組内容 split at a page break: the second part on a row of its own
    text = (
        "事業名,担当課,取組内容,評価,目標指標,基準値,目標値,現状値\n"
        "防災訓練,危機管理課,地区ごとに訓練を実施し、,A,参加者数,100,150,160\n"
        ",,参加者アンケートを行った。,,,,,\n"
        "広報紙発行,広報課,毎月発行,B,発行回数,12,12,11\n"
    )
    t = load_table(_csv(tmp_path, text), vocab)
    assert t.frame["project"].tolist() == ["防災訓練", "広報紙発行"]
    assert [(r, why, words) for _, r, why, words in t.skipped_rows] == [
        (3, "continuation", "参加者アンケートを行った。")
    ]


def test_a_bare_year_header_is_a_value_of_that_year(tmp_path, vocab):
    # R2 … R6 with no field word: one series per indicator, the earliest the baseline and the latest
    # the current value, each in its own column
    text = (
        "担当課,事業名,指標,単位,R2,R3,R4,R5,R6,目標値（R7）,評価\n"
        "福祉課,見守り,訪問件数,件,100,90,80,70,60,150,A\n"
        "市民課,窓口改善,満足度,%,50,55,,,,80,B\n"
    )
    f = load_table(_csv(tmp_path, text), vocab).frame
    assert f[["baseline", "baseline_year", "current", "current_year"]].values.tolist() == [
        ["100", "R2", "60", "R6"],
        ["50", "R2", "55", "R3"],
    ]
    assert f["col_current"].tolist() == [9, 6] and f["target_year"].tolist() == ["R7", "R7"]


def test_a_grade_written_once_for_a_project_carries_down(tmp_path, vocab):
    text = "事業名,担当課,評価,目標指標,基準値,目標値,現状値\n窓口改善,市民課,B,満足度,60,80,55\n,,,待ち時間,20,10,25\n"
    f = load_table(_csv(tmp_path, text), vocab).frame
    assert f["grade"].tolist() == ["B", "B"]
