from django.shortcuts import render

HOME_DESCRIPTIONS = {
    "Find a person": "By NHS number, or by name and date of birth.",
    "Case finding": "People who most need proactive care, and why.",
    "Population overview": "The pyramid of need and how well the risk model works; small numbers suppressed.",
    "Staff accounts": "Accounts, organisations and roles.",
    "Your access": "Your roles, and every record you have opened.",
}


def home(request):
    return render(request, "web/home.jinja", {"descriptions": HOME_DESCRIPTIONS})


def forbidden(request, exception=None):
    reason = str(exception) if exception and str(exception) else None
    return render(request, "web/403.jinja", {"reason": reason}, status=403)


def not_found(request, exception=None):
    return render(request, "web/404.jinja", status=404)
