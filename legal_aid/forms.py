"""Forms for advocacy documents: the shape of a request. The rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from casework.models import CaseMember
from casework.redaction import INDIVIDUAL_LEVELS

from .models import AdvocacyDocument

CASE_KINDS = [
    (AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF, AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF.label),
    (AdvocacyDocument.Kind.DEPORTATION_APPEAL, AdvocacyDocument.Kind.DEPORTATION_APPEAL.label),
]
CASE_REDACTIONS = INDIVIDUAL_LEVELS
Format = AdvocacyDocument.RecipientFormat
CASE_FORMATS = [
    (value, label) for value, label in Format.choices if value != Format.CASELOAD_REPORT
]


class CaseDocumentForm(forms.Form):
    """A brief or an appeal about one member of a case the requester sees."""

    kind = forms.ChoiceField(label=_("Document"), choices=CASE_KINDS)
    subject = forms.ChoiceField(label=_("About"))
    recipient_format = forms.ChoiceField(
        label=_("For"),
        choices=[("", _("The usual form for this document")), *CASE_FORMATS],
        required=False,
        help_text=_(
            "An urgent appeal to the UN is offered only for someone detained or arrested. A "
            "letter to a Chinese authority is written in Chinese, and only about someone that "
            "authority already knows of."
        ),
    )
    language = forms.ChoiceField(label=_("Language"), choices=AdvocacyDocument.Language.choices)
    redaction = forms.ChoiceField(
        label=_("Names"),
        choices=CASE_REDACTIONS,
        initial=AdvocacyDocument.Redaction.PSEUDONYMISED,
        help_text=_(
            "A person is named only if their consent allows it; a document that names anyone "
            "needs a supervisor's approval before download."
        ),
    )

    proceed_despite_unknown = forms.BooleanField(
        label=_(
            "I was warned that this letter makes the person known to the authorities, and the "
            "person wants it sent."
        ),
        required=False,
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        members = (
            CaseMember.objects.filter(case=case).select_related("person").order_by("added_at", "pk")
        )
        # References and roles only: the form itself names no one.
        self.people = {str(m.person.pk): m.person for m in members}
        self.fields["subject"].choices = [
            (str(m.person.pk), f"{m.person.reference} · {m.get_role_display()}") for m in members
        ]

    def clean_subject(self):
        return self.people[self.cleaned_data["subject"]]


class CaseloadReportForm(forms.Form):
    """A caseload report over the requester's cases, optionally one of their teams."""

    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All my cases")
    )
    language = forms.ChoiceField(label=_("Language"), choices=AdvocacyDocument.Language.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(memberships__user=user).order_by("name")
