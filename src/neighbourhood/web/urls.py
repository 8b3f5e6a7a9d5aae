from django.urls import path

from neighbourhood.web import sessions, views

urlpatterns = [
    path("", views.home, name="home"),
    path("session/keep-alive/", sessions.keep_alive, name="keep_alive"),
]
