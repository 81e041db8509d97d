"""The caseworker's read pages: dashboard, case list, case and person pages, downloads."""

import datetime
import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from accounts.kept_sql import keys_padded, of_user, rows_of_shape, rows_of_shapes
from audit.services import record

from .. import dates
from ..choices import MemberRole, RiskLevel
from ..downloads import attachment_response
from ..filtersets import CaseFilterSet
from ..forms.bulk import BulkCasesForm
from ..forms.timeline import TimelineFilterForm
from ..models import (
    Attachment,
    Case,
    CaseAssignment,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Task,
)
from ..pagination import MAX_PAGE_ASKED, CountUpToPaginator, keyset_page
from ..permissions import (
    answers_kept,
    can_complete_task,
    can_edit_case,
    can_edit_person,
    can_record_check_in,
    can_record_consent,
    can_see_case_viewers,
    can_supervise,
    case_answers,
    keep_case_answers,
    may_open_cases,
    may_register_people,
    supervised_team_ids,
    team_ids_to_bulk_change_in,
    teams_to_bulk_change_in,
)
from ..querysets import few_cases_granted, reads_few_cases, visible_cases_up_to
from ..searches import record_search
from ..selectors import search
from ..selectors.audit import case_viewers
from ..selectors.case_list import (
    cases_for_listing,
    cases_listed,
    cases_with_member_count,
    with_principals,
)
from ..selectors.case_page import case_flags, case_lists_columns, case_lists_present
from ..selectors.checkins import case_check_ins, check_ins_due, distress_calls
from ..selectors.corrections import records
from ..selectors.dashboard import (
    RECENT_DAYS,
    detained_since_before,
    followups_due_by,
    followups_horizon,
    my_open_cases_most_at_risk_first,
    open_cases_by_risk,
    recent_incidents,
    recent_status_changes,
)
from ..selectors.household import household_of
from ..selectors.people import (
    case_people_with_status,
    consent_history_of,
    entitlements_of,
    family_of,
)
from ..selectors.plans import case_closures, plan_of
from ..selectors.timeline import case_timeline

CASES_PER_PAGE = 25
# A case of a few years holds hundreds of notes; a phone scrolls through a page of them.
TIMELINE_PER_PAGE = 25
# The case list's field for a reference or a name: taken from a posted form only.
SEARCH_FIELD = "q"
# Long lists on the dashboard are cut; the case list has them all.
DASHBOARD_LIMIT = 50
RECENT_LIMIT = 20
# Extensions Python's mimetypes table may lack for the types attachments accept.


def _kept(user, name: str, build, limit: int, *keys, among=None) -> list:
    """
    The first `limit` rows of the dashboard's list `name`, its SQL kept per user (kept_sql).
    `among`: the few cases granted to a reader of few (`cases_granted_one_by_one`), which the
    list starts from (`build(*keys, among=...)`), given as values: its SQL kept apart, per
    padded number of cases.
    """
    if among is None:
        return rows_of_shape(
            of_user(f"dashboard's {name}:{limit}", user), lambda *keys: build(*keys)[:limit], *keys
        )
    given = len(keys)
    return rows_of_shape(
        of_user(f"dashboard's {name}:{limit}:among few", user),
        lambda *values: build(*values[:given], among=values[given:])[:limit],
        *keys,
        *keys_padded(among),
    )


def _cut_kept(user, name: str, build, *keys, among=None) -> tuple[list, bool]:
    """
    The first DASHBOARD_LIMIT rows of the list `name` and whether there were more, without
    counting them all; its SQL kept per user.
    """
    rows = _kept(user, name, build, DASHBOARD_LIMIT + 1, *keys, among=among)
    return rows[:DASHBOARD_LIMIT], len(rows) > DASHBOARD_LIMIT


@never_cache
@login_required
@require_GET
def dashboard(request):
    """The caseworker's start page: their open cases by risk, follow-ups due, recent news."""
    user = request.user
    today = dates.today()
    since = today - datetime.timedelta(days=RECENT_DAYS)
    detained_days = getattr(settings, "SHIMTEO_DETAINED_ALERT_DAYS", 14)
    counts = open_cases_by_risk(user)
    # A caseworker's own few dozen cases, which her lists start from: walking a team's rows in
    # each list's order to find hers read every one (370 ms at 100,000 people). None for a
    # reader of more, whose lists walk and stop at their page.
    among = few_cases_granted(user)
    # Each list's SQL is kept per user (kept_sql), its days given as parameters: building and
    # compiling the eight lists' querysets was half the dashboard's Python.
    cases, more_cases = _cut_kept(
        user,
        "open cases",
        lambda among=None: cases_with_member_count(
            my_open_cases_most_at_risk_first(user, among=among)
        ),
        among=among,
    )
    with_principals(cases)
    followups, more_followups = _cut_kept(
        user,
        "follow-ups due",
        lambda horizon, among=None: followups_due_by(user, horizon=horizon, among=among),
        followups_horizon(today),
        among=among,
    )
    long_detained = _kept(
        user,
        "detained",
        lambda began_before, among=None: detained_since_before(
            user, began_before=began_before, among=among
        ),
        DASHBOARD_LIMIT,
        today - datetime.timedelta(days=detained_days),
        among=among,
    )
    detained = [(status, (today - status.effective_from).days) for status in long_detained]
    due_check_ins = check_ins_due(user)
    # `roles.supervises_any_team`, from the supervised teams' kept query that
    # `may_register_people` asks too.
    supervises = bool(supervised_team_ids(user))
    # Approvals waiting live in the apps above (intake, legal_aid): asked through settings.
    approvals = (
        [row for path in settings.SHIMTEO_DASHBOARD_APPROVALS for row in import_string(path)(user)]
        if supervises
        else []
    )
    for row in due_check_ins:
        row.may_record = can_record_check_in(user, row.schedule.case)
    context = {
        "today": today,
        "supervises": supervises,
        # What needs action now, in this order: distress and missed check-ins, approvals
        # waiting, follow-ups due. A supervisor's cover their teams' cases.
        "distress_calls": _kept(
            user,
            "distress calls",
            lambda since: distress_calls(user, since=since),
            DASHBOARD_LIMIT,
            since,
        ),
        "approvals": approvals,
        # Only the buttons that lead somewhere for this user's role (an advocate opens nothing).
        "may_open_cases": may_open_cases(user),
        "may_register_people": may_register_people(user),
        "risk_counts": [
            (level, label, counts.get(level, 0)) for level, label in reversed(RiskLevel.choices)
        ],
        "cases": cases,
        "more_cases": more_cases,
        "followups": followups,
        "more_followups": more_followups,
        "status_changes": _kept(
            user,
            "status changes",
            lambda since, among=None: recent_status_changes(user, since=since, among=among),
            RECENT_LIMIT,
            since,
            among=among,
        ),
        "incidents": _kept(
            user,
            "incidents",
            lambda since, among=None: recent_incidents(user, since=since, among=among),
            RECENT_LIMIT,
            since,
            among=among,
        ),
        "recent_days": RECENT_DAYS,
        "detained": detained,
        "detained_days": detained_days,
        "check_ins_due": due_check_ins,
    }
    return render(request, "casework/dashboard.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_list(request):
    """Every case the user may see, filtered and searched, most at risk first."""
    # The search form is posted: a name typed into an address would stay in the browser's
    # history and in proxy and server logs. Filters on coarse choices also work as links, but a
    # search term in an address is dropped unread: the list is sent back to an address without
    # it, so that neither the address bar nor the page's links carry it on.
    if request.method == "GET" and SEARCH_FIELD in request.GET:
        kept = request.GET.copy()
        del kept[SEARCH_FIELD]
        return redirect(f"{request.path}?{kept.urlencode()}" if kept else request.path)
    data = request.POST if request.method == "POST" else request.GET
    # Probed: the list walks the cases most at risk first and stops at its page, and its count
    # at its bound; neither reads every case the user works (CaseQuerySet.visible_to).
    filterset = CaseFilterSet(
        data or None, queryset=Case.objects.visible_to(request.user, probed=True), request=request
    )
    # The user's whole list, as it opens and page after page through its links: the same query
    # on every request but for the key it reads on from, its SQL kept per user (keyset_page);
    # the principals of the page read by a kept query too (`with_principals`), not a prefetch
    # compiled on each request.
    listed = filterset.qs  # validated and filtered first: `narrows` reads the cleaned filters
    whole_list = request.method == "GET" and not filterset.narrows() and not filterset.errors
    searched_alone = filterset.searched_alone()
    # A search alone lists its matches, whose order it knows: the page's ids are taken from
    # them, and only the page's cases are read, by SQL kept per user (`cases_listed`): ordered
    # in SQL, each search compiled the rule again, with a CASE of up to 200 ids.
    cases = (
        filterset.found_in_order()
        if searched_alone
        else filterset.best_first(
            cases_with_member_count(listed) if whole_list else cases_for_listing(listed)
        )
    )
    if not filterset.narrows():
        # Not narrowed by a filter, the list is every case the user sees: counted from the
        # caseload counts first (`visible_cases_up_to`), instead of a walk of a thousand cases.
        count_up_to = functools.partial(visible_cases_up_to, request.user)
    elif searched_alone:
        # Searched alone, the list is the search's matches, already in hand: not counted again
        # through the visibility rule (a query over up to SEARCH_CASES_LIMIT ids).
        count_up_to = filterset.found_up_to
    else:
        count_up_to = None
    paginator = CountUpToPaginator(
        cases,
        CASES_PER_PAGE,
        counted=filterset.qs,
        page_asked=data.get("page"),
        count_up_to=count_up_to,
    )
    searched = bool(filterset.is_bound and filterset.form.cleaned_data.get(SEARCH_FIELD))
    if searched_alone:
        page = paginator.get_page(data.get("page"))
        page.object_list = cases_listed(request.user, page.object_list)
    elif filterset.matches or request.method == "POST":
        # A search's few pages (SEARCH_CASES_LIMIT cases at most), in the order of its matches,
        # posted again page by page (the template): by number.
        page = paginator.get_page(data.get("page"))
    else:
        # Most at risk first, each page read on from the key of the case the last one ended with.
        page = keyset_page(
            cases,
            per_page=CASES_PER_PAGE,
            after=data.get("after"),
            before=data.get("before"),
            number=data.get("page"),
            paginator=paginator,
            # Kept apart for a reader of few cases, whose list starts from them.
            kept_as=(
                of_user(f"case list:{reads_few_cases(request.user)}", request.user)
                if whole_list
                else None
            ),
        )
        if whole_list:
            with_principals(page.object_list)
    if searched:
        # Why each case was found, beside it (its reference, or how a member's name matched).
        page.object_list = list(page.object_list)
        shown = filterset.matches_of(page.object_list)
        for case in page.object_list:
            case.match = shown.get(case.pk)
    response = render(
        request,
        "casework/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "searched": searched,
            # Read from its module when the page is drawn, as the search reads it: a test lowers it.
            "search_limit": search.SEARCH_CASES_LIMIT,
            "may_open_cases": may_open_cases(request.user),
            "bulk": _bulk_form(request.user, page.object_list),
        },
    )
    if searched:
        # Recorded after the page is read and built, for the cases it showed.
        record_search(
            request.user, Case, page.object_list, matches=page.paginator.count, request=request
        )
    return response


def _bulk_form(user, shown):
    """For a supervisor: the cases of the page that are her teams', to reassign or close at once."""
    # Her teams and their caseworkers by SQL kept per user (kept_sql): built and compiled on
    # each visit, the two queries were some 3,500 Python calls of every page of her list.
    team_ids = set(team_ids_to_bulk_change_in(user))
    mine = [case for case in shown if case.team_id in team_ids]
    if not mine:
        return None
    caseworkers = rows_of_shape(
        of_user("case list's caseworkers", user), lambda: _caseworkers_supervised_by(user)
    )
    # The form is drawn here, not read: its posts go to `cases_bulk`, whose form asks the
    # database again. "From" and "To" offer the same caseworkers, the rows read once above.
    form = BulkCasesForm(cases=Case.objects.none(), caseworkers=get_user_model().objects.none())
    field = form.fields["from_user"]
    choose = field.iterator(field)
    offered = [("", field.empty_label), *(choose.choice(caseworker) for caseworker in caseworkers)]
    form.fields["from_user"].widget.choices = form.fields["to_user"].widget.choices = offered
    return {"form": form, "cases": mine}


def _caseworkers_supervised_by(user):
    """The active caseworkers of the teams `user` may change many cases in, by username."""
    return roles.caseworkers_in(teams_to_bulk_change_in(user).values("pk")).order_by("username")


def _shows_voided(request, can_edit: bool) -> bool:
    """Voided records, struck through with their reason, for those who may correct them."""
    return can_edit and request.GET.get("voided") == "1"


def _timeline_page(request, case, *, include_voided: bool) -> dict:
    """The page of the case's timeline the address asks for, newest first, narrowed by kind."""
    filter_form = TimelineFilterForm(request.GET)
    show = filter_form.cleaned_data["show"] if filter_form.is_valid() else ""
    entries = case_timeline(case, show=show, include_voided=include_voided)
    number = request.GET.get("page")
    try:
        asked = min(max(1, int(number)), MAX_PAGE_ASKED)
    except (TypeError, ValueError):
        asked = 1
    # The page asked for is read with the count the paginator asks first (one query, not two);
    # a number past the end still gets the last page, read when the paginator asks for it.
    entries.expecting((asked - 1) * TIMELINE_PER_PAGE, asked * TIMELINE_PER_PAGE)
    return {
        "timeline": Paginator(entries, TIMELINE_PER_PAGE).get_page(number),
        "timeline_filter": filter_form,
        "timeline_show": show,
    }


@never_cache
@login_required
@require_GET
def case_detail(request, case_ref):
    # The page, its sections and its rows ask the same checks many times (can_edit_case from the
    # view, the referrals section and each follow-up): each is asked of the database once.
    with answers_kept():
        return _case_page(request, case_ref)


def _case_page(request, case_ref):
    # One case found by its reference, probed against the visible cases' ids (the rule's SQL
    # written once per user), instead of the rule compiled into this query on every request;
    # the whole query's SQL is compiled once per user too (kept_sql), given the reference.
    # Its row also answers whether the reader may change the case and supervises its team, and
    # which of the page's small lists have rows: asked of the database in this one query.
    user = request.user
    found = rows_of_shape(
        of_user("case page's case", user),
        lambda reference: (
            Case.objects.visible_among_few(user)
            .select_related("team", "owner")
            .filter(reference=reference)
            .annotate(**case_answers(user), **case_lists_columns())
        ),
        case_ref,
    )
    if len(found) != 1:
        raise Http404(f"No {Case._meta.object_name} matches the given query.")
    case = found[0]
    keep_case_answers(user, case)
    members = case_people_with_status(case)
    principal = next((m.person for m in members if m.role == MemberRole.PRINCIPAL), None)
    principal = principal or (members[0].person if members else None)
    may_see_viewers = can_see_case_viewers(request.user, case)
    can_edit = can_edit_case(request.user, case)
    show_voided = _shows_voided(request, can_edit)
    # The small lists with rows (read with the case), none read for a list the case has not.
    present = case_lists_present(case)
    # The staff and the open follow-ups, their SQL compiled once per process (kept_sql), asked
    # of the database together (one round trip).
    asked = {"assignments": ("case page's assignments", _assignments, [case.pk])}
    if "open tasks" in present:
        asked["open tasks"] = ("case page's open tasks", _open_tasks, [case.pk])
    read = dict(zip(asked, rows_of_shapes(*asked.values()), strict=True))
    open_tasks = read.get("open tasks", [])
    for assignment in read["assignments"]:
        assignment.case = case
    for task in open_tasks:
        # The case is this one, read above: not joined again for each follow-up.
        task.case = case
        # The "done" button is offered to whoever the rule lets complete the task: the case's
        # editors, and the assignee (a legal advocate included) who can see it.
        task.may_complete = can_edit or can_complete_task(request.user, task)
    # Read before the view is recorded: recording takes the audit chain's lock until the request's
    # transaction ends, and every audited page of every user waits on that lock meanwhile.
    context = {
        "case": case,
        # The flags for the header, not read for a case that has none raised (most cases).
        "flags": case_flags(case) if "flags" in present else [],
        "can_edit": can_edit,
        "can_supervise": can_supervise(request.user, case.team),
        "members": members,
        "principal": principal,
        "family": family_of(principal, user=request.user, seen_cases=[case.pk])
        if principal
        else None,
        **_timeline_page(request, case, include_voided=show_voided),
        "show_voided": show_voided,
        "assignments": read["assignments"],
        "open_tasks": open_tasks,
        "attachments": list(
            records(Attachment, include_voided=show_voided)
            .filter(case=case)
            .select_related("person", "uploaded_by")
            .order_by("-uploaded_at")
        )
        if "attachments" in present
        else [],
        "may_see_viewers": may_see_viewers,
        "check_ins": case_check_ins(case) if "check-ins" in present else [],
        "today": dates.today(),
        "sections": [
            import_string(hook)(request, case, can_edit=can_edit)
            for hook in settings.SHIMTEO_CASE_SECTIONS
        ],
        "plan": plan_of(case, today=dates.today(), present=present),
        "can_plan": can_edit,
        "closures": case_closures(case) if "closures" in present else [],
    }
    record(request.user, "view", case, request=request)
    # After the record, so that this view is among the viewers shown.
    context["viewers"] = (
        case_viewers(case, people=[member.person for member in members]) if may_see_viewers else []
    )
    return render(request, "casework/case_detail.html", context)


def _assignments(case_id):
    """The case's staff by role. Who assigned each is not shown here: their row is not read."""
    return (
        CaseAssignment.objects.filter(case=case_id)
        .select_related("user")
        .order_by("role", "assigned_at")
    )


def _open_tasks(case_id):
    """The same query as `case.tasks.filter(completed_at__isnull=True)`, in the page's order."""
    return (
        Task.objects.filter(case=case_id, completed_at__isnull=True)
        .select_related("assignee")
        .order_by("due_on", "created_at")
    )


@never_cache
@login_required
@require_GET
def person_detail(request, person_ref):
    # can_edit_person is asked for the page and again by can_record_consent: once of the database.
    with answers_kept():
        return _person_page(request, person_ref)


def _person_page(request, person_ref):
    # Found by its reference through the rule, the query's SQL compiled once per user (kept_sql)
    # as the case page's case is: compiling the rule's subqueries into it on every request
    # cost some 1,300 Python calls.
    found = rows_of_shape(
        of_user("person page's person", request.user),
        lambda reference: Person.objects.visible_to(request.user).filter(reference=reference),
        person_ref,
    )
    if len(found) != 1:
        raise Http404(f"No {Person._meta.object_name} matches the given query.")
    person = found[0]
    consents, guardians_shown = consent_history_of(person, user=request.user)
    can_edit = can_edit_person(request.user, person)
    show_voided = _shows_voided(request, can_edit)
    user = request.user
    # The page's fixed-shape queries run from SQL compiled once per process (kept_sql), given the
    # person's id; those that ask the visibility rule name the user as the case page's case does.
    cases = rows_of_shape(
        of_user("person page's cases", user),
        lambda person_id: (
            Case.objects.filter(members__person=person_id)
            .visible_among_few(user)
            .select_related("team")
            # What the page shows of each (and its team's name): compiling every column cost more.
            .only("reference", "risk_level", "status", "team__name")
            .most_at_risk_first()
        ),
        person.pk,
    )
    entitlements, entitlement_history = entitlements_of(person, include_voided=show_voided)
    context = {
        "person": person,
        "can_edit": can_edit,
        "show_voided": show_voided,
        "can_record_consent": can_record_consent(request.user, person),
        # The consent in force is the latest record (consent.checks.current_consent); the
        # parent or guardian who answered is named only to those who may see them.
        "consent": consents[0] if consents else None,
        "consent_history": consents,
        "guardians_shown": guardians_shown,
        "aliases": rows_of_shape(
            f"person page's aliases:{show_voided}",
            lambda person_id: (
                records(PersonAlias, include_voided=show_voided)
                .filter(person=person_id)
                .order_by("pk")
            ),
            person.pk,
        ),
        "statuses": rows_of_shape(
            f"person page's statuses:{show_voided}",
            lambda person_id: (
                records(LegalStatusRecord, include_voided=show_voided)
                .filter(person=person_id)
                .order_by("effective_from", "recorded_at")
            ),
            person.pk,
        ),
        "entitlements": entitlements,
        "entitlement_history": entitlement_history,
        "incidents": rows_of_shape(
            of_user("person page's incidents", user),
            lambda person_id: (
                Incident.objects.visible_to(user)
                .filter(people=person_id)
                .select_related("case")
                # Of the case its reference alone, for the link.
                .only(
                    *(field.attname for field in Incident._meta.concrete_fields), "case__reference"
                )
                .order_by("-occurred_on")
            ),
            person.pk,
        ),
        "family": family_of(person, user=request.user, seen_cases=[case.pk for case in cases]),
        "cases": cases,
    }
    response = render(request, "casework/person_detail.html", context)
    # Recorded last, in the same transaction: the audit chain's lock is then held for the append
    # and the commit only, not while the page is built (every audited page waits on that lock).
    record(request.user, "view", person, request=request)
    return response


@login_required
@require_GET
def attachment_download(request, case_ref, attachment_id):
    """The decrypted file, to the people who may see its case; every download is audited."""
    case = get_object_or_404(Case.objects.visible_to(request.user), reference=case_ref)
    attachment = get_object_or_404(case.attachments.all(), pk=attachment_id)
    return attachment_response(attachment, actor=request.user, request=request)


@never_cache
@login_required
@require_GET
def household(request, person_ref):
    """A family across every case its members are on, as far as the user may see it."""
    person = get_object_or_404(Person.objects.visible_to(request.user), reference=person_ref)
    context = {"person": person, "household": household_of(person, user=request.user)}
    record(request.user, "view", person, request=request, page="household")
    return render(request, "casework/household.html", context)
