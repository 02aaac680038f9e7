"""Grading scales (rules/scales/*.yaml): each grade's code, rank, standing and meaning.

A scale file has ``id``, ``name: {ja, en}`` and ``grades``: a list of
``{code, aliases?, rank?, standing, meaning: {ja, en}, when?}``. ``rank`` 1 is best; a grade without a
rank is a status outside the ordinal ranks (``standing: status``). ``standing`` is ``upper`` (the
grade claims good progress), ``lower`` (it admits poor progress), ``middle`` or ``status``.
Reported grades are matched after NFKC (so full-width Ａ is A) and case-folding.

``when`` (optional) is a condition in the rule language (hyoka.check.expr) over the normalised frame's
columns. For an ordinal grade it *defines* the grade: hyoka computes each row's grade as the first
grade in file order whose condition holds, and a reported grade whose own condition is false is a
finding (G005) with the computed grade as expected. For a status (``standing: status``) it is what
the values must agree with (G006): "not started" with a current value beyond baseline is a
contradiction. Rows whose grade has a condition are judged by it, not by the generic progress rules
(G002, G003).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hyoka.errors import ConfigError
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
    lookup: dict[str, str]  # normalised spelling -> grade code
    source: str = ""

    def code_for(self, key: str) -> str | None:
        """The grade code a spelling (already :func:`grade_key`-ed) names, or None. A list number
        before the grade (``1 現状維持``, ``２　改革改善``) and a qualifier in brackets after it
        (``改革改善（縮小・統合含む）``, ``◎(予定以上)``) are taken off when the spelling as written is
        not one of the scale's."""
        code = self.lookup.get(key)
        if code is None and key:
            bare = _QUALIFIER.sub("", _LIST_NUMBER.sub("", key)).strip()
            code = self.lookup.get(bare)
        return code

    def grade(self, code: str) -> Grade:
        return next(g for g in self.grades if g.code == code)

    def codes(self, standing: str) -> list[str]:
        return [g.code for g in self.grades if g.standing == standing]


_LIST_NUMBER = re.compile(r"^(?:\d{1,2}|[(（]\d{1,2}[)）])[\s.．、:：)）]+")
_QUALIFIER = re.compile(r"\s*[(（][^()（）]*[)）]$")


@dataclass(frozen=True)
class ScaleFit:
    """How a bundled scale fits the grades seen: the rows and distinct grades it knows, and the
    grade texts it does not know."""

    scale: GradingScale
    rows: int
    known: int
    missing: list[str]
    grades: tuple[str, ...] = ()  # the grade texts seen, most rows first


def scale_fits(grades: dict[str, int]) -> list[ScaleFit]:
    """Each bundled scale (rules/scales/) against the grades seen (text as published → rows):
    best first (most rows known, then most distinct grades known, then the smaller scale)."""
    fits = []
    for p in sorted((data_dir("rules") / "scales").glob("*.yaml")):
        scale = load_scale(p)
        known = [g for g in grades if scale.code_for(grade_key(g)) is not None]
        seen = tuple(sorted(grades, key=lambda g: -grades[g]))
        fits.append(
            ScaleFit(scale, sum(grades[g] for g in known), len(known), [g for g in seen if g not in known], seen)
        )
    fits.sort(key=lambda f: (-f.rows, -f.known, len(f.scale.grades), f.scale.id))
    return fits


def choose_scale(grades: dict[str, int], missing: frozenset[str] = frozenset()) -> ScaleFit | None:
    """The bundled scale to check with when none was given: the one that reads the most rows of
    ``grades`` (text as published → rows), if it reads more than the default A–D scale and at
    least one grade that is not a missing marker (a dash alone says nothing about the scale);
    None when A–D reads as many (or there are no grades)."""
    grades = {g: n for g, n in grades.items() if g.strip()}
    if not grades:
        return None
    fits = scale_fits(grades)
    default = next(f for f in fits if f.scale.id == "a-d")
    best = fits[0]
    telling = [g for g in best.grades if g not in best.missing and text_key(g) not in missing]
    return best if best.rows > default.rows and telling else None


def grade_key(text: str) -> str:
    """A grade spelling as scales compare it: NFKC, ends stripped, case folded (hyoka.normalise.text)."""
    return text_key(text, spaces="ends")


def load_scale(path: Path | str | None = None) -> GradingScale:
    """Load a scale file; ``None`` loads the default A–D scale. A bare name such as ``rag``
    selects a bundled preset. Raises ConfigError naming file and grade on bad content."""
    if path is None:
        path = "a-d"
    p = Path(path)
    if not p.suffix and not p.exists():
        presets = sorted(f.stem for f in (data_dir("rules") / "scales").glob("*.yaml"))
        if str(path) not in presets:
            raise ConfigError(f"unknown scale {str(path)!r}: give a scale file or one of {', '.join(presets)}")
        p = data_dir("rules") / "scales" / f"{path}.yaml"
    data = load_yaml(p)
    if not isinstance(data, dict) or not isinstance(data.get("grades"), list) or not data["grades"]:
        raise ConfigError(f"{p}: a scale needs a non-empty `grades:` list")
    reject_unknown(data, {"id", "name", "grades"}, str(p), "id, name, grades")
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
        if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
            raise ConfigError(f"{where}: rank must be a whole number from 1 (best)")
        aliases = g.get("aliases", [])
        if not isinstance(aliases, list):
            raise ConfigError(f"{where}: aliases must be a list, e.g. [lg, G]")
        ja, en = _texts(g.get("meaning"), f"{where}: meaning")
        when = g.get("when")
        if when is not None and not isinstance(when, str):
            raise ConfigError(f"{where}: `when` must be an expression (text)")
        grades.append(Grade(code, rank, standing, ja, en, when))
        for spelling in (code, *[str(a) for a in aliases]):
            key = grade_key(spelling)
            if key in lookup and lookup[key] != code:
                raise ConfigError(f"{p}: spelling {spelling!r} names both {lookup[key]} and {code}")
            lookup[key] = code
    ranks = [g.rank for g in grades if g.rank is not None]
    if len(ranks) != len(set(ranks)):
        raise ConfigError(f"{p}: two grades share a rank")
    name_ja, name_en = _texts(data.get("name") or p.stem, f"{p}: name")
    return GradingScale(str(data.get("id", p.stem)), name_ja, name_en, tuple(grades), lookup, str(p))


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
