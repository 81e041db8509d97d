"""Template tags for the casework pages."""

from functools import cache

from django import template
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils.translation import get_language

from .. import selectors
from ..choices import MemberRole

register = template.Library()


def _url_name_exists(viewname: str) -> bool:
    *namespaces, name = viewname.split(":")
    resolver = get_resolver()
    for namespace in namespaces:
        try:
            resolver = resolver.namespace_dict[namespace][1]
        except KeyError:
            return False
    return name in resolver.reverse_dict


@register.simple_tag
def url_if_exists(viewname: str, *args) -> str:
    """
    The URL of `viewname`, or "" while no such page exists yet, so a page can offer a link to a
    form that another part of the app adds later. A page that exists but is given the wrong
    arguments still fails loudly.
    """
    try:
        return reverse(viewname, args=args)
    except NoReverseMatch:
        if _url_name_exists(viewname):
            raise
        return ""


@register.inclusion_tag("casework/includes/case_header.html")
def case_header(case, as_heading: bool = True):
    """
    The header every page of a case starts with: reference, risk, status, team and flags. A form
    page that has its own <h1> passes as_heading=False.
    """
    case_flags = getattr(selectors, "case_flags", None)
    flags = list(case_flags(case)) if case_flags is not None else []
    return {"case": case, "flags": flags, "as_heading": as_heading}


@register.filter
def member_role(value: str) -> str:
    """The label of a role in a case, for the selectors that hand back its stored value."""
    return MemberRole(value).label if value in MemberRole.values else value


@cache
def _choice_labels(model, field_name: str, language: str | None) -> dict:
    """A field's choices as {stored value: label in `language`}, translated once per language."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


@register.filter
def display(record, field_name: str) -> str:
    """
    What `record.get_<field>_display()` says, from a table of the field's labels in the reader's
    language made once. Django's method rebuilds that table on every call and translates every
    label of the field to do so: ten translations for one word, in every row of a list.
    """
    value = getattr(record, field_name)
    return _choice_labels(type(record), field_name, get_language()).get(value, value)


@register.filter
def verbose_name(record) -> str:
    """What kind of record this is, in the user's language ("case note", "legal status record")."""
    return record._meta.verbose_name


@register.simple_tag
def record_url(record, action: str) -> str:
    """The address of a record's correction page ("correct", "void" or "history")."""
    return reverse(f"casework:record_{action}", args=[record.record_kind, record.pk])


@register.inclusion_tag("casework/includes/record_actions.html")
def record_actions(record, can_correct: bool):
    """Correct, Void and History for a record, to whoever may correct it (History only once voided)."""
    return {"record": record, "can_correct": can_correct}
