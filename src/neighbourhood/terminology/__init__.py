"""Clinical codelists (SNOMED CT), loaded from the CSV files beside this module and from nowhere else.

Each CSV has a header; its first column groups codes (a deficit, a condition, a category),
then `code`, then `term`.
Sources are named in `codelists/README.md`.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CODELIST_DIR = Path(__file__).parent / "codelists"


@dataclass(frozen=True)
class CodelistRow:
    group: str
    code: str
    term: str


@dataclass(frozen=True)
class Codelist:
    name: str
    rows: tuple[CodelistRow, ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(row.code for row in self.rows)

    def groups(self) -> list[str]:
        return sorted({row.group for row in self.rows})

    def codes_for(self, group: str) -> frozenset[str]:
        return frozenset(row.code for row in self.rows if row.group == group)

    def group_of(self) -> dict[str, list[str]]:
        """Code -> the groups it belongs to (a code can sit in more than one eFI deficit)."""
        mapping: dict[str, list[str]] = {}
        for row in self.rows:
            mapping.setdefault(row.code, []).append(row.group)
        return mapping

    def term_of(self) -> dict[str, str]:
        return {row.code: row.term for row in self.rows}


@cache
def load_codelist(name: str) -> Codelist:
    """Load `codelists/<name>.snomed.csv`, e.g. `load_codelist("efi_deficits")`."""
    path = CODELIST_DIR / f"{name}.snomed.csv"
    if not path.exists():
        available = sorted(p.name.removesuffix(".snomed.csv") for p in CODELIST_DIR.glob("*.snomed.csv"))
        raise KeyError(f"No codelist called {name!r}; available: {', '.join(available)}")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[1:3] != ["code", "term"]:
            raise ValueError(f"{path.name}: header must be <group>,code,term[,...]; found {header}")
        rows = tuple(CodelistRow(group=r[0], code=r[1], term=r[2]) for r in reader if r)
    return Codelist(name=name, rows=rows)


# Every codelist, in the order their terms are taken: a later list's term wins, so a long-term condition reads
# as the record's own condition name ("Hypertension") rather than the eFI list's fully specified name.
TERM_PRECEDENCE = (
    "efi_deficits",
    "proactive_care",
    "case_finding",
    "routine_care",
    "hospital_diagnoses",
    "observations",
    "long_term_conditions",
)


@cache
def terms() -> dict[str, str]:
    """SNOMED CT code -> its term, from every codelist in `codelists/` (each has a term column)."""
    names = sorted(p.name.removesuffix(".snomed.csv") for p in CODELIST_DIR.glob("*.snomed.csv"))
    ordered = [n for n in TERM_PRECEDENCE if n in names] + [n for n in names if n not in TERM_PRECEDENCE]
    mapping: dict[str, str] = {}
    for name in ordered:
        mapping.update(load_codelist(name).term_of())
    return mapping


def term_for(code: str) -> str:
    """What to show a person for `code`: its term, never the bare code."""
    return terms().get(code) or f"Unknown code {code} (no term held)"
