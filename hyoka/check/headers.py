"""H001: header cells that resemble a field but were not read; H005: columns named as a field that
an earlier column gives (a second 現状値), not read either (a column dropped silently would
otherwise leave its rows with wrong findings); H007: a PDF's table cut at the page's edge. Texts in rules/load_findings.yaml (the registry)."""

from __future__ import annotations

import pandas as pd

from hyoka.check import findings as F
from hyoka.check.notes import notes_frame, table_note
from hyoka.check.rules import FIELD_LABELS
from hyoka.normalise.scale import ScaleFit
from hyoka.read.raw import RawTable


def header_findings(tables: list[RawTable], lang: str) -> pd.DataFrame:
    """The H001 findings of ``tables`` (their ``unmapped`` header cells), as a findings table
    (:mod:`hyoka.check.findings`) placed on each header cell."""
    items = [("H001", t.source, *u) for t in tables for u in t.unmapped]
    items += [("H005", t.source, *u) for t in tables for u in t.duplicates]
    if not items:
        return F.empty()
    rows = []
    for code, source, sheet, row, col, char_col, header, fld in items:  # a few header cells per file
        ja, en = FIELD_LABELS.get(fld, (fld, fld))
        shown = " ".join(header.split())
        values = {"header": shown, "field_ja": ja, "field_en": en}
        rows.append(
            table_note(
                code,
                lang,
                values,
                field=fld,
                observed=shown,
                source=source,
                sheet=sheet,
                cell_row=row,
                col=col,
                char_col=char_col,
            )
        )
    return notes_frame(rows)


def cut_findings(tables: list[RawTable], lang: str) -> pd.DataFrame:
    """H007: a PDF's table cut at the page's edge (``RawTable.cut``): one finding per file and
    side, naming the pages, placed on the first of them as a whole."""
    rows = []
    for t in tables:
        for side in ("left", "right"):
            pages = [sheet for sheet, s in t.cut if s == side]
            if not pages:
                continue
            shown = ", ".join(pages[:10]) + (" …" if len(pages) > 10 else "")
            values = {
                "pages": shown,
                "side_ja": "右" if side == "right" else "左",
                "side_en": side,
            }
            rows.append(table_note("H007", lang, values, field="", observed=shown, source=t.source, sheet=pages[0]))
    return notes_frame(rows)


def scale_finding(fit: ScaleFit | None, tables: list[RawTable], lang: str) -> pd.DataFrame:
    """H004: the grading scale hyoka chose from the grades published (``fit``, from
    :func:`hyoka.normalise.scale.scale_fits`) because none was given; an empty findings table
    when the scale was given. Placed on the first table as a whole."""
    if fit is None or not tables:
        return F.empty()
    name = fit.scale.name_ja if lang == "ja" else fit.scale.name_en
    sep = "、" if lang == "ja" else ", "
    missing = ""
    if fit.missing:
        shown = sep.join(fit.missing[:5])
        missing = f"合わない値: {shown}" if lang == "ja" else f"Grades it does not know: {shown}"
    values = {"scale": name, "id": fit.scale.id, "grades": sep.join(fit.grades[:8]), "missing": missing}
    note = table_note("H004", lang, values, field="grade", observed=fit.scale.id, source=tables[0].source)
    return notes_frame([note])
