"""The benchmark generator (bench/generate.py) plants inconsistencies hyoka must find exactly:
each planted row gives one finding with the planted code on that row's line, and clean rows
(with full-width digits, ※ notes, 約, renames, era labels, multi-line quoted cells) give none."""

from __future__ import annotations

import collections
import importlib.util
import sys
from pathlib import Path

import pytest

from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = mod  # dataclasses look the module up
    spec.loader.exec_module(mod)
    return mod


def _lines(rows) -> list[int]:
    """The physical CSV line each record starts on (header is line 1; quoted cells span lines)."""
    out, line = [], 2
    for r in rows:
        out.append(line)
        line += 1 + sum(c.count("\n") for c in r)
    return out


@pytest.mark.parametrize("n,seed,scale", [(200, 3, 5.0), pytest.param(1000, 5, 1.0, marks=pytest.mark.slow)])
def test_planted_findings_found_exactly(gen, tmp_path, n, seed, scale):
    rates = {c: r * scale for c, (r, _) in gen.PLANTS.items()}
    rows, counts, marks = gen.generate(n, seed, rates)
    assert len(rows) == n and sum(counts.values()) == sum(m is not None for m in marks)
    assert sum(1 for m in marks if m) > 0
    path = tmp_path / "t.csv"
    gen.write_csv(rows, path)
    found = run_check([path], CheckOptions()).findings
    got = collections.Counter(found["code"])
    assert dict(got) == {c: k for c, k in counts.items() if k}
    # each finding sits on the planted row's line
    lines = _lines(rows)
    planted = sorted((lines[i], m) for i, m in enumerate(marks) if m)
    assert sorted(zip(found["row"].tolist(), found["code"].tolist())) == planted
    # the rows are as generated: full-width digits, era labels and renames are present
    text = path.read_text(encoding="utf-8")
    assert "→危機管理課" in text and "令和" in text and any(ch in text for ch in "０１２３４５６７８９")


def test_generator_is_deterministic(gen):
    a = gen.generate(300, 11)
    b = gen.generate(300, 11)
    assert a == b
    assert gen.generate(300, 12)[0] != a[0]
