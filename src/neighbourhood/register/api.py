from datetime import date

from ninja import Router, Schema

from neighbourhood import nhs_number
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission

router = Router(tags=["register"])


class PersonOut(Schema):
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    practice_ods_code: str
    date_of_death: date | None
    conditions: list[str]


@router.get("/{nhs_number_text}", response=PersonOut, summary="A person's summary record")
def get_person(request, nhs_number_text: str):
    nhs_number.validate(nhs_number_text)  # InvalidNHSNumber -> 422 saying which check failed
    # Unknown and not-yours are refused alike (403), both audited.
    person, _ = access.open_person(
        request.user, nhs_number_text, Permission.VIEW_RECORD, action="view_record", detail={"via": "api"}
    )
    return PersonOut(
        nhs_number=person.nhs_number,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        practice_ods_code=person.practice.ods_code,
        date_of_death=person.date_of_death,
        conditions=list(person.conditions.values_list("name", flat=True)),
    )
