"""Turning numpy arrays into Arrow columns quickly: strings by vocabulary lookup, days as date32."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .timeline import NEVER


def dates(days: np.ndarray) -> pa.Array:
    """Day numbers as date32; NEVER becomes null."""
    days = np.asarray(days, dtype=np.int64)
    missing = days == NEVER
    return pa.array(np.where(missing, 0, days).astype(np.int32), type=pa.date32(), mask=missing)


def strings(vocabulary, indices: np.ndarray, null_where: np.ndarray | None = None) -> pa.Array:
    """vocabulary[indices] as an Arrow string column, optionally null where `null_where` is true."""
    column = pa.array(list(vocabulary), type=pa.string()).take(pa.array(np.asarray(indices, dtype=np.int64)))
    if null_where is not None:
        column = pc.if_else(pa.array(null_where), pa.scalar(None, pa.string()), column)
    return column


def numbered_ids(prefix: str, start: int, count: int, width: int) -> pa.Array:
    """`prefix` followed by zero-padded numbers start .. start+count-1, e.g. H0000012."""
    # int32, not int64: pyarrow casts int64 to string orders of magnitude more slowly.
    numbers = pc.cast(pa.array(np.arange(start, start + count, dtype=np.int32)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width=width, padding="0"), "")


class EventLog:
    """GP record events for one chunk, gathered as arrays and built into one table at the end."""

    def __init__(self) -> None:
        self._codes: list[str] = []
        self._code_index: dict[str, int] = {}
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def code_ids(self, codes) -> np.ndarray:
        ids = []
        for code in codes:
            if code not in self._code_index:
                self._code_index[code] = len(self._codes)
                self._codes.append(code)
            ids.append(self._code_index[code])
        return np.array(ids, dtype=np.int64)

    def add(self, person: np.ndarray, day: np.ndarray, code_id, value: np.ndarray | None = None) -> None:
        person = np.asarray(person, dtype=np.int64)
        code_id = np.broadcast_to(np.asarray(code_id, dtype=np.int64), person.shape)
        value = np.full(person.shape, np.nan) if value is None else np.asarray(value, dtype=np.float64)
        self._parts.append((person, np.asarray(day, dtype=np.int64), code_id, value))

    def add_code(
        self, person: np.ndarray, day: np.ndarray, code: str, value: np.ndarray | None = None
    ) -> None:
        self.add(person, day, self.code_ids([code])[0], value)

    def table(self, nhs_numbers: pa.Array, schema: pa.Schema) -> pa.Table:
        person, day, code, value = (np.concatenate(column) for column in zip(*self._parts, strict=True))
        order = np.lexsort((code, day, person))
        person, day, code, value = person[order], day[order], code[order], value[order]
        return pa.Table.from_arrays(
            [
                nhs_numbers.take(pa.array(person)),
                dates(day),
                strings(self._codes, code),
                pa.array(value, type=pa.float64(), from_pandas=True),
            ],
            schema=schema,
        )
