"""
Cases: listed, read (with their members and assignees in the case's own query), opened,
searched, and the actions on a case.
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
from casework import services
from casework.filtersets import CaseFilterSet
from casework.forms.cases import MemberAddForm
from casework.models import Case, CaseAssignment, CaseMember, Person
from casework.permissions import consent_witnesses, editable_people
from casework.querysets import array_kept
from casework.selectors.case_list import cases_for_listing
from consent.models import Consent

from .. import filters
from ..serializers.cases import (
    CaseCreateSerializer,
    CaseListSerializer,
    CaseSerializer,
    MemberAddSerializer,
)
from ..serializers.search import CaseFoundSerializer, CaseSearchSerializer
from .common import (
    CaseworkViewSet,
    KeptRetrieveMixin,
    User,
    consent_form,
    refuse_names_in_address,
    responses,
    writing,
)
from .search import SEARCH_LIMIT, SearchMixin, search_schema


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
            # The list tests each case its walk along the newest-first index passes on its own
            # (`probed`), as the case list page's walk does: a page costs what its cases cost
            # however many the user works, where the rule as one condition hashed all of them.
            if self.action == "list":
                cases = Case.objects.visible_to(self.request.user, probed=True)
            else:
                cases = super().get_queryset()
            # The list page's columns (the team, `member_count`), without its principals: the
            # API's list shows no names, and their prefetch read 50 whole people a page, every
            # ciphertext included, for nothing.
            return cases_for_listing(cases.select_related("team", "owner")).prefetch_related(None)
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
            CaseMember.objects.select_related("person")
            .only("case_id", "role", "person__reference")
            .order_by("pk"),
        ),
        Prefetch(
            "assignments",
            CaseAssignment.objects.select_related("user")
            .only("case_id", "role", "user__username")
            .order_by("pk"),
        ),
    )


def with_people_named(cases):
    """
    `cases` with their members (by reference) and assignees (by username), in the cases' own
    query: each as an array of the few columns the detail shows, put where `prefetch_related`
    would put them (`case.members.all()` reads them), so the serializer is unchanged. The two
    prefetches were two more round trips and ~40 % of a case detail's Python (each built,
    compiled and ran its query, then matched its rows to the case); their SQL is written once
    per process (`array_kept`). PostgreSQL only. Members and assignees come in the order of their
    keys, as the prefetches give them: without an order, each came in whatever order its plan
    read them, and a prepared statement's plan may read them otherwise.
    """
    named = cases.annotate(
        _members_named=array_kept(
            "api case members",
            "pk",
            lambda case: (
                CaseMember.objects.filter(case=case)
                .order_by("pk")
                .values(
                    json=JSONObject(id="id", p="person_id", ref="person__reference", role="role")
                )
            ),
            ArrayField(JSONField()),
        ),
        _assignments_named=array_kept(
            "api case assignments",
            "pk",
            lambda case: (
                CaseAssignment.objects.filter(case=case)
                .order_by("pk")
                .values(json=JSONObject(id="id", u="user_id", name="user__username", role="role"))
            ),
            ArrayField(JSONField()),
        ),
    )
    named._iterable_class = _PeopleNamedIterable
    return named
