"""
The forms recipients accept, over the same composed argument (`brief`, `appeal`, `caseload`).

Every format has a cover block (addressee, submitting organisation, confidential contact, date,
urgency and any deadline), an executive summary of at most 150 words, numbered paragraphs, a list
of requests naming who must do what, an evidence list and one short provenance paragraph.

- A communication to the UN special procedures follows the order the mechanism asks for: the
  person(s), what happened (when, where, who acted), the authorities involved, domestic steps
  taken, the individual risk, consent to transmit identity to the State, and the submitting
  organisation with a confidential contact. It is offered only for someone the authorities hold
  or pursue (`rules.un_communication`).
- A submission on a child's nationality, registration and schooling, to the Committee on the
  Rights of the Child, UNHCR or a partner lawyer.
- A letter to a Chinese authority, in Chinese: offered where the person is known to that
  authority (`rules.known_to_authority`); otherwise only after a recorded decision.
- The caseload report.

A named document carries the identifiers a recipient needs (name in Hangul, romanised and in
Chinese as recorded, date of birth, place of detention), only where the Redactor names the family
(consent of every member, and a supervisor's approval before anyone downloads it).
"""

import re

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casework.choices import IncidentKind, Region
from casework.models import PersonAlias

from ..models import AdvocacyDocument
from . import rules
from .citations import record_note, sentence
from .compose import benefits_in_sentence, event_label, length_text, month, paragraph

Format = AdvocacyDocument.RecipientFormat
SUMMARY_WORDS = 150
ASKS = "\uffffASKS\uffff"  # where the requests go in a summary, filled as many as fit

HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")

# Who acts, by the kind of event the case records.
ACTORS = {
    IncidentKind.RAID: "public_security",
    IncidentKind.ARREST: "public_security",
    IncidentKind.DETENTION: "public_security",
    IncidentKind.DEPORTATION: "border_defence",
    IncidentKind.PARTNER_PROSECUTED: "court",
}


def actor_label(code: str) -> str:
    return {
        "public_security": _("the public security organs (police)"),
        "border_defence": _("the border defence organs of the Ministry of Public Security"),
        "court": _("the people's procuratorate and court"),
    }[code]


def authority_role(code: str) -> str:
    """What an authority did or would do, as the section on the authorities involved says it."""
    return {
        "public_security": _(
            "The public security organs (police): arrest and detention of the person."
        ),
        "border_defence": _(
            "The border defence organs of the Ministry of Public Security: return of the person "
            "to the DPRK."
        ),
        "court": _("The people's procuratorate and court: prosecution of the person's partner."),
    }[code]


def addressee(recipient_format: str, *, detained: bool = False) -> str:
    return {
        Format.UN_COMMUNICATION: _(
            "Special Procedures of the Human Rights Council, through the Special Procedures "
            "Branch of the Office of the United Nations High Commissioner for Human Rights, "
            "Geneva: the Special Rapporteur on the situation of human rights in the Democratic "
            "People's Republic of Korea and the Special Rapporteur on torture"
        )
        + (_("; the Working Group on Arbitrary Detention") if detained else ""),
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
    Format.CRC_SUBMISSION,
    Format.UNHCR_SUBMISSION,
    Format.LAWYER_SUBMISSION,
)


def needs_contact(recipient_format: str, team) -> bool:
    """The form needs a confidential contact and `team` has set none."""
    return recipient_format in NEEDS_CONTACT and not organisation_of(team)[1].strip()


def organisation_of(team) -> tuple[str, str]:
    """The submitting organisation and its confidential contact, from the team's settings."""
    if team is None:
        return "", ""
    return (team.organisation or team.name), team.confidential_contact


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


def words(text: str) -> int:
    """Words of a summary: spaces separate them, and each CJK character counts as half a word."""
    cjk = len(HAN.findall(text)) + len(HANGUL.findall(text))
    if cjk > len(text) / 3:
        return (cjk + 1) // 2
    return len(text.split())


def fit_summary(summary: str, requests: list[dict]) -> str:
    """The summary with as many requests as fit in SUMMARY_WORDS, in their order of strength."""
    asks = [r["what"] for r in requests]
    while asks:
        text = summary.replace(ASKS, " ".join(asks))
        if words(text) <= SUMMARY_WORDS:
            return text
        asks.pop()
    return summary.replace(ASKS, _("see the requests below."))


def number_paragraphs(sections: list[dict]) -> None:
    """Number every paragraph of the body, across sections, as recipients refer to them."""
    n = 0
    for section in sections:
        for item in section.get("paragraphs", []):
            n += 1
            item["number"] = n


def evidence(sections: list[dict], citations) -> list[str]:
    """The evidence relied on: the case records cited (by kind and month), then the papers."""
    records = []
    for section in sections:
        for item in section.get("paragraphs", []):
            for note in item.get("notes", []):
                if note["kind"] == "record" and note["note"] not in records:
                    records.append(note["note"])
    return records + citations.evidence()


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


# The formats.


def un_communication(document, body, facts, rows, shown, team) -> dict:
    person = facts.person
    me = shown[person.pk]
    name = me["label"]
    sections = []

    about = {"person": name, "sex": me["sex"].lower(), "nationality": me["nationality"]}
    if me["age"] and me["named"]:
        line = _("%(person)s, %(sex)s, aged %(band)s, nationality recorded: %(nationality)s.")
        about["band"] = me["age"]
    else:
        line = _("%(person)s, %(sex)s, nationality recorded: %(nationality)s.")
    concerned = [paragraph(line % about)]
    for other in body["people"][1:]:
        concerned.append(
            paragraph(
                _("%(child)s, the child of %(person)s.") % {"child": other["label"], "person": name}
            )
        )
    sections.append(
        {
            "heading": _("The person concerned"),
            "paragraphs": concerned,
            "identifiers": identifiers(rows[person.pk], person, me),
        }
    )

    happened, authorities = [], []
    for event in person.events:
        actor = ACTORS.get(event.kind)
        where = str(Region(event.region).label) if me["named"] and event.region else ""
        told = {"month": month(event.on), "event": event_label(event.kind), "place": where}
        if actor:
            told["actor"] = actor_label(actor)
            if actor not in authorities:
                authorities.append(actor)
        text = {
            (True, True): _("%(month)s: %(event)s, in %(place)s, by %(actor)s"),
            (True, False): _("%(month)s: %(event)s, in %(place)s"),
            (False, True): _("%(month)s: %(event)s, by %(actor)s"),
            (False, False): _("%(month)s: %(event)s"),
        }[(bool(where), bool(actor))] % told
        happened.append(paragraph(sentence(text), [record_note(event_label(event.kind), event.on)]))
    if person.detention is not None:
        text = _("Since %(month)s: detained, %(length)s so far, by %(actor)s.") % {
            "month": month(person.detention.since),
            "length": length_text(person.detention.days),
            "actor": actor_label("public_security"),
        }
        # The place is an identifying detail: printed only for someone named with consent.
        if me["named"] and person.detention.place:
            text += " " + _("Place of detention: %(place)s.") % {"place": person.detention.place}
        happened.append(paragraph(text, [record_note(_("detention"), person.detention.since)]))
        if "public_security" not in authorities:
            authorities.append("public_security")
    if rules.return_pending(person) and person.detention is None:
        happened.append(
            paragraph(
                _("No release is recorded since the arrest: return to the DPRK may be imminent.")
            )
        )
    sections.append({"heading": _("What happened"), "paragraphs": happened})
    if "border_defence" not in authorities:
        authorities.append("border_defence")
    sections.append(
        {
            "heading": _("The authorities involved"),
            "paragraphs": [paragraph(authority_role(code)) for code in authorities],
        }
    )
    sections.append(_no_domestic_remedy())
    sections.append({"heading": _("The individual risk, and the law"), "paragraphs": []})
    sections.extend({**section, "level": 3} for section in body["sections"][1:])
    if me["named"]:
        consent = _(
            "The person concerned consented, as recorded by the submitting organisation, to be "
            "named in documents sent on their behalf. Their identity may be transmitted to the "
            "Government of China for the purposes of this appeal."
        )
    else:
        consent = _(
            "The person concerned has not consented to the transmission of their identity to the "
            "Government of China, and this communication identifies no one. The submitting "
            "organisation holds their details and can give them to the mandate holders in "
            "confidence if the person consents."
        )
    sections.append(
        {"heading": _("Consent to transmit identity"), "paragraphs": [paragraph(consent)]}
    )
    organisation, contact = organisation_of(team)
    sections.append(
        {
            "heading": _("Submitting organisation and confidential contact"),
            "paragraphs": [
                paragraph(
                    _("Submitted by %(organisation)s. Confidential contact: %(contact)s.")
                    % {"organisation": organisation, "contact": contact}
                )
            ],
        }
    )
    situation = (
        _(
            "%(person)s, a North Korean national, is detained in China and may be forcibly "
            "returned to the DPRK at any time."
        )
        if person.detention is not None
        else _(
            "%(person)s, a North Korean national, was arrested in China and may be forcibly "
            "returned to the DPRK at any time."
        )
    ) % {"person": name}
    summary = [
        situation,
        _(
            "People returned to the DPRK are punished for leaving and face torture, as the "
            "Commission of Inquiry found and the Committee against Torture confirmed. Return "
            "would breach art. 3 of the Convention against Torture and the prohibition of "
            "refoulement, which bind China."
        ),
    ]
    if rules.Point.SEPARATION in body["plan"]["points"]:
        summary.append(_("Return would also separate the person from a child."))
    summary.append(
        _(
            "We ask the mandate holders to send an urgent appeal to the Government of China: "
            "%(asks)s"
        )
        % {"asks": ASKS}
    )
    summary = " ".join(summary)
    return {
        "title": _("Urgent appeal to the UN special procedures"),
        "summary": summary,
        "sections": sections,
        "urgency": _("Urgent appeal: the person may be returned at any time."),
    }


def _no_domestic_remedy() -> dict:
    return {
        "heading": _("Domestic steps taken"),
        "paragraphs": [
            paragraph(
                _(
                    "No domestic remedy is recorded. China does not recognise North Koreans as "
                    "refugees and has no procedure in which the person could claim protection "
                    "against return; UNHCR states that it is barred from the border area. "
                    "Approaching any authority exposes a North Korean without status to arrest "
                    "and return."
                )
            )
        ],
    }


def appeal_submission(document, body, facts, rows, shown, team) -> dict:
    """An appeal against return for UNHCR or a partner lawyer: nothing goes to the State."""
    person = facts.person
    name = shown[person.pk]["label"]
    sections = [dict(body["sections"][0])]
    sections[0]["identifiers"] = identifiers(rows[person.pk], person, shown[person.pk])
    sections.append(_no_domestic_remedy())
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
    sections = [dict(body["sections"][0])]
    sections[0]["identifiers"] = identifiers(rows[child.pk], child, shown[child.pk])
    steps = []
    for benefit in child.benefits:
        if benefit.refused or benefit.refused_before:
            steps.append(
                paragraph(
                    _("%(month)s: %(what)s was applied for and refused.")
                    % {
                        "month": month(
                            benefit.as_of if benefit.refused else benefit.refused_before
                        ),
                        "what": str(_benefit(benefit.kind)),
                    }
                )
            )
    if not steps:
        steps.append(paragraph(_("No application or appeal is recorded.")))
    sections.append({"heading": _("Domestic steps taken"), "paragraphs": steps})
    sections.extend(body["sections"][1:])
    refused = benefits_in_sentence(b.kind for b in child.benefits if b.refused)
    refused = refused or _("the recognition of their rights")
    if rules.nationality_by_parent(facts, child):
        summary = _(
            "%(child)s was born in China to a Chinese parent and is refused %(refused)s. Under "
            "art. 4 of the Nationality Law the child is a Chinese national, and household "
            "registration and schooling follow from that."
        )
    else:
        summary = _(
            "%(child)s is refused %(refused)s. The Convention on the Rights of the Child, which "
            "binds China, gives every child the right to registration, a nationality, health "
            "care and free primary education without discrimination."
        )
    summary = " ".join(
        [
            summary % {"child": name, "refused": refused},
            _("We ask that the authorities named in the requests act: %(asks)s") % {"asks": ASKS},
        ]
    )
    return {
        "title": body["title"],
        "summary": summary,
        "sections": sections,
        "urgency": _("Priority: a child is denied registration or schooling now."),
    }


def _benefit(kind):
    from casework.choices import EntitlementKind

    return EntitlementKind(kind).label


def authority_letter(document, body, facts, rows, shown, team) -> dict:
    person = facts.person
    sections = [dict(body["sections"][0])]
    sections[0]["identifiers"] = identifiers(rows[person.pk], person, shown[person.pk])
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


BY_FORMAT = {
    Format.UN_COMMUNICATION: un_communication,
    Format.CRC_SUBMISSION: submission,
    Format.UNHCR_SUBMISSION: submission,
    Format.LAWYER_SUBMISSION: submission,
    Format.AUTHORITY_LETTER: authority_letter,
}


def assemble(document, body, facts, rows, shown, team, citations) -> dict:
    """The document as its recipient's form lays it out."""
    if document.kind == AdvocacyDocument.Kind.CASELOAD_REPORT:
        shaped = {
            "title": body["title"],
            "summary": body["summary"],
            "sections": body["sections"],
            "urgency": _("Not urgent: figures for planning and advocacy."),
        }
    else:
        shaped = BY_FORMAT[document.recipient_format](document, body, facts, rows, shown, team)
    sections = shaped["sections"]
    summary = shaped["summary"]
    if document.kind != AdvocacyDocument.Kind.CASELOAD_REPORT:
        summary = fit_summary(summary, body["requests"])
    number_paragraphs(sections)
    citations.write_notes(sections)
    person = facts.person if facts else None
    doc_cover = cover(
        document,
        team=team,
        urgency=shaped["urgency"],
        detained=bool(person and person.detention),
    )
    if shaped.get("addressee"):
        doc_cover["addressee"] = shaped["addressee"]
    return {
        "title": shaped["title"],
        "recipient_format": document.recipient_format,
        "recipient_format_label": str(Format(document.recipient_format).label),
        "cover": doc_cover,
        "summary": summary,
        "sections": sections,
        "requests_intro": requests_intro(document.recipient_format),
        "requests": body.get("requests", []),
        # Between who must act and what they must do: ": ", or a full-width colon in Chinese.
        "label_separator": pgettext("label separator", ": "),
        # The end of a sentence the template writes: ".", or a full-width stop in Chinese.
        "full_stop": pgettext("end of a sentence", "."),
        "evidence": evidence(sections, citations),
        "provenance_paragraph": citations.provenance(),
    }
