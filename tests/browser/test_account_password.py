"""
Issue 16, the account pages, in chromium at a phone's width (390 px) and in Korean: a caseworker
opens her account page from her name in the header, changes her password through the real form
(a typo in the repeat first), stays signed in, and her other device is signed out.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD

from .conftest import (
    choose_language,
    enrol_totp,
    login_again_with_totp,
    open_menu,
    sign_in_by_session,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEW = "a long new passphrase for the north office"


def test_a_caseworker_changes_her_password_on_a_phone_in_korean(
    page, open_page, live_server, alice, shot
):
    enrol_totp(alice)
    laptop = open_page()
    sign_in_by_session(laptop, live_server, alice)
    page.set_viewport_size(PHONE)
    login_again_with_totp(page, live_server, alice, DEFAULT_PASSWORD)
    choose_language(page, "ko")

    open_menu(page)
    page.locator("a.who").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("로그인 및 보안")
    expect(page.locator("#backup-codes-remaining")).to_contain_text("0개")
    shot(page, "01-account-page-ko-390")
    page.get_by_role("link", name="비밀번호 변경").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("비밀번호 변경")

    page.get_by_label("기존 비밀번호").fill(DEFAULT_PASSWORD)
    page.get_by_label("새 비밀번호", exact=True).fill(NEW)
    page.get_by_label("새 비밀번호 (확인)").fill(NEW + "!")
    page.get_by_role("button", name="비밀번호 변경").click()
    expect(page.locator(".field.has-error").first).to_be_visible()
    shot(page, "02-repeat-mismatch-ko-390")

    page.get_by_label("기존 비밀번호").fill(DEFAULT_PASSWORD)
    page.get_by_label("새 비밀번호", exact=True).fill(NEW)
    page.get_by_label("새 비밀번호 (확인)").fill(NEW)
    page.get_by_role("button", name="비밀번호 변경").click()
    page.wait_for_url(re.compile(r"/accounts/security/$"))
    expect(page.locator("main")).to_contain_text("비밀번호가 변경되었습니다.")
    shot(page, "03-changed-ko-390")

    # This phone stays signed in; the laptop is sent back to sign in.
    page.goto("/")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    laptop.goto("/")
    expect(laptop).to_have_url(re.compile(r"/accounts/login/"))
    alice.refresh_from_db()
    assert alice.check_password(NEW)
