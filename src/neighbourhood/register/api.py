from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from neighbourhood import nhs_number
from neighbourhood.governance import access
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Person

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
    number = nhs_number.validate(nhs_number_text)  # InvalidNHSNumber -> 422 saying which check failed
    person = get_object_or_404(Person.objects.select_related("practice"), nhs_number=number)
    access.authorise(
        request.user, Permission.VIEW_RECORD, action="view_record", person=person, detail={"via": "api"}
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
