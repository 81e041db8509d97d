"""
The forms that create and change casework records.

Each view finds its case or person through `visible_to(user)` (404 when out of sight), then asks
casework.permissions whether the user may change it (403 and an audit event when not), lets the
form check the input and the service apply the rules. A service's refusal goes back onto the
form, with everything the user typed kept.
"""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import drafts, roles
from accounts.models import Team
from audit.services import record
from consent.checks import current_consent, refusing
from consent.models import Consent, Scope

from .. import dates, services
from ..choices import AssignmentRole, CaseStatus, MemberRole
from ..forms import (
    AliasForm,
    AttachmentForm,
    BreakGlassForm,
    CaseAssignForm,
    CaseCreateForm,
    CaseEditForm,
    ConsentRecordForm,
    ConsentRenewalForm,
    EntitlementForm,
    FlagForm,
    IncidentEditForm,
    IncidentRecordForm,
    MemberAddForm,
    NoteForm,
    PersonCreateForm,
    PersonEditForm,
    RelationshipForm,
    ShareForm,
    StatusChangeForm,
    StatusPeriodForm,
    TaskCompleteForm,
    TaskForm,
    TeamReassignForm,
    TransferForm,
    consent_witnesses,
    person_label,
)
from ..models import Case, CaseAssignment, CaseMember, Person
from ..permissions import (
    assignable_caseworkers,
    can_assign,
    can_break_glass,
    can_complete_task,
    can_edit_case,
    can_share,
    can_transfer,
    editable_cases,
    editable_cases_of_person,
    editable_people,
    staff_who_can_see,
    teams_to_open_cases_in,
)
from ..selectors import case_flags

FORM_TEMPLATE = "casework/forms/form.html"
CONSENT_FORM_TEMPLATE = "casework/forms/consent_form.html"
SHARE_TEMPLATE = "casework/forms/share.html"
FLAGS_TEMPLATE = "casework/forms/flags.html"
INCIDENT_TEMPLATE = "casework/forms/incident.html"
User = get_user_model()


class Refused(Exception):
    """Carries the 403 page out of a view; `form_view` returns it instead of raising."""

    def __init__(self, response):
        self.response = response


def form_view(view):
    """
    GET and POST only, signed in, never cached, posted values kept out of error reports. A
    refusal is returned, not raised, so that the request's transaction keeps its audit event.
    """

    @never_cache
    @login_required
    @sensitive_post_parameters()
    @require_http_methods(["GET", "POST"])
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return refused.response
        except PermissionDenied:
            # A service's own check (a supervisor's action) disagreed with the page's.
            return refusal(request, None, view.__name__)

    return wrapper


def refusal(request, target, attempted: str, *, case=None):
    """The 403 page for a change the user may not make, with its "denied" event."""
    record(request.user, "denied", target, request=request, case=case, attempted=attempted)
    return render(request, "casework/forms/refused.html", {"case": case}, status=403)


def _refuse(request, target, attempted: str, *, case=None):
    raise Refused(refusal(request, target, attempted, case=case))


def _data(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _visible_case(request, case_ref: str) -> Case:
    cases = Case.objects.visible_to(request.user).select_related("team", "owner")
    return get_object_or_404(cases, reference=case_ref)


def _editable_case(request, case_ref: str, attempted: str) -> Case:
    case = _visible_case(request, case_ref)
    if not can_edit_case(request.user, case):
        _refuse(request, case, attempted, case=case)
    return case


def _case_allowing(request, case_ref: str, attempted: str, allows) -> Case:
    """The case, when the permission `allows(user, case)` lets the user act on it (else 403)."""
    case = _visible_case(request, case_ref)
    if not allows(request.user, case):
        _refuse(request, case, attempted, case=case)
    return case


def _editable_person(request, person_ref: str, attempted: str) -> tuple[Person, Case]:
    """The person, and the case through which the user may change them (for the audit trail)."""
    person = get_object_or_404(Person.objects.visible_to(request.user), reference=person_ref)
    case = editable_cases_of_person(request.user, person).select_related("team").first()
    if case is None:
        _refuse(request, person, attempted)
    return person, case


def _put_errors_on(form, error: ValidationError, rename: dict | None = None) -> None:
    """A service's refusal on the form: on the field it names when the form has it, else on top."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _form_page(
    request,
    form,
    *,
    save: Callable[[dict], object],
    title: str,
    success: str | Callable[[object], str],
    next_url: str | Callable[[object], str],
    cancel_url: str | None = None,
    context: dict | None = None,
    rename: dict | None = None,
    submit: str | None = None,
    template: str = FORM_TEMPLATE,
    heading: str | None = None,
):
    """
    Show the form; on a valid post call `save` with the cleaned data and go to `next_url` (or to
    what it makes of the saved record), or put the service's refusal on the form. A form with
    long text keeps a draft as it is typed (accounts.drafts): shown again in the form until saved.
    """
    keeps_drafts = drafts.has_long_text(form)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            _put_errors_on(form, error, rename)
        else:
            if keeps_drafts:
                drafts.draft_discard(user=request.user, form_key=request.path)
            messages.success(request, success(saved) if callable(success) else success)
            return redirect(next_url(saved) if callable(next_url) else next_url)
    draft = None
    if keeps_drafts and request.method == "GET":
        draft = drafts.draft_for(request.user, request.path)
        if draft is not None:
            drafts.restore_into(form, draft)
    context = {
        "drafting": drafts.form_drafting(request, draft=draft) if keeps_drafts else None,
        "form": form,
        "title": title,
        "heading": heading or title,
        "submit": submit or _("Save"),
        "cancel_url": cancel_url or next_url,
        **(context or {}),
    }
    return render(request, template, context)


def _case_url(case: Case) -> str:
    return reverse("casework:case_detail", args=[case.reference])


def _person_url(person: Person) -> str:
    return reverse("casework:person_detail", args=[person.reference])


def _consent_url(person: Person) -> str:
    """The consent section of the person's page."""
    return _person_url(person) + "#consent"


def _person_titles(text: str, person: Person) -> dict:
    """
    A person's form is headed by their name and reference, for two children of one mother are
    easily confused; the browser's title (kept in its history) names the reference only.
    """
    return {
        "title": text % {"person": person.reference},
        "heading": text % {"person": person_label(person)},
    }


def _case_context(case: Case) -> dict:
    return {"case": case}


def _person_context(person: Person) -> dict:
    # The case the change is made through is for the audit trail; the page is about the person.
    return {"person": person}


# People


@form_view
def person_create(request):
    """Register a person, with their other names, in one of the cases the user works."""
    cases = editable_cases(request.user).order_by("reference")
    chosen = request.GET.get("case", "")
    # A child's parent or guardian is in the child's case: offered from the chosen case when
    # there is one, else from all the user's cases (the service checks they share the case).
    guardians = editable_people(request.user).order_by("reference")
    if chosen and cases.filter(reference=chosen).exists():
        guardians = guardians.filter(memberships__case__reference=chosen)
    form = PersonCreateForm(
        _data(request),
        cases=cases,
        guardians=dates.possible_guardians(guardians),
        initial={"case": chosen} if chosen else {},
    )
    return _form_page(
        request,
        form,
        save=lambda data: services.person_create(
            actor=request.user,
            aliases=data["aliases"],
            case=data["case"],
            role_in_case=data["role_in_case"],
            consent=form.consent_fields(),
            **form.person_fields(),
        ),
        title=_("Register a person"),
        success=_("The person was registered."),
        next_url=_person_url,
        cancel_url=reverse("casework:dashboard"),
        rename={"name": "aliases"},
        submit=_("Register"),
        template=CONSENT_FORM_TEMPLATE,
    )


@form_view
def person_edit(request, person_ref):
    person, case = _editable_person(request, person_ref, "person_edit")
    fields = list(PersonEditForm.base_fields)
    initial = {name: getattr(person, name) for name in fields if name != "version"}
    form = PersonEditForm(_data(request), initial={**initial, "version": person.version})
    return _form_page(
        request,
        form,
        save=lambda data: services.person_update(
            person=person,
            actor=request.user,
            expected_version=data["version"],
            case=case,
            **form.person_fields(),
        ),
        **_person_titles(_("Edit %(person)s"), person),
        success=_("The changes were saved."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def alias_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "alias_add")
    return _form_page(
        request,
        AliasForm(_data(request)),
        save=lambda data: services.person_alias_add(
            person=person, name=data["name"], actor=request.user, case=case
        ),
        **_person_titles(_("Add another name for %(person)s"), person),
        success=_("The name was added."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def relationship_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "relationship_add")
    # Relatives are chosen among the people of the cases of this person that the user may
    # change: a tie speaks about both people (casework.permissions.can_record_tie).
    shared_cases = editable_cases_of_person(request.user, person).values("pk")
    people = (
        editable_people(request.user)
        .filter(memberships__case__in=shared_cases)
        .exclude(pk=person.pk)
        .distinct()
        .order_by("reference")
    )
    form = RelationshipForm(_data(request), people=people)
    return _form_page(
        request,
        form,
        save=lambda data: services.relationship_create(
            **form.tie(person), actor=request.user, case=case
        ),
        **_person_titles(_("Record a family tie of %(person)s"), person),
        success=_("The family tie was recorded."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


def _consent_people(request, person: Person):
    """The people and staff a consent of `person` may name: those of the cases the user works."""
    cases = editable_cases_of_person(request.user, person)
    guardians = (
        editable_people(request.user)
        .filter(memberships__case__in=cases.values("pk"))
        .exclude(pk=person.pk)
        .distinct()
        .order_by("reference")
    )
    return dates.possible_guardians(guardians, person), consent_witnesses(cases)


def _consent_initial(current: Consent | None) -> dict:
    """A new record starts from the one in force: most often a scope or two changes."""
    if current is None or not current.is_asked:
        return {}
    return {
        "consent": "guardian" if current.guardian_id else "given",
        "scopes": current.scopes,
        "method": current.method,
        "guardian": current.guardian.reference if current.guardian_id else None,
    }


@form_view
def consent_record(request, person_ref):
    """Record what the person agrees to now, or why they could not be asked."""
    person, case = _editable_person(request, person_ref, "consent_record")
    guardians, witnesses = _consent_people(request, person)
    current = current_consent(person)
    form = ConsentRecordForm(
        _data(request),
        guardians=guardians,
        witnesses=witnesses,
        initial=_consent_initial(current),
    )
    return _form_page(
        request,
        form,
        save=lambda data: services.person_consent_record(
            person=person, actor=request.user, case=case, **form.consent_fields()
        ),
        **_person_titles(_("Record the consent of %(person)s"), person),
        success=_("The consent was recorded."),
        next_url=_consent_url(person),
        context={**_person_context(person), "current": current},
        template=CONSENT_FORM_TEMPLATE,
    )


@form_view
def consent_renew(request, person_ref):
    """The person confirms what they agreed to; the date to ask again moves on."""
    person, case = _editable_person(request, person_ref, "consent_renew")
    _guardians, witnesses = _consent_people(request, person)
    return _form_page(
        request,
        ConsentRenewalForm(_data(request), witnesses=witnesses),
        save=lambda data: services.person_consent_renew(
            person=person, actor=request.user, case=case, **data
        ),
        **_person_titles(_("Renew the consent of %(person)s"), person),
        success=_("The consent was renewed."),
        next_url=_consent_url(person),
        context={**_person_context(person), "current": current_consent(person)},
        template=CONSENT_FORM_TEMPLATE,
        submit=_("Renew"),
    )


def _status_fields(data) -> dict:
    names = ("status", "effective_from", "country", "place", "source", "note")
    return {name: data[name] for name in names}


@form_view
def status_change(request, person_ref):
    person, case = _editable_person(request, person_ref, "status_change")
    return _form_page(
        request,
        StatusChangeForm(_data(request)),
        save=lambda data: services.legal_status_change(
            person=person, actor=request.user, case=case, **_status_fields(data)
        ),
        **_person_titles(_("Change the legal status of %(person)s"), person),
        success=_("The new legal status was recorded."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def status_period_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "status_period_add")
    return _form_page(
        request,
        StatusPeriodForm(_data(request)),
        save=lambda data: services.legal_status_record_add(
            person=person,
            actor=request.user,
            case=case,
            effective_to=data["effective_to"],
            **_status_fields(data),
        ),
        **_person_titles(_("Add a past status of %(person)s"), person),
        success=_("The past status was added to the timeline."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


@form_view
def entitlement_add(request, person_ref):
    person, case = _editable_person(request, person_ref, "entitlement_add")
    return _form_page(
        request,
        EntitlementForm(_data(request)),
        save=lambda data: services.entitlement_record(
            person=person, actor=request.user, case=case, **data
        ),
        **_person_titles(_("Record a benefit sought by %(person)s"), person),
        success=_("The benefit was recorded."),
        next_url=_person_url(person),
        context=_person_context(person),
    )


# Records of a case


def _detention_message(detention: services.Detention) -> str:
    """What recording an arrest or detention did; references only (messages sit in a cookie)."""
    parts = [_("The incident was recorded.")]
    if detention.detained:
        parts.append(
            _("Now detained: %(people)s.")
            % {"people": ", ".join(person.reference for person in detention.detained)}
        )
    if detention.flag:
        parts.append(_("The flag “A member is detained” was raised."))
    if detention.risk_raised:
        parts.append(_("The risk level is now High."))
    return " ".join(parts)


@form_view
def incident_add(request, case_ref):
    """An incident; an arrest or detention may also mark people detained, flag and raise risk."""
    case = _editable_case(request, case_ref, "incident_add")
    form = IncidentRecordForm(_data(request), case=case)

    def save(data):
        detention = form.detention()
        if detention is None:
            services.incident_record(case=case, actor=request.user, **form.incident())
            return _("The incident was recorded.")
        recorded = services.detention_record(
            case=case, actor=request.user, **form.incident(), **detention
        )
        return _detention_message(recorded)

    return _form_page(
        request,
        form,
        save=save,
        title=_("Record an incident"),
        success=lambda message: message,
        next_url=_case_url(case),
        context=_case_context(case),
        template=INCIDENT_TEMPLATE,
    )


@form_view
def incident_edit(request, case_ref, incident_id):
    case = _editable_case(request, case_ref, "incident_edit")
    incident = get_object_or_404(case.incidents.all(), pk=incident_id)
    initial = {
        "kind": incident.kind,
        "occurred_on": incident.occurred_on,
        "region": incident.region,
        "description": incident.description,
        "people": [person.reference for person in incident.people.all()],
        "version": incident.version,
    }
    form = IncidentEditForm(_data(request), case=case, initial=initial)

    def save(data):
        fields = {name: data[name] for name in ("kind", "occurred_on", "region", "description")}
        services.incident_update(
            incident=incident,
            actor=request.user,
            expected_version=data["version"],
            people=data["people"],
            **fields,
        )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Correct an incident"),
        success=_("The changes were saved."),
        next_url=_case_url(case),
        context=_case_context(case),
    )


@form_view
def note_add(request, case_ref):
    case = _editable_case(request, case_ref, "note_add")
    form = NoteForm(_data(request), initial={"contacted_on": dates.today()})
    return _form_page(
        request,
        form,
        save=lambda data: services.case_note_add(case=case, actor=request.user, **data),
        title=_("Add a note"),
        success=_("The note was added."),
        next_url=_case_url(case),
        context=_case_context(case),
    )


@form_view
def task_add(request, case_ref):
    case = _editable_case(request, case_ref, "task_add")
    form = TaskForm(_data(request), staff=staff_who_can_see(case), creator=request.user)
    return _form_page(
        request,
        form,
        save=lambda data: services.task_create(case=case, actor=request.user, **data),
        title=_("Add a follow-up"),
        success=_("The follow-up was added."),
        next_url=_case_url(case),
        context=_case_context(case),
    )


@form_view
def task_complete(request, case_ref, task_id):
    case = _visible_case(request, case_ref)
    task = get_object_or_404(case.tasks.select_related("assignee"), pk=task_id)
    if not can_complete_task(request.user, task):
        _refuse(request, task, "task_complete", case=case)
    form = TaskCompleteForm(_data(request), initial={"version": task.version})
    return _form_page(
        request,
        form,
        save=lambda data: services.task_complete(
            task=task, actor=request.user, expected_version=data["version"]
        ),
        title=_("Mark a follow-up done"),
        success=_("The follow-up was marked done."),
        next_url=_case_url(case),
        context={**_case_context(case), "task": task},
        submit=_("Mark done"),
    )


@form_view
def attachment_add(request, case_ref):
    case = _editable_case(request, case_ref, "attachment_add")
    form = AttachmentForm(_data(request), _files(request), case=case)
    return _form_page(
        request,
        form,
        save=lambda data: services.attachment_add(
            case=case,
            uploaded_file=data["file"],
            person=data["person"],
            description=data["description"],
            actor=request.user,
        ),
        title=_("Upload a file"),
        success=_("The file was uploaded and stored encrypted."),
        next_url=_case_url(case),
        context=_case_context(case),
        submit=_("Upload"),
    )


# Cases


@form_view
def case_create(request):
    teams = teams_to_open_cases_in(request.user).order_by("name")
    if not teams.exists():
        _refuse(request, None, "case_create")
    # Only people the user may add to a case (not those of a case shared with them to read).
    people = editable_people(request.user).order_by("reference")
    form = CaseCreateForm(_data(request), teams=teams, people=people)

    def save(data):
        return services.case_open(
            team=data["team"],
            actor=request.user,
            risk_level=data["risk_level"],
            summary=data["summary"],
            members=[(person, MemberRole.OTHER) for person in data["members"]],
        )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Open a case"),
        success=_("The case was opened. Register its people next."),
        next_url=_case_url,
        cancel_url=reverse("casework:dashboard"),
        submit=_("Open the case"),
    )


@form_view
def case_edit(request, case_ref):
    case = _editable_case(request, case_ref, "case_edit")
    initial = {
        "risk_level": case.risk_level,
        "status": case.status,
        "closed_on": case.closed_on,
        "summary": case.summary,
        "version": case.version,
    }
    form = CaseEditForm(_data(request), initial=initial)

    def save(data):
        fields = {name: data[name] for name in ("risk_level", "status", "summary")}
        if data["status"] == CaseStatus.CLOSED:
            fields["closed_on"] = data["closed_on"]
        services.case_update(
            case=case, actor=request.user, expected_version=data["version"], **fields
        )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Edit the case"),
        success=_("The changes were saved."),
        next_url=_case_url(case),
        context=_case_context(case),
    )


def _caseworkers_of(case: Case):
    return User.objects.filter(
        case_assignments__case=case, case_assignments__role=AssignmentRole.CASEWORKER
    ).order_by("username")


@form_view
def case_assign(request, case_ref):
    """A supervisor gives the case to a caseworker of the team, in addition or instead."""
    case = _case_allowing(request, case_ref, "case_assign", can_assign)
    assigned = _caseworkers_of(case)
    caseworkers = (
        assignable_caseworkers(case).exclude(pk__in=assigned.values("pk")).order_by("username")
    )
    form = CaseAssignForm(_data(request), caseworkers=caseworkers, assigned=assigned)

    def save(data):
        if data["replaces"] is None:
            services.case_assign(
                case=case,
                user=data["caseworker"],
                role=AssignmentRole.CASEWORKER,
                actor=request.user,
            )
        else:
            services.case_reassign(
                case=case,
                from_user=data["replaces"],
                to_user=data["caseworker"],
                actor=request.user,
            )

    return _form_page(
        request,
        form,
        save=save,
        title=_("Assign a caseworker"),
        success=_("The case was assigned."),
        next_url=_case_url(case),
        context={**_case_context(case), "assigned": assigned},
        rename={"user": "caseworker", "to_user": "caseworker", "from_user": "replaces"},
        submit=_("Assign"),
    )


@form_view
def member_add(request, case_ref):
    case = _editable_case(request, case_ref, "member_add")
    # People of the cases the user may change: none copied out of a case shared to read.
    people = (
        editable_people(request.user)
        .exclude(pk__in=CaseMember.objects.filter(case=case).values("person"))
        .order_by("reference")
    )
    form = MemberAddForm(
        _data(request),
        people=people,
        # A child joining the case answers through a parent or guardian in it.
        guardians=dates.possible_guardians(
            Person.objects.filter(memberships__case=case).order_by("reference")
        ),
        witnesses=consent_witnesses(Case.objects.filter(pk=case.pk)),
        consented=set(
            Consent.objects.filter(person__in=people.values("pk")).values_list(
                "person_id", flat=True
            )
        ),
    )
    return _form_page(
        request,
        form,
        save=lambda data: services.case_add_member(
            case=case,
            person=data["person"],
            role=data["role"],
            consent=form.consent_fields(),
            actor=request.user,
        ),
        title=_("Add a registered person to the case"),
        success=_("The person was added to the case."),
        next_url=_case_url(case),
        context={
            **_case_context(case),
            "alternative_url": reverse("casework:person_create") + f"?case={case.reference}",
            "alternative_label": _("Register someone new instead"),
        },
        submit=_("Add"),
        template=CONSENT_FORM_TEMPLATE,
    )


@form_view
def flag_set(request, case_ref):
    """Raise a flag on the case; the page also lowers raised ones (a button each)."""
    case = _editable_case(request, case_ref, "flag_set")
    context = {**_case_context(case), "raised": case_flags(case)}
    common = {"next_url": _case_url(case), "context": context, "template": FLAGS_TEMPLATE}
    if request.method == "POST" and "clear" in request.POST:
        form = FlagForm({"kind": request.POST["clear"]})
        return _form_page(
            request,
            form,
            save=lambda data: services.case_flag_clear(
                case=case, kind=data["kind"], actor=request.user
            ),
            title=_("Flags"),
            success=_("The flag was lowered."),
            submit=_("Raise the flag"),
            **common,
        )
    return _form_page(
        request,
        FlagForm(_data(request)),
        save=lambda data: services.case_flag_set(case=case, kind=data["kind"], actor=request.user),
        title=_("Flags"),
        success=_("The flag was raised."),
        submit=_("Raise the flag"),
        **common,
    )


@form_view
def case_share(request, case_ref):
    """A supervisor shares the case with a legal advocate, when every member consents to it."""
    case = _case_allowing(request, case_ref, "case_share", can_share)
    shared = CaseAssignment.objects.filter(case=case, role=AssignmentRole.LEGAL_ADVOCATE)
    advocates = roles.legal_advocates().exclude(pk__in=shared.values("user")).order_by("username")
    form = ShareForm(_data(request), advocates=advocates)
    return _form_page(
        request,
        form,
        save=lambda data: services.case_share(
            case=case, advocate=data["advocate"], actor=request.user
        ),
        title=_("Share the case with a legal advocate"),
        success=_("The case was shared."),
        next_url=_case_url(case),
        context={**_case_context(case), "without_consent": _without_consent(case)},
        rename={"user": "advocate"},
        submit=_("Share"),
        template=SHARE_TEMPLATE,
    )


def _without_consent(case: Case) -> list[tuple[str, str]]:
    """
    The members whose consent in force does not allow sharing, by name and reference, each with
    a link to the consent section of their page: what the supervisor must have recorded before
    the case goes beyond its team. Those who may share see the case and so its people.
    """
    people = case.people.order_by("reference")
    return [
        (person_label(person), _consent_url(person))
        for person in refusing(people, Scope.SHARE_WITH_ADVOCATES)
    ]


@form_view
def case_transfer(request, case_ref):
    """A supervisor hands the case to another team, when every member consents to it."""
    case = _case_allowing(request, case_ref, "case_transfer", can_transfer)
    form = TransferForm(_data(request), teams=Team.objects.exclude(pk=case.team_id))

    def next_url(transferred):
        # A supervisor of the old team no longer sees the case: its page would answer 404.
        if Case.objects.visible_to(request.user).filter(pk=transferred.pk).exists():
            return _case_url(transferred)
        return reverse("casework:dashboard")

    return _form_page(
        request,
        form,
        save=lambda data: services.case_transfer(
            case=case, to_team=data["to_team"], actor=request.user
        ),
        title=_("Transfer the case to another team"),
        success=_("The case was transferred."),
        next_url=next_url,
        cancel_url=_case_url(case),
        context={**_case_context(case), "without_consent": _without_consent(case)},
        submit=_("Transfer"),
        template=SHARE_TEMPLATE,
    )


@form_view
def team_reassign(request):
    """A supervisor hands all the cases of a caseworker who leaves to another, at once."""
    teams = roles.supervised_teams(request.user)
    if not teams.exists():
        _refuse(request, None, "team_reassign")
    form = TeamReassignForm(_data(request), teams=teams)

    def save(data):
        return services.caseworker_reassign_all(
            from_user=data["from_user"],
            to_user=data["to_user"],
            team=data["team"],
            actor=request.user,
        )

    def success(cases):
        return ngettext(
            "%(count)d case was handed over.", "%(count)d cases were handed over.", len(cases)
        ) % {"count": len(cases)}

    return _form_page(
        request,
        form,
        save=save,
        title=_("Hand over a caseworker's cases"),
        success=success,
        next_url=reverse("casework:dashboard"),
        rename={"user": "to_user"},
        submit=_("Hand over"),
    )


@form_view
def break_glass(request):
    """An administrator asks to see one case, saying why; the grant is audited and expires."""
    if not can_break_glass(request.user):
        _refuse(request, None, "break_glass")
    form = BreakGlassForm(_data(request))
    if form.is_valid():
        case = Case.objects.filter(reference=form.cleaned_data["case_reference"]).first()
        if case is None:
            form.add_error("case_reference", _("No case has this reference."))
        else:
            try:
                access = services.case_break_glass(
                    case=case,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValidationError as error:
                _put_errors_on(form, error)
            else:
                messages.warning(
                    request,
                    _("You can see case %(case)s until %(time)s. This is recorded.")
                    % {
                        "case": case.reference,
                        "time": date_format(
                            timezone.localtime(access.expires_at), "DATETIME_FORMAT"
                        ),
                    },
                )
                return redirect("casework:case_detail", case_ref=case.reference)
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": _("Break the glass"), "submit": _("See this case")},
    )
