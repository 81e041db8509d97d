"""
Filters over a list of cases, shared by the case list page and the API. They narrow a queryset
the caller has already scoped with `visible_to(user)`; none of them widens it.
"""

import django_filters
from django.core.validators import EMPTY_VALUES
from django.db.models import Case as Case_
from django.db.models import Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import Team

from .choices import CaseStatus, EntitlementKind, LegalStatus, MemberRole, RiskLevel
from .models import Case
from .selectors.case_list import cases_with_entitlement_denied, cases_with_member_status
from .selectors.search import cases_matching, who_matched
from .widgets import QuickSelect

ANY = _("Any")


def teams_of_requester(request):
    """The teams offered as a filter: the requester's own (every team for a superuser)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user)


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Reference or name"),
        method="filter_search",
        help_text=_(
            "A case or person reference (C-…, P-…), or a member's name or alias in any script or "
            "spelling: Hangul, Chinese characters, pinyin or a romanisation, whole or the family "
            "name alone."
        ),
    )
    status = django_filters.ChoiceFilter(
        label=_("Case status"), choices=CaseStatus.choices, empty_label=ANY, widget=QuickSelect
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("Risk"), choices=RiskLevel.choices, empty_label=ANY, widget=QuickSelect
    )
    team = django_filters.ModelChoiceFilter(
        label=_("Team"), queryset=teams_of_requester, empty_label=ANY, widget=QuickSelect
    )
    legal_status = django_filters.ChoiceFilter(
        label=_("A member's current legal status"),
        choices=LegalStatus.choices,
        method="filter_legal_status",
        empty_label=ANY,
        widget=QuickSelect,
    )
    entitlement_denied = django_filters.ChoiceFilter(
        label=_("Benefit currently denied to a member"),
        choices=EntitlementKind.choices,
        method="filter_entitlement_denied",
        empty_label=ANY,
        widget=QuickSelect,
    )
    denied_to = django_filters.ChoiceFilter(
        label=_("… to a member in the role"),
        choices=MemberRole.choices,
        method="filter_denied_to",
        empty_label=ANY,
        widget=QuickSelect,
        help_text=_("With a denied benefit: only denials to members in this role."),
    )

    class Meta:
        model = Case
        fields = [
            "q",
            "status",
            "risk_level",
            "team",
            "legal_status",
            "entitlement_denied",
            "denied_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # {case id: selectors.search.NameMatch} once a search term narrowed the cases.
        self.matches = {}
        # Whether the search found more cases than it lists (selectors.search.SEARCH_CASES_LIMIT).
        self.more = False
        self._found = None

    def narrows(self) -> bool:
        """Whether any filter narrows the list: a filter left at "Any", or blank, does not."""
        if not self.is_bound:
            return False
        # Filters are given only the values that are valid; an empty one filters nothing.
        return any(value not in EMPTY_VALUES for value in self.form.cleaned_data.values())

    def filters_beyond_search(self) -> bool:
        """Whether a filter other than the search narrows the list (the page shows them all)."""
        applied = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        return any(value not in EMPTY_VALUES for name, value in applied.items() if name != "q")

    def searched_alone(self) -> bool:
        """
        Whether a search is the only filter applied: its matches are then the whole list
        (`filter_search` keeps exactly them, all found among the cases given to it).
        """
        return self._found is not None and not self.filters_beyond_search()

    def found_up_to(self, bound: int) -> int:
        """How many cases a search alone lists (`searched_alone`), up to `bound`: no count."""
        return min(bound, len(self.matches))

    def found_in_order(self) -> list:
        """The ids of the cases a search found, as `best_first` orders them (none: no search)."""
        return [] if self._found is None else self._found.in_list_order()

    def best_first(self, cases):
        """Searched cases best match first, then most at risk; other lists most at risk first."""
        if self.matches:
            return cases.order_by("name_rank", "risk_rank", "reference")
        return cases.most_at_risk_first()

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A reference, or a member's name in any spelling (cases_matching), at most
        # SEARCH_CASES_LIMIT of them, ranked in SQL; the cases carry `name_rank`, so that a
        # caller can put the best matches first, and the reasons (and whether there were more)
        # stay on the filter set for the page and the API to show.
        reader = self.request.user if self.request is not None else None
        found = cases_matching(queryset, value, seen_by=reader)
        self._found, self.matches, self.more = found, found.matches, found.more
        by_rank: dict[int, list] = {}
        for case_id, match in self.matches.items():
            by_rank.setdefault(match.order, []).append(case_id)
        rank = Case_(
            *(
                When(pk__in=ids, then=Value(position))
                for position, (_order, ids) in enumerate(sorted(by_rank.items()))
            ),
            default=Value(0),
        )
        return queryset.filter(pk__in=list(self.matches)).annotate(name_rank=rank)

    def matches_of(self, cases) -> dict:
        """
        {case id: NameMatch} of `cases` (those a page or an answer shows), each naming the member
        whose name matched: asked only for the cases shown, not for every case found.
        """
        if self._found is None:
            return {}
        return who_matched(self._found, [case.pk for case in cases])

    def filter_legal_status(self, queryset, name, value):
        matching = cases_with_member_status(value)
        return queryset.filter(pk__in=matching.values("pk"))

    def filter_entitlement_denied(self, queryset, name, value):
        role = self.form.cleaned_data.get("denied_to") or None
        matching = cases_with_entitlement_denied(value, member_role=role)
        return queryset.filter(pk__in=matching.values("pk"))

    def filter_denied_to(self, queryset, name, value):
        # Only refines entitlement_denied, which reads it; alone it names no benefit to filter on.
        return queryset
