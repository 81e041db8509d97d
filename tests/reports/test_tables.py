"""Each report table counts the known caseload of conftest.py correctly, with nothing hidden."""

import pytest

from casework import querysets
from casework.choices import EntitlementKind, EntitlementStatus, LegalStatus
from casework.models import Entitlement
from consent.models import Consent
from reports import selectors, tables
from reports.tables import Filters

from ..scenarios import D, consenting
from .conftest import PERIOD
from .test_suppression import derivable, published_equations


@pytest.fixture(autouse=True)
def _nothing_hidden(settings):
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 1
    settings.LANGUAGE_CODE = "en"


def figures(user, name, filters=PERIOD) -> dict:
    """{row label: [cells..., row total if printed]} and "Total" for the totals row."""
    (table,) = tables.build(user, filters, only=name)
    return {line[0]: line[1:] for line in table.grid()[1:]}


def test_people_by_legal_status_on_the_last_day_of_each_month(caseload, sue):
    """Status periods are half-open: a status ending on a day no longer covers it."""
    found = figures(sue, "legal-status")
    assert found[str(LegalStatus.UNDOCUMENTED_CN.label)] == [2, 2, 1, 1, 1, 1]
    assert found[str(LegalStatus.DETAINED_CN.label)] == [1, 1, 2, 1, 1, 1]
    assert found[str(LegalStatus.REPATRIATED.label)] == [0, 0, 0, 1, 1, 1]
    assert found[str(LegalStatus.CHILD_REGISTERED.label)] == [1, 1, 1, 1, 1, 1]
    assert found["Total"] == [4, 4, 4, 4, 4, 4]


def test_refusals_count_the_latest_record_of_each_benefit(caseload, sue):
    """A refusal later granted is not counted; a grant later refused is."""
    found = figures(sue, "refusals")
    # Columns: refugee, child, partner, relative, total.
    assert found["Household registration (hukou) / ID"] == [0, 2, 0, 0, 2]  # c1 and c5
    assert found["Medical care"] == [1, 0, 0, 0, 1]
    assert "School" not in found
    assert found["Total"] == [1, 2, 0, 0, 3]


def test_incidents_by_kind_and_month(caseload, sue):
    """An incident involving only a person who refused statistics is not counted."""
    found = figures(sue, "incidents")
    assert found["Raid"] == [1, 0, 0, 0, 0, 0, 1]
    assert found["Arrest"] == [0, 1, 0, 0, 0, 0, 1]
    assert found["Detention"] == [0, 1, 0, 0, 1, 0, 2]
    assert found["Deportation"] == [0, 0, 0, 0, 1, 0, 1]
    assert found["Total"] == [1, 2, 0, 0, 2, 0, 5]


def test_children_without_registration_by_birth_year(caseload, sue):
    """Refused, pending or no record; a grant or a "Child registered" status takes a child out."""
    found = figures(sue, "children")
    # Columns: refused, pending, no record, total.
    assert found["2015"] == [1, 0, 1, 2]
    assert found["2018"] == [0, 1, 0, 1]
    assert "2019" not in found  # c5, registered
    assert "2016" not in found  # c6, no consent
    assert found["Total"] == [1, 1, 1, 3]


def test_detentions_and_their_outcomes(caseload, sue):
    """Repatriation and a later deportation incident are deportations; an open period is still."""
    found = figures(sue, "detentions")
    assert found["Deported or repatriated"] == [2]  # p1 by status, p5 by incidents
    assert found["Released"] == [1]  # p3
    assert found["Still detained"] == [1]  # p2 (p4 refused statistics)
    assert found["Died"] == [0]
    assert found["Outcome unknown"] == [0]
    assert found["Total"] == [4]


def test_detention_still_running_at_the_end_of_the_report(caseload, sue):
    """Seen from the end of March, p1 is still detained: the repatriation came later."""
    found = figures(sue, "detentions", Filters(date_from=D(2025, 1, 1), date_to=D(2025, 3, 31)))
    assert found["Still detained"] == [2]  # p1 and p2
    assert found["Released"] == [1]
    assert found["Deported or repatriated"] == [0]


def test_time_to_first_follow_up(caseload, sue):
    """The first task or note counts; a case whose principal refused statistics does not."""
    found = figures(sue, "follow-up")
    # Columns: opened, followed up, median days.
    assert found["January 2025"] == [1, 1, 5]
    assert found["February 2025"] == [0, 0, "hidden"]  # case C: p4 refused statistics
    assert found["March 2025"] == [2, 1, 10]
    assert found["Total"] == [3, 2, 7.5]


def test_a_quarterly_report_for_long_periods(caseload, sue):
    """Over more than twelve months the columns are quarters."""
    filters = Filters(date_from=D(2024, 1, 1), date_to=D(2025, 6, 30))
    (table,) = tables.build(sue, filters, only="legal-status")
    assert table.columns == [f"{year} Q{q}" for year in (2024, 2025) for q in (1, 2, 3, 4)][:6]


def test_another_teams_caseworker_counts_only_their_own_cases(caseload, charlie):
    """Charlie's report counts South's person and none of North's."""
    found = figures(charlie, "legal-status")
    assert found == {
        str(LegalStatus.DETAINED_CN.label): [0, 0, 1, 1, 1, 1],
        "Total": [0, 0, 1, 1, 1, 1],
    }
    assert figures(charlie, "refusals")["Total"] == [1, 0, 0, 0, 1]
    assert figures(charlie, "incidents")["Total"] == [1, 0, 0, 0, 0, 0, 1]
    assert figures(charlie, "follow-up")["Total"] == [1, 1, 2]


def test_north_counts_nothing_of_south(caseload, sue, alice):
    """South's detained person is in no North report."""
    for user in (sue, alice):
        assert figures(user, "detentions")["Total"] == [4]
        assert figures(user, "refusals").get("School") is None


def test_a_caseworker_counts_only_the_cases_they_work(caseload, bob):
    """Bob, of team North but on none of its cases, counts nothing."""
    for name in tables.NAMES:
        (table,) = tables.build(bob, PERIOD, only=name)
        assert table.is_empty, name


def test_the_team_filter_narrows_to_one_team(caseload, sue, team_north):
    """Sue's report for team North equals her whole report: she sees no other team."""
    whole = figures(sue, "incidents")
    assert figures(sue, "incidents", Filters(PERIOD.date_from, PERIOD.date_to, team_north)) == whole


def test_a_withdrawn_consent_stops_the_counting(caseload, sue):
    """The consent in force counts: a later record without statistics takes p3 out."""
    consenting(caseload.p3, statistics=False)
    assert Consent.objects.filter(person=caseload.p3).count() == 2
    found = figures(sue, "detentions")
    assert found["Released"] == [0]


def test_a_person_without_any_consent_is_not_counted(caseload, sue):
    """p4 has no consent record: his detention and his raid are absent; recording it adds them."""
    assert figures(sue, "incidents")["Total"][2] == 0
    consenting(caseload.p4)
    assert figures(sue, "incidents")["Total"][2] == 1
    assert figures(sue, "detentions")["Still detained"] == [2]


def test_published_tables_cannot_be_undone(caseload, sue, settings):
    """With the default threshold, no hidden value of any table follows from what is shown."""
    settings.SHIMTEO_SMALL_COUNT_THRESHOLD = 5
    for table in tables.build(sue, PERIOD):
        if table.is_empty:
            continue
        counts = table.counts
        equations = published_equations(
            len(table.rows),
            len(table.columns),
            row_totals=counts.row_totals is not None,
            col_totals=counts.col_totals is not None,
        )
        assert counts.hidden, table.name
        assert not derivable(counts.hidden, equations), table.name


def test_a_grant_recorded_later_the_same_day_ends_a_refusal(caseload, sue):
    """
    c1's hukou refused and then granted, both as of the same day: the record entered last is the
    latest, and a granted child is neither refused nor without registration.
    """
    hukou = EntitlementKind.HOUSEHOLD_REGISTRATION
    refused = Entitlement.objects.get(person=caseload.c1, kind=hukou)
    granted = Entitlement.objects.create(
        person=caseload.c1, kind=hukou, status=EntitlementStatus.GRANTED, as_of=refused.as_of
    )
    assert granted.recorded_at > refused.recorded_at

    assert figures(sue, "refusals")["Household registration (hukou) / ID"] == [0, 1, 0, 0, 1]
    assert figures(sue, "children")["2015"] == [0, 0, 1, 1]  # c2 alone, no record


@pytest.mark.parametrize("reader", ["sue", "alice", "charlie"])
def test_every_table_counts_the_same_from_a_readers_few_cases(caseload, reader, request):
    """
    A reader of few cases has her counts start from them (`few_cases_granted`); past FEW_CASES
    they start from the rule alone. The figures are the same both ways.
    """
    account = request.getfixturevalue(reader)
    assert selectors.scope_for(account).few
    from_few = [table.grid() for table in tables.build(account, PERIOD)]
    assert any(len(grid) > 1 for grid in from_few)

    request.getfixturevalue("monkeypatch").setattr(querysets, "FEW_CASES", 0)
    account = account.__class__.objects.get(pk=account.pk)  # nothing kept from the first reads
    assert not selectors.scope_for(account).few
    assert [table.grid() for table in tables.build(account, PERIOD)] == from_few
