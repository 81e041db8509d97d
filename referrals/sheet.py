"""
The referral sheet: what a caseworker hands to the provider, on paper or as a PDF. The person
appears as advocacy documents and the printed case summary show people (casework.redaction, the
one home of that rule): named only at the level that allows names and when every member of the
case consents to be named, pseudonymised with an age band otherwise; dates to the month and no
case reference then, and no typed text (the outcome), which may name someone.

The PDF is rendered by WeasyPrint from a template that loads nothing (its style is inline and the
fetcher refuses every URL), and refused when its text leaks what the level hides
(`Redactor.leaks`, the check advocacy documents pass) or the preparer's username.
"""

import re
from dataclasses import dataclass

from django.template.loader import render_to_string

from casework import dates
from casework.choices import Redaction
from casework.redaction import Redactor, Shown
from casework.selectors.people import current_status

from .models import Referral

DEFAULT_LEVEL = Redaction.PSEUDONYMISED
PDF_TEMPLATE = "referrals/pdf/sheet.html"


class SheetLeaks(Exception):
    """A rendered sheet shows what its level hides: it is not handed out."""

    def __init__(self, found: list[str]):
        super().__init__(", ".join(found))
        self.found = found


class RefusedURL(ValueError):
    """The sheet loads nothing: any URL it asks for is refused."""


@dataclass
class ReferralSheet:
    referral: Referral
    level: str
    level_label: str
    person: Shown
    status: object
    referred_on: str
    case_reference: str
    provider_region: str
    free_text: bool
    today: object


def referral_sheet(referral: Referral, *, level: str) -> ReferralSheet:
    """The facts of a referral the caller found through `visible_to(user)`, at `level`."""
    redactor = Redactor(referral.case, level=level)
    shown = redactor.show(referral.person)
    return ReferralSheet(
        referral=referral,
        level=level,
        level_label=str(Redaction(level).label),
        person=shown,
        status=current_status(referral.person),
        referred_on=redactor.date(referral.referred_on),
        case_reference=redactor.case_reference(),
        provider_region=str(referral.provider.get_region_display()),
        free_text=not redactor.pseudonymised,
        today=dates.today(),
    )


def _refuse_every_url(url, *args, **kwargs):
    raise RefusedURL(url)


def pdf_text(pdf: bytes) -> str:
    """The text of every page of `pdf` and its metadata, as a reader of the file gets it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
        metadata = document.get_metadata_dict(skip_empty=True)
        return "\n".join([*pages, *(str(value) for value in metadata.values())])
    finally:
        document.close()


def leaks(sheet: ReferralSheet, pdf: bytes, *, username: str) -> list[str]:
    """What the PDF shows that it must not (codes, never values)."""
    text = pdf_text(pdf)
    found = []
    if not sheet.free_text:
        found += Redactor(sheet.referral.case, level=sheet.level).leaks(text)
    if re.search(rf"(?<!\w){re.escape(username)}(?!\w)", text):
        found.append("username")
    return found


def sheet_pdf(sheet: ReferralSheet, *, username: str) -> bytes:
    """The sheet as PDF bytes; SheetLeaks when its text shows what the level hides."""
    import weasyprint

    html = render_to_string(PDF_TEMPLATE, {"sheet": sheet, "pdf": True})
    pdf = weasyprint.HTML(string=html, url_fetcher=_refuse_every_url).write_pdf(
        pdf_variant="pdf/ua-1"
    )
    found = leaks(sheet, pdf, username=username)
    if found:
        raise SheetLeaks(found)
    return pdf
