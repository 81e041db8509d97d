"""`{% case_header %}`: the header every page of a case starts with."""

from django import template

from ..selectors.case_page import case_flags

register = template.Library()


@register.inclusion_tag("casework/includes/case_header.html")
def case_header(case, as_heading: bool = True, flags=None):
    """
    The header every page of a case starts with: reference, risk, status, team and flags. A form
    page that has its own <h1> passes as_heading=False; a page that has read the case's flags
    already passes them (`flags`), and they are not read again.
    """
    if flags is None:
        flags = list(case_flags(case))
    return {"case": case, "flags": flags, "as_heading": as_heading}
