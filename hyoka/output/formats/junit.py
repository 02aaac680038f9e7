"""``--format junit``: JUnit XML (see :mod:`hyoka.output.formats`)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from hyoka.check import findings as F
from hyoka.output.places import with_cells
from hyoka.output.report import strings

if TYPE_CHECKING:
    from hyoka.pipeline import CheckResult

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: object) -> str:
    """Text that XML 1.0 can carry (control characters other than tab/newline dropped)."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def to_junit(result: CheckResult, fail_on: str) -> bytes:
    """JUnit XML (see the module doc): a suite per department, a testcase per checked row."""
    from junitparser import Failure, JUnitXml, TestCase, TestSuite

    s = strings(result.options.lang)
    frame = result.frame.reset_index(drop=True)
    found = with_cells(result)
    rank = found["severity"].map(F.SEVERITY_ORDER)
    failing = (found["waived"].fillna("") == "") & (
        (rank <= F.SEVERITY_ORDER[fail_on]) if fail_on != "never" else False
    )

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
                failure = Failure(_xml_text(f"{f['code']} {f['title']}: {' '.join(f['message'].split())}"), f["code"])
                failure.text = _xml_text(detail(f))
                failures.append(failure)
            else:
                notes.append(_xml_text(note(f)))
        if failures:
            case.result = failures
        if notes:
            case.system_out = "\n".join(notes)

    # findings as plain records once, grouped by the row they are on (-1: not on a row)
    records: list[dict[str, Any]] = F.to_records(found)  # text, then row_index (int) and failing (bool) added
    for rec, title, fix, src, pos, bad in zip(
        records,
        found["title"].fillna(""),
        found["fix"].fillna(""),
        found["source_file"].fillna(""),
        found["row_index"],
        failing,
    ):
        rec.update(title=str(title), fix=str(fix), source_file=str(src), row_index=int(pos), failing=bool(bad))
    by_row: dict[int, list[tuple[dict, bool]]] = {}
    for rec in records:
        by_row.setdefault(rec["row_index"], []).append((rec, rec["failing"]))
    dep = frame["department"].astype("string").fillna("").replace("", s["no_department"])
    names = (
        frame["project"].astype("string").fillna("").replace("", "-")
        + " / "
        + frame["indicator"].astype("string").fillna("").replace("", "-")
    )
    xml = JUnitXml()
    total = failed = 0

    def close(suite) -> None:
        nonlocal total, failed
        suite.update_statistics()  # once a suite: junitparser's add_testcase recounts every time
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
        if rec["row_index"] < 0:  # waiver entries, header cells, the schema: a few at most
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
