"""The dashboard's progress chart: an inline SVG, one point per row (``progress`` of
hyoka.normalise.derive against ``expected_progress``, the share of the plan's time elapsed),
coloured by grade in the scale's order. :func:`progress_chart` returns the drawing as data for
reports/templates/index.html.j2.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hyoka.check.text import pct

# --- the progress chart -------------------------------------------------------------------------

CHART = {"width": 720, "height": 400, "left": 60, "right": 20, "top": 16, "bottom": 48}
_ANCHORS = ((0x1A, 0x7F, 0x37), (0xD4, 0xA7, 0x2C), (0xCF, 0x22, 0x2E))  # green, amber, red
_STATUS_GREYS = ("#475467", "#98a2b3", "#667085", "#d0d5dd")
OTHER_GRADE = "#344054"


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


def progress_chart(frame: pd.DataFrame, scale, s: dict, lang: str, margin: float | None = None) -> dict:
    """What the dashboard's SVG draws (coordinates in SVG units): one point per row that has both
    ``progress`` and ``expected_progress`` (rows at the same spot with the same grade share one
    point whose ``n`` counts them; points of other grades at that spot are set 5 units apart to
    the right, so none hides another), x = expected_progress (0–100 % of the plan's time elapsed),
    y = progress (the axis spans at least 0–100 %, at most −100 %–300 %; points beyond are drawn
    on the edge, marked ``clipped``); the on-schedule line y = x, and y = x − ``margin`` (G007).
    Returns also the legend (grade, colour, meaning, points) and how many rows are not drawn."""
    c = CHART
    pw, ph = c["width"] - c["left"] - c["right"], c["height"] - c["top"] - c["bottom"]
    p = pd.to_numeric(frame["progress"], errors="coerce").astype("float64")
    e = pd.to_numeric(frame["expected_progress"], errors="coerce").astype("float64")
    ok = (p.notna() & e.notna()).to_numpy()
    p, e = p[ok], e[ok]
    lo = max(-1.0, min(0.0, math.floor(p.min() * 2) / 2)) if len(p) else 0.0
    hi = min(3.0, max(1.0, math.ceil(p.max() * 2) / 2)) if len(p) else 1.0
    colours = grade_colours(scale)
    grade = frame["grade"].astype("string")[ok]
    known = grade.isin(list(colours)).fillna(False).astype(bool)
    gkey = grade.where(known, "").fillna("")

    def x(v):
        return c["left"] + np.clip(v, 0.0, 1.0) * pw

    def y(v):
        return c["top"] + (hi - np.clip(v, lo, hi)) / (hi - lo) * ph

    pts = pd.DataFrame(
        {
            "cx": np.round(x(e.to_numpy()) * 2) / 2,
            "cy": np.round(y(p.to_numpy()) * 2) / 2,
            "grade": gkey.to_numpy(),
            "clipped": ((p < lo) | (p > hi) | (e < 0) | (e > 1)).to_numpy(),
        }
    )
    sub = frame[ok]
    label = (
        sub["source_file"].astype("string").fillna("")
        + ":"
        + sub["row"].astype("string")
        + " "
        + sub["department"].astype("string").fillna("")
        + " "
        + s["grade"]
        + " "
        + sub["grade_raw"].astype("string").fillna("")
        + " "
        + s["progress"]
        + " "
        + pct(p).fillna("")
        + " / "
        + s["elapsed"]
        + " "
        + pct(e).fillna("")
    )
    pts["label"] = label.to_numpy()
    g = (
        pts.groupby(["cx", "cy", "grade"], sort=False)
        .agg(n=("label", "size"), label=("label", "first"), clipped=("clipped", "any"))
        .reset_index()
    )
    g["cx"] = g["cx"] + 5.0 * g.groupby(["cx", "cy"], sort=False).cumcount()  # grades at one spot side by side
    more = s["chart_more"]
    g["title"] = np.where(g["n"] > 1, g["label"] + " " + g["n"].map(lambda n: more.format(n=n - 1)), g["label"])
    g["colour"] = g["grade"].map(colours).fillna(OTHER_GRADE)
    points = g[["cx", "cy", "grade", "n", "title", "colour", "clipped"]].to_dict(orient="records")
    counts = gkey.value_counts().to_dict()
    legend = [
        {
            "grade": gr.code,
            "colour": colours[gr.code],
            "n": int(counts.get(gr.code, 0)),
            "meaning": gr.meaning_ja if lang == "ja" else gr.meaning_en,
        }
        for gr in scale.grades
    ]
    if counts.get("", 0):
        legend.append({"grade": "", "colour": OTHER_GRADE, "n": int(counts[""]), "meaning": s["grade_other"]})
    xt = [{"v": v, "pos": float(x(v)), "label": f"{round(v * 100)}%"} for v in (0, 0.25, 0.5, 0.75, 1.0)]
    yt = [{"v": v, "pos": float(y(v)), "label": f"{round(v * 100)}%"} for v in _ticks(lo, hi)]
    line = {"x1": float(x(0.0)), "y1": float(y(0.0)), "x2": float(x(min(1.0, hi))), "y2": float(y(min(1.0, hi)))}
    behind = None
    if margin is not None and margin > 0:
        behind = {"x1": float(x(margin)), "y1": float(y(0.0)), "x2": float(x(1.0)), "y2": float(y(1.0 - margin))}
    return {
        **c,
        "pw": pw,
        "ph": ph,
        "points": points,
        "legend": legend,
        "xticks": xt,
        "yticks": yt,
        "schedule": line,
        "behind": behind,
        "margin": margin,
        "drawn": int(ok.sum()),
        "not_drawn": int(len(frame) - ok.sum()),
        "target_y": float(y(1.0)),
        "zero_y": float(y(0.0)),
        "lo": lo,
        "hi": hi,
    }
