"""
Issue 18 in chromium: the caseworker of a detained mother's family asks for a document. The form
chooses the urgent appeal about the mother, shows the family by name and reference, explains the
two UN communications, and says beside the deadline field that a day past is no deadline. With
a deadline next week the document's pages show it under the urgency.
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casework import dates
from tests.legal_aid.test_documents_services import SECRETS, build_family

from .conftest import enrol_totp, sign_in_by_session

pytestmark = pytest.mark.browser


def test_the_form_chooses_the_urgent_appeal_and_keeps_errors_by_their_field(
    page, page_watch, live_server, north_case, alice, shot
):
    family = build_family(north_case, alice)
    team = north_case.team
    team.organisation, team.confidential_contact = "Shelter Network", "protection desk"
    team.save()
    enrol_totp(alice)
    sign_in_by_session(
        page,
        live_server,
        alice,
        opening=reverse("legal_aid:advocacy_new", kwargs={"case_ref": north_case.reference}),
    )
    about = page.get_by_label("About")
    expect(about.locator("option:checked")).to_contain_text(
        f"{SECRETS['mother']['full_name']} ({family['mother'].reference})"
    )
    expect(page.get_by_label("Document").locator("option:checked")).to_have_text(
        "Urgent appeal against deportation"
    )
    expect(page.locator("#id_recipient_format option:checked")).to_have_text(
        "Communication to the UN special procedures (urgent appeal)"
    )
    expect(page.get_by_text("choose the allegation letter for violations")).to_be_visible()
    yesterday = dates.today(team=team) - datetime.timedelta(days=1)
    page.get_by_label("Deadline").fill(yesterday.isoformat())
    shot(page, "01-request-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Prepare the document").click()
    deadline_field = page.locator("div:has(> #id_deadline)")
    expect(deadline_field).to_contain_text("A deadline cannot be in the past.")
    expect(page.locator("div:has(> #id_subject)")).not_to_contain_text("deadline")
    shot(page, "02-deadline-refused")
