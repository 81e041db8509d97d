import unicodedata

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from intake.models import IntakeSubmission

from ..conftest import sign_in
from ..factories import CaseMemberFactory, PersonFactory
from .conftest import ANSWERS

pytestmark = pytest.mark.django_db


def api(user):
    return sign_in(APIClient(), user)


def url(name, **kwargs):
    return reverse(f"intake_api:{name}", kwargs=kwargs)


def take_intake(client, team):
    created = client.post(url("submission-list"), {"team": team.pk}, format="json")
    assert created.status_code == 201
    reference = created.json()["reference"]
    for step, answers in ANSWERS.items():
        saved = client.post(
            url("submission-steps", intake_ref=reference),
            {"step": step, "answers": answers},
            format="json",
        )
        assert saved.status_code == 200 and saved.json()["valid"], saved.json()
    submitted = client.post(url("submission-submit", intake_ref=reference))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    return reference


def test_an_intake_through_the_api_with_a_duplicate_and_a_merge(alice, sue, north_case, team_north):
    """alice takes the intake; sue sees the NFD duplicate's details and merges into it."""
    on_file = north_case.people.get()
    on_file.full_name = unicodedata.normalize("NFD", "김순희")
    on_file.save()
    reference = take_intake(api(alice), team_north)

    seen_by_alice = api(alice).get(url("submission-candidates", intake_ref=reference)).json()
    assert seen_by_alice == {
        "candidates": [
            {
                "subject": "principal",
                "reference": on_file.reference,
                "reasons": ["birth_year", "name"],
                "full_name": None,
                "birth_year": None,
            }
        ],
        "out_of_sight": False,
        "message": None,
    }
    supervisor = api(sue)
    seen_by_sue = supervisor.get(url("submission-candidates", intake_ref=reference)).json()
    assert seen_by_sue["candidates"][0]["full_name"] == on_file.full_name

    merged = supervisor.post(
        url("submission-merge", intake_ref=reference), {"person": on_file.reference}, format="json"
    )
    assert merged.status_code == 200, merged.json()
    assert merged.json()["submission"]["status"] == "merged"


def test_an_invalid_step_is_saved_and_its_errors_returned(alice, team_north):
    client = api(alice)
    reference = client.post(url("submission-list"), {"team": team_north.pk}, format="json").json()[
        "reference"
    ]
    answers = {**ANSWERS["identity"], "full_name": ""}
    saved = client.post(
        url("submission-steps", intake_ref=reference),
        {"step": "identity", "answers": answers},
        format="json",
    )
    assert saved.json()["valid"] is False and "full_name" in saved.json()["errors"]
    assert IntakeSubmission.objects.get().answers["identity"]["place_of_origin"] == ["Hoeryong"]
    refused = client.post(url("submission-submit", intake_ref=reference))
    assert refused.status_code == 400 and refused.json()["step"] == ["consent"]


def test_caseworkers_cannot_decide_through_the_api(alice, team_north):
    client = api(alice)
    reference = take_intake(client, team_north)
    assert client.get(url("submission-detail", intake_ref=reference)).status_code == 200
    assert client.post(url("submission-approve", intake_ref=reference)).status_code == 403
    assert client.post(url("submission-reject", intake_ref=reference), {}).status_code == 403
    assert client.post(url("submission-merge", intake_ref=reference), {}).status_code == 403
    assert client.get(url("import-list")).json()["results"] == []


def test_another_team_sees_nothing_through_the_api(alice, charlie, sue, team_north):
    """charlie gets 404 on every endpoint of North's intake, and an empty list."""
    reference = take_intake(api(alice), team_north)
    other = api(charlie)
    assert other.get(url("submission-list")).json()["results"] == []
    for name in ("detail", "candidates"):
        assert other.get(url(f"submission-{name}", intake_ref=reference)).status_code == 404
    for name in ("approve", "reject", "merge", "steps", "submit"):
        assert other.post(url(f"submission-{name}", intake_ref=reference), {}).status_code == 404
    approved = api(sue).post(url("submission-approve", intake_ref=reference))
    assert approved.status_code == 200 and approved.json()["case"]


def test_import_status_through_the_api(sue, charlie, team_north):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_import import as_csv, messy_rows

    rows, _faults = messy_rows(n=3)
    sign_in(__import__("django.test", fromlist=["Client"]).Client(), sue).post(
        reverse("intake:imports"),
        {"team": team_north.pk, "file": SimpleUploadedFile("a.csv", as_csv(rows))},
    )
    listing = api(sue).get(url("import-list")).json()["results"]
    assert listing[0]["status"] == "checked" and listing[0]["total_rows"] == 3
    batch_ref = listing[0]["reference"]
    assert api(sue).get(url("import-detail", batch_ref=batch_ref)).json()["percent_done"] == 100
    assert api(charlie).get(url("import-detail", batch_ref=batch_ref)).status_code == 404


def test_a_person_on_file_elsewhere_is_found_but_not_shown(alice, sue, team_south):
    """
    A duplicate in another team's caseload: neither the caseworker nor her own supervisor learn
    who (no reference, no reasons), only the neutral message; the merge into them is refused.
    """
    from ..factories import CaseFactory

    elsewhere = PersonFactory(full_name="김순희", birth_year=1984)
    CaseMemberFactory(case=CaseFactory(team=team_south), person=elsewhere)
    reference = take_intake(api(alice), alice.team_memberships.get().team)
    for user in (alice, sue):
        answer = api(user).get(url("submission-candidates", intake_ref=reference))
        assert answer.json() == {
            "candidates": [],
            "out_of_sight": True,
            "message": "A possible duplicate is being checked by your supervisor.",
        }
        assert elsewhere.reference not in answer.content.decode()
    refused = api(sue).post(
        url("submission-merge", intake_ref=reference),
        {"person": elsewhere.reference},
        format="json",
    )
    assert refused.status_code == 400
