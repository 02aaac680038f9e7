"""A spinner per pipeline stage on stderr while ``hyoka check`` runs in a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

_STAGES = {
    "load": ("読み込み", "reading"),
    "normalise": ("正規化", "normalising"),
    "derive": ("派生項目", "deriving"),
    "validate": ("スキーマ検証", "validating"),
    "rules": ("ルール", "rules"),
    "waivers": ("除外の適用", "waivers"),
}


class stage_progress:
    """A spinner per pipeline stage on stderr (rich.progress) for long runs in a terminal; a
    no-op otherwise (JSON output, pipes, CI logs). ``with stage_progress(enabled, lang) as step``:
    ``step`` is the callback for :func:`hyoka.pipeline.run_check` (called with a stage name), or
    None when not enabled."""

    def __init__(self, enabled: bool, lang: str):
        self.enabled, self.lang = enabled, lang
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.__enter__()
        return self.step

    def step(self, stage: str) -> None:
        ja, en = _STAGES.get(stage, (stage, stage))
        label = f"hyoka: {ja if self.lang == 'ja' else en}"
        assert self.bar is not None  # __enter__ hands out step only once the bar exists
        if self.task is not None:
            self.bar.update(self.task, completed=1, total=1)
        self.task = self.bar.add_task(label, total=None)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
