"""Answering in the workbook: a copy of a checked .xlsx with every finding on its cell.

``annotate_workbook(src, out, findings, lang)`` writes ``out``: the workbook ``src`` as it was
(formatting, formulas, merged cells, column widths, data validation kept by openpyxl's
round-trip), with each cell that has a finding filled by its worst severity and carrying a
comment in the report's language (rule code, message, expected value, how to fix), and a first
sheet listing every finding with a hyperlink to its cell. A finding on a cell inside a merged
range is put on the range's top-left cell. Text that a spreadsheet would read as a formula is
neutralised. ``src`` is never written; ``out`` is written to a temporary file and renamed.

The copy is reproducible: the same workbook and findings give the same bytes. Its document
properties keep the input's created and modified dates (openpyxl would stamp the time of saving;
a workbook without them gets 1980-01-01, the ZIP epoch) and every zip entry is dated 1980-01-01.

Known limit: openpyxl does not keep images and charts, so an annotated copy loses them (the
original is untouched). Raises HyokaError when ``out`` is ``src`` or cannot be written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hyoka.atomic import replacing
from hyoka.cellref import column_letters
from hyoka.check import findings as F
from hyoka.errors import HyokaError, InputError, msg
from hyoka.output.places import cell_texts

FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
SUMMARY = {"ja": "hyoka指摘一覧", "en": "hyoka findings"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEAD = {
    "ja": [
        "重要度",
        "コード",
        "セル",
        "担当課",
        "事業名",
        "目標指標",
        "内容",
        "公表値",
        "期待される内容",
        "直し方",
        "除外理由",
    ],
    "en": [
        "Severity",
        "Code",
        "Cell",
        "Department",
        "Project",
        "Indicator",
        "Finding",
        "Published",
        "Expected",
        "How to fix",
        "Waived",
    ],
}
SEV = {
    "ja": {"error": "エラー", "warning": "警告", "info": "情報"},
    "en": {"error": "Error", "warning": "Warning", "info": "Info"},
}


def neutralise(value: object) -> str:
    """Text safe for a spreadsheet cell: a leading = + - @ tab or CR gets an apostrophe, so no
    spreadsheet evaluates it (a lone "-", the missing marker, is left as it is)."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return "'" + text if len(text) > 1 and text.startswith(_FORMULA_START) else text


def _text_cell(cell, value: object) -> None:
    cell.value = neutralise(value)
    cell.data_type = "s"


def annotate_workbook(src: Path | str, out: Path | str, findings: pd.DataFrame, lang: str = "ja") -> Path:
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    src, out = Path(src), Path(out)
    if out.resolve() == src.resolve():
        raise HyokaError(msg("where", where=out, what=msg("annotated_is_input")))
    try:
        wb = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
    except Exception as exc:  # already read once by the checker; anything here is unexpected
        raise InputError(msg("cannot_open_to_annotate", detail=type(exc).__name__), file=src.name) from None

    # the findings on a cell of this workbook (places as data: hyoka.check.findings.PLACE_COLUMNS)
    on_cell = (findings["source_file"] == src.name) & (findings["sheet"].fillna("") != "") & (findings["col"] > 0)
    mine = findings[on_cell.fillna(False).to_numpy(bool)].copy()
    mine["cell"] = cell_texts(mine)
    mine["col"] = [column_letters(int(c) - 1) for c in mine["col"]]
    mine["rownum"] = mine["cell_row"].astype("string")  # as text: the summary lists rows in text order
    mine["rank"] = mine["severity"].map(F.SEVERITY_ORDER)
    sev_words = SEV[lang]
    for (sheet, col, rownum), group in mine.groupby(["sheet", "col", "rownum"], sort=False):
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        coord = f"{col}{rownum}"
        for rng in ws.merged_cells.ranges:  # a cell inside a merged range: use its top-left cell
            if coord in rng:
                coord = rng.start_cell.coordinate
                break
        cell = ws[coord]
        worst = F.SEVERITIES[int(group["rank"].min())]
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
        lines = []
        for f in group.sort_values("rank").itertuples():
            waived = (
                f" [除外: {f.waived}]" if lang == "ja" and f.waived else (f" [waived: {f.waived}]" if f.waived else "")
            )
            lines.append(f"[{f.code} {sev_words[f.severity]}]{waived} {f.message}")
            if f.expected:
                lines.append(("期待: " if lang == "ja" else "Expected: ") + str(f.expected))
            if f.fix:
                lines.append(("直し方: " if lang == "ja" else "Fix: ") + str(f.fix))
        text = "\n".join(lines)
        if cell.comment is not None and cell.comment.text:
            text = cell.comment.text.rstrip() + "\n---\n" + text
        comment = Comment(text, "hyoka")
        comment.width, comment.height = 420, min(60 + 18 * len(lines) * 2, 600)
        cell.comment = comment

    title = SUMMARY[lang]
    while title in wb.sheetnames:
        title += "_"
    ws = wb.create_sheet(title, 0)
    ws.append(HEAD[lang])
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, f in enumerate(mine.sort_values(["rank", "sheet", "rownum"]).itertuples(), start=2):
        values = [
            sev_words[f.severity],
            f.code,
            f.cell,
            f.department,
            f.project,
            f.indicator,
            f.message,
            f.observed,
            f.expected,
            f.fix,
            f.waived,
        ]
        for j, v in enumerate(values, start=1):
            _text_cell(ws.cell(row=i, column=j), v)
        link = ws.cell(row=i, column=3)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{f.sheet}'!{f.col}{f.rownum}")
        link.font = Font(color="0563C1", underline="single")
        ws.cell(row=i, column=1).fill = PatternFill("solid", fgColor=FILLS[f.severity])
    for letter, width in zip("ABCDEFGHIJK", (8, 7, 28, 14, 24, 24, 60, 18, 30, 40, 20)):
        ws.column_dimensions[letter].width = width  # the same widths drive the row heights below
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:K{max(ws.max_row, 1)}"
    widths = dict(zip("ABCDEFGHIJK", (8, 7, 28, 14, 24, 24, 60, 18, 30, 40, 20)))
    for row in ws.iter_rows(min_row=2):  # long texts wrap; the sheet prints one page wide
        row_lines = 1
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
            text = str(c.value or "")
            # a CJK character is about two width units wide
            units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
            row_lines = max(row_lines, -(-units // max(int(widths[c.column_letter]), 1)))
        ws.row_dimensions[row[0].row].height = 15 * min(row_lines, 12)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    wb.active = 0

    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp:
        wb.save(tmp)
        _reproducible(tmp, _core_dates(src))
    return out


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)([^<]*)(</dcterms:\2>)")


def _core_dates(src: Path) -> dict[bytes, bytes]:
    """The created/modified values of ``src``'s docProps/core.xml (W3CDTF text), as found."""
    import zipfile

    try:
        with zipfile.ZipFile(src) as z:
            core = z.read("docProps/core.xml")
    except (KeyError, OSError, zipfile.BadZipFile):
        return {}
    return {m.group(2): m.group(3) for m in _DATE.finditer(core)}


def _reproducible(path: Path, dates: dict[bytes, bytes]) -> None:
    """Rewrite the workbook zip at ``path`` so that it holds no time of this run: core.xml's
    created/modified set to ``dates`` (else the ZIP epoch) and every entry dated the ZIP epoch."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _DATE.sub(
                    lambda m: m.group(1) + dates.get(m.group(2), b"1980-01-01T00:00:00Z") + m.group(4), data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, data)
