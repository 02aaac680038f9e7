from pathlib import Path

import pytest

from hyoka.normalise.scale import load_scale
from hyoka.normalise.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED_CSV = EXAMPLES / "seed_r5.csv"
SEED_XLSX = EXAMPLES / "seed_r5.xlsx"
UK_Q1 = EXAMPLES / "uk" / "hart_dc_kpi_2014q1.csv"
UK_Q2 = EXAMPLES / "uk" / "hart_dc_kpi_2014q2.csv"
UK_MAPPING = EXAMPLES / "uk" / "mapping.yaml"


@pytest.fixture(scope="session")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="session")
def scale():
    return load_scale()
