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
  (``--format sarif --output hyoka.sarif``; the workflow grants ``contents: read``,
  ``security-events: write`` and ``actions: read``, which upload-sarif needs in a private
  repository), the findings table on the run's Summary page (``--format markdown`` appended to
  ``$GITHUB_STEP_SUMMARY``: GitHub shows only a few annotations per step) and annotations
  (``--format github``).
- ``.gitlab-ci.yml`` (or ``hyoka.gitlab-ci.yml`` to include, when ``.gitlab-ci.yml`` exists): a
  job with a JUnit report (``--format junit --output hyoka-junit.xml``).
- ``.pre-commit-config.yaml`` using the ``hyoka`` hook of this repository's
  ``.pre-commit-hooks.yaml``; an existing one is kept and the entry to add is returned as a note.

Where hyoka is installed from (``HYOKA_INSTALL = git+SOURCE@REV`` in CI, ``repo``/``rev`` for
pre-commit) is never a reference that may not exist: without ``--source`` the repository is the
placeholder :data:`DEFAULT_SOURCE`, without ``--rev`` the revision is the placeholder
:data:`PLACEHOLDER_REV` — unless ``--source`` is a local git repository, whose current commit is
pinned (it exists). A placeholder is marked by a comment in the CI files, the CI jobs stop with a
message until it is replaced, and ``hyoka init`` says so in one line (``note_source`` /
``note_rev``). (hyoka has no release tag; the old default ``v<version>`` named a tag that did
not exist.)

A folder inside a git repository but not at its top gets a warning naming the top: GitHub runs
only the workflows in the repository's top ``.github/workflows/`` (GitLab CI and pre-commit read
their files only at the top too). The files are still written where asked; nothing is written
outside the folder.

The files are rendered from ``reports/templates/init/`` with Jinja2 (delimiters ``<< >>``, so
GitHub's ``${{ }}`` and shell ``$`` pass through). Each file is written to a temporary name and
linked into place (:func:`hyoka.atomic.replacing` with ``overwrite=False``), so a file created
meanwhile is kept too. Raises :class:`~hyoka.errors.HyokaError` for a bad folder, source, rev or
scale.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from hyoka.atomic import replacing
from hyoka.config import find_config
from hyoka.errors import HyokaError, msg, os_reason
from hyoka.files import read_regular, real
from hyoka.normalise.scale import load_scale
from hyoka.resources import data_dir

#: placeholder for hyoka's repository: the generated CI refuses to run until it is replaced
DEFAULT_SOURCE = "https://github.com/OWNER/hyoka"
#: placeholder for the tag or commit of hyoka to install (``--rev`` not given): likewise refused
PLACEHOLDER_REV = "SET-A-TAG-OR-COMMIT"
DEFAULT_REV = PLACEHOLDER_REV
#: the shell ``case`` patterns the CI files stop on while a placeholder is left
PLACEHOLDER_PATTERNS = "*OWNER/hyoka*|*" + PLACEHOLDER_REV + "*"
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
        trim_blocks=True,  # a line that is only a block tag (<% if … %>) leaves no blank line
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
    install = f"git+{source}@{rev}" if "://" in source else f"git+file://{_real_folder(Path(source))}@{rev}"
    script = changed_files_script().rstrip("\n")
    marks = {"placeholder": source == DEFAULT_SOURCE or rev == PLACEHOLDER_REV}
    entry = render("pre-commit-repo.yaml.j2", source=source, rev=rev, **marks).rstrip("\n")
    ci = {"install": install, "changed_files": script, "placeholder_patterns": PLACEHOLDER_PATTERNS, **marks}
    gitlab = render("gitlab-ci.yml.j2", **ci)
    return {
        CONFIG: render("hyoka.toml.j2", scale=scale, lang=lang),
        DEPARTMENTS: render("departments.yaml"),
        WAIVERS: render("waivers.yaml"),
        WORKFLOW: render("github-workflow.yml.j2", **ci),
        GITLAB: gitlab,
        GITLAB_INCLUDE: gitlab,
        PRE_COMMIT: render("pre-commit-config.yaml.j2", repo_entry=entry),
        Path("pre-commit-entry"): entry + "\n",
    }


def _real_folder(folder: Path) -> Path:
    """``folder`` resolved (hyoka.files.real). Raises HyokaError ``cannot create the folder``
    naming it for a symlink loop."""
    try:
        return real(folder)
    except OSError as exc:
        raise HyokaError(msg("where", where=folder, what=msg("cannot_create_folder", reason=os_reason(exc)))) from None


def git_root(folder: Path) -> Path | None:
    """The top of the git repository ``folder`` is in (the nearest folder, ``folder`` itself or
    above it, that holds ``.git``: a folder, or a file in a worktree or submodule), or None.
    ``folder`` need not exist yet: the search starts at its nearest existing folder."""
    here = _real_folder(folder)
    while not here.exists() and here != here.parent:
        here = here.parent
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def local_head(source: str) -> str | None:
    """The current commit of ``source`` when it is a local path to a git repository (a revision
    that exists, to pin when ``--rev`` is not given); None for a URL, a folder outside git, or
    when git is not installed."""
    if "://" in source or not Path(source).is_dir():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", source, "rev-parse", "--verify", "HEAD"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    head = done.stdout.strip()
    return head if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", head) else None


def _shown(path: Path) -> str:
    """``path`` as the user would type it: relative to the working folder when below it."""
    try:
        return path.relative_to(real(Path.cwd())).as_posix()
    except ValueError:
        return path.as_posix()


def _has_config(folder: Path) -> Path | None:
    """The folder's own configuration file, if any (hyoka.toml, or pyproject.toml with [tool.hyoka])."""
    found = find_config(folder)
    return found if found is not None and real(found.parent) == _real_folder(folder) else None


def _mentions(path: Path, text: str) -> bool:
    """Whether the file at ``path`` (kept, never changed) contains ``text``."""
    try:  # a regular file only (a FIFO or /dev/zero under the name would read without end)
        return text in read_regular(path, 10_000_000).decode("utf-8", errors="replace")
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
    pinned = local_head(source) if rev == PLACEHOLDER_REV else None
    rev = pinned or rev
    files = contents(source=source, rev=rev, scale=scale, lang=lang)
    root = git_root(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HyokaError(msg("where", where=folder, what=msg("cannot_create_folder", reason=os_reason(exc)))) from None
    result = InitResult(folder)
    if root is not None and root != _real_folder(folder):  # GitHub ignores a .github/ below the top
        result.notes.append(("note_nested", {"folder": folder.as_posix(), "root": _shown(root)}))

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
    elif rev == PLACEHOLDER_REV:
        result.notes.append(("note_rev", {"source": source, "rev": PLACEHOLDER_REV}))
    else:  # run again with --source: files kept from the first run still name the placeholder
        marks = [m for m in (DEFAULT_SOURCE, PLACEHOLDER_REV) if any(_mentions(folder / r, m) for r in result.kept)]
        stale = [r.as_posix() for r in result.kept if any(_mentions(folder / r, m) for m in marks)]
        if stale:
            result.notes.append(("note_placeholder_kept", {"paths": ", ".join(stale), "source": ", ".join(marks)}))
    if pinned:
        result.notes.append(("note_pinned", {"source": source, "rev": pinned}))
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
        ".pre-commit-config.yaml の repo / rev を、hyoka のリポジトリと実在するタグかコミットに書き換えてください"
        "（まだファイルがない場合は hyoka init --source URL --rev タグ でも書けます）。",
        "note_rev": "--rev がないため、hyoka のタグ・コミットが仮の値（{rev}）です。CI ファイルの HYOKA_INSTALL と "
        ".pre-commit-config.yaml の rev を、{source} に実在するタグかコミットに書き換えてください"
        "（まだファイルがない場合は hyoka init --source URL --rev タグ でも書けます）。",
        "note_pinned": "--rev がないため、{source} の現在のコミット {rev} に固定しました。",
        "note_nested": "警告: {folder} は git リポジトリ {root} の中のフォルダです。GitHub はリポジトリの最上位の "
        ".github/workflows/ にあるワークフローしか実行しないため、ここに書いたワークフローは動きません。"
        "{root}/.github/workflows/hyoka.yml に置いてください（hyoka init {root} で書けます。"
        ".gitlab-ci.yml と .pre-commit-config.yaml も最上位のものだけが読まれます）。",
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
        "note_source": "hyoka's repository is a placeholder ({source}): set HYOKA_INSTALL in the CI files and "
        "repo / rev in .pre-commit-config.yaml to hyoka's repository and a tag or commit that exists (where "
        "they do not exist yet, hyoka init --source URL --rev TAG writes them).",
        "note_rev": "No --rev: the tag or commit of hyoka is a placeholder ({rev}): set it in HYOKA_INSTALL in the CI "
        "files and rev in .pre-commit-config.yaml to a tag or commit that exists in {source} (where they do not "
        "exist yet, hyoka init --source URL --rev TAG writes them).",
        "note_pinned": "No --rev: pinned to the current commit of {source}, {rev}.",
        "note_nested": "Warning: {folder} is inside the git repository {root}. GitHub runs only the workflows in the "
        "repository's top .github/workflows/, so the workflow written here will not run: it belongs at "
        "{root}/.github/workflows/hyoka.yml (hyoka init {root} writes it there; .gitlab-ci.yml and "
        ".pre-commit-config.yaml are read only at the top too).",
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
