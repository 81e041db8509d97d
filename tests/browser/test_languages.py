"""
A caseworker switches the interface to Korean or Chinese with the switcher in the header, and
every page of a walk through the app follows: dashboard, case list, case page, person page, a
form sent with a mistake, the legal library and the intake list. Each page is screenshotted in
each language for a reviewer to read.
"""

import pytest
from playwright.sync_api import expect

from .conftest import enrol_totp, open_menu, sign_in_by_session

pytestmark = pytest.mark.browser

# A heading each page shows, in each language, as the catalogues translate it.
HEADINGS = {
    "ko": {
        "dashboard": "대시보드",
        "cases": "사례",
        "case": "사례 {reference}",
        "person": "기간별 법적 신분",
        "form": "메모 추가",
        "form_error": "아래 표시된 항목을 고쳐 주세요.",
        "field_error": "필수 항목입니다.",
        "library": "법률 자료실",
        "intake": "접수",
    },
    "zh-hans": {
        "dashboard": "工作台",
        "cases": "个案",
        "case": "个案 {reference}",
        "person": "法律身份变化",
        "form": "添加记录",
        "form_error": "请更正下面标出的字段。",
        "field_error": "该字段是必填项。",
        "library": "法律资料库",
        "intake": "接案",
    },
}
SWITCH_BUTTON = {"en": "Change", "ko": "변경", "zh-hans": "切换"}


def _switch_language(page, code: str, current: str = "en") -> None:
    open_menu(page)
    page.locator("#language-select").select_option(code)
    page.locator("form.language").get_by_role("button", name=SWITCH_BUTTON[current]).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def _expect_page(page, code: str, heading: str, *, level: int | None = None) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)
    if level is None:
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    else:
        expect(page.get_by_role("heading", level=level)).to_have_text(heading)


def test_switching_the_language_changes_every_page_of_a_walk_through(
    page, live_server, alice, north_case, shot
):
    """
    After switching to Korean, and then to Chinese, each page has its heading, its errors and
    <html lang> in the language; the switcher brings English back. One sign-in for both walks.
    """
    enrol_totp(alice)
    sign_in_by_session(page, live_server, alice)
    person = north_case.members.first().person
    for number, code in enumerate(HEADINGS):
        if number:  # the first starts on the dashboard the sign-in opened
            page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
        _switch_language(page, code)
        _walk_through(page, shot, code, north_case, person)


def _walk_through(page, shot, code: str, north_case, person) -> None:
    words = HEADINGS[code]

    _expect_page(page, code, words["dashboard"], level=1)
    shot(page, f"{code}-1-dashboard")

    page.goto("/cases/")
    _expect_page(page, code, words["cases"], level=1)
    shot(page, f"{code}-2-case-list")

    page.goto(f"/cases/{north_case.reference}/")
    _expect_page(page, code, words["case"].format(reference=north_case.reference), level=1)
    shot(page, f"{code}-3-case")

    page.goto(f"/people/{person.reference}/")
    _expect_page(page, code, words["person"])
    shot(page, f"{code}-4-person")

    page.goto(f"/cases/{north_case.reference}/notes/new/")
    _expect_page(page, code, words["form"], level=1)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(words["form_error"])
    # The note's text is required with the general message (its kind has a message of its own).
    expect(page.locator(".field.has-error").last).to_contain_text(words["field_error"])
    shot(page, f"{code}-5-form-error")

    page.goto("/legal/")
    _expect_page(page, code, words["library"], level=1)
    shot(page, f"{code}-6-legal-library")

    page.goto("/intake/")
    _expect_page(page, code, words["intake"], level=1)
    shot(page, f"{code}-7-intake")

    # And back: the switcher, itself translated, returns the interface to English.
    _switch_language(page, "en", current=code)
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake")
