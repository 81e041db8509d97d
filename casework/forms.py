"""
The caseworker's forms. They check the shape of the input (types, lengths, choices among what the
user may see); the rules are the services', which the views call with the cleaned data and whose
errors the views put back on the form.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import Team, TeamMembership
from consent.forms import ConsentAnswerForm, ConsentRenewForm

from .choices import (
    DETENTION_INCIDENTS,
    AssignmentRole,
    CaseStatus,
    ClosureReason,
    Country,
    EntitlementKind,
    EntitlementStatus,
    GoalStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    NoteKind,
    Region,
    RelationshipKind,
    RiskLevel,
    StatusSource,
)
from .models import Case, CaseFlag, CheckIn, CheckInSchedule, Person, Task
from .permissions import consent_witnesses
from .selectors.timeline import TIMELINE_FILTERS
from .widgets import QuickSelect

User = get_user_model()


class DateInput(forms.DateInput):
    """The browser's own date picker; typed ISO dates work where it has none."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput, help_text=help_text)


def text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


def person_label(person) -> str:
    """
    A person as the forms name them: two stateless children of one mother are told apart by name,
    the reference beside it. Only for people the user works with: the name is decrypted here.
    """
    return f"{person.full_name} ({person.reference})"


# The empty first choice of a list the user must choose from, in words rather than Django's dashes.
CHOOSE = _("Choose…")


def blank_first(choices) -> list:
    """The choices after an empty one, so that nothing is chosen for the user."""
    return [("", CHOOSE), *choices]


class PersonLabelMixin:
    """People are chosen by name and reference: the page already shows their case."""

    def label_from_instance(self, person):
        return person_label(person)


class PersonChoiceField(PersonLabelMixin, forms.ModelChoiceField):
    def __init__(self, *args, empty_label=CHOOSE, **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)


class PeopleChoiceField(PersonLabelMixin, forms.ModelMultipleChoiceField):
    pass


class UserChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, empty_label=CHOOSE, **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)

    # Set by a supervisor's form (assign, hand over): {user pk: selectors.Workload}, shown beside names.
    workloads: dict | None = None

    def label_from_instance(self, user):
        full_name = user.get_full_name()
        name = f"{full_name} ({user.get_username()})" if full_name else user.get_username()
        load = (self.workloads or {}).get(user.pk)
        if load is None:
            return name
        return _(
            "%(name)s — %(open)d open (%(grave)d critical or high), %(overdue)d overdue "
            "follow-ups, %(missed)d missed check-ins"
        ) % {
            "name": name,
            "open": load.open_cases,
            "grave": load.grave,
            "overdue": load.overdue_followups,
            "missed": load.missed_check_ins,
        }


class VersionedForm(forms.Form):
    """Carries the version of the record the user opened, so a later change by someone else is seen."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# People


class PersonFieldsForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    date_of_birth = date_field(_("Date of birth"), required=False)
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("When only the year is known."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Person._meta.get_field("sex").choices)
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=Person._meta.get_field("nationality").choices
    )
    role = forms.ChoiceField(label=_("Role"), choices=Person._meta.get_field("role").choices)
    region = forms.ChoiceField(label=_("Province or region"), choices=Region.choices)
    place_of_origin = forms.CharField(label=_("Place of origin"), max_length=200, required=False)
    current_location = forms.CharField(label=_("Current location"), max_length=300, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=300, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=text_area(4))

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PersonFieldsForm.base_fields}


class ConsentPartForm(ConsentAnswerForm):
    """
    The consent part, with the parent or guardian chosen by name among the people the user works
    with, and the witness among the staff of the person's teams.
    """

    guardian = PersonChoiceField(
        label=ConsentAnswerForm.base_fields["guardian"].label,
        help_text=ConsentAnswerForm.base_fields["guardian"].help_text,
        queryset=Person.objects.none(),
        required=False,
        to_field_name="reference",
    )
    witnessed_by_user = UserChoiceField(
        label=ConsentAnswerForm.base_fields["witnessed_by_user"].label,
        queryset=User.objects.none(),
        required=False,
    )


class ConsentRecordForm(ConsentPartForm):
    """What a person agrees to now, recorded from their page."""


class ConsentRenewalForm(ConsentRenewForm):
    witnessed_by_user = UserChoiceField(
        label=ConsentRenewForm.base_fields["witnessed_by_user"].label,
        queryset=User.objects.none(),
        required=False,
    )


class PersonCreateForm(ConsentPartForm, PersonFieldsForm):
    aliases = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=text_area(3),
        help_text=_("One per line: a Chinese name, a romanisation, a name used in hiding."),
    )
    case = forms.ModelChoiceField(
        label=_("Case"),
        queryset=Case.objects.none(),
        help_text=_("The case this person belongs to."),
    )
    role_in_case = forms.ChoiceField(
        label=_("Role in the case"), choices=MemberRole.choices, initial=MemberRole.PRINCIPAL
    )
    field_order = ["case", "role_in_case", "full_name", "aliases"]

    def __init__(self, *args, cases, guardians, **kwargs):
        super().__init__(*args, guardians=guardians, witnesses=consent_witnesses(cases), **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].to_field_name = "reference"

    def clean_aliases(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]


class PersonEditForm(VersionedForm, PersonFieldsForm):
    pass


class AliasForm(forms.Form):
    name = forms.CharField(label=_("Other name"), max_length=200)


class RelationshipForm(forms.Form):
    """A tie from the person whose page this is to another person of their cases."""

    CHILD_OF = "child_of"
    KINDS = [
        (RelationshipKind.PARENT_OF, _("is the parent of")),
        (CHILD_OF, _("is the child of")),
        (RelationshipKind.PARTNER_OF, _("is the partner of")),
        (RelationshipKind.SPOUSE_OF, _("is the spouse of")),
    ]

    kind = forms.ChoiceField(label=_("This person"), choices=KINDS)
    other = PersonChoiceField(label=_("Other person"), queryset=Person.objects.none())
    marriage_registered = forms.NullBooleanField(
        label=_("Marriage registered"),
        required=False,
        widget=forms.Select(
            choices=[
                ("unknown", _("Unknown or not a couple")),
                ("true", _("Yes")),
                ("false", _("No")),
            ]
        ),
        help_text=_("For couples: whether the marriage is registered with the authorities."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = people
        self.fields["other"].to_field_name = "reference"

    def tie(self, person) -> dict:
        """The service's arguments: who is related to whom, and how."""
        kind, other = self.cleaned_data["kind"], self.cleaned_data["other"]
        if kind == self.CHILD_OF:
            from_person, to_person, kind = other, person, RelationshipKind.PARENT_OF
        else:
            from_person, to_person = person, other
        return {
            "from_person": from_person,
            "to_person": to_person,
            "kind": kind,
            "marriage_registered": self.cleaned_data["marriage_registered"],
        }


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=LegalStatus.choices)
    effective_from = date_field(_("Since"))
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices, initial=Country.CHINA)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=StatusSource.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=text_area())


class StatusPeriodForm(StatusChangeForm):
    status = forms.ChoiceField(label=_("Status"), choices=LegalStatus.choices)
    effective_from = date_field(_("From"))
    effective_to = date_field(_("Until"), help_text=_("The day the next status began."))
    field_order = ["status", "effective_from", "effective_to"]


class EntitlementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Benefit"), choices=EntitlementKind.choices)
    # No outcome is chosen for the user: a benefit recorded as granted by default would hide a denial.
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=blank_first(EntitlementStatus.choices),
        error_messages={"required": _("Choose the outcome.")},
    )
    as_of = date_field(_("As of"))
    note = forms.CharField(label=_("Note"), required=False, widget=text_area())


# Records of a case


class IncidentForm(forms.Form):
    # Nothing is chosen for the user: an arrest saved as the first kind in the list would be lost.
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=blank_first(IncidentKind.choices),
        error_messages={"required": _("Choose what happened.")},
    )
    occurred_on = date_field(pgettext_lazy("the day an incident happened", "When"))
    region = forms.ChoiceField(label=_("Province or region"), choices=Region.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=text_area(5))
    people = PeopleChoiceField(
        label=_("People involved"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = case.people.order_by("reference")
        self.fields["people"].to_field_name = "reference"


class IncidentRecordForm(IncidentForm):
    """
    A new incident; for an arrest or a detention, also what it changes, all ticked: a status,
    the flag and the risk left as they were after a detention are the dangerous omission.
    """

    DETENTION_FIELDS = ("set_detained", "status_source", "raise_flag", "raise_risk")

    set_detained = forms.BooleanField(
        label=_("Set the legal status of the people involved to “Detained in China” from that day"),
        required=False,
        initial=True,
    )
    status_source = forms.ChoiceField(
        label=_("How you know of the detention"),
        choices=blank_first(StatusSource.choices),
        required=False,
        help_text=_("The source of the new legal status."),
    )
    raise_flag = forms.BooleanField(
        label=_("Raise the flag “A member is detained” on the case"), required=False, initial=True
    )
    raise_risk = forms.BooleanField(
        label=_("Raise the case's risk level to High"), required=False, initial=True
    )

    def incident_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.DETENTION_FIELDS]

    def detention_fields(self) -> list:
        return [self[name] for name in self.DETENTION_FIELDS]

    @property
    def is_detention(self) -> bool:
        return self.cleaned_data.get("kind") in DETENTION_INCIDENTS

    def clean(self):
        cleaned = super().clean()
        if self.is_detention and cleaned.get("set_detained") and not cleaned.get("status_source"):
            self.add_error("status_source", _("Say how you know of the detention."))
        return cleaned

    def incident(self) -> dict:
        """The incident's own fields, for either service."""
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in self.DETENTION_FIELDS
        }

    def detention(self) -> dict | None:
        """What else an arrest or detention changes; None for another incident or none ticked."""
        changes = {name: self.cleaned_data[name] for name in self.DETENTION_FIELDS}
        if not self.is_detention or not any(
            changes[name] for name in ("set_detained", "raise_flag", "raise_risk")
        ):
            return None
        return changes


class IncidentEditForm(VersionedForm, IncidentForm):
    pass


class NoteForm(forms.Form):
    # Nothing is chosen for the user: a call saved as a visit misleads whoever reads the file.
    kind = forms.ChoiceField(
        label=_("How you were in contact"),
        choices=blank_first(NoteKind.choices),
        error_messages={"required": _("Choose how you were in contact.")},
    )
    contacted_on = date_field(
        _("Date of contact"), help_text=_("The day of the visit, call or message.")
    )
    body = forms.CharField(label=_("Note"), widget=text_area(6))


def _flat_values(choices) -> set[str]:
    values = set()
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group: (title, [(value, label), ...])
            values |= {str(inner) for inner, _label in label}
        else:
            values.add(str(value))
    return values


TIMELINE_FILTER_VALUES = _flat_values(TIMELINE_FILTERS)


_KEPT_RENDERINGS: dict = {}


class TimelineFilterSelect(forms.Select):
    """
    The timeline's filter, the same choices for everyone (no user's data in them): rendered once
    per language, chosen value, attributes and renderer, and kept, since Django renders each of
    its 13 options through a template, which cost the case page more than a query of its
    timeline. A value not among the choices (the address can carry anything) is rendered
    afresh and not kept, so what is kept stays a few dozen strings.
    """

    def render(self, name, value, attrs=None, renderer=None):
        shown = "" if value is None else str(value)
        plain = all(isinstance(v, str | bool | int) for v in (attrs or {}).values())
        if shown not in TIMELINE_FILTER_VALUES or not plain:
            return super().render(name, value, attrs, renderer)
        key = (name, shown, tuple(sorted((attrs or {}).items())), get_language(), type(renderer))
        if key not in _KEPT_RENDERINGS:
            _KEPT_RENDERINGS[key] = super().render(name, value, attrs, renderer)
        return _KEPT_RENDERINGS[key]


class TimelineFilterForm(forms.Form):
    """Which records the case page's timeline shows; read from the address (no name in it)."""

    show = forms.ChoiceField(
        label=_("Show"), choices=TIMELINE_FILTERS, required=False, widget=TimelineFilterSelect
    )


class RepeatFields(forms.Form):
    """How a follow-up repeats: every N days or weeks, until a date or while a condition holds."""

    repeat_every = forms.IntegerField(
        label=_("Repeat every"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("Leave empty for a follow-up done once. Completing one schedules the next."),
    )
    repeat_unit = forms.ChoiceField(
        label=_("Days or weeks"),
        choices=Task.RepeatUnit.choices,
        initial=Task.RepeatUnit.DAYS,
        required=False,
    )
    repeat_until = date_field(_("Until"), required=False)
    repeat_while = forms.ChoiceField(
        label=_("Only while"), choices=Task.RepeatWhile.choices, required=False
    )


class TaskForm(RepeatFields):
    title = forms.CharField(label=_("What to do"), max_length=200)
    due_on = date_field(_("Due on"), required=False)
    field_order = ["title", "due_on", "assignee"]
    assignee = UserChoiceField(
        label=_("Who does it"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("You, if left empty and you may do it."),
    )

    def __init__(self, *args, staff, creator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        # A follow-up nobody is to do is forgotten: it is the creator's unless given to another.
        self.creator = creator if staff.filter(pk=creator.pk).exists() else None
        self.fields["assignee"].initial = self.creator and self.creator.pk

    def clean_assignee(self):
        return self.cleaned_data["assignee"] or self.creator


class TaskCompleteForm(VersionedForm):
    pass


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A PDF, a photo (JPEG, PNG, WebP, HEIC), a plain text file, or a Word or "
            "OpenDocument text document."
        ),
    )
    person = PersonChoiceField(
        label=_("About"), queryset=Person.objects.none(), required=False, empty_label=_("The case")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=text_area())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = case.people.order_by("reference")
        self.fields["person"].to_field_name = "reference"


# Cases


class CaseCreateForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MEDIUM
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=text_area(5))
    members = PeopleChoiceField(
        label=_("People already registered"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Register new people from the case page once it is open."),
    )

    def __init__(self, *args, teams, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["members"].queryset = people
        self.fields["members"].to_field_name = "reference"


class CaseEditForm(VersionedForm):
    """
    A case's risk level, status and summary. Closing and reopening are not offered: they have
    their own page, which asks for the reason; a closed case's status is left as it is.
    """

    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label) for value, label in CaseStatus.choices if value != CaseStatus.CLOSED
        ],
        help_text=_("To close the case, use “Close the case”: it asks why."),
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=text_area(5))

    def __init__(self, *args, closed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if closed:
            del self.fields["status"]


class MemberAddForm(ConsentPartForm):
    """
    A person on file joins the case. Their consent on file stays, or what they agree to now is
    recorded with them; one without any consent on file must be asked (or the reason given).
    """

    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role in the case"), choices=MemberRole.choices)
    field_order = ["person", "role"]

    def __init__(self, *args, people, guardians, witnesses, consented, **kwargs):
        super().__init__(*args, guardians=guardians, witnesses=witnesses, on_file=True, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].to_field_name = "reference"
        # The people among `people` with a consent on file (given, or documented as not asked).
        self.consented = consented

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if (
            cleaned.get("consent") == "on_file"
            and person is not None
            and person.pk not in self.consented
        ):
            self.add_error(
                "consent",
                _("No consent of this person is on file: record it, or why it could not be asked."),
            )
        return cleaned


class CaseAssignForm(forms.Form):
    caseworker = UserChoiceField(label=_("Caseworker"), queryset=User.objects.none())
    replaces = UserChoiceField(
        label=_("Instead of"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: add to the case's caseworkers"),
    )

    def __init__(self, *args, caseworkers, assigned, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers
        self.fields["replaces"].queryset = assigned


class FlagForm(forms.Form):
    """A flag to raise: only those not raised now are offered (case_flag_set refuses the others)."""

    kind = forms.ChoiceField(label=_("Flag"), choices=CaseFlag.Kind.choices)

    def __init__(self, *args, raised=(), **kwargs):
        super().__init__(*args, **kwargs)
        up = {flag.kind for flag in raised}
        self.fields["kind"].choices = [
            (kind, label) for kind, label in CaseFlag.Kind.choices if kind not in up
        ]


class ShareForm(forms.Form):
    advocate = UserChoiceField(label=_("Legal advocate"), queryset=User.objects.none())

    def __init__(self, *args, advocates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advocate"].queryset = advocates


class TransferForm(forms.Form):
    to_team = forms.ModelChoiceField(label=_("To team"), queryset=Team.objects.none())
    confirm = forms.BooleanField(
        label=_("I understand that this team's caseworkers will no longer see the case."),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = teams


class TeamReassignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    from_user = UserChoiceField(
        label=_("Cases of"),
        queryset=User.objects.none(),
        help_text=_("The caseworker who is leaving; inactive accounts are listed too."),
    )
    to_user = UserChoiceField(label=_("Hand them to"), queryset=User.objects.none())

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        members = TeamMembership.objects.filter(team__in=teams)
        self.fields["from_user"].queryset = User.objects.filter(
            team_memberships__in=members
        ).distinct().order_by("username") | User.objects.filter(
            case_assignments__role=AssignmentRole.CASEWORKER,
            case_assignments__case__team__in=teams,
        ).distinct().order_by("username")
        # Cases go only to those who work the team's cases: never to its legal advocates.
        working = members.filter(role__in=roles.WORKING_ROLES)
        self.fields["to_user"].queryset = (
            User.objects.filter(is_active=True, team_memberships__in=working)
            .distinct()
            .order_by("username")
        )


class BreakGlassForm(forms.Form):
    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=12,
        help_text=_("For example C-7K3M9Q2X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Why you need to see this case"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Your access is time-limited and recorded. The case's supervisors read this reason."
        ),
    )

    def clean_case_reference(self):
        return self.cleaned_data["case_reference"].strip().upper()


# Corrections and voids: the fields a correction may change, and always a reason.


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why"),
        widget=text_area(3),
        help_text=_("Kept with the record's history, for whoever reads it later."),
    )


class VoidForm(ReasonForm):
    pass


class NoteCorrectionForm(ReasonForm, NoteForm):
    field_order = ["body", "reason"]


class TaskCorrectionForm(ReasonForm, RepeatFields):
    """Re-date, reassign, reword or change how a follow-up repeats; the earlier values are kept."""

    title = forms.CharField(label=_("What to do"), max_length=200)
    due_on = date_field(_("Due on"), required=False)
    assignee = UserChoiceField(label=_("Who does it"), queryset=User.objects.none(), required=False)
    field_order = ["title", "due_on", "assignee", "reason"]

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["assignee"].queryset = staff

    def clean_assignee(self):
        # Left empty, it stays with whoever has it: a follow-up is never made no one's here.
        chosen = self.cleaned_data["assignee"]
        return (
            chosen
            or self.fields["assignee"].queryset.filter(pk=self.initial.get("assignee")).first()
        )


class AttachmentCorrectionForm(ReasonForm):
    description = forms.CharField(label=_("Description"), required=False, widget=text_area())
    field_order = ["description", "reason"]


class IncidentCorrectionForm(ReasonForm):
    kind = IncidentForm.base_fields["kind"]
    occurred_on = date_field(pgettext_lazy("the day an incident happened", "When"))
    region = forms.ChoiceField(label=_("Province or region"), choices=Region.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=text_area(5))
    field_order = ["kind", "occurred_on", "region", "description", "reason"]


class AliasCorrectionForm(ReasonForm, AliasForm):
    field_order = ["name", "reason"]


class TieCorrectionForm(ReasonForm):
    kind = forms.ChoiceField(label=_("Tie"), choices=RelationshipKind.choices)
    marriage_registered = RelationshipForm.base_fields["marriage_registered"]
    field_order = ["kind", "marriage_registered", "reason"]


class StatusCorrectionForm(ReasonForm, StatusPeriodForm):
    effective_to = date_field(
        _("Until"), required=False, help_text=_("Empty for the current status.")
    )
    field_order = ["status", "effective_from", "effective_to"]


class EntitlementCorrectionForm(ReasonForm, EntitlementForm):
    field_order = ["kind", "status", "as_of", "note", "reason"]


class GoalCorrectionForm(ReasonForm):
    title = forms.CharField(label=_("Goal"), max_length=200)
    why = forms.CharField(label=_("Why"), required=False, widget=text_area(3))
    target_on = date_field(_("Target date"), required=False)
    field_order = ["title", "why", "target_on", "reason"]


class PlanReviewCorrectionForm(ReasonForm):
    reviewed_on = date_field(_("Reviewed on"))
    note = forms.CharField(label=_("What the review found"), widget=text_area(6))
    field_order = ["reviewed_on", "note", "reason"]


CORRECTION_FORMS = {
    "goal": GoalCorrectionForm,
    "plan-review": PlanReviewCorrectionForm,
    "note": NoteCorrectionForm,
    "task": TaskCorrectionForm,
    "file": AttachmentCorrectionForm,
    "incident": IncidentCorrectionForm,
    "alias": AliasCorrectionForm,
    "tie": TieCorrectionForm,
    "status": StatusCorrectionForm,
    "benefit": EntitlementCorrectionForm,
}


# Safety check-ins


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


# The case plan and closing a case


class GoalForm(forms.Form):
    person = PersonChoiceField(label=_("For whom"), queryset=Person.objects.none())
    title = forms.CharField(label=_("Goal"), max_length=200)
    why = forms.CharField(label=_("Why"), required=False, widget=text_area(3))
    target_on = date_field(_("Target date"), required=False)
    responsible = UserChoiceField(
        label=_("Responsible"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("You, if left empty."),
    )

    def __init__(self, *args, people, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].to_field_name = "reference"
        self.fields["responsible"].queryset = staff


class GoalStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class PlanReviewForm(forms.Form):
    reviewed_on = date_field(_("Reviewed on"))
    note = forms.CharField(label=_("What the review found"), widget=text_area(6))


class PlanScheduleForm(forms.Form):
    every_weeks = forms.IntegerField(
        label=_("Review the plan every (weeks)"),
        min_value=1,
        max_value=52,
        required=False,
        help_text=_("Leave empty for no schedule."),
    )


class OpenTaskField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, task):
        return task.shown_title


class OpenCheckInField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, schedule):
        return _("Check-ins of %(person)s") % {"person": person_label(schedule.person)}


class CaseCloseForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Why is the case closed?"), choices=[])
    other_reason = forms.CharField(
        label=_("Other reason"),
        required=False,
        widget=text_area(2),
        help_text=_("Required when the reason is “Other”."),
    )
    closed_on = date_field(_("Closed on"), required=False, help_text=_("Today if left empty."))
    resolve_tasks = OpenTaskField(
        label=_("Follow-ups to mark done now"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Those not ticked are carried over and stay open."),
    )
    end_check_ins = OpenCheckInField(
        label=_("Check-ins to end now"),
        queryset=CheckInSchedule.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Those not ticked are carried over and stay due."),
    )
    resolve_others = forms.MultipleChoiceField(
        label=_("Other open items to resolve now"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Those not ticked are carried over and stay open."),
    )

    def __init__(self, *args, tasks, check_ins, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = blank_first(ClosureReason.choices)
        self.fields["resolve_tasks"].queryset = tasks
        self.fields["end_check_ins"].queryset = check_ins
        choices = [
            (item.key, item.resolve_label or item.label) for item in others if item.resolvable
        ]
        if choices:
            self.fields["resolve_others"].choices = choices
        else:
            del self.fields["resolve_others"]


class CaseReopenForm(VersionedForm):
    pass


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
