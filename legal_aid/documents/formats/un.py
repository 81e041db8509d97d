"""
The communications to the UN special procedures, which reach the Government: an urgent appeal
(`un_communication`) and an allegation letter.
"""

from django.utils.translation import gettext as _

from casework.choices import Region

from .. import rules
from ..citations import record_note, sentence
from ..compose import benefits_in_sentence, event_label, length_text, month, paragraph
from .identifiers import with_identifiers
from .recipients import organisation_of
from .sections import (
    ACTORS,
    actor_label,
    authority_role,
    benefit_label,
    benefit_office,
    child_situation,
    domestic_steps,
    no_domestic_remedy,
    refusals,
)
from .summary import ASKS


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
    sections.append(no_domestic_remedy())
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
    for benefit, on in refusals(person):
        office = benefit_office(benefit.kind)
        refused_by.setdefault(office, []).append(benefit.kind)
        told = {"month": month(on), "what": benefits_in_sentence([benefit.kind]), "office": office}
        if where:
            text = _("%(month)s (%(place)s): %(office)s refused %(what)s.")
            told["place"] = where
        else:
            text = _("%(month)s: %(office)s refused %(what)s.")
        happened.append(paragraph(text % told, [record_note(str(benefit_label(benefit.kind)), on)]))
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
        domestic_steps(person),
        {"heading": _("The continuing violation, and the law"), "paragraphs": []},
        *({**section, "level": 3} for section in body["sections"][1:]),
        *_consent_and_contact(me, team),
    ]
    summary = " ".join(
        [
            child_situation(facts, person, name),
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
