"""Grading scales (rules/scales/*.yaml): each grade's code, rank, standing and meaning.

A scale file has ``id``, ``name: {ja, en}``, ``case_sensitive`` (optional, default false) and
``grades``: a list of ``{code, aliases?, rank?, standing, meaning: {ja, en}, when?}``. ``rank`` 1 is
best; a grade without a rank is a status outside the ordinal ranks (``standing: status``).
``standing`` is ``upper`` (the grade claims good progress), ``lower`` (it admits poor progress),
``middle`` or ``status``. Two grades may share a rank only in a case-sensitive scale (a plan that
grades indicators a/b/c and measures A–D ranks each level on its own).

How a published grade is read (:meth:`GradingScale.read`), after NFKC (full-width Ａ is A, （Ａ） is
(A)), the ends' whitespace taken off and, unless the scale is ``case_sensitive``, case folded:

1. as written: a code or alias of the scale, also inside brackets ``(A)``, ``[A]``, ``【A】``
   (健康日本21 prints indicator-level grades as ``(A)``): *as written*;
2. with notation taken off: a list number before it (``１　現状維持``, ``(2) 改善``), a bracketed
   qualifier after it (``◎(予定以上)``, ``改革改善（縮小・統合含む）``), a footnote mark after it
   (``A*``, ``B※``: a scale that gives ``B*`` its own grade reads it as written first), or a meaning
   after the code (``A 目標値に達した``); or the grade written by its meaning alone
   (``目標値に達した``, ``予定以上`` where a grade means that): *read by notation*.

:func:`choose_scale` prefers, among the scales that read the most rows, the one that reads more of
them as written (``B*`` is a grade of the 健康日本21 scale, only a footnoted B on A–D).

``when`` (optional) is a condition in the rule language (hyoka.check.expr) over the normalised frame's
columns. For an ordinal grade it *defines* the grade: hyoka computes each row's grade as the first
grade in file order (statuses included) whose condition holds, and a reported grade whose own condition is false is a
finding (G005) with the computed grade as expected. For a status (``standing: status``) it is what
the values must agree with (G006): "not started" with a current value beyond baseline is a
contradiction. Rows whose grade has a condition are judged by it, not by the generic progress rules
(G002, G003).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hyoka.errors import ConfigError, msg
from hyoka.normalise.text import text_key
from hyoka.resources import data_dir, load_yaml, reject_unknown

STANDINGS = ("upper", "middle", "lower", "status")


@dataclass(frozen=True)
class Grade:
    code: str
    rank: int | None
    standing: str
    meaning_ja: str
    meaning_en: str
    when: str | None = None


@dataclass(frozen=True)
class GradingScale:
    id: str
    name_ja: str
    name_en: str
    grades: tuple[Grade, ...]
    lookup: dict[str, str]  # spelling key (:meth:`key`) of a code or alias -> grade code
    source: str = ""
    case_sensitive: bool = False
    meanings: dict[str, str] = field(default_factory=dict)  # key of a grade's meaning -> grade code

    def key(self, text: str) -> str:
        """A spelling as this scale compares it: NFKC, ends stripped, case folded unless the scale
        is case-sensitive (hyoka.normalise.text)."""
        return text_key(text, spaces="ends", fold=not self.case_sensitive)

    def read(self, text: str) -> tuple[str | None, bool]:
        """(the grade code a published spelling names or None, whether it was read as written):
        the module doc's two steps. Idempotent on keys: a key of :meth:`key` reads as its text."""
        key = self.key(text)
        if not key:
            return None, False
        for k in (key, _unbracket(key)):
            if k in self.lookup:
                return self.lookup[k], True
        if key in self.meanings:
            return self.meanings[key], False
        bare = key
        for _ in range(6):  # (2) １ ◎(予定以上), [B*]*: one piece of notation at a time
            peeled = next((p for p in (f(bare).strip() for f in _NOTATION) if p != bare), None)
            if not peeled:
                break
            bare = peeled
            if bare in self.lookup:
                return self.lookup[bare], False
            if bare in self.meanings:
                return self.meanings[bare], False
        head, _, rest = bare.partition(" ")
        if rest and head in self.lookup:  # A 目標値に達した: the code, then its meaning
            return self.lookup[head], False
        return None, False

    def is_code(self, text: str) -> bool:
        """Whether a published spelling is a grade's code itself, in brackets or not (``(A)``,
        ``Ａ``), so that messages need not add the code to it."""
        key = self.key(text)
        return any(self.key(g.code) in (key, _unbracket(key)) for g in self.grades)

    def code_for(self, text: str) -> str | None:
        """The grade code a published spelling (or its :meth:`key`) names, or None (:meth:`read`)."""
        return self.read(text)[0]

    def grade(self, code: str) -> Grade:
        return next(g for g in self.grades if g.code == code)

    def codes(self, standing: str) -> list[str]:
        return [g.code for g in self.grades if g.standing == standing]


_LIST_NUMBER = re.compile(r"^(?:\d{1,2}|[(（]\d{1,2}[)）])[\s.．、:：)）]+")
_QUALIFIER = re.compile(r"(?<=\S)\s*[(（\[【〔][^()（）\[\]【】〔〕]*[)）\]】〕]$")
#: a footnote mark after a grade (A*, B※, A†); NFKC has made ＊ an ASCII *
_FOOTNOTE = re.compile(r"\s*[*※†‡]$")
#: a grade written inside brackets: (A), [A], 【A】, 〔A〕, <A>, 「A」
_ENCLOSED = re.compile(r"^[(\[【〔<〈《「『]\s*([^()\[\]【】〔〕<>〈〉《》「」『』]+?)\s*[)\]】〕>〉》」』]$")


def _unbracket(key: str) -> str:
    """``key`` without brackets around the whole of it: ``(a)`` → ``a``; else ``key``."""
    m = _ENCLOSED.match(key)
    return m.group(1) if m else key


#: the notation taken off a grade, one piece at a time and in this order (a footnote mark last:
#: ``1 B*`` is ``B*`` where that is a grade): a list number, a bracketed note, brackets, a mark
_NOTATION = (
    lambda k: _LIST_NUMBER.sub("", k),
    lambda k: _QUALIFIER.sub("", k),
    _unbracket,
    lambda k: _FOOTNOTE.sub("", k),
)


@dataclass(frozen=True)
class ScaleFit:
    """How a bundled scale fits the grades seen: the rows and distinct grades it knows, and the
    grade texts it does not know."""

    scale: GradingScale
    rows: int
    known: int
    missing: list[str]
    grades: tuple[str, ...] = ()  # the grade texts seen, most rows first
    as_written: int = 0  # of ``rows``, those whose grade the scale reads as written (module doc)


def scale_fits(grades: dict[str, int]) -> list[ScaleFit]:
    """Each bundled scale (rules/scales/) against the grades seen (text as published → rows):
    best first (most rows known, then most rows read as written, then most distinct grades known,
    then the smaller scale)."""
    fits = []
    seen = tuple(sorted(grades, key=lambda g: -grades[g]))
    for p in sorted((data_dir("rules") / "scales").glob("*.yaml")):
        scale = load_scale(p)
        read = {g: scale.read(g) for g in grades}
        known = [g for g in grades if read[g][0] is not None]
        fits.append(
            ScaleFit(
                scale,
                sum(grades[g] for g in known),
                len(known),
                [g for g in seen if g not in known],
                seen,
                sum(grades[g] for g in known if read[g][1]),
            )
        )
    fits.sort(key=lambda f: (-f.rows, -f.as_written, -f.known, len(f.scale.grades), f.scale.id))
    return fits


def choose_scale(grades: dict[str, int], missing: frozenset[str] = frozenset()) -> ScaleFit | None:
    """The bundled scale to check with when none was given: the one that reads the most rows of
    ``grades`` (text as published → rows), and of those the most as written, if it reads more
    than the default A–D scale (or as many, more of them as written: ``B*`` is the 健康日本21
    scale's, only a footnoted B on A–D) on at least :data:`SWITCH_SHARE` of the rows, and at least
    one grade that is not a missing marker (a dash alone says nothing about the scale); None when
    A–D reads as well (or there are no grades). A stray ``E`` among a thousand A–D grades is a
    grade off the A–D scale (G001), not a reason to read every A, B and D on another scale."""
    grades = {g: n for g, n in grades.items() if g.strip()}
    if not grades:
        return None
    fits = scale_fits(grades)
    default = next(f for f in fits if f.scale.id == "a-d")
    best = fits[0]
    telling = [g for g in best.grades if g not in best.missing and text_key(g) not in missing]
    better = (best.rows, best.as_written) > (default.rows, default.as_written)
    if not (better and telling):
        return None
    gained = sum(n for g, n in grades.items() if _reads_better(best.scale, default.scale, g))
    return best if gained >= SWITCH_SHARE * sum(grades.values()) else None


#: the share of graded rows a scale must read better than the default A–D (at all, or as written
#: where A–D reads them only by notation) for the automatic choice to switch to it
SWITCH_SHARE = 0.1


def _reads_better(scale: GradingScale, default: GradingScale, text: str) -> bool:
    """Whether ``scale`` reads a grade spelling and ``default`` does not, or ``scale`` reads it
    as written where ``default`` reads it only by notation."""
    (code, written), (dcode, dwritten) = scale.read(text), default.read(text)
    return code is not None and (dcode is None or (written and not dwritten))


def grade_key(text: str) -> str:
    """A grade spelling as case-insensitive scales compare it: NFKC, ends stripped, case folded
    (hyoka.normalise.text); :meth:`GradingScale.key` is the scale's own."""
    return text_key(text, spaces="ends")


#: the largest rank a grade may have (ranks are kept as 64-bit integers: a rank of 1e23 would not
#: fit; no scale has a thousand grades)
MAX_RANK = 1000


def load_scale(path: Path | str | None = None) -> GradingScale:
    """Load a scale file; ``None`` loads the default A–D scale. A bare name such as ``rag``
    selects a bundled preset. Raises ConfigError naming file and grade on bad content."""
    if path is None:
        path = "a-d"
    p = Path(path)
    if not p.suffix and not p.exists():
        presets = sorted(f.stem for f in (data_dir("rules") / "scales").glob("*.yaml"))
        if str(path) not in presets:
            raise ConfigError(msg("unknown_scale", scale=repr(str(path)), presets=", ".join(presets)))
        p = data_dir("rules") / "scales" / f"{path}.yaml"
    data = load_yaml(p)
    if not isinstance(data, dict) or not isinstance(data.get("grades"), list) or not data["grades"]:
        raise ConfigError(f"{p}: a scale needs a non-empty `grades:` list")
    reject_unknown(data, {"id", "name", "case_sensitive", "grades"}, str(p), "id, name, case_sensitive, grades")
    case_sensitive = data.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise ConfigError(f"{p}: case_sensitive must be true or false")
    grades: list[Grade] = []
    lookup: dict[str, str] = {}
    codes: set[str] = set()
    for i, g in enumerate(data["grades"]):
        if not isinstance(g, dict) or not str(g.get("code", "")).strip():
            raise ConfigError(f"{p}: grades[{i}]: each grade needs a non-empty `code`")
        code = str(g["code"])
        where = f"{p}: grade {code}"
        reject_unknown(g, _GRADE_KEYS, where)
        if code in codes:
            raise ConfigError(f"{where}: the code appears twice")
        codes.add(code)
        standing = str(g.get("standing", "status" if g.get("rank") is None else ""))
        if standing not in STANDINGS:
            raise ConfigError(f"{where}: standing must be one of {', '.join(STANDINGS)}")
        rank = g.get("rank")
        if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= MAX_RANK):
            raise ConfigError(f"{where}: rank must be a whole number from 1 (best) to {MAX_RANK}")
        aliases = g.get("aliases", [])
        if not isinstance(aliases, list):
            raise ConfigError(f"{where}: aliases must be a list, e.g. [lg, G]")
        ja, en = _texts(g.get("meaning"), f"{where}: meaning")
        when = g.get("when")
        if when is not None and not isinstance(when, str):
            raise ConfigError(f"{where}: `when` must be an expression (text)")
        grades.append(Grade(code, rank, standing, ja, en, when))
        for spelling in (code, *[str(a) for a in aliases]):
            key = text_key(spelling, spaces="ends", fold=not case_sensitive)
            if key in lookup and lookup[key] != code:
                raise ConfigError(f"{p}: spelling {spelling!r} names both {lookup[key]} and {code}")
            lookup[key] = code
    ranks = [g.rank for g in grades if g.rank is not None]
    if len(ranks) != len(set(ranks)) and not case_sensitive:
        raise ConfigError(f"{p}: two grades share a rank (only a case_sensitive scale may rank two levels apart)")
    name_ja, name_en = _texts(data.get("name") or p.stem, f"{p}: name")
    return GradingScale(
        str(data.get("id", p.stem)),
        name_ja,
        name_en,
        tuple(grades),
        lookup,
        str(p),
        case_sensitive,
        _meanings(grades, lookup, case_sensitive),
    )


def _meanings(grades: list[Grade], lookup: dict[str, str], case_sensitive: bool) -> dict[str, str]:
    """Each grade's meaning (ja and en, and the ja one without a bracketed note) as a spelling of
    it: key → code. A meaning that is another grade's spelling, or that two grades share, is left
    out (it would name no grade for sure)."""
    out: dict[str, str] = {}
    shared: set[str] = set()
    for g in grades:
        texts = {g.meaning_ja, g.meaning_en, _QUALIFIER.sub("", g.meaning_ja)}
        for t in texts:
            key = text_key(t, spaces="ends", fold=not case_sensitive)
            if not key or lookup.get(key, g.code) != g.code:
                continue
            if out.get(key, g.code) != g.code:
                shared.add(key)
            out[key] = g.code
    return {k: v for k, v in out.items() if k not in shared}


_GRADE_KEYS = {"code", "aliases", "rank", "standing", "meaning", "when"}


def _texts(value, where: str) -> tuple[str, str]:
    """A text in both languages: ``{ja, en}``, or one plain text used for both."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, value
    if isinstance(value, dict) and not set(value) - {"ja", "en"}:
        return str(value.get("ja", value.get("en", ""))), str(value.get("en", value.get("ja", "")))
    raise ConfigError(f"{where}: give a text, or {{ja: ..., en: ...}} (quote texts with commas)")
