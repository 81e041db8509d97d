"""factory_boy factories for the people of a demo NGO and their cases."""

import datetime

import factory

from accounts.models import Team, TeamMembership, User
from casework import choices
from casework.models import Case, CaseAssignment, CaseMember, Person

DEFAULT_PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@ngo.example")
    password = factory.django.Password(DEFAULT_PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    # A document for the UN or a partner lawyer is refused without one (legal_aid.services).
    confidential_contact = "protection desk, secure line on request"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = TeamMembership.Role.CASEWORKER


class AdvocateFactory(UserFactory):
    """
    A legal advocate of the "Legal aid" team, not of the team whose case is shared with them: a
    share counts only while its advocate holds a legal-advocate membership (casework.querysets).
    """

    advocacy = factory.RelatedFactory(
        MembershipFactory,
        factory_related_name="user",
        team=factory.SubFactory(TeamFactory, name="Legal aid"),
        role=TeamMembership.Role.LEGAL_ADVOCATE,
    )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"김순희{n}")
    role = choices.PersonRole.REFUGEE
    sex = choices.Sex.FEMALE
    nationality = choices.Nationality.DPRK
    region = choices.Region.JILIN
    date_of_birth = datetime.date(1984, 5, 17)
    birth_year = 1984
    place_of_origin = "Hoeryong, North Hamgyong"
    current_location = "Yanji, Jilin"
    contact = factory.Sequence(lambda n: f"+86 138 0000 {n:04d}")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    team = factory.SubFactory(TeamFactory)
    risk_level = choices.RiskLevel.MEDIUM


class CaseMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseMember

    case = factory.SubFactory(CaseFactory)
    person = factory.SubFactory(PersonFactory)
    role = choices.MemberRole.PRINCIPAL


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseAssignment

    case = factory.SubFactory(CaseFactory)
    user = factory.SubFactory(UserFactory)
    role = choices.AssignmentRole.CASEWORKER
