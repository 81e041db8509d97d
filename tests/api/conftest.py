"""
Fixtures of the API tests: signed-in API clients for the personas, a legal advocate, and a case
of team South for charlie, so that each list shows one team's records and not the other's.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ..conftest import sign_in
from ..factories import (
    AssignmentFactory,
    CaseFactory,
    CaseMemberFactory,
)


@pytest.fixture
def api():
    """`api(user)`: an API client signed in as `user` with both factors (`api(None)`: anonymous)."""

    def client_for(user=None):
        client = APIClient()
        return client if user is None else sign_in(client, user)

    return client_for


@pytest.fixture
def north_person(north_case):
    return north_case.members.get().person


@pytest.fixture
def south_case(team_south, charlie):
    """A case of team South assigned to charlie, with one member."""
    case = CaseFactory(team=team_south, owner=charlie)
    AssignmentFactory(case=case, user=charlie)
    CaseMemberFactory(case=case)
    return case


@pytest.fixture
def south_person(south_case):
    return south_case.members.get().person


def query_count(client, url) -> int:
    """How many queries one GET of `url` takes (and it must succeed)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]
