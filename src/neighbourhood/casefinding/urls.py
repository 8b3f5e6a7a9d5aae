from django.urls import path

from neighbourhood.web import views

urlpatterns = [path("", views.home, name="casefinding_worklist")]
