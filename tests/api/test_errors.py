"""
One exception handler answers what the services raise, for every app's API (casework, intake,
legal_aid): a refusal by casework.permissions is a 403 with its sentence, a broken rule a 400
with field errors, a stale version a 409. The routes' own tests show each through a real request
(tests/api/test_cases.py, tests/intake/test_api.py, tests/legal_aid).
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from casework.api.errors import exception_handler
from casework.exceptions import StaleEditError


def _answer(exc):
    request = Request(APIRequestFactory().post("/api/v1/cases/"))
    return exception_handler(exc, {"request": request, "view": None})


@pytest.mark.parametrize(
    ("raised", "status", "body"),
    [
        (
            PermissionDenied("Only a supervisor may share a case."),
            403,
            {"detail": "Only a supervisor may share a case."},
        ),
        (
            ValidationError({"occurred_on": ["Not in the future."]}),
            400,
            {"occurred_on": ["Not in the future."]},
        ),
        (
            ValidationError("Both people must be in the case."),
            400,
            {"non_field_errors": ["Both people must be in the case."]},
        ),
        (StaleEditError(), 409, None),
    ],
    ids=["refused", "field", "general", "stale"],
)
def test_each_service_exception_has_one_answer(raised, status, body):
    response = _answer(raised)
    assert response.status_code == status
    if body is not None:
        assert response.data == body
