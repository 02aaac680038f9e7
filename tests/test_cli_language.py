"""The command line in Japanese by default, English with --lang en (#14): errors, usage errors,
--help, the rules commands; the language from --lang, hyoka.toml, else the locale."""

import copy
import os
import pickle
import re

import pytest
import typer

from hyoka.cli import language
from hyoka.cli.app import app, usage_message
from hyoka.cli.helptext import command_texts, param_help, width, wrap
from hyoka.errors import InputError, catalogue, msg

from .conftest import SEED_CSV
from .inprocess import run_cli


def hyoka(*args, cwd=None, env=None):
    return run_cli(*args, text=True, cwd=cwd, env=env)


def env_with(**values):
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    return {**env, **values}


# ---------------------------------------------------------------- which language


@pytest.mark.parametrize(
    "variables, lang",
    [
        ({}, "ja"),  # no locale at all (Windows, a bare container)
        ({"LANG": "C"}, "ja"),
        ({"LANG": "C.UTF-8"}, "ja"),
        ({"LANG": "POSIX"}, "ja"),
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, "ja"),  # LC_ALL first
        ({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),  # then LC_MESSAGES
    ],
)
def test_locale_decides_when_nothing_else_does(variables, lang):
    assert language.locale_lang(variables) == lang


def test_lang_option_then_configuration_then_locale(tmp_path):
    en = {"LANG": "en_US.UTF-8"}
    assert language.detect(["check", "x.csv"], en, tmp_path) == "en"
    assert language.detect(["check", "x.csv", "--lang", "ja"], en, tmp_path) == "ja"
    assert language.detect(["check", "x.csv", "--lang=ja"], en, tmp_path) == "ja"
    (tmp_path / "hyoka.toml").write_text('lang = "ja"\n', encoding="utf-8")
    sub = tmp_path / "data"
    sub.mkdir()
    assert language.detect(["check", "x.csv"], en, sub) == "ja"  # found upwards, as check finds it
    assert language.detect(["check", "x.csv", "--no-config"], en, sub) == "en"
    assert language.detect(["check", "x.csv", "--lang", "en"], {}, sub) == "en"
    (tmp_path / "hyoka.toml").write_text("lang = [\n", encoding="utf-8")  # broken: the command says so
    assert language.detect(["check", "x.csv"], {}, sub) == "ja"


def test_missing_file_in_each_language(tmp_path):
    assert hyoka("check", "missing.csv", cwd=tmp_path).stderr == "hyoka: エラー: missing.csv: ファイルがありません\n"
    r = hyoka("check", "missing.csv", "--lang", "en", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (2, "hyoka: error: missing.csv: no such file\n")
    r = hyoka("check", "missing.csv", cwd=tmp_path, env=env_with(LANG="en_US.UTF-8"))  # no hyoka.toml here
    assert r.stderr == "hyoka: error: missing.csv: no such file\n"
    (tmp_path / "hyoka.toml").write_text('lang = "ja"\n', encoding="utf-8")
    r = hyoka("check", "missing.csv", cwd=tmp_path, env=env_with(LANG="en_US.UTF-8"))
    assert r.stderr == "hyoka: エラー: missing.csv: ファイルがありません\n"


def test_the_place_of_an_input_error_in_japanese():
    e = InputError(msg("bad_byte", start=1234, char=7, byte="0xFF", encoding="cp932"), file="book.csv", row=5)
    assert str(e) == (
        "book.csv, row 5: the byte 0xFF at character 7 of the line (byte 1234 of the file) is not valid cp932; "
        "save the file as UTF-8 CSV"
    )
    assert e.say("ja") == (
        "book.csv、5行目: この行の7文字目のバイト 0xFF（ファイルの1234バイト目）が cp932 として正しくありません"
        "（文字化け・文字コードの混在）。UTF-8 の CSV で保存し直してください"
    )
    e = InputError(msg("no_data_rows"), file="book.xlsx", sheet="様式1", column="D")
    assert e.say("ja") == "book.xlsx、シート「様式1」、D列: 見出しの下にデータの行がありません"
    assert str(e) == "book.xlsx, sheet 様式1, column D: no data rows below the header"
    m = msg("cannot_read", reason=msg("no_such_file"))
    assert (
        copy.deepcopy(m).say("ja")
        == pickle.loads(pickle.dumps(m)).say("ja")
        == "読み込めません（ファイルがありません）"
    )
    plain = InputError("still English", file="x.csv")  # not converted yet: English in both
    assert plain.say("ja") == plain.say("en") == "x.csv: still English"


def test_every_error_text_has_both_languages_with_the_same_parameters():
    for key, texts in catalogue().items():
        ja, en = (set(re.findall(r"\{(\w+)", texts[lang])) for lang in ("ja", "en"))
        if key.startswith("os."):  # the system's own English, a Japanese text of ours
            assert (ja, en) == (set(), {"strerror"}), key
        else:
            assert ja == en, key


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    "english, japanese",
    [
        ("No such option: --outt Did you mean --out?", "オプション --outt はありません（--out のことですか）"),
        ("Missing argument 'FILE'.", "引数 FILE を指定してください。"),
        ("Missing option '--waivers'.", "オプション --waivers を指定してください。"),
        (
            "Invalid value for '--lang': Value error, 'fr' is not one of 'ja', 'en'.",
            "--lang に「fr」は指定できません。指定できる値: 'ja', 'en'。",
        ),
        ("Option '--out' requires an argument.", "オプション --out には値が必要です。"),
        (  # --table 0 (the try-out: pydantic's words inside a Japanese line)
            "Invalid value for '--table': Input should be greater than or equal to 1",
            "--table の値が正しくありません: 1 以上の数を指定してください",
        ),
        (
            "Invalid value for '--table': 0 is not in the range x>=1.",
            "--table の値が正しくありません: 0 は指定できません（1 以上の数）。",
        ),
        ("Got unexpected extra argument (B)", "余分な引数があります（B）。"),
        ("No such command 'chek'.", "コマンド chek はありません。"),
        ("Something click says that we have no words for.", "Something click says that we have no words for."),
    ],
)
def test_usage_errors_in_japanese(english, japanese):
    assert usage_message(english, "ja") == japanese
    assert usage_message(english, "en") == english


def test_usage_error_is_one_japanese_line():
    r = hyoka("check", SEED_CSV, "--fail-on", "sometimes")
    assert r.returncode == 2
    assert r.stderr == (
        "hyoka: エラー: --fail-on に「sometimes」は指定できません。指定できる値: 'error', 'warning', 'info', "
        "'never'。（`python -m hyoka.cli check --help` でオプションを確認できます）\n"
    )


# ---------------------------------------------------------------- --help


def _click_tree():
    """(path in rules/cli.yaml, click command) of every command, hyoka itself first."""
    root = typer.main.get_command(app)
    out = [("", root)]
    for name, cmd in root.commands.items():
        out.append((name, cmd))
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            out.append((f"{name} {sub_name}", sub))
    return out


def test_every_command_and_parameter_has_help_in_both_languages():
    tree = _click_tree()
    assert {k for k, _ in tree} == {
        "",
        "check",
        "inspect",
        "waive",
        "rule",
        "template",
        "init",
        "serve",
        "rules",
        "rules explain",
        "rules docs",
        "export",
        "export gx",
    }
    for key, cmd in tree:
        texts = command_texts(key)
        for lang in ("ja", "en"):
            assert texts["help"][lang], (key, lang)
            if key:
                assert (texts.get("summary") or texts["help"])[lang], (key, lang)
            for p in cmd.params:
                assert param_help(key, p, lang), (key, p.name, lang)
                if p.param_type_name == "option" and not getattr(p, "is_flag", False):
                    # a metavar a person types, never a type name (<path>, <list[Path]>)
                    assert p.metavar and re.fullmatch(r"[A-Z]+|[a-z]+(\|[a-z]+)+", p.metavar), (key, p.name)


def test_help_is_japanese_by_default_and_english_with_lang_en():
    r = hyoka("--help")
    assert r.returncode == 0
    assert r.stdout.startswith("使い方: python -m hyoka.cli [オプション] コマンド [引数]...\n")
    assert "\n  check     評価表を確認し、課ごとの結果を書き出します。\n" in r.stdout
    assert "\nコマンド:\n" in r.stdout and "rule " not in r.stdout  # `hyoka rule` is hidden
    r = hyoka("--help", "--lang", "en")
    assert r.stdout.startswith("Usage: python -m hyoka.cli [OPTIONS] COMMAND [ARGS]...\n")
    assert "\n  check     Check evaluation tables and write a review report per department.\n" in r.stdout
    r = hyoka("--help", env=env_with(LANG="en_US.UTF-8"))  # no hyoka.toml above the repository
    assert r.stdout.startswith("Usage: ")


def test_check_help_shows_no_internals():
    for lang, usage in (("ja", "使い方: python -m hyoka.cli check [オプション] FILE...\n"), ("en", "Usage: ")):
        r = hyoka("check", "--help", "--lang", lang)
        assert r.returncode == 0 and r.stdout.startswith(usage)
        for internal in ("<list[Path]>", "<path>", "<str>", "<date>", "<codes>", "{paths}", "paths..."):
            assert internal not in r.stdout, (lang, internal)
    r = hyoka("check", "--help")
    assert (
        "\n  FILE...  確認する表（CSV、.xlsx、.xls、.ods、ウェブページの .html・.htm）。\n           [必須]\n"
        in r.stdout
    )
    assert "\n  --fail-on error|warning|info|never\n" in r.stdout
    assert "\n  --lang ja|en" in r.stdout and "\n  --out DIR " in r.stdout and "\n  --select CODES " in r.stdout
    r = hyoka("check", "--help", "--lang", "en")
    assert (
        "\n  FILE...  CSV, .xlsx, .xls, .ods files or web pages (.html, .htm) to check.\n           [required]\n"
        in r.stdout
    )


def test_japanese_help_lines_fit_the_terminal():
    r = hyoka("check", "--help", env={**os.environ, "COLUMNS": "80"})
    assert max(width(line) for line in r.stdout.splitlines()) <= 78  # as wide as click's English help


def test_wrapping_counts_japanese_as_two_columns():
    assert width("評価A") == 5
    assert wrap("評価表を確認し、課ごとの結果を書き出します。", 10) == [
        "評価表を確",
        "認し、課ご",
        "との結果を",
        "書き出しま",
        "す。",
    ]
    # never a line starting with 、 or 。, a Latin word kept whole
    assert wrap("あいう、えお --department かき", 8) == ["あいう、", "えお", "--department", "かき"]
    assert wrap("なければ作ります。 [必須]", 20) == ["なければ作ります。", "[必須]"]  # a note is not split


# ---------------------------------------------------------------- the rules commands


def _rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("│").split("│")] for line in table.splitlines() if line.startswith("│")]


def test_rules_are_sorted_and_named():
    r = hyoka("rules")
    assert r.returncode == 0
    assert "┃ コード ┃ 重要度 ┃ 内容" in r.stdout
    rows = _rows(r.stdout)
    assert {row[0]: row[1] for row in rows}["D001"] == "エラー"  # the severity in Japanese too
    codes = [row[0] for row in rows]
    assert codes == sorted(codes) and len(codes) == len(set(codes)) and codes[0] == "B001"
    assert not [row[0] for row in rows if not row[3]]  # a name for every code
    names = {row[0]: row[3] for row in rows}
    assert names["H001"] == "column-not-read" and names["S001"] == "department-missing"
    assert names["W001"] == "waiver-expired" and names["D001"] == "target-wrong-side"
    r = hyoka("rules", "--lang", "en")
    assert "┃ code ┃ severity ┃ title" in r.stdout and "│ D001 │ error    │ Target on the wrong side" in r.stdout


def test_rules_explain_is_rendered_for_the_terminal():
    r = hyoka("rules", "explain", "D001")
    assert r.returncode == 0
    for markup in ("**", "|---|", "##", "| # |", "`"):
        assert markup not in r.stdout, markup
    assert r.stdout.startswith("D001 目標値が基準値より悪い方向\n\ntarget-wrong-side · 重要度: error")
    assert "\n何を確認するか\n" in r.stdout and "\n直し方\n" in r.stdout
    # the example row as a table: its header, and row 1's cells in one line
    assert re.search(r"\n #\s+project\s+grade\s+indicator\s+baseline", r.stdout)
    assert re.search(
        r"\n 1\s+自治会加入促進に関する連携\s+C\s+自治会加入率\s+60\.4％\s+R3\s+60％\s+R9\s+58\.2％", r.stdout
    )


# ---------------------------------------------------------------- the terminal run


def test_every_terminal_run_says_how_to_fix():
    r = hyoka("check", SEED_CSV, "--no-report", "--fail-on", "never")
    # D001 on 自治会加入率, the rule's fix (rules/catalog.yaml), for the coordinator's run too
    assert "      → 直し方: 計画書の目標値と基準値を確認してください。" in r.stdout
    assert r.stdout.count("→ 直し方: ") == r.stdout.count("→ 期待される内容: ") == 4
