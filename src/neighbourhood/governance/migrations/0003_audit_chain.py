"""The audit log's chain of hashes, and on PostgreSQL a trigger that refuses to change or delete audit rows.

Rows written before this migration are given their reference and hash here, in id order, before the trigger
exists. On SQLite there is no trigger: anyone who can write the database file can change it, so the file is
kept readable and writable by the service account only, and `neighbourhood audit verify` detects edits.
"""

from django.db import migrations, models

from neighbourhood.governance import audit_chain, audit_references

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION governance_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND (NEW.user_id IS NULL OR NEW.user_id IS NOT DISTINCT FROM OLD.user_id)
        AND (NEW.person_id IS NULL OR NEW.person_id IS NOT DISTINCT FROM OLD.person_id)
        AND (to_jsonb(NEW) - 'user_id' - 'person_id') = (to_jsonb(OLD) - 'user_id' - 'person_id')
    THEN
        -- Deleting an account or a person sets its foreign key to NULL (on_delete=SET_NULL); the row keeps
        -- the username and NHS number, which are what the chain hashes.
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Audit events are append-only: % of governance_auditevent row % refused', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER governance_auditevent_append_only
    BEFORE UPDATE OR DELETE ON governance_auditevent
    FOR EACH ROW EXECUTE FUNCTION governance_auditevent_append_only();
"""

DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS governance_auditevent_append_only ON governance_auditevent;
DROP FUNCTION IF EXISTS governance_auditevent_append_only();
"""


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("governance", "AuditEvent")
    events = AuditEvent._base_manager.using(schema_editor.connection.alias)  # a plain manager: it may update
    previous_hash = audit_chain.GENESIS
    for event in events.order_by("id").iterator(chunk_size=2000):
        if not event.hash:
            if event.nhs_number and not event.person_reference:
                event.person_reference = audit_references.reference_for(event.nhs_number)
            event.previous_hash = previous_hash
            event.hash = audit_chain.hash_of(event, previous_hash)
            events.filter(pk=event.pk).update(
                person_reference=event.person_reference, previous_hash=event.previous_hash, hash=event.hash
            )
        previous_hash = event.hash


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_trust"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, editable=False),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
