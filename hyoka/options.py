"""What one check runs with: :class:`CheckOptions`, built by :func:`hyoka.pipeline.options_from`
from hyoka.toml and the command line, read by every stage (hyoka.pipeline.run_check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass
class CheckOptions:
    scale: str | None = None  # scale file or preset name (default a-d)
    rules: Path | None = None  # rule catalog instead of the bundled one
    mapping: Path | None = None  # a plan's column aliases and indicator directions
    department: str | None = None  # restrict to one department (current or previous name)
    lang: str = "ja"
    waivers: Path | None = None  # waiver file (hyoka.waivers.load): accepted findings
    today: date | None = None  # the date waivers expire against (default: today)
    indicators: Path | None = None  # indicator metadata file (hyoka.normalise.derive.load_indicator_metadata)
    schedule_margin: float = 0.2  # G007: how far progress may trail the elapsed time
    departments: list[str] | None = None  # the plan's department list (X003), None = no list
    departments_file: Path | None = None  # YAML: departments + renames (hyoka.config.load_departments)
    select: list[str] | None = None  # rule codes or prefixes to run (None: all)
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # per-rule severity overrides
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    config_dir: Path | None = None  # per-file-ignores globs are relative to it
    config_file: Path | None = None  # the configuration file read (an input: never written)
    previous: list[Path] | None = None  # last year's edition (hyoka.compare.editions): compared, E-codes
    vocabulary: Path | dict | None = None  # the plan's vocabulary (hyoka.normalise.vocabulary.extend_vocabulary)
    as_of: str | date | None = None  # the report's date or fiscal year (hyoka.normalise.status.as_of_year)
    title: str | None = None  # the plan's title and edition, the reports' heading (hyoka.toml title)
    table: int | None = None  # of a web page (or PDF), read only its N-th table (1-based; --table N)
