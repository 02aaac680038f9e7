"""Benchmark: reading .xlsx evaluation tables with each reader hyoka has (python-calamine, openpyxl,
and ``auto``, which picks one of them per workbook; see hyoka/read/xlsx.py).

Usage::

    python bench/read_xlsx.py [--sizes 100,10000,100000] [--repeat 3] [--once-after 120] [--inline-strings] [--keep]

What it does:

1. Builds workbooks of N data rows in a temporary folder (never in the repository) from the 15
   real rows of examples/seed_r5.csv, repeated, each project name suffixed with a row counter so
   that no two rows are equal. The layout is the seed workbook's (examples/seed_r5.xlsx): a title
   line merged across the table, its two-row header (copied, with its merged ranges, from the
   seed workbook), thin borders and wrapped text on every data cell, and column A (項目) merged
   over each run of rows of one 項目 (10, 4 and 1 rows per block of 15), at every size.
   openpyxl's write-only mode cannot merge through its API, so the ranges are added to the
   sheet's merge list directly before it is closed.
   openpyxl writes every text as an inline string in the sheet XML; Excel and LibreOffice write a
   shared-string table (each distinct text once, cells hold its index). The workbooks are rewritten
   to that form, as a published table saved from Excel has it (--inline-strings keeps openpyxl's).
   Two variants per size:

   - ``text``:    every value is a text cell as published (``17件``, ``85.19％``): ``auto`` reads
                  it with calamine.
   - ``numeric``: values are numbers with a number format (0.8519 as ``0.00%``, 17 as
                  ``0"件"``, texts such as ``実施`` stay text): ``auto`` reads it with openpyxl,
                  the only reader that reports number formats.

2. Measures, for every size, variant and reader (calamine, openpyxl, auto), two steps:
   ``read_grids`` (hyoka.read.xlsx: cells to text grids) and ``load_table`` (hyoka.read.table: grids, header
   detection and the frame with cell references). Each run is a fresh Python process, so runs share
   no caches; imports (pandas, both readers, hyoka, the vocabulary) happen before the clock
   starts. Reported: median wall time of the runs, rows per second, peak resident memory of the
   process (VmHWM, which sees Rust allocations too, unlike tracemalloc) and its
   growth over the process after imports, and openpyxl's time divided by the reader's.
   A case whose first run takes longer than --once-after seconds is run only once (marked ``1*``).

3. Checks that the readers agree: the frames load_table gives with calamine and with openpyxl are
   compared cell by cell for each variant, at the smallest size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from copy import copy
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_CSV = REPO / "examples" / "seed_r5.csv"
SEED_XLSX = REPO / "examples" / "seed_r5.xlsx"
FIELDS = [
    "item",
    "project",
    "department",
    "activities",
    "partners",
    "grade",
    "effect",
    "indicator",
    "baseline",
    "target",
    "current",
]
VALUE_FIELDS = {"baseline", "target", "current"}
READERS = ["calamine", "openpyxl", "auto"]
STEPS = ["read_grids", "load_table"]
VARIANTS = ["text", "numeric"]
_PERCENT = re.compile(r"^(\d+(?:\.(\d+))?)[%％]$")
_UNIT = re.compile(r"^(\d+(?:\.\d+)?)([^\d.%％\-]+)$")


# ---------------------------------------------------------------- building workbooks


def _seed_layout():
    """The seed workbook's sheet title, header rows (values) and header merged ranges."""
    from openpyxl import load_workbook

    wb = load_workbook(SEED_XLSX)
    ws = wb.worksheets[0]
    first_data = 4
    header = [list(r) for r in ws.iter_rows(min_row=1, max_row=first_data - 1, max_col=len(FIELDS), values_only=True)]
    merges = [str(r) for r in ws.merged_cells.ranges if r.max_row < first_data]
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    return ws.title, header, merges, widths


def _numeric(text: str):
    """A published value as (number, number format) or (text, None): 85.19％ → (0.8519, '0.00%')."""
    m = _PERCENT.match(text)
    if m:
        decimals = len(m.group(2) or "")
        fmt = "0%" if decimals == 0 else "0." + "0" * decimals + "%"
        return round(float(m.group(1)) / 100, decimals + 2), fmt
    m = _UNIT.match(text)
    if m:
        num = float(m.group(1))
        return (int(num) if num.is_integer() else num), f'0"{m.group(2)}"'
    return text, None


def build_workbook(path: Path, n_rows: int, variant: str, inline_strings: bool = False) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.cell_range import CellRange

    with open(SEED_CSV, encoding="utf-8-sig", newline="") as fh:
        seed = list(csv.DictReader(fh))
    title, header, header_merges, widths = _seed_layout()

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def template(**style):
        cell = WriteOnlyCell(ws)
        for k, v in style.items():
            setattr(cell, k, v)
        return cell._style  # copying a cell's StyleArray is much cheaper than setting styles per cell

    title_style = template(font=Font(bold=True))
    head_style = template(
        font=Font(bold=True), border=border, alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)
    )
    data_style = template(border=border, alignment=Alignment(vertical="top", wrap_text=True))
    fmt_styles: dict[str, object] = {}

    def cell(value, style, fmt=None):
        c = WriteOnlyCell(ws, value=value)
        if fmt is not None:
            if fmt not in fmt_styles:
                fmt_styles[fmt] = template(
                    border=border, number_format=fmt, alignment=Alignment(vertical="top", wrap_text=True)
                )
            style = fmt_styles[fmt]
        c._style = copy(style)
        return c

    for r, values in enumerate(header):
        style = title_style if r == 0 else head_style
        ws.append([cell(v, style) if (v is not None or r > 0) else None for v in values])
    merges = [CellRange(m) for m in header_merges]
    first_data_row = len(header) + 1

    group_start = first_data_row
    prev_item = None
    for i in range(n_rows):
        rec = seed[i % len(seed)]
        row_no = first_data_row + i
        item = rec["item"]
        new_group = i % len(seed) == 0 or item != prev_item
        if new_group:
            if row_no - 1 > group_start:
                merges.append(CellRange(min_col=1, min_row=group_start, max_col=1, max_row=row_no - 1))
            group_start = row_no
        prev_item = item
        values = []
        for f in FIELDS:
            v = rec[f]
            if f == "item" and not new_group:
                values.append(cell(None, data_style))  # merged: only the top cell holds the value
                continue
            if f == "project":
                v = f"{v} {i + 1}"
            if variant == "numeric" and f in VALUE_FIELDS:
                num, fmt = _numeric(v)
                values.append(cell(num, data_style, fmt))
            else:
                values.append(cell(v, data_style))
        ws.append(values)
    last_row = first_data_row + n_rows - 1
    if last_row > group_start:
        merges.append(CellRange(min_col=1, min_row=group_start, max_col=1, max_row=last_row))
    # add straight to the set: MultiCellRange.add checks containment against every range (quadratic)
    ws.merged_cells.ranges.update(merges)
    if inline_strings:
        wb.save(path)
        return
    raw = path.with_suffix(".inline.xlsx")
    wb.save(raw)
    to_shared_strings(raw, path)
    raw.unlink()


_INLINE = re.compile(rb'<c ([^>]*?) ?t="inlineStr"( ?/?)>(?:<is><t([^>]*)>(.*?)</t></is></c>)?', re.S)
_SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def to_shared_strings(src: Path, dst: Path) -> None:
    """Copy workbook ``src`` to ``dst`` with its inline strings moved to xl/sharedStrings.xml, as
    Excel saves them. Text is kept as escaped XML, so nothing is re-encoded."""
    index: dict[bytes, int] = {}
    count = 0

    def repl(m: re.Match) -> bytes:
        nonlocal count
        if m.group(4) is None:  # an inline-string cell with no text: leave it
            return m.group(0)
        key = m.group(4)
        i = index.setdefault(key, len(index))
        count += 1
        return b"<c " + m.group(1) + b' t="s"><v>' + str(i).encode() + b"</v></c>"

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE.sub(repl, data)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + _SST_TYPE + b'" /></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="'
                    + _SST_REL
                    + b'" Target="sharedStrings.xml" Id="rIdSharedStrings" /></Relationships>',
                )
            zout.writestr(info.filename, data)
        sst = [
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
            % (count, len(index)),
        ]
        sst += [b'<si><t xml:space="preserve">' + t + b"</t></si>" for t in index]
        sst.append(b"</sst>")
        zout.writestr("xl/sharedStrings.xml", b"".join(sst))


# ---------------------------------------------------------------- one measurement (child process)


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far. Linux: VmHWM, which starts afresh at exec
    (ru_maxrss does not: a child inherits the high-water mark of the parent it was forked from)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def child(step: str, reader: str, path: str) -> None:
    import gc

    import openpyxl
    import openpyxl.utils  # noqa: F401
    import pandas  # noqa: F401
    import python_calamine  # noqa: F401

    from hyoka.normalise.vocabulary import load_vocabulary
    from hyoka.read.table import load_table
    from hyoka.read.xlsx import _open_zip, needs_number_formats, read_grids

    vocab = load_vocabulary()
    p = Path(path)
    gc.collect()
    before = _peak_rss_mb()
    t0 = time.perf_counter()
    if step == "read_grids":
        grids, used = read_grids(p, p.name, reader)
        rows = sum(len(g.rows) for g in grids)
    else:
        table = load_table(p, vocab, reader=reader)
        rows = len(table.frame)
    seconds = time.perf_counter() - t0
    after = _peak_rss_mb()
    if step == "load_table":
        used = reader
        if reader == "auto":
            with _open_zip(p, p.name) as zf:
                used = "openpyxl" if needs_number_formats(zf) else "calamine"
    print(json.dumps({"seconds": seconds, "rows": rows, "rss_before": before, "rss_peak": after, "used": used}))


def measure(step: str, reader: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", step, reader, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"measurement failed ({step} {reader} {path.name}):\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- agreement check


def compare_readers(path: Path) -> str:
    from hyoka.normalise.vocabulary import load_vocabulary
    from hyoka.read.table import load_table

    vocab = load_vocabulary()
    a = load_table(path, vocab, reader="calamine").frame
    b = load_table(path, vocab, reader="openpyxl").frame
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return f"frames differ in shape: calamine {a.shape}, openpyxl {b.shape}"
    diff = []
    for col in a.columns:
        left, right = a[col].astype("string").fillna("<NA>"), b[col].astype("string").fillna("<NA>")
        for i in (left != right).to_numpy().nonzero()[0]:
            diff.append((col, i, left.iloc[i], right.iloc[i]))
    if not diff:
        return f"identical ({len(a)} rows x {len(a.columns)} columns)"
    cols = sorted({d[0] for d in diff})
    examples = "; ".join(
        f"{a['cell_' + c].iloc[i] if 'cell_' + c in a else c}: calamine {x!r}, openpyxl {y!r}"
        for c, i, x, y in diff[:3]
    )
    return f"{len(diff)} cells differ, in {', '.join(cols)} (e.g. {examples})"


# ---------------------------------------------------------------- driver


def versions() -> list[str]:
    from importlib.metadata import version

    lines = [f"machine: {platform.machine()} {platform.system()}, os.cpu_count() = {os.cpu_count()}"]
    pkgs = ", ".join(f"{p} {version(p)}" for p in ("pandas", "openpyxl", "python-calamine", "hyoka"))
    lines.append(f"Python {platform.python_version()}; {pkgs}")
    return lines


def fmt_table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(
        str(x).rjust(w) if i >= 4 else str(x).ljust(w) for i, (x, w) in enumerate(zip(r, widths))
    )
    return "\n".join([line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,10000,100000", help="data rows per workbook, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="runs per case (median reported)")
    ap.add_argument(
        "--once-after",
        type=float,
        default=120.0,
        help="a case whose first run takes longer than this many seconds is run only once",
    )
    ap.add_argument(
        "--inline-strings",
        action="store_true",
        help="keep openpyxl's inline strings instead of an Excel-like shared-string table",
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated workbooks and print their folder")
    ap.add_argument("--child", nargs=3, metavar=("STEP", "READER", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    started = time.perf_counter()
    for line in versions():
        print(line)
    print("load average at start (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        f"sizes: {sizes}; runs per case: {args.repeat} (one process each; "
        f"a case whose first run exceeds {args.once_after:g} s is run once, marked 1*)"
    )
    print()

    tmp = tempfile.TemporaryDirectory(prefix="hyoka-bench-")
    folder = Path(tmp.name)
    books: dict[tuple[int, str], Path] = {}
    for n in sizes:
        for variant in VARIANTS:
            path = folder / f"table_{n}_{variant}.xlsx"
            t0 = time.perf_counter()
            build_workbook(path, n, variant, args.inline_strings)
            with zipfile.ZipFile(path) as zf:
                xml_mb = sum(i.file_size for i in zf.infolist()) / 1e6
            print(
                f"built {path.name}: {path.stat().st_size / 1e6:.2f} MB ({xml_mb:.1f} MB of XML unzipped, "
                f"{'inline' if args.inline_strings else 'shared'} strings) in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
            books[(n, variant)] = path
    print()

    smallest = min(sizes)
    for variant in VARIANTS:
        print(
            f"readers agree? load_table, {variant} variant, {smallest} rows: "
            f"{compare_readers(books[(smallest, variant)])}"
        )
    print()

    results: list[dict] = []
    for n in sizes:
        for variant in VARIANTS:
            for step in STEPS:
                for reader in READERS:
                    runs = []
                    for k in range(args.repeat):
                        runs.append(measure(step, reader, books[(n, variant)]))
                        if k == 0 and runs[0]["seconds"] > args.once_after:
                            break
                    sec = statistics.median(r["seconds"] for r in runs)
                    res = {
                        "size": n,
                        "variant": variant,
                        "step": step,
                        "reader": reader,
                        "runs": len(runs),
                        "once": len(runs) < args.repeat,
                        "seconds": sec,
                        "rss_peak": max(r["rss_peak"] for r in runs),
                        "rss_growth": max(r["rss_peak"] - r["rss_before"] for r in runs),
                        "used": runs[0]["used"],
                        "rows": runs[0]["rows"],
                    }
                    results.append(res)
                    print(
                        f"  {n:>7} {variant:<7} {step:<10} {reader:<8} {len(runs)} run(s), median {sec:.3f} s",
                        flush=True,
                    )
    print()

    base = {(r["size"], r["variant"], r["step"]): r["seconds"] for r in results if r["reader"] == "openpyxl"}
    table = []
    for r in results:
        reader = r["reader"] if r["reader"] != "auto" else f"auto→{r['used']}"
        table.append(
            [
                r["size"],
                r["variant"],
                r["step"],
                reader,
                f"{r['runs']}{'*' if r['once'] else ''}",
                f"{r['seconds']:.3f}",
                f"{r['size'] / r['seconds']:,.0f}",
                f"{r['rss_peak']:.0f}",
                f"{r['rss_growth']:.0f}",
                f"{base[(r['size'], r['variant'], r['step'])] / r['seconds']:.1f}x",
            ]
        )
    print(
        fmt_table(
            table,
            ["rows", "variant", "step", "reader", "runs", "median s", "rows/s", "peak MB", "+MB", "openpyxl/this"],
        )
    )
    print()
    print(
        "peak MB: the measuring process's peak resident memory (VmHWM); +MB: its growth over the process after "
        "imports.\nopenpyxl/this: openpyxl's median time divided by this reader's (how many times faster)."
    )
    print("calamine on the numeric variant is timed but misreads it (no number formats): see 'readers agree?'.")
    print(
        "load average at end (1, 5, 15 min): "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        + f"; whole run {(time.perf_counter() - started) / 60:.1f} min"
    )
    if args.keep:
        tmp._finalizer.detach()
        print(f"\nworkbooks kept in {folder}")
    else:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
