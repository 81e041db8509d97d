"""What a step holds, as label and value pairs, for the review page and the decision page."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SET_LABELS = {"children": gettext_lazy("Children"), "incidents": gettext_lazy("Incidents")}


def _display(field: forms.Field, value) -> str:
    if value in (None, "", [], ()):
        return ""
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else ""
    choices = dict(getattr(field, "choices", ()) or ())
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if choices:
        return str(choices.get(value, value))
    if hasattr(value, "isoformat"):
        return date_format(value)
    return str(value)


def _rows(form: forms.Form) -> list[tuple[str, str]]:
    rows = []
    for name, field in form.fields.items():
        if form.is_bound and form.is_valid():
            value = form.cleaned_data.get(name)
        else:
            value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        shown = _display(field, value)
        if shown:
            rows.append((str(field.label), shown))
    return rows


def describe(step_forms) -> dict:
    """{"rows": [(label, value)], "sets": [{"label", "items": [[(label, value)]]}]}"""
    sets = []
    for prefix, formset in step_forms.sets.items():
        items = (
            [_rows(form) for form in formset.forms if form.has_changed()]
            if step_forms.is_bound
            else []
        )
        sets.append({"label": SET_LABELS.get(prefix, prefix), "items": items})
    return {"rows": _rows(step_forms.form) if step_forms.is_bound else [], "sets": sets}
