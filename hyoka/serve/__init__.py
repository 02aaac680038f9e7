"""``hyoka serve``: a self-check page for departments, an output-stage consumer of hyoka.pipeline.

A clerk opens the page, drops the department's sheet and reads the findings the coordinator's
check will report, then downloads the annotated copy. Each upload is checked as ``hyoka check``
checks it, with the server's configuration (:mod:`hyoka.serve.checking`); the pages reuse the
report templates (:mod:`hyoka.serve.app`); uploads stream into a private folder removed after the
check (:mod:`hyoka.serve.upload`); downloads live in memory for ten minutes
(:mod:`hyoka.serve.store`); the form carries a signed double-submit token (:mod:`hyoka.serve.csrf`).
"""

from hyoka.serve.app import HEADERS, ServeSettings, create_app

__all__ = ["HEADERS", "ServeSettings", "create_app"]
