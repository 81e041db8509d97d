"""
Issue 17, point 4, in chromium: a supervisor approves a document that names a family only after
seeing it. The document's page shows who is named and with what, and the rendered pages as
images (drawn on the server, so a phone shows them too); approving before the pages were opened
is impossible because they open with the page. At 390 px nothing runs off the screen. Then the
mother withdraws her consent to be named, and the supervisor's dashboard says the approved
version was revoked.
"""

import pytest
from playwright.sync_api import expect

from casework.erasure import consent_withdraw
from consent.models import Scope
from legal_aid import services
from tests.legal_aid.test_documents_services import SECRETS, build_family, name_everyone, request

from .conftest import enrol_totp, sign_in_by_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_supervisor_sees_the_pages_and_who_is_named_then_is_told_of_the_revocation(
    page, page_watch, live_server, north_case, alice, sue, shot
):
    family = build_family(north_case, alice)
    name_everyone(north_case)
    document = request(case=north_case, subject=family["child"], actor=alice)
    document = services.document_render(document_id=document.pk)
    assert document.needs_approval

    enrol_totp(sue)
    sign_in_by_session(page, live_server, sue, opening=document.get_absolute_url())
    listing = page.locator("ul.disclosures")
    expect(listing).to_contain_text(f"Named: {SECRETS['mother']['full_name']}")
    expect(listing).to_contain_text("birth year 1986")
    expect(listing).to_contain_text("The case reference is printed.")
    images = page.locator(".preview-pages img")
    expect(images).to_have_count(document.page_count)
    first = images.first
    expect(first).to_have_attribute("alt", f"Page 1 of {document.page_count}")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 700", arg=first.element_handle()
    )
    shot(page, "01-approval-page-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0",
        arg=page.locator(".preview-pages img").first.element_handle(),
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".preview-pages img").first.bounding_box()["width"] <= PHONE["width"]
    shot(page, "02-approval-page-390")
    page.get_by_role("button", name="Approve for download").click()
    expect(page.get_by_text("Approved for download.")).to_be_visible()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()

    # The approved page is still open when her consent is withdrawn: a page image it loads lazily
    # from then on is refused with 410 Gone, as it must be.
    page_watch.allow_console_error(r"status of 410 \(Gone\).*/pages/\d+\.png")
    consent_withdraw(person=family["mother"], scopes=[Scope.NAMED_IN_DOCUMENTS], actor=sue)
    page.goto("/")
    # The header's count leads to the notifications, on the phone's one header line.
    page.locator(".site-header a.unread-count").click()
    # Newest first: the revocation, above the request for her approval that came before it.
    expect(page.locator("ul.notifications li").nth(1)).to_contain_text(
        "A document is waiting for your approval"
    )
    notice = page.locator("ul.notifications li").first
    expect(notice).to_contain_text(f"Advocacy document {document.reference} v1 was revoked")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "03-notifications-390")
    notice.get_by_role("link").first.click()
    expect(page.get_by_text("withdrew their consent to be named").first).to_be_visible()
    expect(page.get_by_role("link", name="Download the PDF")).to_have_count(0)
