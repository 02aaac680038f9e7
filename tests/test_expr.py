"""The rule expression language: three-valued logic, and no way to run code."""

import numpy as np
import pandas as pd
import pytest

from hyoka.check.expr import parse
from hyoka.errors import ConfigError

FRAME = pd.DataFrame(
    {
        "a": [1.0, np.nan, 3.0],
        "s": pd.Series(["upper", None, "lower"], dtype="string"),
        "t": pd.Series(["x", "y", "z"], dtype="string"),
    }
)
COLS = set(FRAME.columns)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a > 2", [False, False, True]),
        ("not (a > 2)", [True, False, False]),  # unknown stays unknown under not
        ("s == 'upper' or a > 2", [True, False, True]),
        ("missing(a)", [False, True, False]),
        ("present(s) and -a < -2", [False, False, True]),
        ("s in ['upper', 'lower']", [True, False, True]),
        ("s not in ['upper']", [False, False, True]),
        ("abs(a - 2) == 1", [True, False, True]),
        ("1 < a <= 3", [False, False, True]),
    ],
)
def test_evaluation(text, expected):
    assert parse(text, COLS).evaluate(FRAME).tolist() == expected


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "a.__class__",
        "open('x')",
        "[x for x in a]",
        "a[0]",
        "lambda: 1",
        "a ** 2",
        "exec('1')",
        "getattr(a, 'x')",
        "{'k': 1}",
        "a if a else a",
        "f'{a}'",
    ],
)
def test_code_is_rejected_at_load(text):
    with pytest.raises(ConfigError, match="not allowed|cannot parse"):
        parse(text, COLS, "rule X001")


def test_unknown_column_named():
    with pytest.raises(ConfigError, match="unknown column.*foo"):
        parse("foo > 1", COLS, "rule X001")


def test_no_arithmetic_on_text():
    with pytest.raises(ConfigError, match="arithmetic"):
        parse("t * 1000000000 == 'x'", COLS).evaluate(FRAME)
    with pytest.raises(ConfigError, match="arithmetic"):
        parse("'x' * 1000000000 == t", COLS).evaluate(FRAME)
