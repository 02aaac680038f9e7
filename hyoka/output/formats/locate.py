"""Where each finding is, for the machine formats: path, URI, line, column, sheet and cell.

Built from the findings' place columns (:data:`hyoka.check.findings.PLACE_COLUMNS`): no place
text is parsed and no input is read again (a CSV's character columns were counted when it was read).
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import quote

import numpy as np
import pandas as pd

from hyoka.cellref import column_letters, is_rc_document
from hyoka.output.places import with_cells

if TYPE_CHECKING:
    from hyoka.pipeline import CheckResult

LOCATION_COLUMNS = ("path", "uri", "line", "column", "sheet", "cell_ref")


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


def locate(result: CheckResult) -> pd.DataFrame:
    """The findings of ``result`` with their ``cell`` text (:func:`hyoka.output.places.with_cells`)
    and places added:

    ``path`` (str: the file as given, relative to the working directory), ``uri`` (its URI
    reference), ``line`` / ``column`` (int64, 0 when not known: CSV line and character column, or
    the sheet's row and column), ``sheet`` (str, ``""`` for text files; a PDF's page), ``cell_ref``
    (``J7`` in a workbook, ``R5C8`` in a PDF or HTML table, else ``""``). Index 0..n-1."""
    found = with_cells(result).reset_index(drop=True)
    read = list(result.tables) + list(result.previous_tables)  # E005 is on last year's cell
    paths = {t.source: artifact_path(t.path or t.source) for t in read}
    if result.options.waivers:
        paths.setdefault(Path(result.options.waivers).name, artifact_path(result.options.waivers))
    first = next(iter(paths.values()), "")
    name = found["source_file"].astype("string").fillna("")
    # a finding that names no file of ours (the schema's "a.csv, b.csv") goes to its first source
    name = name.where(name.isin(list(paths)), name.str.split(", ").str[0])
    found["path"] = name.map(paths).fillna(first).astype("string")
    found["uri"] = found["path"].map(artifact_uri).astype("string")
    col = found["col"].to_numpy("int64")
    in_sheet = (col > 0) & (found["sheet"].astype("string").fillna("") != "").to_numpy(bool)
    found["line"] = found["cell_row"].astype("int64")
    # a worksheet cell: its column; a CSV cell: the character column where the field starts
    found["column"] = np.where(in_sheet, col, np.where(col > 0, found["char_col"].to_numpy("int64"), 0))
    found["sheet"] = found["sheet"].astype("string").fillna("").where(in_sheet, "")
    rc = name.map(is_rc_document).to_numpy(bool)  # a PDF or HTML table: R5C8, as its places say
    refs = [
        (f"R{r}C{c}" if k else f"{column_letters(int(c) - 1)}{r}") if x else ""
        for c, r, x, k in zip(col, found["line"], in_sheet, rc)
    ]
    found["cell_ref"] = pd.Series(refs, index=found.index, dtype="string")
    return found
