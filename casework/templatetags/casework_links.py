"""
Links of the casework pages: a page's address only where it exists, a case's and a record's
address, a person's name linking to their page, a record's Correct, Void and History.
"""

import uuid

from django import template
from django.urls import reverse

from ._addresses import _row_address, _row_addresses, _url_name_exists
from ._writing import _format_html, _label

register = template.Library()


@register.simple_tag
def url_if_exists(viewname: str, *args) -> str:
    """
    The URL of `viewname`, or "" while no such page exists yet, so a page can offer a link to a
    form that another part of the app adds later. A page that exists but is given the wrong
    arguments still fails loudly.
    """
    if not _url_name_exists(viewname):
        return ""
    if args and all(isinstance(arg, str | uuid.UUID) for arg in args):
        # The case page asks a dozen (its actions, each follow-up's "Mark as done"), each of
        # which reverse() matched anew: reversed once per page kind, as a row's address is.
        return _row_address(viewname, *args[:-1], key=args[-1])
    return reverse(viewname, args=args)


@register.simple_tag
def record_url(record, action: str) -> str:
    """The address of a record's correction page ("correct", "void" or "history")."""
    return _row_address(f"casework:record_{action}", record.record_kind, key=record.pk)


# A record's three correction pages, in the order its links are written.
_CORRECTIONS = ("casework:record_correct", "casework:record_void", "casework:record_history")


@register.simple_tag
def record_actions(record, can_correct: bool) -> str:
    """
    Correct, Void and History for a record, to whoever may correct it (History only once voided).
    Written here rather than by a template: it is on every row of the timeline and the person's
    lists, where a template per row cost more than the rest of the row.
    """
    if not can_correct:
        return ""
    if record.is_voided:
        (history,) = _row_addresses(("casework:record_history",), record.record_kind, key=record.pk)
        lead = _format_html(
            '<span class="voided-note"><strong>{}</strong>: {}</span> · ',
            _label("Voided"),
            record.void_reason,
        )
    else:
        correct, void, history = _row_addresses(_CORRECTIONS, record.record_kind, key=record.pk)
        lead = _format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · ',
            correct,
            _label("Correct"),
            void,
            _label("Void"),
        )
    return _format_html(
        '<p class="record-actions">{}<a href="{}">{}</a></p>',
        lead,
        history,
        _label("History"),
    )


@register.simple_tag
def person_link(person) -> str:
    """A person's name linking to their page, and their reference (on every list of people)."""
    return _person_link(person, where=None)


def _person_link(person, *, where: tuple | None) -> str:
    (address,) = _row_addresses(("casework:person_detail",), key=person.reference, where=where)
    return _format_html(
        '<a href="{}">{}</a> <span class="ref">{}</span>',
        address,
        person.full_name,
        person.reference,
    )


@register.simple_tag
def case_url(reference) -> str:
    """`{% url 'casework:case_detail' reference %}`, reversed once per language and script
    prefix (the dashboard links some hundred rows to their case)."""
    return _row_address("casework:case_detail", key=reference)
