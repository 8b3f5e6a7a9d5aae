"""The JSON API (django-ninja): one NinjaAPI, a router per capability, OpenAPI at /api/openapi.json."""

import functools
import inspect

from django.core.exceptions import PermissionDenied
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from neighbourhood.governance.two_factor import verified_session_auth
from neighbourhood.nhs_number import InvalidNHSNumber


class NeighbourhoodAPI(NinjaAPI):
    """Every error here is JSON: django-ninja answers a method that a path does not have with plain text,
    and Django a path that matches no operation with the site's HTML page."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            if pattern.name == "api-root":  # ninja's raises Http404, which Django answers with HTML
                pattern.callback = csrf_exempt(self._no_such_path)
            elif not inspect.iscoroutinefunction(pattern.callback):  # an async view keeps ninja's plain 405
                pattern.callback = _method_not_allowed_in_json(self, pattern.callback)
        # Last, so it answers only paths no operation has: a JSON 404 rather than the site's HTML page.
        return [*patterns, re_path(r"[\s\S]*", csrf_exempt(self._no_such_path))]

    def _no_such_path(self, request, *args, **kwargs):
        return self.create_response(request, {"detail": "There is no such path in this API"}, status=404)


def _method_not_allowed_in_json(api: NinjaAPI, view):
    @functools.wraps(view)  # keeps ninja's csrf_exempt: cookie auth checks CSRF itself
    def view_answering_405_in_json(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            detail = f"This method is not allowed here; use {allowed}" if allowed else "Method not allowed"
            response = api.create_response(request, {"detail": detail}, status=405)
            response["Allow"] = allowed
        return response

    return view_answering_405_in_json


api = NeighbourhoodAPI(
    title="Neighbourhood API",
    version="1",
    description="Synthetic data only. Every read of a person's record is authorised and audited.",
    auth=verified_session_auth,  # a session that has passed the second factor, else 401
    urls_namespace="api",
    # Swagger UI from django-ninja's static files ("ninja" in INSTALLED_APPS; without it ninja falls back to
    # a CDN), its settings in a JSON block and its start-up in a static file: nothing from another host and
    # no inline script, so it runs under our Content-Security-Policy. No validator badge (an external image).
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
)


@api.exception_handler(InvalidNHSNumber)
def invalid_nhs_number(request, error):
    return api.create_response(request, {"detail": str(error), "field": "nhs_number"}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, error):
    return api.create_response(request, {"detail": str(error) or "You do not have access"}, status=403)


@api.exception_handler(ValidationError)
def invalid_request(request, error):
    """django-ninja's `detail` is a list of pydantic errors; say it in words too, keeping the list."""
    problems = [
        f"{'.'.join(str(part) for part in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'is not valid')}"
        for e in error.errors
    ]
    detail = "; ".join(problems) or "The request is not valid"
    return api.create_response(request, {"detail": detail, "errors": error.errors}, status=422)


api.add_router("/people/", "neighbourhood.register.api.router")
