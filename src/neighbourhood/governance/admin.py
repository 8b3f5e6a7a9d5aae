"""Staff accounts and the audit trail in Django's admin.

Who may manage accounts is decided by the role permission MANAGE_USERS (access.has_permission), like
everything else; the audit trail is read-only for everyone."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from neighbourhood.governance.access import has_permission
from neighbourhood.governance.models import AuditEvent, Membership, User
from neighbourhood.governance.roles import Permission


def _may_manage_users(request) -> bool:
    return request.user.is_superuser or has_permission(request.user, Permission.MANAGE_USERS)


class ManageUsersPermission:
    def has_module_permission(self, request):
        return _may_manage_users(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage_users(request)

    def has_add_permission(self, request, obj=None):
        return _may_manage_users(request)

    def has_change_permission(self, request, obj=None):
        return _may_manage_users(request)

    def has_delete_permission(self, request, obj=None):
        return _may_manage_users(request)


class MembershipInline(ManageUsersPermission, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class StaffUserAdmin(ManageUsersPermission, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]

    def get_fieldsets(self, request, obj=None):
        """Only a superuser may hand out superuser status or Django's own permissions: access in
        Neighbourhood comes from memberships, and an administrator must not be able to raise their own."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        hidden = {"is_superuser", "groups", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]


@admin.register(Membership)
class MembershipAdmin(ManageUsersPermission, admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["user__username", "organisation__name", "organisation__code"]
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "role", "organisation_code", "action", "outcome", "nhs_number"]
    list_filter = ["outcome", "action", "role"]
    search_fields = ["username", "nhs_number", "organisation_code"]
    date_hierarchy = "at"
    fields = [
        "at",
        "username",
        "role",
        "organisation_code",
        "nhs_number",
        "action",
        "outcome",
        "reason",
        "detail",
    ]
    readonly_fields = fields

    def has_module_permission(self, request):
        return _may_manage_users(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage_users(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
