"""Text keys: how hyoka compares names, headers and grade spellings — one function, one rule.

Every key starts from Unicode NFKC (full-width and half-width forms agree, ① stays ①). What else
is dropped differs on purpose, by what is compared:

- names of departments, projects and indicators (waivers, ``--department``): whitespace anywhere
  (a line break inside a cell) and case — :func:`text_key` with the defaults;
- names compared across two editions (hyoka.compare.editions): also punctuation (・、「」- …,
  ``punctuation=True``), since a year's table often rewrites a bracket or a middle dot in a name
  that is still the same project;
- headers (hyoka.normalise.vocabulary aliases): whitespace, case kept (``fold=False``);
- grade spellings (hyoka.normalise.scale): case, but only leading and trailing whitespace
  (``spaces="ends"``).

The header and grade keys keep what they kept before the keys were unified: which header or grade
a table's text matches is part of every result, and widening it would change existing outputs.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: whitespace and punctuation left out of edition name keys (after NFKC: full-width forms are ASCII already)
NOT_KEY = r"[\s・、。,.:;!?()\[\]{}「」『』【】〔〕〈〉《》\"'“”‘’/\\~〜_\-‐‑–—―−]+"
_NOT_KEY = re.compile(NOT_KEY)
_SPACES = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """Unicode NFKC of ``text``."""
    return unicodedata.normalize("NFKC", text)


def text_key(text: str, *, fold: bool = True, spaces: str = "all", punctuation: bool = False) -> str:
    """The comparison key of one text: NFKC; whitespace removed everywhere (``spaces="all"``) or
    at the ends only (``"ends"``); punctuation of :data:`NOT_KEY` removed when ``punctuation``;
    case folded when ``fold``. Raises ValueError for another ``spaces``."""
    out = nfkc(text)
    if punctuation:
        out = _NOT_KEY.sub("", out)
    elif spaces == "all":
        out = _SPACES.sub("", out)
    elif spaces == "ends":
        out = out.strip()
    else:
        raise ValueError(f"spaces={spaces!r}: all or ends")
    return out.casefold() if fold else out


def text_keys(s: pd.Series, *, fold: bool = True, spaces: str = "all", punctuation: bool = False) -> pd.Series:
    """:func:`text_key` of every element of ``s`` (vectorised): a ``string`` Series with the same
    index, missing values as ``""``."""
    out = s.astype("string").fillna("").str.normalize("NFKC")
    if punctuation:
        out = out.str.replace(NOT_KEY, "", regex=True)
    elif spaces == "all":
        out = out.str.replace(r"\s+", "", regex=True)
    elif spaces == "ends":
        out = out.str.strip()
    else:
        raise ValueError(f"spaces={spaces!r}: all or ends")
    return (out.str.casefold() if fold else out).astype("string")
