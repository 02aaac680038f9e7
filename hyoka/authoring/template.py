"""The department sheet to fill in (``hyoka template``): an .xlsx workbook that ``hyoka check``
reads with no mapping.

``write_template(out, scale, departments, years, lang)`` writes two sheets:

- 「評価シート」 (``Evaluation`` with ``lang="en"``): a title line, the canonical header in the
  published table's wording (項目 … 現状値（R5）, the year labels from ``years``), and
  ``INPUT_ROWS`` formatted input rows (text format, so 60% stays the text typed). Data
  validations cover the input rows: a drop-down list of the scale's grade codes on 事業の評価
  (strict: other text is refused; aliases such as ``lg`` are not offered), a drop-down of the
  department list on 担当課 when one is given (a warning only: ``旧課名→新課名`` can still be
  typed), and input messages on the grade and value columns. The header row is frozen.
- 「凡例」 (``Legend``): the grading scale (code, rank, standing, meaning in Japanese and
  English), how to write values and missing markers, and the department list the drop-down reads.
  ``hyoka check`` skips the sheet by its name (rules/sheets.yaml).

The workbook holds no formula: every text is stored as a text cell (:func:`_as_text`), so a
department name or a scale text that starts with ``=`` (``=cmd|' /C calc'!A0``,
``=HYPERLINK(…)``), ``+``, ``-`` or ``@`` is shown as written and never evaluated — not when the
sheet opens, not when a clerk edits the cell (Excel's quote prefix, the ``'`` it shows in the
formula bar, is set on those cells; the text itself is not changed, so the drop-down enters the
department name ``hyoka check`` compares).

The workbook is written to a temporary file in the target folder and moved into place
(``os.replace``; with ``overwrite=False`` a hard link that refuses an existing file), so a reader
never sees half a workbook. Raises :class:`~hyoka.errors.HyokaError` for bad year labels, an
unusable target path or a failed write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from hyoka.atomic import replacing
from hyoka.authoring.template_text import TEXT
from hyoka.cellref import column_letters
from hyoka.errors import ConfigError, HyokaError, msg, os_reason
from hyoka.normalise.measures import parse_fiscal_year
from hyoka.normalise.scale import GradingScale
from hyoka.normalise.vocabulary import load_vocabulary, nfkc
from hyoka.output.annotate import neutralise

INPUT_ROWS = 200  # formatted input rows below the header, covered by the validations
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_ROW = HEADER_ROW + 1
LAST_ROW = HEADER_ROW + INPUT_ROWS

# canonical field, Japanese header (the published table's wording), width
COLUMNS = [
    ("item", "項目", 18),
    ("project", "事業名", 22),
    ("department", "担当課", 16),
    ("activities", "取組内容", 44),
    ("partners", "協働の相手", 12),
    ("grade", "事業の評価", 10),
    ("effect", "効果、理由（問題点）", 44),
    ("indicator", "目標指標", 22),
    ("baseline", "基準値", 13),
    ("target", "目標値", 13),
    ("current", "現状値", 13),
]
VALUE_FIELDS = ("baseline", "target", "current")
_ERAS = {"R": "令和", "H": "平成", "S": "昭和"}

# Excel's limits: a longer text makes Excel report the workbook as damaged
_MAX_PROMPT_TITLE = 32
_MAX_PROMPT = 255
_MAX_ERROR = 225
_MAX_INLINE_LIST = 255


def parse_years(text: str) -> tuple[str, str, str]:
    """``"R3,R9,R5"`` → ("R3", "R9", "R5"): baseline, target and current year labels."""
    parts = [p.strip() for p in re.split(r"[,、，]", text or "")]
    if len(parts) != 3 or not all(parts):
        raise ConfigError(msg("where", where=f"--years {text!r}", what=msg("years_three")))
    return parts[0], parts[1], parts[2]


def _check_years(years: Sequence[str]) -> tuple[str, str, str]:
    if len(years) != 3:
        raise ConfigError(f"years: expected three labels (baseline, target, current), got {len(years)}")
    out = []
    for label in years:
        label = " ".join(str(label).split())
        if not label or "(" in nfkc(label) or ")" in nfkc(label) or parse_fiscal_year(label) is None:
            raise ConfigError(f"year label {label!r} is not a fiscal year (R3, 令和3年度, H30, 2021)")
        out.append(label)
    return out[0], out[1], out[2]


def year_words(label: str, lang: str = "ja") -> str:
    """``R5`` → 令和5年度 (``FY R5`` in English); ``2023`` → 2023年度."""
    text = nfkc(label).strip()
    if lang == "en":
        return f"FY {text}"
    m = re.match(r"^([RHS])\s*(\d{1,2}|元)$", text, re.I)
    if m:
        return f"{_ERAS[m.group(1).upper()]}{m.group(2)}年度"
    return text if text.endswith("年度") else f"{text}年度"


def _clip(text: str, limit: int, tail: str = "…") -> str:
    return text if len(text) <= limit else text[: limit - len(tail)] + tail


def header_texts(years: tuple[str, str, str], lang: str = "ja") -> list[str]:
    """The header row: Japanese wording, or the canonical field names in English; the value
    headers carry their year label (基準値（R3）)."""
    t = TEXT[lang]
    labels = dict(zip(VALUE_FIELDS, years))
    out = []
    for fld, ja, _ in COLUMNS:
        name = ja if lang == "ja" else fld
        out.append(t["year_header"].format(name=name, label=labels[fld]) if fld in labels else name)
    return out


def grade_prompt(scale: GradingScale, lang: str = "ja") -> str:
    """The grade column's input message: each grade with its meaning, clipped to Excel's limit."""
    lines = []
    for g in scale.grades:
        meaning = g.meaning_ja if lang == "ja" else (g.meaning_en or g.meaning_ja)
        lines.append(f"{g.code}：{meaning}" if lang == "ja" else f"{g.code}: {meaning}")
    text = "\n".join(lines)
    if len(text) > _MAX_PROMPT:
        tail = TEXT[lang]["see_legend"]
        text = text[: _MAX_PROMPT - len(tail)].rsplit("\n", 1)[0] + "\n" + tail
    return text


def _list_formula(values: list[str]) -> str | None:
    """An inline list (``"A,B,C,D"``) when Excel can hold it, else None (use a cell range)."""
    inline = ",".join(values)
    if len(inline) > _MAX_INLINE_LIST or any("," in v or '"' in v for v in values):
        return None
    return f'"{inline}"'


def build_workbook(
    scale: GradingScale,
    departments: list[str] | None,
    years: tuple[str, str, str] = ("R3", "R9", "R5"),
    lang: str = "ja",
):
    """The template as an openpyxl Workbook (not saved)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    if lang not in TEXT:
        raise ConfigError(f"lang {lang!r}: must be ja or en")
    years = _check_years(tuple(years))
    t = TEXT[lang]
    departments = list(dict.fromkeys(d.strip() for d in departments or [] if d and d.strip())) or None

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell_align = Alignment(vertical="top", wrap_text=True)
    centre = Alignment(horizontal="center", vertical="top", wrap_text=True)

    wb = Workbook()
    ws = wb.active
    ws.title = t["sheet"]
    legend = wb.create_sheet(t["legend"])
    ncols = len(COLUMNS)
    col = {fld: i + 1 for i, (fld, _, _) in enumerate(COLUMNS)}
    letter = {fld: column_letters(i - 1) for fld, i in col.items()}  # col: 1-based

    # ---- title and header
    ws.cell(TITLE_ROW, 1, t["title"].format(year=year_words(years[2], lang))).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=ncols)
    headers = header_texts(years, lang)
    for i, text in enumerate(headers, start=1):
        c = ws.cell(HEADER_ROW, i, text)
        c.font, c.fill, c.alignment, c.border = bold, head_fill, head_align, border
    ws.row_dimensions[HEADER_ROW].height = 30
    for fld, _, width in COLUMNS:
        if fld == "grade":
            width = max(width, max(len(g.code) for g in scale.grades) + 4)
        ws.column_dimensions[letter[fld]].width = width
    ws.freeze_panes = ws.cell(FIRST_ROW, 1).coordinate

    # ---- formatted input rows: text format, so 60% or 1/2 is kept as typed
    for r in range(FIRST_ROW, LAST_ROW + 1):
        for fld, i in col.items():
            c = ws.cell(r, i)
            c.number_format = "@"
            c.border = border
            c.alignment = centre if fld in ("grade", "partners") else cell_align

    # ---- legend sheet: the scale, the notes, the department list
    legend.cell(1, 1, t["legend_title"]).font = Font(bold=True, size=13)
    scale_name = scale.name_ja if lang == "ja" else scale.name_en
    legend.cell(2, 1, t["scale_line"].format(name=scale_name))
    row = 4
    for i, text in enumerate(t["scale_header"], start=1):
        c = legend.cell(row, i, text)
        c.font, c.fill, c.alignment, c.border = bold, head_fill, head_align, border
    grade_first = row + 1
    for g in scale.grades:
        row += 1
        values = [
            g.code,
            g.rank if g.rank is not None else t["no_rank"],
            t["standing"][g.standing],
            g.meaning_ja,
            g.meaning_en,
        ]
        for i, v in enumerate(values, start=1):
            c = legend.cell(row, i, v)
            c.border, c.alignment = border, centre if i <= 3 else cell_align
    grade_last = row
    row += 2
    legend.cell(row, 1, t["notes_title"]).font = bold
    vocab = load_vocabulary()
    levels = (
        "・".join(sorted(vocab.levels, key=vocab.levels.__getitem__))
        if lang == "ja"
        else ", ".join(sorted(vocab.levels, key=vocab.levels.__getitem__))
    )
    lower = [g.code for g in scale.grades if g.standing == "lower"]
    lower_text = ("・".join(lower) if lang == "ja" else ", ".join(lower)) or (
        "下位の評価" if lang == "ja" else "a lower grade"
    )
    for note in t["notes"]:
        row += 1
        text = note.format(levels=levels, lower=lower_text, baseline=years[0], target=years[1], current=years[2])
        legend.cell(row, 1, f"・{text}" if lang == "ja" else f"- {text}")
        legend.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        legend.cell(row, 1).alignment = Alignment(vertical="top", wrap_text=True)
        legend.row_dimensions[row].height = 30
    dept_first = dept_last = None
    if departments:
        row += 2
        legend.cell(row, 1, t["depts_title"]).font = bold
        dept_first = row + 1
        for name in departments:
            row += 1
            legend.cell(row, 1, name).border = border
        dept_last = row
    for letter_, width in zip("ABCDE", (14, 8, 10, 36, 36)):
        legend.column_dimensions[letter_].width = width
    legend.column_dimensions["A"].width = max(14, max((len(d) for d in departments or []), default=0) * 2 + 2)

    # ---- data validations on the input rows
    def rng(fld: str) -> str:
        return f"{letter[fld]}{FIRST_ROW}:{letter[fld]}{LAST_ROW}"

    sheet_ref = quote_sheetname(legend.title)
    codes = [g.code for g in scale.grades]
    formula = _list_formula(codes) or f"{sheet_ref}!$A${grade_first}:$A${grade_last}"
    grade_dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=_clip(t["grade_error_title"], _MAX_PROMPT_TITLE),
        error=_clip(t["grade_error"].format(codes=", ".join(codes)), _MAX_ERROR),
        showInputMessage=True,
        promptTitle=_clip(t["grade_prompt_title"], _MAX_PROMPT_TITLE),
        prompt=grade_prompt(scale, lang),
    )
    grade_dv.add(rng("grade"))
    ws.add_data_validation(grade_dv)
    if departments:
        dept_dv = DataValidation(
            type="list",
            formula1=f"{sheet_ref}!$A${dept_first}:$A${dept_last}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=_clip(t["dept_error_title"], _MAX_PROMPT_TITLE),
            error=_clip(t["dept_error"], _MAX_ERROR),
            showInputMessage=True,
            promptTitle=_clip(t["dept_prompt_title"], _MAX_PROMPT_TITLE),
            prompt=_clip(t["dept_prompt"], _MAX_PROMPT),
        )
        dept_dv.add(rng("department"))
        ws.add_data_validation(dept_dv)
    for fld, label in zip(VALUE_FIELDS, years):
        header = headers[col[fld] - 1]
        hint = DataValidation(  # no type: any value, only the input message
            allow_blank=True,
            showInputMessage=True,
            promptTitle=_clip(t["value_prompt_title"].format(header=header), _MAX_PROMPT_TITLE),
            prompt=_clip(t["value_prompt"].format(year=year_words(label, lang)), _MAX_PROMPT),
        )
        hint.add(rng(fld))
        ws.add_data_validation(hint)

    # ---- printing: landscape A4, one page wide, header repeated
    for sheet in (ws, legend):
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    wb.active = 0
    _as_text(wb)
    return wb


def _as_text(wb) -> None:
    """Store every text of ``wb`` as text, never as a formula (module doc): openpyxl writes a
    string that starts with ``=`` as a formula. A text that a spreadsheet would read as one when
    typed (:func:`hyoka.output.annotate.neutralise`'s test: ``= + - @``, tab, CR) also gets the quote
    prefix. The template's cells are few (two sheets, 200 formatted rows)."""
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    c.data_type = "s"
                    if neutralise(c.value) != c.value:
                        c.quotePrefix = True


def write_template(
    out: Path,
    scale: GradingScale,
    departments: list[str] | None,
    years: tuple[str, str, str] = ("R3", "R9", "R5"),
    lang: str = "ja",
    overwrite: bool = True,
) -> Path:
    """Write the template workbook to ``out`` (.xlsx) atomically. With ``overwrite=False`` an
    existing file is left alone and HyokaError is raised."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise HyokaError(msg("where", where=out, what=msg("template_name_xlsx")))
    if out.is_dir():
        raise HyokaError(msg("where", where=out, what=msg("template_is_folder")))
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise HyokaError(msg("where", where=out, what=msg("folder_missing", folder=folder)))
    if out.exists() and not overwrite:
        raise HyokaError(msg("where", where=out, what=msg("exists_use_force")))
    wb = build_workbook(scale, departments, years, lang)
    try:
        with replacing(out, overwrite=overwrite) as tmp:
            wb.save(tmp)
    except FileExistsError:
        raise HyokaError(msg("where", where=out, what=msg("exists_use_force"))) from None
    except OSError as exc:
        raise HyokaError(msg("where", where=out, what=msg("cannot_write", reason=os_reason(exc)))) from None
    return out
