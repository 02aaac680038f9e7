"""Writing the review reports: one HTML page and one Markdown file per department, and an index.

``write_reports(result, out_dir)`` writes into ``out_dir``:

- ``index.html``: the coordinator's dashboard. At the top, what a manager reads in thirty seconds:
  the plan's title and edition (``title`` of hyoka.toml, else the input files' names; the year of
  the current values), when the report was made (:func:`stamp`), rows checked and findings per
  severity, the departments and the rules with the most errors and warnings. Then department ×
  severity counts with links to the department pages; the list of every finding
  (hyoka.output.pages.finding_list: at most :data:`INDEX_CAP`, the rest named), a plain table that
  a small inline script (reports/templates/_findings.js, allowed by its hash in the page's
  Content-Security-Policy) makes sortable and filterable by severity, department and rule; counts
  per rule (code, title, the rule's description); the progress chart (hyoka.output.chart: a strip
  per grade on a single-year table, else progress against the plan's period elapsed; numbered
  points and their key; a sentence instead when nothing can be drawn); what changed since the
  previous edition (findings with codes ``E001``…, and ``result.edition`` when the check compared
  two editions); the files and sheets read;
- ``NN_<department>.html`` and ``.md`` (at most :data:`PAGE_CAP` departments, :func:`_plan`):
  where the page comes from (the plan's ``title`` when the options have one, the files and
  sheets, when it was made, its annotated workbook and its .md),
  that department's findings, grouped by rule under a list of the rules (the HTML shows at most
  :data:`GROUP_CAP` per rule and says how many more there are; the .md lists them all) and its
  rows, with the cells that have findings marked (the HTML shows at most :data:`ROW_CAP` rows:
  beyond that, only the rows with findings; the .md lists every row). The HTML prints on A4
  landscape, every group open (no ``<details>``: a closed one would not print);
- ``findings.json``: the findings table (keys of hyoka.check.findings.RECORD_KEYS, with ``waived``);
- ``<book>.hyoka.xlsx``: each .xlsx input with its findings written in (hyoka.output.annotate),
  under a name of its own in the run, beside a copy the user edited rather than over it
  (:func:`_annotated_targets`); the pages say when a copy holds the findings sheet only.

Pages are self-contained (inline CSS, SVG and the one hashed script; no network, no external
font), work without script, and print. Every value is escaped (Jinja2 autoescape for HTML; a
Markdown escape for .md). The same input and options give byte-identical files except the one line
of each page that says when the report was made (``id="generated"`` in HTML, ``- 作成日時：`` /
``- Generated:`` in Markdown; ``SOURCE_DATE_EPOCH`` fixes it too). The whole report is written
into a hidden staging folder in ``out_dir`` and its files renamed into place only when every one
is written (index.html last), so a run that fails or is interrupted midway leaves the previous
report intact, byte for byte; no report file may be a file the run reads, and this is checked
before anything is written. At most :data:`PAGE_CAP` departments get a page (those with findings
first); the others are lines of the index with a note. A ``--department`` run's index says it
covers that department only (``scope``), and a run removes only the stale files a run of the
same scope wrote (:func:`_replace_manifest`): a department's check never deletes the pages of the
report of all. Raises HyokaError when ``out_dir`` cannot be written.

What the pages show is built in :mod:`hyoka.output.pages` (rows, rule groups, the list of
findings, the editions section) and :mod:`hyoka.output.chart` (the progress chart); this module
writes the files.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from hyoka.atomic import atomic_write
from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.display import without_bidi
from hyoka.errors import HyokaError, Message, msg, os_reason
from hyoka.files import read_regular, real
from hyoka.inputs import input_paths, refuse_inputs
from hyoka.normalise.frame import era_label
from hyoka.output.annotate import annotate, summary_only_warning
from hyoka.output.chart import CHART, grade_colours, progress_chart  # noqa: F401 (CHART, grade_colours: the interface)
from hyoka.output.pages import (  # noqa: F401
    EDITION_CAP,
    GROUP_CAP,
    INDEX_CAP,
    PAGE_CAP,
    ROW_CAP,
    ROW_FIELDS,
    cell_breaks,
    edition_section,
    finding_list,
    groups,
    md_escape,
    md_escape_column,
    not_waived,
    records,
    row_table,
    sources,
)
from hyoka.output.places import with_cells
from hyoka.pipeline import CheckResult
from hyoka.resources import data_dir, load_yaml

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


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
    """ "15行を確認：エラー 1件、警告 2件、情報 0件" / "15 rows checked: 1 error, 2 warnings, 0 infos"."""
    return s["summary_line"].format(
        rows=counted(s, "n_rows", rows),
        error=counted(s, "n_error", counts["error"]),
        warning=counted(s, "n_warning", counts["warning"]),
        info=counted(s, "n_info", counts["info"]),
    )


def skipped_rows(result, s: dict) -> list[dict[str, Any]]:
    """The rows of each table that were not checked as projects (hyoka.read.layout), for the
    report: ``source``, ``sheet``, ``row``, ``reason`` (in the report's language), ``text``."""
    return [
        {"source": t.source, "sheet": sheet, "row": row, "reason": s.get(f"skip_{why}", why), "text": text}
        for t in result.tables
        for sheet, row, why, text in t.skipped_rows
    ]


def skipped_line(result, s: dict) -> str:
    """One line for the terminal: how many rows were not checked as projects, by reason; ``""``
    when none."""
    reasons: dict[str, int] = {}
    for t in result.tables:
        for _, _, why, _ in t.skipped_rows:
            reasons[why] = reasons.get(why, 0) + 1
    if not reasons:
        return ""
    sep = s.get("sep", "、")
    text = sep.join(f"{s.get(f'skip_{why}', why)} {n}" for why, n in reasons.items())
    return s["rows_skipped_line"].format(n=sum(reasons.values()), reasons=text)


def summary_text(s: dict, rows: int, found: pd.DataFrame) -> str:
    """:func:`summary_line` for a findings table, waived findings left out of the counts and
    named after them ("…、情報 0件（除外 1件）")."""
    counts = _counts(found)
    return summary_line(s, rows, counts) + (s["waived_count"].format(n=counts["waived"]) if counts["waived"] else "")


#: characters no generated file name keeps (each becomes ``_``): path separators and characters
#: shells, URLs or Windows treat specially; white space; C0 and C1 controls; invisible format and
#: direction characters (soft hyphen, Arabic letter mark, zero-width spaces and joiners, the
#: left-to-right / right-to-left marks, embeddings, overrides and isolates U+202A–E, U+2066–9 that
#: make ``01_\u202eexe.lmth.html`` read as ``…html.exe``, the BOM, the interlinear annotations,
#: tags); surrogates and private-use characters
_HOSTILE_NAME = re.compile(
    r'[\\/:*?"<>|#%&\';=\s\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f'
    r"\ufeff\ufff9-\ufffb\ud800-\uf8ff\U000e0000-\U000e007f\U000f0000-\U0010ffff]"
)


def safe_filename(name: str, index: int, limit: int = 60) -> str:
    """A file-name stem for a department: readable Japanese kept, path separators, white space,
    control, direction-override and other invisible characters replaced (:data:`_HOSTILE_NAME`),
    at most ``limit`` characters, never a dot-name or a Windows reserved name; ``NN_`` prefix."""
    text = unicodedata.normalize("NFKC", name)
    text = _HOSTILE_NAME.sub("_", text).strip(" ._")
    text = text[:limit] or "_"
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return f"{index:02d}_{text}"


def _bytecode_cache():
    """Jinja's own cache of compiled templates in the user's private temp folder (compiling the
    report templates took a tenth of the demo's run); none where that folder is unusable."""
    from jinja2 import FileSystemBytecodeCache

    try:
        # the name says how the templates are compiled (finalize): code compiled otherwise is not reused
        return FileSystemBytecodeCache(pattern="__hyoka_jinja2_bidi_%s.cache")
    except (OSError, RuntimeError):
        return None


def environment() -> Environment:
    """The report templates' Jinja environment (reports/templates): autoescape for HTML and SVG,
    every printed value with its direction controls shown (:func:`hyoka.display.without_bidi`),
    the ``md`` and ``cellbreak`` filters; shared by the pages of ``hyoka serve``."""
    env = Environment(
        loader=FileSystemLoader(str(data_dir("reports") / "templates")),
        # every value a template prints: direction controls shown, not obeyed (Markup is made already)
        finalize=lambda v: v if isinstance(v, Markup) or not isinstance(v, str) else without_bidi(v),
        autoescape=lambda name: name is None or ".html" in name or ".svg" in name,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["md"] = md_escape
    env.filters["cellbreak"] = cell_breaks
    return env


def _counts(found: pd.DataFrame) -> dict[str, int]:
    """Findings per severity, not counting waived ones, and ``waived``: how many are waived."""
    live = found[not_waived(found)]
    c = live["severity"].value_counts().to_dict() if len(live) else {}
    return {**{s: int(c.get(s, 0)) for s in F.SEVERITIES}, "waived": int(len(found) - len(live))}


_NONE = {**dict.fromkeys(F.SEVERITIES, 0), "waived": 0}


def _by_department(
    frame: pd.DataFrame, dep_col: pd.Series, found: pd.DataFrame, found_dep: pd.Series
) -> tuple[dict[str, dict[str, int]], dict[str, list[str]]]:
    """For every department at once: its :func:`_counts` (departments without findings are
    absent: :data:`_NONE`) and its previous names (``department_previous`` of its rows other than
    its own name, sorted)."""
    counts: dict[str, dict[str, int]] = {}
    if len(found):
        live = not_waived(found).to_numpy(bool)
        sev = found["severity"].astype("string").fillna("").to_numpy(dtype=object)
        sev[~live] = "waived"
        table = pd.crosstab(found_dep.to_numpy(dtype=object), sev)
        for name, row in zip(table.index, table.to_dict(orient="records")):
            counts[name] = {k: int(row.get(k, 0)) for k in _NONE}
    previous: dict[str, list[str]] = {}
    if len(frame) and "department_previous" in frame:
        pairs = pd.DataFrame(
            {"d": dep_col.to_numpy(dtype=object), "p": frame["department_previous"].to_numpy(dtype=object)}
        )
        pairs = pairs[pairs["p"].notna().to_numpy()]
        pairs = pairs[(pairs["p"].astype(str) != pairs["d"].astype(str)).to_numpy()].drop_duplicates()
        for name, group in pairs.groupby("d", sort=False)["p"]:
            previous[name] = sorted(group.tolist())
    return counts, previous


def finding_departments(found: pd.DataFrame, frame: pd.DataFrame, s: dict) -> pd.Series:
    """The page each finding goes on: its department, or for H001 (a header cell not read) and
    H002 (checks a missing column switched off), which are about a table, the department of the
    sheet's rows when they all have one; else the no-department page."""
    dep = found["department"].astype("string").fillna("")
    header = (found["code"].isin(["H001", "H002", "H003", "H004", "H005", "H007"]) & (dep == "")).to_numpy()
    if header.any() and len(frame):
        sheet = found["sheet"].astype("string").fillna("")
        key_f = found["source_file"].astype("string").fillna("") + "\x00" + sheet
        rows_sheet = frame["sheet"].astype("string").fillna("") if "sheet" in frame else ""
        key_r = frame["source_file"].astype("string").fillna("") + "\x00" + rows_sheet
        per_sheet = frame["department"].astype("string").groupby(key_r).agg(["nunique", "first"])
        single = per_sheet.loc[per_sheet["nunique"] == 1, "first"]
        dep = dep.mask(header, key_f.map(single).astype("string").fillna(""))
    return dep.replace("", s["no_department"])


def descriptions(result, lang: str) -> dict[str, str]:
    """code → what the code checks: the catalog's rules in use and every other code
    (hyoka.check.registry)."""
    return {code: c.text("description", lang) for code, c in registry.all_codes(result.rules).items()}


#: Japan Standard Time (UTC+9, no summer time): the zone of a Japanese report
JST = timezone(timedelta(hours=9), "JST")


def stamp(generated: datetime | None, lang: str = "ja") -> str:
    """When the report was made, as the page says it: ``2026-12-03 17:40 JST``.

    A fixed instant (``generated``, or ``SOURCE_DATE_EPOCH`` when set: a reproducible build) is
    shown in the report language's zone, JST for Japanese and UTC for English, so the same
    instant gives the same text on every machine. Otherwise the time is now in the machine's
    zone, except that a Japanese report made on a machine on UTC with no ``TZ`` set (a CI runner,
    a container) says JST: its readers are in Japan and a UTC time would mislead them; ``TZ=UTC``
    set on purpose is kept. A naive ``generated`` is taken as the machine's local time."""
    if generated is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch.isdigit():
            generated = datetime.fromtimestamp(int(epoch), UTC)
    if generated is not None:
        shown = generated.astimezone(JST if lang == "ja" else UTC)
    else:
        shown = datetime.now().astimezone()
        offset = shown.utcoffset()
        if lang == "ja" and not os.environ.get("TZ") and offset in (timedelta(0), timedelta(hours=9)):
            shown = shown.astimezone(JST)  # also names +9 "JST" where the system calls it otherwise
    zone = shown.tzname() or shown.strftime("UTC%z")
    return f"{shown:%Y-%m-%d %H:%M} {zone}"


def _script() -> tuple[Markup, str]:
    """The findings list's script (reports/templates/_findings.js) as the page carries it, and
    the CSP source that allows exactly that text (``'sha256-…'`` of its UTF-8 bytes)."""
    text = (data_dir("reports") / "templates" / "_findings.js").read_text(encoding="utf-8")
    if "</" in text:
        raise HyokaError("reports/templates/_findings.js must not contain '</' (it would end the script element)")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), Markup(f"'sha256-{digest}'")


def _heading(result, s: dict) -> dict[str, str]:
    """The dashboard's heading: ``title`` (hyoka.toml ``title``, else the input files' names),
    ``files`` (the names, at most three and how many more) and ``year`` (the fiscal year of the
    current values, ``R5（2023年度）`` / ``FY2023``, a span when they differ, ``""`` when none)."""
    names = [t.source for t in result.tables]
    files = s["sep"].join(names[:3]) + (s["sep"] + s["more_files"].format(n=len(names) - 3) if len(names) > 3 else "")
    years = pd.Series(dtype="float64")
    if "current_year" in result.frame:
        years = pd.to_numeric(result.frame["current_year"], errors="coerce").dropna()
    year = ""
    if len(years):
        first, last = int(years.min()), int(years.max())
        if first == last:
            era = era_label(pd.Series([first])).iloc[0]
            year = s["fiscal_year"].format(era=era if isinstance(era, str) else first, year=first)
        else:
            year = s["fiscal_years"].format(first=first, last=last)
    title = getattr(result.options, "title", None) or ""
    return {"title": title or files, "files": files, "year": year, "given": bool(title)}


def _tops(departments: list[dict], by_rule: list[dict], k: int = 5) -> tuple[list[dict], list[dict]]:
    """The departments and the rules with the most errors, then warnings (live findings; at most
    ``k`` of each, ties in page and code order); info findings do not rank."""
    deps = [d for d in departments if d["counts"]["error"] + d["counts"]["warning"]]
    deps = sorted(deps, key=lambda d: (-d["counts"]["error"], -d["counts"]["warning"]))[:k]
    order = {s: i for i, s in enumerate(F.SEVERITIES)}
    rules = [r for r in by_rule if r["n"] and r["severity"] in ("error", "warning")]
    rules = sorted(rules, key=lambda r: (order[r["severity"]], -r["n"], r["code"]))[:k]
    return deps, rules


def _annotated_target(out: Path, table) -> Path:
    """``<book>.hyoka.xlsx`` in the report folder for a workbook input (its source name, folder
    included when two inputs share a name)."""
    return out / (
        safe_filename(str(Path(table.source).with_suffix("")), 0)[3:] + ".hyoka" + Path(table.path).suffix.lower()
    )


def _annotated_targets(out: Path, tables: list) -> list[tuple[Any, Path, Message | None]]:
    """Where each workbook input's annotated copy goes: (table, path, why another name than
    ``<book>.hyoka.xlsx`` was taken, or None), in the tables' order.

    Names are distinct within the run, whatever sanitising does (``a b.xlsx`` and ``a_b.xlsx``
    both give ``a_b``; names compared without case, as Windows and macOS do): the workbook whose
    name needed no change keeps it, then in the order of the source names, the others get
    ``<stem>-2.hyoka.xlsx``, ``-3`` … (never another input's own name), so the same inputs give
    the same names in any order. A file already at a name is replaced only when this folder's
    manifest records it as hyoka's and its bytes are those hyoka wrote (:func:`recorded_digests`;
    a manifest of before #15 records no digest: its files count as hyoka's); else it is the
    user's (a copy the clerk fixed, a file of their own) and is kept: the next free name is taken,
    and the Message says so."""
    books = [t for t in tables if t.path.lower().endswith((".xlsx", ".xlsm"))]
    natural = [_annotated_target(out, t).name for t in books]
    digests, listed = recorded_digests(out), recorded_scopes(out)

    def plain(t) -> bool:
        stem = str(Path(t.source).with_suffix(""))
        return safe_filename(stem, 0)[3:] == stem

    order = sorted(range(len(books)), key=lambda i: (not plain(books[i]), books[i].source))
    taken: set[str] = set()
    chosen: dict[int, tuple[Path, Message | None]] = {}
    for i in order:
        ext = Path(books[i].path).suffix.lower()
        stem = natural[i][: -len(".hyoka" + ext)]
        others = {n.casefold() for j, n in enumerate(natural) if j != i}
        skipped: tuple[str, Path] | None = None  # the first name held by a file that is not hyoka's
        for k in itertools.count(1):
            name = natural[i] if k == 1 else f"{stem}-{k}.hyoka{ext}"
            if name.casefold() in taken or (k > 1 and name.casefold() in others):
                continue
            path = out / name
            if (path.exists() or path.is_symlink()) and not _hyokas(path, digests, listed):
                skipped = skipped or ("annotated_kept_changed" if name in digests else "annotated_kept_other", path)
                continue
            break
        taken.add(name.casefold())
        chosen[i] = (path, msg(skipped[0], target=skipped[1], new=path) if skipped else None)
    return [(t, *chosen[i]) for i, t in enumerate(books)]


def _hyokas(path: Path, digests: dict[str, str], listed: dict[str, str]) -> bool:
    """Whether the file at ``path`` is hyoka's to replace: its digest is the one recorded, or it
    is listed with no digest (a manifest of before #15)."""
    if not path.is_file() or path.is_symlink():
        return False
    if path.name in digests:
        return _digest(path) == digests[path.name]
    return path.name in listed


def _digest(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), ``""`` when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def _write_annotated(
    result: CheckResult,
    stage: Path,
    targets: list[tuple[Any, Path, Message | None]],
    found: pd.DataFrame,
    s: dict,
    warn: Callable[[Message], None] | None,
) -> tuple[dict[str, Path], dict[str, str], dict[str, str]]:
    """Each workbook input answered in itself (hyoka.output.annotate) under the name
    :func:`_annotated_targets` chose in the report folder (``targets``), written into the staging
    folder ``stage``. Returns source → the path written, source → the note the pages give beside its link (why it
    holds the findings sheet only; none for a whole copy) and name → the digest of what was
    written (for the manifest). Each copy kept or cut short is said to ``warn`` in one line."""
    lang = result.options.lang
    paths: dict[str, Path] = {}
    notes: dict[str, str] = {}
    digests: dict[str, str] = {}
    for t, target, kept in targets:
        if kept is not None and warn is not None:
            warn(kept)
        done = annotate(t.path, stage / target.name, found, lang, source=t.source)
        if done.summary_only is not None:
            notes[t.source] = s["annotated_summary_only"].format(reason=done.summary_only.say(lang))
            if warn is not None:
                warn(summary_only_warning(t.source, replace(done, path=target)))  # where it will be
        paths[t.source] = done.path
        digests[done.path.name] = _digest(done.path)
    return paths, notes, digests


def write_reports(
    result: CheckResult,
    out_dir: Path | str,
    generated: datetime | None = None,
    warn: Callable[[Message], None] | None = None,
) -> list[Path]:
    """Write the reports (see module doc) and return the paths written. ``generated``: the time
    index.html states (default: now, or ``SOURCE_DATE_EPOCH`` when set); ``warn``: told each
    annotated copy written under another name or holding the findings sheet only (a Message).
    Raises HyokaError before
    writing anything when a report file would replace a file the run reads (:func:`_refuse_targets`)
    or ``out_dir`` cannot be written.

    The report is staged: written whole into a hidden folder in ``out_dir`` (:func:`_staging`) and
    only then moved into place (:func:`_commit`), so a run that fails midway (a full disk, a
    damaged workbook, Ctrl-C) leaves the previous report as it was, byte for byte."""
    out = Path(out_dir)
    for t in result.tables:
        if t.path.lower().endswith((".xlsx", ".xlsm")):
            refuse_inputs(_annotated_target(out, t), result.options, result.tables, msg("report_file"))
    s = strings(result.options.lang)
    found = with_cells(result)
    plan = _plan(result.frame, found, s)
    targets = _annotated_targets(out, result.tables)
    books = [target.name for _, target, _ in targets]
    pages = [f"{stem}.{ext}" for stem in plan.stems.values() for ext in ("html", "md")]
    _refuse_targets(out, [*pages, *books, *FIXED], result)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".hyoka-probe.", delete=True)
        probe.close()
        stage, lock = _staging(out)
    except OSError as exc:
        raise HyokaError(msg("where", where=out, what=msg("cannot_write_reports", reason=os_reason(exc)))) from None
    try:
        written, digests = _write_staged(result, stage, generated, s, found, plan, targets, warn)
        inputs = frozenset(p for p in (_real_or_none(Path(t.path)) for t in result.tables) if p is not None)
        return _commit(stage, out, written, report_scope(result), inputs, digests)
    except OSError as exc:
        raise HyokaError(msg("where", where=out, what=msg("cannot_write_reports", reason=os_reason(exc)))) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if lock is not None:
            os.close(lock)


#: the report files every run writes besides the department pages and annotated copies
FIXED = ("index.html", "findings.json", ".hyoka-manifest.json")


@dataclass(frozen=True)
class _Plan:
    """Which departments the report has and which get a page: ``dep_col`` (each row's page),
    ``found_dep`` (each finding's page), ``names`` (every department, in table order), ``stems``
    (name → file stem ``NN_name`` for the departments with a page: at most :data:`PAGE_CAP`)."""

    dep_col: pd.Series
    found_dep: pd.Series
    names: list[str]
    stems: dict[str, str]


def _plan(frame: pd.DataFrame, found: pd.DataFrame, s: dict) -> _Plan:
    """The departments and their pages (:class:`_Plan`). Over :data:`PAGE_CAP` departments, the
    pages go to the departments with findings no waiver accepts first, then the others, each in
    table order; a page keeps its number (``NN_`` is the department's place among all)."""
    dep_col = frame["department"].astype("string").fillna(s["no_department"])
    found_dep = finding_departments(found, frame, s)
    names = list(dict.fromkeys(dep_col.tolist() + found_dep.tolist()))  # + departments only findings name
    paged: set[str] = set(names)
    if len(names) > PAGE_CAP:
        flagged = set(found_dep[not_waived(found).to_numpy(bool)].tolist()) if len(found) else set()
        paged = set(([n for n in names if n in flagged] + [n for n in names if n not in flagged])[:PAGE_CAP])
    stems = {name: safe_filename(name, i) for i, name in enumerate(names, start=1) if name in paged}
    return _Plan(dep_col, found_dep, names, stems)


def _refuse_targets(out: Path, names: list[str], result: CheckResult) -> None:
    """Raise HyokaError (one line, naming the file) when a report file ``out/name`` is a file the
    run reads (:func:`hyoka.inputs.input_paths`: the tables, previous editions, hyoka.toml, the
    mapping, waiver, indicator, department, vocabulary, rule and scale files) — a waiver list saved
    as ``reports/findings.json`` would be overwritten — or a folder (no file can be renamed over
    it: the report would stop halfway). Checked before anything is written."""
    inputs = set()
    for p in input_paths(result.options, result.tables):
        try:
            inputs.add(real(p))
        except OSError:
            continue
    try:
        folder = real(out)
    except OSError as exc:  # a symlink loop: no report can be written there
        raise HyokaError(msg("where", where=out, what=msg("cannot_write_reports", reason=os_reason(exc)))) from None
    for name in names:
        if folder / name in inputs:
            refuse_inputs(out / name, result.options, result.tables, msg("report_file"))
        if (out / name).is_dir() and not (out / name).is_symlink():
            reason = os_reason(IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
            raise HyokaError(msg("where", where=out / name, what=msg("cannot_write_reports", reason=reason)))


def _real_or_none(path: Path) -> Path | None:
    """``path`` resolved (hyoka.files.real), None when it cannot be (a symlink loop)."""
    try:
        return real(path)
    except OSError:
        return None


#: the staging folders' name prefix (hidden, in the report folder: on its file system)
STAGING = ".hyoka-staging."


def _staging(out: Path) -> tuple[Path, int | None]:
    """A new staging folder in ``out`` and the descriptor of the lock this run holds on it while it
    lives (None where the system has no ``flock``). Staging folders that a killed run left behind
    (their lock free, or no lock and over an hour old) are removed first."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no clean-up of abandoned folders
        return Path(tempfile.mkdtemp(prefix=STAGING, dir=out)), None
    for old in out.glob(STAGING + "*"):
        try:
            fd = os.open(old / ".lock", os.O_RDWR)
        except FileNotFoundError:
            if old.is_dir() and time.time() - old.stat().st_mtime > 3600:
                shutil.rmtree(old, ignore_errors=True)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: its run is gone
            shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass  # a run is writing there now
        finally:
            os.close(fd)
    stage = Path(tempfile.mkdtemp(prefix=STAGING, dir=out))
    lock = os.open(stage / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return stage, lock


def _commit(
    stage: Path, out: Path, written: list[Path], scope: str, inputs: frozenset[Path], digests: dict[str, str]
) -> list[Path]:
    """Move the staged report files (``written``, in ``stage``) into ``out``, index.html last,
    then remove the stale files and record the manifest (:func:`_replace_manifest`). The manifest
    first records the new files too, so a run stopped among the renames leaves no file the next
    run of its scope does not know. Returns the files' paths in ``out``."""
    names = sorted(dict.fromkeys(p.name for p in written), key=lambda n: n == "index.html")
    owners = recorded_scopes(out)
    if set(names) - set(owners):
        files = dict(sorted({**dict.fromkeys(names, scope), **owners}.items()))
        _put(out, MANIFEST, _manifest_text(files, recorded_digests(out)))
    for name in names:
        os.replace(stage / name, out / name)
    final = [out / name for name in names]
    _replace_manifest(out, final, scope, inputs, digests)
    return final


def _put(out: Path, name: str, text: str) -> None:
    """Write the report folder's own file ``out/name`` atomically, replacing whatever is there
    (a link is replaced, not followed: nothing is written outside ``out``)."""
    atomic_write(out / name, text, follow=False)


def _write_staged(
    result: CheckResult,
    out: Path,
    generated: datetime | None,
    s: dict,
    found: pd.DataFrame,
    plan: _Plan,
    targets: list[tuple[Any, Path, Message | None]],
    warn: Callable[[Message], None] | None,
) -> tuple[list[Path], dict[str, str]]:
    """Write every report file into the staging folder ``out``; returns their paths and the
    annotated copies' digests (name → SHA-256, for the manifest). ``targets``: where each
    annotated copy goes in the report folder (:func:`_annotated_targets`)."""
    lang = result.options.lang
    env = environment()
    env.globals.update(counted=lambda key, n: counted(s, key, n), summary=lambda rows, c: summary_line(s, rows, c))
    made = stamp(generated, lang)
    frame = result.frame
    texts = descriptions(result, lang)
    dep_col, found_dep, names = plan.dep_col, plan.found_dep, plan.names
    rows_all = row_table(frame, found)
    rows_by_dep = pd.Series(np.arange(len(frame))).groupby(dep_col.to_numpy(), sort=False).indices if len(frame) else {}
    found_by_dep = (
        pd.Series(np.arange(len(found))).groupby(found_dep.to_numpy(), sort=False).indices if len(found) else {}
    )
    written: list[Path] = []
    departments = []
    dept_tpl = {ext: env.get_template(f"department.{ext}.j2") for ext in ("html", "md")}
    # each workbook, answered in itself (hyoka.output.annotate), before the pages that name it
    annotated_paths, annotated_notes, digests = _write_annotated(result, out, targets, found, s, warn)
    books = {source: path.name for source, path in annotated_paths.items()}
    all_counts, all_previous = _by_department(frame, dep_col, found, found_dep)
    for name in names:  # one page per department (at most PAGE_CAP): the rows are split once above
        previous = all_previous.get(name, [])
        counts = all_counts.get(name, _NONE)
        stem = plan.stems.get(name)
        if stem is None:  # over the cap: a line of the index, no page
            n = len(rows_by_dep.get(name, []))
            departments.append({"name": name, "previous": previous, "html": "", "rows": n, "counts": counts})
            continue
        sub_frame = frame.iloc[rows_by_dep.get(name, [])]
        sub_found = found.iloc[found_by_dep.get(name, [])] if len(found) else found
        sub_rows = rows_all.iloc[rows_by_dep.get(name, [])]
        shown_rows = (
            sub_rows if len(sub_rows) <= ROW_CAP else sub_rows[sub_rows["has_findings"].to_numpy()].head(ROW_CAP)
        )
        ctx = {
            "s": s,
            "lang": lang,
            "name": name,
            "previous": previous,
            "counts": counts,
            "n_rows": len(sub_frame),
            "n_findings": len(sub_found),
            "groups": groups(sub_found, texts),
            "findings": records(sub_found),
            "rows": records(shown_rows),
            "rows_hidden": len(sub_rows) - len(shown_rows),
            "scale": result.scale,
            "md_name": f"{stem}.md",
            "row_cap": ROW_CAP,
            # where the page comes from and when it was made (the index's stamp)
            "stamp": made,
            "plan_title": getattr(result.options, "title", None) or "",
            "sources": [
                {**src, "note": annotated_notes.get(src["file"], "")} for src in sources(sub_frame, sub_found, books)
            ],
        }
        for ext in ("html", "md"):
            if ext == "md":
                ctx["rows"] = records(sub_rows)
            path = out / f"{stem}.{ext}"
            atomic_write(path, dept_tpl[ext].render(**ctx))
            written.append(path)
        departments.append(
            {
                "name": name,
                "previous": previous,
                "html": f"{stem}.html",
                "rows": len(sub_frame),
                "counts": counts,
            }
        )
    by_rule = []
    if len(found):
        f = found.assign(_live=not_waived(found))
        g = (
            f.groupby(["code", "title", "severity"], sort=True)
            .agg(n=("_live", "sum"), all=("_live", "size"))
            .reset_index()
        )
        g["waived"] = g["all"] - g["n"]
        by_rule = [
            {**r, "n": int(r["n"]), "waived": int(r["waived"]), "description": texts.get(r["code"], "")}
            for r in g.drop(columns="all").to_dict(orient="records")
        ]
    margin = getattr(result.options, "schedule_margin", None)
    table_rows: list[dict[str, Any]] = [  # "annotated" is added below, once the workbooks are written
        {"source": t.source, "read": t.sheets_read, "skipped": t.sheets_skipped, "rows": t.rows} for t in result.tables
    ]
    script, script_src = _script()
    top_departments, top_rules = _tops(departments, by_rule)
    index_ctx = {
        "s": s,
        "lang": lang,
        "stamp": made,
        "heading": _heading(result, s),
        "departments": departments,
        "top_departments": top_departments,
        "top_rules": top_rules,
        "by_rule": by_rule,
        "totals": _counts(found),
        "n_rows": len(frame),
        "scale": result.scale,
        "listing": finding_list(found, found_dep, departments, INDEX_CAP),
        "index_cap": INDEX_CAP,
        "script": script,
        "script_src": script_src,
        "chart": progress_chart(frame, result.scale, s, lang, margin),
        "edition": edition_section(result, found),
        "tables": table_rows,
        "rows_skipped": skipped_rows(result, s),
        "unpaged": sum(not d["html"] for d in departments),  # over PAGE_CAP: departments without a page
    }
    # a department's self-check says so: its index covers one department, not the whole plan
    scope = index_ctx["scope"] = report_scope(result)
    if scope:
        one = s["title_index_one"].format(department=scope)
        index_ctx["s"] = {**s, "title_index": one, "kicker": one}
    written += annotated_paths.values()
    for entry in table_rows:
        entry["annotated"] = books.get(entry["source"], "")
        entry["annotated_note"] = annotated_notes.get(entry["source"], "")
    path = out / "index.html"
    atomic_write(path, env.get_template("index.html.j2").render(**index_ctx))
    written.append(path)
    path = out / "findings.json"
    atomic_write(path, json.dumps(F.to_records(found), ensure_ascii=False, indent=1) + "\n")
    written.append(path)
    return written, digests


MANIFEST = ".hyoka-manifest.json"
#: the scope of a run over every department, in the manifest (a department run's scope is its name)
ALL = ""


def report_scope(result: CheckResult) -> str:
    """What a report covers: :data:`ALL`, or the one department a ``--department`` run checked
    (its current name when the rows give one, else the name asked for)."""
    if not result.options.department:
        return ALL
    names = list(dict.fromkeys(result.frame["department"].dropna().tolist())) if len(result.frame) else []
    return names[0] if len(names) == 1 else result.options.department


#: a manifest is a few KB per hundred files; a larger one is not hyoka's
MANIFEST_BYTES = 20_000_000


def _manifest(out: Path) -> dict:
    """The manifest of ``out`` as read ({} when it is missing, unreadable, not a regular file — a
    FIFO put there would block the run — over :data:`MANIFEST_BYTES`, or not a JSON object)."""
    try:
        data = read_regular(out / MANIFEST, MANIFEST_BYTES)
        recorded = json.loads(data.decode("utf-8")) if len(data) <= MANIFEST_BYTES else {}
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def recorded_scopes(out: Path) -> dict[str, str]:
    """What the manifest of ``out`` records: file name → the scope of the run that wrote it last
    ({} without a readable manifest)."""
    recorded = _manifest(out).get("files", {})
    if isinstance(recorded, list):  # the earlier form: one list, written by a run of either scope
        return dict.fromkeys(map(str, recorded), ALL)
    return {str(k): str(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def recorded_digests(out: Path) -> dict[str, str]:
    """The digests the manifest of ``out`` records: file name → SHA-256 (hex) of the annotated
    copy as hyoka wrote it ({} without them)."""
    recorded = _manifest(out).get("digests", {})
    return {str(k): str(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def _manifest_text(files: dict[str, str], digests: dict[str, str]) -> str:
    """The manifest's JSON: ``{"files": {name: scope}, "digests": {name: hex}}``, digests only for
    files it lists (none: no key)."""
    kept = {n: d for n, d in sorted(digests.items()) if n in files}
    record: dict[str, Any] = {"files": files, **({"digests": kept} if kept else {})}
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


def _replace_manifest(
    out: Path,
    written: list[Path],
    scope: str = ALL,
    inputs: frozenset[Path] = frozenset(),
    digests: dict[str, str] | None = None,
) -> None:
    """Remove the files the last run of the same ``scope`` wrote that this run did not (a department
    that is gone would otherwise keep a stale page), then record what this run wrote.

    The manifest (``.hyoka-manifest.json``, ``{"files": {name: scope}}``) names, for each file hyoka
    wrote in ``out``, the scope of the run that wrote it last. Only files of this run's own scope
    are ever removed: a department run into a folder holding the full report leaves the other
    departments' pages alone, and a full run leaves a department run's pages. A manifest of the
    earlier form (``{"files": [names]}``) is read as the full report's. A file this run read
    (``inputs``, resolved paths: the clerk's loop checks ``reports/book.hyoka.xlsx`` again) is
    never removed and leaves the manifest: it is the user's file now. So does an annotated copy
    changed since hyoka wrote it (``digests``, name → SHA-256 of the annotated copies written now,
    are recorded as ``{"digests": {name: hex}}``; a stale copy whose bytes are not the recorded
    ones was edited by someone)."""
    names = sorted(p.name for p in written)
    owners = recorded_scopes(out)
    before = recorded_digests(out)
    for name in sorted(set(owners) - set(names)):
        if owners[name] != scope:
            continue
        stale = out / Path(name).name  # a bare name: never a path outside out/
        if _real_or_none(stale) in inputs or (name in before and _digest(stale) not in ("", before[name])):
            del owners[name]
            continue
        if stale.suffix in (".html", ".md", ".json", ".xlsx", ".xlsm") and stale.is_file():
            stale.unlink(missing_ok=True)
        del owners[name]
    owners.update(dict.fromkeys(names, scope))
    files = dict(sorted(owners.items()))
    _put(out, MANIFEST, _manifest_text(files, {**before, **(digests or {})}))
