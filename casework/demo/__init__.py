"""
The demo caseload behind `manage.py seed_demo`: staff, two field teams and invented households
like those the 2003-2005 policy papers describe. North Korean women live with Chinese men
without a registered marriage; their children are refused household registration and with it
kindergarten, school and medical care; there are raids, arrests, detention and deportation,
partners prosecuted for "illegal cohabitation" or bigamy, and some who reached South Korea.

Every name, place and contact is invented and goes through the encrypted fields like real data.
Everything random comes from the one `random.Random` handed in, so a seed always gives the same
names, counts and structure; primary keys, references and encryption nonces are fresh each run.
Rows are written with `bulk_create` in batches, one transaction per batch, and never through the
per-row services: a demo caseload is not a history of caseworkers' actions to audit.

The package: staff (teams, accounts, authenticators), names and places (the invented material),
paths (how a household's statuses unfold), caseload (the rows, saved and deleted in batches),
builder (the generator), with people and records (a household's people, its case and records).
Every public name is importable from `casework.demo`, as seed_demo, demo_code and the tests do.
"""

from .builder import DEFAULT_BATCH_SIZE, DEFAULT_PEOPLE, DEFAULT_SEED, CaseloadBuilder
from .caseload import (
    CASELOAD_MODELS,
    WRITTEN_DOWN_ON,
    Child,
    Household,
    IncidentPerson,
    Rows,
    caseload_exists,
    count_label,
    reset_caseload,
)
from .names import (
    CHINESE_BOY_GIVEN,
    CHINESE_FEMALE_GIVEN,
    CHINESE_GIRL_GIVEN,
    CHINESE_MALE_GIVEN,
    CHINESE_SURNAMES,
    KOREAN_FEMALE_SYLLABLES,
    KOREAN_MALE_SYLLABLES,
    KOREAN_SURNAMES,
)
from .paths import (
    DENIAL_NOTES,
    FIRST_HOUSEHOLDS,
    LEFT_CHINA,
    PATHS,
    PROSECUTION_NOTES,
    RISK_BY_STATUS,
    STATUS_COUNTRY,
    STATUS_NOTES,
    STATUS_REGION,
    STEP_DAYS,
    Plan,
    risk_level,
)
from .places import (
    CHINESE_REGIONS,
    DPRK_ORIGINS,
    JILIN_TOWNS,
    OTHER_HOMES,
    ROK_HOMES,
    ROK_PROTECTION_PLACES,
    TRANSIT_PLACES,
    VILLAGES,
    ChineseRegion,
)
from .staff import (
    DEMO_PASSWORD,
    SHENYANG,
    STAFF,
    TEAMS,
    YANBIAN,
    DemoTeam,
    DemoUser,
    Role,
    Staff,
    demo_authenticator,
    demo_code,
    demo_totp_key,
    ensure_staff,
)

__all__ = [
    "CASELOAD_MODELS",
    "CHINESE_BOY_GIVEN",
    "CHINESE_FEMALE_GIVEN",
    "CHINESE_GIRL_GIVEN",
    "CHINESE_MALE_GIVEN",
    "CHINESE_REGIONS",
    "CHINESE_SURNAMES",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_PEOPLE",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DENIAL_NOTES",
    "DPRK_ORIGINS",
    "FIRST_HOUSEHOLDS",
    "JILIN_TOWNS",
    "KOREAN_FEMALE_SYLLABLES",
    "KOREAN_MALE_SYLLABLES",
    "KOREAN_SURNAMES",
    "LEFT_CHINA",
    "OTHER_HOMES",
    "PATHS",
    "PROSECUTION_NOTES",
    "RISK_BY_STATUS",
    "ROK_HOMES",
    "ROK_PROTECTION_PLACES",
    "SHENYANG",
    "STAFF",
    "STATUS_COUNTRY",
    "STATUS_NOTES",
    "STATUS_REGION",
    "STEP_DAYS",
    "TEAMS",
    "TRANSIT_PLACES",
    "VILLAGES",
    "WRITTEN_DOWN_ON",
    "YANBIAN",
    "CaseloadBuilder",
    "Child",
    "ChineseRegion",
    "DemoTeam",
    "DemoUser",
    "Household",
    "IncidentPerson",
    "Plan",
    "Role",
    "Rows",
    "Staff",
    "caseload_exists",
    "count_label",
    "demo_authenticator",
    "demo_code",
    "demo_totp_key",
    "ensure_staff",
    "reset_caseload",
    "risk_level",
]
