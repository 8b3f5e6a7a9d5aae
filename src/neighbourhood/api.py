"""The JSON API (django-ninja): one NinjaAPI, a router per capability, OpenAPI at /api/openapi.json."""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.security import django_auth

from neighbourhood.nhs_number import InvalidNHSNumber

api = NinjaAPI(
    title="Neighbourhood API",
    version="1",
    description="Synthetic data only. Every read of a person's record is authorised and audited.",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(InvalidNHSNumber)
def invalid_nhs_number(request, error):
    return api.create_response(request, {"detail": str(error), "field": "nhs_number"}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, error):
    return api.create_response(request, {"detail": str(error) or "You do not have access"}, status=403)


api.add_router("/people/", "neighbourhood.register.api.router")
