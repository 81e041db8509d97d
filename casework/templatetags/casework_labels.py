"""What a stored value says in the reader's language: a choice's label, a role, a kind of record."""

from django import template
from django.utils.translation import get_language

from ..choices import MemberRole
from ._writing import _choice_label_in

register = template.Library()


@register.filter
def member_role(value: str) -> str:
    """The label of a role in a case, for the selectors that hand back its stored value."""
    return MemberRole(value).label if value in MemberRole.values else value


@register.filter
def label_of(record, field_name: str):
    """
    What `record.get_<field>_display()` says, from a table of the field's labels in the reader's
    language made once. Django's method rebuilds that table on every call and translates every
    label of the field to do so: a timeline row's country alone translated every country's name,
    some 200 translations per page, and every row of a list paid ten for one word.
    """
    return _choice_label_in(record, field_name, get_language())


@register.filter
def verbose_name(record) -> str:
    """What kind of record this is, in the user's language ("case note", "legal status record")."""
    return record._meta.verbose_name
