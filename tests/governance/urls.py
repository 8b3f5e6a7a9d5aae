"""The project's URLs plus one test-only view that opens a record through the access service, so the 403
page can be tested without depending on the register's pages."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from neighbourhood.governance.access import authorise
from neighbourhood.governance.roles import Permission
from neighbourhood.register.models import Person
from neighbourhood.urls import handler403, handler404  # noqa: F401 - the error pages under test
from neighbourhood.urls import urlpatterns as project_urlpatterns


def open_record(request, pk):
    person = get_object_or_404(Person, pk=pk)
    authorise(request.user, Permission.VIEW_RECORD, action="view_record", person=person)
    return HttpResponse(f"Record of person {person.pk}")


urlpatterns = [
    path("test-only/records/<int:pk>/", open_record, name="test_open_record"),
    *project_urlpatterns,
]
