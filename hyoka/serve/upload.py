"""Reading one upload (``multipart/form-data``) as it streams in, into a private folder.

The request body is parsed while it arrives (python-multipart's streaming parser): the file part
is written straight to ``<folder>/upload<ext>`` — a fixed name; the sender's file name gives only
its extension (one of :data:`EXTENSIONS`) and the name shown on the page (:func:`display_name`) —
and the other fields are kept as short texts. Nothing of the body is held in memory beyond one
chunk, and nothing is written outside ``folder``. Reading stops, with :class:`UploadError`, as
soon as the file passes ``max_bytes`` or the body passes ``max_bytes`` plus :data:`FORM_SLACK`.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from hyoka.display import visible
from hyoka.errors import Message, msg

#: the extensions an upload may have (what hyoka check reads); any other is refused as the CLI refuses it
#: seconds an upload may send nothing before it is dropped (HTTP 408)
IDLE_SECONDS = 30.0
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".html", ".htm", ".pdf")
#: the stem every upload is saved under inside its private folder
STEM = "upload"
#: bytes a form may carry besides the file (the boundaries, headers and short fields)
FORM_SLACK = 64 * 1024
#: at most this many characters of a text field (department, csrf) are kept
FIELD_CHARS = 1000
#: at most this many characters of the sender's file name are shown
NAME_CHARS = 120


class UploadError(Exception):
    """An upload that cannot be taken: ``status`` (400, 413), ``message`` (a Message of
    rules/errors.yaml)."""

    def __init__(self, status: int, message: Message) -> None:
        super().__init__(str(message))
        self.status, self.message = status, message


@dataclass
class Upload:
    """What a form sent: ``path`` (the file saved, None when no file came), ``name`` (the
    sender's file name as shown: :func:`display_name`), ``suffix`` (its extension, lower case),
    ``size`` (bytes of the file), ``fields`` (the other fields' texts)."""

    path: Path | None = None
    name: str = ""
    suffix: str = ""
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)


def display_name(sent: str) -> str:
    """The sender's file name for the page and the findings: the last part of a path (``/`` or
    ``\\``), NFC, control and direction characters shown as escapes (:func:`hyoka.display.visible`),
    at most :data:`NAME_CHARS` characters; ``upload`` when nothing is left. Never a path on disk."""
    base = PureWindowsPath(PurePosixPath(sent).name).name
    text = visible(unicodedata.normalize("NFC", base), one_line=True).strip()
    if len(text) > NAME_CHARS:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: NAME_CHARS - len(ext) - 2] + "…" + dot + ext) if dot and len(ext) <= 5 else text[:NAME_CHARS]
    return text or STEM


async def receive(
    stream: AsyncIterator[bytes], content_type: str, folder: Path, max_bytes: int, idle: float = IDLE_SECONDS
) -> Upload:
    """Parse a ``multipart/form-data`` body from ``stream`` (the request's chunks), writing the
    part named ``file`` to ``folder`` (:data:`STEM` + its extension; nothing when the extension
    is not one of :data:`EXTENSIONS`, which ``suffix`` then tells). Raises UploadError: 400 for a
    body that is not a form, 413 as soon as the file passes ``max_bytes``, 408 when no chunk
    arrives for ``idle`` seconds (a sender that stalls mid-upload — a laptop put to sleep — would
    otherwise hold its place among the checks for ever)."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadError(400, msg("serve_not_a_form"))
    up = Upload()
    state: dict = {"header": b"", "value": b"", "headers": {}, "name": None, "out": None, "text": None}

    def on_part_begin() -> None:
        state.update(headers={}, name=None, out=None, text=None)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["header"].lower()] = state["value"]
        state["header"] = state["value"] = b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if name == "file" and b"filename" in disp and up.path is None and not up.name:
            sent = disp[b"filename"].decode("utf-8", "replace")
            if not sent:  # a form sent with no file chosen
                return
            up.name = display_name(sent)
            up.suffix = PurePosixPath(up.name).suffix.lower()
            if up.suffix in EXTENSIONS:
                up.path = folder / f"{STEM}{up.suffix}"
                state["out"] = up.path.open("xb")
        elif name != "file":
            state["text"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        out: BinaryIO | None = state["out"]
        if out is not None:
            up.size += end - start
            if up.size > max_bytes:
                raise UploadError(413, msg("serve_too_large", limit=size_text(max_bytes)))
            out.write(data[start:end])
        elif state["text"] is not None and len(state["text"]) <= FIELD_CHARS * 4:
            state["text"] += data[start:end]

    def on_part_end() -> None:
        if state["out"] is not None:
            state["out"].close()
            state["out"] = None
        if state["text"] is not None and state["name"] and state["name"] not in up.fields:
            up.fields[state["name"]] = bytes(state["text"]).decode("utf-8", "replace")[:FIELD_CHARS]
        state["text"] = None

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    seen = 0
    chunks = aiter(stream)
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(anext(chunks), idle)
            except StopAsyncIteration:
                break
            except TimeoutError:
                raise UploadError(408, msg("serve_stalled", seconds=f"{idle:g}")) from None
            seen += len(chunk)
            if seen > max_bytes + FORM_SLACK:
                raise UploadError(413, msg("serve_too_large", limit=size_text(max_bytes)))
            parser.write(chunk)
        parser.finalize()
    except UploadError:
        raise
    except Exception:  # a body the parser cannot follow (a cut boundary, a bad header)
        raise UploadError(400, msg("serve_not_a_form")) from None
    finally:
        if state["out"] is not None:
            state["out"].close()
    return up


def size_text(n: int) -> str:
    """A size limit as the page says it: ``20 MB``, ``2.5 MB``, ``8 KB`` below a megabyte."""
    if n < 1024 * 1024:
        return f"{n / 1024:.3g} KB"
    return f"{n / (1024 * 1024):.3g} MB"
