"""
The Django admin: every page loads, lists never show decrypted values, a person is found by
reference or by exact name, and staff see only the rows `visible_to` gives them.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework import choices
from casework.admin import PersonAdmin
from casework.models import (
    Attachment,
    BreakGlassAccess,
    Case,
    CaseAssignment,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    Relationship,
    Task,
)
from casework.services import case_break_glass

from ..admin_forms import admin_form_data
from ..conftest import built_once, sign_in
from ..factories import CaseMemberFactory, TeamFactory
from ..scenarios import Household, household_with_every_record, persona

CASEWORK_MODELS = [
    Person,
    Relationship,
    LegalStatusRecord,
    Entitlement,
    Incident,
    Case,
    CaseNote,
    Task,
    Attachment,
]


def glass_broken(household: Household, admin) -> Household:
    # The superuser of these tests sees case content only as an administrator would: through a
    # break-glass grant on each household.
    case_break_glass(case=household.case, actor=admin, reason="Reviewing the admin pages here")
    return household


def _build() -> dict:
    """A household of team North (alice's) and one of team South (charlie's), both glass-broken."""
    admin_user = persona("admin")
    alice, charlie = persona("alice"), persona("charlie")
    north_household = household_with_every_record(
        team=TeamFactory(name="North"), caseworker=alice, mother_name="박순옥", tag="N1"
    )
    south_household = household_with_every_record(
        team=TeamFactory(name="South"), caseworker=charlie, mother_name="최영희", tag="S1"
    )
    return {
        "admin_user": admin_user,
        "alice": alice,
        "charlie": charlie,
        "north_household": glass_broken(north_household, admin_user),
        "south_household": glass_broken(south_household, admin_user),
    }


# Most tests here only read the two households (or change them in their own transaction):
# built once for the module (see built_once_per_module).
_built_once, _households = built_once(_build, name="_households")


@pytest.fixture
def north_household(_households) -> Household:
    return _households["north_household"]


@pytest.fixture
def south_household(_households) -> Household:
    return _households["south_household"]


# The personas the households were built with.


@pytest.fixture
def admin_user(_households):
    return _households["admin_user"]


@pytest.fixture
def alice(_households):
    return _households["alice"]


@pytest.fixture
def charlie(_households):
    return _households["charlie"]


@pytest.fixture
def admin_client(client, admin_user):
    sign_in(client, admin_user)
    return client


@pytest.fixture
def charlie_staff(client, charlie):
    """charlie, a caseworker of team South, with every casework permission in the admin."""
    charlie.is_staff = True
    charlie.save()
    charlie.user_permissions.set(Permission.objects.filter(content_type__app_label="casework"))
    sign_in(client, charlie)
    return client


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_page(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def listed(response) -> set:
    return set(response.context["cl"].result_list)


@pytest.mark.parametrize("model", CASEWORK_MODELS, ids=lambda m: m.__name__)
def test_every_changelist_loads(admin_client, north_household, south_household, model):
    """Each casework list page answers 200 and lists the rows of both teams to a superuser."""
    response = admin_client.get(changelist(model))
    assert response.status_code == 200
    assert {north_household.rows[model], south_household.rows[model]} <= listed(response)


@pytest.mark.parametrize("model", CASEWORK_MODELS, ids=lambda m: m.__name__)
def test_every_change_page_loads(admin_client, north_household, model):
    """Each casework record opens in its change page."""
    response = admin_client.get(change_page(north_household.rows[model]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [m for m in CASEWORK_MODELS if m is not LegalStatusRecord])
def test_no_casework_record_is_added_in_the_admin(admin_client, north_household, model):
    """Records are added on the case's pages, through the services: the admin offers no add page."""
    response = admin_client.get(
        reverse(f"admin:casework_{model._meta.model_name}_add"),
        {"person": north_household.mother.pk},
    )
    assert response.status_code == 403


def test_the_status_add_page_loads(admin_client, north_household):
    """The one write offered: a new legal status, recorded through the service."""
    response = admin_client.get(
        reverse("admin:casework_legalstatusrecord_add"), {"person": north_household.mother.pk}
    )
    assert response.status_code == 200


def test_account_pages_load(admin_client, alice, team_north):
    """Users and teams are listed and open in their change pages."""
    for url in [
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[alice.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_team_changelist"),
        reverse("admin:accounts_team_change", args=[team_north.pk]),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_user_page_shows_teams_and_language(admin_client, alice):
    """A user's page shows their team memberships and preferred language."""
    content = admin_client.get(reverse("admin:accounts_user_change", args=[alice.pk])).content
    assert b"North" in content
    assert b"preferred_language" in content


def test_changelists_show_no_decrypted_values(admin_client, north_household, south_household):
    """No list page shows a name, place, contact, note or file name, whatever the model."""
    for model in CASEWORK_MODELS:
        content = admin_client.get(changelist(model)).content.decode()
        for secret in north_household.secrets + south_household.secrets:
            assert secret not in content, (model.__name__, secret)


def test_person_change_form_shows_decrypted_values(admin_client, north_household):
    """The change form of a person shows their name, contact and aliases in clear."""
    content = admin_client.get(change_page(north_household.mother)).content.decode()
    for secret in ["박순옥", "+86 139 5555 N1", "Hoeryong district N1", "Jin Shunji N1"]:
        assert secret in content


def _form_data(response) -> dict:
    """What the browser would post back from a change page, unchanged."""
    forms, data = [response.context["adminform"].form], {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {management.add_prefix(name): management[name].value() for name in management.fields}
        )
        forms += inline.formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value not in (None, False):
                data[form.add_prefix(name)] = value
    return data


def test_a_person_page_is_read_only_and_says_where_records_change(admin_client, north_household):
    """The person's page shows the decrypted values as text, with no field to type in."""
    response = admin_client.get(change_page(north_household.mother))
    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    assert not response.context["has_change_permission"]
    assert "read-only here" in response.content.decode()


def test_change_pages_are_not_cached(admin_client, north_household):
    """A page showing decrypted values tells the browser not to store it."""
    response = admin_client.get(change_page(north_household.mother))
    assert "no-store" in response["Cache-Control"]


def test_attachment_page_shows_metadata_without_a_file_link(admin_client, north_household):
    """An attachment's page shows its file name and hash, read-only, with no link to the file."""
    attachment = north_household.rows[Attachment]
    content = admin_client.get(change_page(attachment)).content.decode()
    assert "hukou-scan-N1.pdf" in content
    assert attachment.sha256 in content
    assert attachment.file.name not in content
    assert 'name="description"' not in content


def test_search_by_reference_finds_the_person(admin_client, north_household, south_household):
    """Typing a person's reference finds that person only."""
    response = admin_client.get(changelist(Person), {"q": north_household.mother.reference})
    assert listed(response) == {north_household.mother}


@pytest.mark.parametrize("typed", ["박순옥", "jin  SHUNJI n1"], ids=["name", "alias"])
@pytest.mark.parametrize("model", [Person, Case, CaseNote, Entitlement], ids=lambda m: m.__name__)
def test_the_admin_search_finds_nobody_by_name(
    admin_client, north_household, south_household, model, typed
):
    """
    The admin's search is a GET: a name typed there would sit in the address, the browser's
    history and any proxy's log. It matches references only, so a name finds nothing.
    """
    response = admin_client.get(changelist(model), {"q": typed})
    assert response.status_code == 200
    assert listed(response) == set()


@pytest.mark.parametrize("model", CASEWORK_MODELS, ids=lambda m: m.__name__)
def test_caseworker_of_another_team_sees_no_row_of_north(
    charlie_staff, north_household, south_household, model
):
    """charlie (team South) sees his own team's rows and none of team North's."""
    response = charlie_staff.get(changelist(model))
    assert response.status_code == 200
    rows = listed(response)
    assert south_household.rows[model] in rows
    assert north_household.rows[model] not in rows
    for secret in north_household.secrets:
        assert secret not in response.content.decode()


def test_caseworker_of_another_team_cannot_open_a_north_person(charlie_staff, north_household):
    """A North person's page does not open for charlie, and shows nothing of them."""
    response = charlie_staff.get(change_page(north_household.mother))
    assert response.status_code == 302
    assert "박순옥" not in charlie_staff.get(response.url).content.decode()


def test_caseworker_of_another_team_cannot_find_north_by_name(
    charlie_staff, north_household, south_household
):
    """An exact North name finds nothing for charlie, in lists or in autocomplete."""
    response = charlie_staff.get(changelist(Person), {"q": "박순옥"})
    assert listed(response) == set()
    autocomplete = charlie_staff.get(
        reverse("admin:autocomplete"),
        {
            "term": "박순옥",
            "app_label": "casework",
            "model_name": "relationship",
            "field_name": "from_person",
        },
    )
    assert autocomplete.status_code == 200
    assert autocomplete.json()["results"] == []


def test_caseworker_of_another_team_cannot_attach_a_note_to_a_north_case(
    charlie_staff, north_household
):
    """Even with every model permission, no note is written through the admin."""
    response = charlie_staff.post(
        reverse("admin:casework_casenote_add"), {"case": north_household.case.pk, "body": "hello"}
    )
    assert response.status_code == 403
    assert not CaseNote.objects.filter(
        case=north_household.case, author__username="charlie"
    ).exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_person_changelist_queries_do_not_grow_with_people(admin_client, north_case):
    """Listing 25 more people costs as many queries as listing the first few."""
    for _ in range(4):
        CaseMemberFactory(case=north_case)
    url = changelist(Person)
    _queries(admin_client, url)
    with_few = _queries(admin_client, url)
    few = Person.objects.count()
    for _ in range(25):
        CaseMemberFactory(case=north_case)
    assert Person.objects.count() == few + 25
    assert _queries(admin_client, url) == with_few


def test_changelist_queries_do_not_grow_with_rows(admin_client, admin_user, team_north, alice):
    """
    Every list page costs the same number of queries for four households as for eight (each
    opened to the superuser by breaking the glass, so that their rows are listed).
    """

    def add(*tags):
        for tag in tags:
            household = household_with_every_record(
                team=team_north, caseworker=alice, mother_name="이름" + tag, tag=tag
            )
            glass_broken(household, admin_user)

    add("A1", "A2")
    with_four = {}
    for model in CASEWORK_MODELS:
        _queries(admin_client, changelist(model))
        with_four[model] = _queries(admin_client, changelist(model))
    add("B1", "B2", "B3", "B4")
    for model in CASEWORK_MODELS:
        rows = len(listed(admin_client.get(changelist(model))))
        assert rows >= 8, (model.__name__, rows)
        assert _queries(admin_client, changelist(model)) == with_four[model], model.__name__


def test_a_person_posted_to_the_admin_is_not_created(admin_client, north_household):
    """People are registered on the case pages, with their consent; a post here makes nobody."""
    response = admin_client.post(
        reverse("admin:casework_person_add"),
        {
            "full_name": "한미숙",
            "role": choices.PersonRole.RELATIVE,
            "sex": choices.Sex.FEMALE,
            "nationality": choices.Nationality.DPRK,
            "region": choices.Region.JILIN,
            **_management_form("memberships", total=1),
            "memberships-0-case": north_household.case.pk,
            "memberships-0-role": choices.MemberRole.RELATIVE,
        },
    )
    assert response.status_code == 403
    assert not Person.objects.matching_name("한미숙").exists()


def _management_form(prefix: str, *, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _status_form(person, **overrides) -> dict:
    return {
        "person": person.pk,
        "status": choices.LegalStatus.DETAINED_CN,
        "effective_from": "2024-05-02",
        "effective_to": "",
        "country": choices.Country.CHINA,
        "place": "Tumen",
        "source": choices.StatusSource.FAMILY,
        "note": "",
        **overrides,
    }


def test_status_added_in_the_admin_closes_the_current_one(
    admin_client, admin_user, north_household
):
    """A new current status ends the previous one the day it begins, and records who added it."""
    response = admin_client.post(
        reverse("admin:casework_legalstatusrecord_add"), _status_form(north_household.mother)
    )
    assert response.status_code == 302
    timeline = list(north_household.mother.status_records.order_by("effective_from"))
    assert [record.status for record in timeline] == ["undocumented_cn", "detained_cn"]
    assert timeline[0].effective_to == datetime.date(2024, 5, 2)
    assert timeline[1].is_current
    assert timeline[1].recorded_by == admin_user
    assert LogEntry.objects.get(action_flag=ADDITION).object_id == str(timeline[1].pk)


def test_status_starting_before_the_current_one_is_refused(admin_client, north_household):
    """A status that would begin before the current one is refused with the service's reason."""
    response = admin_client.post(
        reverse("admin:casework_legalstatusrecord_add"),
        _status_form(north_household.mother, effective_from="2009-01-01"),
    )
    assert response.status_code == 200
    assert "must begin after the current status" in response.content.decode()
    assert north_household.mother.status_records.count() == 1


def test_past_status_added_in_the_admin_fills_the_timeline(admin_client, north_household):
    """A closed period before the current status is added as history."""
    response = admin_client.post(
        reverse("admin:casework_legalstatusrecord_add"),
        _status_form(
            north_household.mother,
            status=choices.LegalStatus.IN_TRANSIT,
            effective_from="2005-01-01",
            effective_to="2010-01-01",
        ),
    )
    assert response.status_code == 302
    assert north_household.mother.status_records.count() == 2
    assert north_household.mother.status_records.filter(effective_to__isnull=True).count() == 1


def test_list_showing_an_encrypted_field_fails_the_system_check(db):
    """An admin that would list names is caught by `manage.py check`."""

    class LeakyPersonAdmin(PersonAdmin):
        list_display = ["reference", "full_name"]
        search_fields = ["reference", "aliases__name"]

    errors = LeakyPersonAdmin(Person, admin.site).check()
    leaks = [error.msg for error in errors if error.id == "casework.E001"]
    assert len(leaks) == 2
    assert any("'full_name'" in msg for msg in leaks)
    assert any("'aliases__name'" in msg for msg in leaks)


def test_registered_admins_pass_the_system_check(db):
    """The admins as shipped list nothing encrypted."""
    for model in CASEWORK_MODELS:
        assert admin.site._registry[model].check() == []


# Administrators held to break-glass: nothing done here outlasts the grant, and it is all audited.


def test_an_administrator_cannot_make_themself_owner_or_assignee_of_a_case(
    admin_client, admin_user, north_household
):
    """The owner, team and assignments are shown, never set, in the admin; posting them fails."""
    url = change_page(north_household.case)
    page = admin_client.get(url)
    assert not page.context["adminform"].form.fields
    assignments = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is CaseAssignment
    )
    data = admin_form_data(page)
    data.update(
        {
            "owner": admin_user.pk,
            f"{assignments.prefix}-TOTAL_FORMS": 2,
            f"{assignments.prefix}-1-user": admin_user.pk,
            f"{assignments.prefix}-1-role": "caseworker",
        }
    )

    assert admin_client.post(url, data).status_code == 403
    north_household.case.refresh_from_db()
    assert north_household.case.owner.username == "alice"
    assert not CaseAssignment.objects.filter(user=admin_user).exists()


def test_after_break_glass_ends_the_admin_sees_nothing_of_the_case(
    admin_client, admin_user, north_household
):
    """An attempt to keep the case (owner posted) while the grant runs leaves nothing behind."""
    data = admin_form_data(admin_client.get(change_page(north_household.case)))
    admin_client.post(change_page(north_household.case), {**data, "owner": admin_user.pk})
    BreakGlassAccess.objects.filter(user=admin_user).update(expires_at=timezone.now())

    assert (
        admin_client.get(change_page(north_household.case)).status_code == 302
    )  # "does not exist"
    assert admin_client.get(change_page(north_household.mother)).status_code == 302
    assert north_household.case not in listed(admin_client.get(changelist(Case)))


def test_opening_a_person_in_the_admin_is_an_audit_event_her_supervisor_reads(
    admin_client, north_household, sue
):
    admin_client.get(change_page(north_household.mother))

    event = AuditEvent.objects.visible_to(sue).get(action="view", target_type="casework.person")
    assert event.actor_username == "admin"
    assert event.case_id == north_household.case.pk
    assert event.target_id == str(north_household.mother.pk)
    assert event.detail["admin"] is True


@pytest.mark.parametrize("model", CASEWORK_MODELS, ids=lambda m: m.__name__)
def test_every_casework_admin_page_and_list_opened_is_audited(admin_client, north_household, model):
    before = AuditEvent.objects.count()
    admin_client.get(changelist(model))
    admin_client.get(change_page(north_household.rows[model]))

    events = AuditEvent.objects.filter(action="view", actor_username="admin").order_by("sequence")
    assert AuditEvent.objects.count() > before
    assert {event.target_type for event in events} == {model._meta.label_lower}
    assert any(event.target_id == str(north_household.rows[model].pk) for event in events)


@pytest.mark.parametrize("model", CASEWORK_MODELS, ids=lambda m: m.__name__)
def test_a_post_to_any_casework_page_changes_nothing(admin_client, north_household, model):
    """
    A change page answers a post with 403 and leaves the row, and the audit trail, as they were:
    the services, which check and record every write, are the only way in.
    """
    row = north_household.rows[model]
    url = change_page(row)
    data = admin_form_data(admin_client.get(url))
    before = model.objects.filter(pk=row.pk).values().get()
    writes = AuditEvent.objects.filter(action__in=["create", "update", "delete"]).count()

    assert admin_client.post(url, {**data, "body": "Moved to the safe house"}).status_code == 403
    delete = reverse(f"admin:casework_{model._meta.model_name}_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403

    assert model.objects.filter(pk=row.pk).values().get() == before
    assert AuditEvent.objects.filter(action__in=["create", "update", "delete"]).count() == writes


def test_assignments_are_not_given_in_the_admin(admin_client, north_household):
    """
    The case page of the admin lists who works the case but lets no one add, change or delete
    a row: an assignment made there would skip the services' role checks.
    """
    from casework.admin import CaseAssignmentInline

    page = admin_client.get(reverse("admin:casework_case_change", args=[north_household.case.pk]))
    assert page.status_code == 200
    inline = CaseAssignmentInline(Case, admin.site)
    request = page.wsgi_request
    assert not inline.has_add_permission(request, north_household.case)
    assert not inline.has_change_permission(request, north_household.case)
    assert not inline.has_delete_permission(request, north_household.case)
