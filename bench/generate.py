"""Synthetic evaluation tables at national scale, with known, planted inconsistencies.

    python bench/generate.py --sizes 10k,100k,1M [--seed 5] [--xlsx] [--out bench/data]

Each table has the published table's columns (項目, 事業名, 担当課, 取組内容, 協働の相手, 事業の評価,
効果、理由（問題点）, 目標指標, 基準値, 基準年度, 目標値, 目標年度, 現状値, 現状年度) and a leading
市区町村 column (a national study stacks ~1,700 municipalities over ten years; hyoka reads the
column as nothing — it maps to no field). Texts are the real rows of examples/seed_r5.csv,
perturbed (sentences recombined, numbers changed), so lengths, line breaks inside quoted cells and
characters are those of a real table. Notation varies as it does in published tables: full-width
digits (８５．１％), thousands separators, units 件/人/％/回/千円/団体/地区/か所, levels 実施/充実,
※ notes after a value, 約/以上 qualifiers, era and western year labels (R3, 令和3年度, Ｒ３, 2021),
full- and half-width grades (Ａ/A), department renames written 危機管理室→危機管理課.

Every row is clean (hyoka finds nothing) unless it is planted with exactly one inconsistency, each
at the rate in :data:`PLANTS` (printed when the tables are written, with the exact count, and
saved beside the table as ``<name>.plants.json``). Rows are drawn with ``numpy.random.default_rng
(seed)``: the same seed and size give the same bytes. Project and indicator names carry the row's
serial number so that the cross-row rules (X001 duplicates, X002 one indicator with two baselines)
fire only where planted: hyoka groups rows by file, and a national table would need the
municipality in that key (docs/scale.md).

Outputs go to ``bench/data/`` (git-ignored): ``table_<size>.csv`` (UTF-8) and with ``--xlsx``
``table_<size>.xlsx`` (xlsxwriter in constant-memory mode; one sheet per region of ~200,000 rows
at most, as a prefecture would send one sheet per block of municipalities).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEED_CSV = ROOT / "examples" / "seed_r5.csv"
OUT = Path(__file__).resolve().parent / "data"

HEADER = [
    "市区町村",
    "項目",
    "事業名",
    "担当課",
    "取組内容",
    "協働の相手",
    "事業の評価",
    "効果、理由（問題点）",
    "目標指標",
    "基準値",
    "基準年度",
    "目標値",
    "目標年度",
    "現状値",
    "現状年度",
]

#: planted inconsistencies: code → (rate, what is planted). One per row at most, so the counts are
#: exact. X001 plants a pair (the row and an exact copy below it: two findings).
PLANTS: dict[str, tuple[float, str]] = {
    "D001": (0.010, "rate that should rise (…加入率) with its target below its baseline"),
    "G002": (0.010, "upper grade (A/B) while the current value fell below the baseline"),
    "M001": (0.010, "baseline missing (-, ―, －, blank)"),
    "M003": (0.005, "current value missing (-, ―, 未集計)"),
    "U001": (0.005, "current value in another unit than baseline and target"),
    "P001": (0.003, "current value unreadable (1.2.3件, 1,234.5.6)"),
    "G001": (0.003, "grade off the A–D scale (E, 済)"),
    "Y001": (0.003, "baseline year after the current year"),
    "B001": (0.003, "a rate over 100 %"),
    "T001": (0.005, "lower grade (C/D) with no reason written"),
    "X001": (0.002, "the same project and indicator twice (an exact copy on the next row)"),
}

#: indicator templates: (name, unit, kind) — kind count/rate/money/level; names containing
#: 加入率 and the like declare "increase" by rules/directions.yaml, the others are inferred.
INDICATORS = [
    ("センターへの相談件数", "件", "count"),
    ("補助金活用自治会の割合", "％", "rate"),
    ("自主防災組織の世帯カバー率", "％", "rate"),
    ("食生活改善推進員会員数", "人", "count"),
    ("登録団体数", "団体", "count"),
    ("地域住民助け合い団体数", "団体", "count"),
    ("実施回数", "回", "count"),
    ("講座参加者数", "人", "count"),
    ("自治会加入率", "％", "rate"),
    ("コミュニティ活動補助額", "千円", "money"),
    ("防災訓練参加率", "％", "rate"),
    ("コミュニティ設置地区数", "地区", "count"),
    ("避難所開設訓練の実施か所", "か所", "count"),
    ("多機関協働による相談支援の実施", "", "level"),
    ("地域学校協働活動の推進", "", "level"),
]
RISING_RATES = ["自治会加入率", "自主防災組織の世帯カバー率", "防災訓練参加率"]  # declared increase by name

DEPARTMENTS = [
    "市民協働推進課",
    "危機管理課",
    "交通防犯課",
    "健康増進課",
    "社会福祉課",
    "高齢福祉課",
    "生涯学習課",
    "企画政策課",
    "子育て支援課",
    "環境政策課",
    "商工観光課",
    "農政課",
    "都市計画課",
    "学校教育課",
]
RENAMED = {"危機管理課": "危機管理室→危機管理課", "交通防犯課": "生活課→交通防犯課"}
_PLACE = "大小東西南北中上下新本山川田野原島津沢岡松宮高長若富豊平清安"
_FW = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
_ERA = ["{e}{n}", "{era}{n}年度", "{efw}{fw}", "{y}", "{y}年度"]


@dataclass
class SeedRow:
    item: str
    project: str
    activities: str
    partners: str
    effect: str


def municipalities(n: int = 1_700) -> list[str]:
    """Deterministic place names: two characters + 市/町/村 (≈ 1,700 distinct)."""
    out = []
    for i, a in enumerate(_PLACE):
        for j, b in enumerate(_PLACE):
            if a != b:
                out.append(a + b + "市町村"[(i + j) % 3])
    return out[:n]


def load_seed() -> list[SeedRow]:
    with open(SEED_CSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        SeedRow(r["item"], r["project"], r["activities"], r["partners"] or "⑤", r["effect"] or "効果があった。")
        for r in rows
    ]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。\n])", text) if s.strip()]


def _perturb(text: str, rng: np.random.Generator, pool: list[list[str]]) -> str:
    """Recombine sentences of a real cell with another row's, and change its numbers."""
    own = _sentences(text)
    other = pool[int(rng.integers(len(pool)))]
    k = int(rng.integers(1, len(own) + 1))
    parts = own[:k] + other[: int(rng.integers(0, 2))]
    out = "".join(parts).strip() or text
    return re.sub(r"\d+", lambda m: str(int(rng.integers(1, 300))), out) if rng.random() < 0.5 else out


def _num(v: float, kind: str, rng: np.random.Generator, unit: str, decor: bool = True) -> str:
    """A value as a clerk types it: 1,234件, ８５．２％, 約30回, 35件※1."""
    if kind == "rate":
        s = f"{v:.1f}".rstrip("0").rstrip(".")
    else:
        s = f"{int(round(v)):,}" if v >= 1000 and rng.random() < 0.7 else str(int(round(v)))
    if decor and rng.random() < 0.15:
        s = s.translate(_FW)
    text = s + unit
    if decor:
        r = rng.random()
        if r < 0.03:
            text += "※" + ("1" if rng.random() < 0.5 else "")
        elif r < 0.05:
            text = "約" + text
        elif r < 0.06:
            text += "（速報値）"
    return text


def _year(y: int, rng: np.random.Generator) -> str:
    reiwa = y >= 2019
    n = y - (2018 if reiwa else 1988)
    form = _ERA[int(rng.integers(len(_ERA)))] if rng.random() < 0.3 else _ERA[0]
    return form.format(
        e="R" if reiwa else "H",
        era="令和" if reiwa else "平成",
        efw="Ｒ" if reiwa else "Ｈ",
        n=n,
        fw=str(n).translate(_FW),
        y=y,
    )


def generate(
    n: int, seed: int = 5, rates: dict[str, float] | None = None
) -> tuple[list[list[str]], dict[str, int], list[str | None]]:
    """``n`` data rows (lists in HEADER order), the planted count per code (X001 counts both rows)
    and each row's planted code (None for a clean row). ``rates`` overrides :data:`PLANTS`' rates."""
    rng = np.random.default_rng(seed)
    base = load_seed()
    pool = [_sentences(r.activities) for r in base] + [_sentences(r.effect) for r in base]
    munis = municipalities()
    codes = list(PLANTS)
    probs = np.array([(rates or {}).get(c, PLANTS[c][0]) for c in codes])
    choice = rng.choice(len(codes) + 1, size=n, p=np.append(probs, 1 - probs.sum()))
    rows: list[list[str]] = []
    marks: list[str | None] = []
    counts = dict.fromkeys(codes, 0)
    i = 0
    while len(rows) < n:
        plant = codes[choice[i]] if choice[i] < len(codes) else None
        i += 1
        if plant == "X001" and len(rows) + 2 > n:
            plant = None
        s = base[int(rng.integers(len(base)))]
        muni = munis[(len(rows) // 60) % len(munis)]  # ~60 rows per municipality and year
        dep = DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))]
        dep_text = RENAMED.get(dep, dep) if rng.random() < 0.3 else dep
        name, unit, kind = INDICATORS[int(rng.integers(len(INDICATORS)))]
        if plant == "D001":
            name, unit, kind = RISING_RATES[int(rng.integers(len(RISING_RATES)))], "％", "rate"
        if plant == "B001":
            name, unit, kind = "補助金活用自治会の割合", "％", "rate"
        if plant in ("U001", "P001", "M003", "M001", "G002", "Y001") and kind == "level":
            name, unit, kind = "登録団体数", "団体", "count"
        serial = len(rows) + 1
        project = f"{s.project}（{serial}）"
        indicator = f"{name}（No.{serial}）"
        # years: plans of six years starting H28–R5, the current year one to five years in
        by = int(rng.integers(2016, 2024))
        ty, cy = by + 6, by + int(rng.integers(1, 6))
        expected = (cy - by) / (ty - by)
        grade_fw = rng.random() < 0.6
        if kind == "level":
            b_text, t_text = "実施", "充実"
            reached = rng.random() < 0.5
            c_text = "充実" if reached else "実施"
            grade = "A" if reached else ("C" if rng.random() < 0.5 else "D")
        else:
            if kind == "rate":
                b = float(np.round(rng.uniform(10, 70), 1))
                t = float(np.round(min(100.0, b + rng.uniform(5, 30)), 1))
            elif kind == "money":
                b = float(rng.integers(1_000, 50_000))
                t = float(round(b * rng.uniform(1.1, 1.6)))
            else:
                b = float(rng.integers(2, 400))
                t = float(b + max(2, round(b * rng.uniform(0.1, 0.6))))
            p = float(rng.uniform(0.0, 1.15))
            c = b + p * (t - b)
            c = float(np.round(c, 1)) if kind == "rate" else float(round(c))
            c = min(c, 100.0) if kind == "rate" else c
            p = (c - b) / (t - b)
            if c >= t:
                grade = "A"
            elif p >= expected - 0.15:
                grade = "A" if p >= 0.8 else "B"
            else:
                grade = "C" if rng.random() < 0.5 else "D"
            if plant == "D001":
                t = float(np.round(b - rng.uniform(1, 5), 1))
                c = float(np.round(b + rng.uniform(0, 5), 1))
                grade = "B"
            elif plant == "G002":
                c = (
                    float(round(b * rng.uniform(0.5, 0.95)))
                    if kind != "rate"
                    else float(np.round(b - rng.uniform(1, 5), 1))
                )
                c = min(c, b - 1) if kind != "rate" else c
                grade = "A" if rng.random() < 0.5 else "B"
            elif plant == "B001":
                c = float(np.round(rng.uniform(101, 150), 1))
                grade = "A"
            b_text, t_text, c_text = _num(b, kind, rng, unit), _num(t, kind, rng, unit), _num(c, kind, rng, unit)
        if plant == "M001":
            b_text = ["-", "―", "－", ""][int(rng.integers(4))]
        elif plant == "M003":
            c_text = ["-", "―", "未集計"][int(rng.integers(3))]
        elif plant == "U001":
            c_text = _num(c, kind, rng, "人" if unit != "人" else "件", decor=False)
        elif plant == "P001":
            c_text = ["1.2.3件", "1,234.5.6"][int(rng.integers(2))]
        elif plant == "G001":
            grade = ["E", "済"][int(rng.integers(2))]
        elif plant == "Y001":
            by, cy = cy + 1, cy
        effect = _perturb(s.effect, rng, pool)
        if plant == "T001":
            grade, effect = ("C" if rng.random() < 0.5 else "D"), ""
            if kind == "level":
                c_text = "実施"
            elif c_text == t_text or p >= 1:  # a lower grade must not have reached the target (G003)
                c_text = b_text
        if grade_fw and grade in "ABCDE":
            grade = grade.translate(str.maketrans("ABCDE", "ＡＢＣＤＥ"))
        row = [
            muni,
            s.item,
            project,
            dep_text,
            _perturb(s.activities, rng, pool),
            s.partners,
            grade,
            effect,
            indicator,
            b_text,
            _year(by, rng),
            t_text,
            _year(ty, rng),
            c_text,
            _year(cy, rng),
        ]
        rows.append(row)
        marks.append(plant)
        if plant == "X001":
            rows.append(list(row))
            marks.append(plant)
            counts["X001"] += 2
        elif plant:
            counts[plant] += 1
    return rows, counts, marks


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "").replace(",", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def size_label(n: int) -> str:
    return (
        f"{n // 1_000_000}M"
        if n >= 1_000_000 and n % 1_000_000 == 0
        else (f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n))
    )


def write_csv(rows: list[list[str]], path: Path) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    tmp.replace(path)


def write_xlsx(rows: list[list[str]], path: Path, per_sheet: int = 200_000) -> None:
    """One sheet per block of ``per_sheet`` rows (地域1, 地域2 …), all cells text, as published."""
    import xlsxwriter

    tmp = path.with_name(path.stem + ".tmp.xlsx")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    for k in range(0, max(len(rows), 1), per_sheet):
        ws = wb.add_worksheet(f"地域{k // per_sheet + 1}")
        ws.write_row(0, 0, HEADER)
        for r, row in enumerate(rows[k : k + per_sheet], start=1):
            ws.write_row(r, 0, row)
    wb.close()
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes", default="10k,100k,1M", help="table sizes, comma-separated: 2000, 10k, 1M (default: %(default)s)"
    )
    ap.add_argument(
        "--seed", type=int, default=5, help="random seed: the same seed gives the same tables (default: %(default)s)"
    )
    ap.add_argument("--xlsx", action="store_true", help="also write .xlsx (slow at 1M rows)")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default: bench/data, git-ignored)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for n in (parse_size(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        rows, counts, _ = generate(n, args.seed)
        t1 = time.perf_counter()
        path = args.out / f"table_{size_label(n)}.csv"
        write_csv(rows, path)
        t2 = time.perf_counter()
        info = {
            "rows": n,
            "seed": args.seed,
            "planted": counts,
            "rates": {c: PLANTS[c][0] for c in PLANTS},
            "what": {c: PLANTS[c][1] for c in PLANTS},
        }
        path.with_suffix(".plants.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        print(
            f"{path.name}: {n:,} rows, {path.stat().st_size / 1e6:.1f} MB, generated in {t1 - t0:.1f} s, "
            f"written in {t2 - t1:.1f} s",
            file=sys.stderr,
        )
        if args.xlsx:
            xpath = path.with_suffix(".xlsx")
            write_xlsx(rows, xpath)
            print(
                f"{xpath.name}: {xpath.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t2:.1f} s",
                file=sys.stderr,
            )
        print(f"planted in {n:,} rows (seed {args.seed}):", file=sys.stderr)
        for c, k in counts.items():
            print(f"  {c}  rate {PLANTS[c][0]:.1%}  count {k:>6,}  {PLANTS[c][1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
