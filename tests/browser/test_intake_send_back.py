"""
Issue 16: a supervisor sends an intake back instead of rejecting it, and the caseworker corrects
one date and submits it again, nothing retyped. The supervisor decides at a desktop in English;
the caseworker corrects on a phone (390 px) in Korean.
"""

import re

import pytest
from playwright.sync_api import expect

from intake import services
from intake.models import IntakeSubmission
from tests.intake.conftest import ANSWERS, SITUATION

from .conftest import (
    click_to_open,
    enrol_totp,
    sign_in_by_session,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
REASON = "She has been undocumented since 2005, not 2025: check the date."


def _as_posted(answers: dict) -> dict:
    return {key: value if isinstance(value, list) else [value] for key, value in answers.items()}


@pytest.fixture
def submitted(alice):
    """alice's intake of a family, sent with the status date typed as 2025 instead of 2005."""
    submission = services.intake_start(actor=alice, team=alice.team_memberships.get().team)
    answers = {**ANSWERS, "situation": {**SITUATION, "status_since": "2025-06-01"}}
    for step, data in answers.items():
        services.intake_save_step(
            submission=submission, step=step, data=_as_posted(data), actor=alice
        )
    assert services.step_forms(submission, "situation").is_valid()
    return services.intake_submit(submission=submission, actor=alice)


def test_send_back_fix_and_resubmit(page, open_page, live_server, alice, sue, submitted, shot):
    enrol_totp(sue)
    enrol_totp(alice)
    detail = f"/intake/{submitted.reference}/"

    # The supervisor, at a desktop, in English.
    sign_in_by_session(page, live_server, sue, opening=detail)
    page.get_by_label("What should the caseworker correct?").fill(REASON)
    click_to_open(page.get_by_role("button", name="Send back to the caseworker"))
    expect(page.get_by_text("The intake was sent back to alice with your reason.")).to_be_visible()
    shot(page, "01-sent-back-en-1280")

    # The caseworker, on a phone, in Korean.
    phone = open_page()
    phone.set_viewport_size(PHONE)
    # In Korean, chosen on this phone before (the switcher, which brings her back to the intake
    # list, is walked there in test_first_week.py).
    sign_in_by_session(phone, live_server, alice, language="ko", opening="/intake/")
    returned = phone.locator("ul.returned-intakes li")
    expect(returned).to_contain_text(REASON)
    expect(phone.locator("html")).to_have_attribute("lang", "ko")
    shot(phone, "02-returned-list-ko-390")
    click_to_open(returned.get_by_role("link"))
    expect(phone.locator("#returned-reason")).to_contain_text(REASON)
    phone.goto(f"/intake/{submitted.reference}/steps/situation/")
    expect(phone.locator("#id_status_since")).to_have_value("2025-06-01")
    phone.locator("#id_status_since").fill("2005-06-01")
    phone.locator("button[name=action][value=next]").click()
    phone.wait_for_url(re.compile(r"/steps/needs/$"))
    phone.goto(f"/intake/{submitted.reference}/review/")
    shot(phone, "03-review-ko-390")
    phone.locator("section.intake form[method=post] button[type=submit]").click()
    phone.wait_for_url(re.compile(rf"/intake/{submitted.reference}/$"))
    submitted.refresh_from_db()
    assert submitted.status == IntakeSubmission.Status.SUBMITTED
    shot(phone, "04-submitted-again-ko-390")

    # Back at the desktop: the history, then approval.
    page.goto(detail)
    history = page.locator("ol.intake-history li")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text(REASON)
    expect(history.nth(2)).to_contain_text("Corrected and submitted again")
    click_to_open(page.get_by_role("button", name="Approve: create the people and their case"))
    submitted.refresh_from_db()
    assert submitted.status == IntakeSubmission.Status.APPROVED
    shot(page, "05-approved-en-1280")
