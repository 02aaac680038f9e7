"""Writing the review reports: one HTML page and one Markdown file per department, and an index.

``write_reports(result, out_dir)`` writes into ``out_dir``:

- ``index.html``: the coordinator's overview (department × severity counts with links, counts per
  rule, the files and sheets read);
- ``NN_<department>.html`` and ``.md``: that department's findings (cell, values as published,
  what was expected, how to fix) and its rows, with the cells that have findings marked;
- ``findings.json``: the findings table (keys of hyoka.findings.RECORD_KEYS, with ``waived``).

Pages are self-contained (inline CSS, no script, no network) and printable. Every value is
escaped (Jinja2 autoescape for HTML; a Markdown escape for .md). Each file is written to a
temporary file in ``out_dir`` and renamed into place, so an interrupted run leaves the previous
report intact. Raises HyokaError when ``out_dir`` cannot be written.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader

from . import findings as F
from .atomic import write_text
from .errors import HyokaError
from .pipeline import CheckResult
from .resources import data_dir, load_yaml

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def strings(lang: str) -> dict[str, str]:
    return load_yaml(data_dir("reports") / "strings.yaml")[lang]


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


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place (hyoka.atomic)."""
    write_text(path, text)


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(data_dir("reports") / "templates")),
                      autoescape=lambda name: name is None or ".html" in name,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = md_escape
    return env


def _fmt_progress(v: float) -> str:
    return "" if pd.isna(v) else f"{round(v * 100) + 0:.0f}%"  # + 0 turns -0 into 0


def _department_rows(frame: pd.DataFrame, found: pd.DataFrame) -> list[dict]:
    marks = found.groupby(["row_index", "field"])["code"].agg(lambda c: " ".join(sorted(set(c)))).to_dict()
    found = found[_live(found)]  # a waived finding names its code in the cell but does not colour it
    sev = found.assign(o=found["severity"].map(F.SEVERITY_ORDER)).groupby(["row_index", "field"])["o"].min().to_dict()
    rows = []
    for idx, r in frame.iterrows():  # report rendering, one department's rows: not a rule loop
        cells = {}
        for fld, col in (("item", "item"), ("project", "project"), ("grade", "grade_raw"),
                         ("indicator", "indicator"), ("baseline", "baseline_raw"),
                         ("target", "target_raw"), ("current", "current_raw")):
            cells[fld] = {"text": "" if pd.isna(r[col]) else str(r[col]), "codes": marks.get((idx, fld), ""),
                          "severity": F.SEVERITIES[sev[(idx, fld)]] if (idx, fld) in sev else ""}
        rows.append({"row": int(r["row"]), "source": r["source_file"], "sheet": r["sheet"] or "",
                     "cells": cells, "progress": _fmt_progress(r["progress"])})
    return rows


def _live(found: pd.DataFrame) -> pd.Series:
    return found["waived"].fillna("") == "" if "waived" in found else pd.Series(True, index=found.index)


def _counts(found: pd.DataFrame) -> dict[str, int]:
    """Findings per severity, not counting waived ones, and ``waived``: how many are waived."""
    live = found[_live(found)]
    c = live["severity"].value_counts().to_dict() if len(live) else {}
    return {**{s: int(c.get(s, 0)) for s in F.SEVERITIES}, "waived": int(len(found) - len(live))}


def write_reports(result: CheckResult, out_dir: Path | str, generated: datetime | None = None) -> list[Path]:
    """Write the reports (see module doc) and return the paths written."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".hyoka-probe.", delete=True)
        probe.close()
    except OSError as exc:
        raise HyokaError(f"{out}: cannot write reports here ({exc.strerror or exc})") from None
    lang = result.options.lang
    s = strings(lang)
    env = _env()
    generated = generated or datetime.now(timezone.utc).astimezone()
    stamp = generated.strftime("%Y-%m-%d %H:%M %Z").strip()
    frame, found = result.frame, result.findings
    dep_col = frame["department"].fillna(s["no_department"])
    found_dep = found["department"].replace("", s["no_department"])
    names = list(dict.fromkeys(dep_col.tolist() + found_dep.tolist()))  # + departments only findings name
    written: list[Path] = []
    departments = []
    for i, name in enumerate(names, start=1):
        stem = safe_filename(name, i)
        sub_frame = frame[(dep_col == name).to_numpy()]
        sub_found = found[(found_dep == name).to_numpy()]
        previous = sorted(set(sub_frame["department_previous"].dropna()) - {name})
        ctx = {
            "s": s, "lang": lang, "name": name, "previous": previous, "stamp": stamp,
            "counts": _counts(sub_found), "n_rows": len(sub_frame),
            "findings": sub_found.fillna("").to_dict(orient="records"),
            "rows": _department_rows(sub_frame, sub_found), "scale": result.scale,
        }
        for ext in ("html", "md"):
            path = out / f"{stem}.{ext}"
            atomic_write(path, env.get_template(f"department.{ext}.j2").render(**ctx))
            written.append(path)
        departments.append({"name": name, "previous": previous, "html": f"{stem}.html", "md": f"{stem}.md",
                            "rows": len(sub_frame), "counts": ctx["counts"]})
    by_rule = []
    if len(found):
        g = found.groupby(["code", "title", "severity"], sort=True).size().reset_index(name="n")
        by_rule = g.to_dict(orient="records")
    index_ctx = {
        "s": s, "lang": lang, "stamp": stamp, "departments": departments, "by_rule": by_rule,
        "totals": _counts(found), "n_rows": len(frame), "scale": result.scale,
        "tables": [{"source": t.source, "read": t.sheets_read, "skipped": t.sheets_skipped, "rows": len(t.frame)}
                   for t in result.tables],
    }
    annotated = {}
    for t in result.tables:  # each workbook, answered in itself (hyoka.annotate)
        if t.path.lower().endswith((".xlsx", ".xlsm")):
            from .annotate import annotate_workbook
            target = out / (safe_filename(Path(t.source).stem, 0)[3:] + ".hyoka" + Path(t.path).suffix.lower())
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
