from django.contrib import admin
from django.urls import include, path

from neighbourhood.api import api

urlpatterns = [
    path("", include("neighbourhood.web.urls")),
    path("", include("neighbourhood.governance.urls")),
    path("people/", include("neighbourhood.register.urls")),
    path("case-finding/", include("neighbourhood.casefinding.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "neighbourhood.web.views.forbidden"
handler404 = "neighbourhood.web.views.not_found"
