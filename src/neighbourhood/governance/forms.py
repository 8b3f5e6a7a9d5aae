from django import forms
from django.contrib.auth.forms import AuthenticationForm

# One message for a wrong username, a wrong password and an inactive account, so the form never
# tells someone which usernames exist.
WRONG_USERNAME_OR_PASSWORD = "Enter a correct username and password"  # noqa: S105 - a message


class SignInForm(AuthenticationForm):
    error_messages = {"invalid_login": WRONG_USERNAME_OR_PASSWORD, "inactive": WRONG_USERNAME_OR_PASSWORD}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


def error_summary_items(form: forms.Form) -> list[dict]:
    """The NHS.UK error summary's `errorList`, like web.formhelpers.error_summary_items except that a
    form-wide error (wrong username or password) links to the first field rather than to nothing."""
    first_field = form[next(iter(form.fields))].id_for_label
    items = [{"text": str(message), "href": f"#{first_field}"} for message in form.non_field_errors()]
    for name in form.fields:
        items.extend(
            {"text": str(message), "href": f"#{form[name].id_for_label}"} for message in form[name].errors
        )
    return items
