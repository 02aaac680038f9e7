"""The words of the entry template (``hyoka template``) in each language: sheet and column
titles, the prompts and error alerts of the cells' data validations, and the notes sheet."""

from __future__ import annotations

from typing import TypedDict


class TemplateText(TypedDict):
    """The workbook's words in one language: text, or a format string (``{year}``, ``{codes}`` …)."""

    sheet: str
    legend: str
    title: str
    year_header: str
    value_prompt_title: str
    value_prompt: str
    grade_prompt_title: str
    grade_error_title: str
    grade_error: str
    dept_prompt_title: str
    dept_prompt: str
    dept_error_title: str
    dept_error: str
    see_legend: str
    legend_title: str
    scale_line: str
    scale_header: list[str]
    standing: dict[str, str]  # a grade's standing (upper, middle, lower, status) → its word
    no_rank: str
    notes_title: str
    notes: list[str]
    depts_title: str


TEXT: dict[str, TemplateText] = {
    "ja": {
        "sheet": "評価シート",
        "legend": "凡例",
        "title": "{year} 実施状況（担当課記入用）",
        "year_header": "{name}（{label}）",
        "value_prompt_title": "{header}の書き方",
        "value_prompt": "{year}の値。数値と単位（例：85.19％、17件）、水準（実施・充実）、不明は「-」",
        "grade_prompt_title": "評価を一覧から選択",
        "grade_error_title": "評価の区分にない値",
        "grade_error": "一覧の評価（{codes}）から選んでください。",
        "dept_prompt_title": "担当課を一覧から選択",
        "dept_prompt": "一覧にない課は直接入力できます（課名変更は「旧課名→新課名」）。",
        "dept_error_title": "担当課一覧にない課",
        "dept_error": "担当課一覧にない課名です。このまま入力しますか？",
        "see_legend": "…（凡例シート参照）",
        "legend_title": "凡例・記入のしかた",
        "scale_line": "評価の区分：{name}",
        "scale_header": ["評価", "順位", "区分", "意味", "Meaning"],
        "standing": {"upper": "上位", "middle": "中位", "lower": "下位", "status": "順位外"},
        "no_rank": "－",
        "notes_title": "記入のしかた",
        "notes": [
            "1行に1つの事業・目標指標を書きます。見出し行（2行目）の文言と列の並びは変えないでください。",
            "基準値・目標値・現状値は数値と単位で書きます（例：85.19％、17件、3地区）。3つの値の単位をそろえてください。",
            "数値で表せない指標は水準で書きます（{levels}）。",
            "値が不明・未集計のときは「-」と書きます。0 は実際に 0 のときだけ書き、空欄のままにしないでください（空欄は未記入として指摘されます）。",
            "年度は見出しに示しています（基準値 {baseline}、目標値 {target}、現状値 {current}）。",
            "事業の評価は一覧から選びます（上の表）。{lower} とした場合は「効果、理由（問題点）」に理由と今後の対応を書いてください。",
            "担当課は一覧から選びます。課名が変わった場合は「旧課名→新課名」と書けます。",
            "記入後は `hyoka check ファイル名.xlsx` で確認できます。このシート（凡例）は読み飛ばされます。",
        ],
        "depts_title": "担当課一覧",
    },
    "en": {
        "sheet": "Evaluation",
        "legend": "Legend",
        "title": "{year} progress (to be filled in by departments)",
        "year_header": "{name} ({label})",
        "value_prompt_title": "How to write the {header}",
        "value_prompt": 'The value for {year}: a number and unit (e.g. 85.19%, 17件), a level (実施, 充実), or "-" when not known.',
        "grade_prompt_title": "Choose a grade from the list",
        "grade_error_title": "Not a grade of the scale",
        "grade_error": "Choose one of the grades ({codes}).",
        "dept_prompt_title": "Choose the department",
        "dept_prompt": 'A department not listed can be typed in (a renamed one as "old→new").',
        "dept_error_title": "Not in the department list",
        "dept_error": "This department is not in the list. Enter it anyway?",
        "see_legend": "… (see the Legend sheet)",
        "legend_title": "Legend and how to fill in",
        "scale_line": "Grading scale: {name}",
        "scale_header": ["Grade", "Rank", "Standing", "意味", "Meaning"],
        "standing": {"upper": "upper", "middle": "middle", "lower": "lower", "status": "status"},
        "no_rank": "-",
        "notes_title": "How to fill in",
        "notes": [
            "One row per project and indicator. Do not change the header row (row 2) or the order of the columns.",
            "Write baseline, target and current as a number and unit (e.g. 85.19%, 17 cases); use the same unit in all three.",
            "Indicators that are not numbers take a level ({levels}).",
            'Write "-" when a value is not known or not yet counted. Write 0 only for a real zero, and do not leave the cell empty (an empty cell is reported as missing).',
            "The fiscal years are in the headers (baseline {baseline}, target {target}, current {current}).",
            "Choose the grade from the list (the table above). For {lower}, state the reason and next steps in the effect column.",
            'Choose the department from the list; a renamed department can be written "old→new".',
            "Check the filled sheet with `hyoka check FILE.xlsx`; this Legend sheet is skipped.",
        ],
        "depts_title": "Departments",
    },
}
