"""``--format csv``: the findings table with the JSON keys, for spreadsheets."""

from __future__ import annotations

import csv
import io

import pandas as pd

from hyoka.check import findings as F
from hyoka.output.annotate import neutralise


def to_csv(findings: pd.DataFrame) -> bytes:
    """``findings`` (with the ``cell`` column: hyoka.output.places.with_cells) (keys as JSON) as CSV: UTF-8 with BOM, CRLF, formula-looking cells
    neutralised."""
    records = F.to_records(findings)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(F.RECORD_KEYS)
    writer.writerows([neutralise(r[k]) for k in F.RECORD_KEYS] for r in records)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
