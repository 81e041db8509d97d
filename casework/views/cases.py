"""
The forms that open and change a case: its details, members and flags, and breaking the glass.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.form_pages import put_errors_on
from consent.models import Consent

from .. import dates, services
from ..choices import CaseStatus, MemberRole
from ..forms.cases import BreakGlassForm, CaseCreateForm, CaseEditForm, FlagForm, MemberAddForm
from ..models import Case, CaseMember, Person
from ..permissions import (
    can_break_glass,
    can_close_case,
    consent_witnesses,
    editable_people,
    teams_to_open_cases_in,
)
from ..selectors.case_page import case_flags
from .common import (
    CONSENT_FORM_TEMPLATE,
    FLAGS_TEMPLATE,
    FORM_TEMPLATE,
    _case_context,
    _case_url,
    _data,
    _editable_case,
    _form_page,
    _refuse,
    form_view,
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
    closed = case.status == CaseStatus.CLOSED
    initial = {
        "risk_level": case.risk_level,
        "status": case.status,
        "summary": case.summary,
        "version": case.version,
    }
    form = CaseEditForm(_data(request), initial=initial, closed=closed)

    def save(data):
        fields = {name: data[name] for name in ("risk_level", "status", "summary") if name in data}
        services.case_update(
            case=case, actor=request.user, expected_version=data["version"], **fields
        )

    # Closing and reopening have their own page, which asks for the reason.
    context = _case_context(case)
    if can_close_case(request.user, case):
        context["alternative_url"] = reverse(
            "casework:case_reopen" if closed else "casework:case_close", args=[case.reference]
        )
        context["alternative_label"] = _("Reopen the case") if closed else _("Close the case")
    return _form_page(
        request,
        form,
        save=save,
        title=_("Edit the case"),
        success=_("The changes were saved."),
        next_url=_case_url(case),
        context=context,
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
    context = {**_case_context(case), "raised": case_flags(case, raised_by=True)}
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
        FlagForm(_data(request), raised=context["raised"]),
        save=lambda data: services.case_flag_set(case=case, kind=data["kind"], actor=request.user),
        title=_("Flags"),
        success=_("The flag was raised."),
        submit=_("Raise the flag"),
        **common,
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
                put_errors_on(form, error)
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
