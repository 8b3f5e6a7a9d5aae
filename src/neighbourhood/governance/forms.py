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
