"""Benchmark: how long hyoka takes to start, against the time of importing pandas.

Usage::

    python bench/startup.py [--runs 7] [--keep-env]

Each run is a fresh interpreter (``subprocess``, this interpreter's executable, so that no shell or
version-manager shim is timed), from the repository's top folder with ``PYTHONPATH`` set to it
(this checkout's hyoka, not an installed one). Three commands are timed:

- ``python -c "import pandas"``: the yardstick (issue #14: ``hyoka check`` on the seed within 1.6×);
- ``python -m hyoka.cli --help``;
- ``python -m hyoka.cli check examples/seed_r5.xlsx --out TMP --fail-on never``: the README's first
  run, into a fresh temporary folder each time (the reports, the annotated workbook and all).

Before the timed runs each command runs once untimed, which writes the bytecode caches
(``__pycache__``, git-ignored) as installing a wheel does; ``PYTHONDONTWRITEBYTECODE`` is removed
from the children's environment for that (``--keep-env`` keeps the environment as it is: then, when
it is set, every run compiles hyoka's modules again, about 0.1 s). The runs of the three commands
are interleaved (pandas, help, check, pandas, …) so that a change of load on a shared machine
falls on all three alike. Printed: each command's median and range of wall time, the ratios of
the medians to pandas', and whether ``--help`` loaded pandas (a separate untimed run that prints
``sys.modules`` after the help). Nothing here is a test; tests/test_imports.py asserts the last point.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "examples/seed_r5.xlsx"
HELP_LOADS = (
    "import sys\n"
    "sys.argv = ['hyoka', '--help']\n"
    "from hyoka.cli.app import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "print('pandas loaded:', 'pandas' in sys.modules)\n"
)


def _env(keep: bool) -> dict[str, str]:
    env = dict(os.environ)
    if not keep:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _commands(out: str) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "import pandas": [py, "-c", "import pandas"],
        "hyoka --help": [py, "-m", "hyoka.cli", "--help"],
        "hyoka check (seed)": [py, "-m", "hyoka.cli", "check", SEED, "--out", out, "--fail-on", "never"],
    }


def _run(argv: list[str], env: dict[str, str]) -> float:
    """Wall time of one run; raises CalledProcessError (with its stderr) when it fails."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="timed runs of each command (default 7)")
    ap.add_argument("--keep-env", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if it is set")
    args = ap.parse_args()
    env = _env(args.keep_env)
    print(f"machine: {platform.machine()} {platform.system()}, os.cpu_count() = {os.cpu_count()}")
    print(f"Python {platform.python_version()} ({sys.executable})")
    print("load average at start (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"bytecode caches: {'as the environment says' if args.keep_env else 'written (warm-up run)'}")
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="hyoka-startup-") as tmp:
        names = list(_commands(tmp))
        for i in range(args.runs + 1):  # run 0: warm-up, not timed
            for name in names:
                argv = _commands(str(Path(tmp) / f"reports{i}"))[name]
                elapsed = _run(argv, env)
                if i:
                    times.setdefault(name, []).append(elapsed)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"\n{args.runs} runs each (fresh interpreter per run), wall time in seconds:")
    for name, t in times.items():
        print(f"  {name:20} median {medians[name]:.3f}  (min {min(t):.3f}, max {max(t):.3f})")
    base = medians["import pandas"]
    print(f"\nratio to import pandas: --help {medians['hyoka --help'] / base:.2f}×, ", end="")
    print(f"check on the seed {medians['hyoka check (seed)'] / base:.2f}× (issue #14 asks for at most 1.6×)")
    loaded = (
        subprocess.run(
            [sys.executable, "-c", HELP_LOADS], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"hyoka --help: {loaded}")


if __name__ == "__main__":
    main()
