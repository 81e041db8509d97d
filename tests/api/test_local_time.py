"""The API writes times in its reader's own zone, with the offset, whether signed in by token or session."""

import datetime

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from casework.models import CaseNote

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

WRITTEN = datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC)


@pytest.fixture
def note(north_case, alice):
    note = CaseNote.objects.create(case=north_case, author=alice, kind="visit", body="Called")
    CaseNote.objects.filter(pk=note.pk).update(created_at=WRITTEN)
    return note


def _token_client(user) -> APIClient:
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize("signed_in", ["token", "session"])
def test_times_are_in_the_users_own_zone(alice, note, signed_in):
    """Alice chose Seoul: 02:30 UTC is 11:30 at +09:00, by token as on her pages."""
    alice.time_zone = "Asia/Seoul"
    alice.save(update_fields=["time_zone"])
    client = _token_client(alice) if signed_in == "token" else sign_in(APIClient(), alice)
    body = client.get(f"/api/v1/notes/{note.pk}/").json()
    assert body["created_at"] == "2026-03-01T11:30:00+09:00"


def test_times_follow_the_team_when_the_user_chose_none(alice, note, team_north):
    """With no zone of her own, Alice reads her team's zone."""
    team_north.time_zone = "Asia/Bangkok"
    team_north.save(update_fields=["time_zone"])
    body = _token_client(alice).get(f"/api/v1/notes/{note.pk}/").json()
    assert body["created_at"] == "2026-03-01T09:30:00+07:00"
