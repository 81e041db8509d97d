"""Many cases of the case list changed at once by a supervisor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import ClosureReason
from ..models import Case
from ..widgets import QuickSelect
from .common import User, UserChoiceField, blank_first


class BulkCasesForm(forms.Form):
    """Many cases of the list at once: reassign them, or close them, after a preview."""

    ACTIONS = [("reassign", _("Reassign")), ("close", _("Close"))]

    cases = forms.ModelMultipleChoiceField(
        label=_("Cases"), queryset=Case.objects.none(), to_field_name="reference"
    )
    # Drawn under every page of the case list a supervisor opens: QuickSelect, not templates.
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=QuickSelect)
    from_user = UserChoiceField(
        label=_("From caseworker"),
        queryset=User.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    to_user = UserChoiceField(
        label=_("To caseworker"), queryset=User.objects.none(), required=False, widget=QuickSelect
    )
    reason = forms.ChoiceField(
        label=_("Why are they closed?"), choices=[], required=False, widget=QuickSelect
    )
    other_reason = forms.CharField(label=_("Other reason"), required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, cases, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["from_user"].queryset = caseworkers
        self.fields["to_user"].queryset = caseworkers
        self.fields["reason"].choices = blank_first(ClosureReason.choices)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reassign":
            for name in ("from_user", "to_user"):
                if not cleaned.get(name):
                    self.add_error(name, _("Choose a caseworker."))
        elif cleaned.get("action") == "close" and not cleaned.get("reason"):
            self.add_error("reason", _("Choose why the case is closed."))
        return cleaned
