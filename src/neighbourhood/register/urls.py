from django.urls import path

from neighbourhood.register import views

urlpatterns = [
    path("", views.person_search, name="person_search"),
    path("<str:nhs_number>/", views.person_detail, name="person_detail"),
]
