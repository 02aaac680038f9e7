import os
from pathlib import Path

import pytest

from hyoka.normalise.scale import load_scale
from hyoka.normalise.vocabulary import load_vocabulary

# The command line speaks the locale's language when neither --lang nor a hyoka.toml says
# (hyoka.cli.language): the tests, and the processes they start, run in one fixed locale whatever
# the machine's. C.UTF-8 gives Japanese, as for a user without a locale; a test of English passes
# --lang en (or sets LANG itself).
for _var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED_CSV = EXAMPLES / "seed_r5.csv"
SEED_XLSX = EXAMPLES / "seed_r5.xlsx"
SEED_HTML = EXAMPLES / "seed_r5.html"  # built from the CSV by examples/build_html.py, as are the two below
SEED_EXCEL_HTM = EXAMPLES / "html" / "seed_r5_excel.htm"  # Excel's "save as web page", Shift_JIS
SEED_PORTAL_HTML = EXAMPLES / "html" / "seed_r5_portal.html"  # a navigation table first: table3
SEED_PDF = EXAMPLES / "seed_r5.pdf"  # seed_r5.xlsx printed by LibreOffice (examples/build_pdf.py)
#: (code, cell) of the workbook seed's findings, each cell opened and checked by hand
SEED_XLSX_FINDINGS = {
    ("D001", "[seed_r5.xlsx]R5実施状況!J7"),
    ("G002", "[seed_r5.xlsx]R5実施状況!F14"),
    ("M001", "[seed_r5.xlsx]R5実施状況!I17"),
    ("G008", "[seed_r5.xlsx]R5実施状況!F4"),
}
UK_Q1 = EXAMPLES / "uk" / "hart_dc_kpi_2014q1.csv"
UK_Q2 = EXAMPLES / "uk" / "hart_dc_kpi_2014q2.csv"
UK_MAPPING = EXAMPLES / "uk" / "mapping.yaml"


@pytest.fixture(scope="session")
def vocab():
    return load_vocabulary()


@pytest.fixture(scope="session")
def scale():
    return load_scale()
