"""
Lost-update protection: every edit names the version it was based on; a save based on an older
version is refused with a clear message and overwrites nothing.
"""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from casework import services
from casework.choices import (
    CaseStatus,
    IncidentKind,
    PersonRole,
    Region,
    RelationshipKind,
    RiskLevel,
    Sex,
)
from casework.exceptions import STALE_EDIT_MESSAGE, StaleEditError
from casework.models import Case, Incident, Person, Relationship, Task

from ..conftest import sign_in
from ..factories import AssignmentFactory, CaseMemberFactory

D = datetime.date


@pytest.fixture
def bob(bob, north_case):
    """Bob works the North case with alice: both may change it, and their edits can cross."""
    AssignmentFactory(case=north_case, user=bob)
    return bob


def test_person_update_bumps_the_version(alice, north_case):
    """Each saved change raises the version by one; a save that changes nothing does not."""
    person = north_case.people.get()
    services.person_update(person=person, actor=alice, expected_version=1, notes="Moved")
    assert Person.objects.get(pk=person.pk).version == person.version == 2
    services.person_update(person=person, actor=alice, expected_version=2, notes="Moved")
    assert Person.objects.get(pk=person.pk).version == 2


def test_person_update_refuses_a_stale_version(alice, bob, north_case):
    """Bob saved first; alice's save based on the version before his is refused."""
    person = north_case.people.get()
    services.person_update(person=Person.objects.get(pk=person.pk), actor=bob, contact="new")
    with pytest.raises(StaleEditError):
        services.person_update(person=person, actor=alice, expected_version=1, contact="old")
    assert Person.objects.get(pk=person.pk).contact == "new"


def test_person_update_keeps_fields_changed_by_others(alice, bob, north_case):
    """Without a version check, a save changes only its own fields, not what it read earlier."""
    person = north_case.people.get()
    stale = Person.objects.get(pk=person.pk)
    services.person_update(person=person, actor=bob, contact="bob's")
    services.person_update(person=stale, actor=alice, notes="alice's")
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.contact, fresh.notes) == ("bob's", "alice's")


def test_case_update_refuses_a_stale_version(alice, sue, north_case):
    """The supervisor raised the risk; alice's older form cannot lower it again."""
    services.case_update(case=Case.objects.get(pk=north_case.pk), actor=sue, risk_level="high")
    with pytest.raises(StaleEditError):
        services.case_update(
            case=north_case, actor=alice, expected_version=1, risk_level=RiskLevel.LOW
        )
    assert Case.objects.get(pk=north_case.pk).risk_level == RiskLevel.HIGH


def test_incident_update_refuses_a_stale_version(alice, north_case):
    """An incident corrected meanwhile is not overwritten."""
    incident = services.incident_record(
        case=north_case,
        kind=IncidentKind.RAID,
        occurred_on=D(2024, 1, 1),
        region=Region.JILIN,
        actor=alice,
    )
    services.incident_update(
        incident=Incident.objects.get(pk=incident.pk), actor=alice, kind=IncidentKind.ARREST
    )
    with pytest.raises(StaleEditError):
        services.incident_update(
            incident=incident, actor=alice, expected_version=1, kind=IncidentKind.DETENTION
        )
    assert Incident.objects.get(pk=incident.pk).kind == IncidentKind.ARREST


def test_relationship_update_refuses_a_stale_version(alice, north_case):
    """A couple's tie corrected meanwhile is not overwritten."""
    a = north_case.people.get()
    b = CaseMemberFactory(case=north_case, person__full_name="Wang").person
    tie = services.relationship_create(
        from_person=a, to_person=b, kind=RelationshipKind.PARTNER_OF, actor=alice
    )
    services.relationship_update(
        relationship=Relationship.objects.get(pk=tie.pk), actor=alice, marriage_registered=False
    )
    with pytest.raises(StaleEditError):
        services.relationship_update(
            relationship=tie, actor=alice, expected_version=1, marriage_registered=True
        )
    assert Relationship.objects.get(pk=tie.pk).marriage_registered is False


def test_task_complete_refuses_a_stale_version(alice, north_case):
    """A follow-up changed since the page was opened is not completed from that page."""
    task = services.task_create(case=north_case, title="Visit", actor=alice)
    Task.objects.filter(pk=task.pk).update(version=2)
    with pytest.raises(StaleEditError):
        services.task_complete(task=task, actor=alice, expected_version=1)
    assert Task.objects.get(pk=task.pk).completed_at is None


def test_a_refused_stale_save_leaves_no_audit_event(alice, bob, north_case):
    """Nothing was saved, so nothing is recorded as changed."""
    person = north_case.people.get()
    services.person_update(person=Person.objects.get(pk=person.pk), actor=bob, notes="x")
    before = AuditEvent.objects.filter(action="update").count()
    with pytest.raises(StaleEditError):
        services.person_update(person=person, actor=alice, expected_version=1, notes="y")
    assert AuditEvent.objects.filter(action="update").count() == before


# Through the forms.


def _person_post(person, version, **changes):
    return {
        "version": version,
        "full_name": person.full_name,
        "sex": Sex.FEMALE,
        "nationality": "dprk",
        "role": PersonRole.REFUGEE,
        "region": Region.JILIN,
        **changes,
    }


def test_a_stale_person_form_is_refused_with_the_message(client, alice, bob, north_case):
    """
    Alice opened the form; bob's change was saved meanwhile. Alice's save shows the message,
    keeps what she typed, and bob's change stands.
    """
    person = north_case.people.get()
    sign_in(client, alice)
    url = reverse("casework:person_edit", args=[person.reference])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.person_update(person=Person.objects.get(pk=person.pk), actor=bob, contact="bob's")
    response = client.post(url, _person_post(person, 1, contact="alice's typed contact"))
    page = response.content.decode()
    assert response.status_code == 200
    assert str(STALE_EDIT_MESSAGE).replace("'", "&#x27;") in page
    assert "alice&#x27;s typed contact" in page
    assert Person.objects.get(pk=person.pk).contact == "bob's"


def test_a_stale_case_form_is_refused(client, alice, sue, north_case):
    """The case edited by the supervisor meanwhile is not overwritten by alice's older form."""
    sign_in(client, alice)
    services.case_update(
        case=Case.objects.get(pk=north_case.pk), actor=sue, risk_level=RiskLevel.CRITICAL
    )
    response = client.post(
        reverse("casework:case_edit", args=[north_case.reference]),
        {
            "version": 1,
            "risk_level": RiskLevel.LOW,
            "status": CaseStatus.OPEN,
            "summary": "alice's summary",
        },
    )
    assert "Someone else changed this record" in response.content.decode()
    assert "alice&#x27;s summary" in response.content.decode()
    case = Case.objects.get(pk=north_case.pk)
    assert (case.risk_level, case.summary) == (RiskLevel.CRITICAL, "")


def test_a_stale_incident_form_is_refused(client, alice, north_case):
    """The incident form carries its version too."""
    incident = services.incident_record(
        case=north_case,
        kind=IncidentKind.RAID,
        occurred_on=D(2024, 1, 1),
        region=Region.JILIN,
        actor=alice,
    )
    services.incident_update(incident=incident, actor=alice, region=Region.LIAONING)
    sign_in(client, alice)
    response = client.post(
        reverse("casework:incident_edit", args=[north_case.reference, incident.pk]),
        {"version": 1, "kind": IncidentKind.ARREST, "occurred_on": "2024-01-01", "region": "kp"},
    )
    assert "Someone else changed this record" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).kind == IncidentKind.RAID
