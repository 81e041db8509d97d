"""
The two UN communications and what a named one needs (issue 18, point 1): the allegation letter
beside the urgent appeal, the deadline on the cover, consent to transmit identity to the State,
the identifiers a recipient needs (listed for the approver), and the request form offering only
what the facts support. Realistic families: a mother detained in Liaoning, a stateless child of
Jilin refused school, a family that never agreed to be named to the Government.
"""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from casework import dates
from casework.choices import LegalStatus, Region
from casework.models import Incident, LegalStatusRecord, Person
from casework.redaction import Redactor, naming_scopes
from legal_aid import services
from legal_aid.documents import word
from legal_aid.forms import CaseDocumentForm
from legal_aid.models import AdvocacyDocument

from ..conftest import sign_in
from ..scenarios import FAMILY_SECRETS as SECRETS
from ..scenarios import case_with_one_member
from .test_document_formats import (  # noqa: F401
    LANGUAGES,
    assert_complete_in,
    labels_in,
    rendered,
    team_cover,
)
from .test_documents_services import approve, consent, family, name_everyone  # noqa: F401
from .test_documents_views import api_client

Kind = AdvocacyDocument.Kind
Format = AdvocacyDocument.RecipientFormat
Redaction = AdvocacyDocument.Redaction

# What a recipient needs to act for the detained mother, and what only consent lets out.
MOTHER_IDENTIFIERS = (
    SECRETS["mother"]["full_name"],
    SECRETS["mother"]["alias"],
    SECRETS["mother"]["status_place"],
)


def name_everyone_but_to_the_state(case):
    """Every member agrees to be named in documents, but not to the Government."""
    for member in case.members.select_related("person"):
        consent(member.person, named_in_documents=True, statistics=True)


def in_liaoning(family):  # noqa: F811
    """The mother was arrested in Liaoning, where the family lives now."""
    Incident.objects.filter(people=family["mother"]).update(region=Region.LIAONING)
    Person.objects.filter(pk__in=[p.pk for p in family.values()]).update(region=Region.LIAONING)


def in_hiding(mother):
    """No detention, no arrest: the mother lives undocumented, hidden."""
    Incident.objects.filter(people=mother).delete()
    LegalStatusRecord.objects.filter(person=mother).delete()
    LegalStatusRecord.objects.create(
        person=mother,
        status=LegalStatus.UNDOCUMENTED_CN,
        effective_from=datetime.date(2020, 5, 1),
        country="CN",
    )


def test_a_communication_to_the_state_names_only_with_consent_to_transmit_identity(
    north_case,
    family,  # noqa: F811
):
    """The rule's one home: the Redactor, told the output reaches the State, asks both consents,
    and says why no one is named; for a lawyer's submission the consent to be named suffices."""
    name_everyone_but_to_the_state(north_case)
    to_state = Redactor(north_case, level=Redaction.NAMED_WITH_CONSENT, to_state=True)
    mother = to_state.show(family["mother"])
    assert (mother.named, mother.not_named_because) == (False, "state")
    assert naming_scopes(to_state=True) == ("named_in_documents", "identity_to_state")
    lawyer = Redactor(north_case, level=Redaction.NAMED_WITH_CONSENT)
    assert lawyer.show(family["mother"]).label == SECRETS["mother"]["full_name"]
    # The mother and the child agree; the father and the first member have not: no one.
    for person in (family["mother"], family["child"]):
        consent(person, named_in_documents=True, identity_to_state=True)
    assert Redactor(north_case, level=Redaction.NAMED_WITH_CONSENT, to_state=True).pseudonymised


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_detained_mother_in_liaoning_gets_an_urgent_appeal_naming_her_for_the_state(
    north_case,
    family,  # noqa: F811
    alice,
    sue,
    client,
    team_cover,  # noqa: F811
    language,
):
    """
    The form offers the urgent appeal about her first. With the family's consent to be named to
    the State, it carries her name in Hangul and romanised, her date of birth and place of
    detention, and the deadline on the cover; the approval page lists each of them. Until a
    supervisor approves it, it is not downloaded in either format.
    """
    in_liaoning(family)
    name_everyone(north_case)
    best = services.document_offers(case=north_case, actor=alice)[0]
    assert (best.kind, best.subject, best.formats[0]) == (
        Kind.DEPORTATION_APPEAL,
        family["mother"],
        Format.UN_COMMUNICATION,
    )
    deadline = dates.today(team=north_case.team) + datetime.timedelta(days=10)
    document, text = rendered(
        Kind.DEPORTATION_APPEAL,
        case=north_case,
        subject=family["mother"],
        actor=alice,
        language=language,
        redaction=Redaction.NAMED_WITH_CONSENT,
        recipient_format=Format.UN_COMMUNICATION,
        deadline=deadline,
        name=f"urgent-appeal-named-{language}",
    )
    flat = " ".join(text.split())
    assert document.names_people
    born = document.snapshot["sections"][0]["identifiers"]
    identifiers = [*MOTHER_IDENTIFIERS, next(i["value"] for i in born if "1986" in i["value"])]
    for value in identifiers:
        assert value in flat, value
    assert document.snapshot["cover"]["deadline"] in flat
    # The Word version, edited by UN offices, carries the same urgency and deadline.
    docx = " ".join(word.docx_text(word.render_docx(document.snapshot)).split())
    assert document.snapshot["cover"]["urgency"] in docx
    assert document.snapshot["cover"]["deadline"] in docx
    assert "Liaoning" in flat or "랴오닝" in flat
    assert labels_in(text, document) == []
    if language == "en":
        assert "Deadline:" in flat
        assert "identity being transmitted to the Government of China" in flat
    # The approver sees exactly what identifies her, before approving.
    mother = next(
        d for d in document.snapshot["disclosures"] if d["label"] == SECRETS["mother"]["full_name"]
    )
    for value in identifiers:
        assert any(value in fact for fact in mother["facts"]), (value, mother["facts"])
    body = sign_in(client, sue).get(document.get_absolute_url()).content.decode()
    for value in identifiers:
        assert value in body, value
    # Without approval no identifier leaves, in either format.
    for file_format in ("pdf", "docx"):
        with pytest.raises(services.DocumentNotApproved):
            services.document_download(document=document, actor=alice, file_format=file_format)
    assert approve(document, sue).downloadable


def test_a_family_without_consent_to_transmit_identity_gets_an_anonymous_communication(
    north_case,
    family,  # noqa: F811
    alice,
    team_cover,  # noqa: F811
):
    """
    Everyone agreed to be named in documents, but not to the Government: the urgent appeal,
    asked for with names, names no one, prints no identifier, says identity may not be
    transmitted; the approval list says why. A submission to the partner lawyer names them.
    """
    name_everyone_but_to_the_state(north_case)
    document, text = rendered(
        Kind.DEPORTATION_APPEAL,
        case=north_case,
        subject=family["mother"],
        actor=alice,
        redaction=Redaction.NAMED_WITH_CONSENT,
        recipient_format=Format.UN_COMMUNICATION,
        name="urgent-appeal-no-consent-to-state",
    )
    flat = " ".join(text.split())
    assert not document.names_people and document.downloadable
    for value in (*MOTHER_IDENTIFIERS, "1986"):
        assert value not in flat, value
    assert "Not all the persons concerned" in flat and "may not be transmitted" in flat
    assert all(i == [] for i in (s.get("identifiers", []) for s in document.snapshot["sections"]))
    assert {d["not_named_because"] for d in document.snapshot["disclosures"]} == {"state"}

    lawyer, text = rendered(
        Kind.DEPORTATION_APPEAL,
        case=north_case,
        subject=family["mother"],
        actor=alice,
        redaction=Redaction.NAMED_WITH_CONSENT,
        recipient_format=Format.LAWYER_SUBMISSION,
        name="lawyer-submission-named",
    )
    assert lawyer.names_people and SECRETS["mother"]["full_name"] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stateless_child_refused_school_in_jilin_gets_an_allegation_letter(
    north_case,
    family,  # noqa: F811
    alice,
    team_cover,  # noqa: F811
    language,
):
    """
    With the mother in hiding, the child comes first: a submission on her nationality,
    registration and schooling, or an allegation letter to the UN (the education bureau refused
    her, so it knows of her). The letter follows the mechanism's order; pseudonymised, it says
    identity may not be transmitted.
    """
    in_hiding(family["mother"])
    offers = services.document_offers(case=north_case, actor=alice)
    assert (offers[0].kind, offers[0].subject) == (Kind.CHILD_ACCESS_BRIEF, family["child"])
    assert Format.UN_ALLEGATION_LETTER in offers[0].formats
    assert Format.LAWYER_SUBMISSION in offers[0].formats
    mother = next(o for o in offers if o.subject == family["mother"])
    assert Format.UN_COMMUNICATION not in mother.formats
    document, text = rendered(
        Kind.CHILD_ACCESS_BRIEF,
        case=north_case,
        subject=family["child"],
        actor=alice,
        language=language,
        redaction=Redaction.PSEUDONYMISED,
        recipient_format=Format.UN_ALLEGATION_LETTER,
        name=f"allegation-letter-{language}",
    )
    snapshot = document.snapshot
    flat = " ".join(text.split())
    assert labels_in(text, document) == []
    assert SECRETS["child"]["full_name"] not in flat
    assert all(r["who"] and r["what"] for r in snapshot["requests"])
    assert_complete_in(language, document)
    numbers = [p["number"] for s in snapshot["sections"] for p in s.get("paragraphs", [])]
    assert numbers == list(range(1, len(numbers) + 1))
    if language == "en":
        headings = [s["heading"] for s in snapshot["sections"]]
        assert headings[:5] == [
            "The persons concerned",
            "What happened",
            "The authorities involved",
            "Domestic steps taken",
            "The continuing violation, and the law",
        ]
        assert headings[-2:] == [
            "Consent to transmit identity",
            "Submitting organisation and confidential contact",
        ]
        assert snapshot["title"] == "Allegation letter to the UN special procedures"
        assert "education bureau of the county or district refused school" in flat
        assert "allegation letter to the Government" in snapshot["summary"]
        assert "identity may not be transmitted" in flat
        assert "urgent appeal" not in flat.lower()
        assert len(snapshot["summary"].split()) <= 150
    if language == "ko":
        # The child's father is Chinese, her mother North Korean: "born to Chinese parents"
        # would state a fact the letter's own paragraphs deny.
        assert "중국 국적의 부모에게서" not in flat
        assert "부모 중 한 사람이 중국 국적자로" in flat
        # The unofficial translation is a sentence of its own after the English quotation.
        assert re.search(r"[.”]비공식 번역", text) is None
        assert "비공식 번역" in flat


def test_an_allegation_letter_is_not_offered_about_a_child_no_authority_knows(
    north_case,
    family,  # noqa: F811
    alice,
    team_cover,  # noqa: F811
):
    """A child whose refusals are only pending: the letter would announce her."""
    from casework.models import Entitlement

    Entitlement.objects.filter(person=family["child"]).update(status="pending")
    with pytest.raises(ValidationError) as refused:
        services.document_request(
            kind=Kind.CHILD_ACCESS_BRIEF,
            case=north_case,
            subject=family["child"],
            actor=alice,
            language="en",
            redaction=Redaction.PSEUDONYMISED,
            recipient_format=Format.UN_ALLEGATION_LETTER,
        )
    assert "recipient_format" in refused.value.error_dict or "subject" in refused.value.error_dict


def test_a_deadline_in_the_past_is_refused_on_its_field(north_case, family, alice, client):  # noqa: F811
    """Yesterday, where the team works, is no deadline: the form says so beside the field."""
    yesterday = dates.today(team=north_case.team) - datetime.timedelta(days=1)
    url = reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference})
    response = sign_in(client, alice).post(
        url,
        {
            "kind": Kind.DEPORTATION_APPEAL,
            "subject": str(family["mother"].pk),
            "recipient_format": Format.LAWYER_SUBMISSION,
            "language": "en",
            "redaction": Redaction.PSEUDONYMISED,
            "deadline": yesterday.isoformat(),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["deadline"]
    assert not AdvocacyDocument.objects.exists()


def test_a_refusal_of_the_form_shows_under_the_form_not_the_person(
    north_case,
    family,  # noqa: F811
    alice,
    client,
    team_cover,  # noqa: F811
):
    """An urgent appeal for the mother in hiding is refused under "For", not under "About"."""
    in_hiding(family["mother"])
    url = reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference})
    response = sign_in(client, alice).post(
        url,
        {
            "kind": Kind.DEPORTATION_APPEAL,
            "subject": str(family["mother"].pk),
            "recipient_format": Format.LAWYER_SUBMISSION,
            "language": "en",
            "redaction": Redaction.PSEUDONYMISED,
        },
    )
    assert response.status_code == 302
    # The urgent appeal is no longer offered at all: the form lists only what the facts support.
    form = sign_in(client, alice).get(url).context["form"]
    assert Format.UN_COMMUNICATION not in dict(form.fields["recipient_format"].choices)


def test_the_form_offers_what_the_facts_support_and_names_the_people(
    north_case,
    family,  # noqa: F811
    alice,
    client,
):
    """
    The detained mother's case: the urgent appeal about her is chosen first. A case without
    children is not offered the child's submission. People are shown by name and reference.
    """
    url = reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference})
    page = sign_in(client, alice).get(url)
    form = page.context["form"]
    assert form.initial["kind"] == Kind.DEPORTATION_APPEAL
    assert form.initial["subject"] == str(family["mother"].pk)
    assert form.initial["recipient_format"] == Format.UN_COMMUNICATION
    assert (
        f"{SECRETS['mother']['full_name']} ({family['mother'].reference})" in page.content.decode()
    )

    childless = case_with_one_member(team=north_case.team, caseworker=alice)
    offers = services.document_offers(case=childless, actor=alice)
    form = CaseDocumentForm(case=childless, user=alice, offers=offers)
    assert Kind.CHILD_ACCESS_BRIEF not in dict(form.fields["kind"].choices)


@pytest.mark.parametrize(
    ("language", "recipient", "who_answers"),
    [("ko", "수신처", "담당"), ("zh-hans", "收件方", "负责人")],
)
def test_the_form_names_the_recipient_in_korean_and_chinese(
    north_case,
    family,  # noqa: F811
    alice,
    client,
    language,
    recipient,
    who_answers,
):
    """
    Above the recipients the form says "addressed to" in the reader's language, as the document's
    page does, not the dashboard's "for whom" (who answers for a follow-up); and its fields are
    written as every form's: the label without a colon, the hint under the field.
    """
    url = reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference})
    page = sign_in(client, alice).get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    label = re.search(r'<label for="id_recipient_format">([^<]*)</label>', page)
    assert label is not None
    assert label.group(1) == recipient
    assert who_answers not in label.group(1)
    assert '<small id="id_recipient_format_helptext">' in page
    assert '<label for="id_deadline">' in page
    assert ":</label>" not in page


def test_the_consent_page_shows_consent_to_transmit_identity(
    north_case,
    family,  # noqa: F811
    alice,
    client,
):
    """The child's mother answered for her: yes to naming, and to the State; shown in Korean."""
    consent(
        family["child"],
        guardian=family["mother"],
        named_in_documents=True,
        identity_to_state=True,
    )
    url = reverse("casework:person_detail", args=[family["child"].reference])
    page = sign_in(client, alice).get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert re.search(
        r'<th scope="row">유엔이 내 신원을 중국 정부에 전달하는 것\(유엔 진정\)</th>'
        r'<td class="consent-yes">',
        page,
    ), page


def test_the_api_takes_a_deadline_and_refuses_one_in_the_past(
    north_case,
    family,  # noqa: F811
    alice,
    client,
    team_cover,  # noqa: F811
):
    """Through the API: yesterday is refused on its field (400); next week is kept and shown."""
    api = api_client(client, alice)
    today = dates.today(team=north_case.team)
    asked = {
        "kind": Kind.CHILD_ACCESS_BRIEF,
        "case": north_case.reference,
        "subject": family["child"].reference,
        "language": "en",
        "redaction": Redaction.PSEUDONYMISED,
        "recipient_format": Format.UN_ALLEGATION_LETTER,
    }
    past = api.post(
        "/api/v1/legal/documents/",
        {**asked, "deadline": (today - datetime.timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert past.status_code == 400 and "deadline" in past.json(), past.content
    coming = (today + datetime.timedelta(days=7)).isoformat()
    kept = api.post(
        "/api/v1/legal/documents/", {**asked, "deadline": coming}, content_type="application/json"
    )
    assert kept.status_code == 202, kept.content
    assert kept.json()["deadline"] == coming
    # The document's page shows it, in the reader's date format.
    document = AdvocacyDocument.objects.get(deadline=coming)
    page = sign_in(client, alice).get(reverse("legal_aid:advocacy_detail", args=[document.pk]))
    shown = " ".join(page.content.decode().split())
    assert "Deadline" in shown
    assert date_format(datetime.date.fromisoformat(coming), "DATE_FORMAT") in shown
