"""`manage.py seed_demo`: a realistic, repeatable demo caseload and logins that work."""

import datetime
import io
import os
import shutil
import subprocess
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Team, TeamMembership, User
from casework import dates
from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    LegalStatus,
    Nationality,
    NoteKind,
    PersonRole,
    RelationshipKind,
    RiskLevel,
)
from casework.models import (
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    NameKey,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from demo.staff import DEMO_PASSWORD, SHENYANG, STAFF, YANBIAN

from ..conftest import require

SMALL = "30"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo password is hashed once per run; at full PBKDF2 strength that is most of a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """What a seed must reproduce: decrypted names, the coarse facts of each person, the counts."""
    people = list(Person.objects.all())
    return {
        "names": sorted(p.full_name for p in people),
        "aliases": sorted(a.name for a in PersonAlias.objects.all()),
        "people": sorted(
            (p.role, p.sex, p.nationality, p.region, p.birth_year, str(p.date_of_birth))
            for p in people
        ),
        "statuses": Counter(LegalStatusRecord.objects.values_list("status", flat=True)),
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                Person,
                Relationship,
                LegalStatusRecord,
                Entitlement,
                Case,
                Incident,
                Task,
            )
        },
    }


@pytest.mark.django_db
def test_it_creates_households_with_their_history():
    """Children have two parents born before them; statuses, cases and tasks are as a caseworker
    would find them."""
    output = seed("--people", SMALL)

    people = {p.pk: p for p in Person.objects.all()}
    assert len(people) >= int(SMALL)
    assert "Person" in output and "Demo logins" in output

    parents = defaultdict(list)
    for tie in Relationship.objects.filter(kind=RelationshipKind.PARENT_OF):
        parents[tie.to_person_id].append(people[tie.from_person_id])
    children = [p for p in people.values() if p.role == PersonRole.CHILD]
    assert children
    for child in children:
        assert len(parents[child.pk]) == 2
        assert {p.role for p in parents[child.pk]} == {PersonRole.REFUGEE, PersonRole.PARTNER}
        assert all(p.date_of_birth < child.date_of_birth for p in parents[child.pk])

    couples = Relationship.objects.exclude(kind=RelationshipKind.PARENT_OF)
    assert couples.filter(kind=RelationshipKind.PARTNER_OF, marriage_registered=False).exists()
    assert all(people[c.to_person_id].nationality == Nationality.PRC for c in couples)

    open_statuses = Counter(
        LegalStatusRecord.objects.filter(effective_to__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    for person in people.values():
        expected = 0 if person.role == PersonRole.PARTNER else 1
        assert open_statuses[person.pk] == expected, person.role
    current = set(
        LegalStatusRecord.objects.filter(effective_to__isnull=True).values_list("status", flat=True)
    )
    assert LegalStatus.DETAINED_CN in current
    assert current & {LegalStatus.RESETTLED_ROK, LegalStatus.RESETTLED_OTHER}

    for case in Case.objects.select_related("team", "owner"):
        workers = CaseAssignment.objects.filter(case=case, role="caseworker")
        assert [a.user for a in workers] == [case.owner]
        assert TeamMembership.objects.filter(
            user=case.owner, team=case.team, role=TeamMembership.Role.CASEWORKER
        ).exists()
        principal = CaseMember.objects.get(case=case, role="principal").person
        status = principal.status_records.get(effective_to__isnull=True).status
        if status == LegalStatus.DETAINED_CN:
            assert case.risk_level == RiskLevel.CRITICAL
    overdue = Task.objects.filter(completed_at__isnull=True, due_on__lt=timezone.localdate())
    assert overdue.exists()
    assert Incident.objects.filter(kind="detention").exists()
    assert Incident.objects.filter(kind="benefit_denied").exists()
    # Every case starts with the visit that opened it; the other notes are of its open days.
    for note in CaseNote.objects.select_related("case"):
        assert note.case.opened_on <= note.contacted_on <= (note.case.closed_on or dates.today())
    kinds = set(CaseNote.objects.values_list("kind", flat=True))
    assert {NoteKind.VISIT, NoteKind.CALL} <= kinds
    assert CaseNote.objects.values("case").distinct().count() == Case.objects.count()


@pytest.mark.django_db
def test_children_without_hukou_are_denied_every_benefit():
    """A child refused household registration is refused kindergarten, school and care too;
    a registered child is granted them."""
    seed("--people", SMALL)

    seen = Counter()
    for child in Person.objects.filter(role=PersonRole.CHILD):
        records = list(child.entitlements.all())
        hukou = next(e for e in records if e.kind == EntitlementKind.HOUSEHOLD_REGISTRATION)
        others = {e.status for e in records if e is not hukou}
        if hukou.status == EntitlementStatus.GRANTED:
            assert others <= {EntitlementStatus.GRANTED}
            assert child.nationality == Nationality.PRC
            assert child.status_records.get(effective_to__isnull=True).status == (
                LegalStatus.CHILD_REGISTERED
            )
        else:
            assert others <= {EntitlementStatus.DENIED}
            assert child.nationality != Nationality.PRC
        seen[hukou.status] += 1
    assert seen[EntitlementStatus.DENIED] and seen[EntitlementStatus.GRANTED]


@pytest.mark.django_db
def test_demo_logins_work(rf):
    """Every demo account logs in with the documented password and has its team and role."""
    output = seed("--people", "5")

    assert DEMO_PASSWORD in output
    assert len(DEMO_PASSWORD) >= 12
    assert set(Team.objects.values_list("name", flat=True)) >= {YANBIAN, SHENYANG}
    for spec in STAFF:
        assert spec.username in output
        request = rf.post("/accounts/login/")
        user = authenticate(request, username=spec.username, password=DEMO_PASSWORD)
        assert user is not None and user.username == spec.username
    assert User.objects.get(username="admin").is_superuser
    roles = Counter(TeamMembership.objects.values_list("team__name", "role"))
    for team in (YANBIAN, SHENYANG):
        assert roles[(team, TeamMembership.Role.SUPERVISOR)] == 1
        assert roles[(team, TeamMembership.Role.CASEWORKER)] >= 2
        assert roles[(team, TeamMembership.Role.LEGAL_ADVOCATE)] == 1


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_caseload():
    """Two runs with one seed give the same names, people and counts; another seed does not."""
    seed("--seed", "11", "--people", SMALL)
    first = snapshot()
    first_references = set(Person.objects.values_list("reference", flat=True))

    seed("--seed", "11", "--people", SMALL, "--reset")
    assert snapshot() == first
    assert not first_references & set(Person.objects.values_list("reference", flat=True))

    seed("--seed", "12", "--people", SMALL, "--reset")
    assert snapshot()["names"] != first["names"]


@pytest.mark.django_db
def test_running_it_again_keeps_what_is_there():
    """A second run without --reset creates no users, teams or people, and says why."""
    seed("--people", SMALL)
    before = (User.objects.count(), Team.objects.count(), Person.objects.count())
    User.objects.get(username="advocate").delete()

    output = seed("--people", SMALL)

    assert "already exists" in output
    assert (User.objects.count(), Team.objects.count(), Person.objects.count()) == before
    assert TeamMembership.objects.filter(user__username="advocate").count() == 2


@pytest.mark.django_db
def test_people_scales_the_caseload():
    """--people sets the size: about that many people, every one in exactly one case."""
    seed("--people", "120", "--batch-size", "25")

    total = Person.objects.count()
    assert 120 <= total < 120 + 6
    assert CaseMember.objects.count() == total
    assert CaseMember.objects.values("person").distinct().count() == total


@pytest.mark.django_db
def test_it_refuses_to_run_in_production(settings):
    """Published passwords and invented people never reach a production database."""
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed("--people", "5")
    assert not User.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_names_places_or_contacts():
    """pg_dump of a seeded database shows references and ciphertext, never what they hide."""
    require(shutil.which("pg_dump") is not None, "pg_dump is not installed")
    seed("--people", SMALL)
    secrets = set()
    for person in Person.objects.all():
        secrets |= {
            person.full_name,
            person.place_of_origin,
            person.current_location,
            person.contact,
        }
    secrets |= {alias.name for alias in PersonAlias.objects.all()}
    secrets.discard("")
    references = list(Person.objects.values_list("reference", flat=True))

    db = connection.settings_dict
    command = ["pg_dump", "--no-owner", "-d", db["NAME"], "-U", db["USER"] or "postgres"]
    if db["HOST"]:
        command += ["-h", db["HOST"]]
    if db["PORT"]:
        command += ["-p", str(db["PORT"])]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    dump = subprocess.run(command, capture_output=True, check=True, env=env).stdout.decode()

    assert all(reference in dump for reference in references)
    assert "v1:" in dump
    leaked = sorted(value for value in secrets if value in dump)
    assert leaked == []


@pytest.mark.django_db
def test_demo_accounts_pass_the_second_step_with_the_printed_code():
    """`demo_code` prints the code the demo account's authenticator would show now."""
    from django_otp import match_token

    output = seed("--people", "5")
    assert "demo_code" in output
    for spec in STAFF:
        printed = io.StringIO()
        call_command("demo_code", spec.username, stdout=printed)
        code = printed.getvalue().strip()
        assert len(code) == 6 and code.isdigit()
        user = User.objects.get(username=spec.username)
        assert match_token(user, code) is not None


@pytest.mark.django_db
def test_every_demo_person_has_a_consent_and_the_first_households_may_be_named():
    """Briefs can name the first households; later households answer as real people do."""
    from consent.checks import allows, current_consent

    seed("--people", SMALL)
    people = list(Person.objects.order_by("created_at"))
    assert all(current_consent(person) is not None for person in people)
    first_case = Case.objects.order_by("created_at").first()
    for member in first_case.members.select_related("person"):
        assert allows(member.person, "named_in_documents")
    assert not all(allows(person, "named_in_documents") for person in people)


@pytest.mark.django_db
def test_demo_teams_can_send_documents_to_the_un_and_partners():
    """
    Each demo team has a submitting organisation and a confidential contact, so the demo can
    make a document for the UN or a partner lawyer; a team seeded before contacts existed gets
    them, and one an administrator set keeps hers.
    """
    from legal_aid.documents import formats

    Team.objects.create(name=YANBIAN)
    Team.objects.create(name=SHENYANG, organisation="Set by the admin", confidential_contact="x")
    seed("--people", "5")
    yanbian, shenyang = Team.objects.get(name=YANBIAN), Team.objects.get(name=SHENYANG)
    assert yanbian.organisation and "demo.shimteo.example" in yanbian.confidential_contact
    assert (shenyang.organisation, shenyang.confidential_contact) == ("Set by the admin", "x")
    for team in (yanbian, shenyang):
        for recipient_format in formats.NEEDS_CONTACT:
            for language in ("en", "ko", "zh-hans"):
                assert not formats.needs_contact(recipient_format, team, language)
    # Korean and Chinese documents print the demo network's name in their language (QA: they
    # printed it in English); the one an administrator named keeps her name in every language.
    assert yanbian.cover_in("ko")[0] == "쉼터 시범 네트워크(가상)"
    assert "연변 보호 담당" in yanbian.cover_in("ko")[1]
    assert (
        yanbian.cover_in("zh-hans")[0] == "Shimteo \u793a\u8303\u7f51\u7edc\uff08\u865a\u6784\uff09"
    )
    assert yanbian.cover_in("en")[0] == "Shimteo demo network (fictional)"
    assert shenyang.cover_in("ko") == ("Set by the admin", "x")


@pytest.mark.django_db
def test_no_household_gives_two_children_one_name():
    """QA found a demo family with two daughters called 欣怡: a mother does not give two of her
    children one name, in Chinese or in the Korean she calls them by. Over a caseload of a few
    hundred households (built in memory, as seed_demo builds each batch), every child of a
    household has a name and an alias of their own."""
    import random

    from demo.builder import CaseloadBuilder
    from demo.caseload import Rows
    from demo.staff import ensure_staff

    builder = CaseloadBuilder(
        rng=random.Random(7), staff=ensure_staff(), today=timezone.localdate()
    )
    rows = Rows()
    while rows.people < 1500:
        builder.household(rows)

    people = {p.pk: p for p in rows.by_model[Person]}
    aliases = defaultdict(list)
    for alias in rows.by_model[PersonAlias]:
        aliases[alias.person_id].append(alias.name)
    children_of = defaultdict(list)
    for tie in rows.by_model[Relationship]:
        if tie.kind == RelationshipKind.PARENT_OF and people[tie.from_person_id].role == "refugee":
            children_of[tie.from_person_id].append(people[tie.to_person_id])
    families = [kids for kids in children_of.values() if len(kids) > 1]
    assert len(families) > 100
    for kids in families:
        names = [kid.full_name for kid in kids]
        assert len(set(names)) == len(names), names
        korean = [name for kid in kids for name in aliases[kid.pk]]
        assert len(set(korean)) == len(korean), korean


@pytest.mark.django_db
def test_seeded_name_keys_are_those_the_reindex_computes():
    """
    The seed writes each person's name keys with the people (not by re-indexing afterwards):
    they are exactly the keys `name_keys_reindex` would write, so the two cannot drift, and a
    person is found by another spelling of her name, decrypted, by her team's supervisor.
    """
    from casework.names.korean import romanise_rr, split_hangul
    from casework.selectors import people_search
    from casework.services.names import name_keys_reindex

    seed("--people", SMALL)

    people = Person.objects.count()
    assert NameKey.objects.values("person").distinct().count() == people
    assert NameKey.objects.filter(alias__isnull=False).exists()
    report = name_keys_reindex(dry_run=True)
    assert (report.people, report.stale, report.failures) == (people, 0, [])

    case = Case.objects.select_related("team").order_by("reference").first()
    principal = CaseMember.objects.get(case=case, role="principal").person
    family, given = split_hangul(principal.full_name)
    spelled = f"{romanise_rr(family).capitalize()} {romanise_rr(given).capitalize()}"
    supervisor = User.objects.get(
        team_memberships__team=case.team,
        team_memberships__role=TeamMembership.Role.SUPERVISOR,
    )
    found = people_search(user=supervisor, name=spelled, limit=500)
    assert principal.pk in {person.pk for person in found.people}
    match = next(person for person in found.people if person.pk == principal.pk)
    assert match.full_name == principal.full_name and match.current_location


@pytest.mark.django_db
def test_records_are_written_down_on_the_day_they_happened():
    """A status, a benefit and an incident were recorded the day they took effect, not today."""
    seed("--people", SMALL)

    for model, day in ((LegalStatusRecord, "effective_from"), (Incident, "occurred_on")):
        for record in model.objects.all():
            recorded = timezone.localtime(record.recorded_at, datetime.UTC)
            assert (recorded.date(), recorded.time()) == (getattr(record, day), datetime.time())
    for benefit in Entitlement.objects.all():
        assert benefit.recorded_at.astimezone(datetime.UTC).date() == benefit.as_of


@pytest.mark.django_db
def test_reset_keeps_what_a_row_delete_would_keep():
    """
    --reset empties the caseload (by TRUNCATE on PostgreSQL); an intake that pointed at a
    deleted person is kept, as the row deletes keep it, and staff and teams stay.
    """
    from intake.models import IntakeSubmission

    seed("--people", SMALL)
    staff = (User.objects.count(), Team.objects.count())
    seed("--people", SMALL, "--reset")
    assert Person.objects.count() >= int(SMALL)
    assert NameKey.objects.exists()
    assert (User.objects.count(), Team.objects.count()) == staff

    case = Case.objects.first()
    IntakeSubmission.objects.create(
        owner=User.objects.get(username="yanbian.caseworker1"),
        team=Team.objects.get(name=YANBIAN),
        case=case,
    )
    seed("--people", SMALL, "--reset")
    submission = IntakeSubmission.objects.get()
    assert submission.case_id is None
    assert not Case.objects.filter(pk=case.pk).exists()
