"""
Forgiving search stores no form of a name in clear: not the name, nor its romanisations (RR, MR,
the folded skeleton), its pinyin, its Korean reading, its family or given name. A raw read of every
table finds none of them; the name keys are digests only.
"""

import pytest
from django.db import connection

from casework.models import NameKey
from casework.names import chinese, korean, name_keys
from tests.scenarios import people_to_find

NAMES = ["권금화", "權金花", "권경숙", "권민수", "金英哲", "劉美玲", "리순희"]


def forms_of(name: str) -> set[str]:
    """Every form a key of `name` is made from, and its romanisations, long enough to mean it."""
    forms = {name, chinese.simplified(name)}
    forms |= {text.lstrip("12") for _kind, text in name_keys(name)}
    for hangul in [name, *chinese.korean_readings(name)]:
        if korean.is_hangul(hangul):
            forms |= {korean.romanise_rr(hangul), korean.romanise_mr(hangul)}
    if chinese.has_han(name):
        forms.add(chinese.pinyin(name))
    # A syllable or a short word is found in any Korean or English text (the legal corpus).
    return {form.lower() for form in forms if len(form) >= (6 if form.isascii() else 3)}


@pytest.mark.postgres
@pytest.mark.django_db
def test_no_table_holds_any_form_of_a_searched_name(team_north, alice):
    """Every column of every table, read with raw SQL, holds no name nor any form of one."""
    people_to_find(team=team_north, caseworker=alice)
    assert NameKey.objects.count() > 50
    needles = set().union(*(forms_of(name) for name in NAMES))
    assert {"kwonkomhwa", "quanjinhua", "gwongeumhwa", "김영철"} <= needles
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT row_to_json(t)::text FROM {quoted} AS t")  # noqa: S608
            for (row,) in cursor.fetchall():
                text = row.lower()
                assert not [n for n in needles if n in text], f"{table}: {row[:200]}"


@pytest.mark.django_db
def test_a_name_key_is_a_digest_and_nothing_else(team_north, alice):
    """Each key is 32 hex characters; no two kinds share a digest for one text."""
    people_to_find(team=team_north, caseworker=alice)
    digests = list(NameKey.objects.values_list("kind", "digest"))
    assert all(len(d) == 32 and int(d, 16) >= 0 for _kind, d in digests)
    assert len({d for _kind, d in digests}) == len(set(digests))
