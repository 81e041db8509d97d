"""Blind indexes: one digest for every way a name can be typed, and none shared across scopes or keys."""

import unicodedata

import pytest

from casework.models import Person
from casework.querysets import NAME_SCOPE
from tests.factories import PersonFactory
from vault.blind_index import blind_index, normalise
from vault.keyring import generate_key

HANGUL_NFC = "김순희"


def full_width(text: str) -> str:
    """ASCII typed on a full-width (CJK) keyboard setting."""
    return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) for ch in text)


@pytest.mark.parametrize(
    "typed",
    [
        unicodedata.normalize("NFD", HANGUL_NFC),
        "김 순희",
        " 김순희 ",
        "김\u3000순\u3000희",  # ideographic (full-width) spaces
        "김·순희",
        "김-순희",
        unicodedata.normalize("NFD", "김 순 희"),
    ],
    ids=["nfd", "space", "padded", "full-width-spaces", "middle-dot", "hyphen", "nfd-spaced"],
)
def test_hangul_name_typed_differently_gives_one_digest(typed):
    """NFD jamo, spaces (half- or full-width) and punctuation do not change a Hangul name's digest."""
    assert blind_index(NAME_SCOPE, typed) == blind_index(NAME_SCOPE, HANGUL_NFC)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("金顺姬", "金顺姬"),
        ("金\u3000顺姬", "金顺姬"),
        ("金・顺姬", "金顺姬"),
        ("\uf90a顺姬", "金顺姬"),  # CJK compatibility ideograph for 金
        ("金顺姬２", "金顺姬2"),  # full-width digit
        (full_width("KIM Sun-hui"), "kim sun-hui"),
        ("KIM SUN HUI", "kim sun hui"),
        ("Straße", "STRASSE"),  # case folding, not just lowering
    ],
)
def test_hanzi_and_latin_forms_fold_to_one_digest(typed, canonical):
    """Full-width and compatibility forms and letter case do not change a name's digest."""
    assert blind_index(NAME_SCOPE, typed) == blind_index(NAME_SCOPE, canonical)


@pytest.mark.parametrize(
    ("one", "other"),
    [("김순희", "김순이"), ("金顺姬", "金順姬"), ("Kim", "Kin"), ("김순희", "金顺姬")],
)
def test_different_names_give_different_digests(one, other):
    """Folding only merges ways of typing one name; different names stay apart."""
    assert blind_index(NAME_SCOPE, one) != blind_index(NAME_SCOPE, other)


def test_nothing_searchable_gives_no_digest():
    """Empty, blank or punctuation-only values have no digest, so they never match each other."""
    for value in (None, "", "   ", "\u3000", "--·"):
        assert blind_index(NAME_SCOPE, value) is None


def test_scopes_give_different_digests():
    """The same value indexed as a name and as a contact gives unrelated digests."""
    assert blind_index("person-name", "김순희") != blind_index("person-contact", "김순희")


def test_digests_are_truncated_hex():
    """A digest is 32 hex characters: enough to match, no plaintext in it."""
    digest = blind_index(NAME_SCOPE, "김순희")
    assert len(digest) == 32
    int(digest, 16)


def test_changing_the_index_key_changes_digests(settings):
    """Digests depend on SHIMTEO_INDEX_KEY, not only on the value."""
    before = blind_index(NAME_SCOPE, "김순희")
    settings.SHIMTEO_INDEX_KEY = generate_key()
    assert blind_index(NAME_SCOPE, "김순희") != before


def test_digests_do_not_depend_on_field_keys(settings):
    """Rotating field keys leaves every blind index valid."""
    before = blind_index(NAME_SCOPE, "김순희")
    settings.SHIMTEO_FIELD_KEYS = f"k2:{generate_key()},{settings.SHIMTEO_FIELD_KEYS}"
    assert blind_index(NAME_SCOPE, "김순희") == before


def test_search_finds_a_name_typed_in_another_form(db):
    """A caseworker finds 김순희 whether they type it decomposed, spaced or with full-width spaces."""
    person = PersonFactory(full_name="김순희")
    PersonFactory(full_name="박영희")
    for typed in (unicodedata.normalize("NFD", "김순희"), "김 순 희", "김\u3000순희"):
        assert list(Person.objects.matching_name(typed)) == [person]
    assert not Person.objects.matching_name("김순").exists()


def test_isalnum_means_letters_and_numbers_in_this_unicode_database():
    """normalise() keeps a name whole when isalnum() says so: that must mean categories L and N."""
    import sys

    strays = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if chr(code).isalnum() and unicodedata.category(chr(code))[0] not in "LN"
    ]
    assert strays == [], f"Unicode {unicodedata.unidata_version}"


@pytest.mark.parametrize(
    "typed",
    [
        "Kim Sun Hui",
        "KIM-SUNHUI",
        "kimsunhui",
        "김순희",
        "金顺姬",
        "Nguyễn Thị",
        full_width("Kim"),
        "ﬁ",
        "Straße",
    ],
)
def test_the_quick_paths_fold_as_the_full_rule(typed):
    """ASCII and all-alphanumeric names skip steps; the digest must be the one the full rule gives."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", typed).casefold())
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LMN")
    assert normalise(typed) == kept
