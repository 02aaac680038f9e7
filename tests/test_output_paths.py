"""Where outputs go (#15): a special file named as an output is written into, never replaced; a
symbolic link to a regular file updates its target and stays a link.

No test touches the machine's own /dev/null or /dev/stdout (as root a broken write would replace
them): the devices, FIFOs and links live in tmp_path.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from hyoka.atomic import destination, replacing, write_text

from .conftest import SEED_CSV
from .inprocess import run_subprocess

ROOT = Path(__file__).resolve().parent.parent


def test_a_regular_file_is_replaced_and_a_link_to_one_updates_its_target(tmp_path):
    target = tmp_path / "2026" / "12.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(Path("2026") / "12.json")
    assert destination(link) == (target, False)
    write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(Path("2026") / "12.json")
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["12.json"]  # no temporary file left
    dangling = tmp_path / "next.json"
    dangling.symlink_to("made-by-the-run.json")
    write_text(dangling, "created")
    assert dangling.is_symlink() and (tmp_path / "made-by-the-run.json").read_text(encoding="utf-8") == "created"


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_character_device_is_written_into_not_replaced(tmp_path):
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a null device of our own, in tmp
    link = tmp_path / "to-null"
    link.symlink_to(null)
    for path in (null, link):
        with replacing(path) as tmp:
            tmp.write_bytes(b"x" * 1000)
        assert stat.S_ISCHR(os.stat(null).st_mode), "the device became a regular file"
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "to-null"]


def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "to-pipe"
    link.symlink_to(fifo)
    for path in (fifo, link):
        got: list[bytes] = []
        reader = threading.Thread(target=lambda sink=got: sink.append(fifo.read_bytes()))
        reader.start()
        write_text(path, "findings 件\n")
        reader.join(10)
        assert got == ["findings 件\n".encode()]
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert link.is_symlink()


def test_the_standard_streams_are_written_through_their_descriptor():
    assert destination("/dev/stdout") == (Path("/dev/stdout"), True)  # no write: only where it would go
    assert destination("/proc/self/fd/2") == (Path("/proc/self/fd/2"), True)


def test_output_to_a_link_to_stdout_prints_and_keeps_the_link(tmp_path):
    link = tmp_path / "out.json"
    link.symlink_to("/dev/stdout")  # were it replaced, only this link in tmp would be lost
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = run_subprocess(
        "check", SEED_CSV, "--no-report", "--format", "json", "--output", link, "--lang", "en", env=env, cwd=tmp_path
    )
    assert r.returncode in (0, 1), r.stderr
    assert link.is_symlink() and os.readlink(link) == "/dev/stdout"
    text = r.stdout.decode("utf-8")
    assert text.startswith("[") and '"code": "G002"' in text  # the findings, then the summary line
    assert text.rstrip().endswith(f"→ {link}")
