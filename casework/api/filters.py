"""
Filters of the API lists, on plain columns only (encrypted ones cannot be queried). They narrow a
queryset the viewset has already scoped with `visible_to(user)`; none of them widens it. Cases use
the filters of the case list page, casework.filtersets.CaseFilterSet, without its search: names are
searched by POST, never in a query string.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.filtersets import CaseFilterSet
from casework.models import (
    Attachment,
    CaseNote,
    Entitlement,
    Incident,
    LegalStatusRecord,
    Person,
    Relationship,
    Task,
)


def case_filter():
    return django_filters.CharFilter(
        field_name="case__reference", label=_("Case reference"), help_text=_("e.g. C-7K3M9Q")
    )


def person_filter():
    return django_filters.CharFilter(
        field_name="person__reference", label=_("Person reference"), help_text=_("e.g. P-7K3M9Q")
    )


class PersonFilter(django_filters.FilterSet):
    # No name here: a name in a query string stays in histories and logs. Names are searched by
    # POST /api/v1/persons/search/.
    case = django_filters.CharFilter(
        field_name="memberships__case__reference",
        label=_("Case reference"),
        help_text=_("People who are members of this case."),
    )

    class Meta:
        model = Person
        fields = ["case", "role", "sex", "nationality", "region", "birth_year"]


class CaseFilter(CaseFilterSet):
    """The case list page's filters without its search, which the API takes by POST only."""

    q = None

    class Meta(CaseFilterSet.Meta):
        fields = [field for field in CaseFilterSet.Meta.fields if field != "q"]


class RelationshipFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(
        label=_("Person reference"),
        method="filter_person",
        help_text=_("Ties of this person, whichever side of the tie they are on."),
    )

    class Meta:
        model = Relationship
        fields = ["person", "kind", "marriage_registered"]

    def filter_person(self, queryset, name, value):
        return queryset.filter(Q(from_person__reference=value) | Q(to_person__reference=value))


class LegalStatusRecordFilter(django_filters.FilterSet):
    person = person_filter()
    current = django_filters.BooleanFilter(
        field_name="effective_to",
        lookup_expr="isnull",
        label=_("Current"),
        help_text=_("true: only current statuses; false: only past periods."),
    )
    effective_from = django_filters.DateFromToRangeFilter(label=_("Began between"))

    class Meta:
        model = LegalStatusRecord
        fields = ["person", "status", "current", "country", "source", "effective_from"]


class EntitlementFilter(django_filters.FilterSet):
    person = person_filter()
    as_of = django_filters.DateFromToRangeFilter(label=_("As of between"))

    class Meta:
        model = Entitlement
        fields = ["person", "kind", "status", "as_of"]


class IncidentFilter(django_filters.FilterSet):
    case = case_filter()
    person = django_filters.CharFilter(
        field_name="people__reference",
        label=_("Person reference"),
        help_text=_("Incidents involving this person."),
    )
    occurred_on = django_filters.DateFromToRangeFilter(label=_("Occurred between"))

    class Meta:
        model = Incident
        fields = ["case", "person", "kind", "region", "occurred_on"]


class CaseNoteFilter(django_filters.FilterSet):
    case = case_filter()
    contacted_on = django_filters.DateFromToRangeFilter(label=_("Contacted between"))

    class Meta:
        model = CaseNote
        fields = ["case", "kind", "contacted_on"]


class TaskFilter(django_filters.FilterSet):
    case = case_filter()
    assignee = django_filters.CharFilter(
        field_name="assignee__username", label=_("Assignee"), help_text=_("A username.")
    )
    done = django_filters.BooleanFilter(
        field_name="completed_at", lookup_expr="isnull", exclude=True, label=_("Done")
    )
    due_on = django_filters.DateFromToRangeFilter(label=_("Due between"))

    class Meta:
        model = Task
        fields = ["case", "assignee", "done", "due_on"]


class AttachmentFilter(django_filters.FilterSet):
    case = case_filter()
    person = person_filter()

    class Meta:
        model = Attachment
        fields = ["case", "person", "content_type"]
