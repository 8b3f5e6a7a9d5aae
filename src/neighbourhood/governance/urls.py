from django.urls import path

from neighbourhood.governance import views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("your-access/", views.my_access, name="my_access"),
]
