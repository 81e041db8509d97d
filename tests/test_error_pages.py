import pytest
from django.test import Client
from django.urls import reverse

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_404_keeps_the_site_around_the_user(client, charlie, north_case, settings):
    """Another team's case answers 404 inside the site: menu, Lock now and a way back."""
    settings.DEBUG = False
    sign_in(client, charlie)
    response = client.get(reverse("casework:case_detail", args=[north_case.reference]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Lock now" in body
    assert reverse("casework:dashboard") in body
    assert north_case.reference not in body


def test_a_500_page_says_what_to_do_without_needing_anything(settings):
    """The server error page renders with no request and no database."""
    from django.template.loader import render_to_string

    body = render_to_string("500.html")
    assert "Something went wrong" in body
    assert "<script" not in body


def test_the_500_handler_serves_our_page(settings, db):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    from django.views import defaults

    response = defaults.server_error(client.get("/healthz").wsgi_request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
