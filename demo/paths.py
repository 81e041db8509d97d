"""
The paths a household takes through the statuses, how often, and what the notes say of them.
"""

import datetime
from dataclasses import dataclass

from casework.choices import Country, EntitlementStatus, LegalStatus, Region, RiskLevel

# --- Paths through the statuses ---------------------------------------------------------------
# What happens to a woman after years undocumented in China, and how often in the demo.
PATHS = {
    "hiding": ((), 44),
    "detained": ((LegalStatus.DETAINED_CN,), 12),
    "repatriated": ((LegalStatus.DETAINED_CN, LegalStatus.REPATRIATED), 10),
    "in_transit": ((LegalStatus.IN_TRANSIT,), 5),
    "unhcr": ((LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION), 3),
    "rok_protection": ((LegalStatus.IN_TRANSIT, LegalStatus.ROK_PROTECTION), 5),
    "resettled_rok": (
        (LegalStatus.IN_TRANSIT, LegalStatus.ROK_PROTECTION, LegalStatus.RESETTLED_ROK),
        15,
    ),
    "resettled_other": (
        (LegalStatus.IN_TRANSIT, LegalStatus.UNHCR_PROTECTION, LegalStatus.RESETTLED_OTHER),
        3,
    ),
    "lost_contact": ((LegalStatus.UNKNOWN,), 3),
}
# Days from the previous status to this one, when it is not the first step out of hiding.
STEP_DAYS = {
    LegalStatus.REPATRIATED: (14, 120),
    LegalStatus.UNHCR_PROTECTION: (7, 60),
    LegalStatus.ROK_PROTECTION: (10, 90),
    LegalStatus.RESETTLED_ROK: (90, 200),
    LegalStatus.RESETTLED_OTHER: (180, 720),
}
STATUS_COUNTRY = {
    LegalStatus.UNDOCUMENTED_CN: Country.CHINA,
    LegalStatus.DETAINED_CN: Country.CHINA,
    LegalStatus.REPATRIATED: Country.DPRK,
    LegalStatus.IN_TRANSIT: Country.THIRD_COUNTRY,
    LegalStatus.UNHCR_PROTECTION: Country.THIRD_COUNTRY,
    LegalStatus.ROK_PROTECTION: Country.ROK,
    LegalStatus.RESETTLED_ROK: Country.ROK,
    LegalStatus.RESETTLED_OTHER: Country.OTHER,
    LegalStatus.CHILD_REGISTERED: Country.CHINA,
    LegalStatus.STATELESS: Country.CHINA,
    LegalStatus.UNKNOWN: Country.UNKNOWN,
}
STATUS_REGION = {
    LegalStatus.REPATRIATED: Region.DPRK,
    LegalStatus.IN_TRANSIT: Region.THIRD_COUNTRY,
    LegalStatus.UNHCR_PROTECTION: Region.THIRD_COUNTRY,
    LegalStatus.ROK_PROTECTION: Region.ROK,
    LegalStatus.RESETTLED_ROK: Region.ROK,
    LegalStatus.RESETTLED_OTHER: Region.OTHER,
    LegalStatus.UNKNOWN: Region.UNKNOWN,
}
RISK_BY_STATUS = {
    LegalStatus.DETAINED_CN: RiskLevel.CRITICAL,
    LegalStatus.REPATRIATED: RiskLevel.HIGH,
    LegalStatus.UNDOCUMENTED_CN: RiskLevel.HIGH,
    LegalStatus.IN_TRANSIT: RiskLevel.HIGH,
    LegalStatus.UNKNOWN: RiskLevel.HIGH,
    LegalStatus.UNHCR_PROTECTION: RiskLevel.MEDIUM,
    LegalStatus.ROK_PROTECTION: RiskLevel.LOW,
    LegalStatus.RESETTLED_ROK: RiskLevel.LOW,
    LegalStatus.RESETTLED_OTHER: RiskLevel.LOW,
}
LEFT_CHINA = {
    LegalStatus.IN_TRANSIT,
    LegalStatus.UNHCR_PROTECTION,
    LegalStatus.ROK_PROTECTION,
    LegalStatus.RESETTLED_ROK,
    LegalStatus.RESETTLED_OTHER,
}


def risk_level(status: str, *, recent_raid: bool = False, registered: bool = False) -> str:
    """A case's risk from its principal's current status: detention is the most urgent."""
    if status == LegalStatus.UNDOCUMENTED_CN:
        if recent_raid:
            return RiskLevel.CRITICAL
        if registered:
            return RiskLevel.MEDIUM
    return RISK_BY_STATUS.get(status, RiskLevel.MEDIUM)


@dataclass(frozen=True)
class Plan:
    """The shape of one household; the first few are fixed so even a tiny run shows every case."""

    path: str
    partner: bool = True
    children: int = 0
    registered: bool = False
    hukou: str | None = None


FIRST_HOUSEHOLDS = (
    Plan("hiding", children=2, hukou=EntitlementStatus.DENIED),
    Plan("detained", children=1),
    Plan("resettled_rok", children=1),
    Plan("hiding", children=1, registered=True, hukou=EntitlementStatus.GRANTED),
    Plan("repatriated", children=2, hukou=EntitlementStatus.DENIED),
    Plan("in_transit", partner=False),
)

STATUS_NOTES = {
    LegalStatus.UNDOCUMENTED_CN: (
        "Crossed the Tumen at night; has lived in hiding since.",
        "Brought across by a broker; stays indoors when strangers come to the village.",
        "Works in the fields with the partner's family; has no papers of any kind.",
        "",
    ),
    LegalStatus.DETAINED_CN: (
        "Taken in a night raid; family told to expect deportation.",
        "Held since an identity check on a bus.",
    ),
    LegalStatus.REPATRIATED: (
        "Handed over at the border; no news since.",
        "Relatives heard she was sent to a labour training camp.",
    ),
    LegalStatus.IN_TRANSIT: ("Travelling with a guide on the southern route.", ""),
    LegalStatus.UNHCR_PROTECTION: ("Registered with UNHCR; awaiting a decision.",),
    LegalStatus.ROK_PROTECTION: ("Reached a South Korean mission; transferred to Seoul.",),
    LegalStatus.RESETTLED_ROK: ("Left the settlement centre; lives in rented housing.", ""),
    LegalStatus.RESETTLED_OTHER: ("Resettled with help from a church group.",),
    LegalStatus.UNKNOWN: ("Phone disconnected; neighbours say she left the village.",),
    LegalStatus.STATELESS: ("", "Born at home; no birth certificate."),
    LegalStatus.CHILD_REGISTERED: ("Registered in the father's household.",),
}

DENIAL_NOTES = (
    "Refused: the mother is a North Korean without papers.",
    "Refused under the 2003 notice: no household registration.",
    "The office asked for the mother's ID card and a marriage certificate.",
)
PROSECUTION_NOTES = (
    "{partner} fined for illegal cohabitation with a North Korean woman.",
    "{partner} convicted of bigamy: he is still married to a Chinese wife.",
    "{partner} questioned and fined for harbouring an illegal immigrant.",
)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _years(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=round(n * 365.25))


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
