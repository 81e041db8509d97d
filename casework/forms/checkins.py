"""Safety check-ins: a person's schedule and a check-in recorded."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CheckIn, CheckInSchedule


class CheckInScheduleForm(forms.Form):
    every_days = forms.IntegerField(
        label=_("Every (days)"),
        min_value=1,
        max_value=90,
        required=False,
        help_text=_("Leave empty to check in on the dates below only."),
    )
    on_dates = forms.CharField(
        label=_("On dates"),
        required=False,
        help_text=_("Dates as 2026-12-24, separated by commas."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CheckInSchedule.Channel.choices)
    grace_days = forms.IntegerField(
        label=_("Grace period (days)"),
        min_value=0,
        max_value=30,
        help_text=_("How long after a missed check-in the supervisors are alerted."),
    )
    duress_word = forms.CharField(
        label=_("Duress word"),
        required=False,
        max_length=100,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "A word the person agreed to use when they are forced to say they are safe. "
            "It is not shown again; leave empty to keep the one on file."
        ),
    )
    active = forms.BooleanField(label=_("Check-ins are kept"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_on_dates(self):
        import datetime

        days = []
        for part in self.cleaned_data["on_dates"].replace(";", ",").split(","):
            if part.strip():
                try:
                    days.append(datetime.date.fromisoformat(part.strip()))
                except ValueError:
                    raise forms.ValidationError(
                        _("Write each date as 2026-12-24, separated by commas.")
                    ) from None
        return days


class CheckInForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CheckIn.Outcome.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    duress_used = forms.BooleanField(label=_("Duress word used"), required=False)
    word_used = forms.CharField(
        label=_("Or the word they used"),
        required=False,
        max_length=100,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
