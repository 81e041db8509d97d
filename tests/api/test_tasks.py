"""/api/v1/tasks/: follow-ups on a case, and completing them."""

import datetime

import pytest

from casework.models import Task

from .conftest import query_count, results

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks/"


@pytest.fixture
def task(north_case, alice):
    return Task.objects.create(
        case=north_case,
        title="Visit the school",
        due_on=datetime.date(2030, 1, 1),
        assignee=alice,
        created_by=alice,
    )


def detail(task) -> str:
    return f"{URL}{task.pk}/"


def test_it_lists_filters_and_retrieves(api, alice, task, north_case):
    """Follow-ups filter by case, assignee, done and due date; the title is in the detail only."""
    client = api(alice)
    rows = results(client.get(URL, {"case": north_case.reference, "assignee": "alice"}))
    assert [row["id"] for row in rows] == [str(task.pk)]
    assert "title" not in rows[0]
    assert client.get(detail(task)).json()["title"] == "Visit the school"
    assert results(client.get(URL, {"done": "true"})) == []
    assert len(results(client.get(URL, {"done": "false", "due_on_before": "2030-01-31"}))) == 1
    assert client.get(detail(task)).json()["is_done"] is False


def test_another_team_gets_404(api, charlie, task, north_case, south_case):
    """A caseworker of another team neither sees, completes nor adds follow-ups."""
    client = api(charlie)
    assert client.get(detail(task)).status_code == 404
    assert client.post(f"{detail(task)}complete/", {}, format="json").status_code == 404
    assert north_case.reference not in client.get(URL).content.decode()
    response = client.post(URL, {"case": north_case.reference, "title": "x"}, format="json")
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.completed_at is None
    assert Task.objects.count() == 1


def test_it_sets_a_follow_up(api, alice, bob, north_case):
    """A follow-up goes to a colleague who can see the case; one who cannot is a field error."""
    client = api(alice)
    response = client.post(
        URL,
        {"case": north_case.reference, "title": "Call the lawyer", "due_on": "2030-02-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["created_by"] == "alice"
    response = client.post(
        URL, {"case": north_case.reference, "title": "x", "assignee": "bob"}, format="json"
    )
    assert response.status_code == 400
    assert "assignee" in response.json()
    assert Task.objects.count() == 1


def test_it_completes_a_follow_up_once(api, alice, task):
    """Completing marks it done; completing it again is refused."""
    client = api(alice)
    response = client.post(f"{detail(task)}complete/", {"version": 1}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["is_done"] is True
    assert body["completed_by"] == "alice"
    again = client.post(f"{detail(task)}complete/", {}, format="json")
    assert again.status_code == 400
    assert "non_field_errors" in again.json()


def test_a_stale_completion_is_refused_with_409(api, alice, task):
    """Completing with a version older than the stored one is a conflict."""
    Task.objects.filter(pk=task.pk).update(version=2)
    response = api(alice).post(f"{detail(task)}complete/", {"version": 1}, format="json")
    assert response.status_code == 409
    task.refresh_from_db()
    assert task.completed_at is None


def test_a_legal_advocate_reads_but_does_not_write(api, lena, task, north_case):
    """A legal advocate reads follow-ups and gets 403 on setting or completing one."""
    client = api(lena)
    assert client.get(detail(task)).status_code == 200
    assert client.post(f"{detail(task)}complete/", {}, format="json").status_code == 403
    response = client.post(URL, {"case": north_case.reference, "title": "x"}, format="json")
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.completed_at is None


def test_the_list_query_count_is_flat(api, alice, north_case):
    """The list takes as many queries for 30 follow-ups as for 5."""

    def add(n):
        for _ in range(n):
            Task.objects.create(case=north_case, title="t", assignee=alice, created_by=alice)

    client = api(alice)
    add(5)
    five = query_count(client, URL)
    add(25)
    assert query_count(client, URL) == five


def test_anonymous_requests_are_refused(api, task):
    """Without signing in, nothing is shown or completed."""
    assert api().get(URL).status_code == 401
    assert api().post(f"{detail(task)}complete/").status_code == 401


def test_the_assigned_legal_advocate_completes_her_follow_up(api, lena, alice, north_case):
    """The page's rule, through the API: the advocate the follow-up was given to may mark it done."""
    task = Task.objects.create(
        case=north_case, title="Draft appeal", assignee=lena, created_by=alice
    )
    response = api(lena).post(f"{detail(task)}complete/", {"version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["completed_by"] == "lena"


def test_an_assignee_who_lost_sight_of_the_case_cannot_complete(api, lena, alice, north_case):
    """The follow-up's assignee is no one special once the case is no longer shared with her."""
    task = Task.objects.create(
        case=north_case, title="Draft appeal", assignee=lena, created_by=alice
    )
    north_case.assignments.filter(user=lena).delete()
    assert api(lena).post(f"{detail(task)}complete/", {}, format="json").status_code == 404
    task.refresh_from_db()
    assert task.completed_at is None


def test_a_follow_up_given_to_nobody_is_its_creators(api, alice, north_case):
    """A follow-up that is no one's is one nobody does: without an assignee it is the creator's."""
    response = api(alice).post(
        URL, {"case": north_case.reference, "title": "Call the clinic"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Task.objects.get(pk=response.json()["id"]).assignee == alice


# Repeating follow-ups (issue 20 point 3): the fields of the follow-up form, read and written
# through the services, with the form's rules.

FAR = datetime.date(2030, 1, 7)


def _weekly_call(client, north_case, **fields):
    """A widow's weekly call to the lawyer of her detained husband, while he is detained."""
    return client.post(
        URL,
        {
            "case": north_case.reference,
            "title": "Call the lawyer about the hearing",
            "due_on": FAR.isoformat(),
            "repeat_every": 1,
            "repeat_unit": "weeks",
            "repeat_while": "",
            **fields,
        },
        format="json",
    )


def test_a_repeating_follow_up_is_set_read_and_completed_into_the_next(api, alice, north_case):
    client = api(alice)
    response = _weekly_call(client, north_case, repeat_until="2030-03-31")
    assert response.status_code == 201, response.content
    first = response.json()
    assert (first["repeat_every"], first["repeat_unit"]) == (1, "weeks")
    assert first["repeat_until"] == "2030-03-31" and first["follows"] is None
    done = client.post(f"{URL}{first['id']}/complete/", {"version": 1}, format="json")
    assert done.status_code == 200, done.content
    following = Task.objects.get(follows_id=first["id"])
    shown = client.get(f"{URL}{following.pk}/").json()
    assert shown["due_on"] == "2030-01-14" and shown["follows"] == first["id"]
    assert (shown["repeat_every"], shown["repeat_unit"], shown["repeat_until"]) == (
        1,
        "weeks",
        "2030-03-31",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"due_on": None}, "due_on"),  # a repetition needs a first due date
        ({"repeat_every": 0}, "repeat_every"),
        ({"repeat_every": 366}, "repeat_every"),
        ({"repeat_unit": "months"}, "repeat_unit"),
        ({"repeat_until": "2029-12-31"}, "repeat_until"),  # before the first due date
        ({"repeat_every": None, "repeat_while": "detained"}, "repeat_every"),
        ({"repeat_while": "released"}, "repeat_while"),
    ],
)
def test_the_forms_rules_answer_400_on_the_field(api, alice, north_case, fields, field):
    response = _weekly_call(api(alice), north_case, **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Task.objects.exists()


def test_a_correction_re_times_the_repetition_and_keeps_the_history(api, alice, north_case):
    client = api(alice)
    task_id = _weekly_call(client, north_case).json()["id"]
    response = client.post(
        f"{URL}{task_id}/correct/",
        {
            "repeat_every": 2,
            "repeat_while": "detained",
            "reason": "The lawyer sees him every fortnight",
            "version": 1,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["repeat_every"], response.json()["repeat_while"]) == (2, "detained")
    history = client.get(f"{URL}{task_id}/history/").content.decode()
    assert "The lawyer sees him every fortnight" in history
    refused = client.post(
        f"{URL}{task_id}/correct/",
        {"repeat_until": "2029-01-01", "reason": "Ends", "version": 2},
        format="json",
    )
    assert refused.status_code == 400 and "repeat_until" in refused.json()
