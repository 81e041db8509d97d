import uuid

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import roles
from casework.choices import Region
from casework.querysets import CaseScopedQuerySet
from vault.fields import EncryptedCharField, EncryptedQuerySet, EncryptedTextField

from .choices import ProviderKind, Service, Status, Urgency


class ProviderQuerySet(EncryptedQuerySet):
    def visible_to(self, user):
        """
        A team's own directory, for those who work its cases (caseworkers and supervisors), and
        the providers other teams marked as shared. A legal advocate reads a provider only
        through a referral of a case shared with them.
        """
        teams = roles.working_teams(user)
        if not teams.exists():
            return self.none()
        return self.filter(Q(team__in=teams) | Q(shared=True))


class Written(models.Model):
    """
    What a provider and a referral both keep of their making: a random id (never a counter, which
    would tell how many there are), who wrote it and when, and a version that refuses stale edits.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class ServiceProvider(Written):
    """
    A lawyer, clinic, shelter, school, partner NGO, UNHCR or embassy contact a team refers people
    to. Its name and contact details identify people who help refugees in hiding, so they are
    encrypted like a refugee's own; a safety note says how (not) to reach them.
    """

    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        related_name="service_providers",
        verbose_name=_("team"),
    )
    name = EncryptedCharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ProviderKind.choices)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    region = models.CharField(_("province or region"), max_length=32, choices=Region.choices)
    contact = EncryptedTextField(
        _("safe contact details"),
        blank=True,
        help_text=_("How to reach them safely: a contact person, a channel, a meeting place."),
    )
    safety_notes = EncryptedTextField(
        _("notes on safety"),
        blank=True,
        help_text=_("For example: never call directly; go through the partner NGO."),
    )
    shared = models.BooleanField(
        _("shared with other teams"),
        default=False,
        help_text=_("Other teams see this provider in their directory and may refer to it."),
    )
    active = models.BooleanField(_("in use"), default=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "created_at"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_region_display()}"

    @property
    def language_labels(self) -> list[str]:
        from .choices import Language

        return [str(Language(code).label) for code in self.languages if code in Language.values]


class ReferralQuerySet(CaseScopedQuerySet):
    pass


class Referral(Written):
    """
    A person of a case referred to a provider for a service. Refused unless the person's consent
    allows sharing with that kind of provider (referrals.rules). Its status changes are kept, each
    with its date (`ReferralStatusChange`); a follow-up (a casework task) is created with it.
    """

    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "casework.Person",
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("person"),
    )
    provider = models.ForeignKey(
        ServiceProvider,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("provider"),
    )
    service = models.CharField(_("service needed"), max_length=16, choices=Service.choices)
    referred_on = models.DateField(_("date of referral"))
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    # What the provider did or said may name people: encrypted.
    outcome = EncryptedTextField(_("outcome"), blank=True)
    # A step of the case plan: the goal this referral works towards, on the same case.
    goal = models.ForeignKey(
        "casework.Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral_steps",
        verbose_name=_("goal of the case plan"),
    )
    follow_up = models.ForeignKey(
        "casework.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up"),
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["case", "-referred_on"])]

    def __str__(self):
        return f"{self.get_service_display()} · {self.referred_on}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.case_id and self.person_id:
            CaseMember = apps.get_model("casework", "CaseMember")
            if not CaseMember.objects.filter(
                case_id=self.case_id, person_id=self.person_id
            ).exists():
                raise ValidationError({"person": _("Refer only a person of this case.")})


class ReferralStatusChange(models.Model):
    """One step of a referral's history: the status it took and on which day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="changes", verbose_name=_("referral")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    changed_on = models.DateField(_("date"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "changed_at"]
        verbose_name = _("referral status change")
        verbose_name_plural = _("referral status changes")

    def __str__(self):
        return f"{self.get_status_display()} · {self.changed_on}"
