"""Workbook parts the readers would trust, checked before they see them (hyoka.read.xlsx, #15).
The corpus (tests/corpus.py, "#15: workbook parts") runs the hostile files through the CLI; these
check the pieces with values worked out by hand."""

from __future__ import annotations

import io
import re
import warnings
import zipfile

import pytest

from hyoka.errors import InputError
from hyoka.read.xlsx import _fill_merged, _scan_sheet, read_grids

from .corpus import ROWS, _no_default_style, _shared_strings, table_xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _zip_with(sheet: bytes) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return zipfile.ZipFile(buf)


def test_merged_range_is_clipped_to_the_grid():
    rows = [["a", "b", "c"], ["", "", ""]]
    _fill_merged(rows, [(0, 1, 5, 16383)])  # B1:XFD6 over a 2 × 3 grid: B1:C2 filled from B1
    assert rows == [["a", "b", "b"], ["", "b", "b"]]


def test_used_range_comes_from_the_cells_not_the_dimension():
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:B2"/><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="7"><c r="AB7"><v>2</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    scan = _scan_sheet(_zip_with(sheet), "xl/worksheets/sheet1.xml", "S", "b.xlsx", 0)
    assert (scan.rows, scan.cols) == (7, 28)  # AB is the 28th column


def test_cells_without_a_reference_are_placed_as_the_readers_place_them():
    # row 3 by its r, then row 4 (the next); cells without r: the next column of their row
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="3"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>'
        "<row><c><v>4</v></c></row></sheetData></worksheet>"
    ).encode()
    scan = _scan_sheet(_zip_with(sheet), "xl/worksheets/sheet1.xml", "S", "b.xlsx", 0)
    assert (scan.rows, scan.cols) == (4, 3)


def test_invalid_shared_string_index_names_the_cell():
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="2"><c r="C2" t="s"><v>+1</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(InputError) as e:
        _scan_sheet(_zip_with(sheet.encode()), "xl/worksheets/sheet1.xml", "S", "b.xlsx", 5)
    assert (e.value.sheet, e.value.row, e.value.column) == ("S", 2, "C")


def test_a_small_lie_in_the_shared_strings_count_is_read(tmp_path):
    # 37 strings declared as 50: python-calamine reserves 50, harmless; the workbook is read
    p = _shared_strings(
        table_xlsx(tmp_path / "b.xlsx"), lambda x: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="50"', x)
    )
    grids, _ = read_grids(p, p.name)
    assert grids[0].rows[2][1] == ROWS[0][1]


def test_openpyxl_warnings_are_not_printed(tmp_path):
    p = _no_default_style(tmp_path).path
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grids, reader = read_grids(p, p.name)
    assert reader == "openpyxl" and grids[0].rows[2][1] == "市職員研修"
    assert [str(w.message) for w in caught] == []
