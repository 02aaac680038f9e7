"""The command line under things no input file can show (#15): whatever goes wrong inside a reader
is one line naming the file, Ctrl-C at any moment is one line and exit 130, a closed pipe is
quiet, and what reaches a terminal holds no raw control characters and no 5,000-character values.
The files that can show it are cases of the corpus (tests/corpus.py, "#15: command line, errors,
CSV reading")."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pyarrow as pa
import pytest

from hyoka.display import shorten, shorten_within, visible
from hyoka.files import real

from .conftest import ROOT, SEED_CSV, SEED_XLSX
from .corpus import ROWS, csv_text
from .inprocess import run_cli

# ------------------------------------------------------------------ the safety net under the readers


def _one_line(r) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.mark.parametrize(
    "exc, shown",
    [
        (IndexError("list index out of range"), "IndexError: list index out of range"),
        (ValueError("cannot convert"), "ValueError: cannot convert"),
        (OverflowError("int too large to convert to float"), "OverflowError: int too large to convert to float"),
        (pa.ArrowInvalid("CSV parse error: Expected 1 columns, got 9"), "ArrowInvalid: CSV parse error"),
        (ET.ParseError("not well-formed (invalid token): line 1, column 2"), "ParseError: not well-formed"),
    ],
)
def test_an_unforeseen_error_while_reading_is_one_line_naming_the_file(monkeypatch, exc, shown):
    def broken(*a, **k):
        raise exc

    monkeypatch.setattr("hyoka.read.table.read_csv", broken)
    line = _one_line(run_cli("check", SEED_CSV, "--no-report", text=True))
    assert line.startswith(f"hyoka: エラー: seed_r5.csv: 読み取れませんでした（{shown}")
    assert "HYOKA_DEBUG=1" in line
    line = _one_line(run_cli("check", SEED_CSV, "--no-report", "--lang", "en", text=True))
    assert line.startswith(f"hyoka: error: seed_r5.csv: could not be read ({shown}")


def test_memory_error_while_reading_says_the_file_is_too_large(monkeypatch):
    def broken(*a, **k):
        raise MemoryError

    monkeypatch.setattr("hyoka.read.table.read_csv", broken)
    line = _one_line(run_cli("check", SEED_CSV, "--no-report", text=True))
    assert line == (
        "hyoka: エラー: seed_r5.csv: 大きすぎてメモリ内で読み取れません。"
        "使っていない行や列を削除するか、担当課ごとのファイルに分けてください"
    )
    line = _one_line(run_cli("check", SEED_CSV, "--no-report", "--lang", "en", text=True))
    assert line == (
        "hyoka: error: seed_r5.csv: too large to read within memory; delete unused rows and columns, "
        "or split it into one file per department"
    )


def test_a_sheet_that_breaks_the_reader_is_named(monkeypatch):
    def broken(*a, **k):
        raise IndexError("index 9 is out of bounds for axis 0 with size 9")

    monkeypatch.setattr("hyoka.read.table.frame_from_rows", broken)
    line = _one_line(run_cli("check", SEED_XLSX, "--no-report", "--lang", "en", text=True))
    assert line.startswith(
        "hyoka: error: seed_r5.xlsx, sheet R5実施状況: could not be read (IndexError: index 9 is out of bounds"
    )


def test_normalising_names_the_files(monkeypatch):
    def broken(*a, **k):
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    monkeypatch.setattr("hyoka.pipeline.normalise", broken)
    line = _one_line(run_cli("check", SEED_CSV, "--no-report", "--lang", "en", text=True))
    assert line.startswith("hyoka: error: seed_r5.csv: could not be read (ValueError: Exceeds the limit (4300 digits)")


def test_out_of_memory_after_reading_is_one_line(monkeypatch):
    def broken(*a, **k):
        raise MemoryError

    monkeypatch.setattr("hyoka.pipeline.evaluate", broken)
    line = _one_line(run_cli("check", SEED_CSV, "--no-report", "--lang", "en", text=True))
    assert line == (
        "hyoka: error: ran out of memory; split the input into one file per department, "
        "or run on a machine with more memory"
    )


def test_hyoka_debug_keeps_the_traceback(monkeypatch):
    def broken(*a, **k):
        raise IndexError("list index out of range")

    monkeypatch.setattr("hyoka.read.table.read_csv", broken)
    r = run_cli("check", SEED_CSV, "--no-report", text=True, env={**os.environ, "HYOKA_DEBUG": "1"})
    assert r.returncode == 1  # an uncaught exception, as python ends with one
    assert "Traceback" in r.stderr and "IndexError: list index out of range" in r.stderr
    assert "in broken" in r.stderr  # where it came from


# ------------------------------------------------------------------ symlink loops

LOOP = "Too many levels of symbolic links"  # strerror(ELOOP) on Linux


def test_real_says_a_symlink_loop_is_eloop(tmp_path):
    """hyoka.files.real: Path.resolve() raised RuntimeError("Symlink loop from …") on Python 3.11;
    a path that does not exist yet still resolves (an output about to be written)."""
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OSError) as info:
        real(tmp_path / "a")
    assert info.value.errno == errno.ELOOP and info.value.filename == str(tmp_path / "a")
    assert real(tmp_path / "new" / ".." / "x.json") == tmp_path.resolve() / "x.json"


def test_a_table_in_a_symlink_loop_is_one_line_naming_it(tmp_path):
    """a.csv → b.csv → a.csv as the table (the corpus has ``ln -s loop.csv loop.csv``), also as
    last year's table."""
    (tmp_path / "a.csv").symlink_to("b.csv")
    (tmp_path / "b.csv").symlink_to("a.csv")
    a = tmp_path / "a.csv"
    line = _one_line(run_cli("check", a, "--no-report", "--lang", "en", cwd=tmp_path, text=True))
    assert line == f"hyoka: error: {a}: cannot read ({LOOP})"
    line = _one_line(run_cli("check", a, "--no-report", cwd=tmp_path, text=True))
    assert line == f"hyoka: エラー: {a}: 読み込めません（シンボリックリンクが循環しています）"
    r = run_cli("check", SEED_CSV, "--previous", a, "--no-report", "--lang", "en", cwd=tmp_path, text=True)
    assert _one_line(r).endswith(f"{a}: cannot read ({LOOP})")


@pytest.mark.parametrize("option", ["--mapping", "--waivers", "--config", "--vocabulary", "--indicators"])
def test_a_file_option_in_a_symlink_loop_is_one_line_naming_it(tmp_path, option):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to("loop.yaml")
    r = run_cli("check", SEED_CSV, option, loop, "--no-report", "--lang", "en", cwd=tmp_path, text=True)
    assert _one_line(r) == f"hyoka: error: {loop}: cannot read ({LOOP})"


def test_a_report_folder_in_a_symlink_loop_is_one_line_naming_it(tmp_path):
    """``--out`` a symlink to itself: no report can be written there; nothing is (the RuntimeError
    came from the check that no report file replaces an input)."""
    loop = tmp_path / "reports"
    loop.symlink_to("reports")
    r = run_cli("check", SEED_XLSX, "--out", loop, "--lang", "en", cwd=tmp_path, text=True)
    assert _one_line(r) == f"hyoka: error: {loop}: cannot write reports here ({LOOP})"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"] and loop.is_symlink()


def test_a_hyoka_toml_in_a_symlink_loop_is_not_passed_over(tmp_path):
    """The hyoka.toml found from the working folder up is a symlink loop: said, not skipped as if
    there were no configuration file (Path.is_file() is False for it)."""
    (tmp_path / "hyoka.toml").symlink_to("hyoka.toml")
    r = run_cli("check", SEED_CSV, "--no-report", "--lang", "en", cwd=tmp_path, text=True)
    assert _one_line(r) == f"hyoka: error: {tmp_path / 'hyoka.toml'}: cannot read ({LOOP})"


# ------------------------------------------------------------------ Ctrl-C and closed pipes


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}


def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(tmp_path):
    """SIGINT at several moments after the interpreter has started (said by the child on stderr):
    while the command line loads (typer, pandas: the first ~0.5 s), while the file is read and
    checked, and later. Each run ends with exactly the line and exit 130 — or, for the late ones,
    has finished before the signal (exit 0/1 and no line). Not at once after "ready": until
    Python has found the hyoka package (a few milliseconds of looking through sys.path) no line
    of hyoka has run, and Python's own handler prints its traceback."""
    big = tmp_path / "big.csv"
    big.write_text(csv_text([[r[0], f"{r[1]}{i}", *r[2:]] for i in range(4000) for r in ROWS]), encoding="utf-8")
    code = "import sys; print('ready', file=sys.stderr, flush=True); from hyoka.cli import main; main()"
    said = 0
    for delay in (0.05, 0.1, 0.2, 0.3, 0.6, 1.0, 2.0):
        p = subprocess.Popen(
            [sys.executable, "-c", code, "check", str(big), "--no-report", "--format", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=_env(),
            cwd=tmp_path,
        )
        assert p.stderr is not None
        assert p.stderr.readline() == b"ready\n"
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        rest = p.stderr.read().decode("utf-8")
        p.wait(timeout=120)
        if p.returncode in (0, 1):  # it had finished
            assert rest == "", (delay, rest)
            continue
        assert (p.returncode, rest) == (130, "hyoka: 中断しました\n"), (delay, rest)
        said += 1
    assert said >= 4  # the early ones at least: the load and the read take seconds


def test_ctrl_c_after_the_run_is_over_changes_nothing(tmp_path):
    """A Ctrl-C once main() is done (here sent from an atexit callback, while Python shuts down)
    is ignored: the run's output and exit code stand. Before, it raised KeyboardInterrupt in the
    shutdown (a traceback) or, once Python had given SIGINT back its default action, killed the
    process (exit −2, nothing said): the 1-in-4 failures of the test above."""
    code = (
        "import atexit, os, signal\n"
        "atexit.register(lambda: os.kill(os.getpid(), signal.SIGINT))\n"
        "from hyoka.cli import main\n"
        "main()\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, "check", str(SEED_CSV), "--no-report", "--format", "json"],
        capture_output=True,
        env=_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert (p.returncode, p.stderr) == (1, b"")  # seed_r5 has an error finding (D001)
    assert "D001" in [f["code"] for f in json.loads(p.stdout)]  # the whole JSON was written


def test_ctrl_c_in_english(tmp_path):
    code = "import sys; print('ready', file=sys.stderr, flush=True); from hyoka.cli import main; main()"
    p = subprocess.Popen(
        [sys.executable, "-c", code, "check", str(SEED_CSV), "--no-report", "--lang", "en"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_env(),
        cwd=tmp_path,
    )
    assert p.stderr is not None and p.stderr.readline() == b"ready\n"
    time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    assert (p.stderr.read(), p.wait(timeout=120)) == (b"hyoka: interrupted\n", 130)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_closed_pipe_is_quiet_and_exit_141(tmp_path, fmt):
    """``hyoka check … | head``: the reader is gone before hyoka writes (here: the pipe's read end
    is closed at once). No traceback, nothing said, exit 141 as for a command ended by SIGPIPE
    (typer's own handler exited 1, which reads as "findings at or above --fail-on")."""
    r, w = os.pipe()
    os.close(r)  # nobody will read
    try:
        p = subprocess.run(
            [sys.executable, "-m", "hyoka.cli", "check", str(SEED_CSV), "--no-report", "--format", fmt],
            stdout=w,
            stderr=subprocess.PIPE,
            env=_env(),
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        os.close(w)
    assert (p.returncode, p.stderr) == (141, b"")


UNWRITABLE = (
    "hyoka: error: could not write the output to standard output ({reason}); check where it goes "
    "(the free space of the disk it is redirected to), or write it with --output FILE\n"
)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full (not Linux)")
@pytest.mark.parametrize(
    "args",
    [
        ["check", str(SEED_XLSX), "--no-report"],  # the text: rich's console writes it
        ["check", str(SEED_XLSX), "--no-report", "--format", "json"],  # sys.stdout.buffer
        ["--version"],  # a few bytes: written by the flush at exit, where Python said "Exception ignored"
    ],
)
def test_a_full_disk_on_stdout_is_one_line_and_exit_2(tmp_path, args):
    """``> /dev/full``: every write fails with ENOSPC. Was "internal error: OSError: [Errno 28]
    No space left on device"."""
    with open("/dev/full", "w") as full:
        p = subprocess.run(
            [sys.executable, "-m", "hyoka.cli", *args, "--lang", "en"],
            stdout=full,
            stderr=subprocess.PIPE,
            env=_env(),
            cwd=tmp_path,
            timeout=120,
        )
    assert (p.returncode, p.stderr.decode()) == (2, UNWRITABLE.format(reason="No space left on device"))


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_closed_stdout_is_one_line_and_exit_2(tmp_path, fmt):
    """``hyoka check … >&-``: Python starts with sys.stdout None. Was "internal error:
    AttributeError: 'NoneType' object has no attribute 'flush'" (or 'isatty'). The report folder
    is still written: only the text for stdout is lost, and said."""
    cmd = [sys.executable, "-m", "hyoka.cli", "check", str(SEED_XLSX), "--format", fmt, "--lang", "en"]
    p = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *cmd, "--out", str(tmp_path / "reports")],
        stderr=subprocess.PIPE,
        env=_env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert (p.returncode, p.stderr.decode()) == (2, UNWRITABLE.format(reason="standard output is closed"))
    assert (tmp_path / "reports" / "index.html").is_file()


# ------------------------------------------------------------------ what reaches a terminal


def test_visible_escapes_terminal_controls():
    assert visible("課\x1b[31m赤\x07\x08\x7f\x9b\u202eexe.txt\u2066") == (
        "課\\x1b[31m赤\\x07\\x08\\x7f\\x9b\\u202eexe.txt\\u2066"
    )
    assert visible("a\tb\nc\r") == "a\tb\nc\\x0d"
    assert visible("a\tb\nc", one_line=True) == "a\\x09b\\x0ac"
    assert visible("全角　スペース、①、\u200b") == "全角　スペース、①、\u200b"  # not controls: as they are


def test_shorten_long_values():
    assert shorten("課" * 100) == "課" * 100  # at most 80 + 20: whole
    assert shorten("課" * 101) == "課" * 80 + "…（101字）"
    assert shorten("Z" * 5000, "en") == "Z" * 80 + "… (5,000 characters)"
    assert shorten_within("評価「" + "Ｚ" * 5000 + "」は…", ["A", "Ｚ" * 5000]) == (
        "評価「" + "Ｚ" * 80 + "…（5,000字）」は…"
    )


def test_text_output_escapes_controls_and_shortens_long_cells(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][4] = "Ｚ" * 5000  # a grade not on the scale: G001 quotes it
    rows[1][2] = "課\x1b[31m\u202eexe.txt"  # a department
    rows[2][4] = "B\x07\x9b2J"  # a grade not on the scale
    (tmp_path / "t.csv").write_text(csv_text(rows), encoding="utf-8")
    r = run_cli("check", "t.csv", "--no-report", "--fail-on", "never", text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")
    assert "課\\x1b[31m\\u202eexe.txt" in out
    assert "評価「B\\x07\\x9b2J」" in out
    assert "評価「" + "Ｚ" * 80 + "…（5,000字）」は評価尺度" in out and "Ｚ" * 81 not in out
    # the machine formats keep every value whole and as written
    r = run_cli("check", "t.csv", "--no-report", "--fail-on", "never", "--format", "json", text=True, cwd=tmp_path)
    messages = " ".join(f["message"] for f in json.loads(r.stdout))
    assert "Ｚ" * 5000 in messages and "B\x07\x9b2J" in messages


def test_error_lines_escape_controls(tmp_path):
    r = run_cli("check", "a\x1b[2J\x07\u202e.csv", "--lang", "en", text=True, cwd=tmp_path)
    assert r.stderr == "hyoka: error: a\\x1b[2J\\x07\\u202e.csv: no such file\n"
    r = run_cli("check", SEED_CSV, "--format", "\x1b[2Jjson", text=True, cwd=tmp_path)
    assert r.returncode == 2 and "\x1b" not in r.stderr and "\\x1b[2Jjson" in r.stderr


def test_long_values_are_found_by_row_label_in_a_department_run():
    """A --department run filters the frame and keeps its labels; findings name rows by label. Rows
    3 and 7 of a table, the long text on row 7: looked up by label, not by position (position 7 is
    out of bounds: it was an IndexError, the department run's internal error)."""
    import pandas as pd

    from hyoka.output.terminal import long_values

    frame = pd.DataFrame({"project": ["短い", "長" * 5000]}, index=[3, 7]).astype("string")
    assert long_values(frame, pd.Series([7, -1, 3])) == {7: ["長" * 5000]}
    assert long_values(frame, pd.Series([12])) == {}
