"""Rule, mapping and configuration files that attack the reader (#15): YAML alias bombs and deep
nesting, numbers too long for int(), special files, and regular expressions that backtrack.
Each value below was worked out by hand."""

from __future__ import annotations

import os
import re
from datetime import date

import pandas as pd
import pytest

from hyoka.config import _read_toml
from hyoka.errors import ConfigError
from hyoka.files import SpecialFileError, check_regular, read_regular
from hyoka.normalise.derive import load_indicator_metadata
from hyoka.normalise.patterns import compile_pattern, to_re2
from hyoka.normalise.scale import load_scale
from hyoka.normalise.vocabulary import extend_vocabulary, load_vocabulary
from hyoka.pipeline import MAPPING_SHAPES, apply_mapping
from hyoka.resources import (
    MAX_ALIAS_VALUES,
    MAX_YAML_DEPTH,
    TextDatesLoader,
    data_dir,
    load_yaml,
    parse_yaml,
)

from .conftest import ROOT, SEED_CSV
from .inprocess import run_cli

# ------------------------------------------------------------------ YAML


def test_aliases_within_the_limit_are_read():
    text = "base: &b [a, b]\nboth: [*b, *b]\n"
    assert parse_yaml(text, "f.yaml") == {"base": ["a", "b"], "both": [["a", "b"], ["a", "b"]]}


def test_alias_bomb_is_refused_at_the_alias_that_passes_the_limit():
    # a0 is 1 list + 9 strings = 10 values; each a(i) is 1 + 9 × a(i-1): a1 91, a2 820, a3 7,381,
    # a4 66,430. The nine aliases in a4's line repeat 9 × 7,381 = 66,429 values; with a1–a3's
    # 9 × (10 + 91 + 820) = 8,289 that is 74,718: under 100,000. a5's first alias adds 66,430 → over.
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 6)]
    with pytest.raises(ConfigError, match=r"^f\.yaml line 6: YAML aliases .* more than 100,000 values"):
        parse_yaml("\n".join(lines) + "\n", "f.yaml")
    assert MAX_ALIAS_VALUES == 100_000
    parse_yaml("\n".join(lines[:5]) + "\n", "f.yaml")  # a0–a4: 74,718 repeated values, read


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(ConfigError, match=r"^f\.yaml line 2: the YAML alias \*loop refers to a value that contains it"):
        parse_yaml("x: &loop\n  - *loop\n", "f.yaml")


def test_nesting_is_bounded():
    assert MAX_YAML_DEPTH == 100
    assert parse_yaml("x: " + "[" * 99 + "]" * 99, "f.yaml") is not None  # 1 mapping + 99 lists = 100
    with pytest.raises(ConfigError, match=r"^f\.yaml line 1: lists and mappings are nested more than 100 deep"):
        parse_yaml("x: " + "[" * 100 + "]" * 100, "f.yaml")
    with pytest.raises(ConfigError, match=r"line 4: lists and mappings are nested"):  # block lists: "- - - …"
        parse_yaml("a: 1\nb: 2\nc:\n" + "- " * 150 + "x\n", "f.yaml")


def test_a_number_too_long_for_int_and_an_impossible_date_name_their_line():
    with pytest.raises(ConfigError, match=r"^f\.yaml line 3: a number of 4,301 digits cannot be read"):
        parse_yaml("a: 1\nb: 2\nc: " + "7" * 4301 + "\n", "f.yaml")
    assert parse_yaml("c: " + "7" * 4300 + "\n", "f.yaml")["c"] == int("7" * 4300)
    with pytest.raises(ConfigError, match=r"^f\.yaml line 2: 2025-02-30 is not a possible date"):
        parse_yaml("a: 2025-02-28\nb: 2025-02-30\n", "f.yaml")
    assert parse_yaml("a: 2025-02-28\n", "f.yaml") == {"a": date(2025, 2, 28)}
    assert parse_yaml("a: 2025-02-30\n", "f.yaml", TextDatesLoader) == {"a": "2025-02-30"}


def test_hyokas_own_files_keep_their_aliases():
    # rules/labels.yaml writes target_qualifier once and refers to it (trusted: not walked)
    labels = load_yaml(data_dir("rules") / "labels.yaml")
    assert labels["ja"]["baseline_qualifier"] == labels["ja"]["target_qualifier"]


def test_a_toml_integer_over_4300_digits_is_a_config_error(tmp_path):
    f = tmp_path / "hyoka.toml"
    f.write_text("[margins]\nschedule = " + "1" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="hyoka.toml: "):
        _read_toml(f)


# ------------------------------------------------------------------ special files


def test_regular_files_only(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_bytes(b"a: 1\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(good)
    assert check_regular(link) == 5  # a symlink to a regular file is followed
    assert read_regular(link, 3) == b"a: 1"  # limit + 1 bytes at most
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SpecialFileError) as caught:
        read_regular(fifo, 100)  # refused before open(): a FIFO with no writer would block
    assert str(caught.value.message) == "is a named pipe (FIFO), not a regular file; give the file itself"
    for path, kind in (("/dev/zero", "a device (such as /dev/zero)"), (tmp_path, "a folder")):
        with pytest.raises(SpecialFileError) as caught:
            check_regular(path)
        assert str(caught.value.message) == f"is {kind}, not a regular file; give the file itself"
    with pytest.raises(FileNotFoundError):
        check_regular(tmp_path / "absent.yaml")


def test_yaml_and_toml_from_a_device_are_config_errors(tmp_path):
    link = tmp_path / "rules.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(ConfigError, match=r"rules\.yaml: is a device"):
        load_yaml(link)
    with pytest.raises(ConfigError, match=r"^/dev/zero: is a device"):
        _read_toml(__import__("pathlib").Path("/dev/zero"))


# ------------------------------------------------------------------ numbers in rule files


def test_ranks_factors_and_bounds_that_do_not_fit_are_refused(tmp_path):
    scale = tmp_path / "scale.yaml"
    scale.write_text("id: x\ngrades:\n  - {code: A, rank: 1001, standing: upper}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="grade A: rank must be a whole number from 1 .best. to 1000"):
        load_scale(scale)
    scale.write_text("id: x\ngrades:\n  - {code: A, rank: 1000, standing: upper}\n", encoding="utf-8")
    assert load_scale(scale).grades[0].rank == 1000
    for rank, ok in (("2", True), ("2.0", True), ("-3", True), ("1.0e+23", False), (".inf", False), ("1.5", False)):
        vocab = load_vocabulary()
        entry = {"levels": [{"level": "高い", "rank": parse_yaml(f"r: {rank}", "v")["r"]}]}
        if ok:
            extend_vocabulary(vocab, entry, "v")
            assert vocab.levels["高い"] == int(float(rank))
        else:
            with pytest.raises(ConfigError, match="rank must be a whole number"):
                extend_vocabulary(vocab, entry, "v")
    with pytest.raises(ConfigError, match="multipliers"):
        extend_vocabulary(load_vocabulary(), {"multipliers": {"京": 10**400}}, "v")
    ind = tmp_path / "ind.yaml"
    ind.write_text("indicators:\n  - {name: a, bounds: [0, 1" + "0" * 400 + "]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"indicators\[1\]: bounds must be"):
        load_indicator_metadata(ind, load_vocabulary())


# ------------------------------------------------------------------ patterns

_TEXTS = pd.Series(["自治会加入率", "ABC 123", "３件", "NPO法人", None, "全角\u3000空白", "①番"], dtype="string")


@pytest.mark.parametrize(
    "pattern, re2, hits",
    [
        # Python's Unicode classes, kept: \w takes kanji and ①, \d the full-width ３, \s U+3000
        (r"^\w+率$", r"^[\p{L}\p{N}_]+率$", [True, False, False, False, False, False, False]),
        (r"\d", r"\p{Nd}", [False, True, True, False, False, False, False]),
        (r"^\w+$", r"^[\p{L}\p{N}_]+$", [True, False, True, True, False, False, True]),
        (r"\s", r"[\t\n\v\f\r\x1c-\x1f\x85\p{Z}]", [False, True, False, False, False, True, False]),
        (r"[^\d\s]件", r"[^\p{Nd}\t\n\v\f\r\x1c-\x1f\x85\p{Z}]件", [False] * 7),
        (r"[]率]", r"[\]率]", [True, False, False, False, False, False, False]),
        (r"\u7387\Z", r"\x{7387}\z", [True, False, False, False, False, False, False]),
        # RE2's ASCII boundary: after O in NPO法人 (re sees none between O and 法)
        (r"\bNPO\b", r"\bNPO\b", [False, False, False, True, False, False, False]),
        (r"(?i)abc", r"(?i)abc", [False, True, False, False, False, False, False]),
        (r"\p{Han}率", r"\p{Han}率", [True, False, False, False, False, False, False]),
    ],
)
def test_patterns_run_on_re2_with_pythons_unicode_classes(pattern, re2, hits):
    assert to_re2(pattern) == re2
    compiled = compile_pattern(pattern, "f.yaml: pattern")
    assert compiled.contains(_TEXTS).tolist() == hits
    assert compiled.search("自治会加入率") is hits[0]


@pytest.mark.parametrize(
    "pattern, reason",
    [
        ("a*+", "bad repetition operator: *+"),
        ("(?>a)", "invalid perl operator: (?>"),
        ("a{1001}", "invalid repetition size: {1001}"),
        (r"[\W]", r"\W inside [...] is not supported"),
        (r"\N{NO SUCH NAME}", "unknown character name"),
        ("(", "missing ): ("),
    ],
)
def test_patterns_re2_refuses_are_config_errors_naming_the_key(pattern, reason):
    with pytest.raises(ConfigError) as caught:
        compile_pattern(pattern, "map.yaml: directions[0]")
    assert str(caught.value).startswith(f"map.yaml: directions[0]: bad pattern {pattern!r} (")
    assert reason in str(caught.value)


def test_a_backtracking_pattern_runs_in_linear_time():
    # (\w*\w*\w*\w*)*! on 28 word characters and no "!": Python's re did not finish in minutes
    name = "地域懇談会の開催地区数及び参加した住民の延べ人数と満足度"
    hits = compile_pattern(r"(\w*\w*\w*\w*)*!", "f").contains(pd.Series([name] * 2000 + [name + "!"]))
    assert hits.sum() == 1 and hits.iloc[-1]


def test_the_language_lookup_does_not_open_a_fifo_or_read_a_device(tmp_path):
    """Without --lang, the language comes from --config before typer runs: a FIFO there used to
    block the command (open() waits for a writer) and /dev/zero grew until memory ran out."""
    from hyoka.cli.language import config_lang

    fifo = tmp_path / "hyoka.toml"
    os.mkfifo(fifo)
    assert config_lang(["check", "t.csv", "--config", str(fifo)]) is None
    assert config_lang(["check", "t.csv", "--config", "/dev/zero"]) is None
    good = tmp_path / "en.toml"
    good.write_text('lang = "en"\n', encoding="utf-8")
    assert config_lang(["check", "t.csv", "--config", str(good)]) == "en"


# ------------------------------------------------------------------ the shapes of a mapping or vocabulary file's keys


@pytest.mark.parametrize(
    "text, said",
    [
        # YAML reads 2024-01-01 as a date: was "internal error: TypeError: 'datetime.date' object is not iterable"
        ("ignore: 2024-01-01", "ignore: expected a list of words ([word, word, …]), not a date (2024-01-01)"),
        # a text was read letter by letter: the columns 事, 業, 番 and 号 ignored, without a word
        ("ignore: 事業番号", "ignore: expected a list of words ([word, word, …]), not a text (事業番号)"),
        ("ignore: [事業番号, [備考]]", "ignore[2]: expected a word (a text or a number), not a list (['備考'])"),
        # was "directions[0]: string indices must be integers, not 'str'"
        ('directions: "up"', "directions: expected a list of entries (one `- {…}` per line), not a text (up)"),
        ("directions: [up]", "directions[1]: expected a mapping (one `key: value` per line), not a text (up)"),
        ("directions:\n  - {pattern: 率}", "directions[1]: direction is missing"),
        (
            "columns: [事業の名称]",
            "columns: expected a mapping (one `key: value` per line), not a list (['事業の名称'])",
        ),
        ("series_years: R5", "series_years: expected a list of words ([word, word, …]), not a text (R5)"),
    ],
)
def test_a_mapping_key_of_the_wrong_shape_names_the_file_and_the_key(tmp_path, text, said):
    f = tmp_path / "map.yaml"
    f.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        apply_mapping(load_vocabulary(), f)
    assert str(caught.value) == f"{f}: {said}"


def test_a_mapping_of_the_right_shapes_still_loads(tmp_path):
    f = tmp_path / "map.yaml"
    f.write_text(
        "columns:\n  事業の名称: project\n  会計:\nignore: [事業番号, 2024]\nseries_years: [R4, 5]\n"
        "directions:\n  - {pattern: 待機児童, direction: decrease}\n",
        encoding="utf-8",
    )
    vocab = load_vocabulary()
    extra = apply_mapping(vocab, f)
    assert vocab.aliases["事業の名称"] == "project" and "会計" not in vocab.aliases
    assert vocab.aliases["事業番号"] == vocab.aliases["2024"] == "ignore"
    assert vocab.series_years == ("R4", "5")
    assert [m.direction for m in extra] == ["decrease"]


@pytest.mark.parametrize(
    "text, said",
    [
        # a mapping where a list of {unit, …} is expected (was "units[1]: each unit is a mapping")
        (
            "units: {万人: 人}",
            "units: expected a list of entries (one `- {…}` per line), not a mapping ({'万人': '人'})",
        ),
        # a text was read letter by letter: 万 and 人 became spellings of 万人
        (
            "units: [{unit: 万人, aliases: 万人}]",
            "units[1]: aliases: expected a list of words ([word, word, …]), not a text (万人)",
        ),
        ("units: [{aliases: [万人]}]", "units[1]: unit is missing"),
        ("units: [{unit: 万人, base: 人, factor: '2'}]", "units[1]: factor: expected a number, not a text (2)"),
        # was "internal error: TypeError: 'int' object is not iterable"
        ("negative_signs: 5", "negative_signs: expected a list of words ([word, word, …]), not a number (5)"),
        ("negative_signs: '▲'", "negative_signs: expected a list of words ([word, word, …]), not a text (▲)"),
        ("negative_signs: [[▲]]", "negative_signs[1]: expected a word (a text or a number), not a list (['▲'])"),
        ("levels: [検討]", "levels[1]: expected a mapping (one `key: value` per line), not a text (検討)"),
        ("levels: [{level: 検討}]", "levels[1]: rank is missing"),
        (
            "missing_markers: [yes]",
            "missing_markers[1]: expected a word (a text or a number), not a yes/no value (True)",
        ),
        ("multipliers: [万]", "multipliers: expected a mapping (one `key: value` per line), not a list (['万'])"),
    ],
)
def test_a_vocabulary_key_of_the_wrong_shape_names_the_file_and_the_key(tmp_path, text, said):
    f = tmp_path / "voc.yaml"
    f.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        extend_vocabulary(load_vocabulary(), f)
    assert str(caught.value) == f"{f}: {said}"


def test_a_vocabulary_of_the_right_shapes_still_loads():
    vocab = load_vocabulary()
    extend_vocabulary(
        vocab,
        {"units": [{"unit": "万人", "aliases": ["万人"], "base": "人", "factor": 10000}], "negative_signs": ["▲"]},
        "v",
    )
    assert vocab.units["万人"].factor == 10000.0 and vocab.unit_aliases["万人"] == "万人"
    assert "▲" in vocab.negative_signs


def test_a_shape_error_is_one_line_in_japanese_and_exit_2(tmp_path):
    f = tmp_path / "map.yaml"
    f.write_text("ignore: 2024-01-01\n", encoding="utf-8")
    r = run_cli("check", SEED_CSV, "--no-report", "--mapping", f, cwd=tmp_path, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr == (
        f"hyoka: エラー: {f}: ignore: 語の一覧（[語, 語, …]）を書いてください（日付 2024-01-01 になっています）\n"
    )


def test_the_mapping_shapes_are_the_documented_keys():
    """docs/mapping.md's table of keys lists the keys of MAPPING_SHAPES, each once."""
    text = (ROOT / "docs" / "mapping.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `(\w+)` \|", text.split("## Keys", 1)[1].split("\n## ", 1)[0], flags=re.M)
    assert documented == list(MAPPING_SHAPES)
