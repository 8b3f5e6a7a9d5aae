from django.urls import path

from neighbourhood.governance import access, emergency_views, privacy_views, two_factor, views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", access.route(None)(views.SignOutView.as_view()), name="logout"),
    path("your-access/", views.my_access, name="my_access"),
    path(
        "people/<str:nhs_number>/emergency-access/",
        emergency_views.request_emergency_access,
        name="request_emergency_access",
    ),
    path("privacy/emergency-access/", emergency_views.emergency_access_list, name="emergency_access_list"),
    path(
        "privacy/emergency-access/<int:pk>/",
        emergency_views.emergency_access_review,
        name="emergency_access_review",
    ),
]

# Two-factor sign-in: the second step after the password, and setting up an authenticator app.
urlpatterns += [
    path("sign-in/two-factor/", two_factor.two_factor, name="two_factor"),
    path("sign-in/set-up-two-factor/", two_factor.set_up_two_factor, name="two_factor_setup"),
    path("sign-in/recovery-codes/", two_factor.recovery_codes, name="two_factor_recovery_codes"),
]

# The privacy officer finds whose record an audit reference is (audit_references).
urlpatterns += [
    path("privacy/audit-reference/", privacy_views.resolve_audit_reference, name="resolve_audit_reference"),
]
