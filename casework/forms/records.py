"""The records of a case: incidents (and what a detention changes), notes, follow-ups and files."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import DETENTION_INCIDENTS, IncidentKind, NoteKind, Region, StatusSource
from ..models import Person, Task
from .common import (
    PeopleChoiceField,
    PersonChoiceField,
    User,
    UserChoiceField,
    VersionedForm,
    blank_first,
    date_field,
    text_area,
)


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
