"""
What every casework serializer is built on: DRF's ModelSerializer with its fields worked out
once per class, details written by fields bound once, the fields that name a visible record, a
colleague or a version, `listed` (a list's shape of a detail serializer), and the shape of an
error.
"""

import copy

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import TeamMembership

User = get_user_model()


def _user(serializer_field):
    return serializer_field.context["request"].user


NOT_FOUND = _("No such record among those you may see.")


# DRF's ModelSerializer with its fields worked out once per class, not on every request.
#
# `ModelSerializer.get_fields()` reads the model's fields and builds a serializer field for each
# (labels, validators, choices): about 1 ms of a detail request's 15, the same answer every time,
# since it depends only on the class and its Meta. The fields built the first time are kept on
# the class and each serializer gets its own deep copy, as DRF itself copies the declared fields:
# a field is bound to one serializer (its parent and context), so no request ever shares a field
# instance with another. (Said here, not in a docstring: the schema would show a docstring as the
# description of every serializer without one of its own.)
class ModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        cls = type(self)
        # Looked up on this class only: a subclass has fields of its own.
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)


# A detail's answer written by fields bound once per class, not copied and bound on every request.
#
# Even with the fields built once, `serializer.data` deep-copied and bound every field of the
# serializer and of each nested one (160 copies for a case: a tenth of a detail request's Python).
# A serializer with `ReadByKeptFields` writes its answer with one kept instance of its class
# instead, bound once: the same fields, the same `Serializer.to_representation`, so the same JSON
# byte for byte (tests/api/test_query_budget.py compares it with DRF's own path). Only for
# serializers whose read fields take nothing from the context (the request): the kept instance
# has none, and a field that asked would fail loudly rather than read another request's. Reading
# a bound field changes nothing in it, so requests (and threads) share it. Writes (validation)
# still go through the serializer's own fields, bound to its request.
class ReadByKeptFields:
    def to_representation(self, instance):
        cls = type(self)
        kept = cls.__dict__.get("_kept_reader")
        if kept is None:
            kept = cls()
            kept.fields  # noqa: B018 - built and bound now, once
            cls._kept_reader = kept
        return serializers.Serializer.to_representation(kept, instance)


class VisibleReferenceField(serializers.SlugRelatedField):
    """
    A person or case named by its reference. Only records the requesting user may see are
    found; any other reference is not found, whether or not it exists, and is not echoed back.
    """

    default_error_messages = {"does_not_exist": NOT_FOUND}

    def __init__(self, model, **kwargs):
        kwargs.setdefault("slug_field", "reference")
        if not kwargs.get("read_only"):
            # The unscoped queryset only tells the schema generator what the field points to.
            kwargs.setdefault("queryset", model.objects.all())
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(_user(self))


class ColleagueField(serializers.SlugRelatedField):
    """A staff member named by username, among the active members of the requester's teams."""

    default_error_messages = {"does_not_exist": _("No such colleague in your teams.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", User.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        teams = TeamMembership.objects.filter(user=_user(self)).values("team")
        return User.objects.filter(is_active=True, team_memberships__team__in=teams).distinct()


class VersionField(serializers.IntegerField):
    """The version a client read; sent back on update, a stale one is refused with 409."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "The version of the record as you read it. Send it back when you update the "
                "record: if someone changed it since, the update is refused with 409 Conflict."
            ),
        )
        super().__init__(**kwargs)


def model_default(model, name: str):
    """A field left out of a request takes the model's default, which the services expect."""
    return {"default": model._meta.get_field(name).default}


def staff_field():
    """A staff member shown by username."""
    return serializers.SlugRelatedField(slug_field="username", read_only=True)


def listed(serializer_class, *, hidden: tuple[str, ...]) -> type[ModelSerializer]:
    """
    The read-only shape of `serializer_class` in a list: without the encrypted fields in `hidden`.
    A list is not audited record by record (it would be a view of every row), so it shows only
    what is stored in plain columns; the audited detail shows the rest.
    """
    meta = serializer_class.Meta
    fields = [field for field in meta.fields if field not in hidden]
    name = serializer_class.__name__.replace("Serializer", "ListSerializer")
    list_meta = type("Meta", (meta,), {"fields": fields, "read_only_fields": fields})
    # None takes a declared field (the upload's `file`) out of the subclass.
    attrs = {name: None for name in hidden if name in serializer_class._declared_fields}
    attrs |= {"Meta": list_meta, "__module__": __name__, "__doc__": serializer_class.__doc__}
    return type(serializer_class)(name, (serializer_class,), attrs)


class ErrorSerializer(serializers.Serializer):
    """An error that is not about one field: 403, 404 or 409."""

    detail = serializers.CharField()
