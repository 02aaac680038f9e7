"""Spreadsheet column letters: the one converter between ``A``, ``Z``, ``AA`` … and column numbers.

Written out (not openpyxl's ``get_column_letter``) so that reading with calamine and formatting
findings never import openpyxl (a start-up cost).
"""

from __future__ import annotations


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
