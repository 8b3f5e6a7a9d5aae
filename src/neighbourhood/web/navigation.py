"""The header's navigation: only links to pages the signed-in user's roles can open."""

from django.urls import reverse

from neighbourhood.governance.access import has_permission
from neighbourhood.governance.roles import Permission


def navigation_items(user) -> list[dict]:
    # Signed in with a password but not yet the second factor (django-otp's is_verified): nothing to open yet.
    if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return []
    items = []
    if has_permission(user, Permission.SEARCH_REGISTER):
        items.append({"href": reverse("person_search"), "text": "Find a person"})
    if has_permission(user, Permission.VIEW_RECORD):
        items.append({"href": reverse("casefinding_worklist"), "text": "Case finding"})
    if has_permission(user, Permission.VIEW_AGGREGATES):
        items.append({"href": reverse("casefinding_overview"), "text": "Population overview"})
    if has_permission(user, Permission.REVIEW_ACCESS):
        items.append({"href": reverse("emergency_access_list"), "text": "Emergency access"})
    if has_permission(user, Permission.RESOLVE_AUDIT_REFERENCE):
        items.append({"href": reverse("resolve_audit_reference"), "text": "Audit references"})
    if has_permission(user, Permission.MANAGE_USERS):
        items.append({"href": reverse("admin:index"), "text": "Staff accounts"})
    items.append({"href": reverse("my_access"), "text": "Your access"})
    return items
