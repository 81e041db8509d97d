"""
Sections and phrases more than one form writes: who acted and what each authority did, the office
that grants a benefit, the domestic steps taken and a child's situation.
"""

from django.utils.translation import gettext as _

from casework.choices import EntitlementKind, IncidentKind

from .. import brief, rules
from ..compose import benefits_in_sentence, month, paragraph

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


def no_domestic_remedy() -> dict:
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


def refusals(person):
    """The person's refusals, as (benefit, when refused), the current ones and the past."""
    for benefit in person.benefits:
        if benefit.refused or benefit.refused_before:
            yield benefit, (benefit.as_of if benefit.refused else benefit.refused_before)


def domestic_steps(child) -> dict:
    steps = [
        paragraph(
            _("%(month)s: %(what)s was applied for and refused.")
            % {"month": month(on), "what": str(benefit_label(benefit.kind))}
        )
        for benefit, on in refusals(child)
    ]
    if not steps:
        steps.append(paragraph(_("No application or appeal is recorded.")))
    return {"heading": _("Domestic steps taken"), "paragraphs": steps}


def child_situation(facts, child, name) -> str:
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


def benefit_label(kind):
    from casework.choices import EntitlementKind

    return EntitlementKind(kind).label
