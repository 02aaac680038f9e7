"""``hyoka init``: adopt hyoka in a data repository (a git repository of CSV / xlsx tables).

:func:`init_repository` writes into a folder, never over an existing file:

- ``hyoka.toml``: scale, department list, waiver file, fail-on and lang, with commented Japanese
  and English guidance (loads with :func:`hyoka.config.load_config`); with it
  ``departments.yaml`` (an empty list to fill in: no X003 until it is filled) and ``waivers.yaml``
  (an empty waiver file, the CI baseline ``hyoka waive`` appends to). When the folder already has
  a configuration (``hyoka.toml``, or ``[tool.hyoka]`` in ``pyproject.toml``) it is kept and the
  two skeletons are not written, as nothing would read them.
- ``.github/workflows/hyoka.yml``: GitHub Actions; installs hyoka from ``HYOKA_INSTALL``, finds the
  data files the push or pull request changed, writes SARIF for code scanning
  (``--format sarif --output hyoka.sarif``) and annotations (``--format github``).
- ``.gitlab-ci.yml`` (or ``hyoka.gitlab-ci.yml`` to include, when ``.gitlab-ci.yml`` exists): a
  job with a JUnit report (``--format junit --output hyoka-junit.xml``).
- ``.pre-commit-config.yaml`` using the ``hyoka`` hook of this repository's
  ``.pre-commit-hooks.yaml``; an existing one is kept and the entry to add is returned as a note.

The files are rendered from ``reports/templates/init/`` with Jinja2 (delimiters ``<< >>``, so
GitHub's ``${{ }}`` and shell ``$`` pass through). Each file is written to a temporary name and
linked into place (:func:`hyoka.atomic.replacing` with ``overwrite=False``), so a file created
meanwhile is kept too. Raises :class:`~hyoka.errors.HyokaError` for a bad folder, source, rev or
scale.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from hyoka import __version__
from hyoka.atomic import replacing
from hyoka.config import find_config
from hyoka.errors import HyokaError, msg, os_reason
from hyoka.normalise.scale import load_scale
from hyoka.resources import data_dir

#: placeholder for hyoka's repository: the generated CI refuses to run until it is replaced
DEFAULT_SOURCE = "https://github.com/OWNER/hyoka"
DEFAULT_REV = f"v{__version__}"
WORKFLOW = Path(".github/workflows/hyoka.yml")
GITLAB, GITLAB_INCLUDE = Path(".gitlab-ci.yml"), Path("hyoka.gitlab-ci.yml")
PRE_COMMIT = Path(".pre-commit-config.yaml")
CONFIG, DEPARTMENTS, WAIVERS = Path("hyoka.toml"), Path("departments.yaml"), Path("waivers.yaml")

_SAFE_SOURCE = re.compile(r"^[^\s\"'\\`$<>|;&{}]+$")  # a URL or path: no quoting or shell characters
_SAFE_REV = re.compile(r"^[A-Za-z0-9._/+-]+$")


@dataclass
class InitResult:
    """``written`` / ``kept``: paths relative to the folder; ``notes``: (key, values) pairs of
    :data:`TEXTS` to show after the lists (what to do next)."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)


def _q(value: str) -> str:
    """A double-quoted scalar valid in both YAML and TOML (JSON string syntax)."""
    return json.dumps(value, ensure_ascii=False)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(data_dir("reports") / "templates" / "init"),
        variable_start_string="<<",
        variable_end_string=">>",
        block_start_string="<%",
        block_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters["q"] = _q
    return env


def render(name: str, **values) -> str:
    """Render one template of ``reports/templates/init/`` (a plain file is returned as it is)."""
    env = _env()
    if not name.endswith(".j2"):
        return (data_dir("reports") / "templates" / "init" / name).read_text(encoding="utf-8")
    return env.get_template(name).render(**values)


def changed_files_script() -> str:
    """The bash that both CI files run to list the data files to check (``HYOKA_BASE`` → a
    NUL-separated list in ``HYOKA_FILES``; sets ``count`` and ``subset``)."""
    return render("changed_files.sh")


def contents(
    *, source: str = DEFAULT_SOURCE, rev: str = DEFAULT_REV, scale: str = "a-d", lang: str = "ja"
) -> dict[Path, str]:
    """Every file ``hyoka init`` may write (relative path → text), including the alternative
    ``hyoka.gitlab-ci.yml`` and ``pre-commit-entry`` (the repos entry alone, for a note)."""
    if not _SAFE_SOURCE.match(source):
        raise HyokaError(f"--source {source!r}: give hyoka's repository as a URL or path without spaces or quotes")
    if not _SAFE_REV.match(rev):
        raise HyokaError(f"--rev {rev!r}: give a tag or commit (letters, digits, . _ / + -)")
    install = f"git+{source}@{rev}" if "://" in source else f"git+file://{Path(source).resolve()}@{rev}"
    script = changed_files_script().rstrip("\n")
    entry = render("pre-commit-repo.yaml.j2", source=source, rev=rev).rstrip("\n")
    gitlab = render("gitlab-ci.yml.j2", install=install, changed_files=script)
    return {
        CONFIG: render("hyoka.toml.j2", scale=scale, lang=lang),
        DEPARTMENTS: render("departments.yaml"),
        WAIVERS: render("waivers.yaml"),
        WORKFLOW: render("github-workflow.yml.j2", install=install, changed_files=script),
        GITLAB: gitlab,
        GITLAB_INCLUDE: gitlab,
        PRE_COMMIT: render("pre-commit-config.yaml.j2", repo_entry=entry),
        Path("pre-commit-entry"): entry + "\n",
    }


def _has_config(folder: Path) -> Path | None:
    """The folder's own configuration file, if any (hyoka.toml, or pyproject.toml with [tool.hyoka])."""
    found = find_config(folder)
    return found if found is not None and found.parent.resolve() == folder.resolve() else None


def _mentions(path: Path, text: str) -> bool:
    """Whether the file at ``path`` (kept, never changed) contains ``text``."""
    try:
        return text in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()  # a dangling link is kept too


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it exists (then False). Raises HyokaError when the
    folder cannot be made or the file cannot be written."""
    if _exists(path):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, overwrite=False) as tmp:
            tmp.write_text(text, encoding="utf-8", newline="\n")
    except FileExistsError:
        return False
    except OSError as exc:
        raise HyokaError(msg("where", where=path, what=msg("cannot_write", reason=os_reason(exc)))) from None
    return True


def init_repository(
    folder: Path | str = ".",
    *,
    source: str = DEFAULT_SOURCE,
    rev: str = DEFAULT_REV,
    scale: str = "a-d",
    lang: str = "ja",
) -> InitResult:
    """Write the adoption files into ``folder`` (created when missing), keeping every file that
    exists. Returns what was written, kept and skipped, and the notes to show."""
    folder = Path(folder)
    if _exists(folder) and not folder.is_dir():
        raise HyokaError(msg("where", where=folder, what=msg("not_a_folder")))
    if lang not in ("ja", "en"):
        raise HyokaError(f"--lang {lang}: must be ja or en")
    load_scale(scale if not Path(scale).suffix else str(folder / scale))  # a typo stops here, exit 2
    files = contents(source=source, rev=rev, scale=scale, lang=lang)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HyokaError(msg("where", where=folder, what=msg("cannot_create_folder", reason=os_reason(exc)))) from None
    result = InitResult(folder)

    def put(rel: Path, text: str | None = None) -> bool:
        done = _write_new(folder / rel, files[rel] if text is None else text)
        (result.written if done else result.kept).append(rel)
        return done

    existing_config = _has_config(folder)
    if existing_config is None or existing_config.name == CONFIG.name:
        put(CONFIG)
    else:
        result.kept.append(Path(existing_config.name))
    if CONFIG in result.written:
        put(DEPARTMENTS)
        put(WAIVERS)
    else:  # an existing configuration names its own files
        result.skipped += [DEPARTMENTS, WAIVERS]
    put(WORKFLOW)
    if _exists(folder / GITLAB):
        result.kept.append(GITLAB)
        if not _mentions(folder / GITLAB, "hyoka check") and not _mentions(folder / GITLAB, GITLAB_INCLUDE.name):
            put(GITLAB_INCLUDE)  # someone else's pipeline: a job file to include
            result.notes.append(("note_gitlab_include", {"path": GITLAB_INCLUDE.as_posix()}))
    else:
        put(GITLAB)
    if not put(PRE_COMMIT) and not _mentions(folder / PRE_COMMIT, "id: hyoka"):
        result.notes.append(("note_pre_commit", {"snippet": files[Path("pre-commit-entry")].rstrip("\n")}))
    if source == DEFAULT_SOURCE:
        result.notes.append(("note_source", {"source": DEFAULT_SOURCE}))
    else:  # run again with --source: files kept from the first run still name the placeholder
        stale = [rel.as_posix() for rel in result.kept if _mentions(folder / rel, DEFAULT_SOURCE)]
        if stale:
            result.notes.append(("note_placeholder_kept", {"paths": ", ".join(stale), "source": DEFAULT_SOURCE}))
    if CONFIG in result.written:
        result.notes.append(("note_fill_in", {}))
    result.notes.append(("note_baseline", {}))
    return result


TEXTS = {
    "ja": {
        "written": "作成",
        "kept": "既存のため変更なし",
        "skipped": "作成せず（既存の設定ファイルを使用）",
        "note_gitlab_include": ".gitlab-ci.yml は変更していません。次を .gitlab-ci.yml に追加してください:\n"
        "  include:\n    - local: {path}",
        "note_pre_commit": ".pre-commit-config.yaml は変更していません。repos: に次を追加してください:\n{snippet}",
        "note_source": "hyoka の入手先が仮の値（{source}）です。CI ファイルの HYOKA_INSTALL と "
        ".pre-commit-config.yaml の repo / rev を書き換えてください（まだファイルがない場合は "
        "hyoka init --source URL --rev タグ でも書けます）。",
        "note_placeholder_kept": "既存のため変更しなかった {paths} には仮の入手先（{source}）が残っています。"
        "HYOKA_INSTALL と repo / rev を手で書き換えてください。",
        "note_fill_in": "hyoka.toml の scale（評価の区分）と departments.yaml（課の一覧）を計画に合わせて記入してください。",
        "note_baseline": "既知の指摘をベースラインにするには: hyoka waive データファイル... --waivers waivers.yaml "
        '--reason "導入前からの既知の指摘" --by "担当" を実行し、waivers.yaml をコミットします。',
    },
    "en": {
        "written": "written",
        "kept": "kept (exists, not changed)",
        "skipped": "not written (the existing configuration is used)",
        "note_gitlab_include": ".gitlab-ci.yml was not changed. Add this to it:\n  include:\n    - local: {path}",
        "note_pre_commit": ".pre-commit-config.yaml was not changed. Add this under repos:\n{snippet}",
        "note_source": "hyoka's repository is a placeholder ({source}): edit HYOKA_INSTALL in the CI files and "
        "repo / rev in .pre-commit-config.yaml (where they do not exist yet, hyoka init --source URL "
        "--rev TAG writes them).",
        "note_placeholder_kept": "{paths} were kept (they exist) and still name the placeholder {source}: edit "
        "HYOKA_INSTALL and repo / rev in them by hand.",
        "note_fill_in": "Fill in the scale in hyoka.toml and the department list in departments.yaml.",
        "note_baseline": "To make today's findings the baseline: hyoka waive DATA_FILES... --waivers waivers.yaml "
        '--reason "known before adoption" --by "NAME", then commit waivers.yaml.',
    },
}


def summary(result: InitResult, lang: str = "ja") -> str:
    """The lines ``hyoka init`` prints: each file written, kept or skipped, then the notes."""
    t = TEXTS[lang]
    lines = []
    for key, paths in (("written", result.written), ("kept", result.kept), ("skipped", result.skipped)):
        lines += [f"{t[key]}: {(result.folder / p).as_posix()}" for p in paths]
    for key, values in result.notes:
        lines += ["", t[key].format(**values)]
    return "\n".join(lines) + "\n"
