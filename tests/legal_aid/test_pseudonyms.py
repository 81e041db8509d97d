"""
Issue 17, point 4: pseudonyms that hold as a whole. A North Korean mother detained in Jilin, her
Chinese partner and their daughter, all of whom first agreed to be named. The mother then
withdraws her consent to be named: the approved appeal that named her is revoked (download
refused with the reason, an audit event, a notice on the requester's and the approver's
dashboards), and the regenerated appeal names neither her nor her child, and holds no birth
year, no date to the day, no case reference and no username: in its text and its metadata.
One render per version, many assertions on each.
"""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Notification, TeamMembership
from audit.models import AuditEvent
from casework.choices import Redaction
from casework.erasure import consent_withdraw
from casework.models import CaseAssignment
from consent.models import Scope
from legal_aid import services
from legal_aid.documents import preview, rendering
from legal_aid.models import AdvocacyDocument

from ..conftest import sign_in
from ..factories import MembershipFactory, UserFactory
from ..scenarios import FAMILY_SECRETS as SECRETS
from ..scenarios import family_secret_values as secret_values
from .test_documents_render import pdf_of, squeezed, text_of
from .test_documents_services import (  # noqa: F401
    approve,
    family,
    name_everyone,
    request,
)

Kind = AdvocacyDocument.Kind
Status = AdvocacyDocument.Status

# The days the family's records carry (build_family): none may be printed to the day.
CASE_DAYS = ("2025-10-02", "2025-10-03", "2021-09-01")
CASE_DAYS_LONG = ("October 2, 2025", "2 October 2025", "Oct. 2, 2025", "October 3, 2025")


def metadata_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    fields = " ".join(str(value) for value in (reader.metadata or {}).values())
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8", "replace")
    return f"{fields} {xmp}"


@pytest.mark.postgres
def test_a_mother_withdraws_her_consent_to_be_named(
    north_case,
    family,  # noqa: F811
    alice,
    sue,
    client,
    django_capture_on_commit_callbacks,
):
    name_everyone(north_case)
    mother = family["mother"]
    first = request(Kind.DEPORTATION_APPEAL, case=north_case, subject=mother, actor=alice)
    first = services.document_render(document_id=first.pk)
    assert first.status == Status.READY, first.failure_reason
    named_text = text_of(pdf_of(first))
    assert SECRETS["mother"]["full_name"] in named_text
    first = approve(first, sue)
    assert first.downloadable
    assert (first.sha256, 1) in preview._kept  # the page sue looked at, drawn once for the next

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(person=mother, scopes=[Scope.NAMED_IN_DOCUMENTS], actor=sue)
    # Its pages drawn for the preview go with its file.
    assert not [key for key in preview._kept if key[0] == first.sha256]

    # The approved version is revoked, with its reason, audited.
    first.refresh_from_db()
    assert first.status == Status.WITHDRAWN and not first.file.name and first.snapshot is None
    assert "withdrew their consent to be named" in first.withdrawn_reason
    event = AuditEvent.objects.get(target_id=str(first.pk), detail__status="withdrawn")
    assert event.actor == sue
    assert event.detail["revoked_because"] == "naming_consent_withdrawn"
    with pytest.raises(services.DocumentWithdrawn):
        services.document_download(document=first, actor=alice)
    download = reverse("legal_aid:advocacy_download", kwargs={"document_id": first.pk})
    refused = sign_in(client, alice).get(download)
    assert refused.status_code == 410
    assert "withdrew their consent to be named" in refused.content.decode()

    # The requester and the approver are notified, by reference only, written when read.
    for user in (alice, sue):
        notification = Notification.objects.get(
            recipient=user, kind=Notification.Kind.DOCUMENT_REVOKED
        )
        assert notification.target_id == str(first.pk)
        page = sign_in(client, user).get(reverse("accounts:notification_list")).content.decode()
        assert f"Advocacy document {first.reference} v1 was revoked" in page
        opened = reverse("accounts:notification_open", args=[notification.pk])
        assert opened in page
    # sue's notification is hers alone: alice cannot open it, nor mark it read.
    assert sign_in(client, alice).get(opened).status_code == 404
    answer = sign_in(client, sue).get(opened)
    assert answer.status_code == 302 and answer.url == first.get_absolute_url()
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert "was revoked" not in client.get(reverse("casework:dashboard")).content.decode()

    # The regenerated appeal: the whole family pseudonymised, nothing that points at them.
    second = services.document_regenerate(document=first, actor=alice)
    second = services.document_render(document_id=second.pk)
    assert second.status == Status.READY, second.failure_reason
    assert second.names_people is False and second.downloadable
    pdf = pdf_of(second)
    # Read once: pypdf's extraction of the whole file is a third of a second of CPU.
    text = text_of(pdf)
    flat = squeezed(text)
    for value in secret_values("mother", "father", "child"):
        assert squeezed(value) not in flat, value
    assert re.search(r"Mother B \(aged \d+ to \d+\)", text)
    assert re.search(r"Child D \(aged \d+ to \d+\)", text)
    assert "mother of Child D" in text
    # The birth years: nowhere in the body (the law's own dates, a 2015 report, come after it).
    body = text.split("Table of authorities")[0]
    for year in ("1986", "1979", "2015"):
        # A year in the body only as an instrument's date in a full citation: "(1979)".
        assert not re.search(rf"{year}(?!\))", body), year
    for day in CASE_DAYS + CASE_DAYS_LONG:
        assert day not in text, day
    assert "October 2025" in text  # the arrest and the detention, to the month
    assert north_case.reference not in text
    assert "China: Jilin" not in text  # the appeal does not need her province
    assert "requested by: Caseworker" in text
    metadata = metadata_of(pdf)
    for username in ("alice", "sue"):  # as a word: "issued" is no leak of sue
        assert not re.search(rf"\b{username}\b", text + metadata), username
    for forbidden in (north_case.reference, *SECRETS["mother"].values()):
        assert str(forbidden) not in text and str(forbidden) not in metadata, forbidden
    assert second.reference in metadata  # the title: reference and version only
    assert second.snapshot["pseudonymised"] is True
    # The approver's list: she withdrew her consent; her child and the child's father, whom the
    # separation argument names, are not named because of her.
    why = {
        d["label"].split(" (")[0]: d["not_named_because"] for d in second.snapshot["disclosures"]
    }
    assert why == {"Mother B": "consent", "Child D": "family", "Father C": "family"}


@pytest.mark.postgres
def test_a_pseudonymised_pdf_that_leaks_is_not_kept(
    north_case,
    family,  # noqa: F811
    team_north,
    monkeypatch,
):
    """
    Whatever composer or template wrote it, the rendered PDF is checked: a heading that prints
    the case reference and the requester's username in a pseudonymised document makes the
    render fail, with the kinds of leak (never the values) as the reason, and no file is kept.
    """
    user = UserFactory(username="xiaoming")
    MembershipFactory(user=user, team=team_north)
    CaseAssignment.objects.create(case=north_case, user=user)
    document = request(case=north_case, subject=family["child"], actor=user)
    original = rendering.render_html

    def with_a_leak(snapshot, *, template=None):
        html = original(snapshot, template=template)
        return html.replace("</h1>", f" {north_case.reference} xiaoming</h1>", 1)

    monkeypatch.setattr(rendering, "render_html", with_a_leak)
    failed = services.document_render(document_id=document.pk)
    assert failed.status == Status.FAILED and not failed.file.name
    assert "case_reference" in failed.failure_reason and "username" in failed.failure_reason
    assert north_case.reference not in failed.failure_reason


@pytest.mark.postgres
@pytest.mark.parametrize("redaction", [Redaction.PSEUDONYMISED, Redaction.NAMED_WITH_CONSENT])
def test_a_username_that_is_a_word_of_the_document_is_no_leak(
    north_case,
    family,  # noqa: F811
    team_north,
    redaction,
):
    """
    The demo legal advocate's username is "advocate", and every document says "Legal advocate"
    of whoever asked for it: her documents are kept, pseudonymised or named.
    """
    user = UserFactory(username="advocate")
    MembershipFactory(user=user, team=team_north, role=TeamMembership.Role.LEGAL_ADVOCATE)
    CaseAssignment.objects.create(case=north_case, user=user)
    name_everyone(north_case)
    document = request(case=north_case, subject=family["child"], actor=user, redaction=redaction)
    rendered = services.document_render(document_id=document.pk)
    assert rendered.failure_reason == ""
    assert rendered.status == Status.READY
    # Read by PDFium, as the leak check read it (pypdf's extraction cost a third of a second).
    assert "advocate" in preview.pdf_text(pdf_of(rendered)).lower()


@pytest.mark.postgres
def test_a_named_document_that_shows_a_username_says_whom_to_tell(
    north_case,
    family,  # noqa: F811
    team_north,
    monkeypatch,
):
    """
    A username shown as a whole token fails a named document too, with a reason that does not
    call it pseudonymised and says whom to tell; one inside a longer identifier is not it.
    """
    user = UserFactory(username="jkim")
    MembershipFactory(user=user, team=team_north)
    CaseAssignment.objects.create(case=north_case, user=user)
    name_everyone(north_case)
    original = rendering.render_html

    def heading_with(extra):
        def render(snapshot, *, template=None):
            return original(snapshot, template=template).replace("</h1>", f" {extra}</h1>", 1)

        return render

    monkeypatch.setattr(rendering, "render_html", heading_with("jkim.lee jkimchi"))
    kept = services.document_render(
        document_id=request(case=north_case, subject=family["child"], actor=user).pk
    )
    assert kept.failure_reason == ""
    monkeypatch.setattr(rendering, "render_html", heading_with("by JKim."))
    document = request(case=north_case, subject=family["child"], actor=user)
    failed = services.document_render(document_id=document.pk)
    assert failed.status == Status.FAILED
    assert "username" in failed.failure_reason
    assert "pseudonymised" not in failed.failure_reason
    assert "Tell your supervisor" in failed.failure_reason
