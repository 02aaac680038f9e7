"""Great Expectations (GX Core 1.x) interop: hyoka's checks as an Expectation Suite.

``build_suite(rules, ...)`` translates the rule catalog (rules/catalog.yaml, conditions in the
language of :mod:`hyoka.check.expr`) and the Pandera schema (checks/normalised.yaml) into a suite for
the **normalised table** — the frame :func:`hyoka.pipeline.run_check` returns as
``CheckResult.frame`` (hyoka.normalise.frame output plus the derive columns). The suite is a plain dict
in the JSON shape GX 1.x writes in a file context (``gx/expectations/NAME.json``)::

    {"name": "hyoka", "expectations": [{"type": ..., "kwargs": {...}, "meta": {"hyoka_code": "D001", ...}}],
     "meta": {"hyoka": {...}}}

so a team running GX loads it with ``gx.ExpectationSuite(**json.load(f))`` or copies the file into
its project. Building it needs no GX installation; :func:`validate_with_gx` does (the optional
extra ``hyoka[gx]``), and GX is imported only inside that function.

How a rule becomes expectations. hyoka's logic is three-valued: a rule fires on a row where its
condition is *definitely* true (a comparison with a missing value is unknown). The condition is
put in disjunctive normal form (``not`` pushed down to the comparisons, which is sound in Kleene
logic); a product ``(X - Y) * S OP 0`` is split into the cases S > 0 (X OP Y), S < 0 (X flipped-OP
Y) and S == 0. Each conjunction becomes one expectation: one conjunct whose negation GX can
expect — a column pair comparison (``expect_column_pair_values_a_to_be_greater_than_b``,
``expect_column_pair_values_to_be_equal``, missing values ignored), a value set
(``expect_column_values_to_[not_]be_in_set``), a range (``expect_column_values_to_be_between``)
or nullity (``expect_column_values_to_[not_]be_null``) — and the other conjuncts as its
``row_condition`` (``condition_parser: pandas``, a ``DataFrame.query`` string written so that a
missing value never satisfies it). A rule's rows in GX are the union of its expectations'
unexpected rows. A conjunction with no such conjunct is reported as not expressible, with why.

The modules, in the order of the translation: :mod:`~hyoka.interop.gx.normal_form` (conditions as
conjunctions of atoms), :mod:`~hyoka.interop.gx.query` (atoms as ``row_condition`` text),
:mod:`~hyoka.interop.gx.expectations` (atoms, rules and the schema as expectations),
:mod:`~hyoka.interop.gx.export` (the suite and its files), :mod:`~hyoka.interop.gx.runner`
(running a suite in GX). None of them imports GX at import time.
"""

from hyoka.interop.gx.expectations import (
    expectation_for,
    rule_expectations,
    schema_expectations,
)
from hyoka.interop.gx.export import SUITE_NAME, Export, Suite, build_suite, export_gx
from hyoka.interop.gx.normal_form import (
    MAX_CONJUNCTIONS,
    Atom,
    Cmp,
    NotExpressible,
    Null,
    Truth,
    conjunctions,
)
from hyoka.interop.gx.query import NUMEXPR_NAMES, query_text
from hyoka.interop.gx.runner import hyoka_rows, suite_columns, validate_with_gx

__all__ = [
    "MAX_CONJUNCTIONS",
    "NUMEXPR_NAMES",
    "SUITE_NAME",
    "Atom",
    "Cmp",
    "Export",
    "NotExpressible",
    "Null",
    "Suite",
    "Truth",
    "build_suite",
    "conjunctions",
    "expectation_for",
    "export_gx",
    "hyoka_rows",
    "query_text",
    "rule_expectations",
    "schema_expectations",
    "suite_columns",
    "validate_with_gx",
]
