"""The header's navigation: only links to pages the signed-in user's roles can open."""

from django.urls import reverse

from neighbourhood.governance.access import has_permission
from neighbourhood.governance.roles import Permission


def navigation_items(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    if has_permission(user, Permission.VIEW_RECORD):
        items += [
            {"href": reverse("person_search"), "text": "Find a person"},
            {"href": reverse("casefinding_worklist"), "text": "Case finding"},
        ]
    if has_permission(user, Permission.VIEW_AGGREGATES):
        items.append({"href": reverse("casefinding_overview"), "text": "Population overview"})
    if has_permission(user, Permission.MANAGE_USERS):
        items.append({"href": reverse("admin:index"), "text": "Staff accounts"})
    items.append({"href": reverse("my_access"), "text": "Your access"})
    return items
