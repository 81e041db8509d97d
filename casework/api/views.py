"""
The casework API. Viewsets are thin: every queryset starts from `visible_to(request.user)`, so a
record out of scope answers 404; every write calls a casework service, which validates, saves
and audits; detail reads are audited here, as the web pages audit theirs. Lists show plain
columns only (a list is not audited row by row); names are searched by POST (`persons/search/`,
`cases/search/`), never in an address, and every search is audited without its term.
"""

from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import JSONField, Prefetch
from django.db.models.functions import JSONObject
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.kept_sql import EachMadeReady, of_user, rows_of_shape
from audit.services import record
from casework import services
from casework.downloads import attachment_response
from casework.filtersets import CaseFilterSet
from casework.forms import ConsentRecordForm, ConsentRenewalForm, MemberAddForm
from casework.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseMember,
    CaseNote,
    CheckInSchedule,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    PersonAlias,
    Relationship,
    Task,
)
from casework.permissions import (
    consent_witnesses,
    editable_cases,
    editable_cases_of_person,
    editable_people,
)
from casework.querysets import array_kept
from casework.searches import record_search
from casework.selectors import cases_for_listing, people_search, records
from consent.models import Consent

from . import filters
from .permissions import CanEditCasework, require_edit
from .serializers.cases import (
    CaseCreateSerializer,
    CaseListSerializer,
    CaseSerializer,
    MemberAddSerializer,
)
from .serializers.checkins import (
    CheckInListSerializer,
    CheckInRecordSerializer,
    CheckInScheduleSerializer,
)
from .serializers.common import (
    ErrorSerializer,
)
from .serializers.consent import (
    ConsentAnswerSerializer,
    ConsentRenewSerializer,
    ConsentSerializer,
)
from .serializers.corrections import (
    RecordHistorySerializer,
    VoidSerializer,
    correction_serializer,
)
from .serializers.people import (
    AliasSerializer,
    EntitlementListSerializer,
    EntitlementSerializer,
    LegalStatusRecordListSerializer,
    LegalStatusRecordSerializer,
    PastLegalStatusRecordSerializer,
    PersonCreateSerializer,
    PersonListSerializer,
    PersonSerializer,
    RelationshipSerializer,
    RelationshipUpdateSerializer,
)
from .serializers.records import (
    AttachmentListSerializer,
    AttachmentSerializer,
    CaseNoteListSerializer,
    CaseNoteSerializer,
    DetentionResultSerializer,
    DetentionSerializer,
    IncidentListSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    TaskCompleteSerializer,
    TaskListSerializer,
    TaskSerializer,
)
from .serializers.search import (
    CaseFoundSerializer,
    CaseSearchSerializer,
    PersonFoundSerializer,
    PersonSearchSerializer,
)

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


# A search answers at most this many records, best first (a family name alone matches many).
SEARCH_LIMIT = 50
# Sent with an empty answer: the person may be on file under another form of the name.
SEARCH_HINT_HEADER = "Search-Hint"
SEARCH_HINT = "try-full-name-or-alias"


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
        return self.model.objects.visible_to(self.request.user)

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


# Correct, don't erase: the actions of every record a caseworker writes.


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


class SearchMixin:
    """
    The search action of the people and case viewsets, in one place: the term is posted in the
    body (never in an address), the answer is at most SEARCH_LIMIT records, best match first,
    each with why it was found; the search is audited with the number found, never the term;
    and when nothing matched, the `Search-Hint` header says what to try instead. A viewset says
    what it takes (`search_serializer_class`, `search_field`) and how it finds (`found`).
    """

    search_serializer_class: type
    search_field: str

    def found(self, term: str) -> tuple[list, int]:
        """The records found (each with its `.match`), at most SEARCH_LIMIT, and the total."""
        raise NotImplementedError

    # One answer of at most SEARCH_LIMIT records, not pages: the list's filters do not apply.
    @action(
        detail=False,
        methods=["post"],
        url_path="search",
        pagination_class=None,
        filter_backends=[],
    )
    def search(self, request):
        payload = self.search_serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        found, matches = self.found(payload.validated_data[self.search_field])
        data = self.get_serializer(found, many=True).data
        record_search(request.user, self.model, found, matches=matches, request=request)
        response = Response(data)
        if not found:
            response[SEARCH_HINT_HEADER] = SEARCH_HINT
        return response


def search_schema(*, summary, description, request, found):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        parameters=[
            OpenApiParameter(
                SEARCH_HINT_HEADER,
                str,
                OpenApiParameter.HEADER,
                response=[200],
                description=_(
                    "Sent when nothing matched, as “try-full-name-or-alias”: try the full name "
                    "or an alias, in another script or spelling."
                ),
            )
        ],
        responses={
            200: OpenApiResponse(found(many=True), description=_("Best match first.")),
            400: ERRORS[400],
        },
    )


# People


class _AliasesReadIterable(EachMadeReady):
    """People whose aliases come with their own row: see `with_aliases_read`."""

    @staticmethod
    def ready(person):
        name = PersonAlias._meta.get_field("name")
        aliases = person.aliases.get_queryset()
        connection = connections[person._state.db]
        aliases._result_cache = [
            _alias(person, row["id"], name.from_db_value(row["name"], None, connection))
            for row in person.__dict__.pop("_aliases_read")
        ]
        # Where prefetch_related leaves them: `person.aliases.all()` answers from here.
        aliases._prefetch_done = True
        person._prefetched_objects_cache = {"aliases": aliases}
        return person


def _alias(person, pk: str, name) -> PersonAlias:
    alias = PersonAlias.from_db(
        person._state.db, ["id", "person_id", "name"], [UUID(pk), person.pk, name]
    )
    PersonAlias.person.field.set_cached_value(alias, person)
    return alias


def with_aliases_read(people):
    """
    `people` with their aliases in force (not voided) read in the people's own query, as an
    array of each alias's key and sealed name (decrypted only when read, as from its own row),
    put where `prefetch_related("aliases")` puts them: the prefetch was a round trip and a
    third of a person detail's Python (building, compiling and running its query, then matching
    its rows). Its SQL is written once per process (`array_kept`). PostgreSQL only. The aliases
    come in the order the prefetch read them (it has no order of its own).
    """
    read = people.annotate(
        _aliases_read=array_kept(
            "api person aliases",
            "pk",
            lambda person: PersonAlias.objects.filter(person=person).values(
                json=JSONObject(id="id", name="name")
            ),
            ArrayField(JSONField()),
        )
    )
    read._iterable_class = _AliasesReadIterable
    return read


@extend_schema_view(
    list=extend_schema(
        summary=_("People in your cases"),
        description=_(
            "Plain columns only; the name and other identifying details are in the (audited) "
            "detail. Search names with `POST /api/v1/persons/search/`."
        ),
    ),
    retrieve=extend_schema(
        summary=_("A person (the view is audited)"),
        responses=responses({200: PersonSerializer}, 404),
    ),
    create=extend_schema(
        summary=_("Register a person in a case"),
        request=PersonCreateSerializer,
        responses=writing({201: PersonSerializer}),
    ),
    update=extend_schema(responses=writing({200: PersonSerializer}, update=True)),
    partial_update=extend_schema(responses=writing({200: PersonSerializer}, update=True)),
    search=search_schema(
        summary=_("Find people by name in any script or spelling (the search is audited)"),
        description=_(
            "The name is sent in the body, never in the address. The answer lists the people of "
            "your cases whose name or alias matches it, by plain columns, best match first: the "
            "exact name, the whole name in another script or spelling (Hangul, characters, "
            "pinyin, RR or MR), the family name and the given name's initial, the family name, "
            "the given name; each with why it was found. The search is recorded with the number "
            "found (never the name), and each person found lists you among the viewers of "
            "their cases."
        ),
        request=PersonSearchSerializer,
        found=PersonFoundSerializer,
    ),
)
class PersonViewSet(
    SearchMixin,
    mixins.ListModelMixin,
    KeptRetrieveMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    CaseworkViewSet,
):
    """People of the cases you may see, found by reference or by name in any spelling."""

    model = Person
    search_serializer_class = PersonSearchSerializer
    search_field = "name"
    lookup_field = "reference"
    lookup_url_kwarg = "person_ref"
    filterset_class = filters.PersonFilter

    def get_queryset(self):
        people = super().get_queryset()
        if self.action == "list":
            # The columns the list shows, not the whole rows: every ciphertext of 50 people a
            # page was read, sent and loaded into models for a list that decrypts nothing.
            return people.only(*PersonListSerializer.Meta.fields)
        if self.action == "search":
            return people
        if connections[people.db].vendor == "postgresql":
            return with_aliases_read(people)
        return people.prefetch_related("aliases")

    def get_serializer_class(self):
        if self.action == "search":
            return PersonFoundSerializer
        if self.action == "list":
            return PersonListSerializer
        if self.action == "create":
            return PersonCreateSerializer
        if self.action == "add_alias":
            return AliasSerializer
        return PersonSerializer

    def list(self, request, *args, **kwargs):
        refuse_names_in_address(request, {"name": reverse("casework_api:person-search")})
        return super().list(request, *args, **kwargs)

    def found(self, term: str) -> tuple[list, int]:
        # The few people of that name first, then which of them the user may see.
        result = people_search(user=self.request.user, name=term, limit=SEARCH_LIMIT)
        return result.people, result.total

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "create":
            context["consent_form"] = self.registration_consent_form
        return context

    def registration_consent_form(self, data):
        """The consent part of "Register a person", with the choices the page offers."""
        user = self.request.user
        cases = editable_cases(user)
        guardians = editable_people(user)
        chosen = self.request.data.get("case")
        # A child's parent or guardian is in the case they join (the service checks it too).
        if isinstance(chosen, str) and cases.filter(reference=chosen).exists():
            guardians = guardians.filter(memberships__case__reference=chosen)
        return consent_form(
            ConsentRecordForm, data, guardians=guardians, witnesses=consent_witnesses(cases)
        )

    def perform_create(self, serializer):
        fields, _version = self.changes(serializer)
        case, role = fields.pop("case"), fields.pop("case_role")
        require_edit(self.request.user, case)
        person = services.person_create(
            actor=self.request.user,
            aliases=fields.pop("aliases", []),
            case=case,
            role_in_case=role,
            consent=fields.pop("consent")["services"],
            **fields,
        )
        serializer.instance = self.refreshed(person)

    @extend_schema(
        summary=_("What the person agreed to, newest first (the view is audited)"),
        description=_(
            "Every consent record of the person; the first is in force. The parent or guardian "
            "who answered for a child is named only if you may see them."
        ),
        responses=responses({200: ConsentSerializer(many=True)}, 404),
        operation_id="persons_consents_list",
    )
    @action(detail=True, methods=["get"], url_path="consents", pagination_class=None)
    def consents(self, request, person_ref=None):
        person = self.get_object()
        history = list(
            Consent.objects.filter(person=person)
            .select_related("recorded_by", "witnessed_by_user", "guardian")
            .order_by("-recorded_at", "-pk")
        )
        guardians = {consent.guardian_id for consent in history if consent.guardian_id}
        shown = set(
            Person.objects.visible_to(request.user)
            .filter(pk__in=guardians)
            .values_list("pk", flat=True)
        )
        data = ConsentSerializer(history, many=True, context={"guardians_shown": shown}).data
        record(request.user, "view", person, request=request, seen="consent")
        return Response(data)

    @extend_schema(
        summary=_("Record what the person agrees to now, or why they could not be asked"),
        description=_(
            "It replaces what they agreed to before. To take consent back, use the withdrawal "
            "page: withdrawing consent to keep their details on file erases them."
        ),
        request=ConsentAnswerSerializer,
        responses=writing({201: ConsentSerializer}),
        operation_id="persons_consents_record",
    )
    @consents.mapping.post
    def record_consent(self, request, person_ref=None):
        person = self.get_object()
        guardians, witnesses = self.consent_people(person)
        payload = ConsentAnswerSerializer(
            data=request.data,
            context={
                "consent_form": lambda data: consent_form(
                    ConsentRecordForm, data, guardians=guardians, witnesses=witnesses
                )
            },
        )
        payload.is_valid(raise_exception=True)
        # The page's form offers no "keep the consent on file" here: there is always an answer.
        consent = services.person_consent_record(
            person=person, actor=request.user, **payload.validated_data["services"]
        )
        return self.consent_answer(consent, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The person confirms what they agreed to"),
        description=_("The same scopes, given again now, with a new date to ask again."),
        request=ConsentRenewSerializer,
        responses=writing({201: ConsentSerializer}),
        operation_id="persons_consents_renew",
    )
    @action(detail=True, methods=["post"], url_path="consents/renew")
    def renew_consent(self, request, person_ref=None):
        person = self.get_object()
        _guardians, witnesses = self.consent_people(person)
        payload = ConsentRenewSerializer(
            data=request.data,
            context={
                "renew_form": lambda data: _with_usernames(
                    ConsentRenewalForm(data, witnesses=witnesses)
                )
            },
        )
        payload.is_valid(raise_exception=True)
        consent = services.person_consent_renew(
            person=person, actor=request.user, **payload.validated_data
        )
        return self.consent_answer(consent, status.HTTP_201_CREATED)

    def consent_people(self, person):
        """Who a consent of `person` may name: the people and staff of the cases the user works."""
        cases = editable_cases_of_person(self.request.user, person)
        guardians = (
            editable_people(self.request.user)
            .filter(memberships__case__in=cases.values("pk"))
            .exclude(pk=person.pk)
            .distinct()
        )
        return guardians, consent_witnesses(cases)

    def consent_answer(self, consent, code):
        shown = (
            set(
                Person.objects.visible_to(self.request.user)
                .filter(pk=consent.guardian_id)
                .values_list("pk", flat=True)
            )
            if consent.guardian_id
            else set()
        )
        data = ConsentSerializer(consent, context={"guardians_shown": shown}).data
        return Response(data, status=code)

    def perform_update(self, serializer):
        fields, version = self.changes(serializer)
        person = services.person_update(
            person=serializer.instance,
            actor=self.request.user,
            expected_version=version,
            **fields,
        )
        serializer.instance = self.refreshed(person)

    @extend_schema(
        summary=_("Record another name the person is known by"),
        request=AliasSerializer,
        responses=writing({201: PersonSerializer}),
        operation_id="persons_add_alias",
    )
    @action(detail=True, methods=["post"], url_path="aliases")
    def add_alias(self, request, person_ref=None):
        person = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.person_alias_add(
            person=person, name=serializer.validated_data["name"], actor=request.user
        )
        data = PersonSerializer(self.refreshed(person), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("Family ties between people you may see")),
    retrieve=extend_schema(responses=responses({200: RelationshipSerializer}, 404)),
    create=extend_schema(
        summary=_("Record a family tie"),
        responses=writing({201: RelationshipSerializer}),
    ),
    update=extend_schema(
        summary=_("Correct the kind of a tie, or whether a marriage is registered"),
        responses=writing({200: RelationshipSerializer}, update=True),
    ),
    partial_update=extend_schema(
        summary=_("Correct the kind of a tie, or whether a marriage is registered"),
        responses=writing({200: RelationshipSerializer}, update=True),
    ),
)
@correctable(RelationshipSerializer)
class RelationshipViewSet(
    # A tie names two references and its kind, nothing encrypted: its read is not recorded.
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Family ties, read as `from_person` <kind> `to_person`; seen only when both people are."""

    model = Relationship
    lookup_url_kwarg = "relationship_id"
    filterset_class = filters.RelationshipFilter

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return RelationshipUpdateSerializer
        return RelationshipSerializer

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("from_person", "to_person")
            .order_by("created_at", "pk")
        )

    def perform_create(self, serializer):
        fields, _version = self.changes(serializer)
        require_edit(self.request.user, fields["from_person"], fields["to_person"])
        serializer.instance = services.relationship_create(actor=self.request.user, **fields)

    def perform_update(self, serializer):
        fields, version = self.changes(serializer)
        tie = services.relationship_update(
            relationship=serializer.instance,
            actor=self.request.user,
            expected_version=version,
            reason=fields.pop("reason", ""),
            **fields,
        )
        serializer.instance = self.refreshed(tie)


@extend_schema_view(
    list=extend_schema(summary=_("Legal-status periods of people you may see")),
    retrieve=extend_schema(responses=responses({200: LegalStatusRecordSerializer}, 404)),
    create=extend_schema(
        summary=_("Change a person's legal status"),
        description=_(
            "The person's current status ends on `effective_from` and this one becomes current. "
            "To fill in a past period of the timeline, use the `past` action."
        ),
        responses=writing({201: LegalStatusRecordSerializer}),
    ),
)
@correctable(LegalStatusRecordSerializer)
class LegalStatusRecordViewSet(
    mixins.ListModelMixin,
    PersonRecordViewMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """A person's legal-status timeline: the record without `effective_to` is the current one."""

    model = LegalStatusRecord
    lookup_url_kwarg = "status_id"
    filterset_class = filters.LegalStatusRecordFilter

    def get_queryset(self):
        return super().get_queryset().select_related("person", "recorded_by")

    def get_serializer_class(self):
        if self.action == "list":
            return LegalStatusRecordListSerializer
        if self.action == "add_past":
            return PastLegalStatusRecordSerializer
        return LegalStatusRecordSerializer

    def perform_create(self, serializer):
        fields = serializer.validated_data
        require_edit(self.request.user, fields["person"])
        serializer.instance = services.legal_status_change(actor=self.request.user, **fields)

    @extend_schema(
        summary=_("Fill in a past legal-status period"),
        description=_("A closed period (with `effective_to`); it may overlap no other record."),
        responses=writing({201: PastLegalStatusRecordSerializer}),
        operation_id="legal_statuses_add_past",
    )
    @action(detail=False, methods=["post"], url_path="past")
    def add_past(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        require_edit(request.user, fields["person"])
        serializer.instance = services.legal_status_record_add(actor=request.user, **fields)
        return Response(serializer.data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("Benefits sought by people you may see")),
    retrieve=extend_schema(responses=responses({200: EntitlementSerializer}, 404)),
    create=extend_schema(
        summary=_("Record what happened when a person sought a benefit"),
        responses=writing({201: EntitlementSerializer}),
    ),
)
@correctable(EntitlementSerializer)
class EntitlementViewSet(
    mixins.ListModelMixin,
    PersonRecordViewMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Benefits a person sought and what happened: the latest record of each kind is current."""

    model = Entitlement
    lookup_url_kwarg = "entitlement_id"
    serializer_class = EntitlementSerializer
    list_serializer_class = EntitlementListSerializer
    filterset_class = filters.EntitlementFilter

    def get_queryset(self):
        return super().get_queryset().select_related("person", "recorded_by")

    def perform_create(self, serializer):
        fields = serializer.validated_data
        require_edit(self.request.user, fields["person"])
        serializer.instance = services.entitlement_record(actor=self.request.user, **fields)


# Cases and their records


@extend_schema_view(
    list=extend_schema(
        summary=_("Cases you may see"),
        description=_(
            "Plain columns only, filtered by coarse choices. Search by reference or name with "
            "`POST /api/v1/cases/search/`."
        ),
    ),
    retrieve=extend_schema(
        summary=_("A case (the view is audited)"),
        responses=responses({200: CaseSerializer}, 404),
    ),
    create=extend_schema(
        summary=_("Open a case for one of your teams"),
        request=CaseCreateSerializer,
        responses=writing({201: CaseSerializer}),
    ),
    update=extend_schema(responses=writing({200: CaseSerializer}, update=True)),
    partial_update=extend_schema(responses=writing({200: CaseSerializer}, update=True)),
    search=search_schema(
        summary=_("Find cases by reference or a member's name in any spelling (audited)"),
        description=_(
            "The term is sent in the body, never in the address: a case or person reference, "
            "or a name as the person search takes it. Best match first, each case with why it "
            "was found. The search is recorded with the number of cases found (never the "
            "term), and each case found lists you among its viewers."
        ),
        request=CaseSearchSerializer,
        found=CaseFoundSerializer,
    ),
)
class CaseViewSet(
    SearchMixin,
    mixins.ListModelMixin,
    KeptRetrieveMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    CaseworkViewSet,
):
    """Cases you work, supervise or that are shared with you, by reference."""

    model = Case
    search_serializer_class = CaseSearchSerializer
    search_field = "q"
    lookup_field = "reference"
    lookup_url_kwarg = "case_ref"
    filterset_class = filters.CaseFilter

    def get_queryset(self):
        if self.action in ("list", "search"):
            cases = super().get_queryset().select_related("team", "owner")
            # The list page's columns (the team, `member_count`), without its principals: the
            # API's list shows no names, and their prefetch read 50 whole people a page, every
            # ciphertext included, for nothing.
            return cases_for_listing(cases).prefetch_related(None)
        # One case, found by its reference: the rule as `pk IN (the visible cases)`, its SQL
        # written once per user, probed for the one case found, rather than compiled again
        # into the query on every request (a tenth of a detail request's work).
        cases = Case.objects.visible_among_few(self.request.user).select_related("team", "owner")
        if connections[cases.db].vendor == "postgresql":
            return with_people_named(cases)
        return with_people_prefetched(cases)

    def get_serializer_class(self):
        if self.action == "search":
            return CaseFoundSerializer
        if self.action == "list":
            return CaseListSerializer
        if self.action == "create":
            return CaseCreateSerializer
        return CaseSerializer

    def list(self, request, *args, **kwargs):
        refuse_names_in_address(request, {"q": reverse("casework_api:case-search")})
        return super().list(request, *args, **kwargs)

    def found(self, term: str) -> tuple[list, int]:
        # The case list page's search, so that both find the same cases in the same order.
        filterset = CaseFilterSet({"q": term}, queryset=self.get_queryset(), request=self.request)
        matching = filterset.best_first(filterset.qs)
        found = list(matching[:SEARCH_LIMIT])
        shown = filterset.matches_of(found)
        for case in found:
            case.match = shown[case.pk]
        return found, (matching.count() if len(found) == SEARCH_LIMIT else len(found))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        team = fields.pop("team")
        # Who may open a case in the team, and who then works it, is the service's to decide.
        members = [(member["person"], member["role"]) for member in fields.pop("members", [])]
        case = services.case_open(team=team, actor=request.user, members=members, **fields)
        data = CaseSerializer(self.refreshed(case), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Add a registered person to the case, with their consent"),
        description=_(
            "As on the page: their consent on file stays (`on_file`, only if there is one), or "
            "what they agree to now, or the documented reason they could not be asked, is "
            "recorded with them."
        ),
        request=MemberAddSerializer,
        responses=writing({201: CaseSerializer}),
        operation_id="cases_members_add",
    )
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request, case_ref=None):
        case = self.get_object()
        people = editable_people(request.user).exclude(
            pk__in=CaseMember.objects.filter(case=case).values("person")
        )

        def member_form(data):
            # The page's form, the person and role included: it knows whose consent is on file.
            answer = data if isinstance(data, dict) else {}
            return consent_form(
                MemberAddForm,
                {**answer, "person": request.data.get("person"), "role": request.data.get("role")},
                people=people,
                guardians=Person.objects.filter(memberships__case=case),
                witnesses=consent_witnesses(Case.objects.filter(pk=case.pk)),
                consented=set(
                    Consent.objects.filter(person__in=people.values("pk")).values_list(
                        "person_id", flat=True
                    )
                ),
            )

        payload = MemberAddSerializer(
            data=request.data,
            context={**self.get_serializer_context(), "consent_form": member_form},
        )
        payload.is_valid(raise_exception=True)
        fields = payload.validated_data
        services.case_add_member(
            case=case,
            person=fields["person"],
            role=fields["role"],
            consent=fields["consent"]["services"],
            actor=request.user,
        )
        data = CaseSerializer(self.refreshed(case), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        fields, version = self.changes(serializer)
        case = services.case_update(
            case=serializer.instance, actor=self.request.user, expected_version=version, **fields
        )
        serializer.instance = self.refreshed(case)


class _PeopleNamedIterable(EachMadeReady):
    """Cases whose `members` and `assignments` come with their own row: see `with_people_named`."""

    @staticmethod
    def ready(case):
        members = case.members.get_queryset()
        members._result_cache = [_member(case, row) for row in case.__dict__.pop("_members_named")]
        assignments = case.assignments.get_queryset()
        assignments._result_cache = [
            _assignment(case, row) for row in case.__dict__.pop("_assignments_named")
        ]
        # Where prefetch_related leaves them: `case.members.all()` answers from here.
        members._prefetch_done = assignments._prefetch_done = True
        case._prefetched_objects_cache = {"members": members, "assignments": assignments}
        return case


def _member(case, row: dict) -> CaseMember:
    person = Person.from_db(case._state.db, ["id", "reference"], [UUID(row["p"]), row["ref"]])
    member = CaseMember.from_db(
        case._state.db,
        ["id", "case_id", "person_id", "role"],
        [row["id"], case.pk, person.pk, row["role"]],
    )
    CaseMember.person.field.set_cached_value(member, person)
    CaseMember.case.field.set_cached_value(member, case)
    return member


def _assignment(case, row: dict) -> CaseAssignment:
    user = User.from_db(case._state.db, ["id", "username"], [row["u"], row["name"]])
    assignment = CaseAssignment.from_db(
        case._state.db,
        ["id", "case_id", "user_id", "role"],
        [row["id"], case.pk, user.pk, row["role"]],
    )
    CaseAssignment.user.field.set_cached_value(assignment, user)
    CaseAssignment.case.field.set_cached_value(assignment, case)
    return assignment


def with_people_prefetched(cases):
    """
    `cases` with their members (by reference) and assignees (by username) in two more queries
    reading those columns, not four reading whole rows (every member's ciphertexts included,
    which the detail does not show): `with_people_named` where it cannot be used.
    """
    return cases.prefetch_related(
        Prefetch(
            "members",
            CaseMember.objects.select_related("person").only(
                "case_id", "role", "person__reference"
            ),
        ),
        Prefetch(
            "assignments",
            CaseAssignment.objects.select_related("user").only("case_id", "role", "user__username"),
        ),
    )


def with_people_named(cases):
    """
    `cases` with their members (by reference) and assignees (by username), in the cases' own
    query: each as an array of the few columns the detail shows, put where `prefetch_related`
    would put them (`case.members.all()` reads them), so the serializer is unchanged. The two
    prefetches were two more round trips and ~40 % of a case detail's Python (each built,
    compiled and ran its query, then matched its rows to the case); their SQL is written once
    per process (`array_kept`). PostgreSQL only. The rows come in the order the prefetches read
    them (neither has an order of its own).
    """
    named = cases.annotate(
        _members_named=array_kept(
            "api case members",
            "pk",
            lambda case: CaseMember.objects.filter(case=case).values(
                json=JSONObject(id="id", p="person_id", ref="person__reference", role="role")
            ),
            ArrayField(JSONField()),
        ),
        _assignments_named=array_kept(
            "api case assignments",
            "pk",
            lambda case: CaseAssignment.objects.filter(case=case).values(
                json=JSONObject(id="id", u="user_id", name="user__username", role="role")
            ),
            ArrayField(JSONField()),
        ),
    )
    named._iterable_class = _PeopleNamedIterable
    return named


@extend_schema_view(
    list=extend_schema(summary=_("Notes on cases you may see")),
    retrieve=extend_schema(responses=responses({200: CaseNoteSerializer}, 404)),
    create=extend_schema(
        summary=_("Write a note on a case"),
        responses=writing({201: CaseNoteSerializer}),
    ),
)
@correctable(CaseNoteSerializer)
class CaseNoteViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Caseworkers' notes on a case, newest first."""

    model = CaseNote
    lookup_url_kwarg = "note_id"
    serializer_class = CaseNoteSerializer
    list_serializer_class = CaseNoteListSerializer
    filterset_class = filters.CaseNoteFilter

    def get_queryset(self):
        return super().get_queryset().select_related("case", "author")

    def perform_create(self, serializer):
        fields = serializer.validated_data
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.case_note_add(actor=self.request.user, **fields)


@extend_schema_view(
    list=extend_schema(summary=_("Follow-ups on cases you may see")),
    retrieve=extend_schema(responses=responses({200: TaskSerializer}, 404)),
    create=extend_schema(
        summary=_("Set a follow-up on a case"),
        responses=writing({201: TaskSerializer}),
    ),
)
@correctable(TaskSerializer)
class TaskViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Follow-ups: something someone must do for a case by a date."""

    model = Task
    lookup_url_kwarg = "task_id"
    filterset_class = filters.TaskFilter

    def get_queryset(self):
        return (
            super().get_queryset().select_related("case", "assignee", "completed_by", "created_by")
        )

    def perform_create(self, serializer):
        fields, _version = self.changes(serializer)
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.task_create(actor=self.request.user, **fields)

    def get_serializer_class(self):
        if self.action == "list":
            return TaskListSerializer
        if self.action == "complete":
            return TaskCompleteSerializer
        return TaskSerializer

    @extend_schema(
        summary=_("Mark a follow-up done"),
        description=_("Send the `version` you read to be refused (409) if the task changed since."),
        request=TaskCompleteSerializer,
        responses=writing({200: TaskSerializer}, update=True),
        operation_id="tasks_complete",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, task_id=None):
        task = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.task_complete(
            task=task, actor=request.user, expected_version=serializer.validated_data.get("version")
        )
        data = TaskSerializer(self.refreshed(task), context=self.get_serializer_context()).data
        return Response(data)


@extend_schema_view(
    list=extend_schema(summary=_("Incidents on cases you may see")),
    retrieve=extend_schema(responses=responses({200: IncidentSerializer}, 404)),
    create=extend_schema(
        summary=_("Record an incident on a case"),
        responses=writing({201: IncidentSerializer}),
    ),
    update=extend_schema(
        summary=_("Correct an incident"),
        responses=writing({200: IncidentSerializer}, update=True),
    ),
    partial_update=extend_schema(
        summary=_("Correct an incident"),
        responses=writing({200: IncidentSerializer}, update=True),
    ),
)
@correctable(IncidentSerializer)
class IncidentViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Dated events in a case: a raid, an arrest, a refusal, a deportation."""

    model = Incident
    lookup_url_kwarg = "incident_id"
    filterset_class = filters.IncidentFilter

    def get_serializer_class(self):
        if self.action == "list":
            return IncidentListSerializer
        if self.action in ("update", "partial_update"):
            return IncidentUpdateSerializer
        return IncidentSerializer

    def get_queryset(self):
        return (
            super().get_queryset().select_related("case", "recorded_by").prefetch_related("people")
        )

    def perform_create(self, serializer):
        fields, _version = self.changes(serializer)
        require_edit(self.request.user, fields["case"])
        incident = services.incident_record(actor=self.request.user, **fields)
        serializer.instance = self.refreshed(incident)

    @extend_schema(
        summary=_("Record an arrest or detention, and what it changes, in one step"),
        description=_(
            "As on the page: unless told not to, the people involved become “Detained in "
            "China” from that day (say how you know in `status_source`), the case's flag “A "
            "member is detained” is raised and its risk becomes High. If one part is refused, "
            "nothing is saved."
        ),
        request=DetentionSerializer,
        responses=writing({201: DetentionResultSerializer}),
        operation_id="incidents_detention",
    )
    @action(detail=False, methods=["post"], url_path="detention")
    def detention(self, request):
        payload = DetentionSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        options = {name: fields.pop(name, "") for name in DetentionSerializer.DETENTION_FIELDS}
        require_edit(request.user, fields["case"])
        recorded = services.detention_record(actor=request.user, **fields, **options)
        data = DetentionResultSerializer(
            {
                "incident": self.refreshed(recorded.incident),
                "detained": [person.reference for person in recorded.detained],
                "flag_raised": recorded.flag is not None,
                "risk_raised": recorded.risk_raised,
            },
            context=self.get_serializer_context(),
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        fields, version = self.changes(serializer)
        incident = services.incident_update(
            incident=serializer.instance,
            actor=self.request.user,
            expected_version=version,
            reason=fields.pop("reason", ""),
            **fields,
        )
        serializer.instance = self.refreshed(incident)


@extend_schema_view(
    list=extend_schema(summary=_("Files kept with cases you may see")),
    retrieve=extend_schema(responses=responses({200: AttachmentSerializer}, 404)),
    create=extend_schema(
        summary=_("Upload a file to a case (encrypted at rest)"),
        request={"multipart/form-data": AttachmentSerializer},
        responses=writing({201: AttachmentSerializer}),
    ),
)
@correctable(AttachmentSerializer)
class AttachmentViewSet(
    mixins.ListModelMixin,
    AuditedRetrieveMixin,
    mixins.CreateModelMixin,
    CorrectableMixin,
    CaseworkViewSet,
):
    """Files kept with a case, encrypted at rest and served only by the audited download."""

    model = Attachment
    lookup_url_kwarg = "attachment_id"
    serializer_class = AttachmentSerializer
    list_serializer_class = AttachmentListSerializer
    filterset_class = filters.AttachmentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return super().get_queryset().select_related("case", "person", "uploaded_by")

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        require_edit(self.request.user, fields["case"])
        serializer.instance = services.attachment_add(
            actor=self.request.user, uploaded_file=fields.pop("file"), **fields
        )

    @extend_schema(
        summary=_("Download the file (decrypted; the download is audited)"),
        responses=responses(
            {(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}, 404
        ),
        operation_id="attachments_download",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, attachment_id=None):
        attachment = self.get_object()
        return attachment_response(attachment, actor=request.user, request=request)


class CheckInScheduleViewSet(mixins.ListModelMixin, AuditedRetrieveMixin, CaseworkViewSet):
    """Safety check-in schedules of the cases the user sees; one tap records what one found."""

    model = CheckInSchedule
    lookup_url_kwarg = "schedule_id"
    serializer_class = CheckInScheduleSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("person", "case").order_by("starts_on", "pk")

    def get_serializer_class(self):
        if self.action == "record":
            return CheckInRecordSerializer
        return CheckInScheduleSerializer

    @extend_schema(
        summary=_("Record what a check-in found"),
        request=CheckInRecordSerializer,
        responses=writing({201: CheckInListSerializer}),
        operation_id="check_ins_record",
    )
    @action(detail=True, methods=["post"])
    def record(self, request, schedule_id=None):
        schedule = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = services.check_in_record(
            schedule=schedule, actor=request.user, **serializer.validated_data
        )
        return Response(CheckInListSerializer(check_in).data, status=status.HTTP_201_CREATED)
