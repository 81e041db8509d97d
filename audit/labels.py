"""How an event's target is named to a reader of the trail: the model's name in their language."""

from django.apps import apps
from django.utils.text import capfirst


def target_type_label(label: str) -> str:
    """
    The translated name of the model `label` names ("casework.casenote" → "Note"), for every page
    of the trail; a label no installed model answers to (a model since removed) stays as written.
    """
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return capfirst(model._meta.verbose_name)
