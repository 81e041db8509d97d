"""Forms for advocacy documents: the shape of a request. The rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Team
from casework.forms.common import DateInput, person_label
from casework.models import CaseMember, Person
from casework.redaction import INDIVIDUAL_LEVELS

from . import services
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
    """
    A brief or an appeal about one member of a case the requester sees. Only the kinds and forms
    the recorded facts support are offered (`services.document_offers`), the most fitting chosen
    first: an urgent appeal for someone detained, a child's submission, then the others.
    """

    kind = forms.ChoiceField(label=_("Document"), choices=CASE_KINDS)
    subject = forms.ChoiceField(label=_("About"))
    recipient_format = forms.ChoiceField(
        # The recipient, as the document's page says it: plain "For" is the dashboard's "for
        # whom" (담당, 负责人), which put "person responsible" above the recipients in ko and zh.
        label=pgettext_lazy("the recipient of a document", "For"),
        choices=[("", _("The usual form for this document")), *CASE_FORMATS],
        required=False,
        help_text=_(
            "Both UN communications are sent on to the Government of China. Choose the urgent "
            "appeal when someone is detained or arrested and may be returned at any time; "
            "choose the allegation letter for violations that have happened or go on without "
            "imminent harm, such as a child refused registration or school. A letter to a "
            "Chinese authority is written in Chinese, and only about someone that authority "
            "already knows of."
        ),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput,
        help_text=_(
            "Optional: the day by which the recipient should act or answer. Printed on the "
            "cover with the urgency."
        ),
    )
    language = forms.ChoiceField(label=_("Language"), choices=AdvocacyDocument.Language.choices)
    redaction = forms.ChoiceField(
        label=_("Names"),
        choices=CASE_REDACTIONS,
        initial=AdvocacyDocument.Redaction.PSEUDONYMISED,
        help_text=_(
            "A person is named only if their consent allows it; in a UN communication, only if "
            "everyone in the family (for a child, a parent or guardian) also consented to their "
            "identity being transmitted to the State. A document that names anyone needs a "
            "supervisor's approval before download."
        ),
    )

    proceed_despite_unknown = forms.BooleanField(
        label=_(
            "I was warned that this letter makes the person known to the authorities, and the "
            "person wants it sent."
        ),
        required=False,
    )

    def __init__(self, *args, case, user, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        members = (
            CaseMember.objects.filter(case=case).select_related("person").order_by("added_at", "pk")
        )
        self.people = {str(m.person.pk): m.person for m in members}
        # By name and reference for the people the user may see, by reference only otherwise.
        visible = set(
            Person.objects.visible_to(user)
            .filter(pk__in=[m.person_id for m in members])
            .values_list("pk", flat=True)
        )
        self.fields["subject"].choices = [
            (
                str(m.person.pk),
                f"{person_label(m.person) if m.person_id in visible else m.person.reference}"
                f" · {m.get_role_display()}",
            )
            for m in members
        ]
        if offers:
            self._offer(offers)
        elif not any(services.is_child_member(m) for m in members):
            # Nothing is supported yet; still, a case without children has no child to write on.
            self.fields["kind"].choices = [
                (k, label)
                for k, label in CASE_KINDS
                if k != AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF
            ]

    def _offer(self, offers) -> None:
        """Only what the facts support, the most fitting (the first offer) chosen."""
        kinds = list(dict.fromkeys(offer.kind for offer in offers))
        self.fields["kind"].choices = [(k, AdvocacyDocument.Kind(k).label) for k in kinds]
        supported = {f for offer in offers for f in offer.formats}
        self.fields["recipient_format"].choices = [
            self.fields["recipient_format"].choices[0],
            *((value, label) for value, label in CASE_FORMATS if value in supported),
        ]
        best = offers[0]
        self.initial.setdefault("kind", best.kind)
        self.initial.setdefault("subject", str(best.subject.pk))
        self.initial.setdefault("recipient_format", best.formats[0])

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
