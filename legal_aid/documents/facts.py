"""
The facts of an advocacy document and the argument built on them, as a snapshot: a plain JSON
structure that the PDF template lays out and that is kept, encrypted, with the document.

Facts are gathered through casework's selectors as the requester sees them (a document never
shows what its requester could not open), people are shown through the Redactor, and only coded
fields are read besides the names a consenting person allows: never notes, descriptions,
contacts or the encrypted places.
"""

from dataclasses import asdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.roles import role_label
from casework import selectors as casework
from casework.choices import (
    EntitlementKind,
    EntitlementStatus,
    IncidentKind,
    LegalStatus,
    Nationality,
    PersonRole,
)
from casework.models import Case, CaseMember, Incident, LegalStatusRecord, Person
from casework.redaction import Redactor

from .. import selectors
from ..models import AdvocacyDocument, Restriction
from . import caseload
from .citations import Citations

# A person whose present status is one of these may be the subject of an urgent appeal: detained,
# or living undocumented or in transit, where arrest and return are the threat.
APPEAL_STATUSES = (LegalStatus.DETAINED_CN, LegalStatus.UNDOCUMENTED_CN, LegalStatus.IN_TRANSIT)
# The papers' figures an appeal against deportation rests on.
APPEAL_FIGURES = (
    "deported-by-2004",
    "new-detention-camps",
    "detention-spending",
    "refugees-in-area",
    "estimated-staying",
)


class DocumentError(Exception):
    """A document cannot be built; the message is ours and names no one."""


def gather(document: AdvocacyDocument) -> dict:
    """The snapshot of `document`: its facts, argument and citations, in its language."""
    is_report = document.kind == AdvocacyDocument.Kind.CASELOAD_REPORT
    # Checked before switching language: the reason for a failure is read by staff, not printed.
    case, subject = (None, None) if is_report else _scoped_case_and_subject(document)
    with override(document.language):
        citations = Citations()
        redactor = None
        if is_report:
            body = caseload.caseload_report(document, citations)
            names = False
        else:
            redactor = Redactor(case, level=document.redaction)
            compose = {
                AdvocacyDocument.Kind.CHILD_ACCESS_BRIEF: _child_access_brief,
                AdvocacyDocument.Kind.DEPORTATION_APPEAL: _deportation_appeal,
            }[document.kind]
            body = compose(document, case, subject, redactor, citations)
            names = redactor.named_any
        return {
            "kind": document.kind,
            "kind_label": str(AdvocacyDocument.Kind(document.kind).label),
            "language": document.language,
            "reference": document.reference,
            "version": document.version,
            # By role, never by username: the PDF leaves the team (casework.redaction).
            "requested_by": role_label(document.requested_by, _team_of(document)),
            "generated_on": timezone.localdate().isoformat(),
            "case_reference": redactor.case_reference() if redactor else "",
            "pseudonymised": bool(redactor and redactor.pseudonymised),
            "disclosures": [asdict(d) for d in redactor.disclosures()] if redactor else [],
            "team": document.team.name if document.team_id else "",
            "redaction": document.redaction,
            "redaction_label": str(AdvocacyDocument.Redaction(document.redaction).label),
            "names_people": names,
            # Said in every language, English too: the papers were written in Chinese, and what
            # we quote is the published English translation, not the original.
            "source_language_note": _(
                "Quoted provisions are given in the English translation that is our source."
            ),
            **body,
            "authorities": citations.table_of_authorities(),
            "annex": citations.annex(),
            "provenance": citations.provenance(),
        }


def _team_of(document: AdvocacyDocument):
    return document.case.team if document.case_id else document.team


def _scoped_case_and_subject(document: AdvocacyDocument) -> tuple[Case, Person]:
    user = document.requested_by
    case = Case.objects.visible_to(user).filter(pk=document.case_id).first()
    if case is None:
        raise DocumentError(_("The requester can no longer see this case."))
    member = CaseMember.objects.filter(case=case, person_id=document.subject_id).first()
    if member is None:
        raise DocumentError(_("The person is no longer a member of this case."))
    return case, member.person


def _paragraph(text: str, notes: list | None = None) -> dict:
    return {"text": text, "notes": notes or []}


def _shown(person, redactor) -> dict:
    return asdict(redactor.show(person))


def _members(case) -> list[CaseMember]:
    return list(
        CaseMember.objects.filter(case=case).select_related("person").order_by("added_at", "pk")
    )


def _status_of(person) -> LegalStatusRecord | None:
    return casework.current_status(person)


def _remaining_authorities(restrictions, citations: Citations) -> list[str]:
    """Labels the catalogue lists for `restrictions` that the argument has not cited yet."""
    labels = []
    for restriction in restrictions:
        for link in restriction.authority_links.all():
            label = link.authority.label
            if label not in citations.authorities and label not in labels:
                labels.append(label)
    return labels


# Child access brief.


def _child_access_brief(document, case, child, redactor, citations) -> dict:
    user = document.requested_by
    people_of_case = {m.person_id for m in _members(case)}
    family = casework.family_of(child, user=user)
    parents = [p for p in family.parents if p.pk in people_of_case]
    shown_child = _shown(child, redactor)
    shown_parents = [_shown(p, redactor) for p in parents]
    chinese_parent = next((p for p in parents if p.nationality == Nationality.PRC), None)
    refugee_parent = next((p for p in parents if p.nationality == Nationality.DPRK), None)
    married = None
    if chinese_parent and refugee_parent:
        ties = casework.family_of(refugee_parent, user=user).partners
        married = next(
            (t.marriage_registered for t in ties if t.person.pk == chinese_parent.pk), None
        )

    entitlements = list(casework.current_entitlements(child))
    evidenced = selectors.restrictions_evidenced_by(child, user=user)
    restrictions = [e.restriction for e in evidenced]
    slugs = {r.slug for r in restrictions}

    sections = []
    # Who the child is.
    facts = [
        _paragraph(
            _(
                "This brief concerns %(child)s, a child living in %(region)s. It sets out what "
                "the child has been refused and the law that entitles the child to it."
            )
            % {
                "child": shown_child["label"],
                # Needed: the Yanbian notice applies where the child lives.
                "region": redactor.region_for(child, needed=True),
            }
        )
    ]
    for shown in shown_parents:
        facts.append(
            _paragraph(
                _("%(parent)s is the child's parent; nationality recorded: %(nationality)s.")
                % {"parent": shown["label"], "nationality": shown["nationality"]}
            )
        )
    if married is False:
        facts.append(
            _paragraph(
                _(
                    "The parents' marriage is not registered: the Yanbian notice treats such a "
                    "child as a non-Chinese alien."
                ),
                citations.cite("YB-2003-2"),
            )
        )
    sections.append({"heading": _("The child and the family"), "paragraphs": facts})

    # What was refused, from the child's present records.
    rows = [
        {
            "what": str(EntitlementKind(e.kind).label),
            "status": str(EntitlementStatus(e.status).label),
            "as_of": redactor.date(e.as_of),
        }
        for e in entitlements
    ]
    refused = []
    for item in evidenced:
        kinds = sorted({str(EntitlementKind(e.kind).label) for e in item.entitlements})
        refused.append(
            _paragraph(
                _("%(restriction)s: recorded refusal of %(what)s.")
                % {"restriction": item.restriction.title, "what": ", ".join(kinds) or "—"},
                citations.cite(*[p.label for p in item.restriction.provisions.all()]),
            )
        )
    if not refused:
        refused.append(
            _paragraph(_("No refusal is recorded yet for this child; the law below still applies."))
        )
    sections.append(
        {
            "heading": _("What the child has been refused"),
            "paragraphs": refused,
            "table": {
                "columns": [_("Benefit"), _("Present status"), _("As of")],
                "rows": [[r["what"], r["status"], r["as_of"]] for r in rows],
            }
            if rows
            else None,
        }
    )

    # Nationality first (LEGAL_AUTHORITIES caution 2), then registration, then the benefits.
    if chinese_parent is not None:
        nationality = _(
            "Born in China to a Chinese parent, the child is a Chinese national by law, "
            "whatever the parents' marriage or the mother's status."
        )
    else:
        nationality = _(
            "If either parent is Chinese, the child born in China is a Chinese national by law; "
            "the child must not be left without any nationality."
        )
    law = [
        _paragraph(nationality, citations.cite("PRC-NAT-4", "CRC-7")),
        _paragraph(
            _(
                "A child born outside marriage has the same rights as any other child, and no "
                "one may discriminate against the child."
            ),
            citations.cite("PRC-CIV-1071", "PRC-MAR-25"),
        ),
    ]
    sections.append({"heading": _("Nationality comes first"), "paragraphs": law})

    registration = [
        _paragraph(
            _(
                "Household registration is the administrative step that follows: the State "
                "Council's 2015 opinion allows a child born outside marriage to be registered "
                "with the birth certificate, one parent's household book and a statement, and "
                "bans extra preconditions."
            ),
            citations.cite("PRC-HUKOU-2015", "YB-2003-2"),
        ),
        _paragraph(
            _("Every child is to be registered immediately after birth and keeps an identity."),
            citations.cite("CRC-8", "ICCPR-24-2", "CRC-CO-40"),
        ),
    ]
    sections.append({"heading": _("Household registration (hukou)"), "paragraphs": registration})

    benefits = []
    if "child-education-denied" in slugs or _sought(entitlements, "kindergarten", "school"):
        benefits.append(
            _paragraph(
                _(
                    "A child of Chinese nationality has an equal right to compulsory schooling, "
                    "which governments must guarantee, near home and without exams."
                ),
                citations.cite("YB-2003-3", "PRC-EDU-4", "PRC-EDU-5", "PRC-EDU-12"),
            )
        )
        benefits.append(
            _paragraph(
                _("Primary education is to be compulsory and free for every child."),
                citations.cite("CRC-28", "ICESCR-13"),
            )
        )
    if "child-medical-care-denied" in slugs or _sought(entitlements, "medical_care"):
        benefits.append(
            _paragraph(
                _("No child may be deprived of access to health care."),
                citations.cite("YB-2003-3", "CRC-24", "ICESCR-12"),
            )
        )
    benefits.append(
        _paragraph(
            _(
                "Minors have equal rights without discrimination, including on household "
                "registration or family situation, and the child's best interests come first."
            ),
            citations.cite("PRC-MIN-3", "CRC-2", "CRC-3"),
        )
    )
    remaining = _remaining_authorities(restrictions, citations)
    if remaining:
        benefits.append(
            _paragraph(
                _("The same refusals also offend the following."), citations.cite(*remaining)
            )
        )
    sections.append({"heading": _("Kindergarten, school and medical care"), "paragraphs": benefits})

    sections.append(
        {
            "heading": _("Requests"),
            "requests": [
                _("Register the child in the household registration of the Chinese parent."),
                _("Admit the child to kindergarten or school and to medical care without delay."),
                _("Withdraw item 2 and item 3 of the Yanbian notice of 16 November 2003."),
            ],
            "paragraphs": [],
        }
    )
    return {
        "title": _("Child access brief: registration, school and medical care"),
        "subject": shown_child,
        "people": [shown_child, *shown_parents],
        "sections": sections,
    }


def _sought(entitlements, *kinds: str) -> bool:
    return any(e.kind in kinds for e in entitlements)


# Urgent appeal against deportation.


def _deportation_appeal(document, case, person, redactor, citations) -> dict:
    user = document.requested_by
    shown = _shown(person, redactor)
    status = _status_of(person)
    members = _members(case)
    children = [
        m.person
        for m in members
        if m.person_id != person.pk
        and m.person.pk in {c.pk for c in casework.family_of(person, user=user).children}
    ]
    shown_children = [_shown(c, redactor) for c in children]
    incidents = list(
        Incident.objects.visible_to(user)
        .filter(
            case=case,
            people=person,
            kind__in=[IncidentKind.RAID, IncidentKind.ARREST, IncidentKind.DETENTION],
        )
        .order_by("occurred_on", "pk")
    )

    situation = []
    if status is not None:
        situation.append(
            _paragraph(
                _(
                    "%(person)s, of %(nationality)s nationality, is recorded as “%(status)s” "
                    "since %(since)s (%(country)s)."
                )
                % {
                    "person": shown["label"],
                    "nationality": shown["nationality"],
                    "status": status.get_status_display(),
                    "since": _("birth")
                    if status.since_birth
                    else redactor.date(status.effective_from),
                    "country": status.get_country_display(),
                }
            )
        )
    for incident in incidents:
        situation.append(
            _paragraph(
                _("%(kind)s: %(date)s.")
                % {
                    "kind": incident.get_kind_display(),
                    "date": ", ".join(
                        part
                        for part in (
                            redactor.date(incident.occurred_on),
                            # Not needed by the argument: the appeal is about return.
                            redactor.region(incident.region, needed=False),
                        )
                        if part
                    ),
                },
                citations.cite("YBF-2004-P2", "MPS-2005-P2"),
            )
        )
    if shown_children:
        situation.append(
            _paragraph(
                _("%(person)s is the parent of %(children)s, whose care depends on them.")
                % {
                    "person": shown["label"],
                    "children": ", ".join(c["label"] for c in shown_children),
                },
                citations.cite("CRC-3", "CRC-CO-83c"),
            )
        )
    sections = [{"heading": _("The person at risk"), "paragraphs": situation}]

    own_words = citations.provision("MPS-2005-P4")
    sections.append(
        {
            "heading": _("The authorities' own finding"),
            "paragraphs": [
                _paragraph(
                    _(
                        "The Ministry of Public Security's border bureau itself wrote that those "
                        "who cross “mostly came because of hunger and survival. Only a few came "
                        "because of political motives.”"
                    ),
                    [own_words],
                ),
                _paragraph(
                    _(
                        "People who fled hunger are punished on return to North Korea: the "
                        "Commission of Inquiry and the Committee against Torture found that "
                        "returnees face detention, torture and worse."
                    ),
                    citations.cite("COI-38-45", "CAT-CO-46"),
                ),
            ],
        }
    )

    figures = [citations.figure(key) for key in APPEAL_FIGURES]
    sections.append(
        {
            "heading": _("Returns and detention, in the papers' own figures"),
            "paragraphs": [
                _paragraph(
                    _("%(description)s: %(figure)s.")
                    % {"description": f["description"], "figure": f["text"]},
                    [{"label": f["provision"], "kind": "figure", "note": f["note"]}],
                )
                for f in figures
            ],
        }
    )

    law = [
        _paragraph(
            _(
                "No one may be returned where their life or freedom would be threatened, nor to "
                "a state where there are substantial grounds to fear torture; the second rule "
                "needs no refugee status, which China does not grant to North Koreans."
            ),
            citations.cite("RC-33", "CAT-3"),
        ),
        _paragraph(
            _(
                "The Committee on the Rights of the Child asked China to respect non-refoulement "
                "for every child, including from the DPRK, and to stop arresting and returning "
                "North Koreans, especially women with children by Chinese men."
            ),
            citations.cite("CRC-CO-83a", "CRC-CO-83c"),
        ),
        _paragraph(
            _("Refugees who enter illegally to flee danger are not to be penalised for it."),
            citations.cite("RC-31"),
        ),
        _paragraph(
            _("UNHCR has publicly protested China's returns of North Koreans."),
            citations.cite("UNHCR-PROTESTS"),
        ),
    ]
    if person.role == PersonRole.CHILD:
        law.append(
            _paragraph(
                _("A child seeking protection is owed it in particular."), citations.cite("CRC-22")
            )
        )
    restrictions = Restriction.objects.filter(
        slug__in=["forced-return", "detention-for-deportation"]
    ).prefetch_related("authority_links__authority")
    remaining = _remaining_authorities(restrictions, citations)
    if remaining:
        law.append(
            _paragraph(_("Return would also offend the following."), citations.cite(*remaining))
        )
    # The papers that order returns, cited so the reader sees what is answered.
    law.append(
        _paragraph(
            _("These obligations answer the orders to deport all illegal immigrants."),
            citations.cite("YB-2003-5", "MPS-2005-P2"),
        )
    )
    sections.append({"heading": _("Non-refoulement"), "paragraphs": law})
    sections.append(
        {
            "heading": _("Requests"),
            "requests": [
                _("Halt the deportation of %(person)s at once.") % {"person": shown["label"]},
                _("Release %(person)s from detention for deportation.")
                % {"person": shown["label"]},
                _("Give UNHCR access to assess the need for protection."),
            ],
            "paragraphs": [],
        }
    )
    return {
        "title": _("Urgent appeal against deportation"),
        "subject": shown,
        "people": [shown, *shown_children],
        "sections": sections,
    }
