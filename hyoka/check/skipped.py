"""H002/H003: the checks a table's missing (H002) or empty (H003: a column blank in every row,
hyoka.read.raw) columns switched off, said once per table and field; H006: a column blank on most
of its table's rows (:func:`hyoka.check.profile.sparse`), whose blanks are not reported row by row.

A rule that needs a field (``needs`` in rules/catalog.yaml) and a schema check about a field
(rules/schema_findings.yaml) do not run on the rows of a table without that field's column
(:mod:`hyoka.check.profile`). Instead of a finding on every row, each table (file and sheet) gets
one H002 per missing field that switched at least one check off, naming those checks. Its place
is the table (``row`` 0, ``cell_row`` 0, ``col`` 0); texts in rules/load_findings.yaml.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.notes import notes_frame, table_note
from hyoka.check.profile import missing_fields, row_labels, table_groups
from hyoka.check.rules import FIELD_LABELS, Rule, rows_text
from hyoka.check.schema import field_codes

_SEP = {"ja": "、", "en": ", "}


def checks_needing(rules: list[Rule], runs: Callable[[str], bool]) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """field → the checks that need it: (code, title ``{ja, en}``) of the ``rules`` (the rules
    that run) and of the schema codes ``runs`` accepts (the selection), each code once, rules in
    catalog order and then the schema codes."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for r in rules:
        for fld in r.needs:
            out.setdefault(fld, {}).setdefault(r.code, r.title)
    for fld, codes in field_codes().items():
        for code in codes:
            if runs(code):
                out.setdefault(fld, {}).setdefault(code, dict(registry.code_info(code).texts["title"]))
    return {fld: list(codes.items()) for fld, codes in out.items()}


#: fields many templates do not have (free text, a published rate, target bounds): their absence is
#: not worth a finding on every table, nor is an empty column of them
OPTIONAL_FIELDS = ("activities", "partners", "effect", "remarks", "rate", "target_min", "target_max")


def skipped_findings(
    frame: pd.DataFrame,
    rules: list[Rule],
    lang: str,
    runs: Callable[[str], bool] = lambda code: True,
    empty: set[tuple[str, str, str]] | frozenset = frozenset(),
) -> pd.DataFrame:
    """The H002 findings of ``frame`` (the normalised rows): one per table and per field the table
    has no column for, listing the checks (of ``rules``, and the schema codes ``runs`` accepts)
    that therefore did not run on its rows; a findings table (:mod:`hyoka.check.findings`) placed
    on the table (file and sheet)."""
    needed = checks_needing(rules, runs)
    fields = [f for f in FIELD_LABELS if f in needed]  # the fields' usual order
    items = missing_fields(frame, fields)
    if not items:
        return F.empty()
    records = []
    for source, sheet, fld in items:  # a few fields per table
        code = "H003" if (source, sheet, fld) in empty else "H002"
        if fld in OPTIONAL_FIELDS:  # an empty 備考 column is as ordinary as none
            continue
        ja, en = FIELD_LABELS[fld]
        checks = _SEP[lang].join(f"{c} {title[lang]}" for c, title in needed[fld])
        values = {"field_ja": ja, "field_en": en, "checks": checks}
        observed = " ".join(c for c, _ in needed[fld])
        records.append(table_note(code, lang, values, field=fld, observed=observed, source=source, sheet=sheet))
    return notes_frame(records)


#: the fields a mostly-blank column is said of once (H006), with the per-row checks it keeps quiet
#: (rules/catalog.yaml: G004 and M004 do not fire on the rows of such a table)
SPARSE_FIELDS = {"grade": ("G004",), "current": ("M004",)}


def sparse_findings(frame: pd.DataFrame, rules: list[Rule], lang: str) -> pd.DataFrame:
    """The H006 findings of ``frame`` (the normalised rows, with ``<field>_sparse`` from
    hyoka.normalise.derive): one per table and field of :data:`SPARSE_FIELDS` whose column is blank
    on most rows, when one of ``rules`` (those that run) is a check it keeps quiet; placed on the
    table, the rows that fill the field in listed. A findings table (:mod:`hyoka.check.findings`)."""
    titles = {r.code: r.title for r in rules}
    records = []
    for fld, codes in SPARSE_FIELDS.items():
        quiet = [c for c in codes if c in titles]
        col = f"{fld}_sparse"
        if not quiet or col not in frame or not frame[col].any():
            continue
        rows = frame[frame[col].to_numpy(bool)]
        filled = rows[f"{fld}_state"] != "missing"
        labels = row_labels(rows)  # a PDF's rows are named with their page: p2!R5
        ja, en = FIELD_LABELS[fld]
        checks = _SEP[lang].join(f"{c} {titles[c][lang]}" for c in quiet)
        for (source, sheet), part in rows.groupby(table_groups(rows), sort=False):  # a few tables
            at = part.index[filled.loc[part.index].to_numpy(bool)]
            numbers = rows.loc[at, "row"].astype(int).tolist() if labels is None else labels.loc[at].tolist()
            values = {
                "field_ja": ja,
                "field_en": en,
                "rows": str(len(part)),
                "blank": str(len(part) - len(numbers)),
                "filled": rows_text(numbers, lang, counted=False),
                "checks": checks,
            }
            observed = f"{len(part) - len(numbers)}/{len(part)}"
            records.append(table_note("H006", lang, values, field=fld, observed=observed, source=source, sheet=sheet))
    return notes_frame(records)
