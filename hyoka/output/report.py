"""Writing the review reports: one HTML page and one Markdown file per department, and an index.

``write_reports(result, out_dir)`` writes into ``out_dir``:

- ``index.html``: the coordinator's dashboard: rows checked and findings per severity; department ×
  severity counts with links to the department pages; counts per rule (code, title, the rule's
  description); the progress chart (an inline SVG: one point per row, ``progress`` of
  hyoka.normalise.derive against ``expected_progress``, the share of the plan's time elapsed, coloured by
  grade in the scale's order); what changed since the previous edition (findings with codes
  ``E001``…, and ``result.edition`` when the check compared two editions); the files and sheets read;
- ``NN_<department>.html`` and ``.md``: that department's findings, grouped by rule (the HTML shows
  at most :data:`GROUP_CAP` per rule and says how many more there are; the .md lists them all) and
  its rows, with the cells that have findings marked (the HTML shows at most :data:`ROW_CAP` rows:
  beyond that, only the rows with findings; the .md lists every row);
- ``findings.json``: the findings table (keys of hyoka.check.findings.RECORD_KEYS, with ``waived``);
- ``<book>.hyoka.xlsx``: each .xlsx input with its findings written in (hyoka.output.annotate).

Pages are self-contained (inline CSS and SVG, no script, no network, no external font) and
printable. Every value is escaped (Jinja2 autoescape for HTML; a Markdown escape for .md). The same
input and options give byte-identical files except the one line of index.html that says when the
report was made (``id="generated"``; ``SOURCE_DATE_EPOCH`` fixes it too). Each file is written to a
temporary file in ``out_dir`` and renamed into place, so an interrupted run leaves the previous
report intact. Raises HyokaError when ``out_dir`` cannot be written.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader

from hyoka.check import findings as F
from hyoka.check.text import pct
from hyoka.atomic import write_text
from hyoka.errors import HyokaError
from hyoka.pipeline import CheckResult
from hyoka.resources import data_dir, load_yaml

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_EDITION_CODE = r"^E\d{3}$"

#: at most this many findings of one rule are shown on a department's HTML page (the .md has all)
GROUP_CAP = 200
#: at most this many rows are shown on a department's HTML page; beyond it only rows with findings
ROW_CAP = 2000
#: a department page opens its rule groups when it has at most this many findings
OPEN_UP_TO = 50
#: at most this many rows are listed per code in "what changed since the previous edition"
EDITION_CAP = 50

#: the row fields shown on a department page: (field of the findings table, column of the frame)
ROW_FIELDS = (("item", "item"), ("project", "project"), ("grade", "grade_raw"), ("indicator", "indicator"),
              ("baseline", "baseline_raw"), ("target", "target_raw"), ("current", "current_raw"))


def strings(lang: str) -> dict:
    return load_yaml(data_dir("reports") / "strings.yaml")[lang]


def counted(s: dict, key: str, n: int) -> str:
    """``n`` with its noun in the report's language: ``s[key]`` is a text with ``{n}`` or a
    mapping of plural forms (``one``, ``other``; CLDR: English has both, Japanese only other)."""
    form = s[key]
    if isinstance(form, dict):
        form = form["one"] if n == 1 and "one" in form else form["other"]
    return form.format(n=n)


def summary_line(s: dict, rows: int, counts: dict[str, int]) -> str:
    """"15行を確認：エラー 1件、警告 2件、情報 0件" / "15 rows checked: 1 error, 2 warnings, 0 infos"."""
    return s["summary_line"].format(rows=counted(s, "n_rows", rows), error=counted(s, "n_error", counts["error"]),
                                    warning=counted(s, "n_warning", counts["warning"]),
                                    info=counted(s, "n_info", counts["info"]))


def summary_text(s: dict, rows: int, found: pd.DataFrame) -> str:
    """:func:`summary_line` for a findings table, waived findings left out of the counts and
    named after them ("…、情報 0件（除外 1件）")."""
    counts = _counts(found)
    return summary_line(s, rows, counts) + (s["waived_count"].format(n=counts["waived"]) if counts["waived"] else "")


def safe_filename(name: str, index: int, limit: int = 60) -> str:
    """A file-name stem for a department: readable Japanese kept, path separators, control and
    reserved characters replaced, never a dot-name or a Windows reserved name; ``NN_`` prefix."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r'[\\/:*?"<>|#%&\';=\s\x00-\x1f\x7f]', "_", text).strip(" ._")
    text = text[:limit] or "_"
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return f"{index:02d}_{text}"


def md_escape(value: object) -> str:
    """Escape a cell for a Markdown table: special characters backslashed, newlines as <br>."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def md_escape_column(values: pd.Series) -> pd.Series:
    """:func:`md_escape` on a whole column (str, ``""`` for missing)."""
    t = values.astype("string").fillna("")
    t = t.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False)
    t = t.str.replace(_MD_SPECIAL.pattern, r"\\\1", regex=True)
    return t.str.replace("\r\n", "\n", regex=False).str.replace("\n", "<br>", regex=False)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place (hyoka.atomic)."""
    write_text(path, text)


def _bytecode_cache():
    """Jinja's own cache of compiled templates in the user's private temp folder (compiling the
    report templates took a tenth of the demo's run); none where that folder is unusable."""
    from jinja2 import FileSystemBytecodeCache
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(data_dir("reports") / "templates")),
                      autoescape=lambda name: name is None or ".html" in name or ".svg" in name,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=_bytecode_cache())
    env.filters["md"] = md_escape
    return env


def _pct(values: pd.Series) -> pd.Series:
    """Fractions as whole percents ("33%", hyoka.check.text.pct), ``""`` for missing."""
    return pct(pd.to_numeric(values, errors="coerce").astype("float64")).fillna("")


def records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict(orient="records")`` with missing values as ``""``, for templates: the
    columns are converted to plain Python objects once, as whole columns (pandas' own to_dict
    boxes every Arrow string one by one, which dominated rendering 100,000 rows)."""
    names = list(frame.columns)
    arrays = [frame[c].to_numpy(dtype=object, na_value="") for c in names]
    return [dict(zip(names, values)) for values in zip(*arrays)]


def _live(found: pd.DataFrame) -> pd.Series:
    return found["waived"].fillna("") == "" if "waived" in found else pd.Series(True, index=found.index)


def _counts(found: pd.DataFrame) -> dict[str, int]:
    """Findings per severity, not counting waived ones, and ``waived``: how many are waived."""
    live = found[_live(found)]
    c = live["severity"].value_counts().to_dict() if len(live) else {}
    return {**{s: int(c.get(s, 0)) for s in F.SEVERITIES}, "waived": int(len(found) - len(live))}


def _row_table(frame: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """One line per row of ``frame`` (same index): ``row``, ``source``, ``sheet``, ``progress``
    (percent text), and per field of :data:`ROW_FIELDS` ``<field>`` (the text as published),
    ``<field>_codes`` (codes of the findings on that cell), ``<field>_sev`` (the worst live
    severity on it, ``""`` when none), ``<field>_class`` (the cell's CSS class), ``<field>_md`` (the text escaped for Markdown);
    ``has_findings`` (bool). Whole columns: no loop over rows."""
    out = pd.DataFrame(index=frame.index)
    out["row"] = frame["row"].astype("int64")
    out["source"] = frame["source_file"].astype("string").fillna("")
    out["sheet"] = frame["sheet"].astype("string").fillna("") if "sheet" in frame else ""
    out["progress"] = _pct(frame["progress"])
    on_rows = found[found["row_index"].astype("int64") >= 0]
    live = on_rows[_live(on_rows)]
    codes = on_rows.groupby(["field", "row_index"])["code"].agg(lambda c: " ".join(sorted(set(c))))
    worst = live.assign(o=live["severity"].map(F.SEVERITY_ORDER)).groupby(["field", "row_index"])["o"].min()
    sev_names = pd.Series(F.SEVERITIES)
    has = pd.Series(False, index=frame.index)
    for fld, col in ROW_FIELDS:  # seven fields, each on the whole column
        text = frame[col].astype("string").fillna("") if col in frame else pd.Series("", index=frame.index, dtype="string")
        out[fld] = text
        out[f"{fld}_md"] = md_escape_column(text)
        c = codes.xs(fld, level="field") if fld in codes.index.get_level_values(0) else pd.Series(dtype="string")
        out[f"{fld}_codes"] = c.reindex(frame.index).astype("string").fillna("")
        w = worst.xs(fld, level="field") if fld in worst.index.get_level_values(0) else pd.Series(dtype="float64")
        out[f"{fld}_sev"] = w.reindex(frame.index).map(sev_names).astype("string").fillna("")
        out[f"{fld}_class"] = ("text mark-" + out[f"{fld}_sev"]).where(out[f"{fld}_sev"] != "", "text")
        has |= out[f"{fld}_codes"] != ""
    out["has_findings"] = has | frame.index.isin(on_rows["row_index"].to_numpy())
    return out


def _finding_departments(found: pd.DataFrame, frame: pd.DataFrame, s: dict) -> pd.Series:
    """The page each finding goes on: its department, or for H001 (a header cell not read) the
    department of the sheet's rows when they all have one; else the no-department page."""
    dep = found["department"].astype("string").fillna("")
    header = ((found["code"] == "H001") & (dep == "")).to_numpy()
    if header.any() and len(frame):
        sheet = found["cell"].astype("string").str.extract(r"^\[[^\]]+\](.+)![A-Z]+\d+$")[0].fillna("")
        key_f = found["source_file"].astype("string").fillna("") + "\x00" + sheet
        rows_sheet = frame["sheet"].astype("string").fillna("") if "sheet" in frame else ""
        key_r = frame["source_file"].astype("string").fillna("") + "\x00" + rows_sheet
        per_sheet = frame["department"].astype("string").groupby(key_r).agg(["nunique", "first"])
        single = per_sheet.loc[per_sheet["nunique"] == 1, "first"]
        dep = dep.mask(header, key_f.map(single).astype("string").fillna(""))
    return dep.replace("", s["no_department"])


def _descriptions(result, lang: str) -> dict[str, str]:
    """code → what the code checks: the catalog's rules in use, the edition codes (E), and the
    schema, table and waiver codes (S, H, W)."""
    from hyoka.authoring.docs import other_codes
    from hyoka.compare.editions import load_edition_spec

    out = {code: c["description"].get(lang, "") for code, c in other_codes().items()}
    out |= {code: c.texts["description"][lang] for code, c in load_edition_spec().codes.items()}
    out |= {r.code: r.description.get(lang, "") for r in result.rules}
    return out


def _groups(found: pd.DataFrame, descriptions: dict[str, str], cap: int = GROUP_CAP) -> list[dict]:
    """A department's findings grouped by rule, worst severity first, then code; each group shows
    at most ``cap`` findings (in table order) and counts the rest."""
    if not len(found):
        return []
    f = found.assign(_o=found["severity"].map(F.SEVERITY_ORDER), _live=_live(found))
    head = f.groupby("code", sort=False).agg(o=("_o", "min"), n=("code", "size"), live=("_live", "sum"),
                                             title=("title", "first"))
    head = head.reset_index().sort_values(["o", "code"], kind="stable")
    shown = f[f.groupby("code", sort=False).cumcount() < cap].drop(columns=["_o", "_live"]).fillna("")
    by_code = {code: records(g) for code, g in shown.groupby("code", sort=False)}
    return [{"code": h.code, "title": h.title, "severity": F.SEVERITIES[int(h.o)], "n": int(h.n),
             "waived": int(h.n - h.live), "findings": by_code[h.code], "hidden": int(h.n) - len(by_code[h.code]),
             "description": descriptions.get(h.code, "")} for h in head.itertuples()]


# --- the progress chart -------------------------------------------------------------------------

CHART = {"width": 720, "height": 400, "left": 60, "right": 20, "top": 16, "bottom": 48}
_ANCHORS = ((0x1a, 0x7f, 0x37), (0xd4, 0xa7, 0x2c), (0xcf, 0x22, 0x2e))  # green, amber, red
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

    pts = pd.DataFrame({"cx": np.round(x(e.to_numpy()) * 2) / 2, "cy": np.round(y(p.to_numpy()) * 2) / 2,
                        "grade": gkey.to_numpy(), "clipped": ((p < lo) | (p > hi) | (e < 0) | (e > 1)).to_numpy()})
    sub = frame[ok]
    label = (sub["source_file"].astype("string").fillna("") + ":" + sub["row"].astype("string") + " "
             + sub["department"].astype("string").fillna("") + " " + s["grade"] + " "
             + sub["grade_raw"].astype("string").fillna("") + " " + s["progress"] + " " + _pct(p)
             + " / " + s["elapsed"] + " " + _pct(e))
    pts["label"] = label.to_numpy()
    g = pts.groupby(["cx", "cy", "grade"], sort=False).agg(n=("label", "size"), label=("label", "first"),
                                                             clipped=("clipped", "any")).reset_index()
    g["cx"] = g["cx"] + 5.0 * g.groupby(["cx", "cy"], sort=False).cumcount()  # grades at one spot side by side
    more = s["chart_more"]
    g["title"] = np.where(g["n"] > 1, g["label"] + " " + g["n"].map(lambda n: more.format(n=n - 1)), g["label"])
    g["colour"] = g["grade"].map(colours).fillna(OTHER_GRADE)
    points = g[["cx", "cy", "grade", "n", "title", "colour", "clipped"]].to_dict(orient="records")
    counts = gkey.value_counts().to_dict()
    legend = [{"grade": gr.code, "colour": colours[gr.code], "n": int(counts.get(gr.code, 0)),
               "meaning": gr.meaning_ja if lang == "ja" else gr.meaning_en} for gr in scale.grades]
    if counts.get("", 0):
        legend.append({"grade": "", "colour": OTHER_GRADE, "n": int(counts[""]), "meaning": s["grade_other"]})
    xt = [{"v": v, "pos": float(x(v)), "label": f"{round(v * 100)}%"} for v in (0, 0.25, 0.5, 0.75, 1.0)]
    yt = [{"v": v, "pos": float(y(v)), "label": f"{round(v * 100)}%"} for v in _ticks(lo, hi)]
    line = {"x1": float(x(0.0)), "y1": float(y(0.0)), "x2": float(x(min(1.0, hi))), "y2": float(y(min(1.0, hi)))}
    behind = None
    if margin is not None and margin > 0:
        behind = {"x1": float(x(margin)), "y1": float(y(0.0)), "x2": float(x(1.0)), "y2": float(y(1.0 - margin))}
    return {**c, "pw": pw, "ph": ph, "points": points, "legend": legend, "xticks": xt, "yticks": yt,
            "schedule": line, "behind": behind, "margin": margin, "drawn": int(ok.sum()),
            "not_drawn": int(len(frame) - ok.sum()), "target_y": float(y(1.0)), "zero_y": float(y(0.0)),
            "lo": lo, "hi": hi}


# --- what changed since the previous edition --------------------------------------------------

def _edition_section(result: CheckResult, found: pd.DataFrame) -> dict:
    """E-code findings (codes E001…, from comparing two editions) grouped by code, and the
    comparison's summary from ``result.edition`` (previous_paths, previous_rows, matched) when
    the check had a previous edition."""
    edition = getattr(result, "edition", None)
    mine = found[found["code"].astype("string").str.match(_EDITION_CODE).fillna(False).to_numpy()]
    groups = []
    if len(mine):
        head = mine.groupby("code", sort=True).agg(n=("code", "size"), title=("title", "first"),
                                                   severity=("severity", "first"))
        shown = mine[mine.groupby("code", sort=False).cumcount() < EDITION_CAP].fillna("")
        by_code = {k: records(v) for k, v in shown.groupby("code", sort=False)}
        groups = [{"code": code, "title": h.title, "severity": h.severity, "n": int(h.n), "rows": by_code[code],
                   "hidden": int(h.n) - len(by_code[code])} for code, h in head.iterrows()]
    info = None
    if edition is not None:
        paths = getattr(edition, "previous_paths", None) or []
        info = {"paths": [Path(str(p)).name for p in paths],
                "rows": getattr(edition, "previous_rows", None), "matched": getattr(edition, "matched", None)}
    return {"given": edition is not None or bool(groups), "info": info, "groups": groups, "n": int(len(mine))}


def _stamp(generated: datetime | None) -> str:
    if generated is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        generated = (datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit()
                     else datetime.now(timezone.utc).astimezone())
    return generated.strftime("%Y-%m-%d %H:%M %Z").strip()


def _annotated_target(out: Path, table) -> Path:
    """``<book>.hyoka.xlsx`` in the report folder for a workbook input (its source name, folder
    included when two inputs share a name)."""
    return out / (safe_filename(str(Path(table.source).with_suffix("")), 0)[3:] + ".hyoka"
                  + Path(table.path).suffix.lower())


def write_reports(result: CheckResult, out_dir: Path | str, generated: datetime | None = None) -> list[Path]:
    """Write the reports (see module doc) and return the paths written. ``generated``: the time
    index.html states (default: now, or ``SOURCE_DATE_EPOCH`` when set). Raises HyokaError before
    writing anything when a report file would replace an input (a ``book.hyoka.xlsx`` given as one)."""
    out = Path(out_dir)
    from hyoka.pipeline import refuse_inputs
    for t in result.tables:
        if t.path.lower().endswith((".xlsx", ".xlsm")):
            refuse_inputs(_annotated_target(out, t), result.options, result.tables, "report file")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".hyoka-probe.", delete=True)
        probe.close()
    except OSError as exc:
        raise HyokaError(f"{out}: cannot write reports here ({exc.strerror or exc})") from None
    lang = result.options.lang
    s = strings(lang)
    env = _env()
    env.globals.update(counted=lambda key, n: counted(s, key, n), summary=lambda rows, c: summary_line(s, rows, c))
    stamp = _stamp(generated)
    frame, found = result.frame, result.findings
    descriptions = _descriptions(result, lang)
    dep_col = frame["department"].astype("string").fillna(s["no_department"])
    found_dep = _finding_departments(found, frame, s)
    names = list(dict.fromkeys(dep_col.tolist() + found_dep.tolist()))  # + departments only findings name
    rows_all = _row_table(frame, found)
    rows_by_dep = pd.Series(np.arange(len(frame))).groupby(dep_col.to_numpy(), sort=False).indices if len(frame) else {}
    found_by_dep = pd.Series(np.arange(len(found))).groupby(found_dep.to_numpy(), sort=False).indices if len(found) else {}
    written: list[Path] = []
    departments = []
    dept_tpl = {ext: env.get_template(f"department.{ext}.j2") for ext in ("html", "md")}
    for i, name in enumerate(names, start=1):  # one page per department: the rows are split once above
        stem = safe_filename(name, i)
        sub_frame = frame.iloc[rows_by_dep.get(name, [])]
        sub_found = found.iloc[found_by_dep.get(name, [])] if len(found) else found
        sub_rows = rows_all.iloc[rows_by_dep.get(name, [])]
        previous = sorted(set(sub_frame["department_previous"].dropna()) - {name})
        counts = _counts(sub_found)
        shown_rows = sub_rows if len(sub_rows) <= ROW_CAP else sub_rows[sub_rows["has_findings"].to_numpy()].head(ROW_CAP)
        ctx = {
            "s": s, "lang": lang, "name": name, "previous": previous,
            "counts": counts, "n_rows": len(sub_frame), "n_findings": len(sub_found),
            "groups": _groups(sub_found, descriptions), "open_groups": len(sub_found) <= OPEN_UP_TO,
            "findings": records(sub_found),
            "rows": records(shown_rows), "rows_hidden": len(sub_rows) - len(shown_rows),
            "scale": result.scale, "md_name": f"{stem}.md", "row_cap": ROW_CAP,
        }
        for ext in ("html", "md"):
            if ext == "md":
                ctx["rows"] = records(sub_rows)
            path = out / f"{stem}.{ext}"
            atomic_write(path, dept_tpl[ext].render(**ctx))
            written.append(path)
        departments.append({"name": name, "previous": previous, "html": f"{stem}.html", "md": f"{stem}.md",
                            "rows": len(sub_frame), "counts": counts})
    by_rule = []
    if len(found):
        f = found.assign(_live=_live(found))
        g = f.groupby(["code", "title", "severity"], sort=True).agg(n=("_live", "sum"), all=("_live", "size")).reset_index()
        g["waived"] = g["all"] - g["n"]
        by_rule = [{**r, "n": int(r["n"]), "waived": int(r["waived"]), "description": descriptions.get(r["code"], "")}
                   for r in g.drop(columns="all").to_dict(orient="records")]
    margin = getattr(result.options, "schedule_margin", None)
    index_ctx = {
        "s": s, "lang": lang, "stamp": stamp, "departments": departments, "by_rule": by_rule,
        "totals": _counts(found), "n_rows": len(frame), "scale": result.scale,
        "chart": progress_chart(frame, result.scale, s, lang, margin), "edition": _edition_section(result, found),
        "tables": [{"source": t.source, "read": t.sheets_read, "skipped": t.sheets_skipped, "rows": len(t.frame)}
                   for t in result.tables],
    }
    annotated = {}
    for t in result.tables:  # each workbook, answered in itself (hyoka.output.annotate)
        if t.path.lower().endswith((".xlsx", ".xlsm")):
            from hyoka.output.annotate import annotate_workbook
            target = _annotated_target(out, t)
            written.append(annotate_workbook(t.path, target, found, lang))
            annotated[t.source] = target.name
    for t in index_ctx["tables"]:
        t["annotated"] = annotated.get(t["source"], "")
    path = out / "index.html"
    atomic_write(path, env.get_template("index.html.j2").render(**index_ctx))
    written.append(path)
    path = out / "findings.json"
    atomic_write(path, json.dumps(F.to_records(found), ensure_ascii=False, indent=1) + "\n")
    written.append(path)
    _replace_manifest(out, written)
    return written


MANIFEST = ".hyoka-manifest.json"


def _replace_manifest(out: Path, written: list[Path]) -> None:
    """Remove the pages an earlier run wrote that this run did not (a department that is gone
    would otherwise keep a stale page), then record what this run wrote. Only files listed in
    hyoka's own manifest are ever removed."""
    names = sorted(p.name for p in written)
    manifest = out / MANIFEST
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        previous = []
    for name in set(map(str, previous)) - set(names):
        stale = out / Path(name).name  # a bare name: never a path outside out/
        if stale.suffix in (".html", ".md", ".json", ".xlsx", ".xlsm") and stale.is_file():
            stale.unlink(missing_ok=True)
    atomic_write(manifest, json.dumps({"files": names}, ensure_ascii=False, indent=1) + "\n")
