"""
The import writes a chunk's households in bulk (casework.services.households_create, issue 19
point 6): a few queries a chunk instead of dozens a row, and still the very records and audit
events an intake approved in the queue writes, a person twice in one chunk caught, a row a
casework rule refuses reported on its column while the others import.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.chain import verify_chain
from audit.models import AuditEvent
from casework.models import Case, Person
from consent.models import Consent
from intake import import_households
from intake.forms import fields_reused
from intake.importing import batches, checking, writing
from intake.models import ImportBatch, ImportedRow, IntakeSubmission
from intake.services import intake_approve

from ..conftest import sign_in
from .test_import import as_csv, upload

pytestmark = pytest.mark.django_db

CONSENT = {
    "consent_method": "verbal",
    "consent_given_on": "2024-03-09",
    "consent_scopes": "store_data; statistics",
}
# A widow in Jilin with her two children (their father died in 2016), and a mother detained in
# Liaoning since October, her family in hiding.
WIDOW_IN_JILIN = [
    {
        "household": "12",
        "relation": "mother",
        "full_name": "박정숙",
        "aliases": "Pak Jong Suk",
        "sex": "female",
        "birth_year": "1978",
        "nationality": "dprk",
        "place_of_origin": "함경북도 무산군",
        "current_location": "吉林省延吉市",
        "region": "cn-jilin",
        "legal_status": "undocumented_cn",
        "status_since": "2005-06-01",
        "status_country": "CN",
        "benefits_refused": "medical_care",
        "risk_level": "high",
        "needs": "School for the children; the landlord asks for papers.",
        **CONSENT,
    },
    {
        "household": "12",
        "relation": "child",
        "full_name": "최은주",
        "sex": "female",
        "date_of_birth": "2009-01-05",
        "nationality": "stateless",
        "benefits_refused": "school; household_registration",
    },
    {
        "household": "12",
        "relation": "child",
        "full_name": "최철",
        "sex": "male",
        "date_of_birth": "2013-07-09",
        "nationality": "stateless",
        "benefits_refused": "household_registration",
    },
]
DETAINED_IN_LIAONING = {
    "full_name": "리옥희",
    "sex": "female",
    "birth_year": "1983",
    "nationality": "dprk",
    "contact": "+86 139 0411 2277",
    "region": "cn-liaoning",
    "legal_status": "detained_cn",
    "status_since": "2026-10-02",
    "status_country": "CN",
    "risk_level": "critical",
    "needs": "Detained in Dandong; her son is with a neighbour.",
    **CONSENT,
}
REFERENCE = re.compile(r"\b[PC]-[2-9A-Z]{8}\b")


@pytest.fixture
def supervisor(client, sue):
    return sign_in(client, sue)


def _answers_of(batch) -> list[dict]:
    """Each unit's answers as the wizard would have kept them (what the queue approves)."""
    rows, _reading = batches._rows_of(batch)
    with fields_reused():
        units = import_households.units_of(rows)
        for unit in units:
            assert checking.check_unit(unit) is not None
    return [checking._head_of(unit).answers for unit in units]


def _events_since(sequence) -> list[tuple]:
    """
    The casework and consent events after `sequence`, as a reader compares them: references
    replaced by the name of the person (or "case"), so that two copies of one family compare.
    """
    names = {person.reference: person.full_name for person in Person.objects.all()}
    names |= dict.fromkeys(Case.objects.values_list("reference", flat=True), "case")

    def plain(value):
        if isinstance(value, str):
            return REFERENCE.sub(lambda match: names.get(match.group(), "?"), value)
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    events = AuditEvent.objects.filter(sequence__gt=sequence).exclude(
        target_type__startswith="intake."
    )
    return [
        (
            event.action,
            event.target_type,
            event.case_id is not None,
            {key: plain(value) for key, value in event.detail.items()},
        )
        for event in events.order_by("sequence")
    ]


def _family(case) -> dict:
    """Everything the case and its people hold, by name, as the pages show it."""
    people = {member.person: member.role for member in case.members.select_related("person")}
    name = {person.pk: person.full_name for person in people}
    return {
        "case": (case.risk_level, case.summary, case.status, case.owner.username),
        "assigned": sorted(case.assignments.values_list("user__username", "role")),
        "people": sorted(
            (
                p.full_name,
                role,
                p.sex,
                p.birth_year,
                p.date_of_birth,
                p.nationality,
                p.role,
                p.region,
                p.place_of_origin,
                p.current_location,
                p.contact,
                sorted(alias.name for alias in p.aliases.all()),
                sorted(p.name_keys.values_list("kind", "digest")),
            )
            for p, role in people.items()
        ),
        "ties": sorted(
            (name[tie.from_person_id], tie.kind, name[tie.to_person_id], tie.marriage_registered)
            for p in people
            for tie in p.relationships_from.all()
        ),
        "consents": sorted(
            (
                name[c.person_id],
                c.kind,
                c.method,
                c.given_on,
                tuple(sorted(c.scopes)),
                name.get(c.guardian_id),
                c.recorded_by.username,
            )
            for c in Consent.objects.filter(person__in=people)
        ),
        "statuses": sorted(
            (
                name[s.person_id],
                s.status,
                s.effective_from,
                s.since_birth,
                s.country,
                s.source,
                s.recorded_by.username,
            )
            for p in people
            for s in p.status_records.all()
        ),
        "benefits": sorted(
            (name[b.person_id], b.kind, b.status, b.as_of, b.recorded_by.username)
            for p in people
            for b in p.entitlements.all()
        ),
        "notes": sorted((n.kind, n.contacted_on, n.author.username) for n in case.notes.all()),
    }


def _case_of(full_name: str, among) -> Case:
    (case,) = [case for case in among if any(p.full_name == full_name for p in case.people.all())]
    return case


def test_the_bulk_import_writes_what_an_intake_approved_in_the_queue_writes(
    sue, team_north, supervisor
):
    """
    A widow in Jilin with two children and a mother detained in Liaoning: imported in bulk,
    then the same answers approved one by one in the queue. Each family's records, and the
    audit events that say so, are the same, down to the detail; the chain verifies.
    """
    upload(supervisor, team_north, "families.csv", as_csv([*WIDOW_IN_JILIN, DETAINED_IN_LIAONING]))
    batch = ImportBatch.objects.get()
    assert batch.valid_rows == 4, batch.report
    answers = _answers_of(batch)
    start = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
    batch = writing.import_run(batch=batch, actor=sue)
    assert (batch.created_count, batch.queued_count) == (4, 0)
    imported = list(Case.objects.all())
    middle = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
    bulk_events = _events_since(start)

    for each in answers:
        submission = IntakeSubmission.objects.create(
            team=team_north, owner=sue, answers=each, status=IntakeSubmission.Status.SUBMITTED
        )
        intake_approve(submission=submission, actor=sue)
    approved = [case for case in Case.objects.all() if case not in imported]
    queue_events = _events_since(middle)

    assert len(imported) == len(approved) == 2
    for full_name in ("박정숙", "리옥희"):
        bulk, queue = _case_of(full_name, imported), _case_of(full_name, approved)
        assert _family(bulk) == _family(queue)
    widow = _family(_case_of("박정숙", imported))
    assert [tie[:3] for tie in widow["ties"]] == [
        ("박정숙", "parent_of", "최은주"),
        ("박정숙", "parent_of", "최철"),
    ]
    assert {c[0]: c[5] for c in widow["consents"]} == {
        "박정숙": None,
        "최은주": "박정숙",
        "최철": "박정숙",
    }
    detained = _family(_case_of("리옥희", imported))
    assert [s[1:3] for s in detained["statuses"]] == [("detained_cn", datetime.date(2026, 10, 2))]

    # The import's events: each household's, in the order the queue writes them, then the
    # batch's own (its status, its end).
    casework = [event for event in bulk_events if not event[1].startswith("intake.")]
    assert casework == queue_events
    assert verify_chain().intact


def _rows(count: int, start: int) -> list[dict]:
    return [
        {
            # A number in the name: compared exactly, never by spelling, so none is a duplicate.
            "full_name": f"김순희{start + i}",
            "aliases": f"Kim Sun {start + i}" if i % 3 == 0 else "",
            "sex": "female",
            "birth_year": str(1960 + (start + i) % 40),
            "nationality": "dprk",
            "contact": f"+86 139 {start + i:04d} 0000" if i % 2 else "",
            "region": "cn-jilin",
            "legal_status": "undocumented_cn",
            "status_since": "2024-03-01",
            "status_country": "CN",
            "benefits_refused": "medical_care" if i % 4 == 0 else "",
            "risk_level": "medium",
            **CONSENT,
        }
        for i in range(count)
    ]


def _import_counting(supervisor, sue, team, rows) -> tuple[int, ImportBatch]:
    upload(supervisor, team, "rows.csv", as_csv(rows))
    batch = ImportBatch.objects.get(status=ImportBatch.Status.CHECKED)
    assert batch.valid_rows == len(rows), batch.report
    with CaptureQueriesContext(connection) as queries:
        batch = writing.import_run(batch=batch, actor=sue)
    assert batch.created_count == len(rows)
    return len(queries.captured_queries), batch


@pytest.mark.postgres
def test_the_queries_of_an_import_do_not_grow_with_its_rows(sue, team_north, supervisor):
    """
    Ten rows and a hundred and ten: the hundred more cost two more chunks' worth of queries,
    not dozens a row (58 a row before the bulk writer).
    """
    small, _batch = _import_counting(supervisor, sue, team_north, _rows(10, 0))
    large, _batch = _import_counting(supervisor, sue, team_north, _rows(110, 100))
    assert small <= 60, small
    # Two more chunks of 50, each a fixed number of queries, and the progress updates.
    assert large - small <= 2 * 30, (small, large)
    assert Person.objects.count() == 120
    assert verify_chain().intact


def test_a_person_twice_in_one_chunk_goes_to_the_queue_the_second_time(sue, team_north, supervisor):
    """Nothing of the chunk is written when its duplicates are looked up: still, the second
    row naming the same woman (another spelling of her name, the same year) is caught."""
    first, second = _rows(2, 0)
    first |= {"full_name": "김순희"}
    second |= {"full_name": "Kim Sun Hui", "birth_year": first["birth_year"]}
    upload(supervisor, team_north, "twice.csv", as_csv([first, second]))
    batch = writing.import_run(batch=ImportBatch.objects.get(), actor=sue)
    assert (batch.created_count, batch.queued_count) == (1, 1)
    (submission,) = IntakeSubmission.objects.all()
    (candidate,) = submission.duplicates.all()
    assert candidate.person.full_name == "김순희"
    assert "spelling" in candidate.reasons


def test_a_row_a_casework_rule_refuses_is_reported_and_the_others_import(
    sue, team_north, supervisor, monkeypatch
):
    """
    A rule of casework the forms do not ask (here: an alias that is the person's own name, as
    the alias rule of casework.services.people refuses it) stops its row alone: the report names
    the column and the reason, the row is not marked imported, the others are created.
    """
    rows = _rows(3, 0)
    upload(supervisor, team_north, "rows.csv", as_csv(rows))
    batch = ImportBatch.objects.get()
    real_plan = writing.household_plan

    def plan_with_own_name_as_alias(cleaned):
        household = real_plan(cleaned)
        if household.people[0].fields["full_name"] == rows[1]["full_name"]:
            household.people[0].aliases = [rows[1]["full_name"]]
        return household

    monkeypatch.setattr(writing, "household_plan", plan_with_own_name_as_alias)
    batch = writing.import_run(batch=batch, actor=sue)
    assert batch.created_count == 2
    entry = next(entry for entry in batch.report["rows"] if entry["row"] == 3)
    assert entry["errors"] == [
        ["aliases", "This person is already known by that name.", rows[1]["aliases"]]
    ]
    assert ImportedRow.objects.filter(row_number=3).count() == 0
    assert Person.objects.count() == 2
