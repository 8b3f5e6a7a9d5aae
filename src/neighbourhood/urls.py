from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from neighbourhood.api import api

urlpatterns = [
    path("", include("neighbourhood.web.urls")),
    path("", include("neighbourhood.governance.urls")),
    path("people/", include("neighbourhood.register.urls")),
    path("people/", include("neighbourhood.care.urls")),
    path("case-finding/", include("neighbourhood.casefinding.urls")),
    path("api/", api.urls),
    # One way to sign in, with the second factor: the admin's own password-only form is not served.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
]

handler403 = "neighbourhood.web.views.forbidden"
handler404 = "neighbourhood.web.views.not_found"
