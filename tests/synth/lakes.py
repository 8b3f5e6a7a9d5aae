"""Reading a generated lake back, for the synth tests."""

import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

INDEX_DATE = date(2026, 4, 1)
DATA_MODEL = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"
DOC_TYPES = {
    "string": pa.string(),
    "date": pa.date32(),
    "int64": pa.int64(),
    "int8": pa.int8(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
}


def read_table(lake: Path, name: str) -> pa.Table:
    """A table whether written as one file or in parts (parts in order)."""
    single = lake / f"{name}.parquet"
    if single.exists():
        return pq.read_table(single)
    parts = sorted((lake / name).glob("*.parquet"))
    return pa.concat_tables([pq.read_table(part) for part in parts])


def read_frame(lake: Path, name: str):
    return read_table(lake, name).to_pandas()


def documented_schemas() -> dict[str, list[tuple[str, pa.DataType]]]:
    """Table -> [(column, type)] from the markdown tables in docs/data-model.md."""
    schemas: dict[str, list[tuple[str, pa.DataType]]] = {}
    current = None
    for line in DATA_MODEL.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### `(\w+)`", line)
        if heading:
            current = heading.group(1)
            continue
        if line.startswith("#"):  # any other heading ends the table's section
            current = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if current and line.startswith("|") and len(cells) >= 2 and cells[1] in DOC_TYPES:
            for column in cells[0].split(","):
                schemas.setdefault(current, []).append((column.strip(), DOC_TYPES[cells[1]]))
    return schemas
