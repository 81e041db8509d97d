"""
What every casework viewset is built on: the base viewset, the audited detail reads (and the
detail read from SQL compiled once per user), the responses a write documents, the refusal of a
name sent in an address, and the page's consent form bound to what the API was sent.
"""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.kept_sql import of_user, rows_of_shape
from audit.services import record

from ...querysets import few_cases_granted
from ..permissions import CanEditCasework
from ..serializers.common import ErrorSerializer

User = get_user_model()


ERRORS = {
    400: OpenApiResponse(description=_("Field errors: nothing was saved.")),
    403: OpenApiResponse(
        ErrorSerializer, description=_("You may read this record but not change it.")
    ),
    404: OpenApiResponse(ErrorSerializer, description=_("No such record among those you may see.")),
    409: OpenApiResponse(
        ErrorSerializer,
        description=_("The record changed since you read it (stale version): nothing was saved."),
    ),
}


def responses(ok, *codes):
    return {**ok, **{code: ERRORS[code] for code in codes}}


def writing(ok, *, update=False):
    """The responses of a write: its result, or why nothing was saved."""
    return responses(ok, 400, 403, 404, *([409] if update else []))


class NameInAddress(ValidationError):
    """A name sent in a query string: refused unread, and the answer says where it belongs."""


def refuse_names_in_address(request, params: dict[str, str]) -> None:
    """
    Refuse a list request whose query string holds a search term (`params`: parameter -> where to
    send it instead). A query string stays in browser histories and proxy logs; the term is
    neither searched for nor echoed back.
    """
    sent = sorted(param for param in params if param in request.query_params)
    if sent:
        raise NameInAddress(
            {
                param: [
                    _("Names are not sent in addresses: POST them to %(path)s.")
                    % {"path": params[param]}
                ]
                for param in sent
            }
        )


def _with_usernames(form):
    """Staff are named by username in the API, as everywhere in it (the page sends their key)."""
    form.fields["witnessed_by_user"].to_field_name = "username"
    return form


def consent_form(form_class, data, **kwargs):
    """The page's consent form, bound to what the API was sent."""
    return _with_usernames(form_class(data, **kwargs))


class CaseworkViewSet(viewsets.GenericViewSet):
    """
    The common ground of the casework viewsets: scoping, edit rights, the plain-column shape of
    lists and audited detail reads. What the services raise is answered by casework.api.errors.
    """

    model = None
    permission_classes = [IsAuthenticated, CanEditCasework]
    # The shape of the list (plain columns only); None: the list shows what the detail shows,
    # for records without encrypted fields.
    list_serializer_class = None

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.action == "list":
            # A reader of a few cases (a caseworker's own) lists from their records: the list
            # walked every record of the organisation newest first to find hers (0.2-1 s a
            # page at 100,000 people for a caseworker of 40 cases).
            granted = few_cases_granted(self.request.user)
            if granted is not None:
                queryset = queryset.among_cases(granted)
        return queryset

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class is not None:
            return self.list_serializer_class
        return super().get_serializer_class()

    def filter_queryset(self, queryset):
        # Filters narrow lists. One record asked for by its key is found, or not, by visibility
        # alone; django-filter would otherwise build and validate its form on every retrieve.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def refreshed(self, instance):
        """The record as stored after a service changed it (its new version included)."""
        return self.get_queryset().get(pk=instance.pk)

    @staticmethod
    def changes(serializer):
        """The fields a client sent, and the version it read (None when it sent none)."""
        fields = dict(serializer.validated_data)
        return fields, fields.pop("version", None)


class AuditedRetrieveMixin(mixins.RetrieveModelMixin):
    """A detail shows decrypted fields: reading it is recorded, as the web pages record theirs."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        # Recorded last: recording holds the audit chain's lock until the request's transaction ends.
        self.record_view(instance)
        return Response(data)

    def record_view(self, instance) -> None:
        # A record of a case (a note, a task…) carries its case, so the case's viewers list it.
        record(self.request.user, "view", instance, request=self.request)


class KeptRetrieveMixin(AuditedRetrieveMixin):
    """
    A detail whose query is run from SQL compiled once per user in the process (`kept_sql`),
    given the key asked for: the viewset's own detail query, `get_queryset()` filtered by the
    lookup field, which building, resolving and compiling cost a case detail a third of its
    Python (its rule, joins and arrays: the same SQL on every request but for the key). What
    is kept is SQL, named by the user as the rule asks: the rows are read afresh every time.
    """

    def get_object(self):
        if self.action != "retrieve":
            return super().get_object()
        user = self.request.user
        found = rows_of_shape(
            of_user(f"api {self.basename} detail", user),
            lambda key: self.get_queryset().filter(**{self.lookup_field: key}),
            self.kwargs[self.lookup_url_kwarg],
        )
        if len(found) != 1:
            # DRF's get_object_or_404 answers so, in these words.
            raise Http404(f"No {self.model._meta.object_name} matches the given query.")
        self.check_object_permissions(self.request, found[0])
        return found[0]


class PersonRecordViewMixin(AuditedRetrieveMixin):
    """
    Records of a person (legal status, benefits) belong to no one case: their view is recorded
    on the person, naming the record, so that every case of the person lists the viewer.
    """

    def record_view(self, instance) -> None:
        record(
            self.request.user,
            "view",
            instance.person,
            request=self.request,
            seen=instance._meta.model_name,
            seen_id=str(instance.pk),
        )
