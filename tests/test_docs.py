"""Rule documentation is generated from the catalog; the committed pages must match it."""

from pathlib import Path

from hyoka.docs import write_docs

from .test_cli import hyoka

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def test_committed_rule_docs_are_current(tmp_path):
    write_docs(tmp_path)
    generated = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS.iterdir()}
    assert generated.keys() == committed.keys(), "run `hyoka rules docs` and commit docs/rules"
    stale = [name for name in generated if generated[name] != committed[name]]
    assert not stale, f"run `hyoka rules docs`: stale pages {stale}"


def test_explain_prints_the_page_with_the_example_finding():
    r = hyoka("rules", "explain", "G002")
    assert r.returncode == 0
    assert "## G002 上位の評価なのに基準値より悪化" in r.stdout
    assert "`table.csv:2:grade` — 評価「Ｂ」は上位の評価ですが" in r.stdout
    r = hyoka("rules", "explain", "M001", "--lang", "en")
    assert "### How to fix" in r.stdout
