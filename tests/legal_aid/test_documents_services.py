"""
Advocacy documents: requesting, rendering, retrying, regenerating and approving, through the
services. The family (tests/scenarios.py's detained North Korean mother, her Chinese partner and
their unregistered child in alice's case) and the helpers here are imported by the other
test_documents_* modules.
"""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from audit.models import AuditEvent
from casework.choices import PersonRole
from casework.models import CaseAssignment
from casework.redaction import Redactor, letters
from consent.models import Consent
from legal_aid import services
from legal_aid.documents import facts
from legal_aid.documents.formats import recipients
from legal_aid.models import AdvocacyDocument

from ..factories import PersonFactory
from ..scenarios import FAMILY_SECRETS as SECRETS
from ..scenarios import detained_mother_with_chinese_partner

Kind = AdvocacyDocument.Kind
Redaction = AdvocacyDocument.Redaction
Status = AdvocacyDocument.Status


def build_family(case, actor) -> dict:
    """tests/scenarios.py's detained mother, her partner and their child, by role."""
    made = detained_mother_with_chinese_partner(case=case, actor=actor)
    return {"mother": made.mother, "father": made.father, "child": made.child}


def consent(person, **scopes):
    return Consent.objects.create(person=person, method="written", store_data=True, **scopes)


def name_everyone(case):
    """Every member of `case` consents to be named, to the State too (a UN communication): only
    then does a document name anyone (the family rule of casework.redaction)."""
    for member in case.members.select_related("person"):
        consent(member.person, named_in_documents=True, statistics=True, identity_to_state=True)


def approve(document, actor):
    """A supervisor opens the rendered pages, as the approval page shows them, and approves."""
    services.document_preview_page(document=document, actor=actor, page=1)
    return services.document_approve(document=document, actor=actor)


@pytest.fixture
def family(north_case, alice):
    return build_family(north_case, alice)


def request(kind=Kind.CHILD_ACCESS_BRIEF, *, case, subject, actor, **options):
    options.setdefault("language", "en")
    options.setdefault("redaction", Redaction.NAMED_WITH_CONSENT)
    return services.document_request(kind=kind, case=case, subject=subject, actor=actor, **options)


# Requests.


def test_a_request_is_queued_and_audited(
    north_case, family, alice, django_capture_on_commit_callbacks
):
    """A request makes a queued version 1 and its audit event; the render waits for the commit."""
    with django_capture_on_commit_callbacks() as callbacks:
        document = request(case=north_case, subject=family["child"], actor=alice)
    assert document.status == Status.QUEUED
    assert document.version == 1
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(target_id=str(document.pk), action="create")
    assert event.case_id == north_case.pk
    assert event.target_reference == document.reference


def test_a_child_brief_needs_a_child(north_case, family, alice):
    """A submission on a child's nationality, registration and schooling about the mother is refused."""
    with pytest.raises(ValidationError, match="about a child"):
        request(case=north_case, subject=family["mother"], actor=alice)


def test_an_appeal_needs_someone_detained_or_at_risk(north_case, family, alice):
    """An appeal is refused for a person with no status of detention or risk of return."""
    with pytest.raises(ValidationError, match="urgent appeal"):
        request(Kind.DEPORTATION_APPEAL, case=north_case, subject=family["father"], actor=alice)
    document = request(
        Kind.DEPORTATION_APPEAL, case=north_case, subject=family["mother"], actor=alice
    )
    assert document.status == Status.QUEUED


def test_the_subject_must_be_a_member_of_the_case(north_case, family, alice):
    """A person of another case cannot be the subject."""
    stranger = PersonFactory(role=PersonRole.CHILD)
    with pytest.raises(ValidationError, match="not a member"):
        request(case=north_case, subject=stranger, actor=alice)


def test_another_team_cannot_request_on_the_case(north_case, family, charlie):
    """charlie (team South) cannot ask for a document about North's case."""
    with pytest.raises(PermissionDenied):
        request(case=north_case, subject=family["child"], actor=charlie)


def test_aggregate_only_is_for_caseload_reports(north_case, family, alice):
    """A brief cannot be figures only; a caseload report cannot name anyone."""
    with pytest.raises(ValidationError):
        request(
            case=north_case,
            subject=family["child"],
            actor=alice,
            redaction=Redaction.AGGREGATE_ONLY,
        )
    with pytest.raises(ValidationError):
        services.document_request(
            kind=Kind.CASELOAD_REPORT,
            language="en",
            redaction=Redaction.PSEUDONYMISED,
            actor=alice,
        )


def test_a_document_for_the_un_or_a_partner_needs_the_teams_confidential_contact(
    north_case, family, alice
):
    """
    Without a confidential contact a submission to the Committee, UNHCR, a partner lawyer or
    the UN is refused, saying who sets it; once set, it is made. A cover never tells the
    drafter what to do: a contact removed after the request leaves its row out.
    """
    team = north_case.team
    team.confidential_contact = ""
    team.save()
    for recipient_format in recipients.NEEDS_CONTACT:
        kind = next(k for k in Kind.values if recipient_format in AdvocacyDocument.formats_for(k))
        subject = family["child"] if kind == Kind.CHILD_ACCESS_BRIEF else family["mother"]
        with pytest.raises(ValidationError, match="Ask an administrator") as refused:
            request(
                kind,
                case=north_case,
                subject=subject,
                actor=alice,
                recipient_format=recipient_format,
            )
        assert team.name in str(refused.value)
    team.confidential_contact = "protection desk, secure line on request"
    team.save()
    document = request(case=north_case, subject=family["child"], actor=alice)
    team.confidential_contact = ""
    team.save()
    rendered = services.document_render(document_id=document.pk)
    assert rendered.status == Status.READY
    with rendered.file.open("rb") as handle:
        pages = PdfReader(io.BytesIO(handle.read())).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Confidential contact" not in text and "Set the team" not in text
    assert "protection desk" not in text


# Redaction.


def test_letters_continue_past_z():
    """Pseudonym letters run A..Z, then AA."""
    assert [letters(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def test_pseudonyms_follow_the_order_of_membership(north_case, family, alice):
    """The case's first member is A; the mother B, the father C, the child D, with age bands on
    the day (born 1986-02-11, 1979-08-30 and 2015-04-02), never a birth year."""
    redactor = Redactor(north_case, level=Redaction.PSEUDONYMISED, on=datetime.date(2026, 6, 1))
    assert redactor.pseudonym(family["mother"]) == "Mother B (aged 40 to 49)"
    assert redactor.pseudonym(family["father"]) == "Father C (aged 40 to 49)"
    assert redactor.pseudonym(family["child"]) == "Child D (aged 6 to 11)"
    # On the child's 12th birthday the band moves on.
    later = Redactor(north_case, level=Redaction.PSEUDONYMISED, on=datetime.date(2027, 4, 2))
    assert later.pseudonym(family["child"]) == "Child D (aged 12 to 15)"


def test_names_are_decided_for_the_family(north_case, family, alice):
    """
    The mother consents to be named, the child cannot: naming her as the parent of "Child D"
    would name the child, so neither is named. Once every member consents, all are named at
    "names with consent", never when pseudonymised.
    """
    on = datetime.date(2026, 6, 1)
    consent(family["mother"], named_in_documents=True)
    family_rule = Redactor(north_case, level=Redaction.NAMED_WITH_CONSENT, on=on)
    mother = family_rule.show(family["mother"])
    assert (mother.label, mother.not_named_because) == ("Mother B (aged 40 to 49)", "family")
    child = family_rule.show(family["child"])
    assert (child.label, child.not_named_because) == ("Child D (aged 6 to 11)", "consent")
    assert mother.birth_year is None and mother.region == ""
    assert family_rule.named_any is False and family_rule.pseudonymised
    name_everyone(north_case)
    named = Redactor(north_case, level=Redaction.NAMED_WITH_CONSENT, on=on)
    assert named.show(family["mother"]).label == SECRETS["mother"]["full_name"]
    assert named.show(family["child"]).label == SECRETS["child"]["full_name"]
    assert named.named_any is True and named.case_reference() == north_case.reference
    hidden = Redactor(north_case, level=Redaction.PSEUDONYMISED, on=on)
    assert hidden.show(family["mother"]).label == "Mother B (aged 40 to 49)"
    assert hidden.named_any is False and hidden.case_reference() == ""
    assert hidden.date(datetime.date(2025, 10, 2)) == "October 2025"


def test_pseudonyms_are_stable_across_documents(north_case, family, alice, sue):
    """Two documents about the same case, by different staff, call each person the same."""
    brief = request(case=north_case, subject=family["child"], actor=alice)
    appeal = request(
        Kind.DEPORTATION_APPEAL,
        case=north_case,
        subject=family["mother"],
        actor=sue,
        redaction=Redaction.PSEUDONYMISED,
    )
    first = {p["pk"]: p["label"] for p in facts.gather(brief)["people"]}
    second = {p["pk"]: p["label"] for p in facts.gather(appeal)["people"]}
    shared = first.keys() & second.keys()
    assert str(family["child"].pk) in shared and str(family["mother"].pk) in shared
    assert all(first[pk] == second[pk] for pk in shared)
    assert first[str(family["child"].pk)].startswith("Child D (aged ")


# Rendering, retrying, regenerating, approving.


def test_a_failure_is_recorded_and_can_be_retried(north_case, family, alice, bob):
    """When the requester has lost sight of the case the render fails with a reason; retry works."""
    CaseAssignment.objects.create(case=north_case, user=bob)
    document = request(case=north_case, subject=family["child"], actor=bob)
    CaseAssignment.objects.filter(case=north_case, user=bob).delete()
    failed = services.document_render(document_id=document.pk)
    assert failed.status == Status.FAILED
    assert "can no longer see" in failed.failure_reason
    CaseAssignment.objects.create(case=north_case, user=bob)
    queued = services.document_retry(document=failed, actor=bob)
    assert queued.status == Status.QUEUED and queued.failure_reason == ""
    assert services.document_render(document_id=document.pk).status == Status.READY


def test_a_failed_document_is_retried_only_by_someone_who_sees_it(
    north_case, family, alice, charlie
):
    """Charlie of South is refused at the service, whatever page or call reached it."""
    document = request(case=north_case, subject=family["child"], actor=alice)
    AdvocacyDocument.objects.filter(pk=document.pk).update(status=Status.FAILED, failure_reason="x")
    failed = AdvocacyDocument.objects.get(pk=document.pk)
    with pytest.raises(PermissionDenied):
        services.document_retry(document=failed, actor=charlie)
    assert AdvocacyDocument.objects.get(pk=document.pk).status == Status.FAILED
    assert services.document_retry(document=failed, actor=alice).status == Status.QUEUED


def test_the_requester_cannot_approve_their_own(north_case, family, sue):
    """Four eyes: the supervisor who asked for it cannot approve it."""
    name_everyone(north_case)
    document = request(case=north_case, subject=family["child"], actor=sue)
    document = services.document_render(document_id=document.pk)
    with pytest.raises(PermissionDenied):
        services.document_approve(document=document, actor=sue)


def test_caseload_reports_are_seen_by_the_requester_and_the_teams_supervisors(
    alice, bob, sue, team_north
):
    """A report scoped to North is seen by alice who asked and by sue, not by bob."""
    report = services.document_request(
        kind=Kind.CASELOAD_REPORT,
        language="en",
        redaction=Redaction.AGGREGATE_ONLY,
        team=team_north,
        actor=alice,
    )
    assert list(AdvocacyDocument.objects.visible_to(alice)) == [report]
    assert list(AdvocacyDocument.objects.visible_to(sue)) == [report]
    assert not AdvocacyDocument.objects.visible_to(bob).exists()
