"""The second step of signing in: one field, `otp_token`, for a security code or a recovery code.

The forms only check the code's shape; whether it is right is for the user's devices to say
(governance.two_factor), so that django-otp's throttling counts every real attempt."""

import re

from django import forms

TOTP_DIGITS = 6
# django-otp's StaticToken.random_token(): 5 random bytes in lower-case base32.
RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")

ENTER_A_CODE = "Enter the 6-digit security code from your authenticator app, or a recovery code"
ENTER_THE_APP_CODE = "Enter the 6-digit security code from your authenticator app"


def compact(typed: str) -> str:
    """What people type, without the spaces and hyphens they add for readability ("123 456")."""
    return re.sub(r"[\s-]", "", typed).lower()


def is_security_code(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) == TOTP_DIGITS


class SecurityCodeForm(forms.Form):
    """A code from the authenticator app, or one of the user's recovery codes."""

    otp_token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows now (or a recovery code)",
        max_length=32,
        error_messages={"required": ENTER_A_CODE, "max_length": ENTER_A_CODE},
    )

    def clean_otp_token(self) -> str:
        code = compact(self.cleaned_data["otp_token"])
        if not (is_security_code(code) or RECOVERY_CODE.match(code)):
            raise forms.ValidationError(ENTER_A_CODE)
        return code


class ConfirmAuthenticatorForm(forms.Form):
    """The first code from a newly added authenticator app, which proves it has the secret."""

    otp_token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows for Neighbourhood.",
        max_length=32,
        error_messages={"required": ENTER_THE_APP_CODE, "max_length": ENTER_THE_APP_CODE},
    )

    def clean_otp_token(self) -> str:
        code = compact(self.cleaned_data["otp_token"])
        if not is_security_code(code):
            raise forms.ValidationError(ENTER_THE_APP_CODE)
        return code
