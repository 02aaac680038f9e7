"""Text as a person reads it in a terminal: the one place that makes file contents safe and short
there (#15).

- :func:`visible`: control characters that a terminal acts on — C0 (ESC, BEL, CR, backspace…),
  DEL, C1 and the bidirectional controls (U+202E turns ``exe.txt`` into ``txt.exe`` on screen) —
  are shown as escapes (``\\x1b``, ``\\u202e``) instead of being sent raw; tab and line feed are
  kept unless ``one_line``.
- :func:`shorten`: a value longer than :data:`KEEP` + :data:`SLACK` characters is shown as its first
  :data:`KEEP` characters and how long it is (``…（5,000字）`` / ``… (5,000 characters)``; the
  words in rules/errors.yaml, ``shortened``).

Machine formats (JSON, CSV, SARIF…) and the report files keep every value whole; only what is
printed for people (the text findings, errors, warnings, hyoka inspect) goes through here.
"""

from __future__ import annotations

import re

from hyoka.errors import msg

KEEP = 80  #: characters of a long value that are shown
SLACK = 20  #: a value at most KEEP + SLACK long is shown whole (cutting it would save little)

#: bidirectional and other invisible format controls that reorder or hide what follows them
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")
_CONTROL_ALL = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")
_BIDI_ONLY = re.compile(f"[{BIDI_CONTROLS}]")


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def visible(text: object, one_line: bool = False) -> str:
    """``text`` (str() of it) with terminal control characters as visible escapes (module doc);
    with ``one_line``, tab and line feed too. ``"課\\x1b[31m"`` → ``"課\\\\x1b[31m"``."""
    return (_CONTROL_ALL if one_line else _CONTROL).sub(_escape, str(text))


def without_bidi(text: object) -> str:
    """``text`` (str() of it) with the direction controls (U+061C, U+200E/F, U+202A–E, U+2066–9)
    shown as escapes, for pages and Markdown: a department named ``x\u202eexe.lmth`` would read
    「xhtml.exe」 in a browser. Other characters, line ends included, are left to the page."""
    return _BIDI_ONLY.sub(_escape, str(text))


def shorten(text: str, lang: str = "ja", keep: int = KEEP) -> str:
    """``text`` cut to its first ``keep`` characters with its length said, when it is longer than
    ``keep`` + :data:`SLACK` characters; else unchanged. ``"課" * 5000`` → ``"課" * 80 + "…（5,000字）"``."""
    if len(text) <= keep + SLACK:
        return text
    return text[:keep] + msg("shortened", n=len(text)).say(lang)


def shorten_within(text: str, values: list[str], lang: str = "ja") -> str:
    """``text`` with each long one of ``values`` (the cell values it may quote) shortened where
    it occurs (:func:`shorten`), longest first."""
    for value in sorted({v for v in values if len(v) > KEEP + SLACK}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, shorten(value, lang))
    return text
