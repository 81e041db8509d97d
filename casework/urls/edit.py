"""
The forms. Creation pages sit under /new/ so that no reference-shaped segment of the read pages'
routes (/cases/<case_ref>/) can swallow them, whichever list comes first.
"""

from django.urls import path

from ..views import checkins, corrections, edit

urlpatterns = [
    path("new/person/", edit.person_create, name="person_create"),
    path("new/case/", edit.case_create, name="case_create"),
    path("break-glass/", edit.break_glass, name="break_glass"),
    path("people/<str:person_ref>/edit/", edit.person_edit, name="person_edit"),
    path("people/<str:person_ref>/aliases/new/", edit.alias_add, name="alias_add"),
    path(
        "people/<str:person_ref>/relationships/new/",
        edit.relationship_add,
        name="relationship_add",
    ),
    path("people/<str:person_ref>/status/change/", edit.status_change, name="status_change"),
    path(
        "people/<str:person_ref>/status/past/",
        edit.status_period_add,
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
    path("notifications/", checkins.notification_list, name="notification_list"),
    path("people/<str:person_ref>/consent/new/", edit.consent_record, name="consent_record"),
    path("people/<str:person_ref>/consent/renew/", edit.consent_renew, name="consent_renew"),
    path(
        "people/<str:person_ref>/entitlements/new/",
        edit.entitlement_add,
        name="entitlement_add",
    ),
    path("cases/<str:case_ref>/edit/", edit.case_edit, name="case_edit"),
    path("cases/<str:case_ref>/assign/", edit.case_assign, name="case_assign"),
    path("cases/<str:case_ref>/members/new/", edit.member_add, name="member_add"),
    path("cases/<str:case_ref>/flags/", edit.flag_set, name="flag_set"),
    path("cases/<str:case_ref>/share/", edit.case_share, name="case_share"),
    path("cases/<str:case_ref>/transfer/", edit.case_transfer, name="case_transfer"),
    path("cases/<str:case_ref>/incidents/new/", edit.incident_add, name="incident_add"),
    path(
        "cases/<str:case_ref>/incidents/<uuid:incident_id>/edit/",
        edit.incident_edit,
        name="incident_edit",
    ),
    path("cases/<str:case_ref>/notes/new/", edit.note_add, name="note_add"),
    path("cases/<str:case_ref>/tasks/new/", edit.task_add, name="task_add"),
    path(
        "cases/<str:case_ref>/tasks/<uuid:task_id>/complete/",
        edit.task_complete,
        name="task_complete",
    ),
    path("cases/<str:case_ref>/attachments/new/", edit.attachment_add, name="attachment_add"),
    path("team/reassign/", edit.team_reassign, name="team_reassign"),
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
