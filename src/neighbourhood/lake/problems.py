"""How every lake reader reports what is wrong: table, row, column, reason (and, for CSV, file and line).

A reason never holds a value that could identify someone: no NHS number, pseudonym, name or date of birth.
Reports are printed and may be logged; the row number (and file line) is how a data manager finds the row.
"""

from dataclasses import dataclass

MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the lake. `row` counts a table's rows from 1 (across its parts, in file order);
    `file` and `line` say where that row is in a CSV file (line 1 is the header)."""

    table: str
    reason: str
    row: int | None = None
    column: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        if self.file is not None and self.line is not None:
            place = f"{self.file} line {self.line}"
            return f"{place} ({self.table} row {self.row})" if self.row is not None else place
        if self.file is not None:
            place = self.file
        elif self.row is not None:
            place = f"{self.table} row {self.row}"
        else:
            place = self.table
        return place

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""
        return f"{self.where}{column}: {self.reason}"


class Problems:
    """Collects problems, keeping the first MAX_LISTED_PROBLEMS and counting the rest."""

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS):
        self.listed: list[Problem] = []
        self.total = 0
        self.limit = limit

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.listed) < self.limit:
            self.listed.append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.add(problem)

    def __bool__(self) -> bool:
        return self.total > 0


def report(problems: list[Problem], total: int, *, heading: str, footer: str = "") -> str:
    """The text a command prints: a heading with the count, the listed problems, how many more, a footer."""
    lines = [f"{heading}: {total} problem{'s' if total != 1 else ''} found."]
    lines += [f"  {problem}" for problem in problems]
    if total > len(problems):
        lines.append(f"  ... and {total - len(problems)} more")
    if footer:
        lines.append(footer)
    return "\n".join(lines)
