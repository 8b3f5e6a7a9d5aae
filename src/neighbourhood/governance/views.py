from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import render
from django.utils.decorators import method_decorator

from neighbourhood.formhelpers import error_summary_items
from neighbourhood.governance import access, queries
from neighbourhood.governance.forms import SignInForm
from neighbourhood.governance.two_factor import second_step_url


@method_decorator(login_not_required, name="dispatch")
class SignInView(LoginView):
    """Django's LoginView: it checks `next=` with url_has_allowed_host_and_scheme, so no open redirects."""

    form_class = SignInForm
    template_name = "governance/sign_in.jinja"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["error_list"] = error_summary_items(context["form"])
        return context

    def get_success_url(self):
        """The password is only the first step: next comes the second factor, then the (checked) `next`."""
        return second_step_url(self.request.user, super().get_success_url())


class SignOutView(LogoutView):
    """GET asks for confirmation; only a POST (with its CSRF token) signs out."""

    http_method_names = ["get", "post", "options"]
    template_name = "governance/sign_out.jinja"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name)

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out")
        return response


@access.route(None)
def my_access(request):
    return render(
        request,
        "governance/my_access.jinja",
        {
            "roles": queries.roles_and_access(request.user),
            "audit_events": queries.recent_audit_events(request.user),
            "show_whose_record": queries.may_see_whose_record(request.user),
            "audit_event_limit": queries.RECENT_AUDIT_EVENTS,
        },
    )
