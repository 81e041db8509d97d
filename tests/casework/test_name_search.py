"""
Forgiving name search under encryption: a person is found by any spelling a caseworker may be
given (Hangul, romanised by RR, MR or by ear, Chinese characters in either form, pinyin, a family
name alone), best match first with the reason, only among the people she may see, with a hint
when nothing matched; the keys follow every write to a name and are rebuilt by `reindex_names`.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from casework import services
from casework.choices import NameKeyKind
from casework.erasure import person_erase_identifying_details
from casework.models import Case, NameKey, Person, PersonAlias
from casework.names import chinese, korean, name_keys
from casework.selectors.search import cases_matching, people_search
from tests.conftest import sign_in
from tests.scenarios import people_to_find
from vault.keyring import generate_key

PERSON_SEARCH = "/api/v1/persons/search/"
CASE_SEARCH = "/api/v1/cases/search/"


def shared(stored: str, term: str) -> set[str]:
    """The kinds of key a stored name and a search term have in common."""
    return {kind for kind, _text in name_keys(stored) & name_keys(term, searching=True)}


# The keys themselves: no database.


@pytest.mark.parametrize(
    "term", ["Kwon Kum Hwa", "Gwon Geum-hwa", "Kwŏn Kŭm-hwa", "KWON KUMHWA", "Kum-hwa Kwon"]
)
def test_every_romanisation_of_a_korean_name_meets_its_hangul(term):
    """RR, MR, spellings by ear and the Western order all meet 권금화 as its romanised name."""
    assert NameKeyKind.ROMAN in shared("권금화", term)


def test_rr_and_mr_fold_to_one_skeleton():
    """Revised Romanization and McCune-Reischauer of one name fold to the same form."""
    for name in ["권금화", "김영철", "박정희", "리설주", "최순실", "정은희"]:
        rr, mr = korean.romanise_rr(name), korean.romanise_mr(name)
        assert rr != mr or name == "리설주"
        assert korean.skeleton(rr) == korean.skeleton(mr), name
    assert korean.romanise_rr("권금화") == "gwongeumhwa"
    assert korean.romanise_mr("권금화") == "kwŏngŭmhwa"


@pytest.mark.parametrize(
    ("spelling", "family"),
    [
        ("Kim", "김"),
        ("Gim", "김"),
        ("Lee", "이"),
        ("Yi", "이"),
        ("Rhee", "이"),
        ("Ri", "이"),
        ("Park", "박"),
        ("Pak", "박"),
        ("Bak", "박"),
        ("Choi", "최"),
        ("Choe", "최"),
        ("Jung", "정"),
        ("Chung", "정"),
        ("Jeong", "정"),
        ("Gwon", "권"),
        ("Ryu", "유"),
        ("Yoo", "유"),
    ],
)
def test_common_spellings_of_family_names_are_one_family(spelling, family):
    """Kim and Gim, Lee, Yi, Rhee and Ri...: each spelling names its Hangul family name."""
    assert family in korean.families_spelled(spelling)


def test_the_norths_spelling_of_a_family_name_is_the_souths():
    """리 is 이 and 류 is 유 as family names (the initial-sound rule)."""
    assert korean.canonical_family("리") == "이"
    assert korean.canonical_family("류") == "유"
    assert NameKeyKind.FAMILY in shared("리순희", "이")
    assert NameKeyKind.ROMAN in shared("리순희", "Lee Soon Hee")


def test_chinese_characters_give_their_korean_readings_and_pinyin():
    """金 is read 김 (and 금); 權金花 is 권금화 in Korean and Quan Jinhua in pinyin."""
    assert "김" in chinese.readings_of("金")
    assert "권금화" in chinese.korean_readings("權金花")
    assert chinese.pinyin("權金花") == "quanjinhua"
    assert NameKeyKind.HANGUL in shared("金英哲", "김영철")
    assert NameKeyKind.ROMAN in shared("金英哲", "Kim Yong Chol")
    assert NameKeyKind.PINYIN in shared("權金花", "Quan Jinhua")


def test_traditional_and_simplified_characters_are_one_name():
    """劉美玲 typed as 刘美玲, and 权金花 as 權金花, are the same full name."""
    assert NameKeyKind.FULL in shared("劉美玲", "刘美玲")
    assert NameKeyKind.FULL in shared("权金花", "權金花")
    assert NameKeyKind.PINYIN in shared("劉美玲", "Liu Meiling")


def test_a_family_syllable_alone_is_a_family_name():
    """'권' and 'Kwon' are the family name of 권금화, and not her given name."""
    assert shared("권금화", "권") == {NameKeyKind.FAMILY}
    assert shared("권금화", "Kwon") == {NameKeyKind.FAMILY}
    assert NameKeyKind.GIVEN in shared("권금화", "Kumhwa")


# Searching, through the API and the case list page.


@pytest.fixture
def people(team_north, alice):
    return people_to_find(team=team_north, caseworker=alice)


@pytest.fixture
def api_client():
    """`api_client(user)`: an API client signed in as `user` with both factors."""
    return lambda user: sign_in(APIClient(), user)


def search(client, term):
    response = client.post(PERSON_SEARCH, {"name": term}, format="json")
    assert response.status_code == 200, response.content
    return response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "who", "reason"),
    [
        ("권금화", "kwon", "matched the full name"),
        ("Kwon Kum Hwa", "kwon", "matched the romanised name"),
        ("Gwon Geum-hwa", "kwon", "matched the romanised name"),
        ("Quan Jinhua", "kwon", "matched the name in pinyin"),
        ("权金花", "kwon", "matched another name they are known by"),
        ("김영철", "kim", "matched the name read in Korean"),
        ("Kim Yong-chol", "kim", "matched the romanised name"),
        ("刘美玲", "liu", "matched the full name"),
        ("Liu Meiling", "liu", "matched the name in pinyin"),
        ("Lee Soon-hee", "ri", "matched the romanised name"),
    ],
)
def test_a_caseworker_finds_the_person_first_however_the_name_is_spelled(
    term, who, reason, people, alice, api_client
):
    """The person comes first, with the reason in words."""
    [first, *_rest] = search(api_client(alice), term).json()
    assert first["reference"] == getattr(people, who).reference
    assert first["match_reason"] == reason


@pytest.mark.django_db
def test_results_are_ranked_exact_then_romanised_then_initial_then_family(
    people, alice, api_client
):
    """
    권금화 first (her own name), then 권경숙 (family name, given name starting alike), then
    권민수 (family name only); the family syllable alone finds all three.
    """
    rows = search(api_client(alice), "Kwon Kum-hwa").json()
    assert [row["reference"] for row in rows] == [
        people.kwon.reference,
        people.kwon_k.reference,
        people.kwon_m.reference,
    ]
    assert [row["match_rank"] for row in rows] == [1, 2, 3]
    assert rows[1]["match_reason"] == "matched the family name and the given name's initial"
    assert rows[2]["match_reason"] == "matched the family name only"
    family = search(api_client(alice), "권").json()
    assert {row["reference"] for row in family} == {
        people.kwon.reference,
        people.kwon_k.reference,
        people.kwon_m.reference,
    }


@pytest.mark.django_db
def test_a_caseworker_never_finds_a_person_outside_her_cases(
    people, team_south, charlie, api_client
):
    """Charlie of South finds only his own 권, never North's, by any spelling."""
    own = services.person_create(actor=charlie, full_name="권순자", role="refugee")
    services.case_open(
        team=team_south,
        actor=charlie,
        risk_level="low",
        members=[(own, "principal")],
        caseworkers=[charlie],
    )
    client = api_client(charlie)
    for term in ["권", "Kwon", "권금화", "Gwon Geum-hwa", "Quan Jinhua", "金英哲"]:
        references = {row["reference"] for row in search(client, term).json()}
        assert references <= {own.reference}, term
    assert {row["reference"] for row in search(client, "Kwon").json()} == {own.reference}
    cases = client.post(CASE_SEARCH, {"q": "Kwon Kum Hwa"}, format="json").json()
    assert people.case.reference not in {row["reference"] for row in cases}


@pytest.mark.django_db
def test_nothing_found_says_what_to_try(people, alice, api_client):
    """An empty answer carries the hint header; a found one does not."""
    response = search(api_client(alice), "Zzyzx Qwerty")
    assert response.json() == []
    assert response["Search-Hint"] == "try-full-name-or-alias"
    assert "Search-Hint" not in search(api_client(alice), "권금화")


@pytest.mark.django_db
def test_the_case_list_page_ranks_cases_and_says_why(people, client, alice):
    """The page's search finds the case by a romanised name, says why, and hints on nothing."""
    sign_in(client, alice)
    page = client.post("/cases/", {"q": "Gwon Geum-hwa"}).content.decode()
    assert people.case.reference in page
    assert "matched the romanised name" in page
    empty = client.post("/cases/", {"q": "Zzyzx Qwerty"}).content.decode()
    assert "Try the full name or an alias" in empty


@pytest.mark.django_db
def test_the_case_search_finds_by_any_spelling_with_the_reason(people, alice, api_client):
    """The API's case search reads a name as the person search does, and says why."""
    rows = api_client(alice).post(CASE_SEARCH, {"q": "Quan Jinhua"}, format="json").json()
    assert [(row["reference"], row["match_reason"]) for row in rows] == [
        (people.case.reference, "matched the name in pinyin")
    ]


# The keys follow every write to a name.


def found(user, term) -> set:
    return {person.pk for person in people_search(user=user, name=term, limit=50).people}


@pytest.mark.django_db
def test_a_voided_alias_no_longer_finds_the_person(people, alice):
    """Voiding 權金花 takes away its pinyin; her Hangul name still finds her."""
    assert people.kwon.pk in found(alice, "Quan Jinhua")
    alias = PersonAlias.objects.get(person=people.kwon)
    services.record_void(record=alias, reason="typed for the wrong person", actor=alice)
    assert people.kwon.pk not in found(alice, "Quan Jinhua")
    assert people.kwon.pk in found(alice, "Gwon Geum-hwa")


@pytest.mark.django_db
def test_a_corrected_name_is_found_by_the_new_name_only(people, alice):
    """After the name is changed, its old spellings find nobody."""
    services.person_update(person=people.kwon_m, actor=alice, full_name="박민수")
    assert people.kwon_m.pk not in found(alice, "권")
    assert people.kwon_m.pk in found(alice, "Park Min-su")


@pytest.mark.django_db
def test_an_erased_person_keeps_no_name_key(people, alice):
    """Erasure leaves no key of the name or the aliases."""
    person = Person.objects.get(pk=people.kwon.pk)
    person_erase_identifying_details(person=person, actor=alice, because="consent_withdrawn")
    assert not NameKey.objects.filter(person=person).exists()
    assert person.pk not in found(alice, "Kwon Kum Hwa")


@pytest.mark.django_db
def test_reindex_names_rebuilds_lost_keys_and_is_idempotent(people, alice, capsys):
    """After a bulk load (no keys), reindex_names computes them; a second run changes nothing."""
    NameKey.objects.all().delete()
    assert people.kwon.pk not in found(alice, "Gwon Geum-hwa")
    call_command("reindex_names", "--batch-size", "2")
    assert "recomputed for 6 of 6 people" in capsys.readouterr().out
    assert people.kwon.pk in found(alice, "Gwon Geum-hwa")
    call_command("reindex_names")
    assert "recomputed for 0 of 6 people" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_index_key_rotation_recomputes_the_name_keys(people, alice, settings, capsys):
    """reindex_blind_indexes also rewrites the name keys under the new index key."""
    old_key = generate_key()
    settings.SHIMTEO_INDEX_KEY, settings.SHIMTEO_OLD_INDEX_KEYS = old_key, ""
    call_command("reindex_names")
    before = set(NameKey.objects.values_list("digest", flat=True))
    settings.SHIMTEO_INDEX_KEY, settings.SHIMTEO_OLD_INDEX_KEYS = generate_key(), old_key
    # Meanwhile the old digests still find her.
    assert people.kwon.pk in found(alice, "Gwon Geum-hwa")
    call_command("reindex_blind_indexes")
    output = capsys.readouterr().out
    assert "casework.services.names.name_keys_reindex: 6 recomputed" in output
    assert "Remaining under an old index key: 0" in output
    assert not before & set(NameKey.objects.values_list("digest", flat=True))
    settings.SHIMTEO_OLD_INDEX_KEYS = ""
    assert people.kwon.pk in found(alice, "Gwon Geum-hwa")


# However many people share a name, a search does the same few queries and lists at most a page.


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_search_does_the_same_queries_for_one_match_as_for_many(
    people, alice, team_north, client, monkeypatch
):
    """
    A family name shared by many people costs no more queries than a name shared by none (fewer:
    once the better ranks fill the page the worse are not read): visibility, rank and the limit
    are decided in the database, and what is beyond the limit is said, not counted. The case
    list then says there are more and asks for the given name.
    """
    for name in ["권순자", "권영미", "권정호", "권미란"]:
        person = services.person_create(actor=alice, full_name=name, role="refugee")
        services.case_open(
            team=team_north,
            actor=alice,
            risk_level="low",
            members=[(person, "principal")],
            caseworkers=[alice],
        )
    queries = {}
    for term in ["Liu Meiling", "권"]:
        with CaptureQueriesContext(connection) as people_queries:
            people_found = people_search(user=alice, name=term, limit=3)
        with CaptureQueriesContext(connection) as case_queries:
            cases_found = cases_matching(Case.objects.visible_to(alice), term, limit=3)
        queries[term] = (len(people_queries), len(case_queries))
        assert len(people_found.people) == (1 if term == "Liu Meiling" else 3)
    many, one = queries["권"], queries["Liu Meiling"]
    assert many[0] <= one[0] <= 8 and many[1] <= one[1] <= 9, queries
    assert people_found.more and cases_found.more and len(cases_found.matches) == 3
    assert [person.reference for person in people_found.people] == sorted(
        person.reference for person in people_found.people
    )
    monkeypatch.setattr("casework.selectors.search.SEARCH_CASES_LIMIT", 3)
    sign_in(client, alice)
    page = client.post("/cases/", {"q": "권"}).content.decode()
    assert "More than 3 cases match" in page
    assert "More than" not in client.post("/cases/", {"q": "Liu Meiling"}).content.decode()


# Who matched: a case found through a child's alias names the child, not the mother.


@pytest.mark.django_db
def test_a_case_found_through_a_childs_alias_names_the_child(team_north, alice, client, api_client):
    """
    최영희 and her daughter 리은정, whose Chinese school papers say 李银贞: searching 李银贞
    finds the case through the daughter's alias, and both the page and the API say it was the
    daughter's name, not the mother's (the principal) that matched.
    """
    mother = services.person_create(actor=alice, full_name="최영희", role="refugee")
    daughter = services.person_create(
        actor=alice, full_name="리은정", aliases=["李银贞"], role="child"
    )
    case = services.case_open(
        team=team_north,
        actor=alice,
        risk_level="high",
        members=[(mother, "principal"), (daughter, "child")],
        caseworkers=[alice],
    )
    rows = api_client(alice).post(CASE_SEARCH, {"q": "李银贞"}, format="json").json()
    assert [(r["reference"], r["match_person"], r["match_reason"]) for r in rows] == [
        (case.reference, daughter.reference, "matched another name they are known by")
    ]
    sign_in(client, alice)
    page = client.post("/cases/", {"q": "Choe Yong-hui"}).content.decode()
    assert "최영희</span>: matched the romanised name" in page
    page = client.post("/cases/", {"q": "李银贞"}).content.decode()
    assert "리은정</span>: matched another name they are known by" in page
    # A reference names nobody: the case's own reference matched.
    by_reference = api_client(alice).post(CASE_SEARCH, {"q": case.reference}, format="json")
    assert by_reference.json()[0]["match_person"] is None


# The keys carry the person's reference, so that a search reads them in its page's order.


def keys_out_of_step() -> int:
    """Name keys whose copy of the reference is not their person's."""
    return NameKey.objects.exclude(reference=F("person__reference")).count()


@pytest.mark.django_db
def test_every_writer_of_keys_copies_the_persons_reference(people, alice):
    """A new person, an alias added, a name corrected and a merge all leave keys in step."""
    services.person_alias_add(person=people.kwon_k, name="Kwon Kyong Suk", actor=alice)
    services.person_update(person=people.kwon_m, actor=alice, full_name="박민수")
    services.person_merge(source=people.kwon_m, target=people.kwon_k, actor=alice)
    assert NameKey.objects.filter(person=people.kwon_k, alias__isnull=False).exists()
    assert NameKey.objects.filter(reference=people.kwon_k.reference).count() > 10
    assert keys_out_of_step() == 0


@pytest.mark.django_db
def test_reindex_names_mends_a_key_whose_reference_is_wrong(people, alice, capsys):
    """Keys bulk-loaded with the wrong reference are rewritten, and she is found again."""
    NameKey.objects.filter(person=people.kwon).update(reference="P-WRONG")
    call_command("reindex_names")
    assert "recomputed for 1 of 6 people" in capsys.readouterr().out
    assert keys_out_of_step() == 0
    assert people.kwon.pk in found(alice, "Gwon Geum-hwa")


@pytest.mark.django_db
def test_a_page_of_a_common_family_name_is_the_first_by_reference_among_those_visible(
    people, alice, charlie, team_north, team_south
):
    """
    Twelve 권 in Alice's cases and twelve in Charlie's: a page of five for 권 is Alice's first
    five by reference (a page's walk skips those she may not see and stops when it is full).
    """
    mine, theirs = [], []
    for team, worker, into in ((team_north, alice, mine), (team_south, charlie, theirs)):
        for number in range(12):
            person = services.person_create(
                actor=worker, full_name=f"권{'가나다라마바사아자차카타'[number]}희", role="refugee"
            )
            services.case_open(
                team=team,
                actor=worker,
                risk_level="low",
                members=[(person, "principal")],
                caseworkers=[worker],
            )
            into.append(person)
    page = people_search(user=alice, name="권", limit=5)
    visible = sorted(
        [people.kwon, people.kwon_k, people.kwon_m, *mine], key=lambda person: person.reference
    )
    assert [p.reference for p in page.people] == [p.reference for p in visible[:5]]
    assert page.more
    assert not {p.pk for p in page.people} & {p.pk for p in theirs}


# A rank's cases are found from its few keys, or along the list when many hold them: the same.


def _kwons_in_cases(team, worked: list[tuple]) -> None:
    """
    A case of `team` for each (caseworker, risk) of `worked`, its principal named 권가화, 권나화,
    권다화… in turn: one family name, a given name each.
    """
    for number, (worker, risk) in enumerate(worked):
        person = services.person_create(
            actor=worker, full_name=f"권{'가나다라마'[number]}화", role="refugee"
        )
        services.case_open(
            team=team,
            actor=worker,
            risk_level=risk,
            members=[(person, "principal")],
            caseworkers=[worker],
        )


@pytest.mark.django_db
def test_a_rank_searched_from_its_keys_finds_what_the_walk_along_the_list_finds(
    people, alice, bob, charlie, sue, admin_user, team_north, team_south, monkeypatch
):
    """
    A rank whose digests few people hold is searched from their keys, a rank held by many by
    walking the cases most at risk first (`FEW_HOLDERS` chooses), and on PostgreSQL every rank
    along the cases' copies of the keys (`CaseNameKey`), passing over other teams' cases on the
    team they hold, or, for a reader of few cases, every rank from those cases' copies: all give the same cases, in the same order, with the same reasons, for a
    caseworker (not her colleague's cases, not another team's), a supervisor and an
    administrator who broke the glass of one South case, and the limit cuts both at the same
    case.
    """
    for team, worker, risks in (
        (team_north, alice, ["high", "low", "medium", "critical"]),
        (team_north, bob, ["critical", "medium"]),
        (team_south, charlie, ["high", "low"]),
    ):
        _kwons_in_cases(team, [(worker, risk) for risk in risks])
    south_case = Case.objects.filter(team=team_south).order_by("reference").first()
    services.case_break_glass(
        case=south_case, actor=admin_user, reason="A court order for the family's file."
    )
    terms = ["권", "Kwon Kum Hwa", "Quan Jinhua", "权金花", "Gwon Ga-hwa", people.case.reference]
    # From the keys, along the list, and (where PostgreSQL keeps them) along the cases' copies,
    # or from the reader's few cases' copies (`querysets.FEW_CASES`).
    ways = [(False, 5000, 0), (False, 0, 0)]
    if connection.vendor == "postgresql":
        ways += [(True, 0, 0), (True, 0, 200)]
    for user in (alice, sue, charlie, admin_user):
        for term in terms:
            for limit in (2, 200):
                answers = []
                for walking_entries, few, few_cases in ways:
                    monkeypatch.setattr(
                        "casework.selectors.search._case_entries_kept",
                        lambda kept=walking_entries: kept,
                    )
                    monkeypatch.setattr("casework.selectors.search.FEW_HOLDERS", few)
                    monkeypatch.setattr("casework.querysets.FEW_CASES", few_cases)
                    # As a request loads its user: whether she reads few cases is asked anew.
                    reader = type(user).objects.get(pk=user.pk)
                    found = cases_matching(
                        Case.objects.visible_to(reader), term, limit=limit, seen_by=reader
                    )
                    answers.append(
                        (
                            list(found.matches.items()),
                            found.more,
                            found.by_name,
                            found.in_list_order(),
                        )
                    )
                assert all(answer == answers[0] for answer in answers), (user.username, term, limit)
    # The grant's one case, a team the administrator is no member of, is found; nothing else.
    found = cases_matching(Case.objects.visible_to(admin_user), "권", seen_by=admin_user)
    assert list(found.matches) == [south_case.pk]


@pytest.mark.django_db
def test_a_case_search_keeps_its_walks_per_reader_and_list_and_finds_the_same(
    people, alice, bob, charlie, sue, team_north, monkeypatch
):
    """
    The walks' SQL is compiled once per reader, list (its written condition) and number of
    cases passed over, then run with each search's digests: a second search compiles none, and
    every search finds what it finds compiled afresh, users and lists taken in turn, so that no
    reader's or list's SQL answers another's.
    """
    from casework.selectors import search as search_module

    # Each reader's cases are walked, few as they are here (`querysets.FEW_CASES`).
    monkeypatch.setattr("casework.querysets.FEW_CASES", 0)
    _kwons_in_cases(team_north, [(bob, risk) for risk in ["high", "low", "critical"]])
    compiled = []
    compile_walk = search_module._walk_sql
    monkeypatch.setattr(
        search_module, "_walk_sql", lambda *args: compiled.append(1) or compile_walk(*args)
    )
    search_module._WALKS.clear()

    def lists(user):
        return [
            Case.objects.visible_to(user),
            Case.objects.visible_to(user).filter(risk_level="high"),
        ]

    def answers():
        found = [
            cases_matching(cases, term, limit=limit, seen_by=user)
            for user in (alice, bob, charlie, sue)
            for cases in lists(user)
            for term in ("권", "Kwon Kum Hwa", "权金花")
            for limit in (1, 200)
        ]
        return [
            (list(one.matches.items()), one.more, one.by_name, one.in_list_order()) for one in found
        ]

    # One of Bob's people as a bulk load leaves them: found by the exact name alone, by SQL
    # kept per list too (`_cases_of_unkeyed_members`).
    NameKey.objects.filter(
        person__full_name_index=Person._meta.get_field("full_name_index").digest("권나화")
    ).delete()
    kept = answers()
    if connection.vendor != "postgresql":
        return
    assert compiled
    compiled.clear()
    assert answers() == kept
    assert compiled == []
    with monkeypatch.context() as patched:
        # Every walk compiled for its own search, as before the SQL was kept.
        patched.setattr(search_module, "written_condition_of", lambda cases: None)
        assert answers() == kept
    assert compiled
    # Bob's cases are his, not Alice's list's; Charlie (South) finds none of North's.
    assert kept[0] != kept[len(kept) // 4]


@pytest.mark.django_db
def test_a_searched_page_lists_what_the_api_orders_page_by_page(
    people, alice, bob, sue, team_north, client, api_client, monkeypatch
):
    """
    The case list searched alone takes each page's cases from the search's own order (the
    match, then most at risk, then the reference) and reads only them: page after page, the
    same cases in the same order as the API's search, which orders them in SQL, for a
    caseworker and a supervisor; a case outside the reader's list is never read in; and a
    member whose keys a bulk load left unwritten is found by the exact name, on the page too.
    """
    _kwons_in_cases(
        team_north,
        [(alice, "high"), (alice, "low"), (alice, "critical"), (bob, "critical"), (bob, "medium")],
    )
    unkeyed = Person.objects.get(
        full_name_index=Person._meta.get_field("full_name_index").digest("권가화")
    )
    NameKey.objects.filter(person=unkeyed).delete()
    monkeypatch.setattr("casework.views.browse.CASES_PER_PAGE", 2)

    def listed(user, term) -> list[str]:
        sign_in(client, user)
        references, number = [], 1
        while True:
            page = client.post("/cases/", {"q": term, "page": number})
            assert page.status_code == 200
            references += [case.reference for case in page.context["page"].object_list]
            if not page.context["page"].has_next():
                return references
            number += 1

    for user in (alice, sue):
        for term in ("권", "Kwon Kum Hwa", "권가화", people.case.reference):
            answer = api_client(user).post(CASE_SEARCH, {"q": term}, format="json").json()
            expected = [row["reference"] for row in answer]
            assert listed(user, term) == expected, (user.username, term)
    # Alice's list: her own cases and the people to find's, not Bob's; and not 권가화's, whose
    # family name is not a key of hers until `reindex_names` writes them.
    assert len(listed(alice, "권")) == 3
    assert len(listed(sue, "권")) == 5
    found = client.post("/cases/", {"q": "권가화"}).content.decode()
    assert "matched the full name" in found
