"""
Pages of an API list, two ways.

By number (`?page=N`, the default, as before): without counting all of the list, as the case
list page does (casework.pagination.CountUpToPaginator): `count` is exact up to 1,000 rows (or up
to the page after the one asked for, when further); past that `count_is_lower_bound` is true and
the list has more than `count` rows. A caseworker's 22,905 people cost a count of every one of
them, the visibility rule tested on each, on every page of the list; now at most the first
thousand. A deep page still pays its OFFSET: page 40 reads and tests 2,000 rows to show 50.

By key (`?cursor=`, empty for the first page, then the `next` and `previous` links): the rows
after (or before) the last (or first) row shown, in the list's own order with the primary key
last to break ties, and no count at all. Every page costs what the first does, and a list read
while others write is read whole and once: a row added or removed before the cursor moves no
other row onto or off the next page, as it does with an offset.
"""

import base64
import binascii
import json

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from casework.pagination import COUNT_UP_TO, CountUpToPaginator

COUNT_IS_LOWER_BOUND = "count_is_lower_bound"
CURSOR = "cursor"
INVALID_CURSOR = _("Invalid cursor: follow the `next` and `previous` links as they are.")
# What a cursor says: which way to read from its key.
AFTER, BEFORE = "a", "b"


class KeysetOrder:
    """
    The order of a list as (column, descending) pairs ending with the primary key, and the
    condition "after this row" (or before it) on them. PostgreSQL sorts NULL after every value
    ascending and before every value descending; the conditions follow it.
    """

    def __init__(self, queryset):
        meta = queryset.model._meta
        names = list(queryset.query.order_by or meta.ordering)
        self.fields = []
        for name in names:
            if not isinstance(name, str) or "__" in name.lstrip("-") or name.lstrip("-") == "?":
                raise NotFound(_("This list cannot be read by cursor."))
            descending = name.startswith("-")
            bare = name.lstrip("-")
            try:
                field = meta.pk if bare == "pk" else meta.get_field(bare)
            except FieldDoesNotExist:
                raise NotFound(_("This list cannot be read by cursor.")) from None
            # A relation is ordered here by its key (Django would order it by the related
            # model's own ordering, a join the cursor cannot name).
            self.fields.append((field, descending))
        if not any(field.primary_key for field, _descending in self.fields):
            self.fields.append((meta.pk, False))

    def order_by(self, *, reverse: bool = False) -> list:
        order = []
        for field, descending in self.fields:
            column = F(field.attname)
            order.append(column.asc() if descending == reverse else column.desc())
        return order

    def key(self, row) -> list:
        """The row's place in the order, as JSON can hold it."""
        return [
            field.value_to_string(row) if getattr(row, field.attname) is not None else None
            for field, _descending in self.fields
        ]

    def read_key(self, values) -> list:
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise NotFound(INVALID_CURSOR)
        try:
            return [
                None if value is None else field.to_python(value)
                for (field, _descending), value in zip(self.fields, values, strict=True)
            ]
        except (ValidationError, TypeError, ValueError):
            raise NotFound(INVALID_CURSOR) from None

    def past(self, key: list, *, reverse: bool = False) -> Q:
        """The rows after `key` in this order (before it, with `reverse`)."""
        condition = Q(pk__in=[])
        equal_so_far = Q()
        for (field, descending), value in zip(self.fields, key, strict=True):
            name = field.attname
            # Read forward, ascending puts greater values and then NULLs after a value.
            greater_is_after = descending == reverse
            if value is None:
                # NULLs come last one way and first the other: after a NULL come either no
                # other values or all of them.
                beyond = Q(pk__in=[]) if greater_is_after else Q(**{f"{name}__isnull": False})
                same = Q(**{f"{name}__isnull": True})
            else:
                if greater_is_after:
                    beyond = Q(**{f"{name}__gt": value})
                    if field.null:
                        beyond |= Q(**{f"{name}__isnull": True})
                else:
                    beyond = Q(**{f"{name}__lt": value})
                same = Q(**{name: value})
            condition |= equal_so_far & beyond
            equal_so_far &= same
        return condition


def encode_cursor(direction: str, key: list) -> str:
    payload = json.dumps([direction, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[str, list]:
    try:
        payload = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        direction, key = json.loads(payload)
    # A made-up cursor may be anything: nested a thousand deep, the parser recurses out.
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise NotFound(INVALID_CURSOR) from None
    if direction not in (AFTER, BEFORE):
        raise NotFound(INVALID_CURSOR)
    return direction, key


def _in_total_order(queryset):
    """
    `queryset` in its own order, ties broken by the primary key as a cursor's pages break them
    (`KeysetOrder`): follow-ups due the same day came in whatever order the plan read them, so
    that page 2 could repeat one of page 1 and never show another.
    """
    names = list(queryset.query.order_by or queryset.model._meta.ordering)
    if any(
        isinstance(name, str) and name.lstrip("-") in ("pk", queryset.model._meta.pk.name)
        for name in names
    ):
        return queryset
    return queryset.order_by(*names, "pk")


class BoundedCountPagination(PageNumberPagination):
    """
    DRF's page-number pagination (`?page=N`, `next`, `previous`) with a bounded `count`; or, when
    the request names a `cursor`, pages by key (KeysetOrder) without a count.
    """

    cursor_query_param = CURSOR

    def paginate_queryset(self, queryset, request, view=None):
        self.by_cursor = self.cursor_query_param in request.query_params
        if not self.by_cursor:
            return super().paginate_queryset(_in_total_order(queryset), request, view)
        self.request = request
        return self._keyset_page(queryset, request.query_params[self.cursor_query_param])

    def _keyset_page(self, queryset, cursor: str) -> list:
        size = self.get_page_size(self.request)
        order = KeysetOrder(queryset)
        direction, key = decode_cursor(cursor) if cursor else (AFTER, None)
        backwards = direction == BEFORE
        if key is not None:
            queryset = queryset.filter(order.past(order.read_key(key), reverse=backwards))
        rows = list(queryset.order_by(*order.order_by(reverse=backwards))[: size + 1])
        further = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        # Read forward, there is more after when a row was left over; there is something before
        # whenever the page was reached from a cursor. Read backward, the other way round.
        has_next = further if not backwards else True
        has_previous = (key is not None) if not backwards else further
        self.next_cursor = encode_cursor(AFTER, order.key(rows[-1])) if rows and has_next else None
        self.previous_cursor = (
            encode_cursor(BEFORE, order.key(rows[0])) if rows and has_previous else None
        )
        return rows

    def _cursor_link(self, cursor):
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

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
        if self.by_cursor:
            return Response(
                {
                    "next": self._cursor_link(self.next_cursor),
                    "previous": self._cursor_link(self.previous_cursor),
                    "results": data,
                }
            )
        return Response(
            {
                "count": self.page.paginator.count,
                COUNT_IS_LOWER_BOUND: self.page.paginator.more,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "Read the list by key instead of by page number: empty for the first "
                        "page, then as the `next` and `previous` links give it. No count is "
                        "given, every page costs what the first does, and rows added or removed "
                        "meanwhile shift no other row onto or off the next page."
                    )
                ),
                "schema": {"type": "string"},
            },
        ]

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        # By cursor the answer has no count: only the links and the rows are always there.
        answer["required"] = ["results"]
        properties = answer["properties"]
        properties["count"]["description"] = _(
            "How many records the list holds, counted up to %(bound)s (or to the page after "
            "the one asked for, when further): when `count_is_lower_bound` is true, it holds "
            "more than this. Not given when the list is read by `cursor`."
        ) % {"bound": f"{COUNT_UP_TO:,}"}
        answer["properties"] = {
            "count": properties["count"],
            COUNT_IS_LOWER_BOUND: {
                "type": "boolean",
                "example": False,
                "description": _(
                    "True when the list holds more records than `count`: follow `next` until "
                    "it is null to read them all. Not given when the list is read by `cursor`."
                ),
            },
            **{name: value for name, value in properties.items() if name != "count"},
        }
        return answer
