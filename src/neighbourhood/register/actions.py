"""Writes to the register. Each action runs in one transaction and records one audit event."""

import datetime as dt
from pathlib import Path

from django.db import transaction

from neighbourhood.governance import access
from neighbourhood.governance.models import AuditEvent, User
from neighbourhood.register.lake import read_lake
from neighbourhood.register.loading import LoadCounts, write_lake

SYSTEM_LOAD_USERNAME = "system:load"


def load_register(
    *, data_dir: Path, as_of: dt.date, by: User | None = None, show_progress: bool = False
) -> LoadCounts:
    """Load the register from the lake (Parquet or CSV) as it was known on `as_of`.

    The whole lake is checked first; if anything is wrong `LakeInvalid` is raised and nothing is written.
    """
    lake = read_lake(Path(data_dir), as_of)
    with transaction.atomic():
        counts = write_lake(lake, show_progress=show_progress)
        detail = {"as_of": as_of.isoformat(), **counts.as_dict()}
        access.record(
            by,
            "load_register",
            outcome=AuditEvent.Outcome.ALLOWED,
            detail=detail,
            # A load from the command line has no signed-in user: the audit names the system instead.
            username=SYSTEM_LOAD_USERNAME if by is None else None,
        )
    return counts
