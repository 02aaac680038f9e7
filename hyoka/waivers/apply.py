"""Applying waivers to findings.

Names are compared by :func:`hyoka.normalise.text.text_key` (NFKC, whitespace removed, case
folded), so full-width / half-width and line-break variants of a name match; ``""`` matches only an
empty value. A ``department`` also matches a row whose previous department name (``旧→新``) it
gives, when the checked frame is passed to :func:`apply_waivers`.

:func:`apply_waivers` sets the findings' ``waived`` column to the reason of the first unexpired
waiver matching each finding (waived findings stay in the table). An expired waiver that still
matches findings yields a ``W001`` finding; a waiver matching no finding yields ``W002``. Both
point at the waiver file's line (``source_file`` = ``waivers.yaml``, ``row`` = the line; shown as
``waivers.yaml:LINE``); their texts are in
rules/waiver_findings.yaml (hyoka.check.registry).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.text import render_text
from hyoka.normalise.text import text_key, text_keys
from hyoka.waivers.load import IDENTITY, Waiver

W_EXPIRED, W_UNUSED = "W001", "W002"
WAIVER_CODES = (W_EXPIRED, W_UNUSED)


def name_keys(s: pd.Series) -> np.ndarray:
    """:func:`hyoka.normalise.text.text_keys` of ``s`` as an object array (for ``==`` with a key)."""
    return text_keys(s).to_numpy(dtype=object)


def for_department(waivers: Iterable[Waiver], frame: pd.DataFrame) -> list[Waiver]:
    """The waivers that can apply to ``frame`` when a run was limited to a department: those
    naming one of its departments (current or previous name), and those without a department
    whose project and indicator occur in it. The others would only be reported as matching
    nothing."""
    names = {
        text_key(n)
        for col in ("department", "department_previous")
        if col in frame
        for n in frame[col].dropna().astype(str)
    }
    cols = {k: name_keys(frame[k]) for k in ("project", "indicator")}
    keep = []
    for w in waivers:
        if w.department is not None:
            if text_key(w.department) in names:
                keep.append(w)
            continue
        mask = np.ones(len(frame), dtype=bool)
        for k in ("project", "indicator"):
            if getattr(w, k) is not None:
                mask &= cols[k] == text_key(getattr(w, k))
        if mask.any():
            keep.append(w)
    return keep


def matcher(findings: pd.DataFrame, frame: pd.DataFrame | None):
    """Per-finding comparison keys (vectorised) and a function giving a waiver's match mask."""
    codes = findings["code"].astype("string").fillna("").str.upper().to_numpy(dtype=object)
    cols = {k: name_keys(findings[k]) for k in IDENTITY}
    previous = None
    if (
        frame is not None
        and "department_previous" in frame
        and frame.index.is_unique
        and "row_index" in findings
        and len(findings)
    ):
        prev = frame["department_previous"].reindex(findings["row_index"].to_numpy())
        previous = name_keys(prev.reset_index(drop=True))

    def match(w: Waiver) -> np.ndarray:
        mask = codes == w.code
        for k in IDENTITY:
            value = getattr(w, k)
            if value is None:
                continue
            hit = cols[k] == text_key(value)
            if k == "department" and previous is not None:
                hit = hit | (previous == text_key(value))
            mask &= hit
        return mask

    return match


def apply_waivers(
    findings: pd.DataFrame, waivers: Iterable[Waiver], today: date, lang: str, *, frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Mark the findings that unexpired waivers accept (``waived`` = the reason) and add W001
    (expired waiver still matching) and W002 (waiver matching nothing) findings. ``frame`` (the
    checked rows) lets a waiver's department match a row's previous name."""
    waivers = list(waivers)
    found = findings.copy()
    if not waivers:
        return found
    waived = found["waived"].astype("string").fillna("").to_numpy(dtype=object).copy()
    match = matcher(found, frame)
    lang = lang if lang in ("ja", "en") else "en"
    extra = []
    for w in waivers:  # a loop over waiver entries; each is one vectorised comparison
        mask = match(w)
        n = int(mask.sum())
        if n and w.expires >= today:
            waived[mask & (waived == "")] = w.reason
        elif n:
            extra.append(_waiver_finding(w, W_EXPIRED, lang, n))
        else:
            extra.append(_waiver_finding(w, W_UNUSED, lang, 0))
    found["waived"] = pd.array(waived, dtype="string")
    if not extra:
        return found
    w_frame = F.typed(pd.DataFrame(extra))
    return F.combine([found, w_frame])


def _waiver_finding(w: Waiver, code: str, lang: str, n: int) -> dict:
    info = registry.code_info(code)
    t = {k: info.text(k, lang) for k in registry.TEXT_KEYS}
    target = w.project or w.indicator or w.department or registry.finding_file("waiver")["any"][lang]
    return {
        "code": code,
        "severity": info.severity,
        "department": w.department or "",
        "item": "",
        "project": w.project or "",
        "indicator": w.indicator or "",
        "field": "waiver",
        "observed": w.identity(),
        "expected": t["expected"],
        "message": render_text(
            t["message"], {"code": w.code, "target": target, "expires": w.expires.isoformat(), "n": n}
        ),
        "title": t["title"],
        "fix": t["fix"],
        "row_index": -1,
        "source_file": w.source,
        "sheet": "",
        "row": w.line,
        "cell_row": w.line,
        "col": 0,
        "char_col": 0,
        "waived": "",
    }
