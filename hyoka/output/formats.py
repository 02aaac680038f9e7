"""Machine-readable findings for CI: CSV, SARIF 2.1.0, JUnit XML and GitHub workflow commands.

``render(fmt, result, fail_on)`` returns the bytes ``hyoka check --format FMT`` prints (or writes
with ``--output``). Every format is deterministic: the same tables and configuration give the same
bytes — no timestamps, durations, host names or absolute paths of the machine (an input given as an
absolute path outside the working directory is the one exception: it is named by its file URI).
Findings come in the order of :func:`hyoka.check.findings.combine` (file, row, severity, code, field).

Where a finding is (:func:`locate`): its ``cell`` is parsed — ``table.csv:LINE:field`` (LINE = the
physical line on which the record starts, as everywhere in hyoka), ``[book.xlsx]Sheet!J7``, or
``waivers.yaml:LINE`` — and the file is named by the path it was given as (relative to the working
directory). For a CSV the column is the character column (1-based, Unicode code points) where the
field starts on that line, known when the field starts on the record's first line (a quoted
multi-line cell earlier in the record moves it to a later line: then no column is given). For a
workbook, line and column are the sheet's row and column (J7 → line 7, column 10) and the sheet is
named separately, since a .xlsx file has no text lines.

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
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from importlib import metadata
from pathlib import Path, PurePath
from urllib.parse import quote

import numpy as np
import pandas as pd

from hyoka import __version__
from hyoka.cellref import column_index
from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.output.annotate import _CELL as XLSX_CELL
from hyoka.output.annotate import neutralise
from hyoka.output.report import strings
from hyoka.read.table import decode_csv_bytes

FORMATS = ("csv", "sarif", "junit", "github")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
_TEXT_CELL = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>[^:]+))?$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LOCATION_COLUMNS = ("path", "uri", "line", "column", "sheet", "cell_ref")


# ---------------------------------------------------------------- where a finding is

def artifact_path(path: str | Path) -> str:
    """The path to name a file by: relative to the working directory when it is inside it (as
    given otherwise), with forward slashes and no ``./``."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    parts = [s for s in PurePath(p).as_posix().split("/") if s not in ("", ".")]
    return "/".join(parts) or "."


def artifact_uri(path: str) -> str:
    """A URI reference for SARIF: the relative path percent-encoded (RFC 3986), or a file URI."""
    return Path(path).as_uri() if Path(path).is_absolute() else quote(path, safe="/")


def field_start(line: str, index: int, sep: str = ",") -> int | None:
    """1-based character column (code points) at which CSV field ``index`` (0-based) starts on a
    record's first ``line``; None when the line ends first (a quoted cell runs on)."""
    if index == 0:
        return 1
    count, quoted = 0, False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted  # "" inside a quoted cell toggles twice
        elif ch == sep and not quoted:
            count += 1
            if count == index:
                return i + 2
    return None


class _CsvLines:
    """The physical lines of the CSV inputs, read once each (decoded as hyoka.read.table decodes them)."""

    def __init__(self):
        self._cache: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._cache:
            try:
                text, _ = decode_csv_bytes(Path(path).read_bytes(), Path(path).name)
            except Exception:  # the file was read moments ago; if it cannot be now, give no column
                text = ""
            self._cache[path] = text.lstrip("\ufeff").split("\n")
        lines = self._cache[path]
        return lines[number - 1].rstrip("\r") if 0 < number <= len(lines) else None


def locate(result) -> pd.DataFrame:
    """The findings of ``result`` (a pipeline.CheckResult) with their places added:

    ``path`` (str: the file as given, relative to the working directory), ``uri`` (its URI
    reference), ``line`` / ``column`` (int, 0 when not known: CSV line and character column, or
    the sheet's row and column), ``sheet`` (str, ``""`` for text files), ``cell_ref`` (``J7`` in a
    workbook, else ``""``)."""
    found = result.findings.reset_index(drop=True).copy()
    read = list(result.tables) + list(getattr(result, "previous_tables", []))  # E005 is on last year's cell
    tables = {t.source: t for t in read}
    paths = {t.source: artifact_path(t.path or t.source) for t in read}
    waivers = getattr(result.options, "waivers", None)
    if waivers:
        paths.setdefault(Path(waivers).name, artifact_path(waivers))
    first = next(iter(paths.values()), "")
    cells = found["cell"].astype("string").fillna("")
    xl = cells.str.extract(XLSX_CELL.pattern)
    tx = cells.str.extract(_TEXT_CELL.pattern)
    is_xl = xl["book"].notna()
    name = xl["book"].where(is_xl, tx["file"])
    # a finding that names no file of ours (the schema's "a.csv, b.csv") goes to its first source
    fallback = found["source_file"].astype("string").fillna("").str.split(", ").str[0]
    name = name.where(name.isin(list(paths)), fallback)
    found["path"] = name.map(paths).fillna(first).astype("string")
    found["uri"] = found["path"].map(artifact_uri).astype("string")
    line = pd.to_numeric(xl["row"].where(is_xl, tx["line"]), errors="coerce")
    found["line"] = line.fillna(0).astype("int64")
    column = np.zeros(len(found), dtype="int64")
    column[is_xl.to_numpy()] = [column_index(c) + 1 for c in xl.loc[is_xl, "col"]]
    found["column"] = column
    found["sheet"] = xl["sheet"].fillna("").astype("string")
    found["cell_ref"] = (xl["col"] + xl["row"]).fillna("").astype("string")
    # CSV cells: the character column where the field starts on the record's first line
    lines = _CsvLines()
    csv_sources = [src for src, t in tables.items() if t.delimiter]
    text_rows = found.index[~is_xl & tx["col"].notna() & name.isin(csv_sources)]
    for i in text_rows:  # one per finding, not per table row
        table = tables[name[i]]
        col = tx.at[i, "col"]
        index = int(col) - 1 if col.isdigit() else table.columns.get(col)
        text = lines.line(table.path or table.source, int(found.at[i, "line"])) if index is not None else None
        start = field_start(text, index, table.delimiter) if text is not None else None
        found.at[i, "column"] = start or 0
    return found


# ---------------------------------------------------------------- CSV

def to_csv(findings: pd.DataFrame) -> bytes:
    """The findings table (keys as JSON) as CSV: UTF-8 with BOM, CRLF, formula-looking cells
    neutralised."""
    records = F.to_records(findings)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(F.RECORD_KEYS)
    writer.writerows([neutralise(r[k]) for k in F.RECORD_KEYS] for r in records)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# ---------------------------------------------------------------- SARIF

def _information_uri() -> str | None:
    """The project's home page from the package metadata ([project.urls]), if it declares one."""
    try:
        meta = metadata.metadata("hyoka")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "documentation", "repository", "source"):
            return url.strip()
    return meta.get("Home-page") or None


def _rule_descriptors(codes: list[str], result, found: pd.DataFrame, lang: str) -> list[dict]:
    """SARIF rule metadata of ``codes`` from the code registry (hyoka.check.registry)."""
    s = strings(lang)
    rules = registry.rule_codes(result.rules)
    others = registry.other_codes()
    out = []
    for code in codes:
        if code in rules:
            c = rules[code]
            title, text, fix = c.text("title", lang), c.text("description", lang).strip(), c.text("fix", lang).strip()
            severity, name = c.severity, c.name
        else:  # raised outside the catalog (schema, editions, waivers, headers)
            first = found[found["code"] == code].iloc[0]
            c = others.get(code)
            title = c.text("title", lang) if c else str(first["title"])
            fix = (c.text("fix", lang) if c else str(first["fix"])).strip()
            # the full description stays the title (as before the registry), the severity the finding's
            text, severity, name = title, str(first["severity"]), code
        help_text = f"{text}\n\n{s['fix']}: {fix}" if fix else text
        help_md = f"{text}\n\n**{s['fix']}**: {fix}" if fix else text
        out.append({"id": code, "name": name,
                    "shortDescription": {"text": title},
                    "fullDescription": {"text": text},
                    "help": {"text": help_text, "markdown": help_md},
                    "defaultConfiguration": {"level": LEVEL[severity]}})
    return out


def _fingerprint(row) -> str:
    identity = "\x1f".join(str(row[k]) for k in ("department", "project", "indicator", "code", "field"))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def to_sarif(result, located: pd.DataFrame | None = None) -> str:
    """One SARIF 2.1.0 log (JSON text) for the findings of ``result``."""
    lang = result.options.lang
    s = strings(lang)
    found = locate(result) if located is None else located
    codes = sorted(found["code"].unique().tolist())
    index = {c: i for i, c in enumerate(codes)}
    results = []
    for row in found.to_dict(orient="records"):
        message = row["message"] + (f"（{s['expected']}: {row['expected']}）" if lang == "ja" and row["expected"]
                                    else f" ({s['expected']}: {row['expected']})" if row["expected"] else "")
        region = {}
        if row["line"] > 0:
            region["startLine"] = int(row["line"])
            if row["column"] > 0:
                region["startColumn"] = int(row["column"])
        physical = {"artifactLocation": {"uri": row["uri"]}}
        if region:
            physical["region"] = region
        location = {"physicalLocation": physical}
        if row["sheet"]:
            location["logicalLocations"] = [{"name": row["sheet"],
                                             "fullyQualifiedName": f"{row['sheet']}!{row['cell_ref']}"}]
        props = {k: row[k] for k in ("department", "item", "project", "indicator", "field", "cell",
                                     "observed", "expected")}
        if row["sheet"]:
            props |= {"sheet": row["sheet"], "sheetCell": row["cell_ref"]}
        item = {"ruleId": row["code"], "ruleIndex": index[row["code"]], "level": LEVEL[row["severity"]],
                "message": {"text": message}, "locations": [location],
                "partialFingerprints": {"hyokaIdentity/v1": _fingerprint(row)}, "properties": props}
        if row["waived"]:
            item["suppressions"] = [{"kind": "external", "status": "accepted", "justification": row["waived"]}]
        results.append(item)
    driver = {"name": "hyoka", "version": __version__, "semanticVersion": __version__}
    if uri := _information_uri():
        driver["informationUri"] = uri
    driver["rules"] = _rule_descriptors(codes, result, found, lang)
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "language": lang, "columnKind": "unicodeCodePoints",
                     "results": results}]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- JUnit

def _xml_text(value: object) -> str:
    """Text that XML 1.0 can carry (control characters other than tab/newline dropped)."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def to_junit(result, fail_on: str) -> bytes:
    """JUnit XML (see the module doc): a suite per department, a testcase per checked row."""
    from junitparser import Failure, JUnitXml, TestCase, TestSuite

    s = strings(result.options.lang)
    frame = result.frame.reset_index(drop=True)
    found = result.findings
    rank = found["severity"].map(F.SEVERITY_ORDER)
    failing = (found["waived"].fillna("") == "") & (
        (rank <= F.SEVERITY_ORDER[fail_on]) if fail_on != "never" else False)

    def note(f) -> str:
        head = f"[{s[f['severity']]}] {f['code']} {f['cell']}: {f['message']}"
        return head + (f" [{s['waived']}: {f['waived']}]" if f["waived"] else "")

    def detail(f) -> str:
        lines = [f["cell"], f["message"]]
        if f["expected"]:
            lines.append(f"{s['expected']}: {f['expected']}")
        if f["fix"]:
            lines.append(f"{s['fix']}: {f['fix']}")
        return "\n".join(lines)

    def add(case, items: list[tuple[dict, bool]]) -> None:
        failures, notes = [], []
        for f, bad in items:
            if bad:
                failure = Failure(_xml_text(f"{f['code']} {f['title']}: {' '.join(f['message'].split())}"),
                                  f["code"])
                failure.text = _xml_text(detail(f))
                failures.append(failure)
            else:
                notes.append(_xml_text(note(f)))
        if failures:
            case.result = failures
        if notes:
            case.system_out = "\n".join(notes)

    # findings as plain records once, grouped by the row they are on (-1: not on a row)
    records = F.to_records(found)
    for rec, title, fix, src, pos, bad in zip(records, found["title"].fillna(""), found["fix"].fillna(""),
                                              found["source_file"].fillna(""), found["row_index"], failing):
        rec.update(title=str(title), fix=str(fix), source_file=str(src), row_index=int(pos), failing=bool(bad))
    by_row: dict[int, list[tuple[dict, bool]]] = {}
    for rec in records:
        by_row.setdefault(rec["row_index"], []).append((rec, rec["failing"]))
    dep = frame["department"].astype("string").fillna("").replace("", s["no_department"])
    names = (frame["project"].astype("string").fillna("").replace("", "-") + " / "
             + frame["indicator"].astype("string").fillna("").replace("", "-"))
    xml = JUnitXml()
    total = failed = 0

    def close(suite) -> None:
        nonlocal total, failed
        suite.update_statistics()       # once a suite: junitparser's add_testcase recounts every time
        xml.add_testsuite(suite)
        total, failed = total + suite.tests, failed + suite.failures

    for name, positions in pd.Series(range(len(frame)), index=dep.to_numpy()).groupby(level=0, sort=False):
        suite = TestSuite(_xml_text(name))
        for pos in positions.tolist():  # the rows of one department
            case = TestCase(_xml_text(names.iat[pos]), classname=_xml_text(name))
            add(case, by_row.get(pos, []))
            suite.append(case)
        close(suite)
    other: dict[str, list[tuple[dict, bool]]] = {}
    for rec in records:
        if rec["row_index"] < 0:         # waiver entries, header cells, the schema: a few at most
            other.setdefault(rec["source_file"], []).append((rec, rec["failing"]))
    for source, items in other.items():
        suite = TestSuite(_xml_text(source))
        for item in items:
            case = TestCase(_xml_text(item[0]["cell"]), classname=_xml_text(source))
            add(case, [item])
            suite.append(case)
        close(suite)
    xml.name = "hyoka"
    xml.tests, xml.failures, xml.errors = total, failed, 0
    buf = io.BytesIO()
    xml.write(buf, pretty=True)
    return buf.getvalue()


# ---------------------------------------------------------------- GitHub workflow commands

def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(result, located: pd.DataFrame | None = None) -> str:
    """One GitHub Actions workflow command per finding (annotations on the data file)."""
    s = strings(result.options.lang)
    found = locate(result) if located is None else located
    out = []
    for f in found.to_dict(orient="records"):
        command = "notice" if f["waived"] else GITHUB_COMMAND[f["severity"]]
        props = [f"file={escape_property(f['path'])}"]
        if f["line"] > 0:
            props.append(f"line={int(f['line'])}")
            if f["column"] > 0:
                props.append(f"col={int(f['column'])}")
        props.append(f"title={escape_property(f['code'] + ' ' + f['title'])}")
        message = f"{f['cell']}: {f['message']}"
        if f["expected"]:
            message += f"\n{s['expected']}: {f['expected']}"
        if f["waived"]:
            message += f"\n[{s['waived']}] {s['waived_reason']}: {f['waived']}"
        out.append(f"::{command} {','.join(props)}::{escape_data(message)}")
    return "".join(line + "\n" for line in out)


# ---------------------------------------------------------------- all formats

def render(fmt: str, result, fail_on: str = "error") -> bytes:
    """The bytes of ``--format fmt`` (json, csv, sarif, junit, github) for ``result``."""
    if fmt == "json":
        return (json.dumps(F.to_records(result.findings), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt == "csv":
        return to_csv(result.findings)
    if fmt == "sarif":
        return to_sarif(result).encode("utf-8")
    if fmt == "junit":
        return to_junit(result, fail_on)
    if fmt == "github":
        return to_github(result).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")
