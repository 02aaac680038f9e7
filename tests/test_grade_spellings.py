"""Grade spellings of real tables read onto a scale by code or by meaning (hyoka.normalise.scale,
issue #13), and the scale chosen for them.

Real cells quoted (examples/real, SOURCES.md beside each file):
- 健康日本21 最終評価 (tidy/kenko_nippon21_2nd_final.csv): indicator-level grades in brackets
  ``(A)`` (lines 2–4), ``(D)`` (line 5); ``A`` (line 6); ``B*`` (lines 7–11: improving, target at
  risk); the mid-term grade ``a*`` is quoted in the notes (総合評価(中間)=a*).
- 鳥取県 工程表 (tidy/tottori_koteihyo.csv): ``◎(予定以上)`` (line 2), ``○(予定どおり)`` (line 3).
- 大船渡市 事務事業評価 (published/ofunato_R7_kodomokatei.csv): ``１　現状維持``,
  ``２　改革改善（縮小・統合含む）``, ``３　終了・廃止・休止`` (full-width digit, U+3000 space).
"""

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyoka.errors import ConfigError
from hyoka.normalise.scale import choose_scale, load_scale
from hyoka.options import CheckOptions
from hyoka.pipeline import run_check

REAL = Path(__file__).parent.parent / "examples" / "real"


@pytest.mark.parametrize(
    "scale, text, code, as_written",
    [
        ("kenko", "(A)", "A", True),
        ("kenko", "(D)", "D", True),
        ("kenko", "B*", "B*", True),  # a grade of its own on this scale
        ("kenko", "（Ｂ＊）", "B*", True),  # full width: NFKC
        ("kenko", "目標値に達した", "A", False),  # by meaning
        ("kenko", "A 目標値に達した", "A", False),  # code, then its meaning
        ("kenko", "a*", None, False),  # case-sensitive: the mid-term grade is not A
        ("kenko-chukan", "a*", "a*", True),
        ("a-d", "B*", "B", False),  # a footnote mark on A–D
        ("a-d", "A*", "A", False),
        ("a-d", "[A]", "A", True),
        ("a-d", "【Ｃ】", "C", True),
        ("a-d", "(D)", "D", True),
        ("a-d", "B+", None, False),
        ("circles", "◎(予定以上)", "◎", False),
        ("circles", "○（予定どおり）", "○", False),
        ("direction", "１　現状維持", "現状維持", False),
        ("direction", "２　改革改善（縮小・統合含む）", "改革改善", False),
        ("direction", "３　終了・廃止・休止", "終了", False),
    ],
)
def test_real_spellings(scale, text, code, as_written):
    assert load_scale(scale).read(text) == (code, as_written)


def test_kenko_grades_choose_the_kenko_scale():
    # the grades as the table has them (rows per spelling): A–D reads them all too, but B* only as
    # a footnoted B; the 健康日本21 scale reads every one as written
    seen = {"B*": 5, "(A)": 3, "(D)": 1, "A": 1}
    fit = choose_scale(seen)
    assert fit is not None and fit.scale.id == "kenko" and (fit.rows, fit.as_written) == (10, 10)
    # plain A–D stays A–D (the default reads it as well); (A)/(D) alone is A–D too
    assert choose_scale({"A": 2, "B": 3, "C": 1}) is None
    assert choose_scale({"(A)": 2, "(D)": 1}) is None
    # E (評価困難) is on the 健康日本21 scale only
    assert choose_scale({"A": 2, "E": 1}).scale.id == "kenko"


def test_kenko_table_has_no_grade_off_the_scale():
    # before: G001 on each of the 9 rows graded (A), (D) or B*
    r = run_check([REAL / "tidy" / "kenko_nippon21_2nd_final.csv"])
    assert r.scale.id == "kenko"
    codes = set(r.findings["code"])
    assert not codes & {"G001", "G002", "G003", "G005"}, r.findings[["code", "row", "observed"]]
    f = r.frame.set_index("row")
    assert f.loc[[2, 5, 7], "grade"].tolist() == ["A", "D", "B*"]
    assert f.loc[[2, 5, 7], "grade_standing"].tolist() == ["upper", "lower", "middle"]


def test_kenko_grade_contradicted_by_its_values(tmp_path):
    # 成人の喫煙率 (line 9: 19.5% → 12%, now 16.7%, B*) regraded: A says the target was reached
    # (16.7 > 12 for a falling rate: not reached); D says it worsened (it fell from 19.5)
    p = tmp_path / "k.csv"
    rows = ["目標指標,事業の評価,基準値,目標値,現状値,備考"]
    rows += [f"成人の喫煙率,{g},19.5%,12%,16.7%," for g in ("A", "D", "B*", "(B)")]
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = run_check([p], CheckOptions(scale="kenko")).findings
    g5 = found[found["code"] == "G005"]
    assert g5["row"].tolist() == [2, 3]
    assert g5["expected"].tolist() == ["B（値から求めた評価）"] * 2


def test_a_case_sensitive_scale(tmp_path):
    # 福岡市's plan: indicators a/b/c, 基本目標 A–D (tidy/SOURCES.md §6); ranks per level
    scale = tmp_path / "fukuoka.yaml"
    scale.write_text(
        """id: fukuoka
case_sensitive: true
grades:
  - {code: a, rank: 1, standing: upper, meaning: 目標値に向けて順調}
  - {code: b, rank: 2, standing: middle, meaning: ペースは下回るが改善または現状維持}
  - {code: c, rank: 3, standing: lower, meaning: 初期値より悪化}
  - {code: A, rank: 1, standing: upper, meaning: 順調}
  - {code: B, rank: 2, standing: upper, meaning: 概ね順調}
  - {code: C, rank: 3, standing: lower, meaning: やや遅れている}
  - {code: D, rank: 4, standing: lower, meaning: 遅れている}
""",
        encoding="utf-8",
    )
    s = load_scale(scale)
    assert [s.code_for(t) for t in ("a", "A", "ｃ", "Ｃ", "(b)", "d")] == ["a", "A", "c", "C", "b", None]
    # without case_sensitive, a and A are one spelling and two ranks of 1 are a mistake
    scale.write_text(scale.read_text(encoding="utf-8").replace("case_sensitive: true", "case_sensitive: false"))
    with pytest.raises(ConfigError, match="names both a and A"):
        load_scale(scale)
    scale.write_text(
        "id: x\ngrades:\n  - {code: A, rank: 1, standing: upper}\n  - {code: B, rank: 1, standing: upper}\n"
    )
    with pytest.raises(ConfigError, match="share a rank"):
        load_scale(scale)
    scale.write_text("id: x\ncase_sensitive: yes please\ngrades:\n  - {code: A, rank: 1, standing: upper}\n")
    with pytest.raises(ConfigError, match="case_sensitive must be true or false"):
        load_scale(scale)


PRESETS = ["a-d", "achievement", "circles", "circles-plus", "direction", "kenko", "kenko-chukan", "rag", "s-a-b-c"]
WRAPS = ["({})", "[{}]", "【{}】", "（{}）", "{}*", "{}※", "1 {}", "１　{}", "{}（注1）", " {} "]


@given(st.sampled_from(PRESETS), st.data(), st.sampled_from(WRAPS), st.booleans())
def test_notation_around_a_code_reads_as_the_code(name, data, wrap, wide):
    # property: brackets, a footnote mark, a list number, a bracketed note and full width around a
    # grade's code or alias name that grade, unless the decorated spelling is a grade of its own (B*)
    scale = load_scale(name)
    spelling = data.draw(st.sampled_from(sorted({k for k in scale.lookup})))
    text = wrap.format(spelling)
    if wide:
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    own = scale.key(unicodedata.normalize("NFKC", text)) in scale.lookup
    if not own:
        assert scale.code_for(text) == scale.lookup[spelling]
