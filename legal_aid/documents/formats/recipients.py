"""
Who a document goes to and who sends it: the addressee each form names, the words that introduce
its requests, whether the UN passes it on to the State, and the cover block (submitting
organisation, confidential contact, date, urgency and any deadline).
"""

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ...models import AdvocacyDocument

Format = AdvocacyDocument.RecipientFormat


# The communications the UN forwards to the Government concerned.
REACHES_STATE = (Format.UN_COMMUNICATION, Format.UN_ALLEGATION_LETTER)


def reaches_state(recipient_format: str) -> bool:
    """Whether the recipient passes the document on to the State: then naming anyone needs their
    consent to transmit identity (`casework.redaction.naming_scopes`)."""
    return recipient_format in REACHES_STATE


def addressee(recipient_format: str, *, detained: bool = False) -> str:
    return {
        Format.UN_COMMUNICATION: _(
            "Special Procedures of the Human Rights Council, through the Special Procedures "
            "Branch of the Office of the United Nations High Commissioner for Human Rights, "
            "Geneva: the Special Rapporteur on the situation of human rights in the Democratic "
            "People's Republic of Korea and the Special Rapporteur on torture"
        )
        + (_("; the Working Group on Arbitrary Detention") if detained else ""),
        Format.UN_ALLEGATION_LETTER: _(
            "Special Procedures of the Human Rights Council, through the Special Procedures "
            "Branch of the Office of the United Nations High Commissioner for Human Rights, "
            "Geneva: the Special Rapporteur on the right to education, the Special Rapporteur "
            "on the human rights of migrants and the Special Rapporteur on the situation of "
            "human rights in the Democratic People's Republic of Korea"
        ),
        Format.CRC_SUBMISSION: _(
            "Committee on the Rights of the Child, Office of the United Nations High "
            "Commissioner for Human Rights, Geneva"
        ),
        Format.UNHCR_SUBMISSION: _(
            "Office of the United Nations High Commissioner for Refugees, protection officer "
            "responsible for China"
        ),
        Format.LAWYER_SUBMISSION: _("Partner lawyer acting for the family"),
        Format.CASELOAD_REPORT: _("Partner organisations and UN offices (figures only)"),
    }.get(recipient_format, "")


def requests_intro(recipient_format: str) -> str:
    return {
        Format.UN_COMMUNICATION: _(
            "The submitting organisation asks the mandate holders to send an urgent appeal to "
            "the Government of the People's Republic of China, asking the authorities named "
            "below to act as follows."
        ),
        Format.UN_ALLEGATION_LETTER: _(
            "The submitting organisation asks the mandate holders to send an allegation letter "
            "to the Government of the People's Republic of China, asking the authorities named "
            "below to act as follows."
        ),
        Format.CRC_SUBMISSION: _(
            "The submitting organisation asks the Committee to raise the following with the "
            "State party, in its dialogue and follow-up on China's reports."
        ),
        Format.UNHCR_SUBMISSION: _(
            "The submitting organisation asks UNHCR to intervene with the authorities named "
            "below so that they act as follows."
        ),
        Format.LAWYER_SUBMISSION: _(
            "The requests to put to the authorities, each to the office that must act."
        ),
        Format.AUTHORITY_LETTER: _("We respectfully request the following."),
        Format.CASELOAD_REPORT: _("What the figures call for, addressed to those who must act."),
    }[recipient_format]


# The forms that give a recipient the team's confidential contact: a UN desk officer or a partner
# lawyer must be able to reach the organisation in confidence, so none is made without one.
NEEDS_CONTACT = (
    Format.UN_COMMUNICATION,
    Format.UN_ALLEGATION_LETTER,
    Format.CRC_SUBMISSION,
    Format.UNHCR_SUBMISSION,
    Format.LAWYER_SUBMISSION,
)


def needs_contact(recipient_format: str, team, language: str = "") -> bool:
    """The form needs a confidential contact and `team` has set none (for `language`)."""
    contact = organisation_of(team, language or get_language())[1]
    return recipient_format in NEEDS_CONTACT and not contact.strip()


def organisation_of(team, language: str | None = None) -> tuple[str, str]:
    """
    The submitting organisation and its confidential contact, from the team's settings, in the
    language of the document being written (the active one) where the team set it.
    """
    if team is None:
        return "", ""
    return team.cover_in(language or get_language())


def cover(document, *, team, urgency: str, deadline: str = "", detained: bool = False) -> dict:
    organisation, contact = organisation_of(team)
    return {
        "addressee": addressee(document.recipient_format, detained=detained),
        "organisation": organisation,
        # Empty where the team set none: the row is left out, never filled with guidance to the
        # drafter (a format that needs a contact is refused without one, `needs_contact`).
        "contact": contact,
        "date": date_format(_today(team)),
        "urgency": urgency,
        "deadline": deadline,
    }


def _today(team):
    from casework import dates

    return dates.today(team=team)
