"""Writing a checked lake (`lake.read_lake`) into the register: upserts by natural keys, so re-running a load
updates rows and never duplicates them. Call inside a transaction (the `load_register` action does)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from neighbourhood.register.lake import CleanLake
from neighbourhood.register.models import (
    PCN,
    Activity,
    Condition,
    LocalAuthority,
    Medication,
    Organisation,
    Person,
    Practice,
    Relationship,
)

BATCH = 1000
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "practice_id",
    "local_authority_id",
    "lsoa_code",
    "imd_decile",
    "registration_date",
    "date_of_death",
    "lives_alone",
    "housebound",
    "socially_isolated",
    "is_carer",
    "known_to_social_care",
)
ACTIVITY_FIELDS = (
    "person_id",
    "kind",
    "detail",
    "start_date",
    "end_date",
    "cost_gbp",
    "weekly_cost_gbp",
    "funding",
)


@dataclass(frozen=True)
class LoadCounts:
    local_authorities: int
    pcns: int
    practices: int
    people: int
    relationships: int
    conditions: int
    medications: int
    activities: int

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Steps:
    """A rich progress bar per table when loading from the command line; silent otherwise."""

    def __init__(self, show: bool):
        self.progress = (
            Progress(
                TextColumn("{task.description:<16}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            if show
            else None
        )

    def __enter__(self):
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def run(self, description: str, items: list, write: Callable[[list], None]) -> None:
        task = self.progress.add_task(description, total=len(items)) if self.progress else None
        for batch in _batches(items):
            write(batch)
            if task is not None:
                self.progress.advance(task, len(batch))


def _adapter(field) -> Callable:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return lambda value: value


def _insert(model, rows: list[dict]) -> None:
    """Plain INSERTs (executemany) through Django's connection. bulk_create's per-value work took most of a
    20,000-person load; the rows here are already checked, so only the database types need adapting."""
    if not rows:
        return
    names = list(rows[0])
    columns = [model._meta.get_field(name) for name in names]
    adapters = [_adapter(field) for field in columns]
    quote = connection.ops.quote_name
    # Identifiers come from the model's own metadata; every value goes in as a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in columns),
        ", ".join(["%s"] * len(names)),
    )
    params = [[adapt(row[name]) for adapt, name in zip(adapters, names, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def write_lake(lake: CleanLake, *, show_progress: bool = False) -> LoadCounts:
    with _Steps(show_progress) as steps:
        practices = _write_organisations(lake)
        person_ids = _write_people(lake, practices, steps)
        _replace_children(person_ids, steps, lake)
        _write_activities(lake, person_ids, steps)
    return LoadCounts(
        local_authorities=len({p["local_authority_code"] for p in lake.practices}),
        pcns=len({p["pcn_code"] for p in lake.practices}),
        practices=len(lake.practices),
        people=len(lake.people),
        relationships=len(lake.relationships),
        conditions=len(lake.conditions),
        medications=len(lake.medications),
        activities=len(lake.activities),
    )


def _write_organisations(lake: CleanLake) -> dict[str, Practice]:
    """Councils, their adult social care, PCNs and practices: a few dozen rows, upserted one by one."""
    authorities: dict[str, LocalAuthority] = {}
    pcns: dict[str, PCN] = {}
    practices: dict[str, Practice] = {}
    for row in lake.practices:
        code = row["local_authority_code"]
        if code not in authorities:
            authority, _ = LocalAuthority.objects.update_or_create(
                code=code, defaults={"name": row["local_authority_name"]}
            )
            authorities[code] = authority
            Organisation.objects.update_or_create(
                code=f"ASC-{code}",
                defaults={
                    "name": f"{authority.name} Adult Social Care",
                    "kind": Organisation.Kind.ADULT_SOCIAL_CARE,
                    "local_authority": authority,
                },
            )
        if row["pcn_code"] not in pcns:
            pcns[row["pcn_code"]], _ = PCN.objects.update_or_create(
                code=row["pcn_code"], defaults={"name": row["pcn_name"]}
            )
        organisation, _ = Organisation.objects.update_or_create(
            code=row["ods_code"],
            defaults={
                "name": row["name"],
                "kind": Organisation.Kind.PRACTICE,
                "local_authority": authorities[code],
            },
        )
        practices[row["ods_code"]], _ = Practice.objects.update_or_create(
            ods_code=row["ods_code"],
            defaults={
                "name": row["name"],
                "pcn": pcns[row["pcn_code"]],
                "local_authority": authorities[code],
                "organisation": organisation,
            },
        )
    list_sizes: dict[str, int] = {}
    for person in lake.people:
        list_sizes[person["practice"]] = list_sizes.get(person["practice"], 0) + 1
    for code, practice in practices.items():
        if practice.list_size != list_sizes.get(code, 0):
            practice.list_size = list_sizes.get(code, 0)
            practice.save(update_fields=["list_size"])
    return practices


def _write_people(lake: CleanLake, practices: dict[str, Practice], steps: _Steps) -> dict[str, int]:
    """Insert new people, update changed ones; returns nhs_number -> person id."""
    authority_ids = dict(LocalAuthority.objects.values_list("code", "id"))
    existing = {
        row["nhs_number"]: row for row in Person.objects.values("id", "nhs_number", *PERSON_FIELDS).iterator()
    }
    new, changed = [], []
    now = timezone.now()
    for row in lake.people:
        practice = practices[row["practice"]]
        # Where someone lives decides their council; their practice's council is the fallback.
        lsoa_authority = authority_ids.get(lake.lsoa_authority.get(row["lsoa_code"], ""))
        values = {
            "given_name": row["given_name"],
            "family_name": row["family_name"],
            "date_of_birth": row["date_of_birth"],
            "sex": row["sex"],
            "ethnicity": row["ethnicity"],
            "practice_id": practice.pk,
            "local_authority_id": lsoa_authority or practice.local_authority_id,
            "lsoa_code": row["lsoa_code"],
            "imd_decile": row["imd_decile"],
            "registration_date": row["registration_date"],
            "date_of_death": row["date_of_death"],
            **lake.flags[row["nhs_number"]],
        }
        current = existing.get(row["nhs_number"])
        if current is None:
            new.append({"nhs_number": row["nhs_number"], "updated_at": now, **values})
        elif any(current[name] != value for name, value in values.items()):
            changed.append(Person(id=current["id"], nhs_number=row["nhs_number"], updated_at=now, **values))
    steps.run("people (new)", new, lambda batch: _insert(Person, batch))
    steps.run(
        "people (changed)",
        changed,
        lambda batch: Person.objects.bulk_update(batch, [*PERSON_FIELDS, "updated_at"]),
    )
    loaded = {row["nhs_number"] for row in lake.people}
    return {
        number: pk
        for number, pk in Person.objects.values_list("nhs_number", "id").iterator()
        if number in loaded
    }


def _replace_children(person_ids: dict[str, int], steps: _Steps, lake: CleanLake) -> None:
    """Relationships, conditions and medications have no natural key: replace each loaded person's rows."""
    ids = sorted(person_ids.values())
    for model in (Relationship, Condition, Medication):
        for batch in _batches(ids):
            model.objects.filter(person_id__in=batch).delete()
    _create(
        steps,
        "relationships",
        Relationship,
        (
            {
                "person_id": person_ids[r["person"]],
                "related_person_id": person_ids[r["related"]],
                "kind": r["kind"],
                "start_date": r["start_date"],
            }
            for r in lake.relationships
        ),
    )
    _create(
        steps,
        "conditions",
        Condition,
        (
            {
                "person_id": person_ids[c["person"]],
                "name": c["name"],
                "snomed_code": c["snomed_code"],
                "first_recorded": c["first_recorded"],
            }
            for c in lake.conditions
        ),
    )
    _create(
        steps,
        "medications",
        Medication,
        (
            {
                "person_id": person_ids[m["person"]],
                "name": m["name"][:200],
                "route": m["route"][:20],
                "is_repeat": m["is_repeat"],
                "start_date": m["start_date"],
                "end_date": m["end_date"],
            }
            for m in lake.medications
        ),
    )


def _create(steps: _Steps, description: str, model, rows: Iterable[dict]) -> None:
    steps.run(description, list(rows), lambda batch: _insert(model, batch))


def _write_activities(lake: CleanLake, person_ids: dict[str, int], steps: _Steps) -> None:
    """Upsert by source id (spell_id / record_id); drop loaded people's activity no longer in the lake."""
    existing = {
        row["source_id"]: row
        for row in Activity.objects.values("id", "source_id", *ACTIVITY_FIELDS).iterator()
    }
    new, changed, keep = [], [], set()
    for row in lake.activities:
        values = {
            "person_id": person_ids[row["person"]],
            "kind": row["kind"],
            "detail": row["detail"][:100],
            "start_date": row["start_date"],
            "end_date": row["end_date"],
            "cost_gbp": _money(row["cost_gbp"]),
            "weekly_cost_gbp": _money(row["weekly_cost_gbp"]),
            "funding": row["funding"][:30],
        }
        keep.add(row["source_id"])
        current = existing.get(row["source_id"])
        if current is None:
            new.append({"source_id": row["source_id"], **values})
        elif any(current[name] != value for name, value in values.items()):
            changed.append(Activity(id=current["id"], source_id=row["source_id"], **values))
    loaded_people = set(person_ids.values())
    stale = [
        row["id"]
        for source_id, row in existing.items()
        if source_id not in keep and row["person_id"] in loaded_people
    ]
    for batch in _batches(stale):
        Activity.objects.filter(id__in=batch).delete()
    steps.run("activity (new)", new, lambda batch: _insert(Activity, batch))
    steps.run(
        "activity (changed)", changed, lambda batch: Activity.objects.bulk_update(batch, ACTIVITY_FIELDS)
    )
