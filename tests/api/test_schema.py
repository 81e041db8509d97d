"""
The OpenAPI description of the casework API (/api/schema/) and its interactive docs
(/api/docs/), served with self-hosted assets. The project's SPECTACULAR_SETTINGS name every enum,
split request and response components and take Swagger UI from the sidecar package.
"""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import include, path
from drf_spectacular import plumbing
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def spectacular():
    """drf-spectacular's caches cleared before and after (enum names are cached per language)."""
    plumbing._load_enum_name_overrides.cache_clear()
    GENERATOR_STATS.reset()
    yield
    plumbing._load_enum_name_overrides.cache_clear()
    GENERATOR_STATS.reset()


def casework_schema() -> dict:
    generator = SchemaGenerator(patterns=[path("api/v1/", include("casework.api.urls"))])
    return generator.get_schema(request=None, public=True)


def test_the_schema_is_valid_without_warnings(spectacular):
    """The casework API's OpenAPI 3 description validates and the generator warns about nothing."""
    schema = casework_schema()
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache, dict(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, dict(GENERATOR_STATS._error_cache)


def test_the_schema_describes_every_endpoint(spectacular):
    """Each resource, action, lookup keyword and conflict response is described."""
    schema = casework_schema()
    paths = schema["paths"]
    for resource in [
        "persons",
        "relationships",
        "legal-statuses",
        "entitlements",
        "cases",
        "notes",
        "tasks",
        "incidents",
        "attachments",
    ]:
        assert f"/api/v1/{resource}/" in paths
    assert "/api/v1/cases/{case_ref}/" in paths
    assert "/api/v1/persons/{person_ref}/aliases/" in paths
    assert "/api/v1/tasks/{task_id}/complete/" in paths
    assert "/api/v1/legal-statuses/past/" in paths
    assert "409" in paths["/api/v1/cases/{case_ref}/"]["patch"]["responses"]
    upload = paths["/api/v1/attachments/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    download = paths["/api/v1/attachments/{attachment_id}/download/"]["get"]["responses"]["200"]
    assert "application/octet-stream" in download["content"]
    assert paths["/api/v1/cases/"]["get"]["tags"] == ["cases"]
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_the_whole_api_schema_is_valid_without_warnings(spectacular):
    """Every app's endpoints together (casework, intake, legal aid, tokens) describe cleanly."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache, dict(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, dict(GENERATOR_STATS._error_cache)


def test_the_schema_is_for_signed_in_staff_only(client, alice, spectacular):
    """/api/schema/ answers with the OpenAPI document to staff, and to nobody else."""
    assert client.get("/api/schema/").status_code in {401, 403}
    sign_in(client, alice)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/{case_ref}/" in response.content


def test_the_docs_use_only_our_own_assets(client, alice, spectacular):
    """/api/docs/ loads Swagger UI from our static files, with no inline script and no other host."""
    sign_in(client, alice)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/"), source
        assert not source.startswith("//"), source
    assert "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


def test_a_serializer_without_a_docstring_is_described_by_nothing_of_ours(spectacular):
    """The base that builds fields once (casework.api.serializers.common) lends no component its words."""
    components = casework_schema()["components"]["schemas"]
    assert "description" not in components["CaseMember"]


def test_the_lists_say_they_may_be_read_by_cursor(spectacular):
    parameters = casework_schema()["paths"]["/api/v1/cases/"]["get"]["parameters"]
    assert "cursor" in {parameter["name"] for parameter in parameters}
