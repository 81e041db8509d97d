"""The account page every signed-in user reaches from the header: second factor and sessions."""

from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from ..conftest import sign_in


def test_the_header_links_to_the_account_page(client, alice):
    sign_in(client, alice)
    page = client.get(reverse("casework:dashboard")).content.decode()
    assert f'href="{reverse("accounts:security")}"' in page


def test_the_account_page_offers_each_change_one_step_away(client, alice):
    sign_in(client, alice)
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Replace the authenticator" in page  # sign_in gave her one
    assert reverse("accounts:setup") in page
    assert reverse("accounts:backup_codes") in page
    assert f'action="{reverse("accounts:logout_everywhere")}"' in page


def test_the_account_page_is_in_korean_for_a_korean_reader(client, alice):
    sign_in(client, alice)
    page = client.get(reverse("accounts:security"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "로그인 및 보안" in page
    assert "모든 기기에서 로그아웃" in page


def test_signing_out_everywhere_from_it_ends_the_other_devices_and_tokens(client, alice):
    phone = sign_in(Client(), alice)
    AuthToken.objects.create(user=alice)
    sign_in(client, alice)
    client.post(reverse("accounts:logout_everywhere"))
    assert phone.get(reverse("casework:dashboard")).status_code == 302
    assert not AuthToken.objects.filter(user=alice).exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
