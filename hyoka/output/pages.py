"""What the report pages show, as plain data for the templates (whole columns, no loop over rows).

- :func:`row_table`: one line per row of a department's table, with the cells that have findings
  marked; :func:`groups`: a department's findings grouped by rule; :func:`edition_section`: the
  dashboard's "what changed since the previous edition"; :func:`finding_list`: the dashboard's
  list of every finding (at most :data:`INDEX_CAP`), with its filters' choices;
- :func:`sources`: the files and sheets a department's page comes from, with the annotated
  workbook of each; :func:`cell_breaks`: a cell reference that may wrap after its file and sheet;
- :func:`records` (frames as template records), :func:`md_escape` / :func:`md_escape_column`
  (Markdown table cells), :func:`not_waived` (which findings no waiver accepts).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from markupsafe import Markup, escape

from hyoka.cellref import is_page
from hyoka.check import findings as F
from hyoka.check.text import pct
from hyoka.display import BIDI_CONTROLS, without_bidi

if TYPE_CHECKING:
    from hyoka.pipeline import CheckResult

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_EDITION_CODE = r"^E\d{3}$"

#: at most this many findings of one rule are shown on a department's HTML page (the .md has all)
GROUP_CAP = 200
#: at most this many rows are shown on a department's HTML page; beyond it only rows with findings
ROW_CAP = 2000
#: at most this many rows are listed per code in "what changed since the previous edition"
EDITION_CAP = 50
#: at most this many departments get a page (an .html and an .md); beyond it the departments with
#: findings come first and the rest are lines of index.html (hyoka.output.report._plan)
PAGE_CAP = 200
#: at most this many findings are listed on index.html (findings.json and the department pages have all)
INDEX_CAP = 3000
#: the list's order of severities; a waived finding sorts after every live one
LIST_SEVERITIES = (*F.SEVERITIES, "waived")

#: the row fields shown on a department page: (field of the findings table, column of the frame)
ROW_FIELDS = (
    ("item", "item"),
    ("project", "project"),
    ("grade", "grade_raw"),
    ("indicator", "indicator"),
    ("baseline", "baseline_raw"),
    ("target", "target_raw"),
    ("current", "current_raw"),
)


def md_escape(value: object) -> str:
    """Escape a cell for a Markdown table: ``& < >`` as entities (no raw HTML), Markdown's special
    characters (``\\ ` * _ [ ] | ~``) backslashed, and every line end CommonMark knows (LF, CR,
    CRLF) as ``<br>``, so no text can end the table's line, start a block or split a cell."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else without_bidi(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def md_escape_column(values: pd.Series) -> pd.Series:
    """:func:`md_escape` on a whole column (str, ``""`` for missing)."""
    t = values.astype("string").fillna("")
    if t.str.contains(f"[{BIDI_CONTROLS}]", regex=True).any():  # rare: the escape per distinct value
        t = t.map(without_bidi).astype("string")
    t = (
        t.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
    )
    t = t.str.replace(_MD_SPECIAL.pattern, r"\\\1", regex=True)
    t = t.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    return t.str.replace("\n", "<br>", regex=False)


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


def not_waived(found: pd.DataFrame) -> pd.Series:
    return found["waived"].fillna("") == "" if "waived" in found else pd.Series(True, index=found.index)


def row_table(frame: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """One line per row of ``frame`` (same index): ``row``, ``source``, ``sheet``, ``row_label`` (what
    the row column shows: the row number, or in a PDF or HTML table, whose rows are counted per page
    or table, ``p2!R5``), ``progress``
    (percent text), and per field of :data:`ROW_FIELDS` ``<field>`` (the text as published),
    ``<field>_codes`` (codes of the findings on that cell), ``<field>_sev`` (the worst live
    severity on it, ``""`` when none), ``<field>_class`` (the cell's CSS class), ``<field>_md`` (the text escaped for Markdown);
    ``has_findings`` (bool). Whole columns: no loop over rows."""
    out = pd.DataFrame(index=frame.index)
    out["row"] = frame["row"].astype("int64")
    out["source"] = frame["source_file"].astype("string").fillna("")
    out["sheet"] = frame["sheet"].astype("string").fillna("") if "sheet" in frame else ""
    rc = out["source"].map(is_page).astype(bool) & (out["sheet"] != "")
    out["row_label"] = (out["sheet"] + "!R" + out["row"].astype("string")).where(rc, out["row"].astype("string"))
    out["progress"] = _pct(frame["progress"])
    on_rows = found[found["row_index"].astype("int64") >= 0]
    live = on_rows[not_waived(on_rows)]
    codes = on_rows.groupby(["field", "row_index"])["code"].agg(lambda c: " ".join(sorted(set(c))))
    worst = live.assign(o=live["severity"].map(F.SEVERITY_ORDER)).groupby(["field", "row_index"])["o"].min()
    sev_names = pd.Series(F.SEVERITIES)
    has = pd.Series(False, index=frame.index)
    for fld, col in ROW_FIELDS:  # seven fields, each on the whole column
        text = (
            frame[col].astype("string").fillna("") if col in frame else pd.Series("", index=frame.index, dtype="string")
        )
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


def groups(found: pd.DataFrame, descriptions: dict[str, str], cap: int = GROUP_CAP) -> list[dict]:
    """A department's findings grouped by rule, worst severity first, then code; each group shows
    at most ``cap`` findings (in table order) and counts the rest."""
    if not len(found):
        return []
    f = found.assign(_o=found["severity"].map(F.SEVERITY_ORDER), _live=not_waived(found))
    head = f.groupby("code", sort=False).agg(
        o=("_o", "min"), n=("code", "size"), live=("_live", "sum"), title=("title", "first")
    )
    head = head.reset_index().sort_values(["o", "code"], kind="stable")
    shown = f[f.groupby("code", sort=False).cumcount() < cap].drop(columns=["_o", "_live"]).fillna("")
    by_code = {code: records(g) for code, g in shown.groupby("code", sort=False)}
    return [
        {
            "code": h.code,
            "title": h.title,
            "severity": F.SEVERITIES[int(h.o)],
            "n": int(h.n),
            "waived": int(h.n - h.live),
            "findings": by_code[h.code],
            "hidden": int(h.n) - len(by_code[h.code]),
            "description": descriptions.get(h.code, ""),
        }
        for h in head.itertuples()
    ]


# --- what changed since the previous edition --------------------------------------------------


def edition_section(result: CheckResult, found: pd.DataFrame) -> dict:
    """E-code findings (codes E001…, from comparing two editions) grouped by code, and the
    comparison's summary from ``result.edition`` (previous_paths, previous_rows, matched) when
    the check had a previous edition."""
    edition = getattr(result, "edition", None)
    mine = found[found["code"].astype("string").str.match(_EDITION_CODE).fillna(False).to_numpy()]
    groups = []
    if len(mine):
        head = mine.groupby("code", sort=True).agg(
            n=("code", "size"), title=("title", "first"), severity=("severity", "first")
        )
        shown = mine[mine.groupby("code", sort=False).cumcount() < EDITION_CAP].fillna("")
        by_code = {k: records(v) for k, v in shown.groupby("code", sort=False)}
        groups = [
            {
                "code": code,
                "title": h.title,
                "severity": h.severity,
                "n": int(h.n),
                "rows": by_code[code],
                "hidden": int(h.n) - len(by_code[code]),
            }
            for code, h in head.iterrows()
        ]
    info = None
    if edition is not None:
        paths = getattr(edition, "previous_paths", None) or []
        info = {
            "paths": [Path(str(p)).name for p in paths],
            "rows": getattr(edition, "previous_rows", None),
            "matched": getattr(edition, "matched", None),
        }
    return {"given": edition is not None or bool(groups), "info": info, "groups": groups, "n": int(len(mine))}


# --- the dashboard's list of every finding ---------------------------------------------------


def finding_list(found: pd.DataFrame, departments: pd.Series, pages: list[dict], cap: int = INDEX_CAP) -> dict:
    """The findings as the dashboard lists them, for reports/templates/index.html.j2.

    ``found``: the findings table with ``cell`` (hyoka.output.places.with_cells); ``departments``:
    the page each finding goes on (a department name, aligned with ``found``); ``pages``: the
    department pages in order (``name``, ``html``).

    Returns ``rows`` (records: ``sev`` (error / warning / info, or ``waived`` for a waived
    finding), ``severity`` (the rule's own), ``s`` (rank of ``sev`` in :data:`LIST_SEVERITIES`),
    ``d`` (the department's position in ``pages``), ``department``, ``html``, ``code``, ``title``,
    ``cell``, ``project``, ``indicator``, ``message``, ``waived`` (the waiver's reason), ``p`` (the
    finding's position in ``found``: file and row order)), ordered by severity, department, then
    position; ``n`` (all findings), ``hidden`` (not listed) and ``hidden_by_department``
    (``name``, ``html``, ``n``); the filters' choices ``severities``, ``departments``, ``rules``
    (``value``, ``label`` parts, ``n``: listed rows). Above ``cap`` findings the list keeps the most
    severe first, and within a severity the first findings of every department before the later
    ones of any (one department with thousands of warnings does not push another's out)."""
    n = len(found)
    empty = {"rows": [], "n": n, "hidden": 0, "hidden_by_department": [], "severities": [], "departments": []}
    if not n:
        return {**empty, "rules": []}
    index = {d["name"]: i for i, d in enumerate(pages)}
    sev = found["severity"].astype("string").fillna("info").where(not_waived(found).to_numpy(), "waived")
    t = pd.DataFrame(
        {
            "s": sev.map({v: i for i, v in enumerate(LIST_SEVERITIES)}).fillna(2).astype("int64").to_numpy(),
            "d": departments.map(index).fillna(len(pages)).astype("int64").to_numpy(),
            "p": range(n),
        }
    )
    t["within"] = t.groupby(["s", "d"], sort=False).cumcount()
    keep = t.sort_values(["s", "within", "d", "p"], kind="stable").head(cap)
    keep = keep.sort_values(["s", "d", "p"], kind="stable")
    shown = found.iloc[keep["p"].to_numpy()]
    out = pd.DataFrame(
        {
            "sev": sev.iloc[keep["p"].to_numpy()].to_numpy(),
            "s": keep["s"].to_numpy(),
            "d": keep["d"].to_numpy(),
            "p": keep["p"].to_numpy(),
        }
    )
    for col in ("severity", "code", "title", "cell", "project", "indicator", "message", "waived"):
        out[col] = (
            (shown[col] if col in shown else pd.Series("", index=shown.index)).astype("string").fillna("").to_numpy()
        )
    names = [d["name"] for d in pages]
    out["department"] = departments.iloc[keep["p"].to_numpy()].astype("string").fillna("").to_numpy()
    out["html"] = out["d"].map(lambda i: pages[i]["html"] if i < len(pages) else "")
    hidden = t.drop(index=keep.index)
    by_dep = hidden["d"].value_counts().sort_index()
    listed_sev = out["s"].value_counts().to_dict()
    listed_dep = out["d"].value_counts().to_dict()
    rules = out.groupby("code", sort=True).agg(title=("title", "first"), n=("code", "size")).reset_index()
    return {
        "rows": records(out),
        "n": n,
        "hidden": len(hidden),
        "hidden_by_department": [
            {
                "name": names[i] if i < len(names) else "",
                "html": pages[i]["html"] if i < len(pages) else "",
                "n": int(k),
            }
            for i, k in by_dep.items()
        ],
        "severities": [
            {"value": v, "n": int(listed_sev[i])} for i, v in enumerate(LIST_SEVERITIES) if listed_sev.get(i)
        ],
        "departments": [
            {"value": i, "label": name, "n": int(listed_dep[i])} for i, name in enumerate(names) if listed_dep.get(i)
        ],
        "rules": [{"value": r.code, "label": r.title, "n": int(r.n)} for r in rules.itertuples()],
    }


# --- where a department's page comes from -----------------------------------------------------


def sources(frame: pd.DataFrame, found: pd.DataFrame, annotated: dict[str, str]) -> list[dict]:
    """The files a department's rows (``frame``: ``source_file``, ``sheet``) and findings
    (``found``: ``source_file``, ``sheet``; a finding on no file, such as a waiver's, is left out)
    come from, in the order first met: ``file`` (the name as given), ``sheets`` (the sheets, in
    the order first met; none for a CSV; a PDF's pages), ``sheet_word`` (the strings key that names
    them: ``sheet``, or ``page`` for a PDF) and ``annotated`` (``annotated[file]``: the name of the
    workbook with the findings written in, ``""`` when there is none)."""
    parts = [
        pd.DataFrame(
            {
                "file": t["source_file"].astype("string").fillna(""),
                "sheet": (t["sheet"] if "sheet" in t else pd.Series("", index=t.index)).astype("string").fillna(""),
            }
        )
        for t in (frame, found)
        if len(t) and "source_file" in t
    ]
    if not parts:
        return []
    both = pd.concat(parts, ignore_index=True).drop_duplicates()
    both = both[both["file"] != ""]
    return [
        {
            "file": name,
            "sheets": [x for x in g["sheet"].tolist() if x],
            "sheet_word": "page" if str(name).lower().endswith(".pdf") else "sheet",
            "annotated": annotated.get(name, ""),
        }
        for name, g in both.groupby("file", sort=False)
    ]


def cell_breaks(cell: object) -> Markup:
    """A cell reference (``[seed_r5.xlsx]R5実施状況!J7``, ``t.csv:27:grade``) escaped, with a
    line-break opportunity after its file and sheet (and after a ``_`` of a long file name), so that
    a narrow column wraps it there and not inside a name."""
    text = str(escape("" if cell is None else without_bidi(cell)))
    for mark in ("]", "!", ":", "_"):
        text = text.replace(mark, mark + "<wbr>")
    return Markup(text)
