"""
The urgent appeal against forced return: its plan comes from `rules.appeal` over the facts model.
The person's own facts come first and are sourced to the case record; then the strongest law
(separation from a child, the personal risk of torture), non-refoulement with its scope, the
answer to the State's "hunger and survival" line, and only then the papers' figures, as evidence
of a practice. Requests are only those the facts support: release only for someone detained.
"""

from dataclasses import asdict

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casework.choices import LegalStatus, Nationality, Region, Sex

from . import rules
from .citations import listing, record_note, sentence
from .compose import (
    DocumentError,
    event_label,
    length_text,
    month,
    paragraph,
    refusal_message,
    shown_age,
    status_label,
)
from .rules import Ask, Point

# The papers' figures on arrest, detention and return: evidence of the practice, never of the
# person's own case.
PRACTICE_FIGURES = (
    "deported-by-2004",
    "new-detention-camps",
    "detention-spending",
    "estimated-staying",
)


def compose(facts, rows, redactor, citations) -> dict:
    plan = rules.appeal(facts)
    if plan.refusal:
        raise DocumentError(refusal_message(plan.refusal))
    person = facts.person
    shown = {pk: asdict(redactor.show(rows[pk])) for pk in facts.people}
    me = shown[person.pk]
    name = me["label"]
    children = rules.minor_children(facts, person)

    def cite(*labels, signal=None, about=person):
        return citations.cite(*rules.citable_for(about, labels), signal_name=signal)

    sections = [_person_section(facts, person, me, name)]

    if Point.SEPARATION in plan.points:
        sections.append(_separation(facts, person, name, shown, children, cite))

    law = [
        paragraph(
            _(
                "Art. 3 of the Convention against Torture, which binds China, forbids expelling, "
                "returning or extraditing anyone to a State where there are substantial grounds "
                "for believing that they would be in danger of torture. The protection does not "
                "depend on refugee status, and it covers every form of removal, forcible return "
                "included."
            ),
            cite("CAT-3"),
            cite("CAT-GC-4-4", signal="see"),
        ),
        paragraph(
            _(
                "The risk is assessed from the person's own circumstances, as a personal and "
                "present risk. %(person)s is a North Korean national in China without status, "
                "exposed to return; the Commission of Inquiry found that people forcibly "
                "returned to the DPRK are punished, and the Committee against Torture, relying "
                "on its findings, found that they face torture."
            )
            % {"person": name}
            if person.nationality == Nationality.DPRK
            else _(
                "The risk is assessed from the person's own circumstances, as a personal and "
                "present risk. The Commission of Inquiry found that people forcibly returned to "
                "the DPRK are punished, and the Committee against Torture, relying on its "
                "findings, found that they face torture."
            ),
            cite("CAT-GC-4", signal="see"),
            cite("COI-38-45", "CAT-CO-46"),
        ),
    ]
    sections.append({"heading": _("The risk of torture on return"), "paragraphs": law})

    convention = _(
        "China is a party to the Refugee Convention and its Protocol. Art. 33 forbids returning "
        "a refugee in any manner to the frontiers of territories where the refugee's life or "
        "freedom would be threatened on account of race, religion, nationality, membership of a "
        "particular social group or political opinion."
    )
    if rules.minor(person):
        committee = _(
            "China does not recognise North Koreans as refugees; the Committee on the Rights of "
            "the Child asked it to respect non-refoulement for every child, including children "
            "from the DPRK, and to stop arresting and returning North Koreans, especially women "
            "who have children with Chinese men."
        )
    else:
        committee = _(
            "China does not recognise North Koreans as refugees; the Committee on the Rights of "
            "the Child asked it to stop arresting and returning North Koreans, especially women "
            "who have children with Chinese men."
        )
    refoulement = [
        paragraph(
            f"{convention} {committee}",
            cite("RC-33", "CRC-CO-83c"),
            cite("CRC-CO-83a", signal="see"),
        ),
    ]
    if person.sex == Sex.FEMALE:
        refoulement.append(
            paragraph(
                _(
                    "Whether a woman is a refugee is to be assessed with the gender-related "
                    "dimensions of her situation in view."
                ),
                cite("CEDAW-GR-32", signal="see"),
            )
        )
    if Point.CHILD_REFUGEE in plan.points:
        refoulement.append(
            paragraph(
                _(
                    "%(person)s is a child. A child seeking refugee status is owed appropriate "
                    "protection and humanitarian assistance, whatever the status of the child or "
                    "the parents."
                )
                % {"person": name},
                cite("CRC-22"),
                cite("CRC-GC-22", signal="see"),
            )
        )
    refoulement.append(
        paragraph(
            _(
                "The Ministry of Public Security's border bureau wrote in 2005 (as reported) that "
                "those who cross “mostly came because of hunger and survival”. Why a person left "
                "does not decide whether they may be returned: the Commission of Inquiry found "
                "that people who leave without permission are punished on return for leaving, "
                "and considered that many North Koreans in China are refugees sur place for that "
                "reason; and the prohibition of return to torture protects everyone."
            ),
            cite("MPS-2005-P4", signal="contra"),
            cite("COI-38-45", "COI-80-94", signal="see"),
        )
    )
    if Point.NO_PENALTY in plan.points:
        refoulement.append(
            paragraph(
                _(
                    "Refugees who come directly from a territory where their life or freedom was "
                    "threatened may not be penalised for entering or staying without "
                    "authorisation, provided that they present themselves without delay to the "
                    "authorities and show good cause for it."
                ),
                cite("RC-31"),
            )
        )
    refoulement.append(
        paragraph(
            _(
                "UNHCR has publicly protested China's returns of North Koreans, and states that "
                "it is barred from the border area."
            ),
            cite("UNHCR-PROTESTS"),
        )
    )
    sections.append({"heading": _("Non-refoulement"), "paragraphs": refoulement})

    sections.append(_practice(person, citations))
    title = {
        True: _("Urgent appeal against forced return"),
        False: _("Appeal to prevent arrest and forced return"),
    }[rules.return_pending(person)]
    return {
        "title": title,
        "subject": me,
        "people": [me, *(shown[c.pk] for c in children)],
        "sections": sections,
        "requests": [_request(ask, name, children, shown) for ask in plan.asks],
        "plan": {"points": list(plan.points), "asks": list(plan.asks)},
    }


def _person_section(facts, person, me, name) -> dict:
    situation = []
    about = []
    if shown_age(person, me):
        about.append(shown_age(person, me))
    about.append(
        _("nationality recorded: %(nationality)s")
        % {"nationality": str(Nationality(person.nationality).label)}
    )
    # "Mother B: aged 40 to 49, nationality recorded: DPRK", punctuated as the language does.
    situation.append(
        paragraph(sentence(pgettext("label separator", ": ").join([name, listing(about)])))
    )
    if person.status and person.status != LegalStatus.DETAINED_CN:
        situation.append(
            paragraph(
                _("Legal status recorded: %(status)s.") % {"status": status_label(person.status)},
                [record_note(_("legal status"), person.status_since)],
            )
        )
    if person.detention is not None:
        text = _("%(person)s has been detained since %(month)s: %(length)s.") % {
            "person": name,
            "month": month(person.detention.since),
            "length": length_text(person.detention.days),
        }
        # The place is an identifying detail: printed only for someone named with consent.
        if me["named"] and person.detention.place:
            text += " " + _("Place of detention: %(place)s.") % {"place": person.detention.place}
        situation.append(paragraph(text, [record_note(_("detention"), person.detention.since)]))
    for event in person.events:
        # Where it happened is said only when the family is named (casework.redaction): the
        # argument does not need the province, and with a month it narrows a pseudonym down.
        if me["named"] and event.region:
            text = _("%(event)s, %(month)s (%(region)s).") % {
                "event": event_label(event.kind),
                "month": month(event.on),
                "region": str(Region(event.region).label),
            }
        else:
            text = _("%(event)s, %(month)s.") % {
                "event": event_label(event.kind),
                "month": month(event.on),
            }
        situation.append(paragraph(text, [record_note(event_label(event.kind), event.on)]))
    if rules.return_pending(person) and person.detention is None:
        situation.append(
            paragraph(
                _("No release is recorded since the arrest: return to the DPRK may be imminent.")
            )
        )
    return {"heading": _("The person at risk"), "paragraphs": situation}


def _separation(facts, person, name, shown, children, cite) -> dict:
    chinese = [c for c in children if rules.nationality_by_parent(facts, c)]
    is_parent_of = {
        Sex.FEMALE: _("%(person)s is the mother of %(children)s."),
        Sex.MALE: _("%(person)s is the father of %(children)s."),
    }.get(person.sex, _("%(person)s is the parent of %(children)s."))
    paragraphs = [
        paragraph(
            is_parent_of
            % {
                "person": name,
                "children": listing(
                    f"{shown[c.pk]['label']} ({shown_age(c, shown[c.pk])})"
                    if shown_age(c, shown[c.pk])
                    else shown[c.pk]["label"]
                    for c in children
                ),
            }
        )
    ]
    for child in chinese:
        # The Chinese parent of the record decides the words: never "father or mother".
        chinese_parent = rules.chinese_parents(facts, child)[0]
        text = {
            Sex.FEMALE: _(
                "%(child)s, born in China to a Chinese mother, is a Chinese national by art. 4 "
                "of the Nationality Law. Return would separate a Chinese child from the parent."
            ),
            Sex.MALE: _(
                "%(child)s, born in China to a Chinese father, is a Chinese national by art. 4 "
                "of the Nationality Law. Return would separate a Chinese child from the parent."
            ),
        }.get(
            chinese_parent.sex,
            _(
                "%(child)s, born in China to a Chinese parent, is a Chinese national by art. 4 "
                "of the Nationality Law. Return would separate a Chinese child from the parent."
            ),
        )
        paragraphs.append(paragraph(text % {"child": shown[child.pk]["label"]}, cite("PRC-NAT-4")))
    paragraphs.append(
        paragraph(
            _(
                "In every action concerning children, the child's best interests are a primary "
                "consideration; the State respects the child's identity, including family "
                "relations; and women and men have the same rights as parents whatever their "
                "marital status. The Committee on the Rights of the Child asked China to stop "
                "returning women who have children with Chinese men and to ensure that the "
                "children of North Korean mothers enjoy their fundamental rights."
            ),
            cite("CRC-3", "CRC-8", "CEDAW-16", "CRC-CO-83c", about=children[0]),
            cite("CRC-GC-23", signal="see", about=children[0]),
        )
    )
    return {"heading": _("Separation of a child from the parent"), "paragraphs": paragraphs}


def _practice(person, citations) -> dict:
    paragraphs = [
        paragraph(
            _(
                "The papers quoted in the annex, whose authenticity has not been independently "
                "verified, describe a practice of arrest, detention and return; they are cited as "
                "evidence of that practice, not of this person's case."
            )
        )
    ]
    for key in PRACTICE_FIGURES:
        figure = citations.figure(key)
        paragraphs.append(
            paragraph(
                _("%(description)s: %(figure)s.")
                % {"description": figure["description"], "figure": figure["text"]},
                [figure["note"]],
            )
        )
    if rules.lives_under_yanbian_notice(person):
        paragraphs.append(
            paragraph(
                _(
                    "Item 5 of the Yanbian prefecture notice of 16 November 2003 (as reported), "
                    "which governs where the person lives, orders every agency to work with the "
                    "police and border patrols to deport all illegal immigrants."
                ),
                citations.cite("YB-2003-5"),
            )
        )
    return {"heading": _("Evidence of the practice"), "paragraphs": paragraphs}


def _request(ask, name, children, shown) -> dict:
    """A request: who must act, and what they must do."""
    if ask == Ask.KEEP_FAMILY:
        what = _("Do not separate %(person)s from %(children)s.") % {
            "person": name,
            "children": listing(shown[c.pk]["label"] for c in children),
        }
    else:
        what = {
            Ask.RELEASE: _("Release %(person)s from detention."),
            Ask.HALT_RETURN: _("Halt the return of %(person)s to the DPRK at once."),
            Ask.NO_ARREST_OR_RETURN: _(
                "Do not arrest %(person)s, and do not return them to the DPRK."
            ),
            Ask.UNHCR_ACCESS: _(
                "Give UNHCR access to %(person)s to assess the need for international protection."
            ),
        }[ask] % {"person": name}
    return {"ask": str(ask), "who": who_must_act(ask), "what": what}


def who_must_act(ask) -> str:
    """The authority a request of an appeal is addressed to."""
    return {
        Ask.RELEASE: _("The public security organ holding the person"),
        Ask.HALT_RETURN: _("The Ministry of Public Security and its border defence organs"),
        Ask.NO_ARREST_OR_RETURN: _("The Ministry of Public Security and its border defence organs"),
        Ask.KEEP_FAMILY: _("The public security organs"),
        Ask.UNHCR_ACCESS: _("The Government of the People's Republic of China"),
    }[ask]
