"""
Fixtures for the legal library. The corpus itself is loaded by the app's data migration, so every
test database already holds it.
"""

import datetime

import pytest

from casework.choices import EntitlementKind, EntitlementStatus, MemberRole, PersonRole
from casework.models import Entitlement

from ..factories import CaseMemberFactory, PersonFactory


@pytest.fixture
def child_denied_hukou(north_case, alice):
    """A child in alice's case whose household registration was refused."""
    child = PersonFactory(
        role=PersonRole.CHILD, birth_year=2012, date_of_birth=datetime.date(2012, 3, 1)
    )
    CaseMemberFactory(case=north_case, person=child, role=MemberRole.CHILD)
    Entitlement.objects.create(
        person=child,
        kind=EntitlementKind.HOUSEHOLD_REGISTRATION,
        status=EntitlementStatus.DENIED,
        as_of=datetime.date(2019, 9, 1),
        recorded_by=alice,
    )
    return child
