"""Comparing this year's edition of a table with last year's (``hyoka check … --previous``).

Interface::

    spec = load_edition_spec()                          # rules/edition_findings.yaml
    findings, info, pairs = compare_editions(current, previous, spec, lang="ja",
                                             previous_paths=["r4.csv"])

``current`` and ``previous`` are normalised frames (:mod:`hyoka.normalise.frame`; both editions go through
the same load → normalise pipeline, so the vocabulary's and the departments file's renames apply to
both). ``findings`` is a findings frame (:mod:`hyoka.check.findings`) with codes ``E001``–``E010``;
``info`` an :class:`EditionInfo` (counts for the coordinator's dashboard); ``pairs`` the matched
rows: columns ``current`` and ``previous`` (row labels of the two frames) and ``how``
(``exact`` / ``fuzzy`` / ``renamed`` / ``replaced``).

Matching (rows = one project's indicator; a row is matched at most once):

1. Keys. Department, project and indicator names are compared as *keys*: NFKC, case-folded, with
   whitespace and punctuation (・ 、 。 ， ． 「」 （） - ～ / …) removed, so ``自治会 活動支援``,
   ``自治会活動支援`` and ``自治会・活動支援`` are one key. A last-year department is mapped to
   this year's name when this year's table gives it as the old name (``危機管理室→危機管理課``,
   i.e. ``department_previous``); renames in rules/departments.yaml or ``--departments`` were
   already applied to both editions by :func:`hyoka.normalise.frame.normalise`.
2. Exact: rows whose (department, project, indicator) keys are equal and unique in both editions
   are matched (a merge on whole columns). A key held by two or more rows in either edition, and
   present in both, cannot be matched: the rows are reported (E009, this year's cells) and not
   compared.
3. Fuzzy, only for the rows left over (a handful): within one department, a pair whose project
   keys are at least ``fuzzy_project`` and indicator keys at least ``fuzzy_indicator`` similar
   (rapidfuzz ``ratio``, 0–100, one ``cpdist`` call over all candidate pairs) is matched, best
   score first.
4. Same project, another indicator: left-over rows with equal department and project keys are
   paired, most similar indicator first. The indicator was *renamed* (E003, info) when the names
   are at least ``renamed_indicator`` similar or the baselines are equal (same value and unit);
   otherwise it was *replaced* (E004, warning) and the values are not compared.
5. Whatever is left: last year's rows have *disappeared* (E005, pointing at last year's cell),
   this year's have *appeared* (E006). ``kind`` says whether the whole project is new/gone or
   one indicator of a project that is in both editions.

Comparisons on matched rows (exact, fuzzy and renamed; all on whole columns):

- E001 (error) baseline changed: values differ (relative tolerance 1e-9; a level compares by
  rank), one edition has a baseline and the other is missing, unreadable texts differ, or the
  baseline years differ.
- E002 (warning) target changed (the same test on target) and this year's row has no note: a ※
  or trailing parenthesised remark in the target cell, or effect/remarks/activities text matching the
  spec's ``note_pattern``.
- E007 (warning) current value moved against the indicator's direction (``sign`` of this year's
  row, else last year's; hyoka.normalise.derive) in one unit, while the grade's rank improved (rank 1 is
  best; hyoka.normalise.scale).
- E008 (warning) the row's unit (baseline's, else target's, else current's) differs; the finding
  points at that field.

Findings point at this year's cell and name last year's cell in the message (``prev_cell``);
E005 points at last year's cell (``row_index`` −1). Texts come from rules/edition_findings.yaml.
Raises ConfigError for a bad spec file.

Modules: :mod:`hyoka.compare.spec` (the spec file, :class:`EditionInfo`), :mod:`hyoka.compare.match`
(keys and matching), :mod:`hyoka.compare.findings` (the comparisons and their findings); this
module is the interface.
"""

from __future__ import annotations

from hyoka.compare.findings import compare_editions
from hyoka.compare.match import department_keys, match_editions, name_key
from hyoka.compare.spec import EDITION_CODES, PLACEHOLDERS, EditionCode, EditionInfo, EditionSpec, load_edition_spec

__all__ = [
    "EDITION_CODES",
    "PLACEHOLDERS",
    "EditionCode",
    "EditionInfo",
    "EditionSpec",
    "compare_editions",
    "department_keys",
    "load_edition_spec",
    "match_editions",
    "name_key",
]
