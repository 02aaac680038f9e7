"""``--format markdown``: the findings as a Markdown table, for a CI job summary.

GitHub shows only a few annotations per step (``--format github``), so the workflow ``hyoka init``
writes also appends this table to ``$GITHUB_STEP_SUMMARY``: the run's page then lists the
findings, readable without opening a log. The text is GitHub-flavoured Markdown in the report's
language (strings of ``reports/strings.yaml``):

- a heading ``hyoka``, the files checked and the summary line of the reports
  (:func:`hyoka.output.report.summary_text`: rows checked, errors, warnings, information, and how
  many findings are waived);
- a table of the findings no waiver accepts: severity, code and title, department, cell, project /
  indicator, message — errors first, then warnings, then information, each in the findings' own
  order (file, row); waived findings are counted in the summary line, not listed;
- at most :data:`MAX_ROWS` rows, then a line saying how many more there are and where they are
  all (``--format json`` / ``csv`` and the reports). GitHub takes at most 1 MiB of summary per
  step; 200 rows of a few hundred characters stay far below it.

Every cell is escaped with :func:`hyoka.output.pages.md_escape` (``& < >`` as entities, Markdown's
special characters backslashed, newlines as ``<br>``), so no cell text can close the table, add a
link or inject HTML. Deterministic: no time stamp, host or absolute path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyoka.check import findings as F
from hyoka.output.pages import md_escape, not_waived
from hyoka.output.places import with_cells
from hyoka.output.report import strings, summary_text

if TYPE_CHECKING:
    from hyoka.pipeline import CheckResult

#: the most findings the table lists (the rest are counted)
MAX_ROWS = 200


def to_markdown(result: CheckResult, max_rows: int = MAX_ROWS) -> str:
    """The Markdown summary of ``result`` (module doc), ending with a newline."""
    s = strings(result.options.lang)
    found = with_cells(result)
    lines = ["## hyoka", ""]
    if result.tables:
        lines += [s["files"] + s["colon"] + ", ".join(md_escape(t.source) for t in result.tables), ""]
    lines += [md_escape(summary_text(s, len(result.frame), found)), ""]
    live = found[not_waived(found).to_numpy(bool)]
    if not len(live):
        return "\n".join([*lines, md_escape(s["no_findings"])]) + "\n"
    rank = live["severity"].map(F.SEVERITY_ORDER).to_numpy()
    ordered = live.iloc[rank.argsort(kind="stable")]
    shown = ordered.head(max_rows)
    head = [s["severity"], s["code"], s["department"], s["cell"], f"{s['project']} / {s['indicator']}", s["message"]]
    lines.append("| " + " | ".join(md_escape(h) for h in head) + " |")
    lines.append("|" + "---|" * len(head))
    for f in shown.to_dict(orient="records"):
        named = " / ".join(str(v) for v in (f["project"], f["indicator"]) if str(v).strip())
        cells = [s[f["severity"]], f"{f['code']} {f['title']}", f["department"], f["cell"], named, f["message"]]
        lines.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    if len(ordered) > len(shown):
        lines += ["", md_escape(s["summary_more"].format(n=len(ordered) - len(shown)))]
    return "\n".join(lines) + "\n"
