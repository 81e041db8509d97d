"""
Correct, don't erase: the `correct/`, `void/` and `history/` actions of every record a caseworker
writes, and the decorator that gives a viewset them with their schema.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from audit.services import record
from casework import services
from casework.selectors.corrections import records

from ..serializers.corrections import RecordHistorySerializer, VoidSerializer, correction_serializer
from .common import responses, writing


class CorrectableMixin:
    """
    `correct/`, `void/` and `history/` of a record, calling the services of the
    records/<kind>/<id>/ pages. Who may correct a record, or read what it said before, is asked of
    casework.permissions (CanEditCasework); a record out of sight is a 404, as everywhere.
    """

    # The shape of a correction (correction_serializer) and of the record read back.
    correction_serializer_class = None
    detail_serializer_class = None

    def correctable(self, *, with_voided: bool = False):
        manager = records(self.model, include_voided=with_voided)
        record_ = get_object_or_404(
            manager.visible_to(self.request.user), pk=self.kwargs[self.lookup_url_kwarg]
        )
        self.check_object_permissions(self.request, record_)
        return record_

    def correct(self, request, **kwargs):
        target = self.correctable()
        serializer = self.correction_serializer_class(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        reason, version = fields.pop("reason"), fields.pop("version")
        services.record_correct(
            record=target,
            fields=fields,
            reason=reason,
            actor=request.user,
            expected_version=version,
        )
        data = self.detail_serializer_class(
            self.refreshed(target), context=self.get_serializer_context()
        ).data
        return Response(data)

    def void(self, request, **kwargs):
        target = self.correctable()
        serializer = VoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.record_void(
            record=target,
            reason=serializer.validated_data["reason"],
            actor=request.user,
            expected_version=serializer.validated_data["version"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def history(self, request, **kwargs):
        target = self.correctable(with_voided=True)
        revisions = target.revisions.select_related("made_by").order_by("-number")
        data = RecordHistorySerializer(
            {
                "id": target.pk,
                "version": target.version,
                "voided_at": target.voided_at,
                "void_reason": target.void_reason,
                "revisions": [
                    {
                        "number": revision.number,
                        "action": revision.action,
                        "fields": revision.fields,
                        # As on the page: only what a correction may change is shown.
                        "earlier": {
                            name: value
                            for name, value in revision.earlier.items()
                            if name in target.correctable_fields
                        },
                        "reason": revision.reason,
                        "made_by": revision.made_by,
                        "made_at": revision.made_at,
                    }
                    for revision in revisions
                ],
            }
        ).data
        # Recorded last, as the page records it (see AuditedRetrieveMixin).
        record(
            request.user,
            "view",
            target,
            request=request,
            case=getattr(target, "case", None),
            history=True,
        )
        return Response(data)


def correctable(detail_serializer):
    """
    Give a viewset the correction actions of its records, with their schemas: the correction
    takes `detail_serializer`'s correctable fields, the answer is the corrected record.
    """
    correction = correction_serializer(detail_serializer)

    def decorate(viewset):
        viewset.correction_serializer_class = correction
        viewset.detail_serializer_class = detail_serializer
        for name in ("correct", "void", "history"):
            setattr(viewset, name, _copied(getattr(CorrectableMixin, name)))
        viewset.correct = extend_schema(
            summary=_("Correct the record (its earlier values are kept in its history)"),
            description=_(
                "Send the fields to correct, the `version` you read and the `reason`. A voided "
                "record cannot be corrected (404)."
            ),
            request=correction,
            responses=writing({200: detail_serializer}, update=True),
        )(action(detail=True, methods=["post"])(viewset.correct))
        viewset.void = extend_schema(
            summary=_("Void the record, with a reason"),
            description=_(
                "The record leaves the timeline, reports and documents; its history keeps it."
            ),
            request=VoidSerializer,
            responses=writing({204: None}, update=True),
        )(action(detail=True, methods=["post"])(viewset.void))
        viewset.history = extend_schema(
            summary=_("The record's history (the view is audited)"),
            description=_(
                "What each correction replaced, and the void, decrypted for those who may "
                "correct the record."
            ),
            responses=responses({200: RecordHistorySerializer}, 403, 404),
        )(action(detail=True, methods=["get"])(viewset.history))
        return viewset

    return decorate


def _copied(function):
    """A function of its own for each viewset, so that each carries its own schema."""

    def method(self, request, **kwargs):
        return function(self, request, **kwargs)

    method.__name__, method.__doc__ = function.__name__, function.__doc__
    return method
