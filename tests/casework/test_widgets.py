"""QuickSelect writes the HTML Django's own select templates write, character for character."""

import pytest
from django import forms

from casework.filtersets import CaseFilterSet
from casework.widgets import QuickSelect

CHOICES = [
    ("", "Any"),
    ("open", "Open"),
    ("a&b", 'Tom "& Jerry" <script>'),
    ("Groups", [("x", "Ex"), ("y", "Why")]),
    (3, "Three"),
]


@pytest.mark.parametrize("value", [None, "", "open", "a&b", "y", 3, ["open", "y"]])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_f"}, {"id": "id_f", "required": True, "disabled": False, "data-x": '"q"'}],
)
def test_quick_select_renders_what_django_renders(value, attrs):
    expected = forms.Select(choices=CHOICES).render("f", value, attrs=attrs)
    assert QuickSelect(choices=CHOICES).render("f", value, attrs=attrs) == expected


@pytest.mark.django_db
def test_the_case_filters_render_as_with_django_select(rf, alice):
    """Every select of the case list's filters, chosen or not, is Django's HTML."""
    request = rf.get("/cases/", {"status": "open", "risk_level": "high"})
    request.user = alice
    form = CaseFilterSet(request.GET, request=request).form
    checked = 0
    for name, field in form.fields.items():
        if not isinstance(field.widget, QuickSelect):
            continue
        bound = form[name]
        django = forms.Select(choices=field.widget.choices, attrs=field.widget.attrs)
        assert str(bound) == bound.as_widget(widget=django)
        checked += 1
    assert checked == 6
