"""
A caseworker's whole day in chromium, found as a new user would find it: by the links, buttons and
labels the pages show, never by typing an address (issue 4, item 8).
"""

import datetime
import re
import unicodedata

import pytest
from playwright.sync_api import expect

from casework.models import Case, Person
from tests.factories import DEFAULT_PASSWORD

from .conftest import choose, click_to_open, enrol_totp, login_with_totp, sign_in_by_session

pytestmark = pytest.mark.browser

MOTHER = "김영옥"
MOTHER_ALIAS = "金英玉"
CHILD = "王小明"
PARTNER = "王建国"
# The smallest file a PDF reader and our type sniffing both take for a PDF.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# The outermost elements that stick out to the right of the viewport, for the failure message.
WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll("*")].filter(
    (e) => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-scroll")
  );
  return wide
    .filter((e) => !wide.includes(e.parentElement))
    .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> ${Math.round(e.getBoundingClientRect().right)}px`);
}"""


def _follow(page, name: str) -> None:
    """Click the link a person would click, and wait for the page it opens."""
    click_to_open(page.get_by_role("link", name=name, exact=True).first)


def _submit(page, name: str) -> None:
    click_to_open(page.get_by_role("button", name=name, exact=True))


def _register(
    page,
    *,
    name,
    role_in_case,
    role,
    sex,
    nationality,
    birth_year,
    alias="",
    forget_the_name_first=False,
):
    """From the case page: "Add a person", then "Register someone new instead"."""
    _follow(page, "Add a person")
    _follow(page, "Register someone new instead")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a person")
    page.get_by_label("Role in the case").select_option(label=role_in_case)
    if alias:
        page.get_by_label("Other names").fill(alias)
    page.get_by_label("Birth year").fill(str(birth_year))
    page.get_by_label("Sex", exact=True).select_option(label=sex)
    page.get_by_label("Nationality").select_option(label=nationality)
    page.get_by_label("Role", exact=True).select_option(label=role)
    page.get_by_label("Province or region").select_option(label="China: Jilin")
    # Asked in person, through the interpreter: kept on file, nothing more.
    page.get_by_text("The person was asked and answered", exact=True).click()
    page.get_by_text("Keep my details on file", exact=True).click()
    page.get_by_label("How was consent given?").select_option(label="Through an interpreter")
    if forget_the_name_first:
        # Sent without the name: refused with the reason, and nothing else typed is lost.
        _submit(page, "Register")
        expect(page.locator(".field.has-error")).to_contain_text("This field is required.")
        expect(page.get_by_label("Other names")).to_have_value(alias)
        expect(page.get_by_label("Birth year")).to_have_value(str(birth_year))
        expect(page.get_by_role("checkbox", name="Keep my details on file")).to_be_checked()
        expect(page.get_by_label("Nationality").locator("option:checked")).to_have_text(nationality)
        expect(page.get_by_label("Role in the case").locator("option:checked")).to_have_text(
            role_in_case
        )
    page.get_by_label("Full name").fill(name)
    _submit(page, "Register")
    expect(page.get_by_role("status")).to_contain_text("The person was registered.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def _back_to_case(page, reference: str) -> None:
    """From a person's page, through the link to their case."""
    _follow(page, reference)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")


def _open_person(page, name: str) -> None:
    """From the case page, through the person's name in the table of its people."""
    click_to_open(
        page.get_by_role("region", name="People of this case").get_by_role("link", name=name).first
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def _add_tie(page, *, kind: str, other: str, marriage: str | None = None) -> None:
    _follow(page, "Add a family tie")
    page.get_by_label("This person").select_option(label=kind)
    choose(page.get_by_label("Other person"), other)
    if marriage:
        page.get_by_label("Marriage registered").select_option(label=marriage)
    _submit(page, "Save")
    expect(page.get_by_role("status")).to_contain_text("The family tie was recorded.")


def _search(page, text: str):
    """The search of the case list shown, as typed: the results table's case links."""
    page.get_by_label("Reference or name").fill(text)
    _submit(page, "Show cases")
    return page.get_by_role("table").get_by_role("link")


def test_a_caseworker_registers_a_family_and_another_team_cannot_open_it(
    page, page_watch, open_page, live_server, alice, charlie, shot
):
    """
    Alice signs in with her authenticator, opens a case, registers a North Korean mother, her
    child and the child's Chinese father with their family ties, records that the school refused
    the child, that the mother is detained, a follow-up and a PDF; she finds the case again by the
    mother's Korean name in either Unicode form. Charlie, of another team, gets a 404 for it.
    """
    enrol_totp(alice)
    enrol_totp(charlie)
    today = datetime.date.today()

    sign_in_by_session(page, live_server, alice)
    shot(page, "01-dashboard")

    # A case, from the dashboard.
    _follow(page, "Open a case")
    page.get_by_label("Team").select_option(label="North")
    page.get_by_label("Risk level").select_option(label="High")
    page.get_by_label("Summary").fill("Mother and child met in Yanji; the father is Chinese.")
    shot(page, "02-open-a-case")
    _submit(page, "Open the case")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Case C-"))
    reference = heading.inner_text().removeprefix("Case ").strip()
    case = Case.objects.get(reference=reference)
    assert case.team.name == "North"

    # The family, from the case page.
    _register(
        page,
        name=MOTHER,
        alias=MOTHER_ALIAS,
        role_in_case="Principal",
        role="Refugee",
        sex="Female",
        nationality="North Korean (DPRK)",
        birth_year=1984,
        forget_the_name_first=True,
    )
    shot(page, "03-mother")
    _back_to_case(page, reference)
    _register(
        page,
        name=PARTNER,
        role_in_case="Partner",
        role="Partner",
        sex="Male",
        nationality="Chinese (PRC)",
        birth_year=1975,
    )
    _back_to_case(page, reference)
    _register(
        page,
        name=CHILD,
        role_in_case="Child",
        role="Child",
        sex="Male",
        nationality="Unknown",
        birth_year=2015,
    )
    _back_to_case(page, reference)
    assert set(case.people.values_list("role", flat=True)) == {"refugee", "partner", "child"}

    # Family ties, from the mother's page.
    _open_person(page, MOTHER)
    _add_tie(page, kind="is the parent of", other=CHILD)
    _add_tie(page, kind="is the partner of", other=PARTNER, marriage="No")
    _back_to_case(page, reference)
    _open_person(page, PARTNER)
    _add_tie(page, kind="is the parent of", other=CHILD)
    _back_to_case(page, reference)
    family = page.get_by_role("region", name=f"Family of {MOTHER}")
    expect(family.get_by_text("marriage not registered")).to_be_visible()
    expect(family.get_by_role("link", name=CHILD)).to_be_visible()

    # The school refused the child.
    _open_person(page, CHILD)
    _follow(page, "Record a benefit")
    page.get_by_label("Benefit").select_option(label="School")
    page.get_by_label("Outcome").select_option(label="Denied")
    page.get_by_label("As of").fill(today.isoformat())
    page.get_by_label("Note").fill("The primary school in Yanji refused enrolment without hukou.")
    _submit(page, "Save")
    expect(page.get_by_role("status")).to_contain_text("The benefit was recorded.")
    expect(page.get_by_role("region", name="Benefits now")).to_contain_text("Denied")
    shot(page, "04-child")
    _back_to_case(page, reference)

    # The mother is detained.
    _open_person(page, MOTHER)
    _follow(page, "Change legal status")
    page.get_by_label("New status").select_option(label="Detained in China")
    page.get_by_label("Since").fill(today.isoformat())
    page.get_by_label("Country").select_option(label="China")
    page.get_by_label("Place").fill("Tumen")
    page.get_by_label("Source").select_option(label="Reported by family")
    shot(page, "05-status-change")
    _submit(page, "Save")
    expect(page.get_by_role("status")).to_contain_text("The new legal status was recorded.")
    history = page.get_by_role("region", name="Legal status over time").first
    expect(history).to_contain_text("Detained in China")
    shot(page, "06-mother-detained")
    _back_to_case(page, reference)
    members = page.get_by_role("region", name="People of this case")
    expect(members.get_by_role("row", name=MOTHER)).to_contain_text("Detained in China")

    # A follow-up.
    _follow(page, "Add a follow-up")
    page.get_by_label("What to do").fill("Find a lawyer in Tumen")
    page.get_by_label("Due on").fill((today + datetime.timedelta(days=2)).isoformat())
    choose(page.get_by_label("Who does it"), "alice")
    _submit(page, "Save")
    expect(page.get_by_role("status")).to_contain_text("The follow-up was added.")
    tasks = page.get_by_role("region", name="Open follow-ups")
    expect(tasks).to_contain_text("Find a lawyer in Tumen")

    # A file.
    _follow(page, "Upload a file")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "school-refusal.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    choose(page.get_by_label("About"), CHILD)
    page.get_by_label("Description").fill("The school's letter")
    shot(page, "07-upload")
    _submit(page, "Upload")
    expect(page.get_by_role("status")).to_contain_text("The file was uploaded")
    files = page.get_by_role("region", name="Files of this case")
    expect(files.get_by_role("link", name="school-refusal.pdf")).to_be_visible()
    attachment = case.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.person == Person.objects.get(memberships__case=case, role="child")
    shot(page, "08-case")

    # The case again, by the mother's name as typed (NFC) and as some keyboards send it (NFD),
    # the second in the search form the first one's results are shown with.
    _follow(page, "Cases")
    for form, name in (("NFC", MOTHER), ("NFD", unicodedata.normalize("NFD", MOTHER))):
        links = _search(page, name)
        expect(links, f"search by the {form} name").to_have_text([reference])
    shot(page, "09-search")
    click_to_open(links.first)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")

    # On a phone.
    page.set_viewport_size({"width": 360, "height": 740})
    shot(page, "10-case-360px")
    # Faults of look and feel are gathered and reported at the end: they must not hide the rest.
    faults = []
    if too_wide := page.evaluate(WIDER_THAN_VIEWPORT):
        faults.append(f"at 360 px the case page scrolls sideways: {too_wide}")

    # From the keyboard: the first Tab reaches the skip link, which moves focus to the content.
    # The page was just opened by the search's link and nothing on it has had focus since.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Charlie, of team South, signs in on his own computer: the case is not there for him.
    other = open_page()
    # Chromium reports every 404 document as a console error; these two are the point.
    page_watch.allow_console_error(r"status of 404 \(Not Found\).*/(cases|people)/")
    login_with_totp(other, live_server, charlie, DEFAULT_PASSWORD)
    response = other.goto(f"/cases/{reference}/")
    assert response.status == 404
    shot(other, "11-other-team-404")
    # The 404 page is a page of the app, with its way back, not a bare server message.
    if not other.get_by_role("link", name="Dashboard").count():
        faults.append("the 404 page has no navigation back into the app")
    expect(other.get_by_text(MOTHER)).to_have_count(0)
    response = other.goto(f"/people/{case.people.get(role='refugee').reference}/")
    assert response.status == 404
    other.goto("/cases/")
    expect(_search(other, MOTHER)).to_have_count(0)

    assert not faults, "\n".join(faults)
