import django_otp
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .timezones import zone_choices


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That username and password do not match. After several failed attempts the "
            "account is locked for a while."
        ),
    }


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app, or one of the backup codes."""

    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The 6-digit code your authenticator app shows, or a backup code."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        self.device = None
        super().__init__(*args, **kwargs)

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        self.device = django_otp.match_token(self.user, token)
        if self.device is None:
            raise forms.ValidationError(
                _("That code is not valid. Check your phone's clock and try the newest code.")
            )
        return token


class EnrolmentForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReconfirmFields(forms.Form):
    """The password and a current code again: what changing the second factor asks for."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    current_code = forms.CharField(
        label=_("Code from your current app, or a backup code"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class ReplacementForm(ReconfirmFields, EnrolmentForm):
    """Enrolling a new phone when one is already enrolled."""


class BackupCodesForm(ReconfirmFields):
    """New backup codes, for the user who proves it is them."""


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The current password once, the new one twice, checked by the password validators."""

    def clean_old_password(self):
        # Checked by accounts.services.password_change through authenticate(), so that a wrong
        # guess counts towards the lockout as on the login page; Django's form would check it
        # here, unseen by django-axes.
        return self.cleaned_data["old_password"]


class TimeZoneForm(forms.Form):
    """The user's own time zone, or none (their team's)."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times are shown, and “today” is counted, in this zone."),
    )

    def __init__(self, *args, team_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", _("Same as my team (%(zone)s)") % {"zone": team_zone}),
            *zone_choices(),
        ]


class EmailNotificationsForm(forms.Form):
    """Whether the user is e-mailed when notifications wait, and how seldom at most."""

    email_notifications = forms.BooleanField(
        label=_("E-mail me when new notifications wait"),
        required=False,
        help_text=_(
            "The e-mail says only how many items are new, with a link: never a name, a "
            "reference or what happened."
        ),
    )
    email_quiet_hours = forms.IntegerField(
        label=_("At most one e-mail every (hours)"), min_value=1, max_value=168
    )
