from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "dir": "ltr",
                "class": "form-control",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control", "dir": "ltr"}
        ),
    )
    error_messages = {
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("This account is inactive."),
    }


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "class": "form-control",
                "dir": "ltr",
                "autofocus": True,
            }
        ),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Enrolment code"),
        max_length=32,
        required=False,  # a missing code is refused (and audited) by the action
        help_text=_(
            "The one-time code your administrator gave you. To replace an authenticator you "
            "still have, enter the six digits it shows now."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control",
                "dir": "ltr",
                "autofocus": True,
            }
        ),
    )
