"""
A legal advocate builds and downloads a child access brief in chromium (issue 6, item 7): from the
case shared with them, in Korean and in English, following the document's page until it is
ready, then the PDF itself, read back with PDFium, and the download in the audit trail.
"""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from casework import services as casework
from consent.services import consent_record
from legal_aid.documents.preview import pdf_text
from legal_aid.models import AdvocacyDocument
from tests.factories import AdvocateFactory

from .conftest import (
    RENDER_TIMEOUT_MS,
    choose,
    click_to_open,
    enrol_totp,
    sign_in_by_session,
)

pytestmark = pytest.mark.browser

MOTHER = "박정숙"
PARTNER = "刘国强"
CHILD = "刘明明"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Rendering runs in the request (Celery is eager in tests) or in a worker: a generous wait.
READY_TIMEOUT_MS = 60_000


@pytest.fixture
def advocate(db):
    """A legal advocate of the "Legal aid" team, outside North, the case's team."""
    return AdvocateFactory(username="amal")


@pytest.fixture
def shared_case(alice, sue, advocate):
    """
    A North case: a North Korean mother, her Chinese partner (marriage not registered) and their
    child, refused school and household registration. Everyone consents to sharing with legal
    advocates, nobody to being named; the team's supervisor shares the case with the advocate.
    """
    case = casework.case_open(
        team=alice.team_memberships.get().team,
        actor=alice,
        risk_level="high",
        caseworkers=[alice],
    )
    common = {"actor": alice, "case": case, "region": "cn-jilin"}
    mother = casework.person_create(
        **common,
        role_in_case="principal",
        full_name=MOTHER,
        birth_year=1985,
        sex="female",
        nationality="dprk",
        role="refugee",
    )
    partner = casework.person_create(
        **common,
        role_in_case="partner",
        full_name=PARTNER,
        birth_year=1970,
        sex="male",
        nationality="prc",
        role="partner",
    )
    child = casework.person_create(
        **common,
        role_in_case="child",
        full_name=CHILD,
        birth_year=2016,
        sex="male",
        nationality="unknown",
        role="child",
    )
    casework.relationship_create(
        from_person=mother,
        to_person=partner,
        kind="partner_of",
        marriage_registered=False,
        actor=alice,
        case=case,
    )
    for parent in (mother, partner):
        casework.relationship_create(
            from_person=parent, to_person=child, kind="parent_of", actor=alice, case=case
        )
    as_of = datetime.date.today() - datetime.timedelta(days=30)
    for kind in ("household_registration", "school"):
        casework.entitlement_record(
            person=child, kind=kind, status="denied", as_of=as_of, actor=alice, case=case
        )
    for person in (mother, partner, child):
        consent_record(
            person=person,
            actor=alice,
            method="interpreter",
            scopes=["store_data", "share_with_advocates"],
        )
    casework.case_share(case=case, advocate=advocate, actor=sue)
    return case


def _pdf_text(download) -> str:
    # By PDFium, as the other tests read PDFs back (docs/ARCHITECTURE.md): its metadata too.
    return pdf_text(Path(download.path()).read_bytes())


def _build_brief(page, case, child_reference: str, language: str, *, on_dashboard: bool):
    """
    From the dashboard (through its link in the header unless it is the page shown): the case,
    its advocacy link, the form; returns the document's page.
    """
    if not on_dashboard:
        page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("region", name=re.compile("My open cases")).get_by_role(
        "link", name=case.reference
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")
    page.get_by_role(
        "link", name="Prepare an advocacy document (submission, appeal, letter)"
    ).click()
    form = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    form.get_by_label("Document").select_option(
        label="Submission on a child's nationality, registration and schooling"
    )
    choose(form.get_by_label("About"), child_reference)
    form.get_by_label("Language").select_option(label=language)
    form.get_by_label("Names").select_option(label="Pseudonyms for everyone")
    click_to_open(
        page.get_by_role("button", name="Prepare the document"), timeout=RENDER_TIMEOUT_MS
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Submission on a child's nationality, registration and schooling"
    )


def test_an_advocate_builds_and_downloads_a_child_access_brief(
    page, live_server, advocate, shared_case, shot
):
    """
    Amal, a legal advocate the case is shared with, opens it, asks for a child access brief in
    Korean and in English, waits on the document's page until it is ready and downloads each PDF:
    it cites items 2 and 3 of the 2003 Yanbian notice, names nobody (no one consented to be
    named), and each download is in the audit trail.
    """
    enrol_totp(advocate)
    child = shared_case.people.get(role="child")
    sign_in_by_session(page, live_server, advocate)
    shot(page, "01-dashboard")
    faults = []

    for number, (language, code) in enumerate((("한국어", "ko"), ("English", "en")), start=1):
        # The first from the dashboard the sign-in opened, the second from the first's page.
        _build_brief(page, shared_case, child.reference, language, on_dashboard=number == 1)
        # The page reloads itself while the document is queued or rendering.
        status = page.get_by_role("status")
        expect(status).to_have_text(re.compile(r"^\s*Ready"), timeout=READY_TIMEOUT_MS)
        shot(page, f"{number + 1:02d}-brief-{code}-ready")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the PDF").click()
        download = info.value
        assert re.fullmatch(r"[A-Z0-9-]+-v1\.pdf", download.suggested_filename)
        text = _pdf_text(download)

        # The Yanbian notice's items, cited in full: the library's labels are never printed.
        assert "YB-2003" not in text
        flat = re.sub(r"\s+", "", text)
        assert any(
            issuer in flat for issuer in ("YanbianKorean", "연변조선족자치주", "延边朝鲜族自治州")
        )
        for name in (CHILD, MOTHER, PARTNER):
            assert name not in text, "a person who did not consent to be named is named"
        if code == "ko" and not HANGUL.search(text):
            # Reported at the end, so that the English brief is still tried.
            faults.append(f"the Korean brief has no Korean text: {text[:80]!r}…")

        document = AdvocacyDocument.objects.get(
            case=shared_case, language=code, kind="child_access_brief"
        )
        assert {"YB-2003-2", "YB-2003-3"} <= set(document.snapshot["cited"]["provisions"])
        assert document.requested_by == advocate
        assert document.status == "ready"
        downloads = AuditEvent.objects.filter(
            action="download", actor=advocate, target_id=str(document.pk)
        )
        assert downloads.count() == 1
        assert downloads.get().case_id == shared_case.pk

    assert not faults, "\n".join(faults)
