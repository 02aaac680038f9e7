"""The dashboard's progress chart, as data for reports/templates/index.html.j2, which draws it as
an inline SVG (no script). ``progress`` is (current − baseline) ÷ (target − baseline) of
hyoka.normalise.derive (0 % at the baseline, 100 % at the target); ``expected_progress`` the share
of the plan's period (baseline year to target year) elapsed by the current value's year.

:func:`progress_chart` picks one of three forms:

- ``grades``, a strip of points per grade: when the rows with a progress figure share one elapsed
  share (a single-year table: every row 2 of 6 years into its plan, all at 33 %; the spread is
  under :data:`SPREAD`) or none has one (a table without years). Across: the grades in the
  scale's order (then grades not on the scale); up: progress; the points of one grade are spread
  sideways so that none hides another. The common elapsed share is a line across ("on
  schedule"), with G007's margin below it;
- ``scatter``: when the elapsed shares differ: across the elapsed share, up progress, the
  on-schedule line progress = elapsed and G007's line below it;
- ``none``: no row has a progress figure (or there are no rows): nothing is drawn, and
  ``reason`` says why in the report's language.

Every point carries a number, drawn beside it and listed in the key (``key``: place, department,
project, indicator, grade, progress) so that a printed page identifies each row without hovering;
above :data:`LABEL_CAP` points the numbers and the key are left out (``labelled`` False). Colours
follow the grade: green (best) through amber to red (worst), statuses grey (:func:`grade_colours`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hyoka.check.text import pct

CHART = {"width": 720, "height": 420, "left": 64, "right": 24, "top": 16, "bottom": 68}
#: elapsed shares that differ by less than this are one ("the same for all rows"): the strip form
SPREAD = 0.05
#: points are numbered (beside the point and in the key) when at most this many are drawn
LABEL_CAP = 80
R = 5.0  # a point's radius (SVG units)
GAP = 12.0  # points of one strip closer than this (up/down) are set side by side
_ANCHORS = ((0x1A, 0x7F, 0x37), (0xD4, 0xA7, 0x2C), (0xCF, 0x22, 0x2E))  # green, amber, red
_STATUS_GREYS = ("#475467", "#98a2b3", "#667085", "#d0d5dd")
OTHER_GRADE = "#344054"
SCHEDULE = "#175cd3"
GUIDE = "#98a2b3"


def grade_colours(scale) -> dict[str, str]:
    """A colour per grade of the scale, in the scale's order: ranked grades from green (best)
    through amber to red (worst); statuses (no rank) in greys."""
    ranked = sorted((g for g in scale.grades if g.rank is not None), key=lambda g: g.rank)
    out = {}
    for i, g in enumerate(ranked):
        t = i / (len(ranked) - 1) if len(ranked) > 1 else 0.0
        seg = min(int(t * 2), 1)
        u = t * 2 - seg
        a, b = _ANCHORS[seg], _ANCHORS[seg + 1]
        out[g.code] = "#" + "".join(f"{round(x + (y - x) * u):02x}" for x, y in zip(a, b))
    for i, g in enumerate(g for g in scale.grades if g.rank is None):
        out[g.code] = _STATUS_GREYS[i % len(_STATUS_GREYS)]
    return out


def _ticks(lo: float, hi: float) -> list[float]:
    step = 0.25 if hi - lo <= 2 else 0.5
    return [round(lo + k * step, 6) for k in range(int(round((hi - lo) / step)) + 1)]


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _reasons(frame: pd.DataFrame, p: pd.Series, e: pd.Series | None, s: dict) -> str:
    """Why rows have no point, counted: values missing, progress not defined, (scatter) no
    elapsed share; joined in the report's language, ``""`` when every row is drawn."""
    have = pd.Series(True, index=frame.index)
    for field in ("baseline", "target", "current"):
        have &= _numeric(frame, f"{field}_value").notna()
    parts = [
        ("chart_no_values", int((p.isna() & ~have).sum())),
        ("chart_undefined", int((p.isna() & have).sum())),
    ]
    if e is not None:
        parts.append(("chart_no_elapsed", int((p.notna() & e.isna()).sum())))
    return s["sep"].join(s[k].format(n=n) for k, n in parts if n)


def _spread(cx: pd.Series, cy: pd.Series, group: pd.Series, step: float, half: float) -> pd.Series:
    """Sideways offsets (SVG units) that keep the points of one group (a grade's strip, or a
    column of the scatter) apart: points are taken top to bottom; a run of points each closer
    than :data:`GAP` to the one above shares a cluster, and the k-th of a cluster goes to slot 0,
    +1, −1, +2, −2, … × ``step``, at most ``half`` to either side (then the slots repeat)."""
    if not len(cy):
        return pd.Series(dtype="float64")
    t = pd.DataFrame({"g": group.to_numpy(), "cy": cy.to_numpy(), "cx": cx.to_numpy()}, index=cy.index)
    t = t.sort_values(["g", "cy", "cx"], kind="stable")
    new = (t["g"] != t["g"].shift()) | (t["cy"].diff() >= GAP)
    k = t.groupby(new.cumsum(), sort=False).cumcount()
    slots = max(0, int(half // step))
    k = k % (2 * slots + 1)
    slot = ((k + 1) // 2) * np.where(k % 2 == 1, 1, -1)
    return (slot * step).astype("float64").reindex(cy.index)


def _key(sub: pd.DataFrame, p: pd.Series, e: pd.Series, s: dict, many_places: bool) -> pd.DataFrame:
    """The rows drawn, as the key lists them: ``place``, ``department``, ``project``,
    ``indicator``, ``grade`` (as published), ``progress`` and ``elapsed`` (percent text)."""
    row = sub["row"].astype("string").fillna("")
    place = row.map(lambda r: s["row_n"].format(n=r))
    if many_places:
        where = sub["source_file"].astype("string").fillna("")
        if "sheet" in sub:
            sheet = sub["sheet"].astype("string").fillna("")
            where = where + (" " + sheet).where(sheet != "", "")
        place = where + " " + place
    out = pd.DataFrame(index=sub.index)
    out["place"] = place
    for col in ("department", "project", "indicator"):
        out[col] = sub[col].astype("string").fillna("") if col in sub else ""
    out["grade"] = sub["grade_raw"].astype("string").fillna("") if "grade_raw" in sub else ""
    out["progress"] = pct(p).fillna("")
    out["elapsed"] = pct(e).fillna("")
    return out


def progress_chart(frame: pd.DataFrame, scale, s: dict, lang: str, margin: float | None = None) -> dict:
    """What the dashboard draws (see the module doc); coordinates in SVG units of :data:`CHART`.

    Returns ``mode`` (grades / scatter / none), ``heading``, ``note`` (how to read it) and
    ``reason`` (none: why nothing is drawn) in the report's language; ``points`` (``cx``, ``cy``,
    ``colour``, ``grade``, ``no`` (the key's number), ``title`` (the hover text), ``clipped``: beyond
    the axis, drawn on its edge); ``categories`` (grades: ``x``, ``grade``, ``meaning``, ``n``);
    ``xticks``/``yticks``; ``lines`` (reference lines: coordinates, ``stroke``, ``dash``, ``label``);
    ``legend`` (grades and lines); ``key`` (records, by number); ``labelled``; ``drawn``,
    ``not_drawn`` and ``not_drawn_text`` (how many rows have no point, and why)."""
    c = dict(CHART)
    pw, ph = c["width"] - c["left"] - c["right"], c["height"] - c["top"] - c["bottom"]
    base = {**c, "pw": pw, "ph": ph, "points": [], "categories": [], "xticks": [], "yticks": [], "lines": []}
    base.update({"legend": [], "key": [], "labelled": False, "drawn": 0, "not_drawn": len(frame)})
    base.update({"not_drawn_text": "", "note": "", "reason": ""})
    p_all = _numeric(frame, "progress")
    e_all = _numeric(frame, "expected_progress")
    has_p = p_all.notna()
    if not has_p.any():
        why = _reasons(frame, p_all, None, s) if len(frame) else ""
        reason = s["chart_none_rows"] if not len(frame) else s["chart_none"].format(reasons=why)
        return {**base, "mode": "none", "heading": s["chart_heading_grades"], "reason": reason}
    both = has_p & e_all.notna()
    e_both = e_all[both]
    scatter = int(both.sum()) >= 2 and float(e_both.max() - e_both.min()) >= SPREAD
    ok = (both if scatter else has_p).to_numpy()
    sub, p, e = frame[ok], p_all[ok], e_all[ok]
    lo = max(-1.0, min(0.0, math.floor(p.min() * 2) / 2))
    hi = min(3.0, max(1.0, math.ceil(p.max() * 2) / 2))
    colours = grade_colours(scale)
    grade = sub["grade"].astype("string")
    gkey = grade.where(grade.isin(list(colours)).fillna(False).astype(bool), "").fillna("")

    def y(v):
        return c["top"] + (hi - np.clip(v, lo, hi)) / (hi - lo) * ph

    def x(v):
        return c["left"] + np.clip(v, 0.0, 1.0) * pw

    labelled = len(sub) <= LABEL_CAP
    digits = len(str(len(sub)))
    step = 2 * R + 3 + (digits * 6.5 + 3 if labelled else 0)  # a point and its number side by side
    cy = pd.Series(np.round(y(p.to_numpy()) * 2) / 2, index=sub.index)
    clipped = (p < lo) | (p > hi)
    counts = gkey.value_counts().to_dict()
    lines: list[dict] = []
    categories: list[dict] = []
    xticks: list[dict] = []
    if scatter:
        cx0 = pd.Series(np.round(x(e.to_numpy()) * 2) / 2, index=sub.index)
        clipped |= (e < 0) | (e > 1)
        column = (cx0 / (2 * R)).round()  # points within a point's width across: one column
        cx = cx0 + _spread(cx0, cy, column, 2 * R + 1, 2 * R + 1)  # at most one point's width aside
        xticks = [{"pos": float(x(v)), "label": f"{round(v * 100)}%"} for v in (0, 0.25, 0.5, 0.75, 1.0)]
        lines.append(_line(x(0.0), y(0.0), x(min(1.0, hi)), y(min(1.0, hi)), SCHEDULE, 1.5, legend=s["on_schedule"]))
        if margin is not None and margin > 0:
            behind = s["behind_line"].format(m="%g" % (margin * 100))
            lines.append(_line(x(margin), y(0.0), x(1.0), y(1.0 - margin), SCHEDULE, 1.0, "3 3", legend=behind))
        heading, note = s["chart_heading_scatter"], s["chart_note_scatter"]
    else:
        cats = [g for g in scale.grades if g.rank is not None or counts.get(g.code, 0)]
        cats_codes = [g.code for g in cats] + ([""] if counts.get("", 0) else [])
        cw = pw / max(1, len(cats_codes))
        centre = {code: c["left"] + cw * (i + 0.5) for i, code in enumerate(cats_codes)}
        meaning = {g.code: (g.meaning_ja if lang == "ja" else g.meaning_en) for g in cats} | {"": s["grade_other"]}
        categories = [
            {
                "x": centre[code],
                "grade": code,
                "meaning": meaning[code],
                "n": int(counts.get(code, 0)),
                "colour": colours.get(code, OTHER_GRADE),
            }
            for code in cats_codes
        ]
        cx0 = gkey.map(centre).astype("float64")
        cx = cx0 + _spread(cx0, cy, gkey, step, cw / 2 - R - (step - 2 * R))
        heading, note = s["chart_heading_grades"], s["chart_note_grades"]
        shared = e.dropna()
        if len(shared) == len(e) and len(shared) and float(shared.max() - shared.min()) < SPREAD:
            at = float(shared.median())
            share = f"{round(at * 100)}%"
            lines.append(
                _across(
                    c,
                    y(at),
                    SCHEDULE,
                    1.5,
                    "",
                    s["elapsed_line"].format(e=share),
                    s["elapsed_line_legend"].format(e=share),
                )
            )
            if margin is not None and margin > 0 and at - margin > lo:
                behind = s["behind_across"].format(m="%g" % (margin * 100), e=f"{round((at - margin) * 100)}%")
                lines.append(_across(c, y(at - margin), SCHEDULE, 1.0, "3 3", "", behind))
            note += s["chart_note_elapsed"].format(e=share)
        elif len(shared):
            note += s["chart_note_elapsed_mixed"]
        else:
            note += s["chart_note_no_elapsed"]
    # the baseline's name under its line (the lines just above it keep theirs above)
    guides = [
        _across(c, y(0.0), GUIDE, 1.0, "", s["baseline_label"], s["baseline_line"], below=True),
        _across(c, y(1.0), GUIDE, 1.0, "6 3", s["target_label"], s["target_line"]),
    ]
    lines = guides + lines
    # numbers: strip by strip (or left to right), top to bottom
    order = pd.DataFrame({"cx": cx.round(1), "cy": cy, "g": gkey if not scatter else ""}, index=sub.index)
    if scatter:
        order = order.sort_values(["cx", "cy"], kind="stable")
    else:
        order["gi"] = order["g"].map({code: i for i, code in enumerate(cats_codes)})
        order = order.sort_values(["gi", "cy", "cx"], kind="stable")
    no = pd.Series(np.arange(1, len(order) + 1), index=order.index).reindex(sub.index)
    key = _key(sub, p, e, s, _many_places(sub))
    key["no"] = no.to_numpy()
    title = (
        no.astype("string")
        + ". "
        + key["place"]
        + " "
        + key["department"]
        + " "
        + s["grade"]
        + " "
        + key["grade"]
        + " "
        + s["progress"]
        + " "
        + key["progress"]
    )
    if scatter:
        title = title + " / " + s["elapsed"] + " " + key["elapsed"]
    pts = pd.DataFrame(
        {
            "cx": cx.round(1).to_numpy(),
            "cy": cy.to_numpy(),
            "grade": gkey.to_numpy(),
            "colour": gkey.map(colours).fillna(OTHER_GRADE).to_numpy(),
            "no": no.to_numpy(),
            "title": title.to_numpy(),
            "clipped": clipped.to_numpy(),
        }
    ).sort_values("no")
    legend = []
    if scatter:
        legend = [
            {
                "grade": gr.code,
                "colour": colours[gr.code],
                "n": int(counts.get(gr.code, 0)),
                "meaning": gr.meaning_ja if lang == "ja" else gr.meaning_en,
            }
            for gr in scale.grades
            if counts.get(gr.code, 0) or gr.rank is not None
        ]
        if counts.get("", 0):
            legend.append({"grade": "", "colour": OTHER_GRADE, "n": int(counts[""]), "meaning": s["grade_other"]})
    yticks = [{"v": v, "pos": float(y(v)), "label": f"{round(v * 100)}%"} for v in _ticks(lo, hi)]
    if not labelled:
        note += s["chart_labels_off"].format(cap=LABEL_CAP)
    return {
        **base,
        "mode": "scatter" if scatter else "grades",
        "heading": heading,
        "note": note,
        "points": pts.to_dict(orient="records"),
        "categories": categories,
        "xticks": xticks,
        "yticks": yticks,
        "lines": lines,
        "legend": legend,
        "key": key.sort_values("no").to_dict(orient="records") if labelled else [],
        "labelled": labelled,
        "any_clipped": bool(clipped.any()),
        "drawn": int(len(sub)),
        "not_drawn": int(len(frame) - len(sub)),
        "not_drawn_text": _reasons(frame, p_all, e_all if scatter else None, s),
        "lo": lo,
        "hi": hi,
    }


def _many_places(sub: pd.DataFrame) -> bool:
    """Whether the rows drawn come from more than one file or sheet (the key then names them)."""
    where = sub["source_file"].astype("string").fillna("")
    if "sheet" in sub:
        where = where + "\x00" + sub["sheet"].astype("string").fillna("")
    return where.nunique() > 1


def _line(
    x1, y1, x2, y2, stroke: str, width: float, dash: str = "", label: str = "", legend: str = "", below=False
) -> dict:
    """A reference line: its ends (SVG units), stroke, width, dashes; ``label`` drawn at its right
    end (above it, or ``below``), ``legend`` its entry in the legend."""
    return {
        "x1": float(x1),
        "y1": float(y1),
        "x2": float(x2),
        "y2": float(y2),
        "stroke": stroke,
        "width": width,
        "dash": dash,
        "label": label,
        "legend": legend,
        "below": below,
    }


def _across(c: dict, at, stroke: str, width: float, dash: str, label: str, legend: str, below=False) -> dict:
    """A horizontal reference line across the plot at ``at`` (SVG y)."""
    return _line(c["left"], at, c["width"] - c["right"], at, stroke, width, dash, label, legend, below)
