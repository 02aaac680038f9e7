"""Benchmark: writing the reports (hyoka.output.report.write_reports) for a large result.

Usage::

    python bench/report_scale.py [--rows 100000] [--findings 5000] [--repeat 2] [--keep]

What it does:

1. Builds a CSV of ``--rows`` rows in a temporary folder (never in the repository): the 15 real
   rows of examples/seed_r5.csv repeated, each project name suffixed with a counter, spread over
   20 departments (課01 … 課20). In one department (課01) ``--findings`` rows get a missing
   baseline ("-"), so that department has that many M001 findings (plus the seed's own D001,
   G002 and M001 per copy of the seed rows that fall in it — the script prints the real count).
2. Runs hyoka's check once (not timed: reading and rules are measured by other benchmarks).
3. Times ``write_reports`` ``--repeat`` times into fresh folders and prints the best and the worst
   wall time, the best CPU time of the process, the size of index.html, of the biggest department page and of the whole folder.

Nothing here is a test; it prints figures for the choices in hyoka/output/report.py.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hyoka.output.report import write_reports  # noqa: E402
from hyoka.pipeline import run_check  # noqa: E402


def build(path: Path, n_rows: int, n_findings: int) -> None:
    with open(ROOT / "examples" / "seed_r5.csv", encoding="utf-8", newline="") as fh:
        seed = list(csv.DictReader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(seed[0]))
        w.writeheader()
        broken = 0
        for i in range(n_rows):
            r = dict(seed[i % len(seed)])
            r["project"] = f"{r['project']}{i}"
            dep = i % 20
            r["department"] = f"課{dep + 1:02d}"
            if dep == 0 and broken < n_findings and r["baseline"] not in ("-",):
                r["baseline"] = "-"
                broken += 1
            w.writerow(r)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--findings", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print it")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hyoka-report-bench."))
    src = tmp / "big.csv"
    build(src, args.rows, args.findings)
    t0 = time.perf_counter()
    result = run_check([src])
    print(f"check: {time.perf_counter() - t0:.1f} s, {len(result.frame)} rows, {len(result.findings)} findings")
    dep = result.findings["department"].value_counts()
    print(f"most findings in one department: {dep.index[0]} {int(dep.iloc[0])}")
    times, cpu = [], []
    for k in range(args.repeat):
        out = tmp / f"out{k}"
        t0, c0 = time.perf_counter(), time.process_time()
        write_reports(result, out)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
    pages = {n: s for n, s in sizes.items() if n.endswith(".html") and n != "index.html"}
    biggest = max(pages, key=pages.get)
    print(
        f"write_reports: best {min(times):.2f} s, worst {max(times):.2f} s wall over {len(times)} runs; "
        f"CPU time of this process best {min(cpu):.2f} s (less sensitive to a busy machine)"
    )
    print(
        f"index.html {sizes['index.html'] / 1e3:.0f} kB; biggest page {biggest} {pages[biggest] / 1e6:.2f} MB; "
        f"folder {sum(sizes.values()) / 1e6:.1f} MB in {len(sizes)} files"
    )
    if args.keep:
        print(tmp)
    else:
        import shutil

        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
