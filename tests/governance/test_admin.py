import pytest
from django.urls import reverse

from neighbourhood.governance.access import record
from neighbourhood.governance.models import AuditEvent, User
from neighbourhood.governance.roles import Role
from neighbourhood.register.models import Organisation
from tests.factories import OrganisationFactory, PracticeFactory, staff

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
