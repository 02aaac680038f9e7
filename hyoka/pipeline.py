"""The check pipeline: load → normalise → derive → validate (schemas) → rules → findings.

``run_check(paths, options)`` returns a :class:`CheckResult`; reports are written by
:mod:`hyoka.output.report` from it. Raises InputError for unreadable input and ConfigError for bad
rule, scale or mapping files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from hyoka.check import findings as F
from hyoka.check import registry
from hyoka.check.headers import cut_findings, header_findings, scale_finding
from hyoka.check.rules import Rule, evaluate, load_catalog
from hyoka.check.schema import validate
from hyoka.check.selection import check_codes
from hyoka.check.skipped import skipped_findings, sparse_findings
from hyoka.compare.editions import EditionInfo, compare_editions, department_keys, name_key
from hyoka.config import Config, load_departments, selected
from hyoka.config import apply as apply_config
from hyoka.errors import ConfigError, HyokaError, InputError, msg, os_reason, reading
from hyoka.files import real
from hyoka.normalise.derive import DeriveSettings, IndicatorMeta, derive, load_indicator_metadata
from hyoka.normalise.frame import normalise
from hyoka.normalise.scale import GradingScale, choose_scale, load_scale
from hyoka.normalise.spelling import add_lost_marks, add_misspellings
from hyoka.normalise.status import as_of_year
from hyoka.normalise.text import text_key, text_keys
from hyoka.normalise.vocabulary import Vocabulary, compile_pattern, extend_vocabulary, load_vocabulary, nfkc
from hyoka.options import CheckOptions
from hyoka.read.csv import release_memory
from hyoka.read.raw import RawTable
from hyoka.read.table import load_table
from hyoka.resources import check_shapes, load_yaml, reject_unknown
from hyoka.waivers.apply import apply_waivers, for_department
from hyoka.waivers.load import load_waivers


@dataclass
class CheckResult:
    """``frame``: the normalised rows checked (hyoka.normalise.frame); ``findings``: the findings
    table (hyoka.check.findings); ``tables``: what was read from each file (this year's only);
    ``edition``: counts of the comparison with last year's edition (hyoka.compare.editions.EditionInfo:
    previous_paths, previous_rows, matched, …), None without ``previous``."""

    frame: pd.DataFrame
    findings: pd.DataFrame
    tables: list[RawTable]
    scale: GradingScale
    rules: list[Rule]
    options: CheckOptions
    departments: list[str] = field(default_factory=list)
    edition: EditionInfo | None = None  # the comparison with last year's edition (--previous)
    previous_tables: list[RawTable] = field(default_factory=list)  # what was read of last year's files


#: the keys of a mapping file (docs/mapping.md) and the shape of each
#: (hyoka.resources.check_shapes), checked when the file is loaded
MAPPING_SHAPES = {
    "columns": "table",  # {header: field}
    "ignore": "words",  # [header, …]
    "directions": "entries",  # [{pattern, direction}, …]: DIRECTION_SHAPES, both required
    "series_years": "words",  # [year, …]
}
DIRECTION_SHAPES = {"pattern": "word", "direction": "word"}


def apply_mapping(vocab: Vocabulary, path: Path) -> list[IndicatorMeta]:
    """Extend ``vocab`` with a mapping file: ``columns: {header: field}`` (an empty field: not
    filled in yet, skipped), ``ignore: [header]``, ``series_years: [year, …]`` (the years of a
    block's value columns whose headers do not say them, left to right);
    return its ``directions: [{pattern, direction}]`` as indicator metadata (the plan's own
    declaration, before any name pattern of rules/directions.yaml). Raises ConfigError naming the
    file and the key for an unknown key, a value of the wrong shape (:data:`MAPPING_SHAPES`) or a
    bad field, direction or pattern."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(msg("where", where=path, what=msg("mapping_not_mapping")))
    reject_unknown(data, set(MAPPING_SHAPES), str(path), ", ".join(MAPPING_SHAPES))
    check_shapes(data, MAPPING_SHAPES, path)
    columns = data.get("columns") or {}
    try:
        # a header with no field yet (`"会計":` or `"会計": ""`, as hyoka inspect --write-mapping
        # writes it) is not filled in: skipped, as a commented-out line would be
        vocab.extend_aliases({str(k): str(v).strip() for k, v in columns.items() if v is not None and str(v).strip()})
    except ConfigError as exc:
        raise ConfigError(msg("where", where=path, what=exc)) from None
    vocab.extend_aliases({str(h): "ignore" for h in data.get("ignore") or []})
    years = data.get("series_years") or []
    if not isinstance(years, list) or not all(isinstance(y, (str, int)) and str(y).strip() for y in years):
        raise ConfigError(
            f"{path}: series_years: give the years of a block's value columns, left to right: [R2, R3, …]"
        )
    vocab.series_years = tuple(str(y).strip() for y in years)
    extra = []
    for i, entry in enumerate(data.get("directions") or [], start=1):  # counted from 1, as units[1]
        check_shapes(entry, DIRECTION_SHAPES, f"{path}: directions[{i}]", required=("pattern", "direction"))
        try:
            if entry["direction"] not in ("increase", "decrease", "keep"):
                raise ValueError(f"direction {entry['direction']!r} is not increase, decrease or keep")
            extra.append(
                IndicatorMeta(
                    None, compile_pattern(entry["pattern"], f"{path}: directions[{i}]"), direction=entry["direction"]
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: directions[{i}]: {exc}") from None
    return extra


def _real_input(path: Path | str) -> Path:
    """A table's path resolved (hyoka.files.real), to tell the same file named twice apart from
    two files. Raises InputError ``cannot read`` naming the file for a symlink loop."""
    try:
        return real(path)
    except OSError as exc:
        raise InputError(msg("cannot_read", reason=os_reason(exc)), file=str(path)) from None


def _glob_paths(tables: list[RawTable], base: Path | None) -> dict[str, list[str]]:
    """For per-file-ignores: each table's source name (a finding's ``source_file``) → the paths
    its globs are matched against (as given, absolute, and relative to the configuration file's
    folder)."""
    out: dict[str, list[str]] = {}
    for t in tables:
        p = Path(t.path or t.source)
        try:
            forms = [str(p), real(p).as_posix()]
        except OSError:  # the file was read: only replaced since by a symlink loop
            forms = [str(p)]
        if base is not None:
            try:
                forms.append(real(p).relative_to(real(base)).as_posix())
            except (ValueError, OSError):
                pass
        out.setdefault(t.source, []).extend(forms)
    return out


def _distinct_sources(tables: list[RawTable]) -> None:
    """Two inputs with one file name (2024/a/評価表.csv, 2024/b/評価表.csv) are two tables: name
    each by its folder and name (``a/評価表.csv``), or by the path as given when that is not
    enough, so their rows, cell references and report places stay apart. In place."""
    by_name: dict[str, list[RawTable]] = {}
    for t in tables:
        by_name.setdefault(t.source, []).append(t)
    for same in (group for group in by_name.values() if len(group) > 1):
        parents = [f"{_real_input(t.path).parent.name}/{t.source}" for t in same]
        names = parents if len(set(parents)) == len(parents) else [Path(t.path).as_posix() for t in same]
        for t, name in zip(same, names):
            _rename_source(t, name)


def options_from(config: Config | None, **flags) -> CheckOptions:
    """CheckOptions from a configuration file's values, overridden by the command-line ``flags``
    that are not None (``select``/``ignore`` flags add to the file's lists, as in ruff)."""
    cfg = config or Config()
    opts = CheckOptions(
        scale=cfg.scale,
        rules=cfg.rules,
        mapping=cfg.mapping,
        indicators=cfg.indicators,
        departments_file=cfg.departments,
        waivers=cfg.waivers,
        lang=cfg.lang or "ja",
        select=cfg.select,
        extend_select=list(cfg.extend_select),
        ignore=list(cfg.ignore),
        severity=dict(cfg.severity),
        per_file_ignores=dict(cfg.per_file_ignores),
        schedule_margin=cfg.margins.get("schedule", 0.2),
        config_dir=cfg.path.parent if cfg.path else None,
        config_file=cfg.path,
        previous=cfg.previous,
        vocabulary=cfg.vocabulary,
        as_of=cfg.as_of,
        title=cfg.title,
    )
    for key, value in flags.items():
        if value is None:
            continue
        if key in ("extend_select", "ignore"):
            getattr(opts, key).extend(value)
        else:
            setattr(opts, key, value)
    return opts


def run_check(paths: list[Path | str], options: CheckOptions | None = None, progress=None) -> CheckResult:
    """``progress``: optional callback, called with the name of each stage as it starts (load,
    normalise, derive, validate, rules, waivers) — the CLI shows it on stderr."""
    options = options or CheckOptions()
    step = progress or (lambda stage: None)
    step("load")
    vocab = load_vocabulary()
    if options.vocabulary is not None:
        where = f"{options.config_file}: [vocabulary]" if isinstance(options.vocabulary, dict) else None
        extend_vocabulary(vocab, options.vocabulary, where)
    mapped = apply_mapping(vocab, Path(options.mapping)) if options.mapping else []
    if options.departments_file:
        listed, renames = load_departments(options.departments_file)
        vocab.renames.update({nfkc(k).strip(): nfkc(v).strip() for k, v in renames.items()})
        if options.departments is None:
            options.departments = listed or None  # an empty list (a skeleton to fill in) is no list
    resolved = {p: _real_input(p) for p in paths}
    unique = list(dict.fromkeys(resolved.values()))  # the same file named twice is read once
    tables = [_load(next(p for p in paths if resolved[p] == u), vocab, options.table) for u in unique]
    _distinct_sources(tables)
    # no scale given: the bundled one that reads the published grades (said by H004)
    fitted = None if options.scale else choose_scale(_grades_seen(tables), vocab.missing_markers)
    scale = fitted.scale if fitted else load_scale(options.scale)
    settings = DeriveSettings(
        (load_indicator_metadata(options.indicators, vocab) if options.indicators else []) + mapped,
        options.schedule_margin,
        options.departments,
        as_of_year(options.as_of),
    )
    step("normalise")
    with reading(", ".join(t.source for t in tables)):  # the net under normalising: names the files
        frame = _normalise_tables(tables, vocab, scale)
        step("derive")  # before --department: cross-row counts are over the whole table
        derive(frame, vocab, scale, settings)
        add_misspellings(frame)
        add_lost_marks(frame)
    if options.department:
        want = text_key(options.department)
        keep = (text_keys(frame["department"]) == want) | (text_keys(frame["department_previous"]) == want)
        if not keep.any():
            known = ", ".join(dict.fromkeys(frame["department"].dropna().tolist()))
            raise HyokaError(msg("no_rows_for_department", department=options.department, known=known))
        frame = frame[keep.to_numpy()]
    edition_found = F.empty()
    edition: EditionInfo | None = None
    previous_tables: list[RawTable] = []
    if options.previous:
        edition_found, edition, previous_tables = _compare_previous(
            options, options.previous, paths, vocab, scale, settings, frame
        )
    catalog = load_catalog(options.rules, known_columns=set(frame.columns))
    check_codes(options, registry.known_codes(catalog))

    def runs(code: str) -> bool:
        return selected(code, options.select, options.extend_select, options.ignore)

    rules = [r for r in catalog if runs(r.code)]
    step("validate")
    schema_found = validate(frame, options.lang)
    step("rules")
    found = F.combine(
        [
            schema_found,
            evaluate(frame, rules, scale, options.lang),
            header_findings(tables, options.lang),
            cut_findings(tables, options.lang),
            scale_finding(fitted, tables, options.lang),
            skipped_findings(
                frame,
                rules,
                options.lang,
                runs,
                {(t.source, sheet, fld) for t in tables for sheet, fld in t.empty_fields},
            ),
            sparse_findings(frame, rules, options.lang),
            edition_found,
        ]
    )
    globs = _glob_paths(tables, options.config_dir)

    def select(found: pd.DataFrame) -> pd.DataFrame:
        return apply_config(
            found,
            options.select,
            options.extend_select,
            options.ignore,
            options.severity,
            options.per_file_ignores,
            globs,
        )

    found = select(found)
    if options.waivers:
        step("waivers")
        waivers = load_waivers(options.waivers)
        if options.department:
            waivers = for_department(waivers, frame)
        found = apply_waivers(found, waivers, options.today or date.today(), options.lang, frame=frame)
        # W001/W002 are made after selection: select/ignore/severity/per-file-ignores apply to them
        # too (`--ignore W002` when only some files are checked, `[severity] W001 = "error"`)
        found = select(found)
    departments = frame["department"].dropna().unique().tolist()  # in table order
    return CheckResult(frame, found, tables, scale, rules, options, departments, edition, previous_tables)


def _load(path: Path | str, vocab: Vocabulary, table: int | None = None) -> RawTable:
    """One input file read (hyoka.read.table.load_table; ``table``: a page's N-th table only)
    inside the safety net (:func:`hyoka.errors.reading`): whatever goes wrong while it is read
    ends as one InputError naming it, never an internal error."""
    with reading(Path(path).name):
        return load_table(path, vocab, table=table)


def _grades_seen(tables: list[RawTable]) -> dict[str, int]:
    """The grade texts of ``tables`` (trimmed, as published) → rows, counted per distinct text."""
    counts: dict[str, int] = {}
    for t in tables:
        if "grade" in t.frame:
            for text, n in t.frame["grade"].astype("string").fillna("").str.strip().value_counts().items():
                counts[str(text)] = counts.get(str(text), 0) + int(n)
    return counts


def _normalise_tables(tables: list[RawTable], vocab: Vocabulary, scale: GradingScale) -> pd.DataFrame:
    """The normalised frame of ``tables`` (hyoka.normalise.frame), taking their raw frames over:
    each table keeps its row count but not its frame, and normalise drops each raw text column
    once read, so a large table's text is never held twice. One file (the common case) is not
    copied into a concatenation."""
    raw = (
        tables[0].frame
        if len(tables) == 1
        else (pd.concat([t.frame for t in tables], ignore_index=True) if tables else pd.DataFrame())
    )
    for t in tables:
        t.frame = t.frame.iloc[:0]
    frame = normalise(raw, vocab, scale, consume=True)
    del raw
    release_memory()
    return frame


def _rename_source(table: RawTable, source: str) -> None:
    """Give a table another source name (its frame's ``source_file``: places name the file by
    it), in place."""
    table.frame["source_file"] = source
    table.source = source


def _compare_previous(
    options: CheckOptions,
    previous: list[Path],
    paths,
    vocab: Vocabulary,
    scale: GradingScale,
    settings: DeriveSettings,
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, EditionInfo, list[RawTable]]:
    """Load last year's edition (``previous``, the paths of ``options.previous``) with the same vocabulary (renames included), scale and settings,
    keep the department being checked, and compare (hyoka.compare.editions). Raises HyokaError naming
    the previous file when it cannot be read or is also one of this year's files."""
    this_year = {_real_input(p) for p in paths}
    prev_paths = list(dict.fromkeys(Path(p) for p in previous))
    prev_tables = []
    for p in prev_paths:
        try:
            if _real_input(p) in this_year:
                raise HyokaError(msg("previous_is_this_year", path=p))
            prev_tables.append(_load(p, vocab))
        except InputError as exc:
            raise HyokaError(msg("previous_unreadable", error=exc)) from None
    names = {Path(p).name for p in paths}
    for p, t in zip(prev_paths, prev_tables):
        if t.source in names:  # 2023/評価表.xlsx vs 2024/評価表.xlsx: keep last year's cells apart
            _rename_source(t, f"{_real_input(p).parent.name or 'previous'}/{t.source}")
    with reading(", ".join(t.source for t in prev_tables)):
        previous = _normalise_tables(prev_tables, vocab, scale)
        derive(previous, vocab, scale, settings)
    if options.department:
        _, prev_dep, _ = department_keys(frame, previous)
        want = set(name_key(frame["department"])) | set(name_key(frame["department_previous"]))
        previous = previous[prev_dep.isin(want - {""}).to_numpy()]
    found, info, _ = compare_editions(frame, previous, lang=options.lang, previous_paths=[str(p) for p in prev_paths])
    return found, info, prev_tables
