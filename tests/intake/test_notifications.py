"""The caseworker who took an intake is notified of the supervisor's decision, by reference."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification
from intake import services

from ..conftest import sign_in

Kind = Notification.Kind


def _kinds(user):
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_approval_tells_the_caseworker(submitted, sue, alice):
    case = services.intake_approve(submission=submitted, actor=sue)
    # Approved, and the new case is hers.
    assert _kinds(alice) == {Kind.INTAKE_APPROVED, Kind.CASE_ASSIGNED}
    page = sign_in(Client(), alice).get(reverse("accounts:notification_list")).content.decode()
    assert submitted.reference in page and case.reference in page
    assert "김순희" not in page


@pytest.mark.parametrize(
    ("decide", "kind"),
    [
        (services.intake_reject, Kind.INTAKE_REJECTED),
        (services.intake_return, Kind.INTAKE_SENT_BACK),
    ],
)
def test_a_refusal_tells_the_caseworker_not_its_reason_outside(submitted, sue, alice, decide, kind):
    decide(submission=submitted, actor=sue, reason="The birth date of the child is wrong")
    assert _kinds(alice) == {kind}
    assert "birth date" not in str(Notification.objects.values().get())
    page = sign_in(Client(), alice).get(reverse("accounts:notification_list")).content.decode()
    assert submitted.reference in page


def test_the_supervisors_dashboard_lists_what_waits_for_approval(submitted, sue, alice):
    page = sign_in(Client(), sue).get(reverse("casework:dashboard")).content.decode()
    assert 'id="approvals-heading"' in page and "Intakes waiting for a decision: 1" in page
    assert page.index('id="approvals-heading"') < page.index('id="followups-heading"')
    mine = sign_in(Client(), alice).get(reverse("casework:dashboard")).content.decode()
    assert 'id="approvals-heading"' not in mine


@pytest.mark.postgres
def test_what_waits_for_approval_is_counted_afresh_from_sql_written_once(
    submitted, sue, alice, monkeypatch
):
    """
    The dashboard counts the intakes waiting for a supervisor from SQL written once per user
    (`casework.querysets.count_kept`): a decision shows at the next visit, through the same user
    object and the same kept SQL; someone who supervises no team, or is no longer active, counts
    none.
    """
    from intake import selectors

    written = []
    decision_queue = selectors.decision_queue

    def queue(user):
        written.append(user.pk)
        return decision_queue(user)

    monkeypatch.setattr(selectors, "decision_queue", queue)
    assert selectors.approvals_waiting(sue)[0][1] == 1
    assert selectors.approvals_waiting(alice) == []
    services.intake_return(submission=submitted, actor=sue, reason="Spell the place again")
    assert selectors.approvals_waiting(sue) == []
    assert sorted(written) == sorted([sue.pk, alice.pk])
    sue.is_active = False
    assert selectors.approvals_waiting(sue) == []
