from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    LAWYER = "lawyer", _("Lawyer")
    CLINIC = "clinic", _("Clinic")
    SHELTER = "shelter", _("Shelter")
    SCHOOL = "school", _("School")
    PARTNER_NGO = "partner_ngo", _("Partner NGO")
    UNHCR = "unhcr", _("UNHCR")
    EMBASSY = "embassy", _("Embassy contact")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    KOREAN = "ko", _("Korean")
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    OTHER = "other", _("Another language")


class Service(models.TextChoices):
    """What the person is referred for."""

    LEGAL = "legal", _("Legal advice or representation")
    MEDICAL = "medical", _("Medical care")
    SHELTER = "shelter", _("Safe shelter")
    EDUCATION = "education", _("School enrolment")
    REGISTRATION = "registration", _("Documents and registration")
    PROTECTION = "protection", _("Protection or resettlement")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    OTHER = "other", _("Other service")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Within a week")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Where a referral may go from each status; a closed one goes nowhere.
NEXT_STATUSES = {
    Status.PLANNED: (Status.SENT, Status.CANCELLED),
    Status.SENT: (Status.ACCEPTED, Status.DECLINED, Status.CANCELLED),
    Status.ACCEPTED: (Status.COMPLETED, Status.CANCELLED),
    Status.DECLINED: (),
    Status.COMPLETED: (),
    Status.CANCELLED: (),
}
CLOSED_STATUSES = frozenset({Status.DECLINED, Status.COMPLETED, Status.CANCELLED})
