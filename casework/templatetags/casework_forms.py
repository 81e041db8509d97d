"""`{% form_field %}`: a form field as `includes/field.html` draws it."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ._writing import _escaped

register = template.Library()


# The one rendering of a form field (its label, widget, help and errors); `form_field` writes its
# common case in Python and leaves check boxes and lists of choices to it.
FIELD_TEMPLATE = "includes/field.html"
_FIELD_OF_CHOICES = frozenset({"checkboxselectmultiple", "radioselect", "checkbox"})


@register.simple_tag
def form_field(field) -> SafeString:
    """
    `{% include "includes/field.html" %}` for `field`, character for character: a text box or a
    drop-down (the template's last branch) written here, any other by the template. The case
    list draws ten fields on every page, and each include cost some 500 Python calls of
    template nodes around the widget's own HTML (tests/casework/test_widgets.py compares both).
    """
    if field.widget_type in _FIELD_OF_CHOICES:
        return mark_safe(render_to_string(FIELD_TEMPLATE, {"field": field}))  # noqa: S308
    errors = field.errors
    auto_id = _escaped(field.auto_id)
    help_text = (
        f'<small id="{auto_id}_helptext">{_escaped(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    shown_errors = "".join(
        f'<p class="error" id="{auto_id}_error">{_escaped(error)}</p>' for error in errors
    )
    return mark_safe(  # noqa: S308 - every value is escaped, the widget's HTML is Django's
        f'<div class="field{" has-error" if errors else ""}">\n'
        f'  <label for="{_escaped(field.id_for_label)}">{_escaped(field.label)}</label>\n'
        f"  {field}\n  {help_text}\n  {shown_errors}\n</div>\n"
    )
