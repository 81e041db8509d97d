"""
Issue 16, point 5, in chromium: the supervisor, on her phone in Korean, is refused a share because
the mother's consent was never recorded, and follows the refusal's link to the mother's consent
section; the caseworker, at her desk in English, records the consent there from the person page;
the supervisor's share then goes through. Found by the links and labels the pages show.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import TeamMembership
from consent.checks import current_consent
from consent.models import Kind, Method
from tests.factories import MembershipFactory, UserFactory

from .conftest import (
    choose,
    click_to_open,
    enrol_totp,
    sign_in_by_session,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MOTHER = "김영희"
INTERPRETER = "Interpreter Choi"


def _submit(page, name: str) -> None:
    click_to_open(page.get_by_role("button", name=name, exact=True))


def _share_with(page, advocate: str) -> None:
    """From the case page shown, through its link, as the supervisor sees it in Korean."""
    click_to_open(page.get_by_role("link", name="법률 지원가와 공유", exact=True))
    choose(page.get_by_label("법률 지원가"), advocate)
    _submit(page, "공유")


def test_consent_recorded_from_the_person_page_lets_the_case_be_shared(
    page, open_page, live_server, alice, sue, north_case, shot
):
    mother = north_case.people.get()
    mother.full_name = MOTHER
    mother.save()
    amal = UserFactory(username="amal")
    MembershipFactory(user=amal, team=north_case.team, role=TeamMembership.Role.LEGAL_ADVOCATE)
    enrol_totp(alice)
    enrol_totp(sue)

    # The supervisor, on her phone, in Korean: the share is refused and names the mother.
    # Korean chosen on this phone before (the switcher is walked in test_languages.py and, on a
    # phone, test_first_week.py): she signs in on the case she shares.
    page.set_viewport_size(PHONE)
    case_page = reverse("casework:case_detail", args=[north_case.reference])
    sign_in_by_session(page, live_server, sue, language="ko", opening=case_page)
    _share_with(page, "amal")
    missing = page.locator(".consent-missing")
    expect(missing).to_contain_text("먼저 동의를 기록하십시오")
    link = missing.get_by_role("link", name=f"{MOTHER} ({mother.reference})")
    expect(link).to_be_visible()
    shot(page, "01-share-refused-ko-390")
    click_to_open(link)
    assert page.url.endswith(f"/people/{mother.reference}/#consent")
    section = page.locator("section#consent")
    expect(section.get_by_role("heading", name="동의", exact=True)).to_be_visible()
    expect(section).to_contain_text("기록된 동의가 없습니다.")
    expect(section.get_by_role("link", name="동의 기록", exact=True)).to_be_visible()
    shot(page, "02-consent-section-ko-390")

    # The caseworker, at her desk in English, records it from the person page.
    desk = open_page()
    sign_in_by_session(desk, live_server, alice, opening=case_page)
    click_to_open(
        desk.get_by_role("region", name="People of this case")
        .get_by_role("link", name=MOTHER)
        .first
    )
    consent = desk.locator("section#consent")
    expect(consent).to_contain_text("No consent has been recorded.")
    click_to_open(consent.get_by_role("link", name="Record consent", exact=True))
    expect(desk.get_by_role("heading", level=1)).to_have_text(
        f"Record the consent of {MOTHER} ({mother.reference})"
    )
    desk.get_by_text("The person was asked and answered", exact=True).click()
    for scope in ("Keep my details on file", "Share my case with legal advocates"):
        desk.get_by_text(scope, exact=True).click()
        expect(desk.get_by_role("checkbox", name=scope, exact=True)).to_be_checked()
    desk.get_by_label("How was consent given?").select_option(label="Through an interpreter")
    choose(desk.get_by_label("Witnessed by (staff)"), "alice")
    desk.get_by_label("Witnessed by (others)").fill(INTERPRETER)
    shot(desk, "03-record-consent-en-1280")
    _submit(desk, "Save")
    expect(desk.get_by_role("status")).to_contain_text("The consent was recorded.")
    assert desk.url.endswith("#consent")
    consent = desk.locator("section#consent")
    scopes = consent.get_by_role("table").first
    expect(
        scopes.get_by_role("row", name=re.compile("Share my case with legal advocates"))
    ).to_contain_text("Agreed")
    expect(consent).to_contain_text(INTERPRETER)
    expect(consent.get_by_role("link", name="Renew consent", exact=True)).to_be_visible()
    expect(consent.get_by_role("link", name="Withdraw consent", exact=True)).to_be_visible()
    shot(desk, "04-consent-recorded-en-1280")
    recorded = current_consent(mother)
    assert (recorded.kind, recorded.method, recorded.recorded_by) == (
        Kind.GIVEN,
        Method.INTERPRETER,
        alice,
    )

    # Back on the supervisor's phone: the same share now goes through.
    page.goto(case_page)
    _share_with(page, "amal")
    expect(page.get_by_role("status")).to_contain_text("사례를 amal 님과 공유했습니다.")
    shot(page, "05-shared-ko-390")
    assert north_case.assignments.filter(user=amal).exists()
