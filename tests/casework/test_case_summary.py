"""
The printable case summary of a mother hiding in Jilin with her child and the child's Chinese
father: names at the level chosen as for advocacy documents, typed text left out with pseudonyms,
audited as a view of the case, out of sight answers 404.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import AuditEvent
from casework import dates, services
from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    NoteKind,
    Redaction,
    Region,
)
from consent.models import Consent
from tests.conftest import sign_in

from ..factories import AdvocateFactory
from .test_views_browse import MOTHER, _status, family  # noqa: F401 (the fixture, reused)

ARREST_NOTE = "Police came to the restaurant where 김순희 works."
VISIT_NOTE = "Visited 김순희 at the church shelter; the boy is well."


def summary_url(case, **query):
    url = reverse("casework:case_summary", args=[case.reference])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def lived_case(family, alice):  # noqa: F811
    """The family's case as it stands a few months on: a detention, a refused hukou, a note."""
    today = dates.today()
    mother, child = family.mother, family.child
    _status(mother, alice, LegalStatus.DETAINED_CN, today - datetime.timedelta(days=20))
    services.entitlement_record(
        person=child,
        kind=EntitlementKind.HOUSEHOLD_REGISTRATION,
        status=EntitlementStatus.DENIED,
        as_of=today - datetime.timedelta(days=40),
        note="Refused: the mother has no papers.",
        actor=alice,
    )
    services.incident_record(
        case=family.case,
        kind=IncidentKind.ARREST,
        occurred_on=today - datetime.timedelta(days=20),
        region=Region.JILIN,
        description=ARREST_NOTE,
        people=[mother],
        actor=alice,
    )
    services.case_note_add(
        case=family.case,
        body=VISIT_NOTE,
        kind=NoteKind.VISIT,
        contacted_on=today - datetime.timedelta(days=3),
        actor=alice,
    )
    services.task_create(
        case=family.case,
        title="Find a lawyer for 김순희",
        due_on=today - datetime.timedelta(days=1),
        actor=alice,
    )
    # Only the mother agreed to be named in documents; the father did not.
    Consent.objects.create(
        person=mother, method="written", store_data=True, named_in_documents=True
    )
    return family


def test_pseudonyms_by_default_name_no_one_and_leave_typed_text_out(client, lived_case, alice):
    response = sign_in(client, alice).get(summary_url(lived_case.case))
    assert response.status_code == 200
    page = response.content.decode()
    for name in (MOTHER, "李明", "王强"):
        assert name not in page
    for typed in (ARREST_NOTE, VISIT_NOTE, "Refused: the mother has no papers.", "Find a lawyer"):
        assert typed not in page
    # Age bands on the day, never a birth year.
    assert re.search(
        r"Parent A \(aged \d+ to \d+\) is a parent of Child B \(aged \d+ to \d+\)", page
    )
    assert "1984" not in page and "2012" not in page
    assert "Detained in China" in page
    assert "Arrest" in page
    assert "overdue" in page
    # A note by its kind and the day of the contact, not the day it was typed.
    contact = date_format(dates.today() - datetime.timedelta(days=3))
    assert f"1 note: Visit, contact on {contact}." in page
    # Written for a team at UTC+8: the day and hour in Shanghai, whatever the server's clock.
    shanghai = timezone.localtime(timezone.now(), ZoneInfo("Asia/Shanghai"))
    assert f"Prepared on {date_format(shanghai)}, {shanghai:%H}:" in page
    assert " UTC+0800 (Asia/Shanghai)" in page and "CST" not in page
    assert "(Asia/Shanghai) by alice." in page


def test_names_are_decided_for_the_family(client, lived_case, alice):
    """
    Only the mother agreed to be named: naming her as a parent of "Child B" would name the
    child, so no one is named and typed text stays out. Once the father and the child agree
    too, all three are named and the notes are printed.
    """
    url = summary_url(lived_case.case, names=Redaction.NAMED_WITH_CONSENT)
    page = sign_in(client, alice).get(url).content.decode()
    assert MOTHER not in page and "王强" not in page
    assert re.search(r"Parent A \(aged \d+ to \d+\)", page)
    assert ARREST_NOTE not in page and VISIT_NOTE not in page
    for person in (lived_case.father, lived_case.child):
        Consent.objects.create(
            person=person, method="written", store_data=True, named_in_documents=True
        )
    page = client.get(url).content.decode()
    assert MOTHER in page and "王强" in page
    assert ARREST_NOTE in page and VISIT_NOTE in page
    contact = dates.today() - datetime.timedelta(days=3)
    assert f'<time datetime="{contact:%Y-%m-%d}">{date_format(contact)}</time> — Visit' in page


def test_the_summary_is_audited_with_its_level_and_whom_it_named(client, lived_case, alice):
    case = lived_case.case
    for person in (lived_case.father, lived_case.child):
        Consent.objects.create(
            person=person, method="written", store_data=True, named_in_documents=True
        )
    sign_in(client, alice).get(summary_url(case, names=Redaction.NAMED_WITH_CONSENT))
    event = AuditEvent.objects.get(actor=alice, action="view", target_id=str(case.pk))
    assert event.detail["page"] == "summary"
    assert event.detail["redaction"] == Redaction.NAMED_WITH_CONSENT
    assert set(event.detail["named"]) == {
        str(getattr(lived_case, who).pk) for who in ("mother", "father", "child")
    }


def test_another_team_gets_404_and_nothing_is_recorded(client, lived_case, charlie):
    case = lived_case.case
    response = sign_in(client, charlie).get(summary_url(case))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(
        actor=charlie, action="view", target_id=str(case.pk)
    ).exists()


def test_an_advocate_sees_a_shared_case_summary_only_once_shared(client, lived_case, alice, sue):
    advocate = AdvocateFactory(username="lee")
    case = lived_case.case
    assert sign_in(client, advocate).get(summary_url(case)).status_code == 404
    for person in (lived_case.mother, lived_case.child, lived_case.father):
        Consent.objects.create(
            person=person, method="written", store_data=True, share_with_advocates=True
        )
    services.case_share(case=case, advocate=advocate, actor=sue)
    assert client.get(summary_url(case)).status_code == 200


@pytest.mark.parametrize("query", ["names=aggregate_only", "names=someone", "names="])
def test_an_unknown_level_is_a_bad_request(client, lived_case, alice, query):
    response = sign_in(client, alice).get(f"{summary_url(lived_case.case)}?{query}")
    assert response.status_code == 400


def test_the_case_page_links_to_its_summary(client, lived_case, alice):
    page = sign_in(client, alice).get(
        reverse("casework:case_detail", args=[lived_case.case.reference])
    )
    assert summary_url(lived_case.case) in page.content.decode()
