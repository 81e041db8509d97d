"""
People and what is recorded about them: persons (with their aliases read in the person's own
row), relationships, legal statuses and entitlements.
"""

from uuid import UUID

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import JSONField, Prefetch
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.kept_sql import EachMadeReady
from audit.services import record
from casework import services
from casework.forms.consent import ConsentRecordForm, ConsentRenewalForm
from casework.models import Entitlement, LegalStatusRecord, Person, PersonAlias, Relationship
from casework.permissions import (
    consent_witnesses,
    editable_cases,
    editable_cases_of_person,
    editable_people,
)
from casework.querysets import array_kept
from casework.selectors.search import people_search
from consent.models import Consent

from .. import filters
from ..permissions import require_edit
from ..serializers.consent import ConsentAnswerSerializer, ConsentRenewSerializer, ConsentSerializer
from ..serializers.people import (
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
from ..serializers.search import PersonFoundSerializer, PersonSearchSerializer
from .common import (
    CaseworkViewSet,
    KeptRetrieveMixin,
    PersonRecordViewMixin,
    _with_usernames,
    consent_form,
    refuse_names_in_address,
    responses,
    writing,
)
from .corrections import CorrectableMixin, correctable
from .search import SEARCH_LIMIT, SearchMixin, search_schema


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


def with_aliases_prefetched(people):
    """`people` with their aliases in one more query: `with_aliases_read` where it cannot be used."""
    return people.prefetch_related(Prefetch("aliases", PersonAlias.objects.order_by("pk")))


def with_aliases_read(people):
    """
    `people` with their aliases in force (not voided) read in the people's own query, as an
    array of each alias's key and sealed name (decrypted only when read, as from its own row),
    put where `prefetch_related("aliases")` puts them: the prefetch was a round trip and a
    third of a person detail's Python (building, compiling and running its query, then matching
    its rows). Its SQL is written once per process (`array_kept`). PostgreSQL only. The aliases
    come in the order of their keys, as the prefetch (elsewhere) gives them: without an order,
    a prepared statement's plan may read them otherwise.
    """
    read = people.annotate(
        _aliases_read=array_kept(
            "api person aliases",
            "pk",
            lambda person: (
                PersonAlias.objects.filter(person=person)
                .order_by("pk")
                .values(json=JSONObject(id="id", name="name"))
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
        return with_aliases_prefetched(people)

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
