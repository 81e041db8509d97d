"""
Demo providers and referrals for `manage.py seed_demo` (the demo app calls it once the
caseload is built): each team's directory, one shared UNHCR contact, and a few referrals of
the demo people through the services, so consent is checked, follow-ups made and all audited.
Invented throughout: no real lawyer, clinic or school.
"""

import datetime
import random
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError

from casework.choices import MemberRole, PersonRole, Region
from casework.models import Case, CaseMember

from . import rules, services
from .choices import Language, ProviderKind, Service, Status, Urgency
from .models import Referral, ServiceProvider

# (team name, kind, name, languages, region, contact, safety note, shared)
PROVIDERS = (
    (
        "Yanbian field team",
        ProviderKind.SCHOOL,
        "Hope Korean-Chinese Primary School (invented)",
        [Language.KOREAN, Language.CHINESE],
        Region.YANBIAN,
        "Ask for the deputy head, Ms. Jin, at the side gate after 16:00.",
        "Never give the child's mother's name at the school office.",
        False,
    ),
    (
        "Yanbian field team",
        ProviderKind.CLINIC,
        "Riverside Community Clinic (invented)",
        [Language.KOREAN, Language.CHINESE],
        Region.YANBIAN,
        "Dr. Park, Tuesday and Thursday mornings; WeChat through the church contact only.",
        "Never call the clinic's landline: it is logged.",
        False,
    ),
    (
        "Yanbian field team",
        ProviderKind.LAWYER,
        "Attorney Han (invented)",
        [Language.KOREAN, Language.CHINESE, Language.ENGLISH],
        Region.JILIN,
        "Through the partner NGO's Signal group.",
        "Never call directly; never name the client in a message.",
        False,
    ),
    (
        "Shenyang field team",
        ProviderKind.SHELTER,
        "Sunflower House (invented)",
        [Language.KOREAN],
        Region.LIAONING,
        "Ring twice at the back door; the house mother answers in Korean.",
        "Arrive after dark, never in a taxi to the door.",
        False,
    ),
    (
        "Shenyang field team",
        ProviderKind.PARTNER_NGO,
        "Crossing Partners (invented)",
        [Language.KOREAN, Language.ENGLISH],
        Region.THIRD_COUNTRY,
        "Encrypted e-mail to the intake desk; replies within two days.",
        "",
        False,
    ),
    (
        "Shenyang field team",
        ProviderKind.UNHCR,
        "UNHCR regional contact (invented)",
        [Language.ENGLISH, Language.KOREAN],
        Region.THIRD_COUNTRY,
        "Only through the partner NGO's protection officer.",
        "Never contact from inside China.",
        True,
    ),
)
# What a demo referral asks for, by the kind of provider it goes to.
SERVICE_FOR = {
    ProviderKind.SCHOOL: Service.EDUCATION,
    ProviderKind.CLINIC: Service.MEDICAL,
    ProviderKind.LAWYER: Service.LEGAL,
    ProviderKind.SHELTER: Service.SHELTER,
    ProviderKind.PARTNER_NGO: Service.PROTECTION,
    ProviderKind.UNHCR: Service.PROTECTION,
}
REFERRALS_PER_TEAM = 6


def _providers(staff) -> list[ServiceProvider]:
    made = []
    for team_name, kind, name, languages, region, contact, note, shared in PROVIDERS:
        team = staff.teams[team_name]
        if ServiceProvider.objects.filter(team=team, kind=kind).exists():
            continue
        made.append(
            services.provider_create(
                team=team,
                actor=staff.supervisors[team_name],
                name=name,
                kind=kind,
                languages=[str(code) for code in languages],
                region=region,
                contact=contact,
                safety_notes=note,
                shared=shared,
            )
        )
    return made


def _move_on(referral, actor, rng, today) -> None:
    """Some referrals went further: sent, then accepted or declined, some completed."""
    steps = rng.choice(
        (
            [],
            [Status.SENT],
            [Status.SENT, Status.ACCEPTED],
            [Status.SENT, Status.ACCEPTED, Status.COMPLETED],
            [Status.SENT, Status.DECLINED],
        )
    )
    day = referral.referred_on
    for status in steps:
        day = min(day + datetime.timedelta(days=rng.randint(1, 10)), today)
        outcome = None
        if status == Status.COMPLETED:
            outcome = "Seen as planned; the family was told what comes next."
        elif status == Status.DECLINED:
            outcome = "No place this month; asked to try again in the spring."
        referral = services.referral_status_change(
            referral=referral, status=status, changed_on=day, outcome=outcome, actor=actor
        )


def seed_referrals(*, rng: random.Random, staff, today: datetime.date) -> Counter:
    """The demo directory and referrals; nothing is added where referrals already exist."""
    made = Counter()
    made["service providers"] = len(_providers(staff))
    if Referral.objects.exists():
        return made
    for team in staff.teams.values():
        providers = list(ServiceProvider.objects.filter(team=team, active=True)) + list(
            ServiceProvider.objects.filter(shared=True).exclude(team=team)
        )
        cases = list(Case.objects.filter(team=team, owner__isnull=False).order_by("reference")[:60])
        rng.shuffle(cases)
        referred = 0
        for case in cases:
            if referred >= REFERRALS_PER_TEAM:
                break
            members = list(CaseMember.objects.filter(case=case).select_related("person"))
            for member in members:
                person = member.person
                wanted = [
                    p
                    for p in providers
                    if (p.kind == ProviderKind.SCHOOL) == (person.role == PersonRole.CHILD)
                    and not rules.missing_scopes(person, p.kind)
                ]
                if not wanted or (
                    member.role != MemberRole.PRINCIPAL and person.role != PersonRole.CHILD
                ):
                    continue
                provider = rng.choice(wanted)
                referred_on = max(
                    case.opened_on, today - datetime.timedelta(days=rng.randint(5, 120))
                )
                try:
                    referral = services.referral_create(
                        case=case,
                        person=person,
                        provider=provider,
                        service=SERVICE_FOR.get(provider.kind, Service.OTHER),
                        referred_on=referred_on,
                        urgency=rng.choice(list(Urgency)),
                        actor=case.owner,
                    )
                except (ValidationError, PermissionDenied):
                    # A child born after that day, an owner who left the team: another one.
                    continue
                _move_on(referral, case.owner, rng, today)
                referred += 1
                made["referrals"] += 1
                break
    return made
