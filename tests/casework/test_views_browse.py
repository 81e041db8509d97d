"""The caseworker's read pages: dashboard, case list, case page, person page and file download."""

import datetime
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework import services
from casework.choices import (
    AssignmentRole,
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
    Region,
    RiskLevel,
    StatusSource,
)
from tests.conftest import sign_in

from ..factories import AdvocateFactory, AssignmentFactory, CaseMemberFactory
from ..scenarios import mother_child_and_unmarried_father

D = datetime.date
MOTHER = "김순희"
PDF = b"%PDF-1.4\n% a scanned household register\n%%EOF\n"


def _person(actor, name, role=PersonRole.REFUGEE, **fields):
    return services.person_create(actor=actor, full_name=name, role=role, **fields)


def _status(person, actor, status, start):
    return services.legal_status_change(
        person=person,
        status=status,
        effective_from=start,
        actor=actor,
        country=Country.CHINA,
        source=StatusSource.CASEWORKER,
    )


def _case(team, actor, name, *, risk=RiskLevel.MEDIUM, caseworkers=None):
    person = _person(actor, name)
    return services.case_open(
        team=team,
        actor=actor,
        risk_level=risk,
        members=[(person, MemberRole.PRINCIPAL)],
        caseworkers=[actor] if caseworkers is None else caseworkers,
    )


@pytest.fixture
def family(team_north, alice):
    return mother_child_and_unmarried_father(team=team_north, caseworker=alice, mother_name=MOTHER)


@pytest.fixture
def attachment(family, alice):
    upload = SimpleUploadedFile("김순희 passport.pdf", PDF, content_type="application/pdf")
    return services.attachment_add(case=family.case, uploaded_file=upload, actor=alice)


def _views(user, target):
    return AuditEvent.objects.filter(actor=user, action="view", target_id=str(target.pk))


def case_url(case):
    return reverse("casework:case_detail", args=[case.reference])


def person_url(person):
    return reverse("casework:person_detail", args=[person.reference])


def download_url(attachment):
    return reverse("casework:attachment_download", args=[attachment.case.reference, attachment.pk])


# Every page


@pytest.mark.parametrize("name", ["casework:dashboard", "casework:case_list"])
def test_pages_need_a_signed_in_user(client, db, name):
    """Anonymous visitors are sent to the login page."""
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_pages_render_for_alice(client, alice, family, attachment):
    """Each read page works for the case's caseworker."""
    sign_in(client, alice)
    for url in (
        reverse("casework:dashboard"),
        reverse("casework:case_list"),
        case_url(family.case),
        person_url(family.mother),
        download_url(attachment),
    ):
        assert client.get(url).status_code == 200, url


# Dashboard


def test_dashboard_lists_my_open_cases_most_at_risk_first(client, team_north, alice, charlie):
    """Alice sees her open cases, critical first, and counts by risk; closed ones are left out."""
    low = _case(team_north, alice, "Low", risk=RiskLevel.LOW)
    critical = _case(team_north, alice, "Critical", risk=RiskLevel.CRITICAL)
    closed = _case(team_north, alice, "Closed", risk=RiskLevel.CRITICAL)
    services.case_close(case=closed, actor=alice, reason="goals_met")
    response = sign_in(client, alice).get(reverse("casework:dashboard"))
    assert [case.reference for case in response.context["cases"]] == [
        critical.reference,
        low.reference,
    ]
    counts = {level: count for level, _, count in response.context["risk_counts"]}
    assert counts == {"critical": 1, "high": 0, "medium": 0, "low": 1}
    assert closed.reference not in response.content.decode()


def test_dashboard_shows_no_case_of_another_team(client, team_north, alice, charlie):
    """Charlie, of team South, sees none of North's cases, follow-ups or news."""
    case = _case(team_north, alice, MOTHER)
    services.task_create(case=case, title="Call", actor=alice, due_on=timezone.localdate())
    mother = case.people.get()
    _status(
        mother, alice, LegalStatus.DETAINED_CN, timezone.localdate() - datetime.timedelta(days=40)
    )
    response = sign_in(client, charlie).get(reverse("casework:dashboard"))
    body = response.content.decode()
    assert case.reference not in body
    assert mother.reference not in body
    assert MOTHER not in body
    assert response.context["cases"] == []
    assert response.context["followups"] == []
    assert response.context["detained"] == []


def test_dashboard_for_a_supervisor_shows_the_team_cases(client, team_north, bob, sue):
    """Sue sees the open cases of her team that bob works."""
    case = _case(team_north, bob, "Bob's")
    response = sign_in(client, sue).get(reverse("casework:dashboard"))
    assert [c.reference for c in response.context["cases"]] == [case.reference]


def test_dashboard_lists_followups_due_and_overdue(client, family, alice):
    """Overdue and due-today follow-ups show, marked; one due next month does not."""
    today = timezone.localdate()
    case = family.case
    services.task_create(
        case=case, title="Overdue call", actor=alice, due_on=today - datetime.timedelta(days=2)
    )
    services.task_create(case=case, title="Visit today", actor=alice, due_on=today)
    services.task_create(
        case=case, title="Next month", actor=alice, due_on=today + datetime.timedelta(days=40)
    )
    body = sign_in(client, alice).get(reverse("casework:dashboard")).content.decode()
    assert "Overdue call" in body
    assert "Visit today" in body
    assert "Next month" not in body
    assert body.index("Overdue call") < body.index("Visit today")
    assert "overdue" in body


def test_dashboard_lists_recent_status_changes_and_incidents(client, family, alice):
    """A detention and an arrest last week appear under the recent news."""
    today = timezone.localdate()
    _status(family.mother, alice, LegalStatus.DETAINED_CN, today - datetime.timedelta(days=5))
    services.incident_record(
        case=family.case,
        kind=IncidentKind.ARREST,
        occurred_on=today - datetime.timedelta(days=5),
        region=Region.JILIN,
        people=[family.mother],
        actor=alice,
    )
    response = sign_in(client, alice).get(reverse("casework:dashboard"))
    assert [s.person for s in response.context["status_changes"]] == [family.mother]
    assert [i.kind for i in response.context["incidents"]] == [IncidentKind.ARREST]
    body = response.content.decode()
    assert "Detained in China" in body
    assert "Arrest" in body


def test_dashboard_alerts_on_detention_longer_than_the_setting(client, family, alice, settings):
    """Detained for 20 days alerts under a 14-day threshold (the default), not under 30."""
    start = timezone.localdate() - datetime.timedelta(days=20)
    _status(family.mother, alice, LegalStatus.DETAINED_CN, start)
    sign_in(client, alice)
    response = client.get(reverse("casework:dashboard"))
    assert [(s.person, days) for s, days in response.context["detained"]] == [(family.mother, 20)]
    assert "Detained for more than 14 days" in response.content.decode()
    settings.SHIMTEO_DETAINED_ALERT_DAYS = 30
    assert client.get(reverse("casework:dashboard")).context["detained"] == []


# Case list


def _listed(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def test_case_list_shows_the_principals_name(client, family, alice):
    """The list names each case's principal, decrypted for the caseworker."""
    response = sign_in(client, alice).get(reverse("casework:case_list"))
    assert _listed(response) == [family.case.reference]
    assert MOTHER in response.content.decode()


def test_case_list_hides_other_teams_cases(client, family, charlie, team_south):
    """Charlie sees his own team's case, never North's."""
    south = _case(team_south, charlie, "South's")
    response = sign_in(client, charlie).get(reverse("casework:case_list"))
    assert _listed(response) == [south.reference]
    assert family.case.reference not in response.content.decode()


def test_case_list_for_a_supervisor_has_every_team_case(client, family, team_north, bob, sue):
    """Sue sees alice's and bob's cases of her team."""
    bobs = _case(team_north, bob, "Bob's")
    response = sign_in(client, sue).get(reverse("casework:case_list"))
    assert set(_listed(response)) == {family.case.reference, bobs.reference}


def test_case_list_filters_by_status_risk_and_legal_status(client, family, team_north, alice):
    """The filters of the form narrow the list."""
    other = _case(team_north, alice, "Other", risk=RiskLevel.LOW)
    _status(family.mother, alice, LegalStatus.DETAINED_CN, D(2024, 1, 1))
    sign_in(client, alice)
    url = reverse("casework:case_list")
    assert _listed(client.get(url, {"risk_level": "low"})) == [other.reference]
    assert _listed(client.get(url, {"status": "open", "legal_status": "detained_cn"})) == [
        family.case.reference
    ]
    assert _listed(client.get(url, {"status": "closed"})) == []


def test_case_list_finds_children_without_hukou(client, family, team_north, alice):
    """The quick filter lists the case of a child refused household registration."""
    _case(team_north, alice, "Other")
    services.entitlement_record(
        person=family.child,
        kind=EntitlementKind.HOUSEHOLD_REGISTRATION,
        status=EntitlementStatus.DENIED,
        as_of=D(2013, 1, 1),
        actor=alice,
    )
    response = sign_in(client, alice).get(
        reverse("casework:case_list"),
        {"entitlement_denied": "household_registration", "denied_to": "child"},
    )
    assert _listed(response) == [family.case.reference]


def test_case_list_finds_a_hangul_name_typed_decomposed(client, family, team_north, alice):
    """The mother's name typed in NFD finds the NFC-stored name; the search is audited."""
    _case(team_north, alice, "Other")
    decomposed = unicodedata.normalize("NFD", MOTHER)
    response = sign_in(client, alice).post(reverse("casework:case_list"), {"q": decomposed})
    assert _listed(response) == [family.case.reference]
    search = AuditEvent.objects.filter(actor=alice, target_type="casework.case", target_id="")
    assert [event.detail for event in search] == [{"searched": True, "matches": 1}]


def test_case_list_finds_an_alias_and_a_person_reference(client, family, team_north, alice):
    """An alias or the child's reference finds the family's case."""
    _case(team_north, alice, "Other")
    sign_in(client, alice)
    url = reverse("casework:case_list")
    assert _listed(client.post(url, {"q": "KIM SUN HUI"})) == [family.case.reference]
    assert _listed(client.post(url, {"q": family.child.reference})) == [family.case.reference]


# Case page


def test_case_page_shows_members_family_and_staff(client, family, alice):
    """The case page lists the members with roles and status, the family and the assignments."""
    _status(family.mother, alice, LegalStatus.UNDOCUMENTED_CN, D(2005, 1, 1))
    response = sign_in(client, alice).get(case_url(family.case))
    body = response.content.decode()
    for person in (family.mother, family.child, family.father):
        assert person.reference in body
    assert "Undocumented in China" in body
    assert "Mother and child in hiding." in body
    partners = response.context["family"].partners
    assert [(p.person, p.marriage_registered) for p in partners] == [(family.father, False)]
    assert response.context["family"].children == [family.child]
    assert "marriage not registered" in body
    assert "alice" in body


def test_case_page_timeline_is_newest_first(client, family, alice):
    """Note, incident, benefit and status appear newest first: today's note at the top."""
    services.case_note_add(case=family.case, body="Met the family today.", actor=alice)
    services.incident_record(
        case=family.case,
        kind=IncidentKind.BENEFIT_DENIED,
        occurred_on=D(2019, 9, 2),
        region=Region.JILIN,
        description="Refused at the school gate.",
        people=[family.child],
        actor=alice,
    )
    services.entitlement_record(
        person=family.child,
        kind=EntitlementKind.SCHOOL,
        status=EntitlementStatus.DENIED,
        as_of=D(2019, 9, 1),
        actor=alice,
    )
    _status(family.mother, alice, LegalStatus.UNDOCUMENTED_CN, D(2005, 1, 1))
    body = sign_in(client, alice).get(case_url(family.case)).content.decode()
    timeline = body[body.index('class="timeline"') :]
    positions = [
        timeline.index(text)
        for text in (
            "Undocumented in China",
            "School",
            "Refused at the school gate.",
            "Met the family today.",
        )
    ]
    assert positions == sorted(positions, reverse=True)


def test_case_page_header_shows_the_flags(client, family, alice):
    """A raised flag is shown in the header of the case page."""
    services.case_flag_set(case=family.case, kind="unsafe_to_contact", actor=alice)
    body = sign_in(client, alice).get(case_url(family.case)).content.decode()
    header = body[
        body.index('class="case-header"') : body.index("</header>", body.index("case-header"))
    ]
    assert "Unsafe to contact" in header


def test_case_page_offers_forms_to_its_caseworker_only(client, family, alice, sue):
    """Alice gets the links to the forms; a legal advocate gets none; sue may also share."""
    note_add = reverse("casework:note_add", args=[family.case.reference])
    share = reverse("casework:case_share", args=[family.case.reference])
    body = sign_in(client, alice).get(case_url(family.case)).content.decode()
    assert note_add in body
    assert share not in body
    assert share in sign_in(client, sue).get(case_url(family.case)).content.decode()
    advocate = AdvocateFactory(username="advocate")
    AssignmentFactory(case=family.case, user=advocate, role=AssignmentRole.LEGAL_ADVOCATE)
    body = sign_in(client, advocate).get(case_url(family.case)).content.decode()
    assert note_add not in body


def test_case_page_view_is_audited(client, family, alice):
    """Each opening of the case page adds a view event for alice."""
    sign_in(client, alice)
    client.get(case_url(family.case))
    client.get(case_url(family.case))
    assert _views(alice, family.case).count() == 2


def test_case_page_is_404_for_another_team(client, family, charlie):
    """Charlie gets 404, and no view is recorded."""
    response = sign_in(client, charlie).get(case_url(family.case))
    assert response.status_code == 404
    assert not _views(charlie, family.case).exists()


def test_case_page_for_the_supervisor_shows_who_viewed_it(client, family, alice, sue):
    """Sue sees the case of her team and that alice viewed it."""
    sign_in(client, alice).get(case_url(family.case))
    response = sign_in(client, sue).get(case_url(family.case))
    assert response.status_code == 200
    assert {viewer.username for viewer in response.context["viewers"]} == {"alice", "sue"}
    assert "Who viewed this case" in response.content.decode()


def test_case_page_hides_viewers_from_a_legal_advocate(client, family):
    """An advocate the case is shared with reads it, but not who else viewed it."""
    advocate = AdvocateFactory(username="advocate")
    # The consent needed to share through the service is not what is tested here.
    AssignmentFactory(case=family.case, user=advocate, role=AssignmentRole.LEGAL_ADVOCATE)
    response = sign_in(client, advocate).get(case_url(family.case))
    assert response.status_code == 200
    assert response.context["may_see_viewers"] is False
    assert "Who viewed this case" not in response.content.decode()


def test_case_page_of_an_unknown_reference_is_404(client, alice):
    """A reference that does not exist answers as one that is out of scope."""
    response = sign_in(client, alice).get(reverse("casework:case_detail", args=["C-NOPE2345"]))
    assert response.status_code == 404


# Person page


def test_person_page_shows_identity_history_and_family(client, family, alice):
    """The mother's page shows her name, alias, status history, benefits, incidents and family."""
    mother = family.mother
    _status(mother, alice, LegalStatus.UNDOCUMENTED_CN, D(2005, 1, 1))
    _status(mother, alice, LegalStatus.DETAINED_CN, D(2023, 4, 2))
    services.entitlement_record(
        person=mother,
        kind=EntitlementKind.MEDICAL_CARE,
        status=EntitlementStatus.DENIED,
        as_of=D(2020, 1, 1),
        actor=alice,
    )
    services.incident_record(
        case=family.case,
        kind=IncidentKind.ARREST,
        occurred_on=D(2023, 4, 2),
        region=Region.JILIN,
        people=[mother],
        actor=alice,
    )
    response = sign_in(client, alice).get(person_url(mother))
    body = response.content.decode()
    for text in (MOTHER, "Kim Sun Hui", "Undocumented in China", "Detained in China"):
        assert text in body
    assert "Medical care" in body
    assert "Arrest" in body
    assert family.case.reference in body
    assert response.context["family"].children == [family.child]
    assert family.father.reference in body


def test_person_page_view_is_audited(client, family, alice):
    """Opening a person's page records a view of that person."""
    sign_in(client, alice).get(person_url(family.child))
    assert _views(alice, family.child).count() == 1


def test_person_page_is_404_for_another_team(client, family, charlie):
    """Charlie cannot open the mother's page, and nothing of her shows."""
    response = sign_in(client, charlie).get(person_url(family.mother))
    assert response.status_code == 404
    assert MOTHER not in response.content.decode()


def test_person_page_lists_only_visible_cases(client, family, team_south, alice, charlie):
    """A case of another team the mother is also in is not named to alice."""
    south = services.case_open(
        team=team_south, actor=charlie, risk_level=RiskLevel.LOW, caseworkers=[charlie]
    )
    # Charlie may not bring alice's person into his case (casework.permissions); a member
    # of both stays from a case that moved team.
    CaseMemberFactory(case=south, person=family.mother, role=MemberRole.PRINCIPAL)
    response = sign_in(client, alice).get(person_url(family.mother))
    assert list(response.context["cases"]) == [family.case]
    assert south.reference not in response.content.decode()


# Download


def test_download_returns_the_original_bytes_without_caching(client, family, alice, attachment):
    """The file comes back decrypted, as an attachment, never cached, and the download is audited."""
    response = sign_in(client, alice).get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # The saved name carries references, never the uploaded (personal) name.
    assert family.case.reference in response["Content-Disposition"]
    assert "passport" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    events = AuditEvent.objects.filter(actor=alice, action="download", target_id=str(attachment.pk))
    assert [event.case_id for event in events] == [family.case.pk]


def test_download_is_404_for_another_team(client, charlie, attachment):
    """Charlie gets 404 and no file; the refusal records no download."""
    response = sign_in(client, charlie).get(download_url(attachment))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(actor=charlie, action="download").exists()


def test_download_through_another_case_is_404(client, team_north, alice, attachment):
    """An attachment asked for under another case of alice's is not found."""
    other = _case(team_north, alice, "Other")
    url = reverse("casework:attachment_download", args=[other.reference, attachment.pk])
    assert sign_in(client, alice).get(url).status_code == 404


# Template tags


def _render(source: str, **context) -> str:
    return (
        Template("{% load casework_case casework_links %}" + source)
        .render(Context(context))
        .strip()
    )


def test_url_if_exists_gives_nothing_for_a_page_not_built_yet(db):
    """A link to a form that does not exist renders empty; an existing page gives its URL."""
    assert _render("{% url_if_exists 'casework:no_such_form' 'C-X' as href %}{{ href }}") == ""
    assert _render("{% url_if_exists 'casework:case_detail' 'C-X' %}") == "/cases/C-X/"


def test_url_if_exists_still_fails_on_wrong_arguments(db):
    """An existing page asked for with the wrong arguments is a bug, not a missing page."""
    with pytest.raises(NoReverseMatch):
        _render("{% url_if_exists 'casework:attachment_download' 'C-X' 'not-a-uuid' %}")


def test_case_header_for_a_form_page_links_back_to_the_case(family):
    """Without the heading, the header names the case as a link to its page."""
    html = _render("{% case_header case as_heading=False %}", case=family.case)
    assert f'href="{case_url(family.case)}"' in html
    assert "<h1>" not in html


def test_dashboard_lists_long_detentions_in_the_same_queries_however_many(
    client, team_north, alice, django_assert_max_num_queries
):
    """
    The "detained for more than N days" list reads the current detentions alone (a partial index,
    casework 0017): one query for one person or for many, each shown with their reference.
    """
    long_ago = timezone.localdate() - datetime.timedelta(days=40)
    first = _case(team_north, alice, "First detained")
    first_person = first.members.get().person
    _status(first_person, alice, LegalStatus.DETAINED_CN, long_ago)
    sign_in(client, alice)
    client.get(reverse("casework:dashboard"))  # the session's first write done
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("casework:dashboard"))
    assert first_person.reference in response.content.decode()

    others = []
    for i in range(4):
        case = _case(team_north, alice, f"Also detained {i}")
        person = case.members.get().person
        _status(person, alice, LegalStatus.DETAINED_CN, long_ago + datetime.timedelta(days=i))
        others.append(person)
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("casework:dashboard"))
    page = response.content.decode()
    section = page[page.index('id="detained-heading"') :]
    assert all(person.reference in section for person in [first_person, *others])


@pytest.mark.postgres
def test_current_detentions_have_their_own_index(db):
    """The partial index the dashboard's detention list reads (casework migration 0017)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'casework_lsr_detained_now_idx'"
        )
        (definition,) = cursor.fetchone()
    assert "(effective_from, id)" in definition
    assert "detained_cn" in definition and "effective_to IS NULL" in definition
