"""Benchmark: hyoka check on national-scale tables against the pandas read floor, Pandera and GX.

    python bench/run.py [--sizes 10k,100k,1M] [--repeat 3] [--data bench/data] [--no-gx]

For each size it uses ``bench/data/table_<size>.csv`` (written by bench/generate.py when missing)
and measures, each case in a fresh Python process (no shared caches), the median of ``--repeat``
runs of:

- ``hyoka``: ``hyoka check FILE --no-report --format json --fail-on never --no-config`` end to end
  (start-up, read, normalise, validate, rules, JSON findings on stdout), wall time and the
  process's peak resident memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a wrapper
  that runs only that command);
- ``pyarrow read``: pyarrow's CSV reader with ``newlines_in_values=True``, then ``.to_pandas()``
  (the floor: reading the bytes into a frame, nothing checked; ``pd.read_csv(FILE,
  engine="pyarrow")`` itself fails on these tables — "CSV parser got out of sync with chunker" —
  because pandas does not pass ``newlines_in_values`` and the cells span lines), and ``c read``:
  ``pd.read_csv(FILE)`` with the default engine;
- ``table MB``: the frame pandas reads, ``frame.memory_usage(deep=True).sum()``;
- ``pandera``: the same schema (checks/normalised.yaml) run by Pandera alone, lazily, on hyoka's
  normalised frame (the loading and normalising before it are not timed);
- ``gx``: the same checks as a Great Expectations suite run by GX: ``hyoka.interop.gx.build_suite``
  (the rule catalog and the schema, as ``hyoka export gx`` writes them) run by
  ``hyoka.interop.gx.validate_with_gx`` on the normalised frame (loading and normalising not timed);
  ``n/a`` when hyoka.interop.gx or great_expectations is not installed.

Then ratios (hyoka / pyarrow read, gx / hyoka, peak / table), microseconds per row, and the wall
time of the demo ``hyoka check examples/seed_r5.xlsx`` including start-up, with and without the
report (target < 1.5 s). Prints the machine's core count and load average: on a shared machine
the figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable

# runs CMD (argv in JSON) with stdout to a file; prints wall seconds and the child's peak RSS (KiB)
_WRAP = r"""
import json, resource, subprocess, sys, time
cmd = json.loads(sys.argv[1])
with open(sys.argv[2], "wb") as out:
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "rss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime,
                  "rc": rc.returncode, "stderr": rc.stderr.decode("utf-8", "replace")[-500:]}))
"""

_READ = r"""
import json, resource, sys, time
import pandas as pd
path, engine = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
if engine == "pyarrow":
    # pd.read_csv(engine="pyarrow") cannot read quoted cells spanning lines (it has no
    # newlines_in_values): pyarrow's reader with that option, then to pandas, is the same floor
    import pyarrow.csv as pacsv
    frame = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True)).to_pandas()
else:
    frame = pd.read_csv(path)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "table_bytes": int(frame.memory_usage(deep=True).sum()),
                  "rows": len(frame), "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

_PANDERA = r"""
import json, sys, time
from pandera.errors import SchemaErrors
from hyoka.read.table import load_table
from hyoka.normalise.derive import derive
from hyoka.normalise.frame import normalise
from hyoka.normalise.scale import load_scale
from hyoka.check.schema import load_schema
from hyoka.normalise.vocabulary import load_vocabulary
vocab = load_vocabulary()
frame = normalise(load_table(sys.argv[1], vocab).frame, vocab, load_scale(None))
derive(frame, vocab, load_scale(None))
schema = load_schema()
t0 = time.perf_counter()
try:
    schema.validate(frame, lazy=True)
    failures = 0
except SchemaErrors as exc:
    failures = len(exc.failure_cases)
print(json.dumps({"wall": time.perf_counter() - t0, "failures": failures,
                  "normalised_bytes": int(frame.memory_usage(deep=True).sum())}))
"""

_GX = r"""
import json, sys, time
try:
    import great_expectations  # noqa: F401
    from hyoka.interop.gx import build_suite, validate_with_gx
except ImportError as exc:
    print(json.dumps({"na": f"n/a (pip install hyoka[gx])"})); sys.exit(0)
from hyoka.read.table import load_table
from hyoka.normalise.derive import derive
from hyoka.normalise.frame import normalise
from hyoka.normalise.scale import load_scale
from hyoka.normalise.vocabulary import load_vocabulary
vocab = load_vocabulary()
frame = normalise(load_table(sys.argv[1], vocab).frame, vocab, load_scale(None))
derive(frame, vocab, load_scale(None))
from hyoka.check.rules import load_catalog
# the same rules hyoka runs (the bundled catalog), as the suite `hyoka export gx` writes (main's hyoka.interop.gx)
catalog = load_catalog(None, known_columns=set(frame.columns))
suite = build_suite(catalog).suite
t0 = time.perf_counter()
validate_with_gx(frame, suite)
gx_wall = time.perf_counter() - t0
# hyoka's own checks on the same normalised frame: the schema (Pandera) and the same rules
from hyoka.check.rules import evaluate
from hyoka.check.schema import validate
t0 = time.perf_counter()
validate(frame, "ja")
evaluate(frame, catalog, load_scale(None), "ja")
print(json.dumps({"wall": gx_wall, "hyoka_checks": time.perf_counter() - t0}))
"""


def _json_run(args: list[str], timeout: float | None = None) -> dict:
    out = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])}…: exit {out.returncode}: {out.stderr[-800:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_wrapped(cmd: list[str], stdout_path: str) -> dict:
    return _json_run([PY, "-c", _WRAP, json.dumps(cmd), stdout_path])


def hyoka_cmd(path: Path, *extra: str) -> list[str]:
    return [PY, "-m", "hyoka.cli", "check", str(path), "--no-config", "--fail-on", "never", *extra]


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def ensure_data(data: Path, labels: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    import generate  # bench/generate.py

    missing = [lab for lab in labels if not (data / f"table_{lab}.csv").exists()]
    if missing:
        generate.main(["--sizes", ",".join(missing), "--out", str(data)])


def fmt_s(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10k,100k,1M", help="table sizes, comma-separated (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per case; medians are printed (default: %(default)s)")
    ap.add_argument(
        "--data",
        type=Path,
        default=HERE / "data",
        help="folder of the generated tables; missing ones are generated (default: bench/data)",
    )
    ap.add_argument("--no-gx", action="store_true", help="skip the GX column")
    ap.add_argument("--no-pandera", action="store_true", help="skip the Pandera column")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from generate import parse_size, size_label

    labels = [size_label(parse_size(s)) for s in args.sizes.split(",")]
    ensure_data(args.data, labels)
    load = os.getloadavg()
    print(
        f"machine: {platform.machine()} {platform.system()}, os.cpu_count() = {os.cpu_count()}; "
        f"load average at start {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}"
    )
    import pandas as pd
    import pandera

    print(
        f"Python {platform.python_version()}; pandas {pd.__version__}, pandera {pandera.__version__}; "
        f"runs per case: {args.repeat} (median), each in a fresh process"
    )
    started = time.perf_counter()
    results = []
    tmp = tempfile.mkdtemp(prefix="hyoka-bench-")
    for lab in labels:
        path = args.data / f"table_{lab}.csv"
        n = parse_size(lab)
        hy = [
            run_wrapped(hyoka_cmd(path, "--no-report", "--format", "json"), f"{tmp}/findings.json")
            for _ in range(args.repeat)
        ]
        if any(r["rc"] not in (0, 1) for r in hy):
            raise RuntimeError(f"hyoka failed on {path}: {hy[0]['stderr']}")
        findings = len(json.loads(Path(f"{tmp}/findings.json").read_text(encoding="utf-8")))
        pa_read = [_json_run([PY, "-c", _READ, str(path), "pyarrow"]) for _ in range(args.repeat)]
        c_read = [_json_run([PY, "-c", _READ, str(path), "c"]) for _ in range(args.repeat)]
        pandera_runs = (
            [] if args.no_pandera else [_json_run([PY, "-c", _PANDERA, str(path)]) for _ in range(args.repeat)]
        )
        gx_runs, gx_na = [], None
        if not args.no_gx:
            first = _json_run([PY, "-c", _GX, str(path)])
            if "na" in first:
                gx_na = first["na"]
            else:
                gx_runs = [first] + [_json_run([PY, "-c", _GX, str(path)]) for _ in range(args.repeat - 1)]
        else:
            gx_na = "skipped (--no-gx)"
        row = {
            "size": lab,
            "rows": n,
            "findings": findings,
            "hyoka_s": median(hy, "wall"),
            "hyoka_cpu": median(hy, "cpu"),
            "pyarrow_cpu": median(pa_read, "cpu"),
            "hyoka_peak_mb": median(hy, "rss_kb") / 1024,
            "pyarrow_s": median(pa_read, "wall"),
            "c_s": median(c_read, "wall"),
            "table_mb": pa_read[0]["table_bytes"] / 2**20,
            "pandera_s": median(pandera_runs, "wall") if pandera_runs else None,
            "gx_s": median(gx_runs, "wall") if gx_runs else None,
            "gx_na": gx_na,
            "checks_s": median(gx_runs, "hyoka_checks") if gx_runs else None,
        }
        results.append(row)
        print(
            f"  {lab}: hyoka {row['hyoka_s']:.2f} s, peak {row['hyoka_peak_mb']:.0f} MB, "
            f"{findings:,} findings; pyarrow read {row['pyarrow_s']:.2f} s",
            flush=True,
        )

    print()
    head = [
        "rows",
        "hyoka s",
        "cpu s",
        "µs/row",
        "peak MB",
        "table MB",
        "peak/table",
        "pyarrow read s",
        "cpu s",
        "c read s",
        "hyoka/pyarrow",
        "cpu ratio",
        "pandera s",
        "gx s",
        "hyoka checks s",
        "gx/checks",
        "findings",
    ]
    lines = []
    for r in results:
        gx = fmt_s(r["gx_s"]) if r["gx_s"] is not None else r["gx_na"]
        lines.append(
            [
                f"{r['rows']:,}",
                f"{r['hyoka_s']:.2f}",
                f"{r['hyoka_cpu']:.2f}",
                f"{r['hyoka_s'] / r['rows'] * 1e6:.1f}",
                f"{r['hyoka_peak_mb']:,.0f}",
                f"{r['table_mb']:,.0f}",
                f"{r['hyoka_peak_mb'] / r['table_mb']:.1f}x",
                f"{r['pyarrow_s']:.2f}",
                f"{r['pyarrow_cpu']:.2f}",
                f"{r['c_s']:.2f}",
                f"{r['hyoka_s'] / r['pyarrow_s']:.1f}x",
                f"{r['hyoka_cpu'] / r['pyarrow_cpu']:.1f}x",
                fmt_s(r["pandera_s"]),
                gx,
                fmt_s(r["checks_s"]),
                f"{r['gx_s'] / r['checks_s']:.1f}x" if r["gx_s"] is not None else "n/a",
                f"{r['findings']:,}",
            ]
        )
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for x in lines:
        print("  ".join(v.rjust(w) for v, w in zip(x, widths)))

    seed = ROOT / "examples" / "seed_r5.xlsx"
    demo = [run_wrapped(hyoka_cmd(seed, "--out", f"{tmp}/reports"), f"{tmp}/demo.txt") for _ in range(args.repeat)]
    bare = [
        run_wrapped(hyoka_cmd(seed, "--no-report", "--format", "json"), f"{tmp}/demo.json") for _ in range(args.repeat)
    ]
    print(
        f"\ndemo `hyoka check examples/seed_r5.xlsx` (start-up included): {median(demo, 'wall'):.2f} s with the "
        f"report, {median(bare, 'wall'):.2f} s with --no-report --format json (target < 1.5 s)"
    )
    load = os.getloadavg()
    print(
        f"load average at end {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; whole run "
        f"{(time.perf_counter() - started) / 60:.1f} min"
    )
    print(
        "gx s: GX validating the normalised frame with the suite `hyoka export gx` writes; hyoka checks s: "
        "hyoka's schema + rules on the same frame in the same process (the like-for-like comparison; "
        "hyoka s is the whole run: read, normalise, check, JSON)"
    )
    print("targets: 1M rows within 5x the pyarrow read; peak within 3x the table; µs/row flat from 10k to 1M")
    print(
        "cpu s: user + system CPU seconds of the process (less sensitive than wall time to other load on a "
        "shared machine; pyarrow reads on all cores, so on a free machine its cpu exceeds its wall time); "
        "µs/row from wall time; peak: the hyoka process's peak resident memory, start-up included"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
