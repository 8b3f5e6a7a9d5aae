"""The audit log is a chain of hashes: `neighbourhood audit verify` finds a changed, inserted or deleted row,
and on PostgreSQL a trigger refuses changes and deletions outright."""

import datetime as dt
import importlib
import threading
from contextlib import contextmanager
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from neighbourhood.governance import audit_chain
from neighbourhood.governance.access import record
from neighbourhood.governance.audit_references import reference_for
from neighbourhood.governance.models import AuditEvent
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
TABLE = "governance_auditevent"  # written out in the SQL below


def _events(count: int, **fields) -> list[AuditEvent]:
    return [
        record(None, "load_register", outcome="allowed", username="system:load", detail={"n": n}, **fields)
        for n in range(count)
    ]


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def as_a_dba():
    """Someone with rights over the table, who can switch its triggers off (PostgreSQL)."""
    if connection.vendor == "postgresql":
        # Foreign-key checks are deferred to the commit; ALTER TABLE refuses while any are pending.
        _sql("SET CONSTRAINTS ALL IMMEDIATE")
        _sql("ALTER TABLE governance_auditevent DISABLE TRIGGER USER")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            _sql("ALTER TABLE governance_auditevent ENABLE TRIGGER USER")
            _sql("SET CONSTRAINTS ALL DEFERRED")


def _insert_raw(at: dt.datetime, *, previous_hash: str = "", hash_: str = "") -> int:
    _sql(
        "INSERT INTO governance_auditevent (at, username, role, organisation_code, nhs_number, "
        "person_reference, action, outcome, reason, detail, previous_hash, hash) "
        "VALUES (%s, 'intruder', '', '', '', '', 'load_register', 'allowed', '', '{}', %s, %s)",
        [at, previous_hash, hash_],
    )
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def _verify() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", "verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused_verify() -> str:
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    return f"{refused.value}\n{err.getvalue()}"


def test_audit_events_as_the_application_writes_them_verify():
    _events(3)
    record(UserFactory(), "view_record", outcome="allowed", person=PersonFactory())

    out, _ = _verify()

    assert out.strip() == "OK: 4 audit events, the chain is intact"


def test_each_event_chains_to_the_one_before():
    first, second = _events(2)

    assert first.previous_hash == audit_chain.GENESIS
    assert second.previous_hash == first.hash
    assert len(second.hash) == 64


def test_what_is_hashed_comes_back_from_the_database_unchanged():
    person = PersonFactory()
    detail = {
        "zeta": [1, 2.5, 0.1, None, True, 'ünïcode — “quotes” \\ "and" 🙂'],
        "alpha": {"nested": {"b": 1, "a": -0.0001}, "big": 2**53 + 1},
        "tuple": (1, 2),
        "floats": [1.0, 1e16, 1e-7, 123456.789],
    }
    event = AuditEvent(
        at=dt.datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=dt.UTC),
        username="a-gp",
        person=person,
        nhs_number=person.nhs_number,
        action="view_record",
        outcome="allowed",
        reason="Registered with your practice, Test Practice",
        detail=detail,
    )
    event.save()

    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.at == event.at and stored.at.microsecond == 123456
    assert stored.person_reference == reference_for(person.nhs_number)
    assert audit_chain.hash_of(stored, stored.previous_hash) == stored.hash == event.hash


def test_the_time_of_an_event_is_set_when_it_is_appended():
    before = dt.datetime.now(dt.UTC)
    (event,) = _events(1)

    stored = AuditEvent.objects.get(pk=event.pk)

    assert before <= stored.at <= dt.datetime.now(dt.UTC)
    assert audit_chain.hash_of(stored, stored.previous_hash) == stored.hash


def test_a_row_changed_with_sql_is_reported_by_its_id():
    first, second, third = _events(3)
    with as_a_dba():
        _sql("UPDATE governance_auditevent SET reason = 'nothing to see here' WHERE id = %s", [second.pk])

    output = _refused_verify()

    assert f"Row {second.pk} was changed (between row {first.pk} and row {third.pk})" in output


def test_a_row_deleted_with_sql_is_reported_with_the_rows_either_side():
    first, second, third = _events(3)
    with as_a_dba():
        _sql("DELETE FROM governance_auditevent WHERE id = %s", [second.pk])

    output = _refused_verify()

    assert f"A row was deleted before row {third.pk} (between row {first.pk} and row {third.pk})" in output


def test_a_row_inserted_with_sql_is_reported():
    _, second = _events(2)
    inserted = _insert_raw(second.at)

    output = _refused_verify()

    assert f"Row {inserted} was inserted (between row {second.pk} and the end of the log)" in output


def test_a_row_inserted_with_sql_is_reported_after_the_application_writes_more():
    (first,) = _events(1)
    inserted = _insert_raw(first.at)
    (after,) = _events(1)

    output = _refused_verify()

    assert f"Row {inserted} was inserted (between row {first.pk} and row {after.pk})" in output
    assert "was changed" not in output


def test_a_row_with_a_forged_hash_in_the_middle_is_reported():
    """Someone who knows the algorithm can recompute a changed row's hash, but not the next row's link."""
    _, second, _ = _events(3)
    second.reason = "forged"
    forged = audit_chain.hash_of(second, second.previous_hash)
    with as_a_dba():
        _sql(
            "UPDATE governance_auditevent SET reason = 'forged', hash = %s WHERE id = %s", [forged, second.pk]
        )

    output = _refused_verify()

    assert f"row {second.pk} was changed and its hash recomputed" in output


def test_verify_reports_every_problem_and_exits_non_zero():
    events = _events(5)
    with as_a_dba():
        _sql("UPDATE governance_auditevent SET username = 'someone else' WHERE id = %s", [events[1].pk])
        _sql("DELETE FROM governance_auditevent WHERE id = %s", [events[3].pk])

    result = audit_chain.verify()
    output = _refused_verify()

    assert [(p.kind, p.row_id) for p in result.problems] == [
        ("changed", events[1].pk),
        ("deleted", events[4].pk),
    ]
    assert "2 problem(s) in 4 audit events" in output
    assert f"Row {events[1].pk} was changed" in output


def test_an_audit_row_rolled_back_with_its_change_leaves_no_gap_in_the_chain():
    _events(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        _events(1)
        raise RuntimeError("the change failed")
    _events(1)

    out, _ = _verify()

    assert AuditEvent.objects.count() == 2
    assert out.strip() == "OK: 2 audit events, the chain is intact"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_gap_in_the_chain_when_committed_for_real():
    _events(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(None, "change_record", outcome="allowed", username="system:test")
        raise RuntimeError("the change failed")
    _events(1)

    out, _ = _verify()

    assert out.strip() == "OK: 2 audit events, the chain is intact"


def test_deleting_an_account_or_a_person_keeps_the_chain_intact():
    user, person = UserFactory(username="leaver"), PersonFactory()
    event = record(user, "view_record", outcome="allowed", person=person)
    _events(1)

    user.delete()
    person.delete()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.user_id, stored.person_id) == (None, None)
    assert (stored.username, stored.nhs_number) == ("leaver", event.nhs_number)
    assert _verify()[0].strip() == "OK: 2 audit events, the chain is intact"


def test_the_model_refuses_bulk_writes():
    (event,) = _events(1)

    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.bulk_create([AuditEvent(username="x", action="x", outcome="allowed")])


def test_the_migration_chains_rows_written_before_it():
    migration = importlib.import_module("neighbourhood.governance.migrations.0003_audit_chain")
    person = PersonFactory()
    first = _insert_raw(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    second = _insert_raw(dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    with as_a_dba():
        _sql("UPDATE governance_auditevent SET nhs_number = %s WHERE id = %s", [person.nhs_number, second])

        migration.chain_existing_rows(apps, type("SchemaEditor", (), {"connection": connection})())

    assert _verify()[0].strip() == "OK: 2 audit events, the chain is intact"
    assert AuditEvent.objects.get(pk=second).person_reference == reference_for(person.nhs_number)
    assert AuditEvent.objects.get(pk=first).previous_hash == audit_chain.GENESIS


@postgresql_only
def test_postgresql_refuses_to_change_or_delete_an_audit_row():
    (event,) = _events(1)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE governance_auditevent SET reason = 'edited' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE governance_auditevent SET user_id = NULL, reason = 'edited' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM governance_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).reason == event.reason
    assert _verify()[0].strip() == "OK: 1 audit events, the chain is intact"


@postgresql_only
def test_postgresql_refuses_to_point_an_audit_row_at_another_account():
    first, second = UserFactory(), UserFactory()
    event = record(first, "sign_in", outcome="allowed")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("UPDATE governance_auditevent SET user_id = %s WHERE id = %s", [second.pk, event.pk])


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_chain_to_the_same_row():
    writers, each = 4, 10
    start = threading.Barrier(writers)
    failures = []

    def write():
        try:
            start.wait()
            for _ in range(each):
                with transaction.atomic():
                    _events(1)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert _verify()[0].strip() == f"OK: {writers * each} audit events, the chain is intact"
