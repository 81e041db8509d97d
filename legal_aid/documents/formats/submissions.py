"""
The submissions that go to no State: an appeal against return for UNHCR or a partner lawyer, and
a submission on a child's nationality, registration and schooling.
"""

from django.utils.translation import gettext as _

from ...models import AdvocacyDocument
from .. import rules
from .identifiers import with_identifiers
from .sections import child_situation, domestic_steps, no_domestic_remedy
from .summary import ASKS


def appeal_submission(document, body, facts, rows, shown, team) -> dict:
    """An appeal against return for UNHCR or a partner lawyer: nothing goes to the State."""
    person = facts.person
    name = shown[person.pk]["label"]
    sections = [with_identifiers(body["sections"][0], rows[person.pk], person, shown[person.pk])]
    sections.append(no_domestic_remedy())
    sections.extend(body["sections"][1:])
    pending = rules.return_pending(person)
    summary = [
        (
            _(
                "%(person)s, a North Korean national, is detained in China and may be forcibly "
                "returned to the DPRK at any time."
            )
            if person.detention is not None
            else _(
                "%(person)s, a North Korean national, was arrested in China and may be forcibly "
                "returned to the DPRK at any time."
            )
            if pending
            else _(
                "%(person)s, a North Korean national, lives in China without status and is at "
                "risk of arrest and forced return to the DPRK."
            )
        )
        % {"person": name},
        _(
            "People returned to the DPRK are punished for leaving and face torture, as the "
            "Commission of Inquiry found and the Committee against Torture confirmed. Return "
            "would breach art. 3 of the Convention against Torture and the prohibition of "
            "refoulement, which bind China."
        ),
        _("We ask that the authorities named in the requests act: %(asks)s") % {"asks": ASKS},
    ]
    return {
        "title": body["title"],
        "summary": " ".join(summary),
        "sections": sections,
        "urgency": _("Urgent appeal: the person may be returned at any time.")
        if pending
        else _("Urgent: the person is at risk of arrest and return."),
    }


def submission(document, body, facts, rows, shown, team) -> dict:
    if document.kind == AdvocacyDocument.Kind.DEPORTATION_APPEAL:
        return appeal_submission(document, body, facts, rows, shown, team)
    return child_submission(document, body, facts, rows, shown, team)


def child_submission(document, body, facts, rows, shown, team) -> dict:
    child = facts.person
    name = shown[child.pk]["label"]
    sections = [with_identifiers(body["sections"][0], rows[child.pk], child, shown[child.pk])]
    sections.append(domestic_steps(child))
    sections.extend(body["sections"][1:])
    summary = " ".join(
        [
            child_situation(facts, child, name),
            _("We ask that the authorities named in the requests act: %(asks)s") % {"asks": ASKS},
        ]
    )
    return {
        "title": body["title"],
        "summary": summary,
        "sections": sections,
        "urgency": _("Priority: a child is denied registration or schooling now."),
    }
