"""
The identifiers a named document prints for the person it presents (names by script, date of
birth, place of detention), and their list for the supervisor who approves it.
"""

import re

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casework.models import PersonAlias

HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def with_identifiers(section: dict, person_row, person_facts, shown) -> dict:
    """`section` with the identifiers of the person it presents, and whose they are (for the
    approval page's list, `identifiers_printed`)."""
    return {
        **section,
        "identifiers": identifiers(person_row, person_facts, shown),
        "identified": str(person_row.pk),
    }


def identifiers_printed(sections: list[dict]) -> dict[str, list[str]]:
    """Per person, the identifiers the document prints ("Date of birth: 11 Feb 1986"), for the
    supervisor who approves it."""
    printed = {}
    for section in sections:
        for item in section.get("identifiers", []):
            printed.setdefault(section["identified"], []).append(
                pgettext("label and value", "%(label)s: %(value)s")
                % {"label": item["label"], "value": item["value"]}
            )
    return printed


def identifiers(person_row, person_facts, shown) -> list[dict]:
    """What a recipient needs to act for a named person; nothing unless the family is named."""
    if not shown["named"]:
        return []
    listed = []
    names = [person_row.full_name] + [
        alias.name for alias in PersonAlias.objects.filter(person=person_row)
    ]

    def first(pattern, exclude=None):
        return next(
            (n for n in names if pattern.search(n) and not (exclude and exclude.search(n))), ""
        )

    for label, value in (
        (_("Name in Korean (Hangul)"), first(HANGUL)),
        (_("Name, romanised"), first(LATIN, exclude=HANGUL)),
        (_("Name in Chinese, as recorded"), first(HAN, exclude=HANGUL)),
    ):
        if value:
            listed.append({"label": label, "value": value, "lang": _script_lang(value)})
    if person_row.date_of_birth:
        listed.append(
            {
                "label": _("Date of birth"),
                "value": date_format(person_row.date_of_birth),
                "lang": "",
            }
        )
    elif person_row.birth_year:
        listed.append(
            {"label": _("Year of birth"), "value": str(person_row.birth_year), "lang": ""}
        )
    if person_facts.detention is not None and person_facts.detention.place:
        listed.append(
            {"label": _("Place of detention"), "value": person_facts.detention.place, "lang": ""}
        )
    return listed


def _script_lang(value: str) -> str:
    if HANGUL.search(value):
        return "ko"
    if HAN.search(value):
        return "zh-Hans"
    return "und-Latn"
