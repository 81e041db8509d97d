"""
Issue 21 in chromium. A widow and her daughter (9) in Yanbian, on one case of alice's; the girl's
father has died. alice, on her phone in Korean, adds a goal to the case plan (school for the
daughter) with a follow-up step, then refers the girl to a school as a step of the goal: the
referral is refused until the girl's consent is recorded (her mother answers for her), and then
goes through. sue, the supervisor, at her desk in English, reads the household as a tree and her
team's workload, closes the case as "resettled", carrying the follow-up over, and reopens it.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from casework import services
from casework.choices import MemberRole, PersonRole, RelationshipKind
from casework.models import Case, CaseClosure, Task
from consent.services import consent_record
from referrals.models import Referral
from tests.scenarios import directory_provider, mother_with_children

from .conftest import choose, enrol_totp, open_menu, sign_in_by_session

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NO_SIDEWAYS_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"
MOTHER, DAUGHTER, FATHER = "리순옥", "김은별", "김철민"
GOAL = "은별이 학교 입학"
STEP = "출생 서류 사본 받기"
SCHOOL = "Hope Korean-Chinese Primary School"


def ko(text: str) -> str:
    """What a Korean reader sees for `text`, from the same catalogue the pages use."""
    with translation.override("ko"):
        return gettext(text)


@pytest.fixture
def widow(team_north, alice, sue):
    family = mother_with_children(team=team_north, caseworker=alice, name=MOTHER, children=1)
    daughter = family.children[0]
    services.person_update(person=daughter, actor=alice, full_name=DAUGHTER)
    father = services.person_create(actor=alice, full_name=FATHER, role=PersonRole.RELATIVE)
    services.case_add_member(case=family.case, person=father, role=MemberRole.RELATIVE, actor=alice)
    services.relationship_create(
        from_person=family.mother, to_person=father, kind=RelationshipKind.SPOUSE_OF, actor=alice
    )
    services.relationship_create(
        from_person=father, to_person=daughter, kind=RelationshipKind.PARENT_OF, actor=alice
    )
    # The mother agreed to be kept on file; nobody has answered for the girl yet.
    consent_record(person=family.mother, actor=alice, method="verbal", scopes=["store_data"])
    directory_provider(team=team_north, supervisor=sue, kind="school", name=SCHOOL)
    return family


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _follow(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.click()


def _no_sideways_scroll(page, shot, name: str) -> None:
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways"
    shot(page, name)


def test_a_plan_with_a_referral_step_then_closing_and_reopening(
    page, open_page, live_server, alice, sue, widow, shot
):
    case, daughter = widow.case, widow.children[0]
    enrol_totp(alice)
    enrol_totp(sue)

    # alice, on her phone, in Korean: a goal for the daughter, and its follow-up step.
    page.set_viewport_size(PHONE)
    sign_in_by_session(
        page, live_server, alice, opening=reverse("casework:case_detail", args=[case.reference])
    )
    open_menu(page)
    page.locator("#language-select").select_option("ko")
    # The language form brings her back to the case, in Korean.
    with page.expect_navigation():
        page.locator("form.language").get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    plan = page.locator("section.case-plan")
    expect(plan).to_contain_text(ko("No goal yet."))
    with page.expect_navigation():
        plan.get_by_role("link", name=ko("Add a goal"), exact=True).click()
    choose(page.get_by_label(ko("For whom")), DAUGHTER)
    page.get_by_label(ko("Goal"), exact=True).fill(GOAL)
    page.get_by_label(ko("Why")).fill("한 번도 학교에 다닌 적이 없음")
    _submit(page, ko("Save"))
    plan = page.locator("section.case-plan")
    expect(plan.locator(".goal")).to_contain_text(GOAL)
    with page.expect_navigation():
        plan.get_by_role("link", name=ko("Add a step"), exact=True).click()
    page.get_by_label(ko("What to do")).fill(STEP)
    _submit(page, ko("Save"))
    goal = page.locator("section.case-plan .goal").first
    expect(goal.locator(".follow-up-step")).to_contain_text(STEP)

    # A referral as a step of the goal: the girl's consent does not cover it yet.
    with page.expect_navigation():
        goal.get_by_role("link", name=ko("Refer as a step"), exact=True).click()
    expect(page.get_by_label(ko("Step towards the goal"))).to_have_value(str(case.goals.get().pk))
    expect(page.get_by_label(ko("Person"), exact=True)).to_have_value(str(daughter.pk))
    page.get_by_label(ko("Service needed")).select_option("education")
    choose(page.get_by_label(ko("Provider")), SCHOOL)
    _submit(page, ko("Refer"))
    missing = page.locator(".consent-missing")
    expect(missing).to_contain_text(daughter.reference)
    expect(missing).to_contain_text(ko("Keep my details on file"))
    _no_sideways_scroll(page, shot, "01-referral-refused-ko-390")
    assert not Referral.objects.exists()

    # Her mother answers for her, on the girl's consent section the refusal links to.
    with page.expect_navigation():
        missing.get_by_role("link", name=ko("Record their consent")).click()
    assert page.url.endswith(f"/people/{daughter.reference}/#consent")
    _follow(page, ko("Record consent"))
    page.get_by_text(ko("A parent or guardian answered for them (a child)"), exact=True).click()
    choose(page.get_by_label(ko("Parent or guardian who answered")), MOTHER)
    page.get_by_role("checkbox", name=ko("Keep my details on file"), exact=True).check()
    page.get_by_label(ko("How was consent given?")).select_option("verbal")
    _submit(page, ko("Save"))
    expect(page.get_by_role("status")).to_contain_text(ko("The consent was recorded."))

    # The same referral goes through, and the goal shows it beside its follow-up.
    page.goto(reverse("casework:case_detail", args=[case.reference]))
    goal = page.locator("section.case-plan .goal").first
    with page.expect_navigation():
        goal.get_by_role("link", name=ko("Refer as a step"), exact=True).click()
    page.get_by_label(ko("Service needed")).select_option("education")
    choose(page.get_by_label(ko("Provider")), SCHOOL)
    _submit(page, ko("Refer"))
    expect(page.get_by_role("status")).to_contain_text(
        ko("The referral was recorded, with a follow-up.")
    )
    expect(page.get_by_role("link", name=GOAL)).to_be_visible()
    referral = Referral.objects.get()
    assert (referral.person, referral.goal) == (daughter, case.goals.get())
    page.goto(reverse("casework:case_detail", args=[case.reference]) + "#plan-heading")
    goal = page.locator("section.case-plan .goal").first
    expect(goal.locator(".follow-up-step")).to_contain_text(STEP)
    expect(goal.locator(".referral-step")).to_contain_text(daughter.reference)
    expect(goal.locator(".referral-step .step-status")).to_have_text(ko("Planned"))
    _no_sideways_scroll(page, shot, "02-plan-with-steps-ko-390")

    # sue, at her desk in English: the household as a tree, and her team's workload.
    desk = open_page()
    sign_in_by_session(desk, live_server, sue)
    _follow(desk, "Workload of your teams' caseworkers")
    row = desk.get_by_role("row", name=re.compile(r"\balice\b"))
    expect(row.get_by_role("cell").first).to_have_text("1")
    shot(desk, "03-workload-en-1280")
    desk.goto(reverse("casework:person_detail", args=[daughter.reference]))
    _follow(desk, "The household across its cases")
    tree = desk.locator("ul.family-tree").first
    top = tree.locator(":scope > li")
    expect(top).to_have_count(1)
    # The parents side by side on one line, the daughter in the list below them.
    couple = top.locator(":scope > .family-unit")
    for text in (MOTHER, "is spouse of", FATHER):
        expect(couple).to_contain_text(text)
    expect(couple).not_to_contain_text(DAUGHTER)
    expect(top.locator(":scope > ul.family-tree > li")).to_contain_text(DAUGHTER)
    assert desk.viewport_size == DESKTOP
    shot(desk, "04-household-tree-en-1280")
    desk.set_viewport_size(PHONE)
    _no_sideways_scroll(desk, shot, "05-household-tree-en-390")
    desk.set_viewport_size(DESKTOP)

    # She closes the case as resettled: the follow-up is carried over, the referral too.
    desk.goto(reverse("casework:case_close", args=[case.reference]))
    still_open = desk.locator("section.still-open")
    expect(still_open).to_contain_text(STEP)
    expect(still_open).to_contain_text(f"Referral of {daughter.reference}")
    desk.get_by_label("Why is the case closed?").select_option(label="Resettled")
    expect(desk.get_by_role("checkbox", name=re.compile(STEP))).not_to_be_checked()
    shot(desk, "06-close-en-1280")
    _submit(desk, "Close the case")
    expect(desk.get_by_role("status")).to_contain_text("The case was closed.")
    expect(desk.locator("body")).to_contain_text("Resettled")
    closure = CaseClosure.objects.get(case=case)
    assert (closure.reason, closure.carried_over) == ("resettled", 3)
    assert Task.objects.get(goal=case.goals.get()).completed_at is None

    # And reopens it: the closing stays in the history, the follow-up is still open.
    _follow(desk, "Reopen the case")
    _submit(desk, "Reopen the case")
    expect(desk.get_by_role("status")).to_contain_text(
        "The case was reopened; its closing stays in its history."
    )
    expect(desk.locator("body")).to_contain_text("Resettled")
    shot(desk, "07-reopened-en-1280")
    assert Case.objects.get(pk=case.pk).status == "open"
    assert CaseClosure.objects.get(case=case).reopened_by == sue
    expect(desk.locator("section.case-plan")).to_contain_text(STEP)
