"""
Issue 17, point 5: a caseload report that discloses nothing by accident. Every category is
printed, empty or not; a count below 5 (zero too) is hidden; the total printed beside the status
table cannot narrow a hidden count; a method paragraph says the day, whose caseload, what is
counted and the threshold; and no username appears. One render, many assertions.
"""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.choices import LegalStatus
from casework.models import LegalStatusRecord
from legal_aid import services
from legal_aid.models import AdvocacyDocument
from reports.suppression import suppress_list

from ..factories import CaseMemberFactory, PersonFactory
from .test_documents_render import pdf_of, text_of
from .test_documents_services import consent

THRESHOLD = 5


def feasible(shown: list, small: set, total: int | None, threshold: int = THRESHOLD) -> list:
    """
    What a reader can work out from a printed list and its total: for each hidden count, every
    value consistent with what is printed ("fewer than 5": 0 to 4; "not shown": 5 or more).
    """
    hidden = [i for i, value in enumerate(shown) if value is None]
    if total is None:
        return [set(range(threshold)) for _ in hidden]
    remainder = total - sum(value for value in shown if value is not None)
    ranges = [range(threshold) if i in small else range(threshold, remainder + 1) for i in hidden]

    def sums(slots) -> set:
        reachable = {0}
        for values in slots:
            reachable = {a + b for a in reachable for b in values if a + b <= remainder}
        return reachable

    return [
        {v for v in ranges[k] if remainder - v in sums(ranges[:k] + ranges[k + 1 :])}
        for k in range(len(hidden))
    ]


def assert_nothing_narrowed(counts: list[int]):
    result = suppress_list(counts, THRESHOLD, with_total=True)
    assert all(result.counts[i] is None for i, c in enumerate(counts) if c < THRESHOLD)
    hidden = [i for i, value in enumerate(result.counts) if value is None]
    for i, values in zip(hidden, feasible(result.counts, result.small, result.total), strict=True):
        if i in result.small:
            assert values == set(range(THRESHOLD)), (counts, i, values)
        else:
            assert len(values) > 1, (counts, i, values)


def test_hidden_counts_of_3_and_4_in_one_row_cannot_be_worked_out_from_the_total():
    """10, 3 and 4 with a total of 17: with the two small ones hidden alone, 3 + 4 = 7 pins them
    to 3 and 4; so the 10 is hidden too ("not shown"), and each could be anything from 0 to 4."""
    result = suppress_list([10, 3, 4], THRESHOLD, with_total=True)
    assert result.counts == [None, None, None] and result.total == 17
    assert result.small == {1, 2}
    assert feasible(result.counts, result.small, result.total)[1:] == [set(range(5))] * 2
    assert_nothing_narrowed([10, 3, 4])
    assert_nothing_narrowed([20, 3, 0, 12])
    # Zero is hidden too: "fewer than 5" must not tell that someone is there.
    assert suppress_list([12, 0, 9], THRESHOLD, with_total=False).counts == [12, None, 9]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=5))
def test_no_total_narrows_a_hidden_count(counts):
    """Over random lists: every small hidden count may still be any of 0 to 4."""
    assert_nothing_narrowed(counts)


@pytest.mark.postgres
def test_the_caseload_report_prints_every_category_and_its_method(north_case, alice):
    """
    Seventeen consenting people in alice's case: ten undocumented, three detained, four in
    transit. Every status, benefit and incident kind is printed; the detained and in-transit
    counts are hidden with the empty statuses, so the printed 10 and total of 17 leave 7 spread
    over many hidden rows: neither can be narrowed. No username, a method paragraph.
    """
    for status, how_many in (
        (LegalStatus.UNDOCUMENTED_CN, 10),
        (LegalStatus.DETAINED_CN, 3),
        (LegalStatus.IN_TRANSIT, 4),
    ):
        for _ in range(how_many):
            person = PersonFactory()
            CaseMemberFactory(case=north_case, person=person)
            consent(person, statistics=True)
            LegalStatusRecord.objects.create(
                person=person,
                status=status,
                effective_from=datetime.date(2024, 5, 1),
                recorded_by=alice,
            )
    document = services.document_request(
        kind=AdvocacyDocument.Kind.CASELOAD_REPORT,
        language="en",
        redaction=AdvocacyDocument.Redaction.AGGREGATE_ONLY,
        actor=alice,
    )
    document = services.document_render(document_id=document.pk)
    assert document.status == AdvocacyDocument.Status.READY, document.failure_reason
    text = " ".join(text_of(pdf_of(document)).split())
    sections = {s["heading"]: s for s in document.snapshot["sections"]}

    rows = sections["People by present legal status"]["counts"]["rows"]
    assert [row["label"] for row in rows] == [str(s.label) for s in LegalStatus] + [
        "No legal status recorded"
    ]
    shown = {row["label"]: row["shown"] for row in rows}
    assert shown[str(LegalStatus.DETAINED_CN.label)] == "fewer than 5"
    assert shown[str(LegalStatus.IN_TRANSIT.label)] == "fewer than 5"
    assert shown[str(LegalStatus.UNDOCUMENTED_CN.label)] == "10"
    assert shown["No legal status recorded"] == "fewer than 5"  # zero, hidden like 1 to 4
    total = document.snapshot["counted_total"]
    assert total == 17
    printed = [row["count"] for row in rows]
    small = {i for i, row in enumerate(rows) if row["shown"] == "fewer than 5"}
    assert all(values == set(range(5)) for values in feasible(printed, small, total))
    for heading in ("Children refused a benefit", "Incidents"):
        labels = [row["label"] for row in sections[heading]["counts"]["rows"]]
        assert len(labels) > 3 and all(
            row["shown"] == "fewer than 5" for row in sections[heading]["counts"]["rows"]
        )
    for label in shown:
        assert label in text, label

    method = sections["Method"]["paragraphs"][0]["text"]
    assert "17 people" in method  # the case's first member did not consent to be counted
    for words in ("Counted on", "caseworker", "consented to be counted", "below 5", "not shown"):
        assert words in method, words
    assert "alice" not in text and "alice" not in str(document.snapshot)
