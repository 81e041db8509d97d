"""Corrections and voids: the fields a correction may change, and always a reason."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import Region, RelationshipKind
from .common import User, UserChoiceField, VersionedForm, date_field, text_area
from .people import AliasForm, EntitlementForm, RelationshipForm, StatusPeriodForm
from .records import IncidentForm, NoteForm, RepeatFields


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
