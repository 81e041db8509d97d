import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework import dates

from .selectors import teams_of
from .tables import Filters

# Ten years of quarters or years still make a readable table; longer reports are refused.
MAX_YEARS = 10
ISO_DATE = "%Y-%m-%d"


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last twelve calendar months, this one included."""
    index = today.year * 12 + today.month - 1 - 11
    return datetime.date(index // 12, index % 12 + 1, 1), today


class ReportFilterForm(forms.Form):
    """Which cases a report counts: one of the user's teams (or all they see), and a period."""

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        required=False,
        empty_label=_("All the cases I can see"),
    )
    # A date input sends and shows ISO dates whatever the language; the export links use them too.
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's own teams: another team's name is not a filter they may try.
        self.fields["team"].queryset = teams_of(user)

    def clean(self):
        data = super().clean()
        start, end = default_period(dates.today())
        date_from = data.get("date_from") or start
        date_to = data.get("date_to") or end
        if date_from > date_to:
            raise ValidationError(_("The start of the period must be before its end."))
        if date_to.year - date_from.year > MAX_YEARS:
            raise ValidationError(
                _("A report covers at most %(years)s years.") % {"years": MAX_YEARS}
            )
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def filters(self) -> Filters:
        """The chosen filters; call after is_valid()."""
        data = self.cleaned_data
        return Filters(date_from=data["date_from"], date_to=data["date_to"], team=data["team"])
