from django.shortcuts import render


def home(request):
    return render(request, "web/home.jinja")


def forbidden(request, exception=None):
    reason = str(exception) if exception and str(exception) else None
    return render(request, "web/403.jinja", {"reason": reason}, status=403)


def not_found(request, exception=None):
    return render(request, "web/404.jinja", status=404)
