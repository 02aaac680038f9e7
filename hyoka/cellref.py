"""Cell references: the one converter between column letters (``A``, ``Z``, ``AA`` …) and column
numbers, and the text of a place (``[book.xlsx]Sheet!F14``, ``table.csv:6:target``,
``report.pdf#p3!R5C8``).

A document that is not a spreadsheet (:data:`PAGE_SUFFIXES`: an HTML page, a PDF) has no column
letters a reader could find: its cells are named by the table's row and column, counted from 1
as printed, after ``#`` and the table's name (a PDF's page, ``p3``).

Written out (not openpyxl's ``get_column_letter``) so that reading with calamine and formatting
findings never import openpyxl (a start-up cost).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def column_letters(index: int) -> str:
    """Letters of the 0-based column ``index`` (0 → ``A``, 25 → ``Z``, 26 → ``AA``)."""
    n, letters = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def column_index(letters: str) -> int:
    """The 0-based column of upper-case ``letters`` (``A`` → 0, ``AA`` → 26)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


#: files whose tables are grids with no column letters of their own: a web page's ``<table>``s
#: (hyoka.read.html: ``table2``) and a PDF's tables; a place in them is ``file#table!R5C8``
PAGE_SUFFIXES = (".html", ".htm", ".pdf")


def is_page(source: str) -> bool:
    """Whether the file named ``source`` is a web page or PDF (:data:`PAGE_SUFFIXES`)."""
    return source.lower().endswith(PAGE_SUFFIXES)


def page_cell(row: int, col: int) -> str:
    """A cell of a page's table by its 1-based row and column: ``R5C8``."""
    return f"R{row}C{col}"


def place_texts(source: pd.Series, sheet: pd.Series, row: pd.Series, col: pd.Series, label: pd.Series) -> pd.Series:
    """The text of each place (module doc). Series on one index: ``source`` and ``sheet`` (str),
    ``row`` (int, the cell's row or line; 0 for a whole file or sheet), ``col`` (int, 1-based; 0
    for no cell), ``label`` (str: a CSV column's name). Returns a ``string`` Series on that index:
    ``[book.xlsx]Sheet!F14``, ``table.csv:6:target``, ``table.csv:6`` (a row), ``[book.xlsx]Sheet``
    (a whole sheet) or ``table.csv`` (a whole file). In a web page or PDF (:func:`is_page`), whose
    tables are named by ``sheet``: ``page.html#table2!R5C8`` (row 5, column 8 of the table's
    grid), ``page.html#table2!R5`` (a row) and ``page.html#table2`` (a whole table)."""
    src = source.astype("string").fillna("").to_numpy(object)
    sht = sheet.astype("string").fillna("").to_numpy(object)
    rows = np.asarray(row, dtype="int64")
    cols = np.asarray(col, dtype="int64")
    labels = label.astype("string").fillna("").to_numpy(object)
    out = []
    for f, s, r, c, lab in zip(src, sht, rows, cols, labels):  # findings only: a few per row at most
        if s and is_page(f):
            out.append(f"{f}#{s}!{page_cell(int(r), int(c))}" if c > 0 else f"{f}#{s}!R{r}" if r > 0 else f"{f}#{s}")
        elif c > 0 and s:
            out.append(f"[{f}]{s}!{column_letters(int(c) - 1)}{r}")
        elif c > 0:
            out.append(f"{f}:{r}:{lab}")
        elif r > 0:
            out.append(f"{f}:{r}")
        elif s:
            out.append(f"[{f}]{s}")
        else:
            out.append(f)
    return pd.Series(out, index=source.index, dtype="string")
