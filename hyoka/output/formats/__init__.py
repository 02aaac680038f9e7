"""Machine-readable findings for CI: CSV, SARIF 2.1.0, JUnit XML, GitHub workflow commands and a
Markdown summary.

``render(fmt, result, fail_on)`` returns the bytes ``hyoka check --format FMT`` prints (or writes
with ``--output``). Every format is deterministic: the same tables and configuration give the same
bytes — no timestamps, durations, host names or absolute paths of the machine (an input given as an
absolute path outside the working directory is the one exception: it is named by its file URI).
Findings come in the order of :func:`hyoka.check.findings.combine` (file, row, severity, code, field).

Where a finding is (:func:`hyoka.output.formats.locate.locate`): from the findings' place
columns (:data:`hyoka.check.findings.PLACE_COLUMNS`; no reference text is parsed, no input read
again), the file named by the path it was given as (relative to the working directory). For a CSV
the line is the physical line on which the record starts (as everywhere in hyoka) and the column
the character column (1-based, Unicode code points) where the field starts on that line, known
when the field starts on the record's first line (a quoted multi-line cell earlier in the record
moves it to a later line: then no column is given) — counted when the file was read. For a
workbook, line and column are the sheet's row and column (J7 → line 7, column 10) and the sheet is
named separately, since a .xlsx file has no text lines. A web page's finding names its table as
the sheet and the cell by the row and column of the table's grid (``table2``, ``R5C8``), with no
line: the page's text lines are not its rows, and a line would point at the wrong place.

One module per format (``json``, ``csv``, ``sarif``, ``junit``, ``github``, ``markdown``);
:func:`render` picks one.

- ``csv``: the findings table with the JSON keys (:data:`hyoka.check.findings.RECORD_KEYS`), UTF-8 with
  a BOM and CRLF line ends so Excel opens the Japanese text, and every formula-looking cell
  neutralised with :func:`hyoka.output.annotate.neutralise`.
- ``sarif``: one SARIF 2.1.0 log, one run, one result per finding (ruleId, level error / warning /
  note, message, physical location; a workbook's sheet and cell as a logical location and in the
  result's properties), a waived finding carrying an external suppression with the waiver's
  reason, ``partialFingerprints`` from the business identity (department, project, indicator,
  code, field — not the row, so an alert survives rows being added), and ``tool.driver.rules`` for
  the codes that occur (title, description, how to fix, default level). Built as a plain dict:
  the Python SARIF object models were judged not well kept enough to depend on — ``sarif-om``
  (Microsoft, attrs classes) has had no release since 2019, ``sarif-pydantic`` and
  ``pydantic-sarif`` are small single-author packages — and the log is a few nested dicts, so
  ``tests/test_formats.py`` validates it against the published OASIS JSON schema instead.
- ``junit``: JUnit XML written with ``junitparser``: a ``<testsuite>`` per department (in the
  order of the table), a ``<testcase>`` per checked row (name ``project / indicator``, classname
  the department); a finding at or above ``--fail-on`` that is not waived is a ``<failure>`` (type
  = the code), so the test report is red exactly when the exit code is 1; findings below
  ``--fail-on`` and waived findings are listed in the testcase's ``<system-out>`` (not
  ``<skipped>``: the row *was* checked). Findings not on a row (waiver entries W001/W002, header
  H001, schema S00x) go to a suite named after their file.
- ``github``: one workflow command per finding, ``::error file=PATH,line=N,col=C,title=CODE
  title::message`` (``warning`` for warnings, ``notice`` for info and for waived findings, whose
  message says they are waived), escaped as GitHub's runner unescapes them (``%`` ``\\r`` ``\\n`` in
  the message; also ``:`` and ``,`` in properties).
- ``markdown``: the files, the summary line and a table of the findings no waiver accepts (errors
  first, at most :data:`hyoka.output.formats.markdown.MAX_ROWS`, the rest counted), every cell
  escaped: for a CI job summary (``$GITHUB_STEP_SUMMARY``), where annotations stop after a few.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyoka.output.formats.csv import to_csv
from hyoka.output.formats.github import escape_data, escape_property, to_github
from hyoka.output.formats.json import to_json
from hyoka.output.formats.junit import to_junit
from hyoka.output.formats.locate import artifact_path, artifact_uri, locate
from hyoka.output.formats.markdown import to_markdown
from hyoka.output.formats.sarif import to_sarif
from hyoka.output.places import with_cells

if TYPE_CHECKING:
    from hyoka.pipeline import CheckResult

FORMATS = ("csv", "sarif", "junit", "github", "markdown")
__all__ = [
    "FORMATS",
    "artifact_path",
    "artifact_uri",
    "escape_data",
    "escape_property",
    "locate",
    "render",
    "to_csv",
    "to_github",
    "to_json",
    "to_junit",
    "to_markdown",
    "to_sarif",
]


def render(fmt: str, result: CheckResult, fail_on: str = "error") -> bytes:
    """The bytes of ``--format fmt`` (json, csv, sarif, junit, github, markdown) for ``result``. Raises
    ValueError for another format."""
    if fmt == "json":
        return to_json(with_cells(result))
    if fmt == "csv":
        return to_csv(with_cells(result))
    if fmt == "sarif":
        return to_sarif(result).encode("utf-8")
    if fmt == "junit":
        return to_junit(result, fail_on)
    if fmt == "github":
        return to_github(result).encode("utf-8")
    if fmt == "markdown":
        return to_markdown(result).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")
