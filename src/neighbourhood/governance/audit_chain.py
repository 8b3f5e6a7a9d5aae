"""Tamper evidence for the audit log: every AuditEvent carries a SHA-256 hash over its own canonical form and
the previous event's hash, so changing, inserting or deleting a row anywhere but at the very end breaks the
chain, and `neighbourhood audit verify` says where.

The canonical form is what the row says, not how the database keys it: the user and person foreign keys are
left out, because deleting an account or a person sets them to NULL (the username and NHS number stay, and
are hashed). Appending is serialised, so two writers cannot both chain to the same previous row: on
PostgreSQL by a transaction-level advisory lock taken before the last hash is read (with READ COMMITTED, the
read after the lock sees the row the previous holder committed); SQLite runs every transaction as
IMMEDIATE (settings), which holds the database's write lock from the start.

The chain cannot show that rows were deleted from the end of the log; a copy of the last hash kept
elsewhere (a daily report, a log shipper) can.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db import connections
from django.utils import timezone

# The first event chains to this.
GENESIS = ""
# Any constant that no other part of the application uses as an advisory lock key.
ADVISORY_LOCK_KEY = 0x4E424155  # "NBAU"

# The fields hashed, in the order `verify` reads them.
HASHED_FIELDS = (
    "at",
    "username",
    "role",
    "organisation_code",
    "nhs_number",
    "person_reference",
    "action",
    "outcome",
    "reason",
    "detail",
)


def canonical(event, previous_hash: str) -> bytes:
    """The bytes hashed for `event` (an AuditEvent, or anything with its fields as attributes)."""
    # Through JSON and back first, so that what is hashed is what the database will give back (tuples as
    # lists, integer keys as strings).
    detail = _whole_floats_as_ints(json.loads(json.dumps(event.detail if event.detail is not None else {})))
    row = {
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "username": event.username,
        "role": event.role,
        "organisation_code": event.organisation_code,
        "nhs_number": event.nhs_number,
        "person_reference": event.person_reference,
        "action": event.action,
        "outcome": event.outcome,
        "reason": event.reason,
        "detail": detail,
        "previous_hash": previous_hash,
    }
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _whole_floats_as_ints(value):
    """PostgreSQL's jsonb keeps numbers as numeric and gives 1e16 back as 10000000000000000: a whole float is
    hashed as the integer it equals, whichever way the database returns it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(item) for item in value]
    return value


def hash_of(event, previous_hash: str) -> str:
    return hashlib.sha256(canonical(event, previous_hash)).hexdigest()


def lock_for_append(using: str) -> None:
    """Call inside the transaction that appends, before reading the last hash."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def last_hash(model, using: str) -> str:
    latest = model._base_manager.using(using).order_by("-id").values_list("hash", flat=True).first()
    return GENESIS if latest is None else latest


def seal(event, using: str) -> None:
    """Set `event.at` (unless given), `event.previous_hash` and `event.hash` for appending; the time is taken
    under the lock, so times follow the chain's order. Call inside transaction.atomic(using)."""
    lock_for_append(using)
    if event.at is None:
        event.at = timezone.now()
    event.previous_hash = last_hash(type(event), using)
    event.hash = hash_of(event, event.previous_hash)


@dataclass(frozen=True)
class Problem:
    kind: str  # "changed", "inserted" or "deleted"
    row_id: int
    before_id: int | None  # the last intact row before it, None at the start of the log
    after_id: int | None  # the next row, None at the end of the log

    def __str__(self) -> str:
        before = f"row {self.before_id}" if self.before_id is not None else "the start of the log"
        after = f"row {self.after_id}" if self.after_id is not None else "the end of the log"
        if self.kind == "changed":
            return f"Row {self.row_id} was changed (between {before} and {after})"
        if self.kind == "inserted":
            return f"Row {self.row_id} was inserted (between {before} and {after})"
        deleted = f"A row was deleted before row {self.row_id} (between {before} and row {self.row_id})"
        if self.before_id is None:
            return deleted
        return f"{deleted}, or {before} was changed and its hash recomputed"


@dataclass(frozen=True)
class Verification:
    count: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _looks_like_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _with_next(rows: Iterable) -> Iterator[tuple[object, object | None]]:
    iterator = iter(rows)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following
        current = following


def verify_rows(rows: Iterable) -> Verification:
    """Walk `rows` (in id order) and report every break in the chain.

    For each row: is its own hash right for what it says, and does it chain to the last intact row? A row
    that does not chain but that the next row skips over was inserted; a row whose hash is right but that
    chains to a row that is not there follows a deletion; a wrong hash on a row that is in its place in the
    chain is a change."""
    problems = []
    count = 0
    trusted_id, trusted_hash = None, GENESIS
    for row, following in _with_next(rows):
        count += 1
        after_id = following.id if following is not None else None
        intact = hash_of(row, row.previous_hash) == row.hash
        linked = row.previous_hash == trusted_hash
        if linked and intact:
            trusted_id, trusted_hash = row.id, row.hash
        elif linked:
            problems.append(Problem("changed", row.id, trusted_id, after_id))
            trusted_id, trusted_hash = row.id, row.hash
        elif following is not None and following.previous_hash == trusted_hash:
            problems.append(Problem("inserted", row.id, trusted_id, after_id))  # the next row skips it
        elif intact:
            problems.append(Problem("deleted", row.id, trusted_id, after_id))
            trusted_id, trusted_hash = row.id, row.hash
        elif following is not None and following.previous_hash == row.hash:
            # In its place in the chain but chained wrongly: its previous_hash was edited, or it was inserted
            # (without a hash the application would write) before the next row was appended.
            kind = "changed" if _looks_like_hash(row.previous_hash) else "inserted"
            problems.append(Problem(kind, row.id, trusted_id, after_id))
            trusted_id, trusted_hash = row.id, row.hash
        else:
            problems.append(Problem("inserted", row.id, trusted_id, after_id))
    return Verification(count=count, problems=problems)


def verify(model=None, using: str = "default") -> Verification:
    if model is None:
        from neighbourhood.governance.models import AuditEvent as model
    rows = (
        model._base_manager.using(using)
        .order_by("id")
        .only("id", "previous_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=2000)
    )
    return verify_rows(rows)
