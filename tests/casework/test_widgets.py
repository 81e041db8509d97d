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


class _EveryKind(forms.Form):
    """A field of each branch of includes/field.html, with help and an id to point at."""

    name = forms.CharField(label="Name <b>", help_text='Help "&" more', max_length=3)
    kind = forms.ChoiceField(choices=CHOICES[:3], widget=QuickSelect)
    plain = forms.ChoiceField(choices=CHOICES[:3], required=False)
    agreed = forms.BooleanField(label="Agreed", help_text="Tick it")
    many = forms.MultipleChoiceField(
        choices=CHOICES[:3], widget=forms.CheckboxSelectMultiple, required=False
    )
    one = forms.ChoiceField(choices=CHOICES[:3], widget=forms.RadioSelect, required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)


def _as_included(field) -> str:
    from django.template.loader import render_to_string

    return render_to_string("includes/field.html", {"field": field})


@pytest.mark.parametrize(
    "data", [None, {}, {"name": "toolong<x>", "kind": "nope", "many": ["zz"], "note": "a&b"}]
)
def test_form_field_writes_what_the_field_template_writes(data):
    """`{% form_field %}` is the include, character for character, with and without errors."""
    from casework.templatetags.casework_forms import form_field

    form = _EveryKind(data)
    if data is not None:
        assert not form.is_valid()
    for field in form:
        assert form_field(field) == _as_included(field), field.name


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"status": "bogus", "risk_level": "high", "q": "Kim"}])
def test_form_field_writes_the_case_list_forms_as_the_template(rf, alice, bob, data):
    """The case list's filters (chosen, refused, blank) and the bulk form's fields."""
    from django.contrib.auth import get_user_model

    from casework.forms.bulk import BulkCasesForm
    from casework.models import Case
    from casework.templatetags.casework_forms import form_field

    request = rf.get("/cases/", data)
    request.user = alice
    filters = CaseFilterSet(request.GET or None, request=request).form
    users = get_user_model().objects.filter(pk__in=[alice.pk, bob.pk]).order_by("username")
    bulk = BulkCasesForm(
        {"action": "reassign", "other_reason": "<why>"} if data else None,
        cases=Case.objects.none(),
        caseworkers=users,
    )
    if data:
        assert filters.errors and not bulk.is_valid()
    for field in [*filters, *bulk.visible_fields()]:
        assert form_field(field) == _as_included(field), field.name
