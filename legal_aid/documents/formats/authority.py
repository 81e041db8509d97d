"""
A letter to a Chinese authority, in Chinese.
"""

from django.utils.translation import gettext as _

from .. import rules
from .identifiers import with_identifiers
from .summary import ASKS


def authority_letter(document, body, facts, rows, shown, team) -> dict:
    person = facts.person
    sections = [with_identifiers(body["sections"][0], rows[person.pk], person, shown[person.pk])]
    sections.extend(body["sections"][1:])
    summary = _("We write about %(person)s and ask the following: %(asks)s") % {
        "person": shown[person.pk]["label"],
        "asks": ASKS,
    }
    return {
        "title": _("Letter to %(authority)s") % {"authority": body["requests"][0]["who"]},
        "summary": summary,
        "sections": sections,
        "urgency": _("Urgent: please reply in writing.")
        if rules.return_pending(person)
        else _("Please reply in writing."),
        "addressee": body["requests"][0]["who"],
    }
