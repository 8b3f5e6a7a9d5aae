from django.urls import path

from neighbourhood.register import views

urlpatterns = [
    path("", views.person_search, name="person_search"),
    path("<str:nhs_number>/", views.person_detail, name="person_detail"),
    path("<str:nhs_number>/who-has-looked/", views.who_has_looked, name="person_accesses"),
]
