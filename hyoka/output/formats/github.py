"""``--format github``: GitHub Actions workflow commands (see :mod:`hyoka.output.formats`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from hyoka.output.formats.locate import locate
from hyoka.output.report import strings

if TYPE_CHECKING:
    from hyoka.pipeline import CheckResult

GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(result: CheckResult, located: pd.DataFrame | None = None) -> str:
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
