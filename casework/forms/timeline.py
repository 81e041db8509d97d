"""The case page's timeline filter, its select rendered once per language and kept."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..selectors.timeline import TIMELINE_FILTERS


def _flat_values(choices) -> set[str]:
    values = set()
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group: (title, [(value, label), ...])
            values |= {str(inner) for inner, _label in label}
        else:
            values.add(str(value))
    return values


TIMELINE_FILTER_VALUES = _flat_values(TIMELINE_FILTERS)


_KEPT_RENDERINGS: dict = {}


class TimelineFilterSelect(forms.Select):
    """
    The timeline's filter, the same choices for everyone (no user's data in them): rendered once
    per language, chosen value, attributes and renderer, and kept, since Django renders each of
    its 13 options through a template, which cost the case page more than a query of its
    timeline. A value not among the choices (the address can carry anything) is rendered
    afresh and not kept, so what is kept stays a few dozen strings.
    """

    def render(self, name, value, attrs=None, renderer=None):
        shown = "" if value is None else str(value)
        plain = all(isinstance(v, str | bool | int) for v in (attrs or {}).values())
        if shown not in TIMELINE_FILTER_VALUES or not plain:
            return super().render(name, value, attrs, renderer)
        key = (name, shown, tuple(sorted((attrs or {}).items())), get_language(), type(renderer))
        if key not in _KEPT_RENDERINGS:
            _KEPT_RENDERINGS[key] = super().render(name, value, attrs, renderer)
        return _KEPT_RENDERINGS[key]


class TimelineFilterForm(forms.Form):
    """Which records the case page's timeline shows; read from the address (no name in it)."""

    show = forms.ChoiceField(
        label=_("Show"), choices=TIMELINE_FILTERS, required=False, widget=TimelineFilterSelect
    )
