"""``hyoka serve``: the self-check page for departments (hyoka.serve), run with uvicorn.

Starlette, uvicorn and python-multipart are the ``serve`` extra: without them the command says
in one line what to install (exit 2). They, and hyoka.serve, are imported when the command runs,
so that ``hyoka --help`` loads none of them.
"""

from __future__ import annotations

import importlib.util
from typing import Annotated

import typer

from hyoka.cli.common import fail, find_configuration, warn
from hyoka.cli.options import Config, Host, NoConfig, OptLang, Port
from hyoka.errors import HyokaError, msg

#: the modules hyoka serve needs, as pip names them
NEEDS = {"starlette": "starlette", "uvicorn": "uvicorn", "python_multipart": "python-multipart"}
#: hosts that only this machine reaches
LOCAL = ("127.0.0.1", "localhost", "::1")


def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    config: Config = None,
    no_config: NoConfig = False,
    max_upload: Annotated[float, typer.Option("--max-upload", metavar="MB")] = 20.0,
    timeout: Annotated[float, typer.Option("--timeout", metavar="SECONDS")] = 120.0,
    concurrent: Annotated[int, typer.Option("--concurrent", metavar="N")] = 2,
    lang: OptLang = None,
) -> None:
    from hyoka.cli.language import word

    missing = [pip for module, pip in NEEDS.items() if importlib.util.find_spec(module) is None]
    if missing:
        fail(HyokaError(msg("serve_missing", modules=", ".join(missing))))
    for option, value in (("--max-upload", max_upload), ("--timeout", timeout), ("--concurrent", concurrent)):
        if not value >= 1:
            fail(HyokaError(msg("serve_bad_limit", option=option, value=f"{value:g}")))

    import uvicorn

    from hyoka.config import load_departments
    from hyoka.pipeline import options_from
    from hyoka.serve import ServeSettings, create_app

    try:
        cfg = find_configuration(config, no_config)
        options = options_from(cfg)
        listed = load_departments(options.departments_file)[0] if options.departments_file else []
    except HyokaError as exc:
        fail(exc)
    settings = ServeSettings(
        options=options,
        lang=cfg.lang if cfg else None,
        departments=listed,
        max_bytes=int(max_upload * 1024 * 1024),
        timeout=timeout,
        concurrent=concurrent,
    )
    shown = f"[{host}]" if ":" in host else host
    print(
        word("serve_listening", url=f"http://{shown}:{port}/", config=cfg.path if cfg and cfg.path else "—"), flush=True
    )
    if host not in LOCAL:
        warn(word("serve_open_network", host=host))
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", server_header=False)
