"""
The reports' known caseload (`tests.scenarios.known_caseload`, January to June 2025), built once
for each test module: the reports only read it, and what a test adds is undone after it.
"""

import copy

import pytest

from reports.tables import Filters

from ..conftest import built_once_per_module
from ..factories import TeamFactory
from ..scenarios import D, known_caseload, persona

PERIOD = Filters(date_from=D(2025, 1, 1), date_to=D(2025, 6, 30))


def _build():
    alice, charlie = persona("alice"), persona("charlie")
    persona("sue")  # North's supervisor, who reads every North case
    return known_caseload(
        north=TeamFactory(name="North"),
        south=TeamFactory(name="South"),
        alice=alice,
        charlie=charlie,
    )


@pytest.fixture(scope="module")
def _built_caseload(django_db_setup, django_db_blocker, module_media):
    yield from built_once_per_module(_build, django_db_blocker, module_media)


@pytest.fixture
def caseload(_built_caseload, db):
    return copy.deepcopy(_built_caseload)
