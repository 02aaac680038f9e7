"""T003's list of misspellings (rules/misspellings.yaml), on cells of the real tables."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyoka.errors import ConfigError
from hyoka.normalise.spelling import find_lost_marks, find_misspelling, load_misspellings

ENTRIES = load_misspellings()


@pytest.mark.parametrize(
    ("cell", "written", "corrected"),
    [
        # published/ofunato_R7_kodomokatei.csv, 1419 サ (I-13); the other rows write 延べ人数
        ("述べ利用人数（一時預かり事業）", "述べ利用人数", "延べ利用人数"),
        # published/canada_drr2016_TSB.csv, explanation_en of NI101-0013-2016 (I-26)
        ("The TSB willl renew its outreach", "willl", "will"),
        ("防災教育の一貫として実施した", "の一貫として", "の一環として"),
        ("推進体制の確率を図る", "体制の確率", "体制の確立"),
    ],
)
def test_real_misspellings_are_found_with_their_correction(cell, written, corrected):
    assert find_misspelling(cell, ENTRIES) == (written, corrected)


@pytest.mark.parametrize(
    "cell",
    [
        "延べ人数",  # ofunato 0192 サ, correct
        "述べた通り",  # 述べ (to state) is a word: only 述べ + a count is wrong
        "Phase III of the www.tsb.gc.ca site",  # a Roman numeral and one letter repeated only
        "The TSB will renew",
        "事故の発生確率",  # 確率 (probability) where it belongs
        "",
    ],
)
def test_correct_text_is_quiet(cell):
    assert find_misspelling(cell, ENTRIES) == ("", "")


@given(st.text(alphabet=st.sampled_from("abcdefgh "), max_size=30))
def test_a_latin_word_is_flagged_exactly_when_a_letter_runs_three_times(text):
    words = [w for w in text.split() if len(set(w)) > 1]
    runs = any(w[i] == w[i + 1] == w[i + 2] for w in words for i in range(len(w) - 2))
    written, corrected = find_misspelling(text, ENTRIES)
    assert bool(written) == runs
    if written:
        assert written in words and len(corrected) < len(written)


def test_a_bad_entry_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text('misspellings:\n- {pattern: "(?<=体制)確率", replace: "確立"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m.yaml: misspellings\[1\]: pattern: lookarounds"):
        load_misspellings(path)
    path.write_text('misspellings:\n- {pattern: "述べ", replace: "延べ\\\\2"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"replace uses \\2, but the pattern has 0 group"):
        load_misspellings(path)


def test_circled_numbers_that_lost_their_lead_byte_are_restored():
    # tidy/tottori_koteihyo.csv, TT_R3_chubu_ijikanri's 今年度の目標 (whitespace collapsed as the frame has it)
    cell = "@県立美術館の開館に向けて、美術館への適正な案内について検討を進め、 A中部地域の流域治水 B県民の安心・安全"
    assert find_lost_marks(cell) == ("@ A B", "① ② ③")
    assert find_lost_marks("T【ひらく】\nU【つなげる】\nV【守る】") == ("T U V", "Ⅰ Ⅱ Ⅲ")


@pytest.mark.parametrize(
    "cell", ["A地区とB地区の整備", "Aランクの施設\nBランクの施設", "@ 123", "①県立美術館\n②中部地域"]
)
def test_letters_that_are_not_lost_marks_are_quiet(cell):
    assert find_lost_marks(cell) == ("", "")
