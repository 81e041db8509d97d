"""
The date rules of casework/dates.py, through the services, one page form and one API call: no
fact after today (in Shanghai, where the teams work, not UTC), none before the person's birth,
and a status period inside the person's life.
"""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework import dates, services
from casework.choices import (
    Country,
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    MemberRole,
    PersonRole,
    Region,
    StatusSource,
)
from casework.models import Entitlement, Incident, LegalStatusRecord

from ..conftest import sign_in

D = datetime.date
UTC = datetime.UTC

# 17:30 on 10 March in UTC is already 01:30 on 11 March in Shanghai.
LATE_EVENING_UTC = datetime.datetime(2026, 3, 10, 17, 30, tzinfo=UTC)


def _frozen(moment=LATE_EVENING_UTC):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def child(north_case, alice, mother):
    """A girl born in 2012, in alice's case (after her mother, the case's first member)."""
    return services.person_create(
        actor=alice,
        case=north_case,
        role_in_case=MemberRole.CHILD,
        full_name="김아이",
        role=PersonRole.CHILD,
        date_of_birth=D(2012, 3, 4),
    )


@pytest.fixture
def mother(north_case):
    return north_case.people.get()


def _status(person, actor, start, status=LegalStatus.UNDOCUMENTED_CN, **extra):
    return services.legal_status_change(
        person=person,
        status=status,
        effective_from=start,
        actor=actor,
        country=Country.CHINA,
        source=StatusSource.FAMILY,
        **extra,
    )


def _benefit(person, actor, as_of):
    return services.entitlement_record(
        person=person,
        kind=EntitlementKind.SCHOOL,
        status=EntitlementStatus.DENIED,
        as_of=as_of,
        actor=actor,
    )


def _refused_on(field, call):
    with pytest.raises(ValidationError) as refused:
        call()
    assert field in refused.value.message_dict, refused.value.message_dict
    return refused.value.message_dict[field]


def test_today_is_the_day_in_shanghai_not_in_utc():
    with _frozen():
        assert dates.today() == D(2026, 3, 11)


def test_a_detention_dated_tomorrow_in_shanghai_is_refused_while_utc_is_still_on_today(
    mother, alice
):
    """At 01:30 on 11 March in Shanghai, the 11th is today (though UTC says the 10th); the 12th is not."""
    with _frozen():
        _refused_on(
            "effective_from",
            lambda: _status(mother, alice, D(2026, 3, 12), status=LegalStatus.DETAINED_CN),
        )
        detained = _status(mother, alice, D(2026, 3, 11), status=LegalStatus.DETAINED_CN)
    assert detained.is_current


def test_a_status_in_the_future_never_becomes_current_and_blocks_the_true_one(mother, alice):
    """The issue's case: a status in 2030 became current, and the correct earlier one was refused."""
    _refused_on("effective_from", lambda: _status(mother, alice, D(2030, 1, 1)))
    assert not LegalStatusRecord.objects.filter(person=mother).exists()
    assert _status(mother, alice, D(2019, 6, 1)).is_current


def test_a_status_period_lies_inside_the_persons_life(child, alice):
    def period(start, end):
        return services.legal_status_record_add(
            person=child,
            status=LegalStatus.STATELESS,
            effective_from=start,
            effective_to=end,
            actor=alice,
            country=Country.CHINA,
            source=StatusSource.FAMILY,
        )

    assert "2012" in _refused_on("effective_from", lambda: period(D(2005, 1, 1), D(2013, 1, 1)))[0]
    _refused_on(
        "effective_to", lambda: period(D(2013, 1, 1), dates.today() + datetime.timedelta(1))
    )
    assert not LegalStatusRecord.objects.filter(person=child).exists()
    # Stateless since the day she was born is inside her life.
    assert period(D(2012, 3, 4), D(2020, 1, 1)).since_birth


def test_a_benefit_before_the_childs_birth_or_in_the_future_is_refused(child, alice):
    _refused_on("as_of", lambda: _benefit(child, alice, D(1990, 9, 1)))
    _refused_on("as_of", lambda: _benefit(child, alice, D(2031, 9, 1)))
    assert not Entitlement.objects.filter(person=child).exists()
    _benefit(child, alice, D(2018, 9, 1))


def test_only_the_birth_year_known_means_nothing_before_1_january_of_it(north_case, alice):
    boy = services.person_create(
        actor=alice, case=north_case, full_name="박소년", role=PersonRole.CHILD, birth_year=2015
    )
    _refused_on("as_of", lambda: _benefit(boy, alice, D(2014, 12, 31)))
    _benefit(boy, alice, D(2015, 1, 1))


def test_an_arrest_in_the_future_or_before_a_persons_birth_is_refused(
    north_case, child, mother, alice
):
    def arrest(day, people):
        return services.incident_record(
            case=north_case,
            kind=IncidentKind.ARREST,
            occurred_on=day,
            region=Region.JILIN,
            people=people,
            actor=alice,
        )

    with _frozen():
        _refused_on("occurred_on", lambda: arrest(D(2027, 5, 1), []))
    _refused_on("occurred_on", lambda: arrest(D(2010, 5, 1), [mother, child]))
    assert not Incident.objects.exists()
    raid = arrest(D(2010, 5, 1), [mother])
    # Adding the child to a 2010 arrest, or moving it into the future, is refused too.
    _refused_on(
        "occurred_on",
        lambda: services.incident_update(incident=raid, actor=alice, people=[mother, child]),
    )
    _refused_on(
        "occurred_on",
        lambda: services.incident_update(
            incident=raid, actor=alice, occurred_on=dates.today() + datetime.timedelta(1)
        ),
    )
    raid.refresh_from_db()
    assert (raid.occurred_on, list(raid.people.all())) == (D(2010, 5, 1), [mother])


def test_a_birth_in_the_future_is_refused(north_case, alice, mother):
    _refused_on(
        "date_of_birth",
        lambda: services.person_create(
            actor=alice, case=north_case, full_name="미래", date_of_birth=D(2030, 1, 1)
        ),
    )
    _refused_on(
        "birth_year",
        lambda: services.person_create(
            actor=alice, case=north_case, full_name="미래", birth_year=dates.today().year + 1
        ),
    )
    _refused_on(
        "date_of_birth",
        lambda: services.person_update(person=mother, actor=alice, date_of_birth=D(2030, 1, 1)),
    )


def test_a_birth_moved_after_recorded_facts_is_refused(child, alice):
    _benefit(child, alice, D(2018, 9, 1))
    _refused_on(
        "date_of_birth",
        lambda: services.person_update(person=child, actor=alice, date_of_birth=D(2019, 1, 1)),
    )
    child.refresh_from_db()
    assert child.date_of_birth == D(2012, 3, 4)


def test_the_page_form_shows_the_services_error_on_the_field(client, alice, child):
    sign_in(client, alice)
    response = client.post(
        reverse("casework:entitlement_add", args=[child.reference]),
        {"kind": EntitlementKind.SCHOOL, "status": EntitlementStatus.DENIED, "as_of": "1990-09-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"] == [
        f"This date is before the birth of {child.reference} (2012)."
    ]
    assert not Entitlement.objects.filter(person=child).exists()


def test_the_api_answers_400_with_the_fields_error(api_client_for, alice, child):
    client = api_client_for(alice)
    body = {"person": child.reference, "kind": "school", "status": "denied"}
    response = client.post("/api/v1/entitlements/", {**body, "as_of": "1990-09-01"}, format="json")
    assert response.status_code == 400
    assert "as_of" in response.json()
    with _frozen():
        response = client.post(
            "/api/v1/entitlements/", {**body, "as_of": "2026-03-12"}, format="json"
        )
    assert response.status_code == 400
    assert response.json()["as_of"] == ["This date is in the future."]
    assert not Entitlement.objects.filter(person=child).exists()


def test_the_intake_wizard_uses_the_same_today():
    from intake.forms import IncidentForm

    with _frozen():
        form = IncidentForm(
            data={"kind": IncidentKind.ARREST, "occurred_on": "2026-03-12", "region": Region.JILIN}
        )
        assert form.errors["occurred_on"] == ["This date is in the future."]
        form = IncidentForm(
            data={"kind": IncidentKind.ARREST, "occurred_on": "2026-03-11", "region": Region.JILIN}
        )
        assert form.is_valid(), form.errors


@pytest.fixture
def api_client_for():
    from rest_framework.test import APIClient

    return lambda user: sign_in(APIClient(), user)
