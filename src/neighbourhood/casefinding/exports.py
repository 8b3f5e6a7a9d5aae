"""The worklist as CSV or XLSX for the MDT.

Identifiable: only ever built for a user allowed to see each row.
"""

import csv
import io

from openpyxl import Workbook

from neighbourhood import presenters
from neighbourhood.casefinding.models import RiskScore

COLUMNS = [
    "NHS number",
    "Family name",
    "Given name",
    "Date of birth",
    "Age",
    "Practice",
    "Segment",
    "Admission risk (%)",
    "eFI",
    "eFI category",
    "Wokingham flag",
    "Flag reasons",
    "On register",
    "Register reasons",
    "Top factors",
    "Cost last 12 months (GBP)",
]


# OWASP's CSV injection list (= + - @, tab, carriage return), and line feed too: a spreadsheet may drop a
# leading line break or tab and read what follows as a formula; no cell of ours starts with one on purpose.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def _inert(cell):
    """Text that a spreadsheet would run as a formula starts with an apostrophe instead; numbers (negative
    ones too) stay numbers."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES) else cell


def rows(scores) -> list[list]:
    out = []
    for score in scores:
        person = score.person
        row = [
            presenters.nhs_number(person.nhs_number),
            person.family_name,
            person.given_name,
            person.date_of_birth.isoformat(),
            presenters.age(person.date_of_birth, score.run.index_date, person.date_of_death),
            person.practice.name,
            score.segment,
            round(100 * score.admission_risk, 1),
            None if score.efi is None else round(score.efi, 3),
            score.efi_category,
            "yes" if score.wokingham_flag else "no",
            "; ".join(score.wokingham_reasons),
            "yes" if score.on_register else "no",
            "; ".join(score.register_reasons),
            "; ".join(score.risk_factors),
            round(score.cost_12m_gbp),
        ]
        out.append([_inert(cell) for cell in row])
    return out


def as_csv(scores: list[RiskScore]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows(scores))
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(scores: list[RiskScore]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Case finding"
    sheet.append(COLUMNS)
    for row in rows(scores):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
