from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("sign-in/", auth_views.LoginView.as_view(template_name="governance/sign_in.jinja"), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("your-access/", auth_views.LoginView.as_view(), name="my_access"),
]
