import pytest
from django.urls import reverse

from neighbourhood.governance.access import record
from neighbourhood.governance.audit_references import reference_for
from neighbourhood.governance.models import AuditEvent, Membership, User
from neighbourhood.governance.roles import Role
from neighbourhood.nhs_number import format_for_display
from neighbourhood.register.models import Organisation
from tests.factories import OrganisationFactory, PersonFactory, PracticeFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return staff(
        Role.ADMINISTRATOR,
        OrganisationFactory(kind=Organisation.Kind.ICB),
        username="admin-user",
        is_staff=True,
    )


def test_an_administrator_manages_staff_accounts_with_their_memberships(client, administrator):
    gp = staff(Role.GP, PracticeFactory().organisation, username="a-gp")
    client.force_login(administrator)

    changelist = client.get(reverse("admin:governance_user_changelist"))
    change_page = client.get(reverse("admin:governance_user_change", args=[gp.pk]))

    assert changelist.status_code == 200
    assert "a-gp" in changelist.content.decode()
    assert change_page.status_code == 200
    assert 'name="memberships-0-role"' in change_page.content.decode()
    assert 'name="is_superuser"' not in change_page.content.decode()


def test_staff_without_the_manage_users_role_cannot_manage_accounts(client):
    analyst = staff(Role.ANALYST, OrganisationFactory(kind=Organisation.Kind.ICB), is_staff=True)
    client.force_login(analyst)

    assert client.get(reverse("admin:governance_user_changelist")).status_code == 403
    assert client.get(reverse("admin:governance_auditevent_changelist")).status_code == 403


def test_the_audit_trail_is_read_only_in_the_admin(client, administrator):
    event = record(None, "load_register", outcome="allowed", username="system:load")
    client.force_login(administrator)

    changelist = client.get(reverse("admin:governance_auditevent_changelist"))
    detail = client.get(reverse("admin:governance_auditevent_change", args=[event.pk]))
    add = client.get(reverse("admin:governance_auditevent_add"))
    delete = client.post(reverse("admin:governance_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert changelist.status_code == 200 and "system:load" in changelist.content.decode()
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_people_who_are_not_staff_are_kept_out_of_the_admin(client):
    client.force_login(staff(Role.ADMINISTRATOR, OrganisationFactory()))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert User.objects.filter(is_staff=True).count() == 0


# --- Memberships go through audited actions; nobody grants themselves access ------------------------------


def _add_membership(client, user, organisation, role=Role.GP):
    return client.post(
        reverse("admin:governance_membership_add"),
        {"user": user.pk, "organisation": organisation.pk, "role": role, "is_active": "on", "_save": "Save"},
    )


def test_an_administrator_cannot_give_themselves_a_role_at_a_practice(client, administrator):
    practice = PracticeFactory().organisation
    client.force_login(administrator)

    response = _add_membership(client, administrator, practice)

    assert response.status_code == 200  # the form again, with the reason
    assert "You cannot change your own roles" in response.content.decode()
    assert not Membership.objects.filter(user=administrator, organisation=practice).exists()
    refused = AuditEvent.objects.get(action="add_membership")
    assert (refused.outcome, refused.username) == ("refused", "admin-user")
    assert refused.detail["to"] == {"organisation": practice.code, "role": "gp", "is_active": True}


def test_an_administrator_gives_another_account_a_role_and_it_is_audited_from_and_to(client, administrator):
    gp = staff(Role.GP, PracticeFactory().organisation, username="a-gp")
    second_practice = PracticeFactory().organisation
    client.force_login(administrator)

    response = _add_membership(client, gp, second_practice)

    assert response.status_code == 302
    membership = Membership.objects.get(user=gp, organisation=second_practice)
    event = AuditEvent.objects.get(action="add_membership")
    assert (event.outcome, event.username, event.role) == ("allowed", "admin-user", Role.ADMINISTRATOR)
    assert event.detail == {
        "user": "a-gp",
        "from": None,
        "to": {"organisation": second_practice.code, "role": "gp", "is_active": True},
    }

    client.post(
        reverse("admin:governance_membership_change", args=[membership.pk]),
        {"organisation": second_practice.pk, "role": Role.PRACTICE_NURSE, "_save": "Save"},
    )

    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == (Role.PRACTICE_NURSE, False)
    change = AuditEvent.objects.get(action="change_membership")
    assert change.detail["from"] == {"organisation": second_practice.code, "role": "gp", "is_active": True}
    assert change.detail["to"] == {
        "organisation": second_practice.code,
        "role": "practice_nurse",
        "is_active": False,
    }

    client.post(reverse("admin:governance_membership_delete", args=[membership.pk]), {"post": "yes"})

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.get(action="remove_membership").detail["to"] is None


def test_your_own_memberships_are_read_only_in_the_admin(client, administrator):
    own = administrator.memberships.get()
    client.force_login(administrator)

    own_page = client.get(reverse("admin:governance_user_change", args=[administrator.pk])).content.decode()
    change = client.post(
        reverse("admin:governance_membership_change", args=[own.pk]),
        {"organisation": own.organisation.pk, "role": Role.GP, "is_active": "on", "_save": "Save"},
    )
    delete = client.post(reverse("admin:governance_membership_delete", args=[own.pk]), {"post": "yes"})

    assert 'name="memberships-0-role"' not in own_page
    assert 'name="is_staff"' not in own_page
    assert change.status_code == 403 and delete.status_code == 403
    own.refresh_from_db()
    assert own.role == Role.ADMINISTRATOR


def _user_change_form(user, memberships: list[dict], initial: int) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, fields in enumerate(memberships):
        data.update({f"memberships-{index}-{name}": value for name, value in fields.items()})
    return data


def test_memberships_changed_on_a_users_page_are_audited(client, administrator):
    gp = staff(Role.GP, PracticeFactory().organisation, username="a-gp")
    existing = gp.memberships.get()
    community = OrganisationFactory()
    client.force_login(administrator)

    response = client.post(
        reverse("admin:governance_user_change", args=[gp.pk]),
        _user_change_form(
            gp,
            [
                {"id": existing.pk, "user": gp.pk, "organisation": existing.organisation.pk, "role": "gp"},
                {"user": gp.pk, "organisation": community.pk, "role": "community_nurse", "is_active": "on"},
            ],
            initial=1,
        ),
    )

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.is_active is False
    assert Membership.objects.filter(user=gp, organisation=community, role="community_nurse").exists()
    audited = {event.action: event.detail for event in AuditEvent.objects.filter(outcome="allowed")}
    assert audited["change_membership"]["from"]["is_active"] is True
    assert audited["change_membership"]["to"]["is_active"] is False
    assert audited["add_membership"]["to"]["organisation"] == community.code
    assert "change_user_access" not in audited


def test_an_account_switched_off_in_the_admin_is_audited(client, administrator):
    gp = staff(Role.GP, PracticeFactory().organisation, username="a-gp")
    membership = gp.memberships.get()
    client.force_login(administrator)
    form = _user_change_form(
        gp,
        [
            {
                "id": membership.pk,
                "user": gp.pk,
                "organisation": membership.organisation.pk,
                "role": "gp",
                "is_active": "on",
            }
        ],
        initial=1,
    )
    del form["is_active"]

    response = client.post(reverse("admin:governance_user_change", args=[gp.pk]), form)

    assert response.status_code == 302
    gp.refresh_from_db()
    assert gp.is_active is False
    event = AuditEvent.objects.get(action="change_user_access")
    assert event.detail == {"user": "a-gp", "from": {"is_active": True}, "to": {"is_active": False}}


# --- The audit trail is pseudonymised for administrators --------------------------------------------------


def test_the_audit_trail_shows_a_reference_and_never_an_nhs_number(client, administrator):
    person = PersonFactory()
    gp = staff(Role.GP, person.practice.organisation, username="a-gp")
    event = record(
        gp,
        "nominate_for_register",
        outcome="allowed",
        person=person,
        reason=f"Typed in a reason: {format_for_display(person.nhs_number)}",
        detail={"reason": f"see {person.nhs_number}", "number": int(person.nhs_number)},
    )
    reference = reference_for(person.nhs_number)
    client.force_login(administrator)

    changelist = client.get(reverse("admin:governance_auditevent_changelist")).content.decode()
    detail = client.get(reverse("admin:governance_auditevent_change", args=[event.pk])).content.decode()

    assert event.person_reference == reference
    for page in (changelist, detail):
        assert reference in page
        assert person.nhs_number not in page
        assert format_for_display(person.nhs_number) not in page
        assert person.family_name not in page


def test_the_audit_trail_is_searched_by_reference_not_by_nhs_number(client, administrator):
    person = PersonFactory()
    record(None, "view_record", outcome="allowed", person=person, username="system:test")
    reference = reference_for(person.nhs_number)
    changelist = reverse("admin:governance_auditevent_changelist")
    client.force_login(administrator)

    by_number = client.get(changelist, {"q": person.nhs_number})
    by_reference = client.get(changelist, {"q": reference.replace("-", "").lower()})

    assert by_number.context["cl"].result_count == 0
    assert by_reference.context["cl"].result_count == 1


# --- Only a privacy officer resolves a reference ----------------------------------------------------------


@pytest.fixture
def privacy_officer():
    return staff(Role.PRIVACY_OFFICER, OrganisationFactory(kind=Organisation.Kind.ICB), username="privacy")


def test_a_privacy_officer_finds_whose_record_a_reference_is_and_that_is_audited(client, privacy_officer):
    person = PersonFactory(given_name="Ada", family_name="Archer")
    gp = staff(Role.GP, person.practice.organisation, username="a-gp")
    viewed = record(gp, "view_record", outcome="allowed", person=person)
    client.force_login(privacy_officer)

    page = client.post(reverse("resolve_audit_reference"), {"reference": viewed.person_reference.lower()})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Ada Archer" in text and format_for_display(person.nhs_number) in text
    assert "Viewed a record" in text and "a-gp" in text
    resolution = AuditEvent.objects.get(action="resolve_audit_reference")
    assert (resolution.outcome, resolution.username, resolution.person) == ("allowed", "privacy", person)
    assert resolution.detail == {"reference": viewed.person_reference}


def test_a_reference_that_names_nobody_is_said_so_and_audited(client, privacy_officer):
    client.force_login(privacy_officer)

    page = client.post(reverse("resolve_audit_reference"), {"reference": "0000-0000-0000"})

    assert "No audit event has this reference" in page.content.decode()
    refused = AuditEvent.objects.get(action="resolve_audit_reference")
    assert (refused.outcome, refused.person, refused.nhs_number) == ("refused", None, "")


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter an audit reference"), ("3F9A-11C2", "Enter an audit reference in the form 3F9A-11C2-7B0E")],
)
def test_an_empty_or_malformed_reference_is_explained(client, privacy_officer, typed, message):
    client.force_login(privacy_officer)

    page = client.post(reverse("resolve_audit_reference"), {"reference": typed})

    text = page.content.decode()
    assert page.status_code == 400
    assert "There is a problem" in text and message in text
    assert f'value="{typed}"' in text
    assert not AuditEvent.objects.filter(action="resolve_audit_reference").exists()


def test_an_administrator_cannot_resolve_a_reference(client, administrator):
    person = PersonFactory()
    viewed = record(None, "view_record", outcome="allowed", person=person, username="system:test")
    client.force_login(administrator)

    page = client.post(reverse("resolve_audit_reference"), {"reference": viewed.person_reference})

    assert page.status_code == 403
    assert person.nhs_number not in page.content.decode()
    refused = AuditEvent.objects.get(action="resolve_audit_reference")
    assert (refused.outcome, refused.username, refused.person) == ("refused", "admin-user", None)


def test_an_administrator_resets_someone_elses_two_factor_and_it_is_audited(client, administrator):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import enrol_totp

    nurse = staff(Role.PRACTICE_NURSE, PracticeFactory().organisation, username="lost-phone")
    enrol_totp(nurse)
    client.force_login(administrator)

    for user in (nurse, administrator):
        client.post(
            "/admin/governance/user/",
            {"action": "reset_two_factor", "_selected_action": [user.pk]},
            follow=True,
        )

    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert TOTPDevice.objects.filter(user=administrator).exists()  # nobody resets their own
    outcomes = list(
        AuditEvent.objects.filter(action="reset_two_factor").order_by("id").values_list("outcome", flat=True)
    )
    assert outcomes == ["allowed", "refused"]
