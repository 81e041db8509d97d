"""
Safety check-ins on the pages: the schedule of a person, one tap to record what a check-in
found (from the case page or the dashboard).
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import services
from ..forms.checkins import CheckInForm, CheckInScheduleForm
from ..models import CheckInSchedule
from ..permissions import can_keep_check_ins, can_record_check_in, can_see_duress_word
from .common import (
    _case_url,
    _data,
    _editable_person,
    _form_page,
    _person_titles,
    _refuse,
    form_view,
)


@form_view
def check_in_schedule(request, person_ref):
    """Set how often a person must be heard from; the risk of the case suggests a rhythm."""
    person, case = _editable_person(request, person_ref, "check_in_schedule")
    schedule = CheckInSchedule.objects.filter(person=person).select_related("case").first()
    if schedule is not None and can_keep_check_ins(request.user, person, schedule.case):
        case = schedule.case
    if schedule is None:
        initial = {
            "every_days": CheckInSchedule.suggested_every_days(case.risk_level),
            "grace_days": 1,
            "active": True,
        }
    else:
        initial = {
            "every_days": schedule.every_days,
            "on_dates": ", ".join(day.isoformat() for day in schedule.on_dates),
            "channel": schedule.channel,
            "grace_days": schedule.grace_days,
            "active": schedule.active,
            "version": schedule.version,
        }
    form = CheckInScheduleForm(_data(request), initial=initial)

    def save(data):
        fields = {name: data[name] for name in CheckInScheduleForm.base_fields if name != "version"}
        return services.check_in_schedule_set(
            person=person,
            case=case,
            actor=request.user,
            expected_version=data["version"] if schedule is not None else None,
            **fields,
        )

    return _form_page(
        request,
        form,
        save=save,
        success=_("The check-in schedule was saved."),
        next_url=_case_url(case),
        context={
            "person": person,
            "case": case,
            "duress_word_on_file": bool(schedule and schedule.duress_word),
            # Shown only to the case's supervisors; never to the caseworker who entered it.
            "duress_word": (
                schedule.duress_word
                if schedule and can_see_duress_word(request.user, schedule.case)
                else None
            ),
        },
        template="casework/forms/check_in_schedule.html",
        **_person_titles(_("Check-ins of %(person)s"), person),
    )


@form_view
def check_in_record(request, schedule_id):
    """
    Record what a check-in found. Every outcome ends with the same message and page: a duress
    word used leaves no trace on the screen of whoever holds the phone.
    """
    schedule = get_object_or_404(
        CheckInSchedule.objects.visible_to(request.user).select_related("case", "person"),
        pk=schedule_id,
    )
    if not can_record_check_in(request.user, schedule.case):
        _refuse(request, schedule, "check_in_record", case=schedule.case)
    back = (
        reverse("casework:dashboard")
        if request.POST.get("from") == "dashboard"
        else _case_url(schedule.case)
    )
    form = CheckInForm(_data(request))
    return _form_page(
        request,
        form,
        save=lambda data: services.check_in_record(schedule=schedule, actor=request.user, **data),
        title=_("Record a check-in"),
        success=_("The check-in was recorded."),
        next_url=back,
        context={"case": schedule.case, "schedule": schedule},
    )
