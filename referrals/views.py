"""
The directory of providers and the referrals of a case: thin views. Each finds its record through
`visible_to(user)` (404 when out of sight), asks referrals.permissions what to offer (403 and a
"denied" event when refused) and calls one service; a service's refusal goes back on the form.
"""

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.form_pages import form_submitted
from audit.services import record
from casework.models import Case, Person
from casework.redaction import INDIVIDUAL_LEVELS
from casework.views.common import Refused, form_view, refusal

from . import permissions, rules, selectors, services
from .forms import ProviderCreateForm, ProviderEditForm, ReferralForm, StatusChangeForm
from .models import Referral, ServiceProvider
from .sheet import DEFAULT_LEVEL, SheetLeaks, referral_sheet, sheet_pdf

FORM_TEMPLATE = "referrals/form.html"


def _data(request):
    return request.POST if request.method == "POST" else None


def _refuse(request, target, attempted: str, *, case=None):
    raise Refused(refusal(request, target, attempted, case=case))


def _form_page(
    request,
    form,
    *,
    save,
    success: str,
    done_url,
    title: str,
    submit: str,
    cancel_url: str,
    template: str = FORM_TEMPLATE,
    **context,
):
    """
    The page of one form: a valid POST is saved through `save` and goes on to `done_url(saved)`;
    otherwise the form is shown (again), with what the service refused on it.
    """
    # The form page of every app (accounts.form_pages): the service's refusal goes onto the form.
    done = form_submitted(request, form, save=save, success=success, next_url=done_url)
    if done is not None:
        return done
    context.update(form=form, title=title, submit=submit, cancel_url=cancel_url)
    return render(request, template, context)


def _provider_fields(data) -> dict:
    return {name: data[name] for name in services.PROVIDER_FIELDS}


# The directory


@never_cache
@login_required
@require_GET
def provider_list(request):
    providers = selectors.providers_for(request.user)
    for provider in providers:
        provider.may_edit = permissions.can_edit_provider(request.user, provider)
    context = {
        "providers": providers,
        "may_add": permissions.may_add_providers(request.user),
    }
    return render(request, "referrals/provider_list.html", context)


def _visible_provider(request, provider_id) -> ServiceProvider:
    return get_object_or_404(
        ServiceProvider.objects.visible_to(request.user).select_related("team"), pk=provider_id
    )


@never_cache
@login_required
@require_GET
def provider_detail(request, provider_id):
    provider = _visible_provider(request, provider_id)
    context = {
        "provider": provider,
        "may_edit": permissions.can_edit_provider(request.user, provider),
        "referral_count": Referral.objects.visible_to(request.user)
        .filter(provider=provider)
        .count(),
    }
    response = render(request, "referrals/provider_detail.html", context)
    # Its contact details and safety notes were decrypted for this reader.
    record(request.user, "view", provider, request=request)
    return response


def _provider_url(provider) -> str:
    return reverse("referrals:provider_detail", args=[provider.pk])


@form_view
def provider_create(request):
    teams = permissions.teams_to_add_providers_in(request.user)
    if not teams.exists():
        _refuse(request, ServiceProvider, "provider_create")
    return _form_page(
        request,
        ProviderCreateForm(_data(request), teams=teams),
        save=lambda data: services.provider_create(
            team=data["team"], actor=request.user, **_provider_fields(data)
        ),
        success=_("The provider was added to the directory."),
        done_url=_provider_url,
        title=_("Add a service provider"),
        submit=_("Add"),
        cancel_url=reverse("referrals:provider_list"),
    )


@form_view
def provider_edit(request, provider_id):
    provider = _visible_provider(request, provider_id)
    if not permissions.can_edit_provider(request.user, provider):
        _refuse(request, provider, "provider_edit")
    initial = {name: getattr(provider, name) for name in (*services.PROVIDER_FIELDS, "version")}
    return _form_page(
        request,
        ProviderEditForm(_data(request), initial=initial),
        save=lambda data: services.provider_update(
            provider=provider,
            actor=request.user,
            expected_version=data["version"],
            **_provider_fields(data),
        ),
        success=_("The provider was saved."),
        done_url=_provider_url,
        title=_("Change the provider"),
        submit=_("Save"),
        cancel_url=_provider_url(provider),
    )


# Referrals


def _visible_case(request, case_ref) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("team"), reference=case_ref
    )


def _visible_referral(request, referral_id) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related(
            "case", "case__team", "person", "provider", "follow_up", "goal"
        ),
        pk=referral_id,
    )


def _case_url(case) -> str:
    return reverse("casework:case_detail", args=[case.reference]) + "#referrals"


def _consent_url(person) -> str:
    """The consent section of the person's page, where the missing consent is recorded."""
    return reverse("casework:person_detail", args=[person.reference]) + "#consent"


def _initial_goal(request, goals) -> dict:
    """A referral begun from a goal of the plan (`?goal=<id>`) starts as a step of it."""
    wanted = request.GET.get("goal", "")
    goal = next((goal for goal in goals if str(goal.pk) == wanted), None)
    return {"goal": goal, "person": goal.person} if goal else {}


@form_view
def referral_create(request, case_ref):
    case = _visible_case(request, case_ref)
    if not permissions.can_refer(request.user, case):
        _refuse(request, case, "referral_create", case=case)
    people = Person.objects.filter(memberships__case=case).order_by("reference")
    goals = selectors.goals_to_step_towards(case)
    form = ReferralForm(
        _data(request),
        people=people,
        providers=selectors.providers_to_refer_to(request.user),
        goals=goals,
        initial=_initial_goal(request, goals),
    )
    # Read before saving: a refusal takes its field out of the cleaned data.
    missing = _missing_consent(form) if request.method == "POST" and form.is_valid() else None
    return _form_page(
        request,
        form,
        save=lambda data: services.referral_create(case=case, actor=request.user, **data),
        success=_("The referral was recorded, with a follow-up."),
        done_url=_referral_url,
        title=_("Refer a person of case %(case)s") % {"case": case.reference},
        submit=_("Refer"),
        cancel_url=_case_url(case),
        template="referrals/referral_form.html",
        case=case,
        missing_consent=missing,
        no_providers=not form.fields["provider"].queryset.exists(),
    )


def _missing_consent(form) -> dict | None:
    """What the chosen person's consent lacks for the chosen provider, with where to record it."""
    person, provider = form.cleaned_data["person"], form.cleaned_data["provider"]
    scopes = rules.missing_scopes(person, provider.kind)
    if not scopes:
        return None
    return {
        "person": person,
        "consents": ", ".join(rules.scope_labels(scopes)),
        "url": _consent_url(person),
    }


def _referral_url(referral) -> str:
    return reverse("referrals:referral_detail", args=[referral.pk])


@never_cache
@login_required
@require_GET
def referral_detail(request, referral_id):
    referral = _visible_referral(request, referral_id)
    context = {
        "referral": referral,
        # A legal advocate reads a referral of a case shared with them but not the provider's
        # page (its contacts and safety notes): no link that would answer 404, and be recorded
        # as a probe of theirs.
        "provider_visible": ServiceProvider.objects.visible_to(request.user)
        .filter(pk=referral.provider_id)
        .exists(),
        "changes": list(referral.changes.select_related("changed_by")),
        "may_change": permissions.can_change_referral(request.user, referral)
        and bool(StatusChangeForm(current=referral.status).fields["status"].choices[1:]),
        "levels": INDIVIDUAL_LEVELS,
    }
    response = render(request, "referrals/referral_detail.html", context)
    record(request.user, "view", referral, request=request, case=referral.case)
    return response


@form_view
def referral_status(request, referral_id):
    referral = _visible_referral(request, referral_id)
    if not permissions.can_change_referral(request.user, referral):
        _refuse(request, referral, "referral_status", case=referral.case)
    return _form_page(
        request,
        StatusChangeForm(
            _data(request), current=referral.status, initial={"version": referral.version}
        ),
        save=lambda data: services.referral_status_change(
            referral=referral,
            status=data["status"],
            changed_on=data["changed_on"],
            outcome=data["outcome"] or None,
            expected_version=data["version"],
            actor=request.user,
        ),
        success=_("The referral's status was changed."),
        done_url=_referral_url,
        title=_("Change the status of the referral"),
        submit=_("Save"),
        cancel_url=_referral_url(referral),
        case=referral.case,
    )


class SheetOptions(django_forms.Form):
    """The one choice of a sheet: how its person is named. A level, never a name, in the URL."""

    names = django_forms.ChoiceField(
        label=gettext_lazy("Names"),
        choices=INDIVIDUAL_LEVELS,
        initial=DEFAULT_LEVEL,
        help_text=gettext_lazy(
            "A person is named only if everyone of the case consents to be named. A sheet with "
            "pseudonyms shows dates to the month and leaves out the outcome, which may name someone."
        ),
    )


def _sheet_level(request) -> tuple[SheetOptions, str]:
    options = SheetOptions(request.GET or None)
    if options.is_bound and not options.is_valid():
        raise BadRequest("Unknown sheet option.")
    level = options.cleaned_data["names"] if options.is_bound else DEFAULT_LEVEL
    if not options.is_bound:
        options = SheetOptions(initial={"names": level})
    return options, level


@never_cache
@login_required
@require_GET
def referral_sheet_page(request, referral_id):
    referral = _visible_referral(request, referral_id)
    options, level = _sheet_level(request)
    sheet = referral_sheet(referral, level=level)
    context = {"sheet": sheet, "options": options, "printed_at": timezone.localtime()}
    response = render(request, "referrals/sheet.html", context)
    _record_sheet(request, referral, "view", page="sheet", **_sheet_detail(sheet, level))
    return response


def _record_sheet(request, referral, action: str, **detail) -> None:
    record(request.user, action, referral, request=request, case=referral.case, **detail)


def _sheet_detail(sheet, level: str) -> dict:
    """What the audit keeps of a sheet shown or exported: its naming level and who it named."""
    return {"redaction": level, "named": [sheet.person.pk] if sheet.person.named else []}


@never_cache
@login_required
@require_GET
def referral_sheet_pdf(request, referral_id):
    referral = _visible_referral(request, referral_id)
    _options, level = _sheet_level(request)
    sheet = referral_sheet(referral, level=level)
    try:
        pdf = sheet_pdf(sheet, username=request.user.get_username())
    except SheetLeaks as leaks:
        _record_sheet(request, referral, "view", page="sheet_pdf_refused", leaks=leaks.found)
        return render(request, "referrals/sheet_refused.html", {"referral": referral}, status=409)
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name, no reference in the file name: it is seen in download lists and history.
    response["Content-Disposition"] = 'attachment; filename="referral.pdf"'
    _record_sheet(request, referral, "export", page="sheet_pdf", **_sheet_detail(sheet, level))
    return response


def case_section(request, case, *, can_edit: bool) -> str:
    """The Referrals section of the case page (SHIMTEO_CASE_SECTIONS), with "Refer" for editors."""
    # Rendered without the request: the section shows nothing the context processors give (no
    # form, CSRF token or user; its language and time zone are the request's, active already),
    # and running them again for it cost some 110 Python calls a case page.
    return render_to_string(
        "referrals/includes/case_referrals.html",
        {
            "case": case,
            "referrals": selectors.case_referrals(case),
            "may_refer": can_edit and permissions.can_refer(request.user, case),
        },
    )
