"""The case plan (goals, their status, reviews and their schedule); closing and reopening a case."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import ClosureReason, GoalStatus
from ..models import CheckInSchedule, Person, Task
from .common import (
    PersonChoiceField,
    User,
    UserChoiceField,
    VersionedForm,
    blank_first,
    date_field,
    person_label,
    text_area,
)


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
