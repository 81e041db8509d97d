"""
The permission matrix: every URL pattern of the app and the API, enumerated from the resolver at
collection time (so a new route is covered the day it is added), requested by each role of team
North for the objects of a case of team South. Nothing of South may answer, and no response
may carry South's references, names or record ids.

A route whose URL keyword is not mapped below fails with "map kwarg X for route Y": whoever adds
such a route decides here which object it names.
"""

import copy
import datetime
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import TeamMembership
from audit.models import AuditEvent
from casework import dates as casework_dates
from casework import services as casework_services
from casework.choices import (
    AssignmentRole,
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    Nationality,
    PersonRole,
    Region,
    RelationshipKind,
    RiskLevel,
    Sex,
    StatusSource,
)
from casework.forms.people import PersonEditForm
from casework.models import (
    Attachment,
    BreakGlassAccess,
    Case,
    CaseAssignment,
    CaseClosure,
    CaseFlag,
    CheckIn,
    CheckInSchedule,
    Entitlement,
    Goal,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    PlanReview,
    Relationship,
    Task,
)
from consent.checks import allows
from consent.models import Method, Scope
from consent.services import consent_record
from intake.importing import dry_run
from intake.importing.batches import import_upload
from intake.models import ImportBatch, IntakeSubmission
from intake.services import intake_save_step, intake_start, intake_submit
from legal_aid import services as legal_aid_services
from legal_aid.models import AdvocacyDocument
from referrals.models import Referral, ServiceProvider
from referrals.services import referral_create
from reports.models import ReportRun

from ..conftest import FAST_HASHERS, consent_answer, sign_in
from ..factories import MembershipFactory, TeamFactory, UserFactory
from ..scenarios import PDF, directory_provider, persona
from .conftest import MOTHER_NAME, SouthData, north_personas

# Checked elsewhere, each by its own tests: the admin (below, and tests/casework/test_admin.py),
# sign-in and two-factor pages, API token endpoints and drafts (tests/accounts), language switching,
# the health check, static files and the favicon (tests/test_favicon.py), and the API's schema and documentation pages.
HANDLED_SEPARATELY = (
    "admin/",
    "accounts/",
    "i18n/",
    "healthz",
    "favicon.ico",
    "static",
    "api/schema",
    "api/docs",
    "api/v1/auth/",
)

# The legal library holds published law, policy and figures, not case data: every signed-in
# staff member may read it, whatever their team. Its keywords name library entries; the matrix
# still checks that these pages show nothing of another team's cases.
PUBLIC_TO_SIGNED_IN_STAFF = {
    "legal_aid:document": {"code"},
    "legal_aid:provision": {"label"},
    "legal_aid:authority": {"label"},
}
LIBRARY_PLACEHOLDER = "no-such-entry"

# Route keyword -> the South object it names.
KWARG_OBJECTS: dict[str, Callable[[SouthData], object]] = {
    "case_ref": lambda s: s.case.reference,
    "person_ref": lambda s: s.mother.reference,
    "note_id": lambda s: s.note.pk,
    "task_id": lambda s: s.task.pk,
    "incident_id": lambda s: s.incident.pk,
    "attachment_id": lambda s: s.attachment.pk,
    "alias_id": lambda s: s.alias.pk,
    "relationship_id": lambda s: s.relationship.pk,
    "status_id": lambda s: s.status.pk,
    "entitlement_id": lambda s: s.entitlement.pk,
    "user_id": lambda s: s.owner.pk,
    "intake_ref": lambda s: s.intake.reference,
    "batch_ref": lambda s: s.batch.reference,
    "document_id": lambda s: s.document.pk,
    "candidate_id": lambda s: s.match.pk,
    "schedule_id": lambda s: _south_check_in_schedule(s).pk,
    "goal_id": lambda s: _south_goal(s).pk,
    "review_id": lambda s: _south_review(s).pk,
    "closure_id": lambda s: _south_closure(s).pk,
    # Not an object: which page of an intake interview (IntakeSubmission.Step).
    "step": lambda s: "identity",
    # A record's correction pages name its kind and id; each kind is found the same way
    # (casework.views.corrections), and tests/casework/test_corrections_pages.py tries the others.
    "kind": lambda s: "note",
    "record_id": lambda s: s.note.pk,
    # Not an object: which rendered page of an advocacy document (with its document_id).
    "page": lambda s: 1,
    "provider_id": lambda s: _south_provider(s).pk,
    "referral_id": lambda s: _south_referral(s).pk,
}


def _south_provider(s: SouthData) -> ServiceProvider:
    """A lawyer in South's directory, added by sam, its supervisor."""
    found = ServiceProvider.objects.filter(team=s.case.team, kind="lawyer").first()
    return found or directory_provider(
        team=s.case.team, supervisor=s.supervisor, kind="lawyer", name="South's lawyer"
    )


def _south_referral(s: SouthData) -> Referral:
    """The mother of South, who agreed to have her case shared, referred to that lawyer."""
    found = Referral.objects.filter(case=s.case).first()
    if found:
        return found
    consent_record(
        person=s.mother,
        actor=s.owner,
        method=Method.WRITTEN,
        scopes=[Scope.STORE_DATA, Scope.SHARE_WITH_ADVOCATES],
    )
    return referral_create(
        case=s.case,
        person=s.mother,
        provider=_south_provider(s),
        service="legal",
        referred_on=casework_dates.today(),
        actor=s.owner,
    )


def _south_check_in_schedule(s: SouthData) -> CheckInSchedule:
    """The mother of South is to be heard from every three days."""
    schedule, _created = CheckInSchedule.objects.get_or_create(
        person=s.mother,
        defaults={
            "case": s.case,
            "every_days": 3,
            "starts_on": casework_dates.today(),
            "channel": CheckInSchedule.Channel.CALL,
        },
    )
    return schedule


def _south_goal(s: SouthData) -> Goal:
    """South's plan: household registration for the mother, kept by the case's owner."""
    goal = Goal.objects.filter(case=s.case).first()
    return goal or casework_services.goal_add(
        case=s.case, person=s.mother, title="Household registration", actor=s.owner
    )


def _south_review(s: SouthData) -> PlanReview:
    review = PlanReview.objects.filter(case=s.case).first()
    return review or casework_services.plan_review_record(
        case=s.case, note="Waiting for the booklet", actor=s.owner
    )


def _south_closure(s: SouthData) -> CaseClosure:
    """A past closing of South's case, reopened since."""
    closure = CaseClosure.objects.filter(case=s.case).first()
    return closure or CaseClosure.objects.create(
        case=s.case,
        closed_on=s.case.opened_on,
        reason="lost_contact",
        reopened_at=timezone.now(),
    )


# North's staff and case, written once for the module's nine hundred tests beside South's.
team_north, alice, sue, lena, north_case = north_personas()


# DRF routes that use the generic `reference` or `pk` keyword: the object depends on the route's
# basename.
REFERENCE_BY_BASENAME = {
    "person": lambda s: s.mother.reference,
    "case": lambda s: s.case.reference,
}
PK_BY_BASENAME = {
    "person": lambda s: s.mother.pk,
    "case": lambda s: s.case.pk,
    "note": lambda s: s.note.pk,
    "task": lambda s: s.task.pk,
    "incident": lambda s: s.incident.pk,
    "attachment": lambda s: s.attachment.pk,
    "relationship": lambda s: s.relationship.pk,
    "legal-status": lambda s: s.status.pk,
    "entitlement": lambda s: s.entitlement.pk,
    "alias": lambda s: s.alias.pk,
}

OBJECT_METHODS = ("get", "post", "put", "patch", "delete")
REFUSED = {403, 404, 405}
# What South's own staff may get: the page, a redirect after it, a method the route does not
# take, or a conflict with the object's state (a PDF still queued): all found the object.
REACHED = {200, 302, 405, 409}
LOGIN_PATH = "/accounts/login/"


@dataclass(frozen=True)
class Route:
    pattern: str  # as written in the URLconf, prefixes joined
    name: str | None  # namespaced
    kwargs: tuple[str, ...]
    basename: str | None  # DRF router basename
    writes: frozenset[str] = frozenset()  # the methods it takes that change something

    def __str__(self) -> str:
        readable = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", self.pattern)
        readable = re.sub(r"<\w+:(\w+)>", r"<\1>", readable)
        return "/" + readable.replace("^", "").replace("$", "").replace("\\", "")

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def handled_separately(self) -> bool:
        return self.pattern.startswith(HANDLED_SEPARATELY)

    def url(self, south: SouthData) -> str:
        if self.name is None:
            pytest.fail(f"give route {self} a name, so the permission matrix can build its URL")
        return reverse(self.name, kwargs={kw: self._value(kw, south) for kw in self.kwargs})

    def _value(self, kwarg: str, south: SouthData):
        if kwarg in PUBLIC_TO_SIGNED_IN_STAFF.get(self.name, ()):
            return LIBRARY_PLACEHOLDER
        by_basename = {"reference": REFERENCE_BY_BASENAME, "pk": PK_BY_BASENAME}.get(kwarg, {})
        pick = KWARG_OBJECTS.get(kwarg) or by_basename.get(self.basename)
        if pick is None:
            pytest.fail(
                f"map kwarg {kwarg} for route {self} ({self.name}) in "
                "tests/security/test_permission_matrix.py"
            )
        return str(pick(south))


def _walk(patterns, prefix="", namespace=None, kwargs=()) -> Iterator[Route]:
    for entry in patterns:
        names = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, kwargs + names)
        elif isinstance(entry, URLPattern):
            initkwargs = getattr(entry.callback, "initkwargs", None) or {}
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(
                pattern=prefix + str(entry.pattern),
                name=name,
                kwargs=kwargs + names,
                basename=initkwargs.get("basename"),
                writes=frozenset(_methods(entry.callback) - {"GET", "HEAD", "OPTIONS"}),
            )


def _methods(callback) -> set[str]:
    """
    The HTTP methods a view takes: a DRF viewset's actions, an APIView's handlers, or what a
    page's `require_http_methods` (`require_POST`, `form_view`) lets through. Empty when the view
    says nothing (the legal library's class-based pages: reads).
    """
    if actions := getattr(callback, "actions", None):
        return {method.upper() for method in actions}
    if (cls := getattr(callback, "cls", None)) is not None:
        return {method.upper() for method in cls.http_method_names if hasattr(cls, method)}
    view = callback
    while view is not None:
        for cell in view.__closure__ or ():
            allowed = cell.cell_contents
            if (
                isinstance(allowed, list)
                and allowed
                and all(isinstance(method, str) and method.isupper() for method in allowed)
            ):
                return set(allowed)
        view = getattr(view, "__wrapped__", None)
    return set()


def all_routes() -> list[Route]:
    # DRF's format-suffix twins (notes.json…) reach the same view as the plain route.
    return [route for route in _walk(get_resolver().url_patterns) if "format" not in route.kwargs]


ROUTES = [route for route in all_routes() if not route.handled_separately]
OBJECT_ROUTES = [route for route in ROUTES if route.kwargs]
LIST_ROUTES = [route for route in ROUTES if not route.kwargs]
NORTH_ROLES = ["alice", "sue", "lena"]  # caseworker, supervisor, legal advocate


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _leaks(response, secrets) -> list[str]:
    body = _body(response)
    return [secret for secret in secrets if secret in body]


def _request(client, method, url, data=None):
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    if method == "post":
        return client.post(url, data or {})
    return getattr(client, method)(url, data or {}, content_type="application/json")


# The route list itself.


def test_the_matrix_sees_the_routes_of_the_web_app_and_the_api():
    """The resolver walk finds web pages and API routes, with their URL keywords."""
    by_name = {route.name: route for route in ROUTES}
    assert by_name["casework:case_detail"].kwargs == ("case_ref",)
    assert "casework:dashboard" in by_name
    api = [route for route in ROUTES if route.is_api and route.kwargs]
    assert api, "no API route with a keyword was found"
    assert not any(route.handled_separately for route in ROUTES)


# North's roles against South's objects.


@pytest.mark.parametrize("role", NORTH_ROLES)
@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_north_cannot_reach_south_objects(route, role, request, south, lena, signed_in):
    """Each role of another team gets 403/404/405 on every method and sees nothing of South."""
    user = request.getfixturevalue(role)
    url = route.url(south)
    public = route.name in PUBLIC_TO_SIGNED_IN_STAFF
    before = south.fingerprint()
    denied_before = AuditEvent.objects.filter(action="denied", actor=user).count()
    refusals = 0
    failures = []
    for transport, client in signed_in.clients(user, api=route.is_api):
        for method in OBJECT_METHODS:
            response = _request(client, method, url)
            allowed = {200, *REFUSED} if public else REFUSED
            if response.status_code not in allowed:
                failures.append(f"{transport} {method.upper()} -> {response.status_code}")
            if leaks := _leaks(response, south.secrets()):
                failures.append(f"{transport} {method.upper()} shows {leaks}")
            refusals += response.status_code in (403, 404)
    assert not failures, f"{role} on {url}: " + "; ".join(failures)
    # Every refusal (a 403, a 404 probe) is in the audit trail, once.
    audited = AuditEvent.objects.filter(action="denied", actor=user).count() - denied_before
    assert audited == refusals, f"{role} on {url}: {refusals} refusals, {audited} audited"
    assert south.fingerprint() == before, f"{role} changed South's data through {url}"


@pytest.mark.parametrize("role", NORTH_ROLES)
@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_north_lists_show_nothing_of_south(route, role, request, south, lena, signed_in):
    """
    Pages and endpoints without an object answer, but show nothing of South: not plainly, not
    when searched by South's case reference or the mother's exact name, not after a form is
    sent empty.
    """
    user = request.getfixturevalue(role)
    url = route.url(south)
    secrets = south.secrets()
    searches = {
        # A term the user typed may be shown back to them (in the search box): only what it
        # could reveal besides itself counts.
        MOTHER_NAME: {key: MOTHER_NAME for key in ("q", "search", "name")},
        south.case.reference: {
            key: south.case.reference for key in ("q", "search", "reference", "case")
        },
    }
    before = south.fingerprint()
    failures = []
    for transport, client in signed_in.clients(user, api=route.is_api):
        response = client.get(url, follow=True)
        # 403: a page closed to the role (a legal advocate opening a case, a caseworker at
        # the supervisor's bulk reassignment).
        if response.status_code not in {200, 403, 405}:
            failures.append(f"{transport} GET -> {response.status_code}")
        if leaks := _leaks(response, secrets):
            failures.append(f"{transport} GET shows {leaks}")
        for term, params in searches.items():
            found = client.get(f"{url}?{urlencode(params)}", follow=True)
            if leaks := _leaks(found, [s for s in secrets if s != term]):
                failures.append(f"{transport} GET searching {term!r} shows {leaks}")
        sent = client.post(url, {})
        if sent.status_code >= 500:
            failures.append(f"{transport} POST -> {sent.status_code}")
        if leaks := _leaks(sent, secrets):
            failures.append(f"{transport} POST shows {leaks}")
    assert not failures, f"{role} on {url}: " + "; ".join(failures)
    assert south.fingerprint() == before, f"{role} changed South's data through {url}"


# Library entries are not South's objects: there is nothing of South's for them to reach.
CASE_DATA_ROUTES = [route for route in OBJECT_ROUTES if route.name not in PUBLIC_TO_SIGNED_IN_STAFF]


@pytest.mark.parametrize("route", CASE_DATA_ROUTES, ids=str)
def test_south_reaches_every_object_route(route, south, signed_in):
    """
    The control: South's own staff (charlie, who owns the case and took the intake, or sam, who
    supervises the team) are not refused, so the 404s above come from the visibility rule and
    not from a URL that names nothing.
    """
    url = route.url(south)
    answers = {}
    for user in (south.owner, south.supervisor):
        for transport, client in signed_in.clients(user, api=route.is_api):
            answers[f"{user.get_username()} {transport}"] = client.get(url).status_code
    transports = {key.split()[1] for key in answers}
    for transport in transports:
        reached = [
            code for key, code in answers.items() if key.endswith(transport) and code in REACHED
        ]
        assert reached, f"no one of South reaches GET {url}: {answers}"


# Nobody signed in.


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_is_sent_to_sign_in(route, client, south):
    """Without signing in, every route leads to the login page or answers 401/403 (405)."""
    url = route.url(south)
    before = south.fingerprint()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert not _leaks(response, south.secrets())
        if response.status_code == 302:
            # Followed on, as a browser would (the login page may carry the asked-for URL).
            landing = _landing(client, response)
            assert landing.startswith(LOGIN_PATH), f"anonymous {method.upper()} {url} -> {landing}"
        else:
            assert response.status_code in {401, 403, 405}, (
                f"anonymous {method.upper()} {url} -> {response.status_code}"
            )
    assert south.fingerprint() == before


def _landing(client, redirect) -> str:
    """
    Where a browser ends after `redirect`: its target and any redirect after it, followed by GET
    as the test client follows a 302, from the response at hand rather than by asking again.
    """
    target = redirect["Location"]
    followed = client.get(target, follow=True)
    return followed.redirect_chain[-1][0] if followed.redirect_chain else target


# The admin: its querysets follow the same rule.


# Casework's pages (the case plan and closings among them) and the referrals' (the directory and
# the referrals), which share casework's admin base.
CASEWORK_ADMINS = sorted(
    (f"{model._meta.app_label}_{model._meta.model_name}", model_admin)
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in ("casework", "referrals")
)


def test_a_caseworker_who_is_not_staff_cannot_open_the_admin(alice):
    """
    The admin turns away a signed-in caseworker without staff status with the 403 page, on its
    index, a model's list and its login: not a redirect to the login, which sent her back (a loop).
    """
    client = sign_in(Client(), alice)
    for url in ("/admin/", "/admin/casework/case/"):
        response = client.get(url)
        assert response.status_code == 403, (url, response.get("Location"))
        assert "Not allowed" in response.content.decode()
    # The admin's login is the app's; signed in already, she ends on the same 403, not in a loop.
    response = client.get("/admin/login/?next=/admin/", follow=True)
    assert response.status_code == 403 and len(response.redirect_chain) <= 3


def test_the_admin_still_sends_a_stranger_to_the_one_login(db):
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.fixture
def north_staff(team_north, north_case):
    """A member of North's staff with the admin's view permission, but not a superuser."""
    user = UserFactory(username="nadia", is_staff=True)
    MembershipFactory(user=user, team=team_north)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["casework", "referrals"], codename__startswith="view"
        )
    )
    return user


@pytest.mark.parametrize(("model_name", "model_admin"), CASEWORK_ADMINS, ids=lambda v: str(v))
def test_admin_lists_of_a_staff_member_show_no_other_team(
    model_name, model_admin, north_staff, south
):
    """A North staff member's admin lists and searches show nothing of South's case."""
    # South has a record of the kind listed, so a list that leaked would show it.
    SOUTH_OBJECT_BY_MODEL[model_name](south)
    client = sign_in(Client(), north_staff)
    url = reverse(f"admin:{model_name}_changelist")
    # A searched term may be shown back in the search box: only what else it reveals counts.
    for term in (None, south.case.reference, south.mother.reference, MOTHER_NAME):
        query = f"?{urlencode({'q': term})}" if term else ""
        response = client.get(url + query)
        assert response.status_code == 200, f"{url}{query} -> {response.status_code}"
        leaks = [s for s in _leaks(response, south.secrets()) if s != term]
        assert not leaks, f"{url}{query} shows {leaks}"


SOUTH_OBJECT_BY_MODEL = {
    "casework_case": lambda s: s.case,
    "casework_person": lambda s: s.mother,
    "casework_relationship": lambda s: s.relationship,
    "casework_legalstatusrecord": lambda s: s.status,
    "casework_entitlement": lambda s: s.entitlement,
    "casework_incident": lambda s: s.incident,
    "casework_casenote": lambda s: s.note,
    "casework_task": lambda s: s.task,
    "casework_attachment": lambda s: s.attachment,
    "casework_checkinschedule": _south_check_in_schedule,
    "casework_checkin": lambda s: (
        CheckIn.objects.filter(schedule__case=s.case).first()
        or casework_services.check_in_record(
            schedule=_south_check_in_schedule(s), outcome="safe", actor=s.owner
        )
    ),
    "casework_goal": _south_goal,
    "casework_planreview": _south_review,
    "casework_caseclosure": _south_closure,
    "referrals_serviceprovider": _south_provider,
    "referrals_referral": _south_referral,
}


@pytest.mark.parametrize(("model_name", "model_admin"), CASEWORK_ADMINS, ids=lambda v: str(v))
def test_admin_pages_of_south_objects_are_closed_to_north_staff(
    model_name, model_admin, north_staff, south
):
    """A North staff member who types the id of a South record gets no page of it."""
    pick = SOUTH_OBJECT_BY_MODEL.get(model_name)
    assert pick is not None, f"map the admin model {model_name} to a South object"
    obj = pick(south)
    client = sign_in(Client(), north_staff)
    for view in ("change", "history", "delete"):
        url = reverse(f"admin:{model_name}_{view}", args=[obj.pk])
        response = client.get(url)
        assert response.status_code in {302, 403, 404}, f"{url} -> {response.status_code}"
        assert not _leaks(response, south.references()), url


def test_admin_autocomplete_offers_no_south_case_or_person(north_staff, south):
    """The admin's search-as-you-type lists of cases and people skip South's."""
    client = sign_in(Client(), north_staff)
    for model_name, field_name, term in (
        ("incident", "case", south.case.reference),
        ("relationship", "from_person", south.mother.reference),
        ("relationship", "from_person", MOTHER_NAME),
    ):
        query = urlencode(
            {
                "term": term,
                "app_label": "casework",
                "model_name": model_name,
                "field_name": field_name,
            }
        )
        response = client.get(f"/admin/autocomplete/?{query}")
        assert response.status_code in {200, 403}
        assert not [s for s in _leaks(response, south.secrets()) if s != term]


def test_a_supervisor_of_north_sees_no_south_case_in_the_queryset(sue, south):
    """The rule every route above relies on, stated directly."""
    assert not Case.objects.visible_to(sue).filter(pk=south.case.pk).exists()


# Within the team: each role's writes that must succeed, and those closed to it. The rules are
# casework.permissions'; the matrix checks that each page and endpoint follows them, both ways.


@dataclass
class SouthStaff:
    data: SouthData
    caseworker: object  # charlie: owns and works the case
    supervisor: object  # sam
    advocate: object  # sol: the case is shared with her, one follow-up is hers
    colleague: object  # cora: another caseworker of South, not on the case
    advocates_task: object
    administrator: object  # admin: of no team; sees a case only through break-glass


@pytest.fixture(scope="module")
def _south_staff_built(_built_once, signed_in, django_db_blocker):
    """
    South's legal advocate sol, its caseworker cora, the sharing the case's people agreed to and
    sol's follow-up, and the administrator, written once for the writes below in the module's
    transaction (each write is undone in its test's savepoint), with sol and the administrator
    signed in (`signed_in`).
    """
    south = _built_once
    team = south.case.team
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        sol = UserFactory(username="sol")
        MembershipFactory(user=sol, team=team, role=TeamMembership.Role.LEGAL_ADVOCATE)
        cora = UserFactory(username="cora")
        MembershipFactory(user=cora, team=team, role=TeamMembership.Role.CASEWORKER)
        for person in south.case.people.all():
            consent_record(
                person=person,
                actor=south.owner,
                method=Method.WRITTEN,
                scopes=[Scope.SHARE_WITH_ADVOCATES],
            )
        CaseAssignment.objects.create(case=south.case, user=sol, role=AssignmentRole.LEGAL_ADVOCATE)
        task = casework_services.task_create(
            case=south.case, title="Draft the appeal", actor=south.owner, assignee=sol
        )
        administrator = persona("admin")
        signed_in.add(sol, administrator)
    return sol, cora, task, administrator


@pytest.fixture
def south_staff(_south_staff_built, _intake_and_legal_aid_built, south) -> SouthStaff:
    sol, cora, task, administrator = copy.deepcopy(_south_staff_built)
    return SouthStaff(south, south.owner, south.supervisor, sol, cora, task, administrator)


def _advocate_of(team):
    user = UserFactory(username="amal")
    MembershipFactory(user=user, team=team, role=TeamMembership.Role.LEGAL_ADVOCATE)
    return user


def _case_page(s: SouthStaff, name: str) -> str:
    return reverse(f"casework:{name}", args=[s.data.case.reference])


def _case_edit_post(s: SouthStaff) -> dict:
    case = Case.objects.get(pk=s.data.case.pk)
    return {
        "version": case.version,
        "risk_level": "critical",
        "status": case.status,
        "summary": "Raid expected",
    }


def _consent_page(action: str) -> Callable[[SouthStaff], str]:
    return lambda s: reverse(f"casework:consent_{action}", args=[s.data.mother.reference])


def _consent_post(s: SouthStaff) -> dict:
    return consent_answer()


def _renew_post(s: SouthStaff) -> dict:
    return {"method": Method.VERBAL, "given_on": timezone.localdate().isoformat()}


@dataclass(frozen=True)
class Write:
    """
    A write by `role` to `url(s)` with `data(s)`, and the status it must get; `done(s)`, when
    given, says whether the change it must make was made (a redirect alone may be a refusal
    told in a message, or a step that changed nothing).
    """

    role: str
    label: str
    url: Callable[[SouthStaff], str]
    data: Callable[[SouthStaff], dict]
    status: int
    api: bool = False
    method: str = "POST"
    # An API upload, sent as a multipart form rather than JSON.
    multipart: bool = False
    # What the user then finds, asserted after the status: `then(s, response)`.
    then: Callable[[SouthStaff, HttpResponse], None] | None = None
    done: Callable[[SouthStaff], bool] | None = None

    def __str__(self) -> str:
        return f"{self.role}-{self.label}-{self.status}"


TASK_DONE = "complete/"
_TASK_CORRECT = lambda s: f"/api/v1/tasks/{s.data.task.pk}/correct/"  # noqa: E731


def _repeat_post(s) -> dict:
    return {
        "case": s.data.case.reference,
        "title": "Ask the lawyer about the hearing",
        "due_on": "2030-01-06",
        "repeat_every": 1,
        "repeat_unit": "weeks",
        "repeat_while": "detained",
    }


def _repeat_correct(s) -> dict:
    return {"repeat_every": 2, "repeat_unit": "weeks", "reason": "Fortnightly now", "version": 1}


def _record_page(s: SouthStaff, action: str) -> str:
    return reverse(f"casework:record_{action}", args=["note", s.data.note.pk])


def _note_post(s) -> dict:
    """A note of a call made today, as the page and the API take it."""
    return {"kind": "call", "contacted_on": casework_dates.today().isoformat(), "body": "x"}


def _goal_post(s) -> dict:
    return {"person": s.data.mother.reference, "title": "School enrolment", "why": ""}


def _close_post(s) -> dict:
    case = Case.objects.get(pk=s.data.case.pk)
    return {"reason": "resettled", "version": case.version}


def _bulk_post(s) -> dict:
    return {
        "cases": [s.data.case.reference],
        "action": "reassign",
        "from_user": s.caseworker.pk,
        "to_user": s.colleague.pk,
    }


WRITES = [
    # The case plan and closing: those who work the case; the advocate reads them.
    Write("caseworker", "goal_add", lambda s: _case_page(s, "goal_add"), _goal_post, 302),
    Write("advocate", "goal_add", lambda s: _case_page(s, "goal_add"), _goal_post, 403),
    Write(
        "supervisor",
        "goal_step_add",
        lambda s: reverse(
            "casework:goal_step_add", args=[s.data.case.reference, _south_goal(s.data).pk]
        ),
        lambda s: {"title": "Ask the police station", "due_on": "", "assignee": ""},
        302,
    ),
    Write(
        "caseworker",
        "goal_status",
        lambda s: reverse(
            "casework:goal_status", args=[s.data.case.reference, _south_goal(s.data).pk]
        ),
        lambda s: {"status": "achieved", "version": 1},
        302,
    ),
    Write(
        "advocate",
        "goal_status",
        lambda s: reverse(
            "casework:goal_status", args=[s.data.case.reference, _south_goal(s.data).pk]
        ),
        lambda s: {"status": "achieved", "version": 1},
        403,
    ),
    Write(
        "caseworker",
        "plan_review_add",
        lambda s: _case_page(s, "plan_review_add"),
        lambda s: {"reviewed_on": casework_dates.today().isoformat(), "note": "On track"},
        302,
    ),
    Write(
        "supervisor",
        "plan_schedule",
        lambda s: _case_page(s, "plan_schedule"),
        lambda s: {"every_weeks": 4},
        302,
    ),
    Write("caseworker", "case_close", lambda s: _case_page(s, "case_close"), _close_post, 302),
    Write("supervisor", "case_close", lambda s: _case_page(s, "case_close"), _close_post, 302),
    Write("advocate", "case_close", lambda s: _case_page(s, "case_close"), _close_post, 403),
    Write(
        "advocate",
        "case_reopen",
        lambda s: _case_page(s, "case_reopen"),
        lambda s: {"version": 1},
        403,
    ),
    Write(
        "caseworker",
        "api_goal",
        lambda s: "/api/v1/goals/",
        lambda s: {"case": s.data.case.reference, "person": s.data.mother.reference, "title": "x"},
        201,
        api=True,
    ),
    Write(
        "advocate",
        "api_goal",
        lambda s: "/api/v1/goals/",
        lambda s: {"case": s.data.case.reference, "person": s.data.mother.reference, "title": "x"},
        403,
        api=True,
    ),
    Write(
        "supervisor",
        "api_plan_review",
        lambda s: "/api/v1/plan-reviews/",
        lambda s: {"case": s.data.case.reference, "note": "On track"},
        201,
        api=True,
    ),
    Write(
        "caseworker",
        "api_close",
        lambda s: "/api/v1/closures/",
        lambda s: {"case": s.data.case.reference, "reason": "resettled"},
        201,
        api=True,
    ),
    Write(
        "advocate",
        "api_close",
        lambda s: "/api/v1/closures/",
        lambda s: {"case": s.data.case.reference, "reason": "resettled"},
        403,
        api=True,
    ),
    # Many cases at once, and the preview before: the supervisor's.
    Write("supervisor", "cases_bulk", lambda s: reverse("casework:cases_bulk"), _bulk_post, 200),
    Write(
        "supervisor",
        "cases_bulk_confirmed",
        lambda s: reverse("casework:cases_bulk"),
        lambda s: {**_bulk_post(s), "confirm": "True"},
        302,
    ),
    Write("caseworker", "cases_bulk", lambda s: reverse("casework:cases_bulk"), _bulk_post, 403),
    # Correcting and voiding a record: its case's caseworker and supervisor, not the advocate.
    Write(
        "caseworker",
        "record_correct",
        lambda s: _record_page(s, "correct"),
        lambda s: {**_note_post(s), "body": "Corrected", "reason": "Wrong name", "version": 1},
        302,
    ),
    Write(
        "supervisor",
        "record_void",
        lambda s: _record_page(s, "void"),
        lambda s: {"reason": "Entered twice", "version": 1},
        302,
    ),
    Write(
        "advocate",
        "record_correct",
        lambda s: _record_page(s, "correct"),
        lambda s: {"body": "Corrected", "reason": "Wrong name", "version": 1},
        403,
    ),
    Write(
        "advocate",
        "record_void",
        lambda s: _record_page(s, "void"),
        lambda s: {"reason": "Entered twice", "version": 1},
        403,
    ),
    # The caseworker works her case: records, edits, her follow-up, a new case.
    Write("caseworker", "note_add", lambda s: _case_page(s, "note_add"), _note_post, 302),
    Write("caseworker", "case_edit", lambda s: _case_page(s, "case_edit"), _case_edit_post, 302),
    Write(
        "caseworker",
        "task_complete",
        lambda s: reverse("casework:task_complete", args=[s.data.case.reference, s.data.task.pk]),
        lambda s: {"version": 1},
        302,
    ),
    Write(
        "caseworker",
        "case_create",
        lambda s: reverse("casework:case_create"),
        lambda s: {"team": s.data.case.team_id, "risk_level": "low", "summary": ""},
        302,
    ),
    Write(
        "caseworker",
        "api_note",
        lambda s: "/api/v1/notes/",
        lambda s: {"case": s.data.case.reference, **_note_post(s)},
        201,
        api=True,
    ),
    Write(
        "caseworker",
        "api_case_open",
        lambda s: "/api/v1/cases/",
        lambda s: {"team": s.data.case.team_id, "risk_level": "low"},
        201,
        api=True,
    ),
    # ...but who works and who sees the case is the supervisor's.
    Write(
        "caseworker",
        "case_assign",
        lambda s: _case_page(s, "case_assign"),
        lambda s: {"caseworker": s.colleague.pk},
        403,
    ),
    Write(
        "caseworker",
        "case_share",
        lambda s: _case_page(s, "case_share"),
        lambda s: {"advocate": s.advocate.pk},
        403,
    ),
    Write(
        "caseworker",
        "case_transfer",
        lambda s: _case_page(s, "case_transfer"),
        lambda s: {"to_team": TeamFactory(name="East").pk, "confirm": "on"},
        403,
    ),
    Write(
        "caseworker",
        "team_reassign",
        lambda s: reverse("casework:team_reassign"),
        lambda s: {
            "team": s.data.case.team_id,
            "from_user": s.caseworker.pk,
            "to_user": s.colleague.pk,
        },
        403,
    ),
    # The supervisor assigns, hands over, shares and transfers, and edits her team's cases.
    Write(
        "supervisor",
        "case_assign",
        lambda s: _case_page(s, "case_assign"),
        lambda s: {"caseworker": s.colleague.pk},
        302,
    ),
    Write(
        "supervisor",
        "case_share",
        lambda s: _case_page(s, "case_share"),
        lambda s: {"advocate": _advocate_of(s.data.case.team).pk},
        302,
    ),
    Write(
        "supervisor",
        "case_transfer",
        lambda s: _case_page(s, "case_transfer"),
        lambda s: {"to_team": TeamFactory(name="East").pk, "confirm": "on"},
        302,
    ),
    Write(
        "supervisor",
        "team_reassign",
        lambda s: reverse("casework:team_reassign"),
        lambda s: {
            "team": s.data.case.team_id,
            "from_user": s.caseworker.pk,
            "to_user": s.colleague.pk,
        },
        302,
    ),
    Write("supervisor", "note_add", lambda s: _case_page(s, "note_add"), _note_post, 302),
    Write(
        "supervisor",
        "api_case_update",
        lambda s: f"/api/v1/cases/{s.data.case.reference}/",
        lambda s: {"risk_level": "critical"},
        200,
        api=True,
        method="PATCH",
    ),
    # A hand-over to the team's legal advocate is refused on the form: she never becomes a
    # caseworker of the case.
    Write(
        "supervisor",
        "case_assign_advocate",
        lambda s: _case_page(s, "case_assign"),
        lambda s: {"caseworker": s.advocate.pk},
        200,
    ),
    # What the case's people agree to is recorded and renewed by those who work the case.
    Write("caseworker", "consent_record", _consent_page("record"), _consent_post, 302),
    Write("caseworker", "consent_renew", _consent_page("renew"), _renew_post, 302),
    Write("supervisor", "consent_record", _consent_page("record"), _consent_post, 302),
    # The legal advocate reads, completes the follow-up given to her, and changes nothing else.
    Write(
        "advocate",
        "task_complete",
        lambda s: reverse(
            "casework:task_complete", args=[s.data.case.reference, s.advocates_task.pk]
        ),
        lambda s: {"version": 1},
        302,
    ),
    Write(
        "advocate",
        "api_task_complete",
        lambda s: f"/api/v1/tasks/{s.advocates_task.pk}/{TASK_DONE}",
        lambda s: {"version": 1},
        200,
        api=True,
    ),
    Write(
        "advocate",
        "others_task_complete",
        lambda s: reverse("casework:task_complete", args=[s.data.case.reference, s.data.task.pk]),
        lambda s: {"version": 1},
        403,
    ),
    Write(
        "advocate",
        "api_others_task_complete",
        lambda s: f"/api/v1/tasks/{s.data.task.pk}/{TASK_DONE}",
        lambda s: {"version": 1},
        403,
        api=True,
    ),
    # A repeating follow-up, set and re-timed through the API as on the page.
    Write("caseworker", "api_task_repeat", lambda s: "/api/v1/tasks/", _repeat_post, 201, api=True),
    Write("advocate", "api_task_repeat", lambda s: "/api/v1/tasks/", _repeat_post, 403, api=True),
    Write("caseworker", "api_task_repeat_correct", _TASK_CORRECT, _repeat_correct, 200, api=True),
    Write("advocate", "api_task_repeat_correct", _TASK_CORRECT, _repeat_correct, 403, api=True),
    Write("advocate", "note_add", lambda s: _case_page(s, "note_add"), _note_post, 403),
    Write("advocate", "case_edit", lambda s: _case_page(s, "case_edit"), _case_edit_post, 403),
    Write("advocate", "consent_record", _consent_page("record"), _consent_post, 403),
    Write("advocate", "consent_renew", _consent_page("renew"), _renew_post, 403),
    Write(
        "advocate",
        "case_create",
        lambda s: reverse("casework:case_create"),
        lambda s: {"team": s.data.case.team_id, "risk_level": "low", "summary": ""},
        403,
    ),
    Write(
        "advocate",
        "api_note",
        lambda s: "/api/v1/notes/",
        lambda s: {"case": s.data.case.reference, **_note_post(s)},
        403,
        api=True,
    ),
    Write(
        "advocate",
        "api_case_open",
        lambda s: "/api/v1/cases/",
        lambda s: {"team": s.data.case.team_id, "risk_level": "low"},
        403,
        api=True,
    ),
    # Corrections and consent through the API follow the pages' rules.
    Write(
        "caseworker",
        "api_record_correct",
        lambda s: f"/api/v1/notes/{s.data.note.pk}/correct/",
        lambda s: {"body": "Corrected", "reason": "Wrong name", "version": 1},
        200,
        api=True,
    ),
    Write(
        "supervisor",
        "api_record_void",
        lambda s: f"/api/v1/notes/{s.data.note.pk}/void/",
        lambda s: {"reason": "Entered twice", "version": 1},
        204,
        api=True,
    ),
    Write(
        "advocate",
        "api_record_correct",
        lambda s: f"/api/v1/notes/{s.data.note.pk}/correct/",
        lambda s: {"body": "Corrected", "reason": "Wrong name", "version": 1},
        403,
        api=True,
    ),
    Write(
        "caseworker",
        "api_consent_record",
        lambda s: f"/api/v1/persons/{s.data.mother.reference}/consents/",
        lambda s: consent_answer(),
        201,
        api=True,
    ),
    Write(
        "advocate",
        "api_consent_record",
        lambda s: f"/api/v1/persons/{s.data.mother.reference}/consents/",
        lambda s: consent_answer(),
        403,
        api=True,
    ),
]


def _referral_post(s: SouthStaff) -> dict:
    """The mother referred to South's lawyer: her consent allows sharing with advocates."""
    return {
        "person": s.data.mother.pk,
        "service": "legal",
        "provider": _south_provider(s.data).pk,
        "referred_on": casework_dates.today().isoformat(),
        "urgency": "urgent",
    }


def _api_referral_post(s: SouthStaff) -> dict:
    return {
        **_referral_post(s),
        "case": s.data.case.reference,
        "person": s.data.mother.reference,
        "provider": str(_south_provider(s.data).pk),
    }


def _provider_post(s: SouthStaff) -> dict:
    return {
        "team": s.data.case.team_id,
        "name": "Riverside Clinic",
        "kind": "clinic",
        "region": "cn-jilin-yanbian",
        "languages": ["ko"],
        "active": "on",
    }


def _status_post(s: SouthStaff) -> dict:
    return {"status": "sent", "changed_on": casework_dates.today().isoformat(), "version": 1}


_REFER = lambda s: reverse("referrals:referral_create", args=[s.data.case.reference])  # noqa: E731
_STATUS = lambda s: reverse("referrals:referral_status", args=[_south_referral(s.data).pk])  # noqa: E731
_API_STATUS = lambda s: f"/api/v1/referrals/referrals/{_south_referral(s.data).pk}/status/"  # noqa: E731

# Referrals: the case's caseworker and supervisor refer and move them on, the advocate reads;
# the directory is the supervisor's.
WRITES += [
    Write("caseworker", "referral_create", _REFER, _referral_post, 302),
    Write("supervisor", "referral_create", _REFER, _referral_post, 302),
    Write("advocate", "referral_create", _REFER, _referral_post, 403),
    Write("caseworker", "referral_status", _STATUS, _status_post, 302),
    Write("advocate", "referral_status", _STATUS, _status_post, 403),
    Write(
        "caseworker",
        "provider_create",
        lambda s: reverse("referrals:provider_create"),
        _provider_post,
        403,
    ),
    Write(
        "supervisor",
        "provider_create",
        lambda s: reverse("referrals:provider_create"),
        _provider_post,
        302,
    ),
    Write(
        "supervisor",
        "provider_edit",
        lambda s: reverse("referrals:provider_edit", args=[_south_provider(s.data).pk]),
        lambda s: {**_provider_post(s), "kind": "lawyer", "version": 1},
        302,
    ),
    Write(
        "caseworker",
        "provider_edit",
        lambda s: reverse("referrals:provider_edit", args=[_south_provider(s.data).pk]),
        lambda s: {**_provider_post(s), "kind": "lawyer", "version": 1},
        403,
    ),
    Write(
        "caseworker",
        "api_referral_create",
        lambda s: "/api/v1/referrals/referrals/",
        _api_referral_post,
        201,
        api=True,
    ),
    Write(
        "advocate",
        "api_referral_create",
        lambda s: "/api/v1/referrals/referrals/",
        _api_referral_post,
        403,
        api=True,
    ),
    Write("caseworker", "api_referral_status", _API_STATUS, _status_post, 200, api=True),
    Write("advocate", "api_referral_status", _API_STATUS, _status_post, 403, api=True),
    Write(
        "supervisor",
        "api_provider_create",
        lambda s: "/api/v1/referrals/providers/",
        lambda s: {**_provider_post(s), "team": s.data.case.team.name, "active": True},
        201,
        api=True,
    ),
    Write(
        "caseworker",
        "api_provider_create",
        lambda s: "/api/v1/referrals/providers/",
        lambda s: {**_provider_post(s), "team": s.data.case.team.name, "active": True},
        403,
        api=True,
    ),
]


def _closed_case_page(s: SouthStaff, name: str) -> str:
    """A page of South's case, closed first (as resettled) by its caseworker."""
    if Case.objects.get(pk=s.data.case.pk).status != "closed":
        casework_services.case_close(case=s.data.case, actor=s.caseworker, reason="resettled")
    return _case_page(s, name)


def _case_version(s: SouthStaff) -> dict:
    return {"version": Case.objects.get(pk=s.data.case.pk).version}


_GOAL_API = lambda s: f"/api/v1/goals/{_south_goal(s.data).pk}/"  # noqa: E731

# The plan's steps and statuses through the API, reopening a closed case, a referral that is a
# step of a goal, and the directory changed through the API: each by whom it is for.
WRITES += [
    Write(
        "caseworker",
        "api_goal_steps",
        lambda s: _GOAL_API(s) + "steps/",
        lambda s: {"title": "Ask the school for the form"},
        201,
        api=True,
    ),
    Write(
        "advocate",
        "api_goal_steps",
        lambda s: _GOAL_API(s) + "steps/",
        lambda s: {"title": "Ask the school for the form"},
        403,
        api=True,
    ),
    Write(
        "supervisor",
        "api_goal_status",
        lambda s: _GOAL_API(s) + "status/",
        lambda s: {"status": "achieved"},
        200,
        api=True,
    ),
    Write(
        "advocate",
        "api_goal_status",
        lambda s: _GOAL_API(s) + "status/",
        lambda s: {"status": "achieved"},
        403,
        api=True,
    ),
    Write(
        "caseworker",
        "case_reopen",
        lambda s: _closed_case_page(s, "case_reopen"),
        _case_version,
        302,
    ),
    Write(
        "supervisor",
        "api_reopen",
        lambda s: (_closed_case_page(s, "case_reopen"), "/api/v1/closures/reopen/")[1],
        lambda s: {"case": s.data.case.reference, **_case_version(s)},
        200,
        api=True,
    ),
    Write(
        "advocate",
        "api_reopen",
        lambda s: (_closed_case_page(s, "case_reopen"), "/api/v1/closures/reopen/")[1],
        lambda s: {"case": s.data.case.reference, **_case_version(s)},
        403,
        api=True,
    ),
    Write(
        "caseworker",
        "referral_step",
        _REFER,
        lambda s: {**_referral_post(s), "goal": _south_goal(s.data).pk},
        302,
    ),
    Write(
        "caseworker",
        "api_referral_step",
        lambda s: "/api/v1/referrals/referrals/",
        lambda s: {**_api_referral_post(s), "goal": str(_south_goal(s.data).pk)},
        201,
        api=True,
    ),
    Write(
        "supervisor",
        "api_provider_update",
        lambda s: f"/api/v1/referrals/providers/{_south_provider(s.data).pk}/",
        lambda s: {"shared": True, "version": 1},
        200,
        api=True,
        method="PATCH",
    ),
    Write(
        "caseworker",
        "api_provider_update",
        lambda s: f"/api/v1/referrals/providers/{_south_provider(s.data).pk}/",
        lambda s: {"shared": True, "version": 1},
        403,
        api=True,
        method="PATCH",
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_each_role_of_the_team_may_do_its_writes_and_no_other(write, south_staff, signed_in):
    """
    Per role of the case's own team, a write it may make answers its success (the redirect, 201
    or 200) and one closed to it answers 403; 200 for a form that refuses the choice on itself.
    """
    user = getattr(south_staff, write.role)
    if write.multipart:
        response = signed_in.token(user).post(write.url(south_staff), write.data(south_staff))
    elif write.api:
        response = signed_in.token(user).generic(
            write.method,
            write.url(south_staff),
            data=json.dumps(write.data(south_staff)),
            content_type="application/json",
        )
    else:
        response = signed_in.session(user).post(write.url(south_staff), write.data(south_staff))
    assert response.status_code == write.status, (
        f"{write.role} {write.label}: {response.status_code} {_body(response)[:500]}"
    )
    if write.then is not None:
        write.then(south_staff, response)
    if write.done is not None:
        assert write.done(south_staff), f"{write.role} {write.label}: answered, but not done"


def _void(kind: str, attribute: str) -> Write:
    """A record of the case voided through the API by its caseworker, at its current version."""

    def url(s: SouthStaff) -> str:
        return f"/api/v1/{kind}/{getattr(s.data, attribute).pk}/void/"

    def data(s: SouthStaff) -> dict:
        record = getattr(s.data, attribute)
        return {
            "reason": "Entered twice",
            "version": type(record).objects.get(pk=record.pk).version,
        }

    return Write("caseworker", f"api_{attribute}_void", url, data, 204, api=True)


# Voiding each kind of record through the API: the caseworker of the case may.
WRITES += [
    _void("tasks", "task"),
    _void("incidents", "incident"),
    _void("attachments", "attachment"),
    _void("relationships", "relationship"),
    _void("legal-statuses", "status"),
    _void("entitlements", "entitlement"),
]

# ---------------------------------------------------------------------------------------------
# Casework's write routes that must succeed (issue 15 point 1, share `successcw`): each page and
# endpoint of casework and its API, posted by the role of South's team that may use it with what
# its form or serializer takes, and what the user then finds (`then`): the page a form leads to
# and the record written or changed. The caseworker who works the case does nearly all of it;
# the supervisor works her team's cases too; the administrator, of no team, breaks the glass.
# What a row needs beyond South's world (the child's father, a relative on file in another case,
# a couple's tie) is written by the row's own test, in its savepoint, as `_south_goal` is.


def _days_ago(days: int) -> str:
    return (casework_dates.today() - datetime.timedelta(days=days)).isoformat()


def _mother_page(s: SouthStaff, name: str = "person_detail") -> str:
    return reverse(f"casework:{name}", args=[s.data.mother.reference])


def _case_detail(s: SouthStaff) -> str:
    return reverse("casework:case_detail", args=[s.data.case.reference])


def _version(record) -> int:
    """The version of `record` as stored now, as the page or client that read it would send."""
    return type(record).objects.get(pk=record.pk).version


def _then(
    lands: Callable[[SouthStaff], str] | None = None,
    holds: Callable[[SouthStaff], bool] | None = None,
) -> Callable[[SouthStaff, HttpResponse], None]:
    """The user is sent on to `lands(s)` (a form's redirect), and `holds(s)` is now true."""

    def check(s: SouthStaff, response: HttpResponse) -> None:
        if lands is not None:
            assert response["Location"] == lands(s)
        if holds is not None:
            assert holds(s), "the write answered its success, but what it writes is not there"

    return check


def _south_father(s: SouthStaff) -> Person:
    """The daughter's father, a Chinese national, registered in South's case by its caseworker."""
    found = s.data.case.people.filter(role=PersonRole.PARTNER).first()
    return found or casework_services.person_create(
        actor=s.caseworker,
        full_name="Zhang Wei",
        sex=Sex.MALE,
        nationality=Nationality.PRC,
        role=PersonRole.PARTNER,
        region=Region.YANBIAN,
        case=s.data.case,
        role_in_case=MemberRole.PARTNER,
    )


def _south_couple(s: SouthStaff) -> Relationship:
    """The mother and the father, partners: a marriage with a North Korean cannot be registered."""
    father = _south_father(s)
    found = Relationship.objects.filter(from_person=s.data.mother, to_person=father).first()
    return found or casework_services.relationship_create(
        from_person=s.data.mother,
        to_person=father,
        kind=RelationshipKind.PARTNER_OF,
        marriage_registered=False,
        actor=s.caseworker,
    )


def _south_aunt(s: SouthStaff) -> Person:
    """
    The mother's sister, on file with her consent in another case of the caseworker's: someone
    who may join South's case.
    """
    team = s.data.case.team
    found = Person.objects.filter(role=PersonRole.RELATIVE, memberships__case__team=team).first()
    if found:
        return found
    her_case = casework_services.case_open(
        team=team, actor=s.caseworker, risk_level=RiskLevel.MEDIUM
    )
    return casework_services.person_create(
        actor=s.caseworker,
        full_name="남궁언니",
        sex=Sex.FEMALE,
        nationality=Nationality.DPRK,
        role=PersonRole.RELATIVE,
        region=Region.JILIN,
        case=her_case,
        role_in_case=MemberRole.PRINCIPAL,
        consent={
            "scopes": [Scope.STORE_DATA],
            "method": Method.VERBAL,
            "given_on": casework_dates.today(),
        },
    )


def _upload(name: str = "hukou-refusal.pdf") -> SimpleUploadedFile:
    """A scanned letter, as a browser or a client sends a file."""
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# The daughter's father, as his caseworker registers him in South's case.
FATHER = {
    "full_name": "Zhang Wei",
    "date_of_birth": "1979-08-15",
    "sex": Sex.MALE,
    "nationality": Nationality.PRC,
    "role": PersonRole.PARTNER,
    "region": Region.YANBIAN,
}


def _mother_edit(s: SouthStaff) -> dict:
    """The mother's details as the edit page shows them, with her new hiding place typed in."""
    mother = Person.objects.get(pk=s.data.mother.pk)
    shown = {name: getattr(mother, name) for name in PersonEditForm.base_fields}
    return {
        **{name: "" if value is None else value for name, value in shown.items()},
        "current_location": "Yanji, a rented room",
    }


def _legal_status_post(**fields) -> dict:
    """A legal status as the pages and the API take it: in China, as the family reported it."""
    return {
        "country": Country.CHINA,
        "place": "",
        "source": StatusSource.FAMILY,
        "note": "",
        **fields,
    }


def _incident_post(**fields) -> dict:
    """The daughter turned away from school a month ago, unless `fields` say otherwise."""
    return {
        "kind": IncidentKind.BENEFIT_DENIED,
        "occurred_on": _days_ago(30),
        "region": Region.YANBIAN,
        "description": "The school in Longjing refused to enrol the daughter",
        **fields,
    }


def _api_correct(kind: str, record: Callable[[SouthStaff], object]) -> Callable[[SouthStaff], str]:
    """The API's correction of `record(s)`, one of the records listed under /api/v1/`kind`/."""
    return lambda s: f"/api/v1/{kind}/{record(s).pk}/correct/"


def _mother_status(s: SouthStaff) -> str:
    return LegalStatusRecord.objects.get(person=s.data.mother, effective_to__isnull=True).status


def _api_mother_edit(s: SouthStaff) -> dict:
    return {"current_location": "Yanji, a rented room", "version": _version(s.data.mother)}


def _mother_moved(s: SouthStaff) -> bool:
    return Person.objects.get(pk=s.data.mother.pk).current_location == "Yanji, a rented room"


def _aliases_of_mother(s: SouthStaff) -> list[str]:
    return [alias.name for alias in PersonAlias.objects.filter(person=s.data.mother)]


def _tasks_titled(s: SouthStaff, title: str) -> bool:
    return title in [task.title for task in Task.objects.filter(case=s.data.case)]


def _files_described(s: SouthStaff, description: str) -> bool:
    files = Attachment.objects.filter(case=s.data.case)
    return description in [attachment.description for attachment in files]


def _father_page(s: SouthStaff) -> str:
    father = s.data.case.people.get(role=PersonRole.PARTNER)
    return reverse("casework:person_detail", args=[father.reference])


def _aunt_joined(s: SouthStaff) -> bool:
    return s.data.case.people.filter(pk=_south_aunt(s).pk).exists()


def _member_post(s: SouthStaff) -> dict:
    return {"person": _south_aunt(s).reference, "role": MemberRole.RELATIVE, "consent": "on_file"}


def _schedule_url(s: SouthStaff) -> str:
    return reverse("casework:check_in_record", args=[_south_check_in_schedule(s.data).pk])


def _heard_from(s: SouthStaff) -> bool:
    return CheckIn.objects.filter(
        schedule=_south_check_in_schedule(s.data), outcome=CheckIn.Outcome.SAFE
    ).exists()


def _period_filled(s: SouthStaff) -> bool:
    return LegalStatusRecord.objects.filter(
        person=s.data.mother,
        status=LegalStatus.REPATRIATED,
        effective_to=datetime.date(2012, 4, 1),
    ).exists()


def _past_period(s: SouthStaff) -> dict:
    """Repatriated in 2010, she crossed again on the day her undocumented years in China began."""
    return _legal_status_post(
        status=LegalStatus.REPATRIATED,
        effective_from="2010-06-01",
        effective_to="2012-04-01",
        country=Country.DPRK,
    )


_INCIDENT = lambda s: f"/api/v1/incidents/{s.data.incident.pk}/"  # noqa: E731
_TIE = lambda s: f"/api/v1/relationships/{_south_couple(s).pk}/"  # noqa: E731

WRITES += [
    # A person: registered, edited, named, tied to family, through the pages and the API.
    Write(
        "caseworker",
        "person_create",
        lambda s: reverse("casework:person_create"),
        lambda s: {
            **FATHER,
            **consent_answer(),
            "case": s.data.case.reference,
            "role_in_case": MemberRole.PARTNER,
            # The Korean reading of his name; not his name in characters, whose readings' tables
            # take a second or two to load, paid by no other test of this module.
            "aliases": "Jang Wi",
        },
        302,
        then=_then(lands=_father_page),
    ),
    Write(
        "caseworker",
        "api_person_create",
        lambda s: "/api/v1/persons/",
        lambda s: {
            **FATHER,
            "consent": consent_answer(),
            "case": s.data.case.reference,
            "case_role": MemberRole.PARTNER,
        },
        201,
        api=True,
        then=_then(holds=lambda s: s.data.case.people.filter(role=PersonRole.PARTNER).exists()),
    ),
    Write(
        "caseworker",
        "person_edit",
        lambda s: _mother_page(s, "person_edit"),
        _mother_edit,
        302,
        then=_then(lands=_mother_page, holds=_mother_moved),
    ),
    Write(
        "supervisor",
        "api_person_update",
        lambda s: f"/api/v1/persons/{s.data.mother.reference}/",
        _api_mother_edit,
        200,
        api=True,
        method="PATCH",
        then=_then(holds=_mother_moved),
    ),
    Write(
        "caseworker",
        "alias_add",
        lambda s: _mother_page(s, "alias_add"),
        lambda s: {"name": "Kim Sunhui"},
        302,
        then=_then(lands=_mother_page, holds=lambda s: "Kim Sunhui" in _aliases_of_mother(s)),
    ),
    Write(
        "caseworker",
        "api_alias_add",
        lambda s: f"/api/v1/persons/{s.data.mother.reference}/aliases/",
        lambda s: {"name": "Kim Sunhui"},
        201,
        api=True,
        then=_then(holds=lambda s: "Kim Sunhui" in _aliases_of_mother(s)),
    ),
    Write(
        "caseworker",
        "api_consent_renew",
        lambda s: f"/api/v1/persons/{s.data.mother.reference}/consents/renew/",
        lambda s: {"method": Method.VERBAL, "given_on": _days_ago(0)},
        201,
        api=True,
    ),
    Write(
        "caseworker",
        "relationship_add",
        lambda s: (_south_father(s), _mother_page(s, "relationship_add"))[1],
        lambda s: {
            "kind": RelationshipKind.PARTNER_OF,
            "other": _south_father(s).reference,
            "marriage_registered": "false",
        },
        302,
        then=_then(
            lands=_mother_page,
            holds=lambda s: Relationship.objects.filter(
                from_person=s.data.mother, to_person=_south_father(s), kind="partner_of"
            ).exists(),
        ),
    ),
    Write(
        "caseworker",
        "api_relationship_create",
        lambda s: (_south_father(s), "/api/v1/relationships/")[1],
        lambda s: {
            "from_person": _south_father(s).reference,
            "kind": RelationshipKind.PARENT_OF,
            "to_person": s.data.child.reference,
        },
        201,
        api=True,
        then=_then(
            holds=lambda s: Relationship.objects.filter(
                from_person=_south_father(s), to_person=s.data.child
            ).exists()
        ),
    ),
    Write(
        "caseworker",
        "api_relationship_update",
        _TIE,
        lambda s: {
            "kind": RelationshipKind.SPOUSE_OF,
            "marriage_registered": False,
            "reason": "They married in the village, unregistered",
            "version": _version(_south_couple(s)),
        },
        200,
        api=True,
        method="PATCH",
        then=_then(holds=lambda s: _south_couple(s).kind == RelationshipKind.SPOUSE_OF),
    ),
    Write(
        "caseworker",
        "api_relationship_correct",
        lambda s: _TIE(s) + "correct/",
        lambda s: {
            "marriage_registered": None,
            "reason": "Nobody knows whether it was registered",
            "version": _version(_south_couple(s)),
        },
        200,
        api=True,
    ),
    # Her legal status and the benefits she sought.
    Write(
        "caseworker",
        "status_change",
        lambda s: _mother_page(s, "status_change"),
        lambda s: _legal_status_post(status=LegalStatus.DETAINED_CN, effective_from=_days_ago(20)),
        302,
        then=_then(
            lands=_mother_page, holds=lambda s: _mother_status(s) == LegalStatus.DETAINED_CN
        ),
    ),
    Write(
        "caseworker",
        "api_status_change",
        lambda s: "/api/v1/legal-statuses/",
        lambda s: _legal_status_post(
            person=s.data.mother.reference,
            status=LegalStatus.IN_TRANSIT,
            effective_from=_days_ago(20),
            country=Country.THIRD_COUNTRY,
        ),
        201,
        api=True,
        then=_then(holds=lambda s: _mother_status(s) == LegalStatus.IN_TRANSIT),
    ),
    Write(
        "caseworker",
        "status_period_add",
        lambda s: _mother_page(s, "status_period_add"),
        _past_period,
        302,
        then=_then(lands=_mother_page, holds=_period_filled),
    ),
    Write(
        "supervisor",
        "api_status_period_add",
        lambda s: "/api/v1/legal-statuses/past/",
        lambda s: {**_past_period(s), "person": s.data.mother.reference},
        201,
        api=True,
        then=_then(holds=_period_filled),
    ),
    Write(
        "caseworker",
        "api_status_correct",
        _api_correct("legal-statuses", lambda s: s.data.status),
        lambda s: {
            "source": StatusSource.PARTNER_NGO,
            "reason": "A partner organisation told us first",
            "version": _version(s.data.status),
        },
        200,
        api=True,
    ),
    Write(
        "caseworker",
        "entitlement_add",
        lambda s: _mother_page(s, "entitlement_add"),
        lambda s: {
            "kind": EntitlementKind.MEDICAL_CARE,
            "status": EntitlementStatus.DENIED,
            "as_of": _days_ago(10),
            "note": "The clinic asked for an ID card",
        },
        302,
        then=_then(
            lands=_mother_page,
            holds=lambda s: Entitlement.objects.filter(
                person=s.data.mother, kind=EntitlementKind.MEDICAL_CARE
            ).exists(),
        ),
    ),
    Write(
        "caseworker",
        "api_entitlement_add",
        lambda s: "/api/v1/entitlements/",
        lambda s: {
            "person": s.data.child.reference,
            "kind": EntitlementKind.SCHOOL,
            "status": EntitlementStatus.PENDING,
            "as_of": _days_ago(10),
        },
        201,
        api=True,
    ),
    Write(
        "caseworker",
        "api_entitlement_correct",
        _api_correct("entitlements", lambda s: s.data.entitlement),
        lambda s: {
            "status": EntitlementStatus.PENDING,
            "reason": "The appeal is still open",
            "version": _version(s.data.entitlement),
        },
        200,
        api=True,
    ),
    # Her safety check-ins.
    Write(
        "caseworker",
        "check_in_schedule",
        lambda s: _mother_page(s, "check_in_schedule"),
        lambda s: {"every_days": 3, "channel": "call", "grace_days": 1, "active": "on"},
        302,
        then=_then(
            lands=_case_detail,
            holds=lambda s: CheckInSchedule.objects.filter(
                person=s.data.mother, every_days=3
            ).exists(),
        ),
    ),
    Write(
        "caseworker",
        "check_in_record",
        _schedule_url,
        lambda s: {"outcome": CheckIn.Outcome.SAFE, "note": ""},
        302,
        then=_then(lands=_case_detail, holds=_heard_from),
    ),
    Write(
        "caseworker",
        "api_check_in_record",
        lambda s: f"/api/v1/check-ins/{_south_check_in_schedule(s.data).pk}/record/",
        lambda s: {"outcome": CheckIn.Outcome.SAFE},
        201,
        api=True,
        then=_then(holds=_heard_from),
    ),
    # The case: who is in it, its flags, its incidents, follow-ups and files.
    Write(
        "caseworker",
        "member_add",
        lambda s: (_south_aunt(s), _case_page(s, "member_add"))[1],
        _member_post,
        302,
        then=_then(lands=_case_detail, holds=_aunt_joined),
    ),
    Write(
        "caseworker",
        "api_member_add",
        lambda s: (_south_aunt(s), f"/api/v1/cases/{s.data.case.reference}/members/")[1],
        lambda s: {**_member_post(s), "consent": {"consent": "on_file"}},
        201,
        api=True,
        then=_then(holds=_aunt_joined),
    ),
    Write(
        "caseworker",
        "flag_set",
        lambda s: _case_page(s, "flag_set"),
        lambda s: {"kind": CaseFlag.Kind.INTERPRETER_NEEDED},
        302,
        then=_then(
            lands=_case_detail,
            holds=lambda s: CaseFlag.objects.filter(
                case=s.data.case, kind=CaseFlag.Kind.INTERPRETER_NEEDED, active=True
            ).exists(),
        ),
    ),
    Write(
        "caseworker",
        "incident_add",
        lambda s: _case_page(s, "incident_add"),
        lambda s: _incident_post(people=[s.data.child.reference]),
        302,
        then=_then(
            lands=_case_detail,
            holds=lambda s: Incident.objects.filter(
                case=s.data.case, kind=IncidentKind.BENEFIT_DENIED
            ).exists(),
        ),
    ),
    Write(
        "caseworker",
        "api_incident_add",
        lambda s: "/api/v1/incidents/",
        lambda s: _incident_post(case=s.data.case.reference, people=[s.data.child.reference]),
        201,
        api=True,
    ),
    Write(
        "caseworker",
        "incident_edit",
        lambda s: reverse(
            "casework:incident_edit", args=[s.data.case.reference, s.data.incident.pk]
        ),
        lambda s: {
            "kind": IncidentKind.RAID,
            "occurred_on": "2024-03-01",
            "region": Region.JILIN,
            "description": "A raid on the safe house; the daughter was there too",
            "people": [s.data.mother.reference, s.data.child.reference],
            "version": _version(s.data.incident),
        },
        302,
        then=_then(
            lands=_case_detail,
            holds=lambda s: Incident.objects.get(pk=s.data.incident.pk).people.count() == 2,
        ),
    ),
    Write(
        "caseworker",
        "api_incident_update",
        _INCIDENT,
        lambda s: {
            "people": [s.data.mother.reference, s.data.child.reference],
            "reason": "The daughter was there too",
            "version": _version(s.data.incident),
        },
        200,
        api=True,
        method="PATCH",
        then=_then(
            holds=lambda s: Incident.objects.get(pk=s.data.incident.pk).people.count() == 2,
        ),
    ),
    Write(
        "caseworker",
        "api_incident_correct",
        lambda s: _INCIDENT(s) + "correct/",
        lambda s: {
            "occurred_on": "2024-02-28",
            "reason": "The neighbours remember the day before",
            "version": _version(s.data.incident),
        },
        200,
        api=True,
    ),
    Write(
        "caseworker",
        "api_detention",
        lambda s: "/api/v1/incidents/detention/",
        lambda s: _incident_post(
            case=s.data.case.reference,
            kind=IncidentKind.ARREST,
            occurred_on=_days_ago(2),
            description="Taken at a police check on the road to Yanji",
            people=[s.data.mother.reference],
            status_source=StatusSource.FAMILY,
        ),
        201,
        api=True,
        then=_then(holds=lambda s: _mother_status(s) == LegalStatus.DETAINED_CN),
    ),
    Write(
        "caseworker",
        "task_add",
        lambda s: _case_page(s, "task_add"),
        lambda s: {"title": "Call the school about enrolment", "due_on": "", "assignee": ""},
        302,
        then=_then(
            lands=_case_detail,
            holds=lambda s: _tasks_titled(s, "Call the school about enrolment"),
        ),
    ),
    Write(
        "caseworker",
        "attachment_add",
        lambda s: _case_page(s, "attachment_add"),
        lambda s: {
            "file": _upload(),
            "person": s.data.child.reference,
            "description": "The school's refusal",
        },
        302,
        then=_then(lands=_case_detail, holds=lambda s: _files_described(s, "The school's refusal")),
    ),
    Write(
        "caseworker",
        "api_attachment_add",
        lambda s: "/api/v1/attachments/",
        lambda s: {
            "case": s.data.case.reference,
            "person": s.data.child.reference,
            "file": _upload(),
            "description": "The school's refusal",
        },
        201,
        api=True,
        multipart=True,
        then=_then(holds=lambda s: _files_described(s, "The school's refusal")),
    ),
    Write(
        "caseworker",
        "api_attachment_correct",
        _api_correct("attachments", lambda s: s.data.attachment),
        lambda s: {
            "description": "Her residence booklet, the page with the stamp",
            "reason": "Said which page",
            "version": _version(s.data.attachment),
        },
        200,
        api=True,
    ),
    # Break-glass: the administrator, of no team, sees the case for a while on a written reason.
    Write(
        "administrator",
        "break_glass",
        lambda s: reverse("casework:break_glass"),
        lambda s: {
            "case_reference": s.data.case.reference,
            "reason": "The family called the hotline and no one of South answers",
        },
        302,
        then=_then(
            lands=_case_detail,
            holds=lambda s: BreakGlassAccess.objects.filter(
                case=s.data.case, user=s.administrator
            ).exists(),
        ),
    ),
]

# ---------------------------------------------------------------------------------------------

# Searches posted so that a name stays out of addresses and logs: they change nothing, and whoever
# works the team's cases may ask them.
WRITES += [
    Write(
        "caseworker",
        "case_search",
        lambda s: reverse("casework:case_list"),
        lambda s: {"q": "Kim"},
        200,
    ),
    Write(
        "advocate",
        "api_case_search",
        lambda s: "/api/v1/cases/search/",
        lambda s: {"q": "Kim"},
        200,
        api=True,
    ),
    Write(
        "supervisor",
        "api_person_search",
        lambda s: "/api/v1/persons/search/",
        lambda s: {"name": "Kim"},
        200,
        api=True,
    ),
]

# Issue 15 point 1, the intake's and legal aid's share (branch successother): each write route of
# `intake`, `intake_api`, `legal_aid` and `legal_aid_api` that a role of South's team must succeed
# on, with the change it makes, and the refusals beside them. What these rows consume (a complete
# draft, a submitted intake, a rendered document that names people) is written once for the
# module (`_intake_and_legal_aid_built`) and found again by each row; a state a row needs from
# South's own batch or brief (checked, under way, failed) is given in the row's own transaction.

IntakeStatus = IntakeSubmission.Status

# What charlie typed at the intake of a woman alone who gives the name and day of birth of
# South's mother: the supervisor finds her on file (whom to merge her into), or takes her in.
INTAKE_ANSWERS = {
    "consent": {
        "method": "interpreter",
        "witnessed_by": "Interpreter Park",
        "given_on": "2024-03-02",
        "scopes": ["store_data", "statistics"],
    },
    "identity": {
        "full_name": MOTHER_NAME,
        "sex": "female",
        "date_of_birth": "1986-02-03",
        "nationality": "dprk",
    },
    "family": {"partner_tie": "", "children-TOTAL_FORMS": "0", "children-INITIAL_FORMS": "0"},
    "situation": {
        "region": "cn-jilin",
        "status_country": "CN",
        "incidents-TOTAL_FORMS": "0",
        "incidents-INITIAL_FORMS": "0",
    },
    "needs": {"needs": "Safe housing", "risk_level": "", "override_reason": ""},
}


def _south_intake(d: SouthData, status: str) -> IntakeSubmission:
    """
    charlie's intake of that woman, complete: a draft (`IntakeStatus.DRAFT`) or sent to South's
    supervisors (`IntakeStatus.SUBMITTED`), South's mother found as her possible duplicate.
    """
    found = (
        IntakeSubmission.objects.filter(team=d.case.team, owner=d.owner, status=status)
        .exclude(pk=d.intake.pk)
        .first()
    )
    if found:
        return found
    intake = intake_start(actor=d.owner, team=d.case.team)
    for step, answers in INTAKE_ANSWERS.items():
        posted = {
            key: value if isinstance(value, list) else [value] for key, value in answers.items()
        }
        intake = intake_save_step(submission=intake, step=step, data=posted, actor=d.owner)
    if status == IntakeStatus.SUBMITTED:
        intake = intake_submit(submission=intake, actor=d.owner)
    return intake


def _intake_page(name: str, status: str) -> Callable[[SouthStaff], str]:
    return lambda s: reverse(f"intake:{name}", args=[_south_intake(s.data, status).reference])


def _intake_api(action: str, status: str) -> Callable[[SouthStaff], str]:
    return lambda s: (
        f"/api/v1/intake/submissions/{_south_intake(s.data, status).reference}/{action}/"
    )


def _intake_now(status: str) -> Callable[[SouthStaff], bool]:
    """Whether one of charlie's intakes (the draft South was built with aside) is `status` now."""
    return lambda s: (
        IntakeSubmission.objects.filter(team=s.data.case.team, owner=s.caseworker, status=status)
        .exclude(pk=s.data.intake.pk)
        .exists()
    )


def _draft_sent(s: SouthStaff) -> bool:
    """The complete draft was sent: charlie has no draft left but the one South was built with."""
    return not _intake_now(IntakeStatus.DRAFT)(s)


def _first_step_saved(s: SouthStaff) -> bool:
    return "consent" in (IntakeSubmission.objects.get(pk=s.data.intake.pk).answers or {})


def _merged_into_the_mother(s: SouthStaff) -> bool:
    return IntakeSubmission.objects.filter(
        owner=s.caseworker, status=IntakeStatus.MERGED, merged_into=s.data.mother
    ).exists()


def _spreadsheet(name: str, *, born: str = "") -> SimpleUploadedFile:
    """A spreadsheet of the template's columns: one woman, who agreed to be kept on file."""
    text = (
        "full_name,date_of_birth,region,consent_method,consent_given_on,consent_scopes\n"
        f"남궁새로,{born},cn-jilin,verbal,2024-01-15,store_data; statistics\n"
    )
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _uploaded(s: SouthStaff) -> ImportBatch | None:
    """The spreadsheet sam uploaded in this test (South's own, which lacks columns, aside)."""
    return ImportBatch.objects.filter(uploaded_by=s.supervisor).exclude(pk=s.data.batch.pk).first()


def _checked(s: SouthStaff, *, born: str = "") -> ImportBatch:
    """sam's spreadsheet, checked by the dry run: a date that reads both ways is asked about."""
    if found := _uploaded(s):
        return found
    uploaded = import_upload(
        team=s.data.case.team,
        uploaded_file=_spreadsheet("households.csv", born=born),
        actor=s.supervisor,
    )
    checked = dry_run.import_check(batch=uploaded)
    assert checked.status == ImportBatch.Status.CHECKED, checked.failure
    return checked


def _under_way(s: SouthStaff) -> ImportBatch:
    """sam's checked spreadsheet as a worker leaves it between two chunks it imports."""
    batch = _checked(s)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTING)
    return batch


def _batch_page(name: str, batch: Callable[[SouthStaff], ImportBatch]):
    return lambda s: reverse(f"intake:{name}", args=[batch(s).reference])


def _uploaded_now(status: str) -> Callable[[SouthStaff], bool]:
    return lambda s: _uploaded(s).status == status


def _named_brief(d: SouthData) -> AdvocacyDocument:
    """
    charlie's submission on the child's registration that names her and her mother, who agreed
    to be named: rendered, waiting for a supervisor who did not ask for it, and opened by sam
    (a supervisor approves only what he has seen).
    """
    found = AdvocacyDocument.objects.filter(
        case=d.case, redaction=AdvocacyDocument.Redaction.NAMED_WITH_CONSENT
    ).first()
    if found:
        return found
    for person in d.case.people.all():
        consent_record(
            person=person,
            actor=d.owner,
            method=Method.WRITTEN,
            scopes=[Scope.STORE_DATA, Scope.SHARE_WITH_ADVOCATES, Scope.NAMED_IN_DOCUMENTS],
        )
    requested = legal_aid_services.document_request(
        kind=AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF,
        language=AdvocacyDocument.Language.EN,
        redaction=AdvocacyDocument.Redaction.NAMED_WITH_CONSENT,
        actor=d.owner,
        case=d.case,
        subject=d.child,
    )
    brief = legal_aid_services.document_render(document_id=requested.pk)
    assert brief.needs_approval, brief.failure_reason
    legal_aid_services.document_preview_page(document=brief, actor=d.supervisor, page=1)
    return brief


@pytest.fixture(scope="module")
def _intake_and_legal_aid_built(_built_once, _south_staff_built, django_db_blocker, module_media):
    """
    The complete draft, the submitted intake and the named brief of the rows below, written
    once in the module's transaction after sol's sharing (the brief's consent keeps it); the
    brief rendered once (a render costs a second or more of CPU).
    """
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=module_media):
        _south_intake(_built_once, IntakeStatus.DRAFT)
        _south_intake(_built_once, IntakeStatus.SUBMITTED)
        _named_brief(_built_once)


def _document_page(name: str, document: Callable[[SouthStaff], AdvocacyDocument]):
    return lambda s: reverse(f"legal_aid:{name}", args=[document(s).pk])


def _document_api(action: str, document: Callable[[SouthStaff], AdvocacyDocument]):
    return lambda s: f"/api/v1/legal/documents/{document(s).pk}/{action}/"


def _failed(s: SouthStaff) -> AdvocacyDocument:
    """South's brief, whose rendering failed."""
    return legal_aid_services.document_fail(
        document_id=s.data.document.pk, reason="The worker was stopped"
    )


def _brief_request(s: SouthStaff, language: str) -> dict:
    """A pseudonymised submission on the child's registration, as the case's page asks it."""
    return {
        "kind": AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF,
        "subject": str(s.data.child.pk),
        "recipient_format": "",
        "deadline": "",
        "language": language,
        "redaction": AdvocacyDocument.Redaction.PSEUDONYMISED,
    }


def _requested(role: str, **fields) -> Callable[[SouthStaff], bool]:
    return lambda s: AdvocacyDocument.objects.filter(
        requested_by=getattr(s, role), **fields
    ).exists()


def _approved_by_sam(s: SouthStaff) -> bool:
    return AdvocacyDocument.objects.get(pk=_named_brief(s.data).pk).approved_by == s.supervisor


def _second_version(s: SouthStaff) -> bool:
    return AdvocacyDocument.objects.filter(series=s.data.document.series, version=2).exists()


def _queued_again(s: SouthStaff) -> bool:
    document = AdvocacyDocument.objects.get(pk=s.data.document.pk)
    return document.status == AdvocacyDocument.Status.QUEUED


_SOUTH_BRIEF = lambda s: s.data.document  # noqa: E731
_NAMED_BRIEF = lambda s: _named_brief(s.data)  # noqa: E731
_SUBMITTED, _DRAFT = IntakeStatus.SUBMITTED, IntakeStatus.DRAFT

# The intake: charlie fills in and sends his draft (the pages and the API); sam takes it in,
# turns it down, sends it back or merges it into South's mother; the person withdraws a consent
# before charlie; sam imports spreadsheets, says how one reads, starts and stops an import.
WRITES += [
    Write(
        "caseworker",
        "intake_step",
        lambda s: reverse("intake:step", args=[s.data.intake.reference, "consent"]),
        lambda s: {**INTAKE_ANSWERS["consent"], "action": "next"},
        302,
        done=lambda s: IntakeSubmission.objects.get(pk=s.data.intake.pk).step == "identity",
    ),
    Write(
        "caseworker",
        "intake_review",
        _intake_page("review", _DRAFT),
        lambda s: {},
        302,
        done=_draft_sent,
    ),
    Write(
        "caseworker",
        "api_intake_steps",
        lambda s: f"/api/v1/intake/submissions/{s.data.intake.reference}/steps/",
        lambda s: {"step": "consent", "answers": INTAKE_ANSWERS["consent"]},
        200,
        api=True,
        done=_first_step_saved,
    ),
    Write(
        "caseworker",
        "api_intake_submit",
        _intake_api("submit", _DRAFT),
        lambda s: {},
        200,
        api=True,
        done=_draft_sent,
    ),
    Write(
        "supervisor",
        "intake_approve",
        _intake_page("approve", _SUBMITTED),
        lambda s: {},
        302,
        done=_intake_now(IntakeStatus.APPROVED),
    ),
    Write("caseworker", "intake_approve", _intake_page("approve", _SUBMITTED), lambda s: {}, 403),
    Write(
        "supervisor",
        "intake_reject",
        _intake_page("reject", _SUBMITTED),
        lambda s: {"reason": "She is helped by another organisation"},
        302,
        done=_intake_now(IntakeStatus.REJECTED),
    ),
    Write(
        "supervisor",
        "intake_send_back",
        _intake_page("send_back", _SUBMITTED),
        lambda s: {"reason": "Ask for her place of origin"},
        302,
        done=_intake_now(IntakeStatus.RETURNED),
    ),
    Write(
        "supervisor",
        "intake_merge",
        _intake_page("merge", _SUBMITTED),
        lambda s: {"person": s.data.mother.reference},
        302,
        done=_merged_into_the_mother,
    ),
    Write(
        "supervisor",
        "api_intake_approve",
        _intake_api("approve", _SUBMITTED),
        lambda s: {},
        200,
        api=True,
        done=_intake_now(IntakeStatus.APPROVED),
    ),
    Write(
        "caseworker",
        "api_intake_approve",
        _intake_api("approve", _SUBMITTED),
        lambda s: {},
        403,
        api=True,
    ),
    Write(
        "supervisor",
        "api_intake_reject",
        _intake_api("reject", _SUBMITTED),
        lambda s: {"reason": "She is helped by another organisation"},
        200,
        api=True,
        done=_intake_now(IntakeStatus.REJECTED),
    ),
    Write(
        "supervisor",
        "api_intake_send_back",
        _intake_api("send-back", _SUBMITTED),
        lambda s: {"reason": "Ask for her place of origin"},
        200,
        api=True,
        done=_intake_now(IntakeStatus.RETURNED),
    ),
    Write(
        "supervisor",
        "api_intake_merge",
        _intake_api("merge", _SUBMITTED),
        lambda s: {"person": s.data.mother.reference, "case": s.data.case.reference},
        200,
        api=True,
        done=_merged_into_the_mother,
    ),
    Write(
        "caseworker",
        "consent_withdraw",
        lambda s: reverse("intake:consent_withdraw", args=[s.data.mother.reference]),
        lambda s: {"scopes": [Scope.NAMED_IN_DOCUMENTS], "method": Method.VERBAL},
        302,
        done=lambda s: not allows(s.data.mother, Scope.NAMED_IN_DOCUMENTS),
    ),
    Write(
        "advocate",
        "consent_withdraw",
        lambda s: reverse("intake:consent_withdraw", args=[s.data.mother.reference]),
        lambda s: {"scopes": [Scope.NAMED_IN_DOCUMENTS], "method": Method.VERBAL},
        403,
    ),
    Write(
        "supervisor",
        "import_upload",
        lambda s: reverse("intake:imports"),
        lambda s: {"team": s.data.case.team_id, "file": _spreadsheet("households.csv")},
        302,
        done=_uploaded_now(ImportBatch.Status.CHECKED),
    ),
    Write(
        "supervisor",
        "import_reading",
        _batch_page("import_reading", lambda s: _checked(s, born="04/03/1995")),
        lambda s: {"day_order": "day"},
        302,
        done=lambda s: _uploaded(s).options["day_first"] and not _uploaded(s).report["questions"],
    ),
    Write(
        "supervisor",
        "import_start",
        _batch_page("import_start", _checked),
        lambda s: {},
        302,
        done=_uploaded_now(ImportBatch.Status.IMPORTED),
    ),
    Write(
        "supervisor",
        "import_stop",
        _batch_page("import_stop", _under_way),
        lambda s: {},
        302,
        done=_uploaded_now(ImportBatch.Status.STOPPED),
    ),
    Write("caseworker", "import_start", _batch_page("import_start", _checked), lambda s: {}, 404),
]

# Legal aid: whoever sees the case asks for a document on it (the advocate too, on the case
# shared with her), regenerates it or queues a failed one again; only a supervisor who did not
# ask for a document that names people lets it out.
_ASK = lambda s: reverse("legal_aid:advocacy_new", args=[s.data.case.reference])  # noqa: E731

WRITES += [
    Write(
        "caseworker",
        "advocacy_new",
        _ASK,
        lambda s: _brief_request(s, AdvocacyDocument.Language.KO),
        302,
        done=_requested("caseworker", language=AdvocacyDocument.Language.KO),
    ),
    Write(
        "advocate",
        "advocacy_new",
        _ASK,
        lambda s: _brief_request(s, AdvocacyDocument.Language.EN),
        302,
        done=_requested("advocate"),
    ),
    Write(
        "supervisor",
        "advocacy_caseload_new",
        lambda s: reverse("legal_aid:advocacy_caseload_new"),
        lambda s: {"team": s.data.case.team_id, "language": AdvocacyDocument.Language.EN},
        302,
        done=_requested("supervisor", kind=AdvocacyDocument.Kind.CASELOAD_REPORT),
    ),
    Write(
        "supervisor",
        "advocacy_approve",
        _document_page("advocacy_approve", _NAMED_BRIEF),
        lambda s: {},
        302,
        done=_approved_by_sam,
    ),
    Write(
        "caseworker",
        "advocacy_approve",
        _document_page("advocacy_approve", _NAMED_BRIEF),
        lambda s: {},
        403,
    ),
    Write(
        "caseworker",
        "advocacy_regenerate",
        _document_page("advocacy_regenerate", _SOUTH_BRIEF),
        lambda s: {},
        302,
        done=_second_version,
    ),
    Write(
        "caseworker",
        "advocacy_retry",
        _document_page("advocacy_retry", _failed),
        lambda s: {},
        302,
        done=_queued_again,
    ),
    Write(
        "advocate",
        "api_advocacy_request",
        lambda s: "/api/v1/legal/documents/",
        lambda s: {
            "kind": AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF,
            "case": s.data.case.reference,
            "subject": s.data.child.reference,
            "language": AdvocacyDocument.Language.EN,
            "redaction": AdvocacyDocument.Redaction.PSEUDONYMISED,
        },
        202,
        api=True,
        done=_requested("advocate"),
    ),
    Write(
        "supervisor",
        "api_advocacy_approve",
        _document_api("approve", _NAMED_BRIEF),
        lambda s: {},
        200,
        api=True,
        done=_approved_by_sam,
    ),
    Write(
        "caseworker",
        "api_advocacy_approve",
        _document_api("approve", _NAMED_BRIEF),
        lambda s: {},
        403,
        api=True,
    ),
    Write(
        "caseworker",
        "api_advocacy_regenerate",
        _document_api("regenerate", _SOUTH_BRIEF),
        lambda s: {},
        202,
        api=True,
        done=_second_version,
    ),
    Write(
        "caseworker",
        "api_advocacy_retry",
        _document_api("retry", _failed),
        lambda s: {},
        202,
        api=True,
        done=_queued_again,
    ),
]

# The intake: the caseworker takes one and drops her draft; the supervisor judges another team's
# match and drops a spreadsheet.
WRITES += [
    Write(
        "caseworker",
        "intake_new",
        lambda s: reverse("intake:new"),
        lambda s: {"team": s.data.case.team_id},
        302,
    ),
    Write(
        "caseworker",
        "api_intake_new",
        lambda s: "/api/v1/intake/submissions/",
        lambda s: {"team": s.data.case.team_id},
        201,
        api=True,
    ),
    Write(
        "advocate",
        "intake_new",
        lambda s: reverse("intake:new"),
        lambda s: {"team": s.data.case.team_id},
        404,
    ),
    Write(
        "caseworker",
        "intake_discard",
        lambda s: reverse("intake:discard", args=[s.data.intake.reference]),
        lambda s: {},
        302,
    ),
    Write(
        "supervisor",
        "duplicate_verdict",
        lambda s: reverse("intake:duplicate_verdict", args=[s.data.match.pk]),
        lambda s: {"verdict": "different"},
        302,
    ),
    Write(
        "caseworker",
        "duplicate_verdict",
        lambda s: reverse("intake:duplicate_verdict", args=[s.data.match.pk]),
        lambda s: {"verdict": "different"},
        404,
    ),
    Write(
        "supervisor",
        "import_discard",
        lambda s: reverse("intake:import_discard", args=[s.data.batch.reference]),
        lambda s: {},
        302,
    ),
]

WRITES += [
    # Counting the reports again: any reader, of the cases she sees; kept for her alone.
    Write(
        "supervisor",
        "report_recount",
        lambda s: reverse("reports:recount"),
        lambda s: {"date_from": "2025-01-01", "date_to": "2025-06-30"},
        302,
        done=lambda s: ReportRun.objects.filter(requested_by=s.supervisor).exists(),
    ),
    Write(
        "caseworker",
        "report_recount",
        lambda s: reverse("reports:recount"),
        lambda s: {"date_from": "2025-01-01", "date_to": "2025-06-30"},
        302,
        done=lambda s: ReportRun.objects.filter(requested_by=s.caseworker).exists(),
    ),
]

WRITE_ROUTES = sorted(route.name for route in ROUTES if route.writes)


def test_every_write_route_has_a_row_that_must_succeed(south_staff):
    """
    Each route that takes POST, PUT, PATCH or DELETE has a row above that one of the roles of
    the case's team must succeed on (issue 15 point 1): a new write route fails here until it
    has one, as it fails the refusing rows until its permission is asked.
    """
    succeeding = set()
    for write in WRITES:
        if write.status < 400:
            path = write.url(south_staff).split("?")[0]
            succeeding.add(resolve(path).view_name)
    assert {"casework:case_list", "referrals_api:provider-detail"} <= set(WRITE_ROUTES)
    missing = set(WRITE_ROUTES) - succeeding
    assert not missing, f"write routes with no row that must succeed: {sorted(missing)}"
