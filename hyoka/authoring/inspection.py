"""``hyoka inspect``: how a table was read, for the clerk or coordinator who wants to know why.

:func:`inspect_file` reads one file as ``hyoka check`` does (:func:`hyoka.read.table.load_table`)
and gathers an :class:`Inspection`: the raw table (header rows, each column's reading, rows left
out, cells carried down), the grades seen with the bundled scales that fit them, and the first
rows' values as parsed (:func:`hyoka.normalise.frame.normalise`). A file whose header cannot be
found gives an Inspection with the :class:`~hyoka.errors.NoHeaderError` (its first rows and the
closest row) instead of failing.

:func:`print_inspection` prints it with rich (Japanese, or English with ``lang="en"``);
:func:`starter_mapping` is the text of a starter mapping file (docs/mapping.md): every header cell
that was not read under ``columns:`` with an empty field to fill in, the columns read as comments.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hyoka.atomic import replacing
from hyoka.cellref import column_letters, is_page
from hyoka.check.rules import FIELD_LABELS
from hyoka.display import visible
from hyoka.errors import HyokaError, NoHeaderError, msg, reading
from hyoka.files import real
from hyoka.normalise.frame import normalise
from hyoka.normalise.scale import ScaleFit, load_scale, scale_fits
from hyoka.normalise.vocabulary import ALIAS_FIELDS, VALUE_FIELDS, Vocabulary, header_key, load_vocabulary
from hyoka.output.report import strings
from hyoka.pipeline import apply_mapping
from hyoka.read.raw import RawTable
from hyoka.read.table import load_table

#: rows whose values are shown as parsed
PARSED_ROWS = 5
#: rows of a table without a header shown as they are
RAW_ROWS = 15

#: labels of what a column may be read as besides the canonical fields (FIELD_LABELS)
EXTRA_LABELS = {
    "unit": ("単位の列", "unit"),
    "series": ("年度別の値", "series"),
    "rate": ("達成率", "rate"),
    "ignore": ("読まない列", "ignore"),
    "direction": ("改善の方向（上向き・下向き）", "direction"),
}
NOTES = {
    "unread": ("読まない（同じ項目の列が先にある）", "not read (an earlier column gives this field)"),
    "unknown": ("不明（どの項目の見出しでもない）", "unknown (names no field)"),
    "ignored": ("読まない列", "ignored"),
    "long": (
        "値の区分: 1指標を4行（1.目標年度/2.目標値/3.実績値/4.達成率）、年度ごとの列に値",
        "row kinds: four rows per indicator (1.目標年度 / 2.目標値 / 3.実績値 / 4.達成率), a column per year",
    ),
    "empty": ("全行が空（この列はないものとする）", "empty in every row (treated as absent)"),
    "resembles": ("「{label}」に似ている（H001）", "resembles {label} (H001)"),
}
TEXTS = {
    "ja": {
        "file": "ファイル",
        "sheet": "シート",
        "sheets_skipped": "読まなかったシート",
        "table": "表",
        "tables_skipped": "読まなかった表（見出し行のない案内・レイアウトの表）",
        "header_rows": "見出し行",
        "row_n": "{n}行目",
        "columns": "列の読み取り",
        "column": "列",
        "header": "見出し（公表どおり）",
        "field": "読み取り",
        "block": "指標ブロック",
        "year": "年度",
        "unit": "単位",
        "note": "備考",
        "blocks": "指標ブロック（横長の表: 1行に複数の指標）",
        "series_note": "複数列の値は年度別の系列: 最後に記入された値を現状値、最初の値を基準値とします（基準値の列があればそれを使います。「－」などの欠測記号は値とみなしません）",
        "skipped": "事業として読まなかった行",
        "reason": "理由",
        "text": "内容",
        "counts": "件数",
        "rows_read": "読み取った行: {n}",
        "indicators": "指標: {n}",
        "carried": "上の行から引き継いだセル（行の結合）: {items}",
        "empty_fields": "全行が空の列（ないものとする）: {items}",
        "grades": "評価の値",
        "grade": "評価",
        "count": "件数",
        "no_grades": "評価の列がないか、すべて空です。",
        "scale_fits": "合う評価尺度: {scale}（--scale {id}）",
        "scale_partial": "すべてに合う同梱の評価尺度はありません。最も近い: {scale}（--scale {id}）、合わない値: {missing}。評価尺度ファイルを作ってください（docs/scales.md）",
        "scale_none": "同梱の評価尺度に合う値がありません。評価尺度ファイルを作ってください（docs/scales.md）",
        "parsed": "値の読み取り（最初の{n}行）",
        "row": "行",
        "published": "公表値",
        "value": "値",
        "state": "状態",
        "no_header": "見出し行が見つかりません。最初の30行のどれも、指標と基準値・目標値・現状値のうち2つ、または既知の列を3つ以上含みません。",
        "first_rows": "最初の行（公表どおり）",
        "closest": "最も近い行: {where}",
        "closest_cells": "その行の各セルの読み取り",
        "cell": "セル",
        "hint_mapping": "見出しを項目に対応づけるには --write-mapping で下書きを作り、--mapping で渡してください（docs/mapping.md）。",
        "written": "マッピングの下書きを書きました: {path}（空欄の項目を記入し、--mapping {path} で渡してください）",
        "none": "なし",
    },
    "en": {
        "file": "File",
        "sheet": "Sheet",
        "sheets_skipped": "Sheets not read",
        "table": "Table",
        "tables_skipped": "Tables not read (no header row: navigation, layout)",
        "header_rows": "Header row(s)",
        "row_n": "row {n}",
        "columns": "How each column was read",
        "column": "Column",
        "header": "Header (as published)",
        "field": "Field",
        "block": "Block",
        "year": "Year",
        "unit": "Unit",
        "note": "Note",
        "blocks": "Indicator blocks (a wide table: several indicators per row)",
        "series_note": "A field with several columns is a yearly series: the latest filled value is the current "
        "value and the earliest the baseline (unless a baseline column is given; a missing marker such as － "
        "is no value)",
        "skipped": "Rows not read as projects",
        "reason": "Reason",
        "text": "Text",
        "counts": "Counts",
        "rows_read": "Rows read: {n}",
        "indicators": "Indicators: {n}",
        "carried": "Cells carried down from the row above (rowspan): {items}",
        "empty_fields": "Columns empty in every row (treated as absent): {items}",
        "grades": "Grades seen",
        "grade": "Grade",
        "count": "Count",
        "no_grades": "No grade column, or it is empty.",
        "scale_fits": "Scale that fits: {scale} (--scale {id})",
        "scale_partial": "No bundled scale fits every grade. Closest: {scale} (--scale {id}); not on it: {missing}. "
        "Write a scale file (docs/scales.md)",
        "scale_none": "No bundled scale knows these grades. Write a scale file (docs/scales.md)",
        "parsed": "Values as parsed (first {n} rows)",
        "row": "Row",
        "published": "Published",
        "value": "Value",
        "state": "State",
        "no_header": "No header row: none of the first 30 rows names an indicator and two of "
        "baseline/target/current, or 3 known columns.",
        "first_rows": "First rows (as published)",
        "closest": "Closest: {where}",
        "closest_cells": "How each cell of that row was read",
        "cell": "Cell",
        "hint_mapping": "To map headers to fields, write a starter with --write-mapping and pass it with --mapping "
        "(docs/mapping.md).",
        "written": "Wrote a starter mapping: {path} (fill in the empty fields, then pass --mapping {path})",
        "none": "none",
    },
}


def label(fld: str | None, lang: str) -> str:
    """A field's name for people: ``目標値 target`` (ja), ``target`` (en); ``?`` for None."""
    if not fld:
        return "?"
    ja, en = FIELD_LABELS.get(fld) or EXTRA_LABELS.get(fld) or (fld, fld)
    return f"{ja} {fld}" if lang == "ja" else fld if en == fld else f"{en} ({fld})"


def one_line(text: str) -> str:
    """A header text on one line: its line breaks shown as ⏎."""
    return " ⏎ ".join(line.strip() for line in str(text).strip().splitlines())


@dataclass
class Inspection:
    """One file, inspected: ``table`` (None when no header was found: then ``no_header``), the
    grades seen (text as published → rows), the bundled scales best first, the first rows parsed."""

    path: Path
    source: str
    table: RawTable | None = None
    no_header: NoHeaderError | None = None
    grades: dict[str, int] = field(default_factory=dict)
    fits: list[ScaleFit] = field(default_factory=list)
    parsed: pd.DataFrame | None = None

    @property
    def workbook(self) -> bool:
        return self.path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods")

    def texts(self, lang: str) -> dict[str, str]:
        """The words of the listing (:data:`TEXTS`); a web page's tables are tables, not sheets."""
        s = TEXTS[lang]
        if is_page(self.path.name):
            return {**s, "sheet": s["table"], "sheets_skipped": s["tables_skipped"]}
        return s

    def column_name(self, column: int) -> str:
        """A 1-based column as people see it: a letter in a workbook, the number in a CSV."""
        return column_letters(column - 1) if self.workbook else str(column)


def inspect_file(path: Path | str, vocab: Vocabulary, table: int | None = None) -> Inspection:
    """Read ``path`` as ``hyoka check`` would (``vocab`` extended by a mapping, if any; ``table``:
    a web page's N-th table only, as ``--table``). Raises InputError for a file that cannot be
    read at all; a file without a header is inspected."""
    path = Path(path)
    ins = Inspection(path, path.name)
    try:
        with reading(path.name):  # as hyoka check: one line naming the file, never an internal error
            raw = load_table(path, vocab, table=table)
    except NoHeaderError as exc:
        ins.no_header = exc
        return ins
    ins.table = raw
    frame = raw.frame
    if "grade" in frame:
        texts = frame.drop_duplicates(["sheet", "row"])["grade"].astype("string").fillna("").str.strip()
        ins.grades = dict(Counter(t for t in texts.tolist() if t).most_common())
    ins.fits = scale_fits(ins.grades) if ins.grades else []
    fit = ins.fits[0].scale if ins.fits and ins.fits[0].rows else load_scale(None)
    ins.parsed = normalise(frame.head(PARSED_ROWS).reset_index(drop=True), vocab, fit)
    return ins


# ---------------------------------------------------------------- printing


def _table(title: str, *columns: str, plain: bool) -> Table:
    t = Table(title=title, title_justify="left", box=None if plain else box.SIMPLE_HEAD, pad_edge=False)
    for c in columns:
        t.add_column(c)
    return t


def _cell(value: object) -> Text:
    """Text as published, printed literally (no markup, control characters shown as escapes:
    :func:`hyoka.display.visible`)."""
    s = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return Text(visible(s, one_line=True))


def print_inspection(ins: Inspection, con: Console, lang: str = "ja") -> None:
    """Print what :func:`inspect_file` gathered (module doc)."""
    s = ins.texts(lang)
    plain = not con.is_terminal
    con.print(Text(f"{s['file']}: {ins.path}"))
    if ins.no_header is not None:
        _print_no_header(ins, con, lang, plain)
        return
    t = ins.table
    assert t is not None
    sheets = t.sheet_headers or {"": t.header_rows}
    for sheet, rows in sheets.items():
        where = f"{s['sheet']} {sheet}: " if sheet else ""
        con.print(Text(f"{where}{s['header_rows']}: {', '.join(s['row_n'].format(n=r) for r in rows)}"))
    if t.sheets_skipped:
        con.print(Text(f"{s['sheets_skipped']}: {', '.join(t.sheets_skipped)}"))
    _print_columns(ins, con, lang, plain)
    _print_blocks(ins, con, lang)
    _print_skipped(ins, con, lang, plain)
    con.print(Text(s["counts"], style="bold"))
    frame = t.frame
    con.print(Text("  " + s["rows_read"].format(n=len(frame.drop_duplicates(["sheet", "row"])))))
    if "indicator" in frame:
        con.print(Text("  " + s["indicators"].format(n=int((frame["indicator"].str.strip() != "").sum()))))
    if t.carried:
        items = ", ".join(f"{label(f, lang)} {n}" for f, n in t.carried.items())
        con.print(Text("  " + s["carried"].format(items=items)))
    if t.empty_fields:
        con.print(Text("  " + s["empty_fields"].format(items=", ".join(label(f, lang) for _, f in t.empty_fields))))
    _print_grades(ins, con, lang, plain)
    _print_parsed(ins, con, lang, plain)


def _notes(ins: Inspection, d: dict, lang: str) -> str:
    i = 0 if lang == "ja" else 1
    t = ins.table
    assert t is not None
    notes = []
    if d["note"]:
        notes.append(NOTES[d["note"]][i])
    if d["field"] in {f for _, f in t.empty_fields} and not d["note"]:
        notes.append(NOTES["empty"][i])
    if d["note"] == "unknown":
        like = next((u[5] for u in t.unmapped if u[2] == d["column"] and u[0] == d["sheet"]), None)
        if like:
            notes.append(NOTES["resembles"][i].format(label=label(like, lang)))
    return "; ".join(notes)


def _print_columns(ins: Inspection, con: Console, lang: str, plain: bool) -> None:
    s = ins.texts(lang)
    t = ins.table
    assert t is not None
    several = len(t.sheet_headers) > 1
    cols = ([s["sheet"]] if several else []) + [s["column"], s["header"], s["field"], s["block"], s["year"]]
    table = _table(s["columns"], *cols, s["unit"], s["note"], plain=plain)
    for d in t.layout:
        shown = d["field"] if d["note"] not in ("unknown", "ignored") else (d["field"] if d["field"] else None)
        table.add_row(
            *([_cell(d["sheet"])] if several else []),
            ins.column_name(d["column"]),
            _cell(one_line(d["header"])),
            "" if d["note"] == "unknown" else label(shown, lang),
            _cell(d["block"] or ""),
            _cell(d["year"] or ""),
            _cell(d["unit"] or ""),
            _notes(ins, d, lang),
        )
    con.print(table)


def blocks(ins: Inspection) -> dict[str, dict[str, list[int]]]:
    """The indicator blocks of a wide table: block key → field → 1-based columns (sheet order)."""
    t = ins.table
    out: dict[str, dict[str, list[int]]] = {}
    if t is None or not (t.frame["block"].astype(str) != "").any():
        return out
    for d in t.layout:
        if d["block"] and d["field"] and d["note"] == "":
            out.setdefault(d["block"], {}).setdefault(d["field"], []).append(d["column"])
    return out


def _print_blocks(ins: Inspection, con: Console, lang: str) -> None:
    found = blocks(ins)
    if not found:
        return
    s = ins.texts(lang)
    con.print(Text(s["blocks"], style="bold"))
    series = False
    for key, fields in found.items():
        parts = []
        for f, cols in fields.items():
            series = series or len(cols) > 1
            parts.append(f"{label(f, lang)} {', '.join(ins.column_name(c) for c in cols)}")
        con.print(Text(f"  {key}: " + "; ".join(parts)))
    if series:
        con.print(Text("  " + s["series_note"]))


def _print_skipped(ins: Inspection, con: Console, lang: str, plain: bool) -> None:
    t = ins.table
    assert t is not None
    if not t.skipped_rows:
        return
    s = ins.texts(lang)
    several = len({sheet for sheet, *_ in t.skipped_rows} | set(t.sheet_headers)) > 1  # a PDF's rows: per page
    table = _table(s["skipped"], *([s["sheet"]] if several else []), s["row"], s["reason"], s["text"], plain=plain)
    for sheet, row, reason, text in t.skipped_rows:
        table.add_row(
            *([_cell(sheet)] if several else []), str(row), strings(lang).get(f"skip_{reason}", reason), _cell(text)
        )
    con.print(table)


def _print_grades(ins: Inspection, con: Console, lang: str, plain: bool) -> None:
    s = ins.texts(lang)
    if not ins.grades:
        con.print(Text(s["no_grades"]))
        return
    table = _table(s["grades"], s["grade"], s["count"], plain=plain)
    for g, n in ins.grades.items():
        table.add_row(_cell(g), str(n))
    con.print(table)
    best = ins.fits[0] if ins.fits else None
    if best is None or not best.rows:
        con.print(Text(s["scale_none"]))
        return
    name = best.scale.name_ja if lang == "ja" else best.scale.name_en
    if not best.missing:
        con.print(Text(s["scale_fits"].format(scale=name, id=best.scale.id)))
    else:
        missing = ", ".join(best.missing)
        con.print(Text(s["scale_partial"].format(scale=name, id=best.scale.id, missing=missing)))


def _print_parsed(ins: Inspection, con: Console, lang: str, plain: bool) -> None:
    n = ins.parsed
    if n is None or n.empty:
        return
    s = ins.texts(lang)
    table = _table(s["parsed"].format(n=min(PARSED_ROWS, len(n))), s["row"], s["field"], s["published"],
                   s["value"], s["unit"], s["state"], plain=plain)  # fmt: skip
    t = ins.table
    assert t is not None
    present = [f for f in VALUE_FIELDS if f in t.frame] + [f"{f}_year" for f in VALUE_FIELDS if f"{f}_year" in t.frame]
    for i in range(len(n)):
        r = n.iloc[i]
        where = f"{r['sheet']}!{r['row']}" if r["sheet"] else str(r["row"])
        block = str(t.frame["block"].iloc[i] or "") if "block" in t.frame else ""
        if block:
            where += f" {block}"
        for f in present:
            if f.endswith("_year"):
                value, unit, state = r[f], "", r.get(f"{f}_state", "")
            else:
                value, unit, state = r[f"{f}_value"], r.get(f"{f}_unit", ""), r.get(f"{f}_state", "")
            raw = r.get(f"{f}_raw", "")
            table.add_row(where, label(f, lang), _cell(raw), "→ " + str(_cell(value)), _cell(unit), _cell(state))
            where = ""
    con.print(table)


def _print_no_header(ins: Inspection, con: Console, lang: str, plain: bool) -> None:
    s = ins.texts(lang)
    err = ins.no_header
    assert err is not None
    con.print(Text(s["no_header"], style="bold"))
    for sheet, rows in err.sheets:
        title = s["first_rows"] + (f" ({s['sheet']} {sheet})" if sheet else "")
        table = _table(title, s["row"], s["text"], plain=plain)
        for number, cells in rows[:RAW_ROWS]:
            texts = [one_line(c) for c in cells if str(c).strip()]
            if texts:
                table.add_row(str(number), _cell(" | ".join(texts)[:160]))
        con.print(table)
    if err.closest is not None:
        sheet, number, closest = err.closest
        where = (f"{s['sheet']} {sheet}, " if sheet else "") + s["row_n"].format(n=number)
        con.print(Text(s["closest"].format(where=where), style="bold"))
        table = _table(s["closest_cells"], s["column"], s["cell"], s["field"], plain=plain)
        for c, text, f in closest:
            table.add_row(ins.column_name(c), _cell(one_line(text)), label(f, lang))
        con.print(table)
    con.print(Text(s["hint_mapping"]))


# ---------------------------------------------------------------- the starter mapping


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax: line breaks as \\n, so they round-trip)."""
    return json.dumps(str(text), ensure_ascii=False)


def starter_mapping(ins: Inspection, lang: str = "ja") -> str:
    """The text of a starter mapping file for ``ins`` (module doc): loads with
    :func:`hyoka.pipeline.apply_mapping` as it is (an empty field is skipped)."""
    ja = lang == "ja"
    choices = ", ".join(f"{f}（{(FIELD_LABELS.get(f) or EXTRA_LABELS[f])[0]}）" if ja else f for f in ALIAS_FIELDS)
    command = f"hyoka inspect {ins.source} --write-mapping"
    lines = [
        f"# hyoka のマッピングファイル（{command} で作成、書式は docs/mapping.md）"
        if ja
        else f"# A hyoka mapping file (written by `{command}`; the format: docs/mapping.md)",
        "#",
        "# columns: 見出し（公表どおり）: 項目。読めなかった見出しを並べました。項目を記入してください。"
        if ja
        else "# columns: header (as published): field. The headers hyoka did not read are listed: fill in a field.",
        "#   空のままの行は読み飛ばされます。使わない列は ignore と書くと H001 も出ません。"
        if ja
        else "#   A line left empty is skipped. Write ignore for a column to leave out (no H001 either).",
        f"#   項目: {choices}" if ja else f"#   Fields: {choices}",
        f"# 確かめる: hyoka inspect {ins.source} --mapping <このファイル>"
        if ja
        else f"# Check it: hyoka inspect {ins.source} --mapping <this file>",
    ]
    todo: dict[str, tuple[str, list[str]]] = {}  # header key → (header, comments)
    done: dict[tuple[str, str], list[str]] = {}  # (header, field) → where
    if ins.no_header is not None:
        closest = ins.no_header.closest
        lines.append(
            "# 見出し行が見つかりませんでした。最も近い行の見出しを並べています。"
            if ja
            else "# No header row was found: the cells of the row that came closest are listed."
        )
        for c, text, f in closest[2] if closest else []:
            where = f"{'列' if ja else 'column'} {ins.column_name(c)}"
            if f:
                done.setdefault((text, f), []).append(where)
            else:
                todo.setdefault(header_key(text), (text, []))[1].append(where)
    else:
        t = ins.table
        assert t is not None
        for d in t.layout:
            where = f"{'列' if ja else 'column'} {ins.column_name(d['column'])}"
            if d["sheet"]:
                where = f"{d['sheet']}!{where}" if not ja else f"{d['sheet']} {where}"
            if d["note"] in ("unknown", "unread"):
                entry = todo.setdefault(header_key(d["header"]), (d["header"], []))
                entry[1].append(where)
                if d["note"] == "unread":
                    entry[1].append(
                        f"{d['field']} は先の列から読んでいます"
                        if ja
                        else f"{d['field']} is read from an earlier column"
                    )
                like = next((u[5] for u in t.unmapped if u[2] == d["column"] and u[0] == d["sheet"]), None)
                if like and d["note"] == "unknown":
                    entry[1].append(f"候補: {like}" if ja else f"suggested: {like}")
            elif d["field"] and d["note"] == "":
                done.setdefault((d["header"], d["field"]), []).append(where)
    if todo:
        lines.append("columns:")
        for header, comments in todo.values():
            lines.append(f'  {_q(header)}: ""   # {", ".join(dict.fromkeys(comments))}')
    else:
        lines.append("columns: {}")
    if done:
        lines.append(
            "  # 読み取り済みの列（変えるときだけ行頭の # を外す）:"
            if ja
            else "  # Columns already read (uncomment to change):"
        )
        lines.extend(f"  #   {_q(h)}: {f}   # {', '.join(w)}" for (h, f), w in done.items())
    lines += [
        "ignore: []",
        "# ignore:   # 読まない列の見出し（H001 も出ない）"
        if ja
        else "# ignore:   # headers of columns to leave out (no H001)",
        '#   - "備考"',
        "directions: []",
        "# directions:   # 指標名のパターン → increase（増えるほどよい）/ decrease / keep"
        if ja
        else "# directions:   # a pattern of indicator names → increase (more is better) / decrease / keep",
        '#   - {pattern: "待機児童", direction: decrease}',
    ]
    return "\n".join(lines) + "\n"


def write_starter(ins: Inspection, target: Path | str, inputs: list[Path], lang: str = "ja") -> None:
    """Write :func:`starter_mapping` to ``target`` atomically, after checking that hyoka reads it
    back. Refuses (HyokaError) an input file (``inputs``: the table, the mapping read), an existing
    file (a mapping being edited is not replaced) and a missing folder."""
    target = Path(target)
    for p in inputs:
        try:
            if real(p) == real(target):
                raise HyokaError(msg("output_is_input", what="--write-mapping", target=target, input=p))
        except OSError:
            continue
    if target.exists():
        raise HyokaError(msg("where", where=f"--write-mapping {target}", what=msg("file_exists")))
    if not target.parent.is_dir():
        raise HyokaError(msg("output_no_folder", what="--write-mapping", target=target, folder=target.parent))
    text = starter_mapping(ins, lang)
    try:
        with replacing(target, overwrite=False) as tmp:
            tmp.write_text(text, encoding="utf-8", newline="\n")
            apply_mapping(load_vocabulary(), tmp)  # hyoka reads what it writes (ConfigError otherwise)
    except FileExistsError:
        raise HyokaError(msg("where", where=f"--write-mapping {target}", what=msg("file_exists"))) from None
