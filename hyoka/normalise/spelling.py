"""Probable misspellings in the text a department wrote: the derived columns rule T003 reads.

The list is data (rules/misspellings.yaml): each entry a regular expression matched against the
NFKC form of a cell, a replacement template giving the corrected form, and a note saying why the
form is wrong. Only forms that are wrong wherever they stand belong there (延べ人数 typed 述べ人数,
の一環として typed の一貫として, an English letter typed three times: ``willl``), so a finding is
worth a clerk's look. A match made of one letter only (``www``, ``zzz``) is not a misspelling.

``add_misspellings(frame, entries)`` adds, for each field of :data:`SPELLING_FIELDS` the frame
has, ``misspelt_<field>`` (the text as written, ``""`` where nothing matched) and
``spelling_<field>`` (the corrected text, ``""`` where nothing matched). The first entry that
matches a cell wins; each distinct cell is looked at once (:func:`on_distinct`).

It also adds ``lost_<field>`` and ``restored_<field>`` (rule T004): list marks that lost their
lead byte. In Shift_JIS (CP932) the circled numbers ①–⑳ are 0x8740–0x8753 and the Roman numerals
Ⅰ–Ⅹ 0x8754–0x875D; text decoded with errors ignored keeps only the trail byte, so ①②③ become
``@AB`` and ⅠⅡⅢ ``TUV`` at the start of lines (鳥取県's 工程表 pages: ``@県立美術館の…``,
``A中部地域の…``, ``T【ひらく】``). Lines starting with a character of that range followed by
Japanese text (or words, once the line breaks are collapsed) are such marks when one of them is ``@`` (①) or the first two are ``T`` and ``U``
(ⅠⅡ): ``A…`` and ``B…`` alone may be a list of grades A and B; ``lost_`` gives them as found (``@ A B``), ``restored_`` as they were (``① ② ③``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import pandas as pd

from hyoka.errors import ConfigError
from hyoka.normalise.measures import on_distinct
from hyoka.normalise.vocabulary import compile_pattern, nfkc
from hyoka.resources import data_dir, yaml_entries

#: the free-text fields a person wrote and T003 reads
SPELLING_FIELDS = ("item", "project", "activities", "indicator", "effect")
_KEYS = {"pattern", "replace", "repeated_letter", "note"}
_GROUP_REF = re.compile(r"\\(\d+)")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
#: a line (or, once whitespace is collapsed, a word) starting with a trail byte of ①–⑳ (0x40–0x53) or Ⅰ–Ⅹ (0x54–0x5D) and then Japanese text
_LOST_MARK = re.compile(r"(?:^|(?<=\s))([@-\]])(?=[\u3000-\u30ff\u3400-\u9fff\uff01-\uff5e【「（])", re.M)


@dataclass(frozen=True)
class Misspelling:
    """One entry of rules/misspellings.yaml: ``pattern`` (compiled) and ``replace`` (a template with
    ``\\1`` … group references only), or ``repeated`` (a lowercase Latin letter typed this many
    times in a row inside a word, corrected to two); ``note`` ({ja, en})."""

    pattern: re.Pattern[str] | None  # hyoka's own file: Python's re (hyoka.normalise.patterns)
    replace: str
    note: dict[str, str]
    repeated: int = 0

    def find(self, key: str) -> tuple[str, str]:
        """``(as written, corrected)`` for the first match in ``key`` (NFKC text), or ``("", "")``."""
        if self.pattern is None:
            for word in _LATIN_WORD.findall(key):
                if not word.islower() or len(set(word)) < 2:
                    continue
                for letter, run in groupby(word):
                    if len(list(run)) >= self.repeated:
                        return word, re.sub(f"{letter}{{{self.repeated},}}", letter * 2, word)
            return "", ""
        for match in self.pattern.finditer(key):
            if len(set(match.group(0))) >= 2:
                return match.group(0), match.expand(self.replace)
        return "", ""


def load_misspellings(path: Path | str | None = None) -> tuple[Misspelling, ...]:
    """Read a misspellings file (default: the bundled rules/misspellings.yaml). Raises ConfigError
    naming the file, the entry and the key on bad content (unknown key, a pattern that does not
    compile, a replacement naming a group the pattern does not have)."""
    return _load(str(Path(path) if path else data_dir("rules") / "misspellings.yaml"))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[Misspelling, ...]:
    out = []
    for where, e in yaml_entries(path, "misspellings", _KEYS):
        note = e.get("note") or {}
        if not isinstance(note, dict):
            raise ConfigError(f"{where}: note must be a mapping {{ja: …, en: …}}")
        note = {k: str(v) for k, v in note.items()}
        if "repeated_letter" in e:
            n = e["repeated_letter"]
            if set(e) & {"pattern", "replace"} or not isinstance(n, int) or isinstance(n, bool) or n < 3:
                raise ConfigError(f"{where}: repeated_letter is a whole number ≥ 3, without pattern or replace")
            out.append(Misspelling(None, "", note, n))
            continue
        if not {"pattern", "replace"} <= set(e):
            raise ConfigError(f"{where}: each entry needs `pattern` and `replace` (or `repeated_letter`)")
        try:  # checked by RE2 too: no pattern that backtracks (hyoka.normalise.patterns)
            pattern = compile_pattern(str(e["pattern"]), f"{where}: pattern").python
        except re.error as exc:
            raise ConfigError(f"{where}: pattern: bad pattern {e['pattern']!r} ({exc})") from None
        replace = str(e["replace"])
        for ref in _GROUP_REF.findall(replace):
            if int(ref) > pattern.groups:
                raise ConfigError(f"{where}: replace uses \\{ref}, but the pattern has {pattern.groups} group(s)")
        out.append(Misspelling(pattern, replace, note))
    return tuple(out)


def find_misspelling(text: str, entries: tuple[Misspelling, ...]) -> tuple[str, str]:
    """``(as written, corrected)`` for the first entry matching ``text`` (NFKC), ``("", "")`` when
    none does. A match of one repeated character only is skipped."""
    if not text:
        return "", ""
    key = nfkc(text)
    for entry in entries:
        written, corrected = entry.find(key)
        if written:
            return written, corrected
    return "", ""


def add_misspellings(frame: pd.DataFrame, entries: tuple[Misspelling, ...] | None = None) -> None:
    """Add ``misspelt_<field>`` and ``spelling_<field>`` (str, ``""`` where nothing matched) for
    every field of :data:`SPELLING_FIELDS` in ``frame``, in place (module doc)."""
    entries = load_misspellings() if entries is None else entries

    def both(column: pd.Series) -> pd.DataFrame:
        pairs = [find_misspelling(v if isinstance(v, str) else "", entries) for v in column]
        return pd.DataFrame(pairs, index=column.index, columns=["misspelt", "spelling"])

    _add(frame, both, "misspelt", "spelling")


def find_lost_marks(text: str) -> tuple[str, str]:
    """``(marks as found, marks restored)`` for the list marks of ``text`` that lost their CP932
    lead byte (module doc), ``("", "")`` when there are none."""
    if not text:
        return "", ""
    marks = _LOST_MARK.findall(text)
    # a list starts at ① (@) or Ⅰ (T): "A…⏎B…" alone may be a list of grades A and B
    if "@" not in marks and marks[:2] != ["T", "U"]:
        return "", ""
    restored = [chr(0x2460 + ord(m) - 0x40) if m <= "S" else chr(0x2160 + ord(m) - 0x54) for m in marks]
    return " ".join(marks), " ".join(restored)


def add_lost_marks(frame: pd.DataFrame) -> None:
    """Add ``lost_<field>`` and ``restored_<field>`` (str, ``""`` where none) for every field of
    :data:`SPELLING_FIELDS` in ``frame``, in place (module doc)."""

    def both(column: pd.Series) -> pd.DataFrame:
        pairs = [find_lost_marks(v if isinstance(v, str) else "") for v in column]
        return pd.DataFrame(pairs, index=column.index, columns=["lost", "restored"])

    _add(frame, both, "lost", "restored")


def _add(frame: pd.DataFrame, both, first: str, second: str) -> None:
    """``frame[<first>_<field>]``, ``frame[<second>_<field>]`` from ``both`` (a column → a frame of
    the two), in place; pandas' "fragmented frame" warning on growing a frame in place is not shown."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        for fld in SPELLING_FIELDS:
            if fld not in frame:
                continue
            found = on_distinct(frame[fld].fillna("").astype(str), both)
            frame[f"{first}_{fld}"] = found[first].to_numpy()
            frame[f"{second}_{fld}"] = found[second].to_numpy()
