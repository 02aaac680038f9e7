"""Regular expressions from rule, mapping and indicator files, matched in linear time.

A pattern a user writes (``pattern:`` of an indicator file, ``directions:`` of a mapping file) and
hyoka's own (rules/directions.yaml, rules/sheets.yaml, rules/edition_findings.yaml) are matched
by RE2 through ``pyarrow.compute`` (``match_substring_regex``): its time grows with the text, never
exponentially, so no pattern can make a run hang (Python's ``re`` backtracks:
``(\\w*\\w*\\w*\\w*)*!`` took minutes on one indicator name; pandas hands ``\\w``, ``\\d``, ``\\b``
on non-ASCII text, ``\\s`` and inline flags to ``re``). :func:`compile_pattern` refuses, with a
ConfigError naming the file and key, a pattern RE2 does not take (possessive ``a*+``, atomic
``(?>…)``, a repeat over 1000 ``{1001}``, ``(?x)``), lookarounds and backreferences (not
regular), and one over :data:`MAX_PATTERN_CHARS`.

The dialect is Python's, as users know it from ``re``, with its Unicode classes kept (RE2's own
are ASCII only): before RE2 sees a pattern, ``\\d`` becomes any decimal digit (``\\p{Nd}``: ３ and
٣ too), ``\\w`` any letter, number or ``_`` (``[\\p{L}\\p{N}_]``: 率, ア and ① are word
characters, as in ``re``), ``\\s`` any whitespace (the ideographic space U+3000 too), their
capitals the complements, ``\\Z`` the end of the text and ``\\uXXXX`` / ``\\UXXXXXXXX`` /
``\\N{NAME}`` the character. Differences left: ``\\b`` and ``\\B`` are ASCII word boundaries
(Japanese text has none in ``re`` either, but ``NPO法人`` has one after ``O`` here); ``$``
matches only at the very end (``re`` also before a final newline); ``\\W`` and ``\\S`` inside
``[…]`` are refused (write ``[^…]``); RE2's ``\\p{Han}``, ``\\p{Katakana}`` … are accepted.

:attr:`Pattern.python` compiles the pattern with ``re`` for the one place that needs Python's
match objects (hyoka's own misspellings, rules/misspellings.yaml: replacement templates); no
user pattern is run by it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from hyoka.errors import ConfigError, msg

#: the longest pattern accepted (a person's regular expression; the RE2 program stays small)
MAX_PATTERN_CHARS = 500

#: lookarounds and backreferences: not regular, refused with a message that says so
_NOT_REGULAR = re.compile(r"\(\?(?:=|!|<=|<!|P=)|\\[1-9]")

_SPACE = r"\t\n\v\f\r\x1c-\x1f\x85\p{Z}"  # str.isspace(): Python's \s on text
_WORD = r"\p{L}\p{N}_"  # str.isalnum() or _: Python's \w on text
#: an escape outside ``[…]`` → its RE2 form
_OUTSIDE = {
    "d": r"\p{Nd}",
    "D": r"\P{Nd}",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "Z": r"\z",
}
#: an escape inside ``[…]`` → its RE2 form (``\W`` and ``\S`` have none: refused)
_INSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": _WORD, "s": _SPACE}
_HEX = re.compile(r"u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{([^{}]*)\}")


def to_re2(pattern: str) -> str:
    """``pattern`` (Python's ``re`` syntax) in RE2's, with Python's Unicode meaning of ``\\d``,
    ``\\w``, ``\\s`` (module doc). Raises ValueError for ``\\W`` or ``\\S`` inside a class and an
    unknown ``\\N{…}`` name; anything else RE2 judges."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            m = _HEX.match(pattern, i + 1)
            if m:
                if m.group(3) is not None:
                    try:
                        code = ord(unicodedata.lookup(m.group(3)))
                    except KeyError:
                        raise ValueError(f"unknown character name \\N{{{m.group(3)}}}") from None
                else:
                    code = int(m.group(1) or m.group(2), 16)
                out.append(f"\\x{{{code:X}}}")
                i = m.end()
                continue
            if in_class and e in "WS":
                raise ValueError(f"\\{e} inside [...] is not supported: write [^...] instead")
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(e, c + e))
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            # a ] right after [ or [^ is a literal, in Python as in RE2
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":
                out.append(r"\]")
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _arrow_search(texts: Any, re2: str) -> Any:
    """``pyarrow.compute.match_substring_regex`` of ``texts`` (anything pyarrow reads as strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = texts if isinstance(texts, pa.Array | pa.ChunkedArray) else pa.array(texts, type=pa.large_string())
    return pc.fill_null(pc.match_substring_regex(arr, pattern=re2), False)


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern: ``text`` as written, ``re2`` as RE2 runs it (:func:`to_re2`)."""

    text: str
    re2: str = field(repr=False)

    def contains(self, s: pd.Series) -> pd.Series:
        """Whether each text of ``s`` holds a match (bool, ``s``'s index; missing: False)."""
        if s.empty:
            return pd.Series(False, index=s.index, dtype=bool)
        texts = s.astype(pd.StringDtype("pyarrow"))
        hit = _arrow_search(texts.array._pa_array, self.re2)
        return pd.Series(hit.to_numpy(zero_copy_only=False).astype(bool), index=s.index)

    def search(self, text: str) -> bool:
        """Whether ``text`` holds a match."""
        return bool(_arrow_search([text], self.re2)[0].as_py())

    @cached_property
    def python(self) -> re.Pattern[str]:
        """The pattern compiled by Python's ``re`` (hyoka's own misspellings only: module doc).
        Raises re.error."""
        return re.compile(self.text)


def compile_pattern(text: object, where: str) -> Pattern:
    """Compile a pattern from a rule, mapping, indicator or vocabulary file for RE2 (module doc).
    Raises ConfigError naming ``where`` (the file and key) when it is too long, not regular
    (lookarounds, backreferences), or refused by RE2, with RE2's reason."""
    pattern = str(text)
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ConfigError(msg("where", where=where, what=msg("pattern_too_long", limit=MAX_PATTERN_CHARS)))
    if _NOT_REGULAR.search(pattern):
        raise ConfigError(msg("where", where=where, what=msg("pattern_not_regular", pattern=repr(pattern))))
    import pyarrow as pa

    try:
        re2 = to_re2(pattern)
        _arrow_search(pa.array([""], type=pa.large_string()), re2)  # RE2 compiles it, or says why not
    except (ValueError, pa.ArrowInvalid) as exc:
        reason = str(exc).removeprefix("Invalid regular expression: ")
        raise ConfigError(
            msg("where", where=where, what=msg("pattern_bad", pattern=repr(pattern), reason=reason))
        ) from None
    return Pattern(pattern, re2)
