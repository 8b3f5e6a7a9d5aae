"""Staff accounts and the audit trail in Django's admin.

Who may manage accounts is decided by the role permission MANAGE_USERS (access.has_permission), like
everything else. Memberships and the account flags that grant access (is_active, is_staff) are written through
governance.actions, so each change is audited, and nobody can change their own. The audit trail is read-only
for everyone and pseudonymised: administrators see an audit reference, never an NHS number.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html

from neighbourhood.governance import actions, audit_references
from neighbourhood.governance.access import has_permission
from neighbourhood.governance.models import AuditEvent, Membership, User
from neighbourhood.governance.roles import Permission


def _may_manage_users(request) -> bool:
    return request.user.is_superuser or has_permission(request.user, Permission.MANAGE_USERS)


def _is_own(request, user) -> bool:
    return user is not None and user.pk is not None and user.pk == request.user.pk


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
    """On a user's page; `obj` is that user. On your own page it is read-only."""

    model = Membership
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not _is_own(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _is_own(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_own(request, obj) and super().has_delete_permission(request, obj)


@admin.register(User)
class StaffUserAdmin(ManageUsersPermission, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    ACCESS_FIELDS = ("is_active", "is_staff")
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor sign-in (a lost or new phone)")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            try:
                actions.reset_two_factor(user=user, by=request.user)
            except PermissionDenied as refusal:
                self.message_user(request, f"{user.get_username()}: {refusal}", level=messages.ERROR)
            else:
                self.message_user(
                    request, f"{user.get_username()} sets up two-factor sign-in again when they next sign in."
                )

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

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if _is_own(request, obj):
            readonly += [name for name in self.ACCESS_FIELDS if name not in readonly]
        return readonly

    def save_model(self, request, obj, form, change):
        """A change to whether an account may sign in or open the admin goes through the audited action."""
        access_changes = {
            name: getattr(obj, name) for name in self.ACCESS_FIELDS if name in form.changed_data
        }
        if not (change and access_changes):
            return super().save_model(request, obj, form, change)
        stored = User.objects.get(pk=obj.pk)
        for name in access_changes:
            setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        actions.set_user_access(user=obj, by=request.user, **access_changes)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # fills new_objects, changed_objects and deleted_objects; saves nothing
        for membership in formset.deleted_objects:
            actions.remove_membership(membership=membership, by=request.user)
        for membership, changed in formset.changed_objects:
            stored = Membership.objects.select_related("user", "organisation").get(pk=membership.pk)
            actions.change_membership(
                membership=stored,
                role=membership.role if "role" in changed else None,
                organisation=membership.organisation if "organisation" in changed else None,
                is_active=membership.is_active if "is_active" in changed else None,
                by=request.user,
            )
        for membership in formset.new_objects:
            actions.add_membership(
                user=form.instance,
                organisation=membership.organisation,
                role=membership.role,
                is_active=membership.is_active,
                by=request.user,
            )


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "is_active"]

    acting_user: User | None = None  # set per request by MembershipAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user") or (self.instance.user if self.instance.pk else None)
        if user is not None and self.acting_user is not None and not self.errors:
            action = "change_membership" if self.instance.pk else "add_membership"
            organisation = cleaned.get("organisation")
            attempted = {
                "organisation": organisation.code if organisation else None,
                "role": cleaned.get("role"),
                "is_active": cleaned.get("is_active"),
            }
            try:
                actions.check_may_manage(
                    user=user,
                    by=self.acting_user,
                    action=action,
                    detail={"user": user.get_username(), "to": attempted},
                )
            except PermissionDenied as refusal:
                self.add_error("user" if "user" in self.fields else None, str(refusal))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(ManageUsersPermission, admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["user__username", "organisation__name", "organisation__code"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return not (obj and _is_own(request, obj.user)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and _is_own(request, obj.user)) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # A membership belongs to one person; to give someone else the role, add one for them.
        return ["user"] if obj is not None else []

    def get_actions(self, request):
        # Each removal goes through the audited action, one at a time.
        actions_ = super().get_actions(request)
        actions_.pop("delete_selected", None)
        return actions_

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def save_model(self, request, obj, form, change):
        if not change:
            added = actions.add_membership(
                user=obj.user,
                organisation=obj.organisation,
                role=obj.role,
                is_active=obj.is_active,
                by=request.user,
            )
            obj.pk = added.pk
            return
        stored = Membership.objects.select_related("user", "organisation").get(pk=obj.pk)
        actions.change_membership(
            membership=stored,
            role=obj.role if "role" in form.changed_data else None,
            organisation=obj.organisation if "organisation" in form.changed_data else None,
            is_active=obj.is_active if "is_active" in form.changed_data else None,
            by=request.user,
        )

    def delete_model(self, request, obj):
        actions.remove_membership(membership=obj, by=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Pseudonymised: the person an event names is shown by audit reference only (never the NHS number, nor
    the person's name), and NHS numbers typed into a reason or detail are replaced by their reference."""

    list_display = ["at", "username", "role", "organisation_code", "action", "outcome", "reference"]
    list_filter = ["outcome", "action", "role"]
    search_fields = ["username", "person_reference", "organisation_code"]
    date_hierarchy = "at"
    fields = [
        "at",
        "username",
        "role",
        "organisation_code",
        "reference",
        "action",
        "outcome",
        "shown_reason",
        "shown_detail",
    ]
    readonly_fields = fields

    @admin.display(description="Audit reference", ordering="person_reference")
    def reference(self, event):
        return event.person_reference

    @admin.display(description="Reason")
    def shown_reason(self, event):
        return audit_references.pseudonymise_text(event.reason)

    @admin.display(description="Detail")
    def shown_detail(self, event):
        shown = json.dumps(audit_references.pseudonymise(event.detail), indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", shown)

    def get_search_results(self, request, queryset, search_term):
        # A reference typed without its dashes, or in lower case, still finds its events.
        if reference := audit_references.normalise(search_term):
            return queryset.filter(person_reference=reference), False
        return super().get_search_results(request, queryset, search_term)

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
