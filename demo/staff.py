"""
The demo teams and their staff, with the authenticators behind `manage.py demo_code`.
"""

import base64
import hashlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.oath import totp

from accounts.models import Team, TeamMembership, TOTPDevice, User
from casework.choices import Region

# Published in the README and printed by the command: demo accounts only, never real data.
DEMO_PASSWORD = "shimteo-demo-2026"  # noqa: S105

Role = TeamMembership.Role
YANBIAN = "Yanbian field team"
SHENYANG = "Shenyang field team"


@dataclass(frozen=True)
class DemoTeam:
    name: str
    description: str
    regions: tuple[str, ...]
    # Printed on the cover of a document for the UN or a partner lawyer, which is refused
    # without a contact (legal_aid.documents.formats.recipients.NEEDS_CONTACT). Fictional, like
    # all demo data.
    organisation: str = "Shimteo demo network (fictional)"
    contact: str = ""
    # As Korean and Chinese documents print them.
    organisation_ko: str = "쉼터 시범 네트워크(가상)"
    organisation_zh_hans: str = "Shimteo \u793a\u8303\u7f51\u7edc\uff08\u865a\u6784\uff09"
    contact_ko: str = ""
    contact_zh_hans: str = ""

    @property
    def cover(self) -> dict:
        """The team's fields printed on a document's cover, in every language."""
        return {
            "organisation": self.organisation,
            "confidential_contact": self.contact,
            "organisation_ko": self.organisation_ko,
            "organisation_zh_hans": self.organisation_zh_hans,
            "confidential_contact_ko": self.contact_ko,
            "confidential_contact_zh_hans": self.contact_zh_hans,
        }


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    language: str
    memberships: tuple[tuple[str, str], ...] = ()
    superuser: bool = False
    # At most this many of the team's cases, whatever the size of the demo: the caseload a
    # caseworker really holds (a few dozen), where the others share the whole team's between
    # them (7,600 each at 100,000 people) and so are a team's worth of cases to search.
    caseload: int | None = None

    @property
    def role_label(self) -> str:
        if self.superuser:
            return "administrator (superuser, Django admin)"
        labels = [f"{Role(role).label.lower()}, {team}" for team, role in self.memberships]
        return "; ".join(labels)


TEAMS = (
    DemoTeam(
        YANBIAN,
        "Households in the Yanbian Korean Autonomous Prefecture, the rest of Jilin and in "
        "Heilongjiang.",
        (Region.JILIN, Region.HEILONGJIANG),
        contact="Protection desk, Yanbian: legal-desk-yb@demo.shimteo.example (encrypted mail)",
        contact_ko="연변 보호 담당: legal-desk-yb@demo.shimteo.example (암호화 메일)",
        contact_zh_hans="\u5ef6\u8fb9\u4fdd\u62a4\u8054\u7edc\u5904\uff1a"
        "legal-desk-yb@demo.shimteo.example\uff08\u52a0\u5bc6\u90ae\u4ef6\uff09",
    ),
    DemoTeam(
        SHENYANG,
        "Households in Liaoning, along the Yalu, and further inland.",
        (Region.LIAONING, Region.SHANDONG),
        contact="Protection desk, Shenyang: legal-desk-sy@demo.shimteo.example (encrypted mail)",
        contact_ko="선양 보호 담당: legal-desk-sy@demo.shimteo.example (암호화 메일)",
        contact_zh_hans="\u6c88\u9633\u4fdd\u62a4\u8054\u7edc\u5904\uff1a"
        "legal-desk-sy@demo.shimteo.example\uff08\u52a0\u5bc6\u90ae\u4ef6\uff09",
    ),
)

STAFF = (
    DemoUser("admin", "Demo", "Administrator", "en", superuser=True),
    DemoUser("yanbian.supervisor", "Yanbian", "Supervisor", "ko", ((YANBIAN, Role.SUPERVISOR),)),
    DemoUser("yanbian.caseworker1", "Yanbian", "Caseworker 1", "ko", ((YANBIAN, Role.CASEWORKER),)),
    DemoUser("yanbian.caseworker2", "Yanbian", "Caseworker 2", "ko", ((YANBIAN, Role.CASEWORKER),)),
    DemoUser("yanbian.caseworker3", "Yanbian", "Caseworker 3", "en", ((YANBIAN, Role.CASEWORKER),)),
    DemoUser(
        "yanbian.caseworker4",
        "Yanbian",
        "Caseworker 4",
        "ko",
        ((YANBIAN, Role.CASEWORKER),),
        caseload=40,
    ),
    DemoUser(
        "shenyang.supervisor", "Shenyang", "Supervisor", "zh-hans", ((SHENYANG, Role.SUPERVISOR),)
    ),
    DemoUser(
        "shenyang.caseworker1",
        "Shenyang",
        "Caseworker 1",
        "zh-hans",
        ((SHENYANG, Role.CASEWORKER),),
    ),
    DemoUser(
        "shenyang.caseworker2", "Shenyang", "Caseworker 2", "ko", ((SHENYANG, Role.CASEWORKER),)
    ),
    DemoUser(
        "advocate",
        "Demo",
        "Legal Advocate",
        "en",
        ((YANBIAN, Role.LEGAL_ADVOCATE), (SHENYANG, Role.LEGAL_ADVOCATE)),
    ),
)


@dataclass
class Staff:
    """The demo teams and their people, as the caseload generator needs them."""

    teams: dict[str, Team]
    supervisors: dict[str, User]
    caseworkers: dict[str, list[User]]
    advocates: list[User]
    # By team, the caseworkers who hold at most a few cases (`DemoUser.caseload`), with it.
    few_cases: dict[str, list[tuple[User, int]]] = field(default_factory=dict)
    created_users: int = 0
    created_teams: int = 0


def ensure_staff() -> Staff:
    """Create whatever demo teams, users and memberships are missing; never change existing ones
    (but for a team's blank organisation and contacts)."""
    with transaction.atomic():
        teams, created_teams = {}, 0
        for spec in TEAMS:
            team, created = Team.objects.get_or_create(
                name=spec.name,
                defaults={"description": spec.description, **spec.cover},
            )
            # A demo database seeded before teams had a contact, or one in Korean and Chinese:
            # filled once, never overwriting what an administrator set (nor printing the demo's
            # name in Korean beside the one she chose).
            ours = not (team.organisation or team.confidential_contact) or (
                team.organisation == spec.organisation
            )
            blank = [field for field in spec.cover if not getattr(team, field)] if ours else []
            if not created and blank:
                for field in blank:
                    setattr(team, field, spec.cover[field])
                team.save(update_fields=blank)
            teams[spec.name] = team
            created_teams += created
        users = {
            u.username: u for u in User.objects.filter(username__in=[s.username for s in STAFF])
        }
        missing = [spec for spec in STAFF if spec.username not in users]
        # Hashed once: every demo account shares the published password, so one salt is enough.
        password = make_password(DEMO_PASSWORD) if missing else ""
        for spec in missing:
            users[spec.username] = User.objects.create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.shimteo.example",
                preferred_language=spec.language,
                is_staff=spec.superuser,
                is_superuser=spec.superuser,
                password=password,
            )
        for spec in STAFF:
            demo_authenticator(users[spec.username])
            for team_name, role in spec.memberships:
                TeamMembership.objects.get_or_create(
                    user=users[spec.username], team=teams[team_name], defaults={"role": role}
                )
    memberships = TeamMembership.objects.filter(team__in=teams.values()).select_related(
        "user", "team"
    )
    supervisors, caseworkers, advocates = {}, {name: [] for name in teams}, {}
    caseloads = {spec.username: spec.caseload for spec in STAFF if spec.caseload}
    few_cases: dict[str, list[tuple[User, int]]] = {}
    for membership in memberships.order_by("user__username"):
        if membership.role == Role.SUPERVISOR:
            supervisors.setdefault(membership.team.name, membership.user)
        elif membership.user.username in caseloads:
            few_cases.setdefault(membership.team.name, []).append(
                (membership.user, caseloads[membership.user.username])
            )
        elif membership.role == Role.CASEWORKER:
            caseworkers[membership.team.name].append(membership.user)
        else:
            advocates[membership.user.username] = membership.user
    for name, workers in caseworkers.items():
        if not workers:
            raise ValueError(f"The demo team {name!r} has no caseworker.")
    return Staff(
        teams=teams,
        supervisors=supervisors,
        caseworkers=caseworkers,
        advocates=list(advocates.values()),
        few_cases=few_cases,
        created_users=len(missing),
        created_teams=created_teams,
    )


def demo_totp_key(username: str) -> str:
    """A demo account's authenticator secret (hex), derived from its published username."""
    return hashlib.sha256(f"shimteo-demo-authenticator:{username}".encode()).hexdigest()[:40]


def demo_authenticator(user: User) -> TOTPDevice:
    """
    Give a demo account a confirmed authenticator with a published secret, so that a demo can be
    tried without enrolling a phone (`manage.py demo_code <username>` prints the current code).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="demo authenticator", key=demo_totp_key(user.username), confirmed=True
    )


def demo_code(username: str) -> tuple[str, str]:
    """The current six-digit code of a demo account, and its secret in base32 for an app."""
    # The secret is encrypted, so it is compared here rather than in the query.
    devices = TOTPDevice.objects.filter(user__username=username, confirmed=True)
    device = next((d for d in devices if d.key == demo_totp_key(username)), None)
    if device is None:
        raise TOTPDevice.DoesNotExist(f"{username} has no demo authenticator.")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}", base64.b32encode(device.bin_key).decode()
