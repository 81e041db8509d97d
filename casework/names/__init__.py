"""
Name keys: the normalised forms of a name that a forgiving search compares, each stored only as a
keyed digest (`casework.models.NameKey`), never in clear.

A name gives keys of several kinds (`casework.choices.NameKeyKind`): the whole name folded as
the exact search folds it, with simplified and traditional characters made one; its romanised
skeleton (RR, MR and common spellings fold to one form, `korean.skeleton`); its Korean reading
when written in characters (權金花 → 권금화); its pinyin; the family name with the given name's
initial; the family name alone; the given name alone. A search term gives the keys it could be
(a Latin word may be a family name, a given name or pinyin); the kinds a stored key and a term's
key share say how well they matched (`RANKS`).

Pure functions: no database, no key. The digests are made by `casework.services.names`.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from vault.blind_index import normalise

from ..choices import NameKeyKind
from . import chinese, korean

# Prefixes that keep keys of different origins apart within one kind; digits survive
# `vault.blind_index.normalise`, which drops punctuation, and no folded name holds one.
LATIN, PINYIN = "1", "2"


def key_scope(kind: str) -> str:
    """Each kind has its own index key, so one text in two kinds gives unrelated digests."""
    return f"person-name-{kind}"


@dataclass(frozen=True)
class Reading:
    """One way to read a name: its family part and given part as keys and romanised skeletons."""

    families: frozenset[str]  # family keys: canonical Hangul, LATIN+skeleton or PINYIN+pinyin
    roman: frozenset[str]  # family and given name, romanised and folded, family first
    given: frozenset[str]  # the given name alone, romanised and folded (or PINYIN+pinyin)
    initials: frozenset[str]  # family key + the given name's first letter


def _hangul_reading(hangul: str) -> Reading:
    family, given = korean.split_hangul(hangul)
    family = korean.canonical_family(family)
    given_forms = {
        korean.skeleton(korean.romanise_rr(given)),
        korean.skeleton(korean.romanise_mr(given)),
    }
    given_forms.discard("")
    family_roman = korean.skeleton(korean.romanise_rr(family))
    return Reading(
        families=frozenset({family}) if family else frozenset(),
        roman=frozenset(family_roman + form for form in given_forms or {""}),
        given=frozenset(given_forms),
        initials=frozenset(family + form[0] for form in given_forms if family),
    )


def _han_readings(name: str) -> list[Reading]:
    family, given = chinese.split_han(chinese.simplified(name))
    readings = [_hangul_reading(reading) for reading in chinese.korean_readings(name)]
    family_pinyin, given_pinyin = chinese.pinyin(family), chinese.pinyin(given)
    if family_pinyin:
        readings.append(
            Reading(
                families=frozenset({PINYIN + family_pinyin}),
                roman=frozenset(),
                given=frozenset({PINYIN + given_pinyin} if given_pinyin else ()),
                initials=frozenset(
                    {PINYIN + family_pinyin + given_pinyin[0]} if given_pinyin else ()
                ),
            )
        )
    return readings


def _latin_reading(family: str, given_words: list[str], *, as_pinyin: bool) -> Reading:
    spelled = korean.families_spelled(family)
    given = korean.skeleton("".join(given_words))
    families = set(spelled) or {LATIN + korean.skeleton(family)}
    family_romans = {korean.skeleton(korean.romanise_rr(h)) for h in spelled} or {
        korean.skeleton(family)
    }
    initials = {key + given[0] for key in families} if given else set()
    given_keys = {given} if given else set()
    if as_pinyin:
        family_letters = korean.latin_letters(family)
        given_letters = korean.latin_letters("".join(given_words))
        families.add(PINYIN + family_letters)
        if given_letters:
            initials.add(PINYIN + family_letters + given_letters[0])
            given_keys.add(PINYIN + given_letters)
    return Reading(
        families=frozenset(families),
        roman=frozenset(roman + given for roman in family_romans),
        given=frozenset(given_keys),
        initials=frozenset(initials),
    )


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"[\s,]+", name) if korean.latin_letters(word)]


def _readings(name: str, *, searching: bool) -> list[Reading]:
    """The readings of a name. A stored Latin name is read one way; a term every likely way."""
    if chinese.has_han(name):
        return _han_readings(name)
    if korean.is_hangul(name):
        readings = [_hangul_reading(name)]
        compact = "".join(name.split())
        if searching and len(compact) <= 2:
            # "금화" may be a given name alone: read it as one too.
            given = korean.skeleton(korean.romanise_rr(compact))
            readings.append(Reading(frozenset(), frozenset(), frozenset({given}), frozenset()))
        return readings
    words = _words(name)
    if not words:
        return []
    if not searching:
        # The family name first, as East Asian names are written, unless only the last word is
        # a known family name ("Kum-hwa Kwon").
        last_is_family = (
            len(words) > 1
            and not korean.families_spelled(words[0])
            and korean.families_spelled(words[-1])
        )
        if last_is_family:
            return [_latin_reading(words[-1], words[:-1], as_pinyin=True)]
        return [_latin_reading(words[0], words[1:], as_pinyin=True)]
    readings = [_latin_reading(words[0], words[1:], as_pinyin=True)]
    if len(words) > 1:
        readings.append(_latin_reading(words[-1], words[:-1], as_pinyin=True))
    return readings


def _pinyin_keys(name: str, *, searching: bool) -> set[str]:
    if chinese.has_han(name):
        family, given = chinese.split_han(chinese.simplified(name))
        return {chinese.pinyin(family) + chinese.pinyin(given)} - {""}
    if searching and not korean.is_hangul(name):
        words = [korean.latin_letters(word) for word in _words(name)]
        orders = {"".join(words), "".join(words[-1:] + words[:-1])}
        return orders - {""}
    return set()


def _exact(name: str) -> str:
    return normalise(chinese.simplified(name))


def name_keys(name: str, *, searching: bool = False) -> set[tuple[str, str]]:
    """
    The (kind, text) keys of a stored name, or with `searching`, of a search term: every reading
    a caseworker's typing may mean. A single word searched is also a family or a given name.
    """
    keys: set[tuple[str, str]] = set()
    if not name or not _exact(name):
        return keys
    keys.add((NameKeyKind.FULL, _exact(name)))
    if chinese.has_han(name):
        keys |= {(NameKeyKind.HANGUL, reading) for reading in chinese.korean_readings(name)}
    elif korean.is_hangul(name):
        keys.add((NameKeyKind.HANGUL, normalise(name)))
    keys |= {(NameKeyKind.PINYIN, text) for text in _pinyin_keys(name, searching=searching)}
    single = searching and len(_words(name)) <= 1 and len("".join(name.split())) <= 2
    for reading in _readings(name, searching=searching):
        keys |= {(NameKeyKind.ROMAN, text) for text in reading.roman}
        keys |= {(NameKeyKind.FAMILY_INITIAL, text) for text in reading.initials}
        keys |= {(NameKeyKind.FAMILY, text) for text in reading.families}
        if not searching or single:
            keys |= {(NameKeyKind.GIVEN, text) for text in reading.given}
    if searching and len(_words(name)) == 1 and not korean.is_hangul(name):
        # One Latin word: a family name, or a given name written as one word ("Kumhwa").
        word = _words(name)[0]
        keys.add((NameKeyKind.GIVEN, korean.skeleton(word)))
        keys.add((NameKeyKind.GIVEN, PINYIN + korean.latin_letters(word)))
    return {(kind, text) for kind, text in keys if text}


# How well a term matched, best first: the exact name, the whole name in another script or
# spelling, the family name and the given name's initial, the family name, the given name.
RANKS: dict[str, int] = {
    NameKeyKind.FULL: 0,
    NameKeyKind.HANGUL: 1,
    NameKeyKind.ROMAN: 1,
    NameKeyKind.PINYIN: 1,
    NameKeyKind.FAMILY_INITIAL: 2,
    NameKeyKind.FAMILY: 3,
    NameKeyKind.GIVEN: 4,
}
# Why a person was found, shown beside them.
REASONS = {
    NameKeyKind.FULL: _("matched the full name"),
    NameKeyKind.HANGUL: _("matched the name read in Korean"),
    NameKeyKind.ROMAN: _("matched the romanised name"),
    NameKeyKind.PINYIN: _("matched the name in pinyin"),
    NameKeyKind.FAMILY_INITIAL: _("matched the family name and the given name's initial"),
    NameKeyKind.FAMILY: _("matched the family name only"),
    NameKeyKind.GIVEN: _("matched the given name only"),
}
ALIAS_REASON = _("matched another name they are known by")
