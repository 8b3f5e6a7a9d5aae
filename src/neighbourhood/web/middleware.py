from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import redirect

from neighbourhood.governance import two_factor


class LoginRequiredForPagesMiddleware(LoginRequiredMiddleware):
    """Pages send anonymous people to sign in, and people signed in with only their password to the second
    factor (or to set one up). The JSON API answers 401 itself (ninja's auth, governance.two_factor)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        if request.user.is_authenticated and not request.user.is_verified():
            return self._second_factor_needed(request, view_func)
        return super().process_view(request, view_func, view_args, view_kwargs)

    def _second_factor_needed(self, request, view_func):
        match = request.resolver_match
        if (
            not getattr(view_func, "login_required", True)
            or (match is not None and match.view_name in two_factor.PASSWORD_ONLY_VIEWS)
            or request.path_info.startswith(settings.STATIC_URL)
        ):
            return None
        return redirect(two_factor.second_step_url(request.user, request.get_full_path()))
