"""
The brief for a child of the family (or an adult one): its plan comes from `rules.brief` over
the facts model, and each point is put into words here with the authorities that support it.
Nationality comes first for a child of a Chinese parent (LEGAL_AUTHORITIES caution 2); the
Yanbian notice is argued as the basis of a refusal only where the family lives under it.
"""

from dataclasses import asdict

from django.utils.translation import gettext as _

from casework.choices import EntitlementKind, Nationality, Sex

from . import rules
from .citations import record_note
from .compose import (
    DocumentError,
    age_text,
    benefit_label,
    benefits_in_sentence,
    paragraph,
    refusal_message,
    shown_age,
    status_label,
)
from .rules import Ask, Point

CIVIL_CODE_IN_FORCE = 2021  # Marriage Law art. 25 for anything before


def compose(facts, rows, redactor, citations) -> dict:
    plan = rules.brief(facts)
    if plan.refusal:
        raise DocumentError(refusal_message(plan.refusal))
    child = facts.person
    shown = {pk: asdict(redactor.show(rows[pk])) for pk in facts.people}
    name = shown[child.pk]["label"]
    parents = facts.parents_of(child)

    def cite(*labels, signal=None, person=child):
        return citations.cite(*rules.citable_for(person, labels), signal_name=signal)

    sections = [_family_section(facts, child, name, shown, parents)]
    law = []
    chinese = rules.chinese_parents(facts, child)
    through = chinese[0] if chinese else None

    if Point.NATIONALITY_BY_PARENT in plan.points:
        law.append(
            paragraph(
                _(
                    "%(child)s was born in China, and %(parent)s, the child's %(word)s, is a "
                    "Chinese national. Under art. 4 of the Nationality Law, any person born in "
                    "China one of whose parents is a Chinese national has Chinese nationality: "
                    "the child is a Chinese national by law. The article sets no condition on "
                    "the parents' marriage or on the other parent's nationality."
                )
                % {
                    "child": name,
                    "parent": shown[through.pk]["label"],
                    "word": parent_word(through),
                },
                cite("PRC-NAT-4"),
            )
        )
    if Point.REGISTRATION in plan.points:
        hukou = child.benefit(EntitlementKind.HOUSEHOLD_REGISTRATION)
        if hukou is not None and hukou.refused:
            law.append(
                paragraph(
                    _("The child's household registration was refused.")
                    if rules.minor(child)
                    else _("Household registration was refused."),
                    [record_note(benefit_label(hukou.kind), hukou.as_of)],
                )
            )
        text = _(
            "Household registration follows from nationality. The State Council's 2015 opinion "
            "on registering people without household registration provides that a child born "
            "outside marriage is registered on the medical certificate of birth, the household "
            "register of one parent and a statement of the birth outside marriage; registration "
            "through the father requires a DNA paternity test; no other precondition may be "
            "imposed."
        )
        if through is not None and through.sex == Sex.MALE:
            text += " " + _(
                "Here the Chinese parent is the father: a DNA paternity test is the condition to "
                "meet, and nothing more may be required."
            )
        law.append(paragraph(text, cite("PRC-HUKOU-2015")))
        if rules.minor(child):
            law.append(
                paragraph(
                    _(
                        "The Convention on the Rights of the Child, which binds China, requires "
                        "every child to be registered immediately after birth, and the State to "
                        "respect the child's identity, including nationality and family "
                        "relations; the Committee on the Rights of the Child asked China to "
                        "remove the household-registration barriers to birth registration."
                    ),
                    cite("CRC-7", "CRC-8", "CRC-CO-40"),
                )
            )
    if Point.STATELESS_CHILD in plan.points:
        law.append(
            paragraph(
                _(
                    "%(child)s is recorded as stateless. Art. 7 of the Convention on the Rights "
                    "of the Child, which binds China, gives every child the right to be "
                    "registered immediately after birth and to acquire a nationality, and its "
                    "paragraph 2 requires States to secure these rights in particular where the "
                    "child would otherwise be stateless."
                )
                % {"child": name},
                cite("CRC-7", "CRC-7-2"),
                cite("CRC-GC-23", signal="see"),
                cite("CEDAW-GR-32", signal="cf"),
            )
        )
    if Point.UNREGISTERED_MARRIAGE in plan.points:
        if rules.lives_under_yanbian_notice(child):
            text = _(
                "The parents' marriage is not registered. Item 4 of the Yanbian prefecture "
                "notice of 16 November 2003 (as reported), which governs where the family "
                "lives, bars North Koreans without status from registering a marriage in China."
            )
            notes = cite("YB-2003-4")
        else:
            text = _("The parents' marriage is not registered.")
            notes = []
        text += " " + _(
            "A child born outside marriage has the same rights as a child born within it, and "
            "no organisation or person may harm or discriminate against the child."
        )
        labels = ["PRC-CIV-1071"]
        if child.birth_year and child.birth_year < CIVIL_CODE_IN_FORCE:
            labels.append("PRC-MAR-25")
        law.append(paragraph(text, notes, cite(*labels)))
    if law:
        heading = (
            _("Nationality comes first")
            if Point.NATIONALITY_BY_PARENT in plan.points
            else _("Nationality and registration")
        )
        sections.append({"heading": heading, "paragraphs": law})

    benefits = []
    age = shown_age(child, shown[child.pk])
    for kind in rules.admissions(child):
        benefits.append(_benefit_paragraph(kind, child, name, age, plan, cite))
    for kind in rules.past_refusals(child):
        benefit = child.benefit(kind)
        if benefit.refused:
            text = _(
                "%(what)s was refused; at the child's present age that no longer fits, and "
                "nothing is asked for it here."
            ) % {"what": benefit_label(kind)}
            notes = [record_note(benefit_label(kind), benefit.as_of)]
        else:
            text = _("%(what)s was refused, and has since been granted.") % {
                "what": benefit_label(kind)
            }
            notes = [
                record_note(
                    _("refusal of %(what)s") % {"what": benefit_label(kind)}, benefit.refused_before
                ),
                record_note(_("grant of %(what)s") % {"what": benefit_label(kind)}, benefit.as_of),
            ]
        benefits.append(paragraph(text, notes))
    if Point.NON_DISCRIMINATION in plan.points:
        benefits.append(
            paragraph(
                _(
                    "Minors enjoy their rights equally, without discrimination on grounds that "
                    "include household registration and family situation, and matters "
                    "concerning them are handled in the way most favourable to them. In every "
                    "action concerning children, their best interests are a primary "
                    "consideration, and no child may be discriminated against because of the "
                    "status of the child's parents."
                ),
                cite("PRC-MIN-3", "PRC-MIN-4", "CRC-2", "CRC-3", "CRC-CO-83c"),
            )
        )
    if benefits:
        sections.append({"heading": _("What is refused now, and the law"), "paragraphs": benefits})

    if Point.YANBIAN_BASIS in plan.points:
        sections.append(
            {
                "heading": _("The Yanbian notice"),
                "paragraphs": [
                    paragraph(
                        _(
                            "The family lives in Yanbian Prefecture. The refusals apply items 2 "
                            "and 3 of the prefecture government's notice of 16 November 2003 (as "
                            "reported), which treat a child born to a North Korean parent "
                            "outside a registered marriage as a non-Chinese alien and withhold "
                            "kindergarten, school, medical care and welfare. Those items "
                            "contradict the national law set out above."
                        ),
                        cite("YB-2003-2", "YB-2003-3"),
                    )
                ],
            }
        )
    elif Point.YANBIAN_PRACTICE in plan.points:
        sections.append(
            {
                "heading": _("A practice recorded elsewhere"),
                "paragraphs": [
                    paragraph(
                        _(
                            "The family does not live in Yanbian Prefecture, and no rule of that "
                            "prefecture governs the authorities addressed here. A notice of its "
                            "government (as reported) shows the same practice ordered in writing "
                            "in 2003: no household registration for a child born to a North "
                            "Korean parent outside a registered marriage, and no kindergarten, "
                            "school or medical care."
                        ),
                        cite("YB-2003-2", "YB-2003-3", signal="cf"),
                    )
                ],
            }
        )
    elif Point.YANBIAN_IF_THERE in plan.points:
        sections.append(
            {
                "heading": _("The Yanbian notice"),
                "paragraphs": [
                    paragraph(
                        _(
                            "If the family lives in Yanbian Prefecture, the refusals apply items "
                            "2 and 3 of the prefecture government's notice of 16 November 2003 "
                            "(as reported), which treat a child born to a North Korean parent "
                            "outside a registered marriage as a non-Chinese alien and withhold "
                            "kindergarten, school, medical care and welfare. Those items "
                            "contradict the national law set out above."
                        ),
                        cite("YB-2003-2", "YB-2003-3", signal="cf"),
                    )
                ],
            }
        )

    title = (
        _("A child's nationality, registration and schooling")
        if rules.minor(child)
        else _("Nationality, household registration and access to services")
    )
    return {
        "title": title,
        "subject": shown[child.pk],
        "people": [shown[child.pk], *(shown[p.pk] for p in parents)],
        "sections": sections,
        "requests": [_request(ask, name, through, shown, parent_word) for ask in plan.asks],
        "plan": {"points": list(plan.points), "asks": list(plan.asks)},
    }


def parent_word(parent) -> str:
    """The kinship word the parent's recorded sex calls for."""
    return {Sex.FEMALE: _("mother"), Sex.MALE: _("father")}.get(parent.sex, _("parent"))


def _family_section(facts, child, name, shown, parents) -> dict:
    facts_paragraphs = []
    if shown_age(child, shown[child.pk]):
        facts_paragraphs.append(
            paragraph(
                _("%(child)s is %(age)s on the date of this document.")
                % {"child": name, "age": age_text(child.age)}
            )
        )
    if child.born_in_china:
        facts_paragraphs.append(
            paragraph(
                _("%(child)s was born in China.") % {"child": name},
                [record_note(_("legal status since birth, in China"))],
            )
        )
    if child.status:
        facts_paragraphs.append(
            paragraph(
                _("Legal status recorded: %(status)s.") % {"status": status_label(child.status)},
                [
                    record_note(_("legal status since birth"))
                    if child.status_since_birth
                    else record_note(_("legal status"), child.status_since)
                ],
            )
        )
    for parent in parents:
        facts_paragraphs.append(
            paragraph(
                _("%(parent)s is the child's %(word)s; nationality recorded: %(nationality)s.")
                % {
                    "parent": shown[parent.pk]["label"],
                    "word": parent_word(parent),
                    "nationality": str(Nationality(parent.nationality).label),
                }
            )
        )
        if parent.detention is not None:
            facts_paragraphs.append(
                paragraph(
                    _("%(parent)s is detained.") % {"parent": shown[parent.pk]["label"]},
                    [record_note(_("detention"), parent.detention.since)],
                )
            )
    return {
        "heading": _("The child and the family")
        if rules.minor(child)
        else _("The person and the family"),
        "paragraphs": facts_paragraphs,
    }


def _benefit_paragraph(kind, child, name, age, plan, cite) -> dict:
    benefit = child.benefit(kind)
    what = benefits_in_sentence([kind])
    if age:
        refused = _("%(child)s, %(age)s, was refused %(what)s.") % {
            "child": name,
            "age": age,
            "what": what,
        }
    else:
        refused = _("%(child)s was refused %(what)s.") % {"child": name, "what": what}
    record = [record_note(benefit_label(kind), benefit.as_of)]
    by_parent = Point.NATIONALITY_BY_PARENT in plan.points
    if kind == EntitlementKind.SCHOOL:
        if by_parent:
            law = _(
                "As a Chinese national, the child has the equal right to compulsory education "
                "that art. 4 of the Compulsory Education Law gives every school-age child of PRC "
                "nationality; governments must guarantee it (art. 5), and the child enrols "
                "without examination near the place of household registration (art. 12)."
            )
            notes = cite("PRC-EDU-4", "PRC-EDU-5", "PRC-EDU-12", "CRC-28", "ICESCR-13")
        else:
            law = _(
                "The Convention on the Rights of the Child and the Covenant on Economic, Social "
                "and Cultural Rights, both binding on China, require primary education to be "
                "compulsory and available free to all, on the basis of equal opportunity."
            )
            notes = cite("CRC-28", "ICESCR-13")
    elif kind == EntitlementKind.KINDERGARTEN:
        law = _(
            "Kindergarten is not compulsory schooling, but it may not be withheld on grounds of "
            "the parents' status, household registration or birth outside marriage: that is "
            "discrimination, which Chinese law and the Convention on the Rights of the Child "
            "forbid."
        )
        notes = cite("PRC-MIN-3", "PRC-CIV-1071", "CRC-2")
    elif kind == EntitlementKind.MEDICAL_CARE:
        if rules.minor(child):
            law = _(
                "The child has the right to the highest attainable standard of health, and the "
                "State must strive to ensure that no child is deprived of access to health care "
                "services."
            )
        else:
            law = _("Everyone has the right to the highest attainable standard of health.")
        notes = cite("CRC-24", "ICESCR-12")
    elif rules.minor(child):
        law = _(
            "Every child has the right to benefit from social security, in accordance with "
            "national law, and everyone has the right to social security."
        )
        notes = cite("CRC-26", "ICESCR-9")
    else:
        law = _("Everyone has the right to social security.")
        notes = cite("CRC-26", "ICESCR-9")
    return paragraph(f"{refused} {law}", record, notes)


def _request(ask, name, through, shown, parent_word) -> dict:
    """A request: who must act, and what they must do."""
    if ask == Ask.REGISTER:
        if through is not None:
            what = _(
                "Register %(child)s in the household register of %(parent)s, the child's "
                "%(word)s, on the documents the 2015 opinion lists, and issue the identity "
                "documents that follow."
            ) % {"child": name, "parent": shown[through.pk]["label"], "word": parent_word(through)}
        else:
            what = _("Register %(child)s in the household register.") % {"child": name}
    else:
        what = {
            Ask.RECOGNISE_NATIONALITY: _(
                "Recognise %(child)s as a Chinese national under art. 4 of the Nationality Law."
            ),
            Ask.SECURE_NATIONALITY: _(
                "Register the birth of %(child)s and ensure that the child acquires a nationality."
            ),
            Ask.ADMIT_KINDERGARTEN: _(
                "Admit %(child)s to kindergarten on the same terms as other children."
            ),
            Ask.ADMIT_SCHOOL: _("Admit %(child)s to school near home, without examination."),
            Ask.ADMIT_MEDICAL_CARE: _(
                "Give %(child)s medical care on the same terms as other children."
            ),
            Ask.ADMIT_SOCIAL_WELFARE: _(
                "Give %(child)s social welfare on the same terms as other children."
            ),
            Ask.WITHDRAW_YANBIAN: _(
                "Withdraw items 2 and 3 of the Yanbian prefecture notice of 16 November 2003, "
                "which the refusals apply."
            ),
        }[ask] % {"child": name}
    return {"ask": str(ask), "who": who_must_act(ask), "what": what}


def who_must_act(ask) -> str:
    """The authority a request of a submission is addressed to."""
    return {
        Ask.REGISTER: _(
            "The public security bureau (household registration) of the place of residence"
        ),
        Ask.RECOGNISE_NATIONALITY: _(
            "The public security bureau (nationality) of the place of residence"
        ),
        Ask.SECURE_NATIONALITY: _(
            "The public security bureau (household registration) of the place of residence"
        ),
        Ask.ADMIT_KINDERGARTEN: _("The education bureau of the county or district"),
        Ask.ADMIT_SCHOOL: _("The education bureau of the county or district"),
        Ask.ADMIT_MEDICAL_CARE: _("The health commission of the county or district"),
        Ask.ADMIT_SOCIAL_WELFARE: _("The civil affairs bureau of the county or district"),
        Ask.WITHDRAW_YANBIAN: _("The People's Government of Yanbian Korean Autonomous Prefecture"),
    }[ask]
