"""
The whole API, fuzzed from its own OpenAPI schema by schemathesis: every operation, with
generated paths, queries, headers and bodies (malformed ones included), signed in as a
caseworker with a token. No answer may be a 5xx.

Bounded and repeatable: a fixed number of examples per operation, derandomised, no shrinking
(every 5xx is collected and reported at once instead). Runs in every `make test`, on SQLite
and, in CI, on PostgreSQL (where a NUL or an out-of-range integer used to break the query).
"""

import json
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from knox.models import AuthToken

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 8
BOUNDARY = "shimteo-fuzz-boundary"


def api_schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # Lazy translations and dates in the schema become plain JSON, as /api/schema/ serves them.
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


def _files(files) -> dict:
    """requests' `files` (a dict or pairs of name and content or (filename, content, ...))."""
    items = files.items() if isinstance(files, dict) else files
    found = {}
    for name, value in items:
        content = value[1] if isinstance(value, tuple) and len(value) > 1 else value
        content = content if isinstance(content, bytes) else str(content).encode()
        found[name] = SimpleUploadedFile("upload", content)
    return found


def send(client: Client, token: str, kwargs: dict):
    """One generated request, made through Django's test client (the whole middleware stack)."""
    split = urlsplit(kwargs["url"])
    url = split.path
    if kwargs.get("params"):
        url += "?" + urlencode(kwargs["params"], doseq=True)
    # The generated credentials (an Authorization header, a session cookie) are noise that the
    # middleware refuses before any view: the caseworker's token is what signs in.
    headers = {"Authorization": f"Token {token}"}
    content_type = kwargs.get("headers", {}).get("Content-Type", "application/octet-stream")
    data = kwargs.get("data")
    if "json" in kwargs:
        body, content_type = json.dumps(kwargs["json"]), "application/json"
    elif "files" in kwargs or (content_type.startswith("multipart/") and isinstance(data, dict)):
        fields = dict(data) if isinstance(data, dict) else {}
        fields.update(_files(kwargs.get("files") or {}))
        body, content_type = encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
    elif isinstance(data, dict):
        body = urlencode(data, doseq=True)
    elif data is None or isinstance(data, bytes | str):
        body = data or b""
    else:
        # A body of the wrong shape for its media type (negative testing): sent as text.
        body = json.dumps(data, default=str)
    return client.generic(kwargs["method"], url, body, content_type=content_type, headers=headers)


def fuzz(operation, client: Client, token: str, errors: list[str]) -> None:
    """Send the operation's generated examples; note every 5xx in `errors`."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def exercise(case):
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        response = send(client, token, kwargs)
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            cause = repr(exc[1])[:200] if exc else response.content[:200]
            errors.append(f"{case.method} {case.path}: {cause}")

    exercise()


def test_no_generated_request_gets_a_server_error(alice, north_case):
    client = Client(raise_request_exception=False)  # a 500 is counted, not raised
    errors = []
    for result in api_schema().get_all_operations():
        # A token per operation: fuzzing the sign-out endpoints ends the one they are sent with.
        _, token = AuthToken.objects.create(user=alice)
        fuzz(result.ok(), client, token, errors)
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(sorted(set(errors)))
