"""
Pages of an API list without counting all of it, as the case list page does
(casework.pagination.CountUpToPaginator): `count` is exact up to 1,000 rows (or up to the page
after the one asked for, when further); past that `count_is_lower_bound` is true and the list
has more than `count` rows. A caseworker's 22,905 people cost a count of every one of them, the
visibility rule tested on each, on every page of the list; now at most the first thousand.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from casework.pagination import COUNT_UP_TO, CountUpToPaginator

COUNT_IS_LOWER_BOUND = "count_is_lower_bound"


class BoundedCountPagination(PageNumberPagination):
    """DRF's page-number pagination (`?page=N`, `next`, `previous`) with a bounded `count`."""

    def django_paginator_class(self, object_list, per_page):
        # Called by PageNumberPagination.paginate_queryset as its paginator class, once it has
        # kept the request: the bound reaches past the page asked for, so that page and the
        # next are always found ("last" is then the last page of the rows counted).
        return CountUpToPaginator(
            object_list,
            per_page,
            counted=object_list,
            page_asked=self.request.query_params.get(self.page_query_param),
        )

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                COUNT_IS_LOWER_BOUND: self.page.paginator.more,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", COUNT_IS_LOWER_BOUND, "results"]
        properties = answer["properties"]
        properties["count"]["description"] = _(
            "How many records the list holds, counted up to %(bound)s (or to the page after "
            "the one asked for, when further): when `count_is_lower_bound` is true, it holds "
            "more than this."
        ) % {"bound": f"{COUNT_UP_TO:,}"}
        answer["properties"] = {
            "count": properties["count"],
            COUNT_IS_LOWER_BOUND: {
                "type": "boolean",
                "example": False,
                "description": _(
                    "True when the list holds more records than `count`: follow `next` until "
                    "it is null to read them all."
                ),
            },
            **{name: value for name, value in properties.items() if name != "count"},
        }
        return answer
