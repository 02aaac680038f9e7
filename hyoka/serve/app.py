"""The web application of ``hyoka serve`` (Starlette): a form, a check, two downloads.

Routes:

- ``GET /``: the form (Japanese; English with ``?lang=en`` or a browser that prefers English): a
  file field that also takes a dropped file, the department choice when the configuration lists
  departments, and what is checked;
- ``POST /check`` (``multipart/form-data``: ``file``, optional ``department``, ``csrf``): the
  result page — the findings grouped by department and rule as the department pages group them
  (hyoka.serve.checking), links to the annotated workbook (for .xlsx / .xlsm) and the findings CSV.
  With ``Accept: application/json`` the findings as ``hyoka check --format json`` prints them;
  an error is then ``{"error": "…"}``;
- ``GET /download/<token>``: a download of a result, from memory (hyoka.serve.store);
- ``GET /static/hyoka.css``, ``GET /static/serve.js``: the pages' stylesheet (the reports'
  ``_style.css`` and ``_serve.css``) and the drop script (``_serve.js``), served from the
  templates; nothing else is served (no folder, no listing).

Limits (:class:`ServeSettings`): the upload's size (refused with 413 while it streams in), the
checks running at once (a thread pool) and waiting (beyond that: 503), the time a check may take,
waiting included (503; the check's thread finishes on its own and its folder is removed then).
A file that cannot be checked gets hyoka check's one-line error with 400; anything unexpected a
one-line internal error with 500; the server carries on.

Nothing is kept: each upload is written into a private temporary folder
(``tempfile.TemporaryDirectory``) removed when its check ends; the downloads live in memory for
ten minutes. Every response carries a Content-Security-Policy with no source but this server
(:data:`HEADERS`); the form is protected by a signed double-submit token (hyoka.serve.csrf).
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hyoka.errors import HyokaError, msg
from hyoka.errors import Message as Text
from hyoka.options import CheckOptions
from hyoka.output.report import counted, environment, strings
from hyoka.resources import data_dir
from hyoka.serve.checking import Checked, check_file, options_for, say_error
from hyoka.serve.csrf import COOKIE, FIELD, Csrf
from hyoka.serve.store import TTL, DownloadStore
from hyoka.serve.upload import EXTENSIONS, FORM_SLACK, IDLE_SECONDS, Upload, UploadError, receive, size_text

#: the headers of every response: no source but this server for styles and scripts, nothing
#: else at all; no framing; no referrer; no type sniffing; nothing cached
HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}
MEGABYTE = 1024 * 1024
#: a body declared up to this many times the size limit is read to its end (and dropped) before
#: the refusal, so that the browser sending it shows the answer; a larger one is not read at all
DRAIN = 4
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ServeSettings:
    """What the server runs with: ``options`` (the configuration's CheckOptions, the same for
    every upload), ``lang`` (the configuration's ``lang``: the findings' language for every
    upload; None lets each page's language decide), ``departments`` (the configured list, offered
    as the department choice; empty: no choice), ``max_bytes`` (an upload's size limit),
    ``timeout`` (seconds a check may take, waiting included), ``concurrent`` (checks at once),
    ``waiting`` (checks that may wait for a turn), ``idle`` (seconds an upload may send nothing
    before it is dropped with 408, freeing its place)."""

    options: CheckOptions = field(default_factory=CheckOptions)
    lang: str | None = None
    departments: list[str] = field(default_factory=list)
    max_bytes: int = 20 * MEGABYTE
    timeout: float = 120.0
    concurrent: int = 2
    waiting: int = 16
    idle: float = IDLE_SECONDS


class SecurityHeaders:
    """ASGI middleware: :data:`HEADERS` on every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in HEADERS.items():
                    if key not in headers:
                        headers.append(key, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def page_lang(request: Request, default: str | None) -> str:
    """The page's language: ``?lang=ja|en``, else the first of ja and en in the browser's
    ``Accept-Language`` (by its q-values), else ``default`` (the configuration's), else ja."""
    asked = request.query_params.get("lang")
    if asked in ("ja", "en"):
        return asked
    ranked = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("ja", "en") and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else (default or "ja")


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _disposition(filename: str) -> str:
    """``attachment`` with an ASCII name and the UTF-8 one (RFC 6266 / 5987)."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class Server:
    """The application's state: settings, the thread pool, the checks in flight, the CSRF
    secret and the downloads."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.csrf = Csrf()
        self.store = DownloadStore()
        self.pool = ThreadPoolExecutor(max_workers=max(1, settings.concurrent), thread_name_prefix="hyoka-check")
        self.in_flight = 0
        self._lock = threading.Lock()
        self.env = environment()
        folder = data_dir("reports") / "templates"
        self.css = (folder / "_style.css").read_text(encoding="utf-8") + (folder / "_serve.css").read_text(
            encoding="utf-8"
        )
        self.js = (folder / "_serve.js").read_text(encoding="utf-8")

    # --- pages -------------------------------------------------------------------------------

    def _strings(self, lang: str) -> dict:
        s = dict(strings(lang))
        s["more_findings"] = s["serve_more_findings"]
        return s

    def page(self, template: str, lang: str, status: int = 200, **ctx) -> HTMLResponse:
        s = self._strings(lang)
        html = self.env.get_template(template).render(
            s=s,
            lang=lang,
            other_lang="en" if lang == "ja" else "ja",
            counted=lambda key, n: counted(s, key, n),
            extensions=", ".join(EXTENSIONS),
            accept=",".join(EXTENSIONS),
            limit=size_text(self.settings.max_bytes),
            departments=self.settings.departments,
            **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def form(self, request: Request, lang: str, status: int = 200, error: str = "", **ctx) -> HTMLResponse:
        """The form page (with ``error`` above it), setting the CSRF cookie when it has none valid."""
        token = request.cookies.get(COOKIE)
        if not self.csrf.valid(token):
            token = self.csrf.new()
        response = self.page("serve_form.html.j2", lang, status, csrf=token, error=error, **ctx)
        response.set_cookie(COOKIE, token or "", httponly=True, samesite="strict", path="/")
        return response

    def failure(self, request: Request, lang: str, status: int, text: str, wants_json: bool) -> Response:
        if wants_json:
            return JSONResponse({"error": text}, status_code=status)
        return self.form(request, lang, status, error=text)

    # --- routes ------------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        return self.form(request, page_lang(request, self.settings.lang))

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name == "hyoka.css":
            return Response(self.css, media_type="text/css; charset=utf-8")
        if name == "serve.js":
            return Response(self.js, media_type="text/javascript; charset=utf-8")
        return Response("Not Found", status_code=404, media_type="text/plain")

    async def download(self, request: Request) -> Response:
        item = self.store.get(request.path_params["token"])
        if item is None:
            lang = page_lang(request, self.settings.lang)
            return self.form(request, lang, 404, error=self._strings(lang)["serve_expired"])
        return Response(
            item.data, media_type=item.media_type, headers={"content-disposition": _disposition(item.filename)}
        )

    async def check(self, request: Request) -> Response:
        lang = page_lang(request, self.settings.lang)
        wants_json = _wants_json(request)

        def fail(status: int, message: Text | str) -> Response:
            text = message.say(lang) if isinstance(message, Text) else message
            return self.failure(request, lang, status, text, wants_json)

        # a script asking for JSON with no cookie cannot be a visitor's browser: no token needed
        exempt = wants_json and "cookie" not in request.headers
        if not exempt and not self.csrf.valid(request.cookies.get(COOKIE)):
            return fail(403, msg("serve_csrf"))
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_bytes + FORM_SLACK:
            if int(length) <= DRAIN * self.settings.max_bytes:
                # a browser still sending the file may show a broken connection instead of the
                # answer: read the rest and drop it (a chunk at a time, nothing kept)
                async for _ in request.stream():
                    pass
            return fail(413, msg("serve_too_large", limit=size_text(self.settings.max_bytes)))
        with self._lock:
            if self.in_flight >= self.settings.concurrent + self.settings.waiting:
                return fail(503, msg("serve_busy"))
            self.in_flight += 1
        folder = tempfile.TemporaryDirectory(prefix="hyoka-serve-")
        handed = False
        try:
            try:
                up = await receive(
                    request.stream(),
                    request.headers.get("content-type", ""),
                    Path(folder.name),
                    self.settings.max_bytes,
                    self.settings.idle,
                )
            except UploadError as exc:
                return fail(exc.status, exc.message)
            if not exempt and not self.csrf.passes(request.cookies.get(COOKIE), up.fields.get(FIELD)):
                return fail(403, msg("serve_csrf"))
            if not up.name:
                return fail(400, msg("serve_no_file"))
            department = up.fields.get("department", "").strip()
            listed = self.settings.departments
            if department and listed and department not in listed:
                return fail(400, msg("serve_unknown_department", department=department, known=", ".join(listed)))
            options = options_for(self.settings.options, self.settings.lang or lang, department)
            future = self.pool.submit(_check, up, options)
            future.add_done_callback(lambda _: self._finished(folder))
            handed = True
            try:
                checked = await asyncio.wait_for(asyncio.wrap_future(future), self.settings.timeout)
            except TimeoutError:
                return fail(503, msg("serve_timeout", seconds=f"{self.settings.timeout:g}"))
            except HyokaError as exc:
                return fail(400, say_error(exc, options.lang, up.path, up.name))
            except Exception as exc:  # never a traceback to the browser, and the server carries on
                return fail(500, say_error(exc, options.lang, up.path, up.name))
        finally:
            if not handed:
                self._finished(folder)
        if wants_json:
            return Response(checked.json, media_type="application/json")
        return await run_in_threadpool(self.result_page, lang, up, department, checked)

    def result_page(self, lang: str, up: Upload, department: str, checked: Checked) -> HTMLResponse:
        s = self._strings(lang)
        csv_name = f"{checked.stem}.findings.csv"
        csv_token = self.store.put(checked.csv, csv_name, "text/csv; charset=utf-8")
        book = None
        if checked.annotated is not None:
            book_name = f"{checked.stem}.hyoka{Path(up.name).suffix.lower()}"
            token = self.store.put(checked.annotated, book_name, XLSX)
            book = {"name": book_name, "href": f"download/{token}" if token else "", "note": checked.annotated_note}
        downloads = {
            "csv": {"name": csv_name, "href": f"download/{csv_token}" if csv_token else ""},
            "book": book,
            "minutes": int(TTL // 60),
        }
        return self.page(
            "serve_result.html.j2",
            lang,
            name=up.name,
            department=department,
            checked=checked,
            downloads=downloads,
            md_name=csv_name,
            not_kept=s["serve_not_kept"],
        )

    def _finished(self, folder: tempfile.TemporaryDirectory) -> None:
        """A check is over (done, failed or cancelled): its folder removed, its place freed."""
        folder.cleanup()
        with self._lock:
            self.in_flight -= 1


def _check(up: Upload, options: CheckOptions) -> Checked:
    if up.path is None:  # an extension hyoka does not read: refused as the CLI refuses it
        return check_file(Path(up.name), up.name, options)
    return check_file(up.path, up.name, options)


def create_app(settings: ServeSettings | None = None) -> Starlette:
    """The Starlette application for ``settings``; ``app.state.server`` is its :class:`Server`."""
    server = Server(settings or ServeSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        server.pool.shutdown(wait=False, cancel_futures=True)

    app = Starlette(
        routes=[
            Route("/", server.index, methods=["GET"]),
            Route("/check", server.check, methods=["POST"]),
            Route("/download/{token}", server.download, methods=["GET"]),
            Route("/static/{name:str}", server.static, methods=["GET"], name="static"),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    app.state.server = server
    return app
