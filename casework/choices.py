from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Nationality(models.TextChoices):
    DPRK = "dprk", _("North Korean (DPRK)")
    PRC = "prc", _("Chinese (PRC)")
    STATELESS = "stateless", _("Stateless")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class PersonRole(models.TextChoices):
    REFUGEE = "refugee", _("Refugee")
    CHILD = "child", _("Child")
    PARTNER = "partner", _("Partner")
    RELATIVE = "relative", _("Relative")


class Region(models.TextChoices):
    """Deliberately coarse: a province or a country, never a town (one prefecture, see below)."""

    JILIN = "cn-jilin", _("China: Jilin")
    # The one prefecture named: the reported Yanbian notice of 2003 governs only families living
    # there, and an advocacy document must know whether it does (legal_aid.documents.rules).
    YANBIAN = "cn-jilin-yanbian", _("China: Jilin, Yanbian Prefecture")
    LIAONING = "cn-liaoning", _("China: Liaoning")
    HEILONGJIANG = "cn-heilongjiang", _("China: Heilongjiang")
    SHANDONG = "cn-shandong", _("China: Shandong")
    BEIJING = "cn-beijing", _("China: Beijing")
    INNER_MONGOLIA = "cn-inner-mongolia", _("China: Inner Mongolia")
    CHINA_OTHER = "cn-other", _("China: other province")
    DPRK = "kp", _("North Korea")
    ROK = "kr", _("South Korea")
    THIRD_COUNTRY = "third-country", _("Third country (transit)")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Country(models.TextChoices):
    CHINA = "CN", _("China")
    DPRK = "KP", _("North Korea")
    ROK = "KR", _("South Korea")
    THIRD_COUNTRY = "XT", _("Third country (transit)")
    OTHER = "XX", _("Other")
    UNKNOWN = "ZZ", _("Unknown")


class RelationshipKind(models.TextChoices):
    PARENT_OF = "parent_of", _("is parent of")
    PARTNER_OF = "partner_of", _("is partner of")
    SPOUSE_OF = "spouse_of", _("is spouse of")


class LegalStatus(models.TextChoices):
    UNDOCUMENTED_CN = "undocumented_cn", _("Undocumented in China")
    DETAINED_CN = "detained_cn", _("Detained in China")
    REPATRIATED = "repatriated", _("Repatriated to North Korea")
    IN_TRANSIT = "in_transit", _("In transit (third country)")
    UNHCR_PROTECTION = "unhcr", _("Under UNHCR protection")
    ROK_PROTECTION = "rok_protection", _("In South Korean protection")
    RESETTLED_ROK = "resettled_rok", _("Resettled in South Korea")
    RESETTLED_OTHER = "resettled_other", _("Resettled elsewhere")
    CHILD_REGISTERED = "child_registered", _("Child registered (hukou)")
    STATELESS = "stateless", _("Stateless")
    DECEASED = "deceased", _("Deceased")
    UNKNOWN = "unknown", _("Unknown")


class StatusSource(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker's own observation")
    FAMILY = "family", _("Reported by family")
    DOCUMENT = "document", _("Official document")
    PARTNER_NGO = "partner_ngo", _("Partner organisation")
    MEDIA = "media", _("Media report")
    OTHER = "other", _("Other")


class EntitlementKind(models.TextChoices):
    """The benefits the Yanbian notice of 16 November 2003 withholds."""

    HOUSEHOLD_REGISTRATION = "household_registration", _("Household registration (hukou) / ID")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    SCHOOL = "school", _("School")
    MEDICAL_CARE = "medical_care", _("Medical care")
    LABOUR_INSURANCE = "labour_insurance", _("Employment and labour insurance")
    SOCIAL_WELFARE = "social_welfare", _("Social welfare")
    MARRIAGE_REGISTRATION = "marriage_registration", _("Marriage registration")


class EntitlementStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")
    PENDING = "pending", _("Pending")
    NOT_SOUGHT = "not_sought", _("Not sought")
    UNKNOWN = "unknown", _("Unknown")


class IncidentKind(models.TextChoices):
    BENEFIT_DENIED = "benefit_denied", _("Denial of a benefit")
    RAID = "raid", _("Raid")
    ARREST = "arrest", _("Arrest")
    DETENTION = "detention", _("Detention")
    DEPORTATION = "deportation", _("Deportation")
    PARTNER_PROSECUTED = "partner_prosecuted", _("Prosecution of a partner")
    TRAFFICKING = "trafficking", _("Trafficking")
    EXPLOITATION = "exploitation", _("Exploitation")
    OTHER = "other", _("Other")


# The incidents after which a person is held: recording one offers to mark them detained.
DETENTION_INCIDENTS = frozenset({IncidentKind.ARREST, IncidentKind.DETENTION})


class NoteKind(models.TextChoices):
    """How the contact a note records took place; a file note records no contact."""

    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    MESSAGE = "message", _("Message")
    OFFICE = "office", _("Meeting at the office")
    FILE_NOTE = "file_note", _("File note (no contact)")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    RESETTLED = "resettled", _("Resettled")
    MOVED_AWAY = "moved_away", _("Moved away")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DECEASED = "deceased", _("Deceased")
    TRANSFERRED = "transferred", _("Transferred")
    OTHER = "other", _("Other")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")

    @classmethod
    def gravest_first(cls) -> list[str]:
        return [cls.CRITICAL, cls.HIGH, cls.MEDIUM, cls.LOW]


class MemberRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    CHILD = "child", _("Child")
    PARTNER = "partner", _("Partner")
    RELATIVE = "relative", _("Relative")
    OTHER = "other", _("Other")


class AssignmentRole(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    LEGAL_ADVOCATE = "legal_advocate", _("Legal advocate")


class Redaction(models.TextChoices):
    """How people appear in what leaves the screen: an advocacy document, a printed case summary."""

    NAMED_WITH_CONSENT = "named_with_consent", _("Name those who consented to be named")
    PSEUDONYMISED = "pseudonymised", _("Pseudonyms for everyone")
    AGGREGATE_ONLY = "aggregate_only", _("Figures only, no individual")


class NameKeyKind(models.TextChoices):
    """Which normalised form of a name a stored name key is (see `casework.names`)."""

    FULL = "full", _("Full name")
    HANGUL = "hangul", _("Korean reading")
    ROMAN = "roman", _("Romanised name")
    PINYIN = "pinyin", _("Pinyin")
    FAMILY_INITIAL = "family_initial", _("Family name and initial")
    FAMILY = "family", _("Family name")
    GIVEN = "given", _("Given name")
