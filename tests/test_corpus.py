"""Every file of the bad-input corpus (tests/corpus.py, generated into a tmp folder) through the real
CLI: no traceback, no hang, and either one clear error line (exit 2) naming the file and place, or
valid JSON findings (exit 0/1); and the input file is never changed (nothing lost).

The corpus runs once per module, two processes at a time; each case's test then judges its run.
Each run is a process of its own — killed after TIMEOUT, its address space limited to MEMORY_LIMIT —
forked from a server that has hyoka imported (tests/inprocess.py, run_cli_isolated), so no run
pays the interpreter's start-up.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .corpus import Case, build, case_names
from .inprocess import run_cli_isolated

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
MEMORY_LIMIT = 2 * 1024**3
NAMES = case_names()


def _digest(path: Path) -> str:
    """The file's bytes (for a folder: the names and bytes of everything in it)."""
    h = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            h.update(str(p.relative_to(path)).encode())
            if p.is_file():
                h.update(p.read_bytes())
    elif path.exists():
        h.update(path.read_bytes())
    else:
        return "absent"
    return h.hexdigest()


def _digests(case: Case) -> str:
    """The input's digest and those of the case's other files that must not change."""
    return " ".join(_digest(p) for p in [case.path, *case.keep])


@dataclass
class Run:
    case: Case
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    before: str
    after: str


def _run(case: Case, cwd: Path) -> Run:
    if case.setup_after:  # the file disappears before hyoka reads it
        case.path.unlink()
    before = _digests(case)
    # in English: the cases' error_has are the English texts (the Japanese ones come from the same
    # messages, rules/errors.yaml; tests/test_cli_language.py checks them)
    args = ["check", str(case.path), "--format", "json", "--lang", "en"]
    args += case.args if case.report else ["--no-report", *case.args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **case.env}
    env.pop("HYOKA_DEBUG", None)
    start = time.monotonic()
    try:
        # a process of its own (forked with hyoka loaded): killed at the timeout, memory limited,
        # a known hang at low priority
        p = run_cli_isolated(
            *args, cwd=cwd, env=env, timeout=TIMEOUT, memory_limit=MEMORY_LIMIT, nice=19 if _known_hang(case) else 0
        )
        code, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        out, err = (t.replace("\r\n", "\n").replace("\r", "\n") for t in (out, err))
    except subprocess.TimeoutExpired as exc:
        code = None
        out = (exc.stdout or b"").decode("utf-8", "replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = (exc.stderr or b"").decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
    return Run(case, code, out, err, time.monotonic() - start, before, _digests(case))


def _known_hang(case: Case) -> bool:
    return case.xfail.startswith("hang")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    folder = tmp_path_factory.mktemp("corpus")
    cases = build(folder / "in")
    cwd = folder / "cwd"  # no hyoka.toml above it: the defaults apply
    cwd.mkdir()
    # the known hangs first, each in a worker of its own, so that their 60 s overlap the other cases
    order = sorted(cases.values(), key=lambda c: not _known_hang(c))
    with ThreadPoolExecutor(max_workers=2 + sum(map(_known_hang, order))) as pool:
        done = {r.case.name: r for r in pool.map(lambda c: _run(c, cwd), order)}
    yield done
    for p in folder.rglob("*"):  # a chmod 0o500 folder must not block the clean-up
        if p.is_dir() and not os.access(p, os.W_OK):
            p.chmod(0o700)
    shutil.rmtree(folder / "in", ignore_errors=True)  # the zip bomb is 500 KB, but no need to keep it


def check_run(r: Run) -> None:
    """The contract every corpus file must meet (see the module doc)."""
    case = r.case
    assert r.returncode is not None, f"{case.name}: hung (killed after {TIMEOUT} s)"
    assert "Traceback" not in r.stderr, f"{case.name}: traceback\n{r.stderr[-3000:]}"
    assert r.after == r.before, f"{case.name}: the input was changed"
    lines = r.stderr.splitlines()
    if r.returncode == 2:
        assert case.expect in ("error", "either"), f"{case.name}: refused, but it is readable: {r.stderr}"
        assert len(lines) == 1, f"{case.name}: {len(lines)} stderr lines: {r.stderr[:2000]}"
        line = lines[0]
        assert line.startswith("hyoka: error: "), f"{case.name}: {line}"
        if case.names_input:
            assert case.path.name in line, f"{case.name}: the line does not name the file: {line}"
        for s in case.where + case.error_has:
            assert s in line, f"{case.name}: {s!r} not in {line!r}"
        assert r.stdout.strip() == "", f"{case.name}: output on stdout besides the error: {r.stdout[:500]}"
    else:
        assert r.returncode in (0, 1), f"{case.name}: exit {r.returncode}: {r.stderr[:2000]}"
        assert case.expect in ("findings", "either"), (
            f"{case.name}: accepted, expected an error; stdout {r.stdout[:500]}"
        )
        records = json.loads(r.stdout)
        assert isinstance(records, list) and all(isinstance(x, dict) and "code" in x for x in records)
        values = {str(v) for x in records for v in x.values()}
        for s in case.json_has:  # printed literally: some field holds it as written
            assert any(s in v for v in values), f"{case.name}: {s!r} not in the JSON findings"
        for s in case.stderr_has:
            assert s in r.stderr, f"{case.name}: {s!r} not in stderr {r.stderr[:1000]!r}"


@pytest.mark.parametrize("name", NAMES)
def test_corpus_case(runs, name, request):
    r = runs[name]
    if r.case.xfail:  # a known hyoka bug: the case says which
        request.applymarker(pytest.mark.xfail(strict=True, reason=r.case.xfail))
    check_run(r)


def test_corpus_summary(runs):
    """The counts (visible with -s). Cases marked xfail (known hyoka bugs, listed in corpus.py) are
    counted apart: every other case must end cleanly."""
    known = {n for n, r in runs.items() if r.case.xfail}
    tried = len(runs)
    hangs = [n for n, r in runs.items() if r.returncode is None]
    tracebacks = [n for n, r in runs.items() if "Traceback" in r.stderr]
    modified = [n for n, r in runs.items() if r.after != r.before]
    errors = [n for n, r in runs.items() if r.returncode == 2 and r.stderr.startswith("hyoka: error: ")]
    findings = [n for n, r in runs.items() if r.returncode in (0, 1)]
    other = sorted(set(runs) - set(errors) - set(findings))
    slowest = sorted(runs.values(), key=lambda r: -r.seconds)[:5]
    print(
        f"\ncorpus: inputs tried {tried}, clear errors (exit 2) {len(errors)}, findings runs (exit 0/1) "
        f"{len(findings)}, tracebacks {len(tracebacks)}, hangs {len(hangs)}, modified inputs {len(modified)}; "
        f"other endings (internal errors, crashes) {len(other)}; known bugs (xfail) {sorted(known)}\n"
        "slowest: " + ", ".join(f"{r.case.name} {r.seconds:.1f} s" for r in slowest)
    )
    assert tried >= 50
    assert tracebacks == [] and modified == []
    assert set(hangs) <= known and set(other) <= known, (hangs, other)
