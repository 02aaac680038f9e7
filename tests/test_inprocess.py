"""The in-process runner the CLI tests use (tests/inprocess.py) gives what a real ``python -m
hyoka.cli`` process gives: the same exit code and the same stdout and stderr bytes."""

import os

import pytest

from .conftest import ROOT
from .inprocess import run_cli, run_subprocess


@pytest.mark.parametrize(
    "args",
    [
        ("check", "examples/seed_r5.csv", "--no-report"),  # text for people, exit 1
        ("check", "examples/seed_r5.csv", "--no-report", "--format", "csv"),  # BOM and CRLF via .buffer
        ("check", "examples/seed_r5.csv", "--fail-on", "sometimes"),  # a usage error, exit 2
        ("rules",),  # a rich table
    ],
    ids=["text", "csv", "usage", "rules"],
)
def test_in_process_run_is_the_subprocess_run(args):
    cwd = os.getcwd()
    inside = run_cli(*args, cwd=ROOT)
    real = run_subprocess(*args, cwd=ROOT)
    assert (inside.returncode, inside.stderr) == (real.returncode, real.stderr)
    assert inside.stdout == real.stdout
    assert os.getcwd() == cwd  # the run's working directory is undone


def test_text_mode_reads_newlines_as_subprocess_does():
    r = run_cli("check", "examples/seed_r5.csv", "--no-report", "--format", "csv", cwd=ROOT, text=True)
    assert r.returncode == 1 and "\r" not in r.stdout and r.stdout.startswith("\ufeff")
