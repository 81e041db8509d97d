"""What a browser posts back from an admin change page, to change one thing and submit."""

from django.forms import MultiWidget


def _put(data: dict, form, name: str) -> None:
    field = form.fields[name]
    if field.disabled:
        return
    value = form[name].value()
    key = form.add_prefix(name)
    if isinstance(field.widget, MultiWidget):
        for index, part in enumerate(field.widget.decompress(value)):
            if part is not None:
                data[f"{key}_{index}"] = part
    elif isinstance(value, bool):
        if value:
            data[key] = "on"
    elif isinstance(value, list | tuple):
        data[key] = [getattr(item, "pk", item) for item in value]
    elif value is not None:
        data[key] = getattr(value, "pk", value)


def admin_form_data(response) -> dict:
    """The change page's form and inline forms as they stand, ready to post."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        _put(data, form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in formset.initial_forms:
            for name in inline_form.fields:
                _put(data, inline_form, name)
    return data
