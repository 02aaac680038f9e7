"""Running a suite in Great Expectations, and hyoka's findings in the same shape.

GX (the optional extra ``hyoka[gx]``) is imported only inside :func:`validate_with_gx`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hyoka.errors import HyokaError


def validate_with_gx(frame: pd.DataFrame, suite: dict | str | Path) -> dict[str, set[int]]:
    """Run ``suite`` (a dict as :func:`build_suite` makes, or a path to its JSON) on ``frame``
    (the normalised table) in an ephemeral GX context, result format COMPLETE.

    Returns ``{hyoka_code: {row index labels}}`` for every code in the suite: the union of the
    unexpected index labels of that code's expectations (``frame.index`` labels, the same as a
    finding's ``row_index``); a failed table-level expectation (column missing, wrong type)
    adds ``-1``. Raises HyokaError when GX is not installed or an expectation raised an error
    (a row_condition pandas cannot evaluate, a missing column), naming the expectation."""
    import json
    import logging
    import os
    import warnings

    spec: dict = json.loads(Path(suite).read_text(encoding="utf-8")) if isinstance(suite, (str, Path)) else suite
    # GX Core 1.x sends analytics events unless told not to ("Toggle analytics events"); a user's own
    # setting of the variable is kept
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
    except ImportError:
        raise HyokaError("Great Expectations is not installed: pip install 'hyoka[gx]'") from None
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = (
        context.data_sources.add_pandas("hyoka")
        .add_dataframe_asset("normalised")
        .add_batch_definition_whole_dataframe("all rows")
    )
    used = [c for c in frame.columns if c in suite_columns(spec)]
    with warnings.catch_warnings():
        # GX >= 1.9 deprecates string row conditions (to be removed in 2.0); they still run
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pydantic|great_expectations")
        gx_suite = gx.ExpectationSuite(**{k: v for k, v in spec.items() if k in ("name", "expectations", "meta")})
        batch = batch_def.get_batch(batch_parameters={"dataframe": frame[used]})
        result = batch.validate(gx_suite, result_format="COMPLETE")
    rows: dict[str, set[int]] = {}
    for r in result.results:
        cfg = r.expectation_config
        assert cfg is not None  # a suite's validation results carry their expectation
        code = (cfg.meta or {}).get("hyoka_code", cfg.type)
        hits = rows.setdefault(code, set())
        info = r.exception_info or {}
        raised = (
            info.get("raised_exception")
            if "raised_exception" in info
            else any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())
        )
        if raised:
            msg = info.get("exception_message") or next(
                (v.get("exception_message") for v in info.values() if isinstance(v, dict)), ""
            )
            raise HyokaError(
                f"GX could not run {cfg.type} for {code} ({cfg.kwargs.get('row_condition', '')}): {str(msg)[:300]}"
            )
        if r.success:
            continue
        index = (r.result or {}).get("unexpected_index_list")
        if index is None:
            hits.add(-1)
        else:
            hits.update(int(i) for i in index)
    return rows


def suite_columns(suite: dict) -> set[str]:
    """The columns a suite reads: its expectations' column arguments and every name in their
    row conditions (GX resolves each row condition against the whole frame, so
    :func:`validate_with_gx` hands it only these)."""
    import re

    cols: set[str] = set()
    for e in suite.get("expectations", []):
        kw = e.get("kwargs", {})
        cols.update(str(kw[k]) for k in ("column", "column_A", "column_B") if k in kw)
        cols.update(kw.get("column_list") or [])
        cond = kw.get("row_condition")
        if isinstance(cond, dict):
            cond = cond.get("pass_through_filter", "")
        if cond:
            # names (and quoted strings' words: harmless, only frame columns are kept)
            cols.update(a or b for a, b in re.findall(r"`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)", str(cond)))
    return cols


def hyoka_rows(findings: pd.DataFrame, codes: list[str] | set[str]) -> dict[str, set[int]]:
    """hyoka's findings in the shape :func:`validate_with_gx` returns, for ``codes``. A rule with
    ``group_by`` (G001) gives one finding per group, on its first row: GX fails each of the rows."""
    sub = findings[findings["code"].isin(list(codes))]
    out: dict[str, set[int]] = {c: set() for c in codes}
    for code, idx in sub.groupby("code")["row_index"]:
        out[str(code)] = set(int(i) for i in idx)
    return out
