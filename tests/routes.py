"""Every URL pattern of the project, as (route, view): for the tests that must cover each route."""

from django.urls import URLPattern, URLResolver, get_resolver


def every_route(patterns=None, prefix=""):
    """(route, view) for every URL pattern, the route as its pattern text, e.g. "people/<str:nhs_number>/"."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from every_route(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback
