"""
The intake wizard in chromium (issue 5, item 7): a caseworker starts an intake, leaves it half-way,
resumes it on another device after signing in again, submits it; a supervisor sees the duplicate
of a person already on file under the NFD form of the same Hangul name, and approves.
"""

import datetime
import re
import unicodedata

import pytest
from playwright.sync_api import expect

from casework import services as casework
from casework.models import Case, Person
from intake.models import IntakeSubmission
from tests.factories import DEFAULT_PASSWORD

from .conftest import (
    click_to_open,
    enrol_totp,
    login_again_with_totp,
    sign_in_by_session,
)

pytestmark = pytest.mark.browser

NAME = "최은희"
ALIAS = "崔恩姬"
PARTNER = "李建华"
CHILD = "李小红"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _click(page, role: str, name: str) -> None:
    click_to_open(page.get_by_role(role, name=name, exact=True).first)


def _step(page, title: str) -> None:
    """The wizard shows the step `title`, marked as the current one in its progress list."""
    expect(page.get_by_role("heading", level=2).first).to_have_text(title)
    progress = page.get_by_role("navigation", name="Intake steps")
    expect(progress.locator("[aria-current=step]")).to_have_text(title)


@pytest.fixture
def on_file(alice):
    """A woman already in a North case, her name recorded in decomposed (NFD) Hangul."""
    case = casework.case_open(
        team=alice.team_memberships.get().team,
        actor=alice,
        risk_level="medium",
        caseworkers=[alice],
    )
    return casework.person_create(
        actor=alice,
        case=case,
        role_in_case="principal",
        full_name=unicodedata.normalize("NFD", NAME),
        birth_year=1991,
        sex="female",
        nationality="dprk",
        role="refugee",
        region="cn-jilin",
    )


def test_an_intake_left_half_way_is_resumed_on_another_device_and_approved(
    page, open_page, live_server, alice, sue, on_file, shot
):
    """
    Alice records consent and identity, saves the draft and leaves; signed in again elsewhere she
    resumes it from her intakes with everything she typed, adds the family, situation and needs,
    and submits. Sue finds it in her queue with the person on file as a possible duplicate, with
    the reason, and approves it: a case of team North holds the family.
    """
    enrol_totp(alice)
    enrol_totp(sue)
    today = datetime.date.today()

    # First device: consent and identity, then leave.
    sign_in_by_session(page, live_server, alice, opening="/intake/")
    _click(page, "button", "Start a new intake")
    _step(page, "Consent")
    reference = page.locator("h1 .ref").inner_text()
    # Faults that must not hide the rest of the wizard are gathered and reported at the end.
    faults = []
    korean = page.locator(".consent-text [lang=ko]").inner_text()
    if not HANGUL.search(korean):
        faults.append(f"the Korean consent text is not in Korean: {korean[:60]!r}…")
    page.get_by_label("How was consent given?").select_option(label="Through an interpreter")
    page.get_by_label("Witnessed by").fill("Interpreter Pak")
    page.get_by_label("Keep my details on file").check()
    page.get_by_label("Share my case with legal advocates").check()
    page.get_by_label("Count me in anonymised statistics").check()
    shot(page, "01-consent")
    _click(page, "button", "Save and continue")

    _step(page, "Identity")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Other names").fill(ALIAS)
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_label("Birth year").fill("1990")
    page.get_by_label("Place of origin").fill("Musan, North Hamgyong")
    shot(page, "02-identity")
    _click(page, "button", "Save the draft and leave")
    expect(page.get_by_role("status")).to_contain_text("The draft is saved.")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    shot(page, "03-draft-saved")

    # Another device, another sign-in: the draft is waiting, with what was typed.
    device = open_page()
    login_again_with_totp(device, live_server, alice, DEFAULT_PASSWORD)
    _click(device, "link", "Intake")
    _click(device, "link", reference)
    _step(device, "Identity")
    expect(device.get_by_label("Full name")).to_have_value(NAME)
    expect(device.get_by_label("Other names")).to_have_value(ALIAS)
    expect(device.get_by_label("Birth year")).to_have_value("1990")
    expect(device.get_by_label("Place of origin")).to_have_value("Musan, North Hamgyong")
    shot(device, "04-resumed")
    _click(device, "button", "Save and continue")

    _step(device, "Family")
    device.get_by_label("Partner's full name").fill(PARTNER)
    device.get_by_label("Partner's sex").select_option(label="Male")
    device.get_by_label("Partner's birth year").fill("1972")
    device.get_by_label("Partner's nationality").select_option(label="Chinese (PRC)")
    device.get_by_label("The couple are").select_option(label="Partners")
    device.get_by_label("Is the marriage registered with the authorities?").select_option(
        label="No"
    )
    _click(device, "button", "Add a child")
    child = device.get_by_role("group", name="Child 1")
    # The click reloads the step; until the new page shows the child's group, the old
    # page may still be the one answering (and vanish while it is read).
    expect(child).to_be_visible()
    # Adding a child reloads the step: the partner typed a moment ago is still there.
    expect(device.get_by_label("Partner's full name")).to_have_value(PARTNER)
    # A child just added is a blank form with the form's defaults, not a form full of errors.
    if errors := child.locator(".error").all_inner_texts():
        faults.append(f"a child just added shows errors before anything is typed: {errors}")
    nationality = child.get_by_label("Nationality").input_value()
    if nationality != "stateless":
        faults.append(
            f"a child just added has the nationality {nationality!r}, not the form's default "
            "'stateless': a value nobody chose would be saved"
        )
    child.get_by_label("Child's full name").fill(CHILD)
    child.get_by_label("Sex").select_option(label="Female")
    child.get_by_label("Birth year").fill("2016")
    child.get_by_label("School").check()
    child.get_by_label("Household registration (hukou) / ID").check()
    shot(device, "05-family")
    _click(device, "button", "Save and continue")

    _step(device, "Present situation")
    device.get_by_label("Where the person lives now").fill("Helong, Yanbian")
    device.get_by_label("Province or region").select_option(label="China: Jilin")
    device.get_by_label("Legal status").select_option(label="Undocumented in China")
    device.get_by_label("Since").fill((today - datetime.timedelta(days=3000)).isoformat())
    shot(device, "06-situation")
    _click(device, "button", "Save and continue")

    _step(device, "Needs and risk")
    device.get_by_label("What the family needs").fill("School for the child; a safe place.")
    device.get_by_label("Is a child without household registration, or out of school?").check()
    device.get_by_label("Does the person lack a safe place to stay?").check()
    shot(device, "07-needs")
    _click(device, "button", "Save and continue")

    expect(device.get_by_role("heading", level=2)).to_have_text("Review")
    expect(device.get_by_text("This step is incomplete.")).to_have_count(0)
    expect(device.get_by_role("main")).to_contain_text(PARTNER)
    expect(device.get_by_role("main")).to_contain_text(CHILD)
    shot(device, "08-review")
    _click(device, "button", "Submit for approval")
    expect(device.get_by_role("status")).to_contain_text("sent to your team's supervisors")
    shot(device, "09-submitted")
    assert IntakeSubmission.objects.get(reference=reference).status == "submitted"

    # The supervisor: the queue, the duplicate with its reason, the approval.
    office = open_page()
    sign_in_by_session(office, live_server, sue, opening="/intake/")
    _click(office, "link", "1 intake awaits your decision")
    shot(office, "10-queue")
    _click(office, "link", reference)
    duplicates = office.get_by_role("table").filter(has_text="Person on file")
    candidate = duplicates.get_by_role("row").filter(has_text=on_file.reference)
    expect(candidate).to_contain_text("A name given is their recorded name")
    expect(candidate).to_contain_text("Born within a year of each other")
    shot(office, "11-decision")
    _click(office, "button", "Approve: create the people and their case")
    expect(office.get_by_role("status")).to_contain_text(
        re.compile(r"Approved: case C-\S+ is open")
    )
    shot(office, "12-case")

    submission = IntakeSubmission.objects.get(reference=reference)
    assert submission.status == "approved"
    case = Case.objects.get(pk=submission.case_id)
    assert case.team.name == "North"
    names = {person.full_name for person in case.people.all()}
    assert {unicodedata.normalize("NFC", name) for name in names} == {NAME, PARTNER, CHILD}
    expect(office.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")
    # The person on file stays who she was: approving (not merging) made a new person.
    assert Person.objects.matching_name(NAME).count() == 2

    assert not faults, "\n".join(faults)
