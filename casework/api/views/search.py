"""
The search action of the people and case viewsets: the term posted in the body, never in an
address, at most SEARCH_LIMIT records best first, audited without the term.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from casework.searches import record_search

from .common import ERRORS

# A search answers at most this many records, best first (a family name alone matches many).
SEARCH_LIMIT = 50


# Sent with an empty answer: the person may be on file under another form of the name.
SEARCH_HINT_HEADER = "Search-Hint"


SEARCH_HINT = "try-full-name-or-alias"


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
