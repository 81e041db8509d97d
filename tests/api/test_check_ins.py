"""
The check-in API (issue 20): schedules are read by whoever sees the case, a check-in is recorded
by whoever may change it; nothing says whether the duress word was used, and the word itself is
never sent.
"""

import pytest

from casework import dates, services
from casework.models import CheckIn, CheckInSchedule

DURESS = "plum blossom"


@pytest.fixture
def schedule(north_case, alice):
    return services.check_in_schedule_set(
        person=north_case.people.get(),
        case=north_case,
        actor=alice,
        every_days=3,
        starts_on=dates.today(team=north_case.team),
        channel=CheckInSchedule.Channel.CALL,
        duress_word=DURESS,
    )


def test_the_caseworker_reads_and_records(schedule, alice, api):
    client = api(alice)
    assert client.get("/api/v1/check-ins/").status_code == 200
    detail = client.get(f"/api/v1/check-ins/{schedule.pk}/")
    assert detail.status_code == 200 and detail.json()["case"] == schedule.case.reference
    answer = client.post(
        f"/api/v1/check-ins/{schedule.pk}/record/", {"outcome": "safe", "word_used": DURESS}
    )
    assert answer.status_code == 201
    assert answer.json()["outcome"] == "safe" and "duress" not in answer.json()
    assert CheckIn.objects.get().duress
    again = client.get(f"/api/v1/check-ins/{schedule.pk}/").content.decode()
    assert DURESS not in again and "duress" not in again


def test_a_legal_advocate_reads_but_records_nothing(schedule, lena, api):
    client = api(lena)
    assert client.get(f"/api/v1/check-ins/{schedule.pk}/").status_code == 200
    answer = client.post(f"/api/v1/check-ins/{schedule.pk}/record/", {"outcome": "safe"})
    assert answer.status_code == 403 and not CheckIn.objects.exists()


def test_another_team_finds_nothing(schedule, charlie, api):
    client = api(charlie)
    assert client.get("/api/v1/check-ins/").json()["results"] == []
    assert client.get(f"/api/v1/check-ins/{schedule.pk}/").status_code == 404
    answer = client.post(f"/api/v1/check-ins/{schedule.pk}/record/", {"outcome": "safe"})
    assert answer.status_code == 404


def test_a_wrong_outcome_is_a_400(schedule, alice, api):
    answer = api(alice).post(f"/api/v1/check-ins/{schedule.pk}/record/", {"outcome": "fine"})
    assert answer.status_code == 400


def test_signed_out_it_is_refused(schedule, api):
    assert api().get("/api/v1/check-ins/").status_code in (401, 403)
