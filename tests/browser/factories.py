import datetime as dt

import factory

from neighbourhood.register.models import Condition, Relationship
from tests.factories import PersonFactory


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    person = factory.SubFactory(PersonFactory)
    name = "Heart failure"
    snomed_code = "84114007"
    first_recorded = dt.date(2019, 3, 4)


class CarerRelationshipFactory(factory.django.DjangoModelFactory):
    """`person` cares for `related_person`."""

    class Meta:
        model = Relationship

    person = factory.SubFactory(PersonFactory)
    related_person = factory.SubFactory(PersonFactory)
    kind = Relationship.Kind.CARER_OF
    start_date = dt.date(2021, 6, 1)
