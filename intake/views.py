"""
The intake pages: the list of one's intakes, the wizard, the supervisor's queue and decision
page, and consent withdrawal. Views are thin: forms validate, services write, selectors read;
an intake out of the user's sight answers 404.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import drafts
from accounts.form_pages import form_submitted
from audit.services import record
from casework.erasure import consent_withdraw
from casework.models import Person
from casework.permissions import can_edit_person
from casework.views.common import refusal
from consent.checks import current_consent
from consent.forms import ConsentWithdrawForm

from . import duplicates, permissions, selectors, services
from .forms import STEP_ORDER, STEPS, MergeForm, RejectForm, ReturnForm
from .models import IntakeSubmission
from .summary import describe

Step = IntakeSubmission.Step


def audited_refusals(view):
    """
    A page's 403 leaves a "denied" event, as casework's pages do (casework.views.common), whether
    the page or a service refused. The refusal is returned, not raised, so that the request's
    transaction keeps the event.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return refusal(request, None, view.__name__)

    return wrapper


def _visible(request, reference) -> IntakeSubmission:
    return get_object_or_404(
        IntakeSubmission.objects.visible_to(request.user).select_related("team", "owner"),
        reference=reference,
    )


def _own_draft(request, reference) -> IntakeSubmission:
    submission = _visible(request, reference)
    if not permissions.can_change_intake(request.user, submission):
        # A draft is its author's alone (IntakeSubmission.objects.visible_to).
        raise Http404
    if not submission.is_editable:
        raise Http404
    return submission


def _step_url(submission, step) -> str:
    if step == Step.REVIEW:
        return reverse("intake:review", kwargs={"intake_ref": submission.reference})
    return reverse("intake:step", kwargs={"intake_ref": submission.reference, "step": step})


def _progress(submission, current):
    return [
        {
            "key": key,
            "label": Step(key).label,
            "current": key == current,
            "url": _step_url(submission, key),
        }
        for key in STEP_ORDER
    ]


@never_cache
@login_required
@audited_refusals
@require_GET
def intake_list(request):
    """The caseworker's intakes (drafts to resume first), and the queue for supervisors."""
    intakes = selectors.my_intakes(request.user)
    context = {
        "drafts": intakes.filter(status=IntakeSubmission.Status.DRAFT),
        "returned": intakes.filter(status=IntakeSubmission.Status.RETURNED),
        "sent": intakes.exclude(
            status__in=[IntakeSubmission.Status.DRAFT, IntakeSubmission.Status.RETURNED]
        )[:50],
        "teams": selectors.intake_teams(request.user),
        "queue_size": selectors.decision_queue(request.user).count(),
        "supervises": permissions.may_decide_intakes(request.user),
    }
    return render(request, "intake/list.html", context)


@login_required
@audited_refusals
@require_POST
def intake_new(request):
    team_id = request.POST.get("team", "")
    if not (team_id.isascii() and team_id.isdigit()):
        # A tampered or empty choice is not a team: 404 as an unknown one, never a 500.
        raise Http404
    team = get_object_or_404(selectors.intake_teams(request.user), pk=int(team_id))
    submission = services.intake_start(actor=request.user, team=team)
    return redirect(_step_url(submission, Step.CONSENT))


@never_cache
@login_required
@audited_refusals
@require_http_methods(["GET", "POST"])
def intake_step(request, intake_ref, step):
    if step not in STEPS:
        raise Http404
    submission = _own_draft(request, intake_ref)
    position = STEP_ORDER.index(step)
    draft = None
    if request.method == "POST":
        # Whichever button was pressed, the step is saved below: its draft in progress goes.
        drafts.draft_discard(user=request.user, form_key=request.path)
        action = request.POST.get("action", "next")
        data = services.posted_answers(request.POST)
        forms = STEPS[step](data, answers=submission.answers)
        if action in forms.add_buttons:
            data = forms.with_one_more(forms.data, forms.add_buttons[action])
            data = {key: data.getlist(key) for key in data}
            services.intake_save_step(
                submission=submission, step=step, data=data, actor=request.user
            )
            return redirect(_step_url(submission, step))
        if action == "back":
            services.intake_save_step(
                submission=submission,
                step=step,
                data=data,
                actor=request.user,
                next_step=STEP_ORDER[max(position - 1, 0)],
            )
            return redirect(_step_url(submission, STEP_ORDER[max(position - 1, 0)]))
        valid = forms.is_valid()
        next_step = STEP_ORDER[position + 1] if valid and action == "next" else step
        # Kept whether valid or not: what was typed is never lost.
        services.intake_save_step(
            submission=submission, step=step, data=data, actor=request.user, next_step=next_step
        )
        if action == "leave":
            messages.success(request, _("The draft is saved. Resume it from your intakes."))
            return redirect("intake:start")
        if valid:
            return redirect(_step_url(submission, next_step))
        status = 400
    else:
        draft = drafts.draft_for(request.user, request.path)
        if draft is not None:
            # What was typed since the step was last saved (accounts.drafts), as it was typed.
            forms = STEPS[step](services.posted_answers(MultiValueDict(draft.data)))
        else:
            forms = services.step_forms(submission, step)
        if forms.is_bound:
            # Show a saved step's errors again, as they were when it was left.
            forms.is_valid()
        status = 200
    context = {
        "submission": submission,
        "step": step,
        "step_label": Step(step).label,
        "forms": forms,
        "progress": _progress(submission, step),
        "first": position == 0,
        "drafting": drafts.form_drafting(request, draft=draft),
    }
    if step == Step.NEEDS and forms.is_bound and forms.form.is_valid():
        context["suggested"] = forms.form.cleaned_data["suggested_risk"]
    return render(request, f"intake/steps/{step}.html", context, status=status)


@never_cache
@login_required
@audited_refusals
@require_http_methods(["GET", "POST"])
def intake_review(request, intake_ref):
    submission = _own_draft(request, intake_ref)
    steps = []
    first_invalid = None
    for key in STEPS:
        forms = services.step_forms(submission, key)
        valid = forms.is_bound and forms.is_valid()
        if not valid and first_invalid is None:
            first_invalid = key
        steps.append(
            {
                "key": key,
                "label": Step(key).label,
                "summary": describe(forms),
                "valid": valid,
                "url": _step_url(submission, key),
            }
        )
    status, retry_after = 200, None
    if request.method == "POST":
        try:
            services.intake_submit(submission=submission, actor=request.user)
        except services.IncompleteIntake as error:
            messages.error(request, error.messages[0])
            return redirect(_step_url(submission, error.step))
        except duplicates.LookupThrottled as throttled:
            # The draft stays as it is; the page says when it can be sent.
            messages.error(request, str(throttled))
            status, retry_after = 429, throttled.retry_after
        else:
            messages.success(request, _("The intake was sent to your team's supervisors."))
            return redirect("intake:detail", intake_ref=submission.reference)
    context = {
        "submission": submission,
        "steps": steps,
        "complete": first_invalid is None,
        "progress": _progress(submission, Step.REVIEW),
    }
    response = render(request, "intake/review.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@audited_refusals
@require_POST
def intake_discard(request, intake_ref):
    submission = _visible(request, intake_ref)
    try:
        services.intake_discard(submission=submission, actor=request.user)
    except (ValidationError, PermissionDenied):
        raise Http404 from None
    messages.success(request, _("The intake was discarded."))
    return redirect("intake:start")


@never_cache
@login_required
@audited_refusals
@require_GET
def intake_detail(request, intake_ref):
    """
    A sent intake. Its caseworker sees its status and, for the duplicates found among the people
    they may see, references and reasons only; a supervisor of the team decides here, seeing the
    details of those candidates they may see. A candidate out of the user's sight is one neutral
    sentence (see intake.duplicates).
    """
    submission = _visible(request, intake_ref)
    if submission.is_draft and permissions.can_change_intake(request.user, submission):
        return redirect(_step_url(submission, submission.step))
    deciding = permissions.can_decide_intake(request.user, submission)
    candidates, out_of_sight = selectors.candidates(submission, request.user)
    for candidate in candidates:
        if deciding:
            record(
                request.user,
                "view",
                candidate["person"],
                request=request,
                intake=submission.reference,
            )
        else:
            # The caseworker sees who matched among their own people, not their details here.
            candidate["person"] = None
    record(request.user, "view", submission, request=request)
    context = {
        "submission": submission,
        "deciding": deciding and submission.status == IntakeSubmission.Status.SUBMITTED,
        "may_change": permissions.can_change_intake(request.user, submission),
        "candidates": candidates,
        "out_of_sight": out_of_sight,
        "summary": _summary(submission) if deciding and submission.answers else None,
        # Both forms have a `reason`: ids of their own, so that each label names its own box
        # (one id twice let "Why is this intake rejected?" point at the send-back box).
        "reject_form": RejectForm(auto_id="id_reject_%s"),
        "return_form": ReturnForm(auto_id="id_return_%s"),
        "history": submission.decisions.select_related("actor"),
        "merge_form": _merge_form(submission, request.user),
        "merge_plans": _merge_plans(submission, request.user) if deciding else [],
    }
    return render(request, "intake/detail.html", context)


def _merge_plans(submission, user):
    """For each person the principal may be merged into: the open cases the intake would join."""
    return [
        (person, list(services.open_cases_of(person, user)))
        for person in services.merge_targets(submission, user)
    ]


def _merge_form(submission, user, data=None):
    plans = _merge_plans(submission, user)
    return MergeForm(
        data,
        candidates=[person for person, _cases in plans],
        open_cases=[(person, cases) for person, cases in plans if cases],
    )


def _summary(submission):
    return [
        {"label": Step(key).label, "summary": describe(services.step_forms(submission, key))}
        for key in STEPS
    ]


@never_cache
@login_required
@audited_refusals
@require_GET
def decision_queue(request):
    if not permissions.may_decide_intakes(request.user):
        raise PermissionDenied
    context = {
        "queue": selectors.decision_queue(request.user),
        "held_here": selectors.duplicates_in_my_teams_cases(request.user),
    }
    return render(request, "intake/queue.html", context)


@login_required
@audited_refusals
@require_POST
def duplicate_verdict(request, candidate_id: int):
    # Someone the viewer may not decide on is answered as if there were no such match.
    candidate = get_object_or_404(selectors.held_by_my_teams(request.user), pk=candidate_id)
    try:
        services.duplicate_verdict(
            candidate=candidate, verdict=request.POST.get("verdict", ""), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Thank you: team %(team)s is told your answer, and nothing of the person.")
            % {"team": candidate.submission.team.name},
        )
    return redirect("intake:queue")


def _decision(request, intake_ref, act, attempted: str):
    submission = _visible(request, intake_ref)
    if not permissions.can_decide_intake(request.user, submission):
        return refusal(request, submission, attempted)
    try:
        return act(submission)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("intake:detail", intake_ref=submission.reference)


@login_required
@audited_refusals
@require_POST
def intake_approve(request, intake_ref):
    def act(submission):
        case = services.intake_approve(submission=submission, actor=request.user)
        messages.success(request, _("Approved: case %(case)s is open.") % {"case": case.reference})
        return redirect("casework:case_detail", case_ref=case.reference)

    return _decision(request, intake_ref, act, "intake_approve")


@login_required
@audited_refusals
@require_POST
def intake_reject(request, intake_ref):
    def act(submission):
        form = RejectForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say why the intake is rejected."))
        services.intake_reject(
            submission=submission, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The intake was rejected."))
        return redirect("intake:queue")

    return _decision(request, intake_ref, act, "intake_reject")


@login_required
@audited_refusals
@require_POST
def intake_send_back(request, intake_ref):
    def act(submission):
        form = ReturnForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say what the caseworker should correct."))
        services.intake_return(
            submission=submission, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            _("The intake was sent back to %(user)s with your reason.")
            % {"user": submission.owner.get_username()},
        )
        return redirect("intake:queue")

    return _decision(request, intake_ref, act, "intake_send_back")


@login_required
@audited_refusals
@require_POST
def intake_merge(request, intake_ref):
    def act(submission):
        form = _merge_form(submission, request.user, request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a person to merge into, and the case they join."))
        target = services.merge_targets(submission, request.user).get(
            reference=form.cleaned_data["person"]
        )
        open_cases = services.open_cases_of(target, request.user)
        chosen = form.cleaned_data.get("case")
        joined = open_cases.filter(reference=chosen).first() if chosen else None
        if chosen and joined is None:
            raise ValidationError(
                _("Choose one of the open cases of %(person)s.") % {"person": target.reference}
            )
        was_open = set(open_cases.values_list("pk", flat=True))
        case = services.intake_merge(
            submission=submission, target=target, actor=request.user, case=joined
        )
        if case.pk in was_open:
            message = _(
                "Merged into %(person)s: the intake's people joined the open case %(case)s, "
                "whose risk level is unchanged. No new case was opened."
            )
        else:
            message = _("Merged into %(person)s, who had no open case: case %(case)s was opened.")
        messages.success(request, message % {"person": target.reference, "case": case.reference})
        return redirect("casework:case_detail", case_ref=case.reference)

    return _decision(request, intake_ref, act, "intake_merge")


@never_cache
@login_required
@audited_refusals
@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request, person_ref):
    """The person takes back some of their consent; "store data" erases their details."""
    person = get_object_or_404(Person.objects.visible_to(request.user), reference=person_ref)
    if not can_edit_person(request.user, person):
        raise PermissionDenied
    form = ConsentWithdrawForm(request.POST or None)
    withdrawn = form_submitted(
        request,
        form,
        save=lambda data: consent_withdraw(
            person=person,
            scopes=data["scopes"],
            method=data["method"],
            witnessed_by=data["witnessed_by"],
            actor=request.user,
        ),
        success=_("The withdrawal is recorded."),
        next_url=reverse("casework:person_detail", args=[person.reference]),
    )
    if withdrawn is not None:
        return withdrawn
    context = {"person": person, "form": form, "current": current_consent(person)}
    return render(request, "consent/withdraw.html", context, status=400 if form.errors else 200)
