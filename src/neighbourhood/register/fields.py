from django.core.exceptions import ValidationError
from django.db import models

from neighbourhood import nhs_number


def validate_nhs_number(value: str) -> None:
    try:
        nhs_number.validate(value)
    except nhs_number.InvalidNHSNumber as error:
        raise ValidationError(str(error), code="invalid_nhs_number") from error


class NHSNumberField(models.CharField):
    """Ten digits, Modulus 11 checked, stored without spaces."""

    default_validators = [validate_nhs_number]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return nhs_number.normalise(value) if value else value
