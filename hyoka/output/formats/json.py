"""``--format json``: the findings as a JSON array of records (keys
:data:`hyoka.check.findings.RECORD_KEYS`), one space of indent, UTF-8, a final newline."""

from __future__ import annotations

import json

import pandas as pd

from hyoka.check import findings as F


def to_json(findings: pd.DataFrame) -> bytes:
    """``findings`` (with the ``cell`` column: hyoka.output.places.with_cells) as JSON bytes."""
    return (json.dumps(F.to_records(findings), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
