"""
What the brief and the appeal share when they put a plan into words: paragraphs with their
footnotes, dates to the month, ages and lengths, and the refusal of a document no fact supports.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.choices import EntitlementKind, IncidentKind, LegalStatus

from .casefacts import Age
from .citations import listing_and
from .rules import Refusal


class DocumentError(Exception):
    """A document cannot be built; the message is ours and names no one."""


def refusal_message(refusal: Refusal) -> str:
    return {
        Refusal.NOT_AT_RISK: _(
            "No recorded fact supports an urgent appeal for this person: they are not recorded "
            "as detained, arrested, undocumented in China or in transit. Record the facts first."
        ),
        Refusal.IN_HIDING: _(
            "A communication to the UN special procedures is transmitted to the Government of "
            "China: for a person in hiding, whom the authorities neither hold nor pursue, it "
            "would announce them. It is offered only for someone detained or arrested."
        ),
        Refusal.NOT_KNOWN: _(
            "A communication to the UN special procedures is transmitted to the Government of "
            "China: about a person no authority has refused or holds, it would announce them. "
            "An allegation letter is offered only once an authority has refused or holds them."
        ),
        Refusal.NOTHING_TO_ASK: _(
            "No recorded fact supports a submission for this person: no benefit that fits their age "
            "is refused now, and neither their nationality nor their registration is in question."
        ),
    }[refusal]


def paragraph(text: str, *notes: list) -> dict:
    return {"text": text, "notes": [note for group in notes for note in group]}


def month(day) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT")


def shown_age(person, shown: dict) -> str:
    """
    A person's age as the document may print it: exact where they are named; where they have a
    pseudonym, its age band is in the pseudonym already and nothing more is printed (an exact age
    with a birth month narrows a pseudonymised child down to a few children).
    """
    return age_text(person.age) if shown["named"] and person.age.known else ""


def age_text(age: Age) -> str:
    if age.high == 0:
        return _("under one year old")
    if age.low == 0 and age.high == 1:
        return _("under two years old")
    if age.low == age.high:
        return ngettext("%(n)s year old", "%(n)s years old", age.low) % {"n": age.low}
    return _("%(low)s or %(high)s years old") % {"low": age.low, "high": age.high}


def length_text(days: int) -> str:
    """A detention's length, rounded down: days for two weeks, weeks for two months, then months."""
    if days < 14:
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    if days < 61:
        weeks = days // 7
        return ngettext("%(n)s week", "%(n)s weeks", weeks) % {"n": weeks}
    months = days // 30
    return ngettext("%(n)s month", "%(n)s months", months) % {"n": months}


def benefit_label(kind: str) -> str:
    return str(EntitlementKind(kind).label)


def benefits_in_sentence(kinds) -> str:
    """Benefits as a sentence names them, the last joined by "and": "household registration
    (hukou), an identity card and medical care" (the label's "/ ID" is a form's heading, not
    English)."""
    words = []
    for kind in kinds:
        if kind == EntitlementKind.HOUSEHOLD_REGISTRATION:
            words += [_("household registration (hukou)"), _("an identity card")]
            continue
        label = benefit_label(kind)
        # "School" becomes "school"; "ID" stays "ID".
        if len(label) > 1 and label[0].isupper() and label[1].islower():
            label = label[0].lower() + label[1:]
        words.append(label)
    return listing_and(words)


def event_label(kind: str) -> str:
    return str(IncidentKind(kind).label)


def status_label(status: str) -> str:
    return str(LegalStatus(status).label)
