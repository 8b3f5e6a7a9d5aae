"""The worklist's CSV and XLSX files: text that a spreadsheet would run as a formula is made inert (OWASP CSV
injection: = + - @ tab carriage-return, and line feed), numbers stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from neighbourhood.casefinding import exports
from tests.casefinding.factories import RiskScoreFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

FAMILY_NAME = exports.COLUMNS.index("Family name")
TOP_FACTORS = exports.COLUMNS.index("Top factors")
COST = exports.COLUMNS.index("Cost last 12 months (GBP)")
PAYLOADS = [
    '=HYPERLINK("https://example.invalid","x")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
]


@pytest.fixture(params=PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return", "line-feed"])
def score(request):
    return RiskScoreFactory(
        person=PersonFactory(family_name=request.param),
        risk_factors=[request.param],
        cost_12m_gbp=-250.4,  # a refund: a real negative number
    )


def test_csv_cells_starting_like_a_formula_start_with_an_apostrophe(score):
    payload = score.person.family_name
    text = exports.as_csv([score]).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == exports.COLUMNS
    assert row[FAMILY_NAME] == f"'{payload}"
    assert row[TOP_FACTORS] == f"'{payload}"
    assert row[COST] == "-250"


def test_xlsx_cells_starting_like_a_formula_are_text_not_formulas(score):
    payload = score.person.family_name
    sheet = load_workbook(io.BytesIO(exports.as_xlsx([score]))).active
    for column in (FAMILY_NAME, TOP_FACTORS):
        cell = sheet.cell(row=2, column=column + 1)
        assert cell.data_type == "s"  # a formula would be "f"
        # XML reads a carriage return back as a line feed; the apostrophe still comes first
        assert cell.value == f"'{payload}".replace("\r", "\n")
    cost = sheet.cell(row=2, column=COST + 1)
    assert cost.data_type == "n" and cost.value == -250


def test_ordinary_text_is_left_alone():
    score = RiskScoreFactory(person=PersonFactory(family_name="O'Neill-Smith"), risk_factors=["Aged 87"])
    row = exports.rows([score])[0]
    assert row[FAMILY_NAME] == "O'Neill-Smith" and row[TOP_FACTORS] == "Aged 87"
