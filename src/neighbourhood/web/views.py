from django.shortcuts import render

from neighbourhood.governance.access import RecordRefused, route

HOME_DESCRIPTIONS = {
    "Find a person": "By NHS number, or by name and date of birth.",
    "Case finding": "People who most need proactive care, and why.",
    "Population overview": "The pyramid of need and how well the risk model works; small numbers suppressed.",
    "Emergency access": "Review every record your staff opened in an emergency.",
    "Staff accounts": "Accounts, organisations and roles.",
    "Your access": "Your roles, and every record you have opened.",
}


@route(None)
def home(request):
    return render(request, "web/home.jinja", {"descriptions": HOME_DESCRIPTIONS})


def forbidden(request, exception=None):
    reason = str(exception) if exception and str(exception) else None
    emergency = isinstance(exception, RecordRefused) and exception.may_request_emergency_access
    return render(
        request,
        "web/403.jinja",
        {"reason": reason, "emergency_access_nhs_number": exception.nhs_number if emergency else ""},
        status=403,
    )


def not_found(request, exception=None):
    return render(request, "web/404.jinja", status=404)
