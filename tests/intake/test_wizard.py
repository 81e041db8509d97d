import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import IntakeSubmission

from ..conftest import sign_in
from .conftest import ANSWERS, IDENTITY, fill, post_step, start, step_url, submit

pytestmark = pytest.mark.django_db


def test_a_family_intake_is_taken_left_half_way_resumed_elsewhere_and_submitted(client, alice):
    """A draft saved on one device is resumed after signing in again on another, then submitted."""
    sign_in(client, alice)
    submission = start(client)
    fill(client, submission, steps=["consent", "identity"])
    response = post_step(client, submission, "family", ANSWERS["family"], action="leave")
    assert response.status_code == 302
    client.logout()

    other_device = sign_in(Client(), alice)
    listing = other_device.get(reverse("intake:start"))
    assert submission in listing.context["drafts"]
    page = other_device.get(step_url(submission, "family"))
    assert page.status_code == 200
    assert "王丽" in page.content.decode()
    resumed = other_device.get(step_url(submission, "identity")).content.decode()
    assert "金顺姬" in resumed

    fill(other_device, submission, steps=["family", "situation", "needs"])
    review = other_device.get(reverse("intake:review", kwargs={"intake_ref": submission.reference}))
    assert review.context["complete"] is True
    submit(other_device, submission)
    assert submission.status == IntakeSubmission.Status.SUBMITTED


def test_a_validation_error_keeps_everything_typed(client, alice):
    """A step refused for one field shows every other value again, and keeps it in the draft."""
    sign_in(client, alice)
    submission = start(client)
    fill(client, submission, steps=["consent"])
    bad = {**IDENTITY, "full_name": "", "birth_year": "1985"}
    response = post_step(client, submission, "identity", bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert "金顺姬" in body and "Hoeryong" in body and "+86 138 0000 1111" in body
    assert response.context["forms"].form.errors.keys() >= {"full_name", "birth_year"}
    submission.refresh_from_db()
    assert submission.answers["identity"]["place_of_origin"] == ["Hoeryong"]
    again = client.get(step_url(submission, "identity")).content.decode()
    assert "Hoeryong" in again


def test_consent_to_keep_data_is_required_before_anything_else(client, alice):
    """Without consent to store data, the wizard does not go on to the person's identity."""
    sign_in(client, alice)
    submission = start(client)
    response = post_step(
        client, submission, "consent", {**ANSWERS["consent"], "scopes": ["statistics"]}
    )
    assert response.status_code == 400
    assert "scopes" in response.context["forms"].form.errors


def test_the_consent_text_is_shown_in_korean_and_english(client, alice):
    sign_in(client, alice)
    submission = start(client)
    body = client.get(step_url(submission, "consent")).content.decode()
    assert 'lang="ko"' in body and "동의" in body
    assert 'lang="en"' in body and "withdraw your consent" in body


def test_add_another_child_keeps_what_was_typed(client, alice):
    """The "add a child" button adds a blank child form without JavaScript and loses nothing."""
    sign_in(client, alice)
    submission = start(client)
    data = {k: v for k, v in ANSWERS["family"].items() if not k.startswith("children-1")}
    data["children-TOTAL_FORMS"] = "1"
    response = post_step(client, submission, "family", data, action="add_child")
    assert response.status_code == 302
    page = client.get(step_url(submission, "family"))
    assert len(page.context["forms"].children.forms) == 2
    assert "王明" in page.content.decode()
    added = page.context["forms"].children.forms[1]
    assert not added.errors, "a child form nobody has typed into shows no errors"
    assert added["nationality"].value() == "stateless"
    assert added["sex"].value() == "unknown"


def test_a_risk_level_other_than_suggested_needs_a_reason(client, alice):
    sign_in(client, alice)
    submission = start(client)
    response = post_step(client, submission, "needs", {**ANSWERS["needs"], "risk_level": "low"})
    assert response.status_code == 400
    assert "override_reason" in response.context["forms"].form.errors
    ok = post_step(
        client,
        submission,
        "needs",
        {**ANSWERS["needs"], "risk_level": "low", "override_reason": "Moved"},
    )
    assert ok.status_code == 302


def test_an_incomplete_intake_cannot_be_submitted(client, alice):
    sign_in(client, alice)
    submission = start(client)
    fill(client, submission, steps=["consent", "identity"])
    response = client.post(reverse("intake:review", kwargs={"intake_ref": submission.reference}))
    assert response.status_code == 302
    assert response.url == step_url(submission, "family")
    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.DRAFT


def test_the_draft_is_encrypted_at_rest(client, alice):
    """The answers column holds ciphertext, never a name typed into the wizard."""
    from django.db import connection

    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent", "identity"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT answers FROM intake_intakesubmission WHERE id = %s",
            [submission.pk.hex if connection.vendor == "sqlite" else submission.pk],
        )
        (raw,) = cursor.fetchone()
    assert raw.startswith("v1:") and "김순희" not in raw and "Hoeryong" not in raw


def test_another_caseworker_cannot_see_or_change_the_draft(client, alice, bob, charlie):
    """Bob (same team) and charlie (other team) get 404 on alice's draft, its steps and review."""
    sign_in(client, alice)
    submission = fill(client, start(client), steps=["consent"])
    for intruder in (bob, charlie):
        other = sign_in(Client(), intruder)
        assert other.get(step_url(submission, "identity")).status_code == 404
        assert post_step(other, submission, "identity", IDENTITY).status_code == 404
        assert (
            other.get(
                reverse("intake:review", kwargs={"intake_ref": submission.reference})
            ).status_code
            == 404
        )
        assert (
            other.get(
                reverse("intake:detail", kwargs={"intake_ref": submission.reference})
            ).status_code
            == 404
        )
    assert not AuditEvent.objects.filter(
        actor__in=[bob, charlie], target_id=str(submission.pk)
    ).exists()
