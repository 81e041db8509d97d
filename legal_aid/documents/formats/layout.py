"""
The document as its recipient's form lays it out: the format's body, the summary fitted,
paragraphs numbered, the cover, the requests and the evidence list (`assemble`).
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ...models import AdvocacyDocument
from .authority import authority_letter
from .recipients import Format, cover, requests_intro
from .submissions import submission
from .summary import fit_summary
from .un import allegation_letter, un_communication


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
