from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("neighbourhood.web.urls")),
    path("", include("neighbourhood.governance.urls")),
    path("people/", include("neighbourhood.register.urls")),
    path("case-finding/", include("neighbourhood.casefinding.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "neighbourhood.web.views.forbidden"
handler404 = "neighbourhood.web.views.not_found"
