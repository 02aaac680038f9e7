"""One upload checked: the pipeline as ``hyoka check`` runs it, and what the pages and downloads need.

:func:`check_file` runs in a worker thread (hyoka.serve.app), on the file saved in the upload's
private folder, with a copy of the server's :class:`~hyoka.options.CheckOptions` (the configuration
applies to every upload; an upload chooses at most the department, from the configured list, and
the language when the configuration names none). It returns :class:`Checked`: the findings as
``hyoka check --format json`` and ``--format csv`` give them (hyoka.output.formats), the annotated
workbook's bytes for an .xlsx (hyoka.output.annotate), and the result page's data grouped as the
department pages group it (hyoka.output.pages, hyoka.output.report). Nothing it makes stays on
disk: the annotated copy is written into the same private folder and read back.

The file is saved under a fixed name (hyoka.serve.upload); the check's tables are then named by
the sender's file name (``source``), so that cells read ``[調書.xlsx]R5実施状況!J7`` as they would
from the command line, and so do the errors (:func:`say_error`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hyoka.errors import HyokaError, InputError, exception_line, msg
from hyoka.options import CheckOptions
from hyoka.output.annotate import annotate
from hyoka.output.formats import render
from hyoka.output.pages import groups, not_waived
from hyoka.output.places import with_cells
from hyoka.output.report import descriptions, finding_departments, safe_filename, strings, summary_text
from hyoka.pipeline import CheckResult, run_check
from hyoka.serve.upload import EXTENSIONS


@dataclass
class Checked:
    """One upload's answer: ``json`` and ``csv`` (the bytes of ``hyoka check --format json|csv``),
    ``annotated`` (the annotated workbook's bytes; None for a file that is not an .xlsx / .xlsm),
    ``annotated_note`` (why the copy holds the findings sheet only, ``""`` for a whole copy),
    ``summary`` (the summary line), ``departments`` (the result page's sections: ``name``,
    ``groups`` as :func:`hyoka.output.pages.groups` makes them), ``n`` (findings), ``stem``
    (a safe file-name stem for the downloads)."""

    json: bytes
    csv: bytes
    annotated: bytes | None
    annotated_note: str
    summary: str
    departments: list[dict] = field(default_factory=list)
    n: int = 0
    stem: str = "upload"


def options_for(base: CheckOptions, lang: str, department: str | None) -> CheckOptions:
    """A copy of the server's options for one upload: ``lang`` and ``department`` set (run_check
    fills in the department list of the copy, never of ``base``)."""
    mine = copy.deepcopy(base)
    mine.lang = lang
    mine.department = department or None
    return mine


def check_file(path: Path, name: str, options: CheckOptions) -> Checked:
    """Check the saved upload ``path`` (its sender's name ``name``) with ``options``. Raises
    HyokaError (the one-line error of hyoka check, naming ``name``: :func:`say_error` says it)."""
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:  # as hyoka.read.table refuses it
        raise InputError(msg("unsupported_type", suffix=suffix) if suffix else msg("unsupported_no_suffix"), file=name)
    try:
        result = run_check([path], options)
    except InputError as exc:
        if exc.file in (str(path), path.name):
            exc.file = name
        raise
    _rename(result, path.name, name)
    lang = options.lang
    s = strings(lang)
    found = with_cells(result)
    annotated, note = None, ""
    if suffix in (".xlsx", ".xlsm"):
        target = path.with_name(f"annotated{suffix}")
        done = annotate(path, target, result.findings, lang, source=name)
        annotated = target.read_bytes()
        target.unlink()
        if done.summary_only is not None:
            note = s["annotated_summary_only"].format(reason=done.summary_only.say(lang))
    return Checked(
        json=render("json", result),
        csv=render("csv", result),
        annotated=annotated,
        annotated_note=note,
        summary=summary_text(s, len(result.frame), result.findings),
        departments=sections(result, found, s),
        n=len(found),
        stem=safe_filename(Path(name).stem, 0)[3:],
    )


def sections(result: CheckResult, found: pd.DataFrame, s: dict) -> list[dict]:
    """The result page's sections: one per department that has findings, in the order of the
    table (findings on no department last), each with its findings grouped by rule as on the
    department page (``name``, ``groups``, ``errors``: live error findings)."""
    if not len(found):
        return []
    dep = finding_departments(found, result.frame, s)
    order = {d: i for i, d in enumerate(result.departments)}
    texts = descriptions(result, result.options.lang)
    out = []
    for name in sorted(dep.unique().tolist(), key=lambda d: order.get(d, len(order))):
        mine = found[(dep == name).to_numpy()]
        live = mine[not_waived(mine)]
        out.append({"name": name, "groups": groups(mine, texts), "errors": int((live["severity"] == "error").sum())})
    return out


def _rename(result: CheckResult, saved: str, name: str) -> None:
    """Name the check's tables by the sender's file name ``name`` instead of the fixed name
    ``saved``, in the tables, the frame and the findings (in place)."""
    for t in result.tables:
        if t.source == saved:
            t.source = name
    for frame in (result.frame, result.findings):
        if "source_file" in frame and len(frame):
            col = frame["source_file"].astype("string")
            frame["source_file"] = col.mask(col == saved, name)


def say_error(exc: BaseException, lang: str, path: Path | None, name: str) -> str:
    """The one line the page shows for a check that failed: a HyokaError as hyoka check says it
    (after ``hyoka: エラー:``), the saved file's path and name replaced by the sender's name; any
    other exception as the command line's internal error (its name and first line)."""
    if isinstance(exc, HyokaError):
        text = exc.say(lang)
    else:
        text = msg("serve_internal", error=exception_line(exc)).say(lang)
    if path is not None:
        text = text.replace(str(path), name).replace(path.name, name)
    return " ".join(text.split())
