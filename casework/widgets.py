"""
Form widgets written for speed on the pages every caseworker opens many times a day.

Django renders a <select> through three templates, one include per option and another per
option's attributes: the case list's seven filters and the supervisor's bulk form took about a
fifth of the page. `QuickSelect` writes the same HTML in Python, character for character
(tests/casework/test_widgets.py compares it with Django's own rendering), so the label, the
`id` its <label for> points at and every attribute stay as they were.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: a False attribute is left out, a True one has no value;
    # a value is written as its `stringformat:"s"`, str().
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """A drop-down rendered as django/forms/widgets/select.html renders it, without templates."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f"<select name={_quoted(widget['name'])}{_attrs(widget['attrs'])}>"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f"\n  <optgroup label={_quoted(group_name)}>")
            for option in options:
                parts.append(
                    f"\n  <option value={_quoted(str(option['value']))}"
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        # Django strips what a widget's template renders (each option's template ends in a line
        # break, kept: the include does not strip it).
        return mark_safe("".join(parts).strip())  # noqa: S308 - every value above is escaped


def _quoted(value) -> str:
    return f'"{conditional_escape(value)}"'
