"""Rule documentation is generated from the catalog; the committed pages must match it."""

from pathlib import Path

from hyoka.authoring.docs import write_docs

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
    assert r.stdout.startswith("G002 上位の評価なのに基準値より悪化\n")  # the terminal's page: no Markdown
    assert " • 1: table.csv:2:grade — 評価「Ｂ」は上位の評価ですが" in r.stdout
    r = hyoka("rules", "explain", "M001", "--lang", "en")
    assert "\nHow to fix\n" in r.stdout


def test_every_code_outside_the_catalog_has_a_page_and_an_explanation():
    """S000–S003, H001–H007, W001, W002 and the E codes: `hyoka rules explain CODE` prints a page with
    the texts the finding itself uses (S001's fix is the one the finding carries)."""
    from hyoka.check import registry
    from hyoka.compare.editions import EDITION_CODES

    others = registry.other_codes()
    assert {
        "S000",
        "S001",
        "S002",
        "S003",
        "H001",
        "H002",
        "H003",
        "H004",
        "H005",
        "H006",
        "H007",
        "W001",
        "W002",
        *EDITION_CODES,
    } == set(others)
    for code, c in others.items():
        assert (DOCS / f"{code}.md").is_file(), code
        assert c.source.startswith("rules/") and all(c.text(k, "en") for k in registry.TEXT_KEYS), code
    r = hyoka("rules", "explain", "s001")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("S001 担当課が未記入\n") and "担当課名を記入してください" in r.stdout
    r = hyoka("rules", "explain", "W001", "--lang", "en")
    assert r.returncode == 0 and r.stdout.startswith("W001 Waiver expired\n") and "severity" in r.stdout.lower()


def test_glossary_citations_name_its_sections():
    """Code and rule files cite the field's glossary as docs/glossary.md (the repository's own
    copy), and every `docs/glossary.md#anchor` they cite is a heading of it."""
    import re

    root = DOCS.parent.parent
    glossary = (root / "docs" / "glossary.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", glossary, flags=re.M)
    }
    files = [
        p
        for d in ("hyoka", "rules", "checks", "docs", "tests")
        for p in (root / d).rglob("*")
        if p.suffix in (".py", ".yaml", ".md") and p != Path(__file__).resolve()
    ]
    files.append(root / "README.md")
    cited = set()
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert "GLOSSARY.md" not in text, f"{p}: cite docs/glossary.md"
        cited |= {(p.name, a) for a in re.findall(r"docs/glossary\.md#([\w-]+)", text)}
    assert cited, "no section of the glossary is cited"
    unknown = sorted((name, a) for name, a in cited if a not in anchors)
    assert not unknown, f"no such section in docs/glossary.md: {unknown}"
