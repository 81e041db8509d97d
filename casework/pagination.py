"""Pages of a long list without counting all of it."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# A list counts its rows up to this many (or to the page asked for, if further): "1,000 cases"
# is as useful to a reader as "7,479", and the exact figure cost a scan of every case through the
# visibility rule on every page of the list.
COUNT_UP_TO = 1000
# No list is this long: a page number past it is read as this one, so a typed or forged number
# (a thousand digits) never reaches the database as a bound it cannot hold (PostgreSQL's LIMIT
# is a bigint) and still gets the last page, as Django's paginator gives for any page too far.
MAX_PAGE_ASKED = 100_000


class CountUpToPaginator(Paginator):
    """
    A paginator that counts `counted` (the list's rows, without its annotations and order) only
    up to `COUNT_UP_TO` rows, or to the page after the one asked for: `more` then says the list
    goes on. PostgreSQL stops at the bound instead of testing every case against the visibility
    rule; every page up to the one asked for, and the next, stay reachable.
    """

    def __init__(self, object_list, per_page, *, counted: QuerySet, page_asked):
        super().__init__(object_list, per_page)
        self.counted = counted.order_by().values("pk")
        try:
            asked = min(max(1, int(page_asked)), MAX_PAGE_ASKED)
        except (TypeError, ValueError):
            asked = 1
        self.bound = max(COUNT_UP_TO, (asked + 1) * per_page)

    @cached_property
    def _counted_up_to_bound(self) -> int:
        return self.counted[: self.bound + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted_up_to_bound, self.bound)

    @property
    def more(self) -> bool:
        """Whether the list has more rows than `count`."""
        return self._counted_up_to_bound > self.bound
