"""
Every write of the directory and the referrals: keyword-only, permission checked
(referrals.permissions), validated, saved and audited in one transaction. A referral is refused
unless the person's consent in force allows sharing with that kind of provider (referrals.rules);
its follow-up is a casework task made through the casework service, in the same transaction.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import record
from casework import dates
from casework import services as casework_services
from casework.choices import GoalStatus
from casework.exceptions import StaleEditError
from casework.models import Goal

from . import permissions, rules
from .choices import NEXT_STATUSES, Status, Urgency
from .models import Referral, ReferralStatusChange, ServiceProvider

# What a provider's writer sets, in the order the forms and the API show it.
PROVIDER_FIELDS = (
    "name",
    "kind",
    "languages",
    "region",
    "contact",
    "safety_notes",
    "shared",
    "active",
)

# When the follow-up of a new referral is due, counted from the day of the referral.
FOLLOW_UP_DAYS = {
    Urgency.EMERGENCY: 1,
    Urgency.URGENT: 3,
    Urgency.SOON: 7,
    Urgency.ROUTINE: 14,
}


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not change this record."))


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown provider fields: {', '.join(sorted(unknown))}")


def provider_create(*, team, actor, **fields) -> ServiceProvider:
    """A new provider in `team`'s directory, by one of its supervisors."""
    _check_fields(fields)
    _require(
        permissions.can_add_provider(actor, team),
        _("Only a supervisor of the team keeps its directory of providers."),
    )
    with transaction.atomic():
        provider = _save(ServiceProvider(team=team, created_by=actor, **fields))
        record(actor, "create", provider, fields=sorted(fields), kind=provider.kind)
    return provider


def provider_update(
    *, provider: ServiceProvider, actor, expected_version: int | None = None, **fields
) -> ServiceProvider:
    """Change a provider, by a supervisor of its team; `expected_version` refuses a stale edit."""
    _check_fields(fields)
    _require(
        permissions.can_edit_provider(actor, provider),
        _("Only a supervisor of the provider's team changes it."),
    )
    with transaction.atomic():
        locked = ServiceProvider.objects.select_for_update().get(pk=provider.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleEditError(
                _("Someone else changed this provider since you opened it. Reload and try again.")
            )
        changed = sorted(name for name, value in fields.items() if getattr(locked, name) != value)
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        locked.full_clean()
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        record(actor, "update", locked, fields=changed)
    return locked


def consent_refusal(person, provider) -> ValidationError | None:
    """The refusal of referring `person` to `provider` for want of consent, or None."""
    missing = rules.missing_scopes(person, provider.kind)
    if not missing:
        return None
    return ValidationError(
        {
            "provider": _(
                "%(person)s cannot be referred to a provider of this kind (%(kind)s): their "
                "consent does not allow “%(consent)s”. Record their consent first."
            )
            % {
                "person": person.reference,
                "kind": provider.get_kind_display(),
                "consent": "”, “".join(rules.scope_labels(missing)),
            }
        },
        code="consent_missing",
    )


def _check_goal(goal: Goal | None, case) -> None:
    """A referral is a step of an open goal of its own case only."""
    if goal is None:
        return
    if goal.case_id != case.pk or goal.voided_at is not None:
        raise ValidationError({"goal": _("Choose a goal of this case's plan.")})
    if goal.status != GoalStatus.OPEN:
        raise ValidationError({"goal": _("Steps are added to open goals only.")})


def referral_create(
    *,
    case,
    person,
    provider: ServiceProvider,
    service: str,
    referred_on: datetime.date,
    urgency: str = Urgency.ROUTINE,
    goal: Goal | None = None,
    actor,
) -> Referral:
    """
    Refer a person of `case` to `provider` for `service`: planned, with its first history step
    and a follow-up for the actor; with `goal`, a step of that open goal of the case plan.
    Refused unless the actor may change the case, may refer to the provider, and the person's
    consent in force allows it.
    """
    _require(permissions.can_refer(actor, case), _("You may not refer people of this case."))
    if not permissions.can_refer_to(actor, provider):
        raise ValidationError({"provider": _("Choose a provider of your team's directory.")})
    _check_goal(goal, case)
    dates.check_event(referred_on, field="referred_on", people=[person])
    with transaction.atomic():
        refusal = consent_refusal(person, provider)
        if refusal is not None:
            raise refusal
        referral = _save(
            Referral(
                case=case,
                person=person,
                provider=provider,
                service=service,
                referred_on=referred_on,
                urgency=urgency,
                status=Status.PLANNED,
                goal=goal,
                created_by=actor,
            )
        )
        ReferralStatusChange.objects.create(
            referral=referral, status=Status.PLANNED, changed_on=referred_on, changed_by=actor
        )
        due = max(
            referred_on + datetime.timedelta(days=FOLLOW_UP_DAYS[Urgency(urgency)]), dates.today()
        )
        # The labels in English, the catalogue's msgids: each reader sees the title in theirs.
        with translation.override("en"):
            labels = {
                "service": str(referral.get_service_display()),
                "kind": str(provider.get_kind_display()),
            }
        referral.follow_up = casework_services.task_create(
            case=case,
            title_key="referral",
            title_params=labels,
            due_on=due,
            actor=actor,
        )
        referral.save(update_fields=["follow_up"])
        record(
            actor,
            "create",
            referral,
            person=person.reference,
            provider_kind=provider.kind,
            service=service,
            urgency=urgency,
            goal=str(goal.pk) if goal else None,
        )
    return referral


def referral_status_change(
    *,
    referral: Referral,
    status: str,
    changed_on: datetime.date,
    actor,
    outcome: str | None = None,
    expected_version: int | None = None,
) -> Referral:
    """
    Move a referral on (planned → sent → accepted → completed; declined or cancelled end it),
    with the day it happened, kept in its history; `outcome` says what came of it.
    """
    _require(
        permissions.can_change_referral(actor, referral),
        _("You may not change the referrals of this case."),
    )
    dates.check_event(changed_on, field="changed_on", people=[referral.person])
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleEditError(
                _("Someone else changed this referral since you opened it. Reload and try again.")
            )
        if status not in NEXT_STATUSES[Status(locked.status)]:
            raise ValidationError(
                {
                    "status": _("A referral that is %(now)s cannot become %(next)s.")
                    % {
                        "now": locked.get_status_display().lower(),
                        "next": Status(status).label.lower(),
                    }
                }
            )
        last = locked.changes.order_by("-changed_on", "-changed_at").first()
        if last and changed_on < last.changed_on:
            raise ValidationError(
                {"changed_on": _("This date is before the referral's last change.")}
            )
        fields = ["status"]
        locked.status = status
        if outcome is not None and outcome != locked.outcome:
            locked.outcome = outcome
            fields.append("outcome")
        locked.full_clean()
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        ReferralStatusChange.objects.create(
            referral=locked, status=status, changed_on=changed_on, changed_by=actor
        )
        record(actor, "status_change", locked, fields=fields, status=status)
    return locked


def referral_cancel_on_closing(*, referral: Referral, actor) -> Referral:
    """
    Resolve an open referral when its case closes (SHIMTEO_CLOSURE_CHECK_HOOKS): cancelled today,
    through `referral_status_change`, checked and audited as any cancelling.
    """
    return referral_status_change(
        referral=referral, status=Status.CANCELLED, changed_on=dates.today(), actor=actor
    )


def person_merged(*, source, target, actor) -> dict:
    """The referrals of a merged duplicate are the kept person's (SHIMTEO_MERGE_HOOKS)."""
    return {"referrals": Referral.objects.filter(person=source).update(person=target)}


def person_erased(*, person, actor, because, name=None) -> int:
    """
    An erased person's referral outcomes, typed text that may name them, are emptied
    (SHIMTEO_ERASURE_HOOKS). The erasure sums what its hooks return as documents withdrawn:
    a referral is no document, so 0.
    """
    for referral in Referral.objects.filter(person=person):
        if referral.outcome:
            referral.outcome = ""
            referral.save(update_fields=["outcome"])
    return 0
