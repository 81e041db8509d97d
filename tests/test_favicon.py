"""Our own favicon, from our static files: linked from every page, and /favicon.ico answers (issue 16)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from .conftest import sign_in


def test_favicon_ico_leads_to_our_icon_for_anyone(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == f"/{settings.STATIC_URL.strip('/')}/img/favicon.svg"
    icon = finders.find("img/favicon.svg")
    assert icon and Path(icon).read_text(encoding="utf-8").startswith("<svg")


def test_favicon_ico_is_answered_between_the_two_factors(client, alice):
    """A user who gave her password but not yet her code is not sent to the code page for it."""
    client.force_login(alice)
    assert client.get("/favicon.ico").status_code == 301


def test_every_page_links_the_icon(client, alice):
    sign_in(client, alice)
    page = client.get(reverse("casework:dashboard")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    login = Client().get(reverse("accounts:login")).content.decode()
    assert 'rel="icon"' in login
