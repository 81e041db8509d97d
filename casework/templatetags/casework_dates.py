"""Days as the reader's language writes them, a <time>'s datetime, and since when a status holds."""

from django import template
from django.utils.translation import get_language

from ._writing import _day_as, _format_html, _iso_day, _label

register = template.Library()


@register.filter(expects_localtime=True)
def day(value):
    """
    `value|date` for a day (a `date`, not a `datetime`): the same text, formatted once per day
    and language. The dashboard formats 190 days, most of them the same few dozen, and Django's
    `date` translated the month's name anew for each (a tenth of the page's Python time).
    """
    return _day_as(value, get_language())


@register.filter(expects_localtime=True)
def iso_day(value) -> str:
    """`value|date:"Y-m-d"` for a <time>'s datetime in a template, as `_iso_day`."""
    return _iso_day(value)


@register.simple_tag
def status_since(status) -> str:
    """When a legal status began ("since birth", or its day), on every list of statuses."""
    return _status_since(status, day)


def _status_since(status, day_of) -> str:
    if status.since_birth:
        return _label("since birth")
    began = status.effective_from
    return _format_html(
        '<time datetime="{}">{}</time>', began.isoformat() if began else "", day_of(began)
    )
