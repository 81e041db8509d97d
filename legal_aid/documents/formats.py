"""
The forms recipients accept, over the same composed argument (`brief`, `appeal`, `caseload`).

Every format has a cover block (addressee, submitting organisation, confidential contact, date,
urgency and any deadline), an executive summary of at most 150 words, numbered paragraphs, a list
of requests naming who must do what, an evidence list and one short provenance paragraph.

- A communication to the UN special procedures follows the order the mechanism asks for: the
  person(s), what happened (when, where, who acted), the authorities involved, domestic steps
  taken, the individual risk, consent to transmit identity to the State, and the submitting
  organisation with a confidential contact. An urgent appeal is offered only for someone the
  authorities hold or pursue (`rules.un_communication`); an allegation letter reports violations
  that happened or go on without imminent harm (a child refused registration or school), only
  about someone an authority already refused or holds (`rules.allegation_letter`). Both reach
  the Government: they name people only with consent to transmit identity to the State
  (`casework.redaction.naming_scopes`), and otherwise say that it may not be transmitted.
- A submission on a child's nationality, registration and schooling, to the Committee on the
  Rights of the Child, UNHCR or a partner lawyer.
- A letter to a Chinese authority, in Chinese: offered where the person is known to that
  authority (`rules.known_to_authority`); otherwise only after a recorded decision.
- The caseload report.

A named document carries the identifiers a recipient needs (name in Hangul, romanised and in
Chinese as recorded, date of birth, place of detention), only where the Redactor names the family
(consent of every member, and a supervisor's approval before anyone downloads it); the approval
page lists them (`identifiers_printed`).
"""

import re

from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from casework.choices import EntitlementKind, IncidentKind, Region
from casework.models import PersonAlias

from ..models import AdvocacyDocument
from . import brief, rules
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


# The communications the UN forwards to the Government concerned.
REACHES_STATE = (Format.UN_COMMUNICATION, Format.UN_ALLEGATION_LETTER)


def reaches_state(recipient_format: str) -> bool:
    """Whether the recipient passes the document on to the State: then naming anyone needs their
    consent to transmit identity (`casework.redaction.naming_scopes`)."""
    return recipient_format in REACHES_STATE


def benefit_office(kind: str) -> str:
    """The office that grants (or refused) a benefit: the one a request about it goes to."""
    ask = {EntitlementKind.HOUSEHOLD_REGISTRATION: rules.Ask.REGISTER}.get(kind)
    if ask is None and kind in rules.ADMISSIONS:
        ask = rules.ADMISSIONS[kind][0]
    if ask is not None:
        return brief.who_must_act(ask)
    return {
        EntitlementKind.LABOUR_INSURANCE: _(
            "The human resources and social security bureau of the county or district"
        ),
        EntitlementKind.MARRIAGE_REGISTRATION: _(
            "The civil affairs bureau (marriage registration) of the county or district"
        ),
    }[kind]


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
        with_identifiers(
            {"heading": _("The person concerned"), "paragraphs": concerned},
            rows[person.pk],
            person,
            me,
        )
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
    sections += _consent_and_contact(me, team)
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


def _consent_and_contact(shown: dict, team) -> list[dict]:
    """The last two sections of a UN communication: consent to transmit identity (as the
    Redactor decided for the family, `shown`), and who submits it with a confidential contact."""
    not_named_because = shown["not_named_because"]
    if shown["named"]:
        consent = _(
            "The persons concerned (for a child, a parent or guardian) consented, as recorded by "
            "the submitting organisation, to their identity being transmitted to the Government "
            "of China for the purposes of this communication."
        )
    elif not_named_because == "level":
        consent = _(
            "The submitting organisation has chosen not to identify the persons concerned: their "
            "identity may not be transmitted to the Government of China, and this communication "
            "identifies no one. The submitting organisation holds their details and can give "
            "them to the mandate holders in confidence, with their consent."
        )
    else:
        consent = _(
            "Not all the persons concerned (for a child, a parent or guardian) have consented to "
            "the transmission of their identity to the Government of China: their identity may "
            "not be transmitted, and this communication identifies no one. The submitting "
            "organisation holds their details and can give them to the mandate holders in "
            "confidence if they consent."
        )
    organisation, contact = organisation_of(team)
    return [
        {"heading": _("Consent to transmit identity"), "paragraphs": [paragraph(consent)]},
        {
            "heading": _("Submitting organisation and confidential contact"),
            "paragraphs": [
                paragraph(
                    _("Submitted by %(organisation)s. Confidential contact: %(contact)s.")
                    % {"organisation": organisation, "contact": contact}
                )
            ],
        },
    ]


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
    sections = [with_identifiers(body["sections"][0], rows[person.pk], person, shown[person.pk])]
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
    sections = [with_identifiers(body["sections"][0], rows[child.pk], child, shown[child.pk])]
    sections.append(_domestic_steps(child))
    sections.extend(body["sections"][1:])
    summary = " ".join(
        [
            _child_situation(facts, child, name),
            _("We ask that the authorities named in the requests act: %(asks)s") % {"asks": ASKS},
        ]
    )
    return {
        "title": body["title"],
        "summary": summary,
        "sections": sections,
        "urgency": _("Priority: a child is denied registration or schooling now."),
    }


def _refusals(person):
    """The person's refusals, as (benefit, when refused), the current ones and the past."""
    for benefit in person.benefits:
        if benefit.refused or benefit.refused_before:
            yield benefit, (benefit.as_of if benefit.refused else benefit.refused_before)


def _domestic_steps(child) -> dict:
    steps = [
        paragraph(
            _("%(month)s: %(what)s was applied for and refused.")
            % {"month": month(on), "what": str(_benefit(benefit.kind))}
        )
        for benefit, on in _refusals(child)
    ]
    if not steps:
        steps.append(paragraph(_("No application or appeal is recorded.")))
    return {"heading": _("Domestic steps taken"), "paragraphs": steps}


def _child_situation(facts, child, name) -> str:
    """The first sentences of a summary about a child: what is refused, and the law's answer."""
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
    return summary % {"child": name, "refused": refused}


def allegation_letter(document, body, facts, rows, shown, team) -> dict:
    """
    An allegation letter to the UN special procedures, over a submission's argument: violations
    that happened or go on (refusals by named offices, the family's past arrests or returns), in
    the order the mechanism asks for.
    """
    person = facts.person
    me = shown[person.pk]
    name = me["label"]
    concerned = with_identifiers(
        {"heading": _("The persons concerned"), "paragraphs": body["sections"][0]["paragraphs"]},
        rows[person.pk],
        person,
        me,
    )
    happened, refused_by, authorities = [], {}, []
    where = str(Region(person.region).label) if me["named"] and person.region else ""
    for benefit, on in _refusals(person):
        office = benefit_office(benefit.kind)
        refused_by.setdefault(office, []).append(benefit.kind)
        told = {"month": month(on), "what": benefits_in_sentence([benefit.kind]), "office": office}
        if where:
            text = _("%(month)s (%(place)s): %(office)s refused %(what)s.")
            told["place"] = where
        else:
            text = _("%(month)s: %(office)s refused %(what)s.")
        happened.append(paragraph(text % told, [record_note(str(_benefit(benefit.kind)), on)]))
    for other in facts.people.values():
        for event in other.events if other.pk != person.pk else ():
            actor = ACTORS.get(event.kind)
            if actor is None:
                continue
            if actor not in authorities:
                authorities.append(actor)
            happened.append(
                paragraph(
                    _("%(month)s: %(event)s of %(person)s, by %(actor)s.")
                    % {
                        "month": month(event.on),
                        "event": event_label(event.kind),
                        "person": shown[other.pk]["label"],
                        "actor": actor_label(actor),
                    },
                    [record_note(event_label(event.kind), event.on)],
                )
            )
    sections = [
        concerned,
        {"heading": _("What happened"), "paragraphs": happened},
        {
            "heading": _("The authorities involved"),
            "paragraphs": [
                paragraph(
                    _("%(office)s: refusal of %(what)s.")
                    % {"office": office, "what": benefits_in_sentence(kinds)}
                )
                for office, kinds in refused_by.items()
            ]
            + [paragraph(authority_role(code)) for code in authorities],
        },
        _domestic_steps(person),
        {"heading": _("The continuing violation, and the law"), "paragraphs": []},
        *({**section, "level": 3} for section in body["sections"][1:]),
        *_consent_and_contact(me, team),
    ]
    summary = " ".join(
        [
            _child_situation(facts, person, name),
            _(
                "We ask the mandate holders to send an allegation letter to the Government of "
                "China: %(asks)s"
            )
            % {"asks": ASKS},
        ]
    )
    return {
        "title": _("Allegation letter to the UN special procedures"),
        "summary": summary,
        "sections": sections,
        "urgency": _("Priority: a child is denied registration or schooling now."),
    }


def _benefit(kind):
    from casework.choices import EntitlementKind

    return EntitlementKind(kind).label


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


BY_FORMAT = {
    Format.UN_COMMUNICATION: un_communication,
    Format.UN_ALLEGATION_LETTER: allegation_letter,
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
        deadline=date_format(document.deadline) if document.deadline else "",
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
