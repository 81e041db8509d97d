"""
The forms. Creation pages sit under /new/ so that no reference-shaped segment of the read pages'
routes (/cases/<case_ref>/) can swallow them, whichever list comes first.
"""

from django.urls import path

from ..views import (
    cases,
    checkins,
    consent,
    corrections,
    handover,
    people,
    plans,
    records,
    workload,
)

urlpatterns = [
    path("new/person/", people.person_create, name="person_create"),
    path("new/case/", cases.case_create, name="case_create"),
    path("break-glass/", cases.break_glass, name="break_glass"),
    path("people/<str:person_ref>/edit/", people.person_edit, name="person_edit"),
    path("people/<str:person_ref>/aliases/new/", people.alias_add, name="alias_add"),
    path(
        "people/<str:person_ref>/relationships/new/",
        people.relationship_add,
        name="relationship_add",
    ),
    path("people/<str:person_ref>/status/change/", people.status_change, name="status_change"),
    path(
        "people/<str:person_ref>/status/past/",
        people.status_period_add,
        name="status_period_add",
    ),
    path(
        "people/<str:person_ref>/check-ins/",
        checkins.check_in_schedule,
        name="check_in_schedule",
    ),
    path(
        "check-ins/<uuid:schedule_id>/record/",
        checkins.check_in_record,
        name="check_in_record",
    ),
    path("people/<str:person_ref>/consent/new/", consent.consent_record, name="consent_record"),
    path("people/<str:person_ref>/consent/renew/", consent.consent_renew, name="consent_renew"),
    path(
        "people/<str:person_ref>/entitlements/new/",
        people.entitlement_add,
        name="entitlement_add",
    ),
    path("cases/<str:case_ref>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<str:case_ref>/assign/", handover.case_assign, name="case_assign"),
    path("cases/<str:case_ref>/members/new/", cases.member_add, name="member_add"),
    path("cases/<str:case_ref>/flags/", cases.flag_set, name="flag_set"),
    path("cases/<str:case_ref>/share/", handover.case_share, name="case_share"),
    path("cases/<str:case_ref>/transfer/", handover.case_transfer, name="case_transfer"),
    path("cases/<str:case_ref>/incidents/new/", records.incident_add, name="incident_add"),
    path(
        "cases/<str:case_ref>/incidents/<uuid:incident_id>/edit/",
        records.incident_edit,
        name="incident_edit",
    ),
    path("cases/<str:case_ref>/notes/new/", records.note_add, name="note_add"),
    path("cases/<str:case_ref>/tasks/new/", records.task_add, name="task_add"),
    path(
        "cases/<str:case_ref>/tasks/<uuid:task_id>/complete/",
        records.task_complete,
        name="task_complete",
    ),
    path("cases/<str:case_ref>/attachments/new/", records.attachment_add, name="attachment_add"),
    path("cases/<str:case_ref>/close/", plans.case_close, name="case_close"),
    path("cases/<str:case_ref>/reopen/", plans.case_reopen, name="case_reopen"),
    path("cases/<str:case_ref>/plan/goals/new/", plans.goal_add, name="goal_add"),
    path(
        "cases/<str:case_ref>/plan/goals/<uuid:goal_id>/status/",
        plans.goal_status,
        name="goal_status",
    ),
    path(
        "cases/<str:case_ref>/plan/goals/<uuid:goal_id>/steps/new/",
        plans.goal_step_add,
        name="goal_step_add",
    ),
    path("cases/<str:case_ref>/plan/reviews/new/", plans.plan_review_add, name="plan_review_add"),
    path("cases/<str:case_ref>/plan/schedule/", plans.plan_schedule, name="plan_schedule"),
    path("team/reassign/", handover.team_reassign, name="team_reassign"),
    path("team/workload/", workload.workload_view, name="workload"),
    path("cases-bulk/", workload.cases_bulk, name="cases_bulk"),
    # Any record of a case or a person: <kind> is its Correctable.record_kind.
    path(
        "records/<slug:kind>/<uuid:record_id>/correct/",
        corrections.record_correct,
        name="record_correct",
    ),
    path("records/<slug:kind>/<uuid:record_id>/void/", corrections.record_void, name="record_void"),
    path(
        "records/<slug:kind>/<uuid:record_id>/history/",
        corrections.record_history,
        name="record_history",
    ),
]
