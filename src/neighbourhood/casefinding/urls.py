from django.urls import path

from neighbourhood.casefinding import views

urlpatterns = [
    path("", views.worklist, name="casefinding_worklist"),
    path("overview/", views.overview, name="casefinding_overview"),
    path("runs/<int:run_id>/charts/<str:name>", views.report_image, name="casefinding_report_image"),
    path("people/<str:nhs_number>/panel/", views.risk_panel, name="casefinding_panel"),
    path("people/<str:nhs_number>/nominate/", views.nominate, name="casefinding_nominate"),
    path("people/<str:nhs_number>/exclude/", views.exclude, name="casefinding_exclude"),
    path("people/<str:nhs_number>/undo/", views.undo, name="casefinding_undo"),
    path("people/<str:nhs_number>/review/", views.review, name="casefinding_review"),
]
