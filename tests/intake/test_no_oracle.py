"""
Duplicate detection is no oracle (issue 14): whoever types a name or a phone number into an
intake learns who matched only among the people they may already see. A caseworker of another
team learns one neutral sentence; the supervisors of the team that holds the record see the
detail in their queue. Every lookup is audited by counts and throttled per user. Drafts stay
with their author; malformed ids are 400/404; every refusal of the intake is audited.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import TeamMembership
from audit.models import AuditEvent
from intake.models import ImportBatch, IntakeSubmission

from ..conftest import sign_in
from ..factories import CaseMemberFactory, MembershipFactory, PersonFactory, UserFactory
from .conftest import ANSWERS, IDENTITY, fill, start, step_url, submit

pytestmark = pytest.mark.django_db

NEUTRAL = "A possible duplicate is being checked by your supervisor."
NAME_REASON = "A name given is their recorded name"
CONTACT_REASON = "The same contact"
BIRTH_YEAR_REASON = "Born within a year of each other"


@pytest.fixture
def north_person(north_case):
    """Someone of North's caseload whom the intakes' principal (김순희, 1984) matches."""
    return CaseMemberFactory(
        case=north_case,
        person=PersonFactory(full_name="김순희", birth_year=1985, contact=IDENTITY["contact"]),
    ).person


@pytest.fixture
def sam(team_south):
    """South's supervisor."""
    user = UserFactory(username="sam")
    MembershipFactory(user=user, team=team_south, role=TeamMembership.Role.SUPERVISOR)
    return user


def api(user):
    return sign_in(APIClient(), user)


def api_url(name, **kwargs):
    return reverse(f"intake_api:{name}", kwargs=kwargs)


def detail(reference):
    return reverse("intake:detail", kwargs={"intake_ref": reference})


def api_intake(client, team, identity=None, submit=True):
    """An intake taken through the API; submitted unless told otherwise. Returns the answer."""
    created = client.post(api_url("submission-list"), {"team": team.pk}, format="json")
    assert created.status_code == 201
    reference = created.json()["reference"]
    answers = {**ANSWERS, "identity": {**IDENTITY, **(identity or {})}}
    for step, step_answers in answers.items():
        saved = client.post(
            api_url("submission-steps", intake_ref=reference),
            {"step": step, "answers": step_answers},
            format="json",
        )
        assert saved.status_code == 200 and saved.json()["valid"], saved.json()
    if not submit:
        return reference
    return client.post(api_url("submission-submit", intake_ref=reference))


def lookups_of(user):
    return AuditEvent.objects.filter(actor=user, action="view", detail__lookup="duplicates")


def test_charlie_typing_a_north_name_learns_only_the_neutral_sentence(
    client, charlie, sam, sue, north_person
):
    sign_in(client, charlie)
    submission = submit(client, fill(client, start(client)))
    assert submission.duplicates.get(subject="principal").person == north_person

    page = client.get(detail(submission.reference))
    body = page.content.decode()
    assert page.status_code == 200 and NEUTRAL in body
    for leak in (north_person.reference, NAME_REASON, BIRTH_YEAR_REASON, CONTACT_REASON, "1985"):
        assert leak not in body
    answer = api(charlie).get(api_url("submission-candidates", intake_ref=submission.reference))
    assert answer.json() == {"candidates": [], "out_of_sight": True, "message": NEUTRAL}
    assert north_person.reference not in answer.content.decode()

    # South's own supervisor decides on the intake, but North's person is not hers to see.
    sams_page = sign_in(Client(), sam).get(detail(submission.reference)).content.decode()
    assert north_person.reference not in sams_page and NAME_REASON not in sams_page
    assert "that team's supervisors are told who" in sams_page

    # North's supervisor, who holds the record, is told in her queue: which intake, who, why.
    queue = sign_in(Client(), sue).get(reverse("intake:queue"))
    held = queue.content.decode()
    assert queue.status_code == 200
    assert submission.reference in held and north_person.reference in held
    assert NAME_REASON in held and BIRTH_YEAR_REASON in held and "South" in held
    # She is told, she does not get South's intake itself.
    assert sign_in(Client(), sue).get(detail(submission.reference)).status_code == 404


def test_charlie_typing_a_north_phone_number_learns_nothing_more(charlie, sue, alice, north_person):
    """Another name, North's person's phone number, through the API."""
    client = api(charlie)
    submitted = api_intake(
        client, charlie.team_memberships.get().team, identity={"full_name": "박영호"}
    )
    assert submitted.status_code == 200
    reference = submitted.json()["reference"]
    answer = client.get(api_url("submission-candidates", intake_ref=reference))
    assert answer.json() == {"candidates": [], "out_of_sight": True, "message": NEUTRAL}
    assert north_person.reference not in json.dumps(submitted.json())

    held = sign_in(Client(), sue).get(reverse("intake:queue")).content.decode()
    assert reference in held and north_person.reference in held and CONTACT_REASON in held
    told = api(sue).get(api_url("submission-held-here"))
    assert told.json() == [
        {
            "intake": reference,
            "team": "South",
            "status": "submitted",
            "subject": "principal",
            "person": north_person.reference,
            "reasons": ["contact"],
        }
    ]
    # Caseworkers, who supervise nothing, are not sent other teams' intakes.
    alice_queue = sign_in(Client(), alice).get(reverse("intake:queue"))
    assert alice_queue.status_code == 403 and reference not in alice_queue.content.decode()
    for user in (alice, charlie):
        refused = api(user).get(api_url("submission-held-here"))
        assert refused.status_code == 403 and reference not in refused.content.decode()
    assert AuditEvent.objects.filter(actor=charlie, action="denied").exists()


def test_a_caseworker_still_sees_matches_among_her_own_people(client, alice, north_person):
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    body = client.get(detail(submission.reference)).content.decode()
    assert north_person.reference in body and NAME_REASON in body and NEUTRAL not in body


def test_every_lookup_is_audited_by_counts_without_names(charlie, north_person):
    submitted = api_intake(api(charlie), charlie.team_memberships.get().team)
    reference = submitted.json()["reference"]
    event = lookups_of(charlie).get()
    assert event.target_reference == reference
    assert event.detail == {"lookup": "duplicates", "candidates": 1, "out_of_sight": 1}
    for value in (north_person.reference, "김순희", str(north_person.pk)):
        assert value not in json.dumps(event.detail, ensure_ascii=False)


def test_lookups_are_throttled_per_user_on_the_page_and_in_the_api(
    settings, client, charlie, alice, north_person
):
    settings.SHIMTEO_DUPLICATE_LOOKUPS_PER_HOUR = 1
    team = charlie.team_memberships.get().team
    assert api_intake(api(charlie), team).status_code == 200

    sign_in(client, charlie)
    draft = fill(client, start(client))
    page = client.post(reverse("intake:review", kwargs={"intake_ref": draft.reference}))
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "in the last hour" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == IntakeSubmission.Status.DRAFT and not draft.duplicates.exists()

    refused = api_intake(api(charlie), team)
    assert refused.status_code == 429 and "in the last hour" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert lookups_of(charlie).count() == 1
    denied = AuditEvent.objects.filter(actor=charlie, action="denied")
    assert denied.filter(detail__attempted="duplicate_lookup").count() == 2

    # The throttle is per user: alice is not held back by charlie's lookups.
    assert api_intake(api(alice), alice.team_memberships.get().team).status_code == 200


def test_a_draft_stays_with_its_author_until_submitted(client, alice, sue, bob, admin_user):
    sign_in(client, alice)
    draft = start(client)
    assert (
        client.post(step_url(draft, "identity"), {**IDENTITY, "action": "next"}).status_code == 302
    )
    for user in (sue, bob, admin_user):
        other = sign_in(Client(), user)
        assert other.get(detail(draft.reference)).status_code == 404
        assert other.get(step_url(draft, "identity")).status_code == 404
        assert other.post(reverse("intake:discard", args=[draft.reference])).status_code == 404
        client_api = api(user)
        assert (
            client_api.get(api_url("submission-detail", intake_ref=draft.reference)).status_code
            == 404
        )
        candidates = api_url("submission-candidates", intake_ref=draft.reference)
        assert client_api.get(candidates).status_code == 404
        listing = client_api.get(api_url("submission-list")).json()["results"]
        assert draft.reference not in json.dumps(listing)
    supervisor = sign_in(Client(), sue)
    assert supervisor.post(reverse("intake:approve", args=[draft.reference])).status_code == 404

    submit(client, fill(client, draft))
    assert supervisor.get(detail(draft.reference)).status_code == 200
    assert api(sue).get(api_url("submission-detail", intake_ref=draft.reference)).status_code == 200


def test_malformed_or_unknown_ids_are_400_or_404_never_500(client, alice, team_south):
    sign_in(client, alice)
    for team in ("abc", "", "1.5", "-1", "99999", str(team_south.pk), "1e3", "\u0661"):
        assert client.post(reverse("intake:new"), {"team": team}).status_code == 404, team
    assert client.post(reverse("intake:new")).status_code == 404
    assert not IntakeSubmission.objects.exists()

    client_api = api(alice)
    for team in ("abc", "", None, [1], {"pk": 1}, 99999):
        answer = client_api.post(api_url("submission-list"), {"team": team}, format="json")
        assert answer.status_code == 400, team
    answer = client_api.post(api_url("submission-list"), {"team": team_south.pk}, format="json")
    assert answer.status_code == 404
    assert client_api.post(api_url("submission-list"), [1], format="json").status_code == 400

    draft = start(client)
    for step, answers in (("identity", {"step": "nope", "answers": {}}), ("x", {"answers": []})):
        answer = client_api.post(
            api_url("submission-steps", intake_ref=draft.reference), answers, format="json"
        )
        assert answer.status_code == 400, step
    # A tampered formset count on the page: the step is shown again, not a 500.
    tampered = {"children-TOTAL_FORMS": "many", "children-INITIAL_FORMS": "x", "action": "next"}
    assert client.post(step_url(draft, "family"), tampered).status_code == 400
    tampered["action"] = "add_child"
    assert client.post(step_url(draft, "family"), tampered).status_code in (302, 400)
    assert client.get(step_url(draft, "nonsense")).status_code == 404
    assert client.get(detail("I-NOPE")).status_code == 404


def test_malformed_choices_of_supervisors_are_400_never_500(client, alice, sue, team_north):
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))
    supervisor = sign_in(Client(), sue)
    for team in ("abc", "", "99999"):
        upload = supervisor.post(reverse("intake:imports"), {"team": team, "file": ""})
        assert upload.status_code == 400, team
    merge = reverse("intake:merge", args=[submission.reference])
    assert supervisor.post(merge, {"person": "P-NOPE"}).status_code == 302
    client_api = api(sue)
    merge = api_url("submission-merge", intake_ref=submission.reference)
    for person in (["x"], {"a": 1}, None, "P-NOPE"):
        assert client_api.post(merge, {"person": person}, format="json").status_code == 400
    reject = api_url("submission-reject", intake_ref=submission.reference)
    assert client_api.post(reject, {"reason": ["x", {"a": 1}]}, format="json").status_code == 400
    assert client_api.post(reject, "not json", content_type="application/json").status_code == 400
    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.SUBMITTED


def test_refusals_of_intake_pages_and_api_are_audited(client, alice, north_person):
    sign_in(client, alice)
    submission = submit(client, fill(client, start(client)))

    def denied(attempted):
        return AuditEvent.objects.filter(
            actor=alice, action="denied", detail__attempted=attempted
        ).count()

    assert client.get(reverse("intake:queue")).status_code == 403
    assert client.get(reverse("intake:imports")).status_code == 403
    for name in ("approve", "reject", "merge"):
        assert (
            client.post(reverse(f"intake:{name}", args=[submission.reference])).status_code == 403
        )
        assert denied(f"intake_{name}") == 1, name
    assert denied("decision_queue") == 1 and denied("import_list") == 1

    client_api = api(alice)
    for name in ("approve", "reject", "merge"):
        answer = client_api.post(api_url(f"submission-{name}", intake_ref=submission.reference))
        assert answer.status_code == 403, name
    assert denied("SubmissionViewSet") == 3


def test_a_spreadsheet_of_north_names_tells_south_nothing_and_north_who(
    client, sam, sue, north_person, team_south
):
    """sam (South's supervisor) imports a row naming North's person: no reference for him."""
    from .test_import import as_csv, messy_rows, upload

    rows, _faults = messy_rows(n=2)
    rows[0].update(full_name="김순희", birth_year="1984", aliases="", contact="")
    upload(sign_in(client, sam), team_south, "south.csv", as_csv(rows))
    batch = ImportBatch.objects.get()
    first = batch.report["rows"][0]
    assert first["duplicates"] == [] and first["checked_elsewhere"] is True
    page = client.get(reverse("intake:import_detail", kwargs={"batch_ref": batch.reference}))
    body = page.content.decode()
    assert north_person.reference not in body and "that team's supervisors are told" in body
    event = AuditEvent.objects.get(actor=sam, detail__lookup="duplicates")
    assert event.target_reference == batch.reference
    assert event.detail == {
        "lookup": "duplicates",
        "rows": 2,
        "candidates": 1,
        "rows_out_of_sight": 1,
    }

    client.post(reverse("intake:import_start", kwargs={"batch_ref": batch.reference}))
    queued = IntakeSubmission.objects.get(team=team_south, status="submitted")
    held = sign_in(Client(), sue).get(reverse("intake:queue")).content.decode()
    assert queued.reference in held and north_person.reference in held


# The team that holds the record answers before the other team may approve.


def _verdict(client, candidate, verdict):
    url = reverse("intake:duplicate_verdict", kwargs={"candidate_id": candidate.pk})
    return client.post(url, {"verdict": verdict})


def _approve(client, submission):
    return client.post(reverse("intake:approve", kwargs={"intake_ref": submission.reference}))


def test_an_intake_waits_for_the_holding_teams_verdict_before_approval(
    client, charlie, sam, sue, north_person
):
    """
    South's supervisor cannot give North's person a second record: approval waits until North's
    supervisor answers, and "not the same person" lets it through, telling South nothing more.
    """
    sign_in(client, charlie)
    submission = submit(client, fill(client, start(client)))
    candidate = submission.duplicates.get(subject="principal")

    sam_client = sign_in(Client(), sam)
    waiting = _approve(sam_client, submission)
    assert waiting.status_code == 302
    assert "still being checked" in sam_client.get(waiting["Location"]).content.decode()
    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.SUBMITTED

    # Neither South's supervisor nor another caseworker may answer for North.
    assert _verdict(sam_client, candidate, "different").status_code == 404
    assert _verdict(sign_in(Client(), charlie), candidate, "different").status_code == 404

    sue_client = sign_in(Client(), sue)
    answered = _verdict(sue_client, candidate, "different")
    assert answered.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.verdict, candidate.verdict_by) == ("different", sue)
    assert "Not the same person" in sue_client.get(reverse("intake:queue")).content.decode()
    event = AuditEvent.objects.filter(actor=sue, detail__verdict="different").get()
    assert event.target_id == str(submission.pk) and north_person.reference not in str(event.detail)

    approved = _approve(sam_client, submission)
    assert approved.status_code == 302
    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.APPROVED


def test_the_same_person_blocks_approval_with_a_way_forward(
    client, charlie, sam, sue, north_person
):
    sign_in(client, charlie)
    submission = submit(client, fill(client, start(client)))
    candidate = submission.duplicates.get(subject="principal")
    assert _verdict(sign_in(Client(), sue), candidate, "same").status_code == 302

    sam_client = sign_in(Client(), sam)
    page = sam_client.get(_approve(sam_client, submission)["Location"]).content.decode()
    assert "already on file" in page and "Reject the intake" in page
    assert north_person.reference not in page
    submission.refresh_from_db()
    assert submission.status == IntakeSubmission.Status.SUBMITTED


def test_a_verdict_must_be_one_of_the_two(client, charlie, sue, north_person):
    sign_in(client, charlie)
    submission = submit(client, fill(client, start(client)))
    candidate = submission.duplicates.get(subject="principal")
    sue_client = sign_in(Client(), sue)
    for bogus in ("", "maybe", "\u00e9"):
        assert _verdict(sue_client, candidate, bogus).status_code == 302
        candidate.refresh_from_db()
        assert candidate.verdict == ""
