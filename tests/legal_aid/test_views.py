"""The legal library pages: signed-in staff read them; counts of people follow visibility."""

import pytest
from django.urls import reverse

from ..conftest import sign_in

PAGES = [
    ("legal_aid:library", {}),
    ("legal_aid:document", {"code": "YB-2003"}),
    ("legal_aid:provision", {"label": "YB-2003-2"}),
    ("legal_aid:authorities", {}),
    ("legal_aid:authority", {"label": "CRC-7"}),
    ("legal_aid:restrictions", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_visitors_are_sent_to_login(client, db, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_a_caseworker_reads_every_library_page(client, alice, name, kwargs):
    response = sign_in(client, alice).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_the_library_lists_the_four_papers(client, alice):
    response = sign_in(client, alice).get(reverse("legal_aid:library"))
    codes = [doc.code for doc in response.context["documents"]]
    assert codes == ["YB-2003", "CC-2004", "YBF-2004", "MPS-2005"]
    assert b"not been independently verified" in response.content


def test_search_finds_a_provision_by_a_word_in_it(client, alice):
    response = sign_in(client, alice).get(reverse("legal_aid:library"), {"q": "kindergarten"})
    assert [p.label for p in response.context["results"]] == ["YB-2003-3"]
    assert b'href="/legal/provisions/YB-2003-3/"' in response.content


def test_a_search_that_finds_nothing_says_so(client, alice):
    response = sign_in(client, alice).get(reverse("legal_aid:library"), {"q": "zeppelin"})
    assert response.context["results"] == []
    assert b"Nothing found" in response.content


def test_the_document_page_quotes_every_item(client, alice):
    response = sign_in(client, alice).get(reverse("legal_aid:document", args=["YB-2003"]))
    labels = [p.label for p in response.context["provisions"]]
    assert labels == ["YB-2003-P1", *(f"YB-2003-{n}" for n in range(1, 6))]
    assert "Treat all offspring from the relationships" in response.content.decode()


def test_the_provision_page_shows_what_it_imposes_and_what_answers_it(client, alice):
    response = sign_in(client, alice).get("/legal/provisions/YB-2003-2/")
    page = response.content.decode()
    assert "Child of an unmarried refugee mother denied household registration" in page
    assert "PRC Nationality Law art. 4" in page
    assert "ICCPR art. 24(2)" in page
    assert "China signed but has not ratified" in page
    assert "not been independently verified" in page


def test_the_provision_page_shows_its_figures(client, alice):
    response = sign_in(client, alice).get("/legal/provisions/MPS-2005-P2/")
    assert "133009" in response.content.decode()
    assert "deported 133,009 people" in response.content.decode()


def test_the_affected_count_covers_the_viewers_cases_only(
    client, child_denied_hukou, alice, charlie
):
    """alice sees her case's child; charlie, of another team, sees 0 for the same data."""
    url = "/legal/provisions/YB-2003-2/"
    response = sign_in(client, alice).get(url)
    assert response.context["affected_total"] == 1
    assert [row["affected"] for row in response.context["rows"]] == [1]
    assert child_denied_hukou.reference not in response.content.decode()

    client.logout()
    response = sign_in(client, charlie).get(url)
    assert response.context["affected_total"] == 0
    assert [row["affected"] for row in response.context["rows"]] == [0]


def test_the_catalogue_counts_through_visibility(client, child_denied_hukou, alice, charlie):
    for user, expected in ((alice, 1), (charlie, 0)):
        client.logout()
        response = sign_in(client, user).get(reverse("legal_aid:restrictions"))
        counts = {row["restriction"].slug: row["affected"] for row in response.context["rows"]}
        assert counts["child-registration-denied"] == expected
        assert counts["forced-return"] == 0


@pytest.mark.parametrize(
    "path",
    ["/legal/provisions/YB-2003-9/", "/legal/documents/XX-1999/", "/legal/authorities/CRC-99/"],
)
def test_an_unknown_label_is_404(client, alice, path):
    assert sign_in(client, alice).get(path).status_code == 404


def test_the_corpus_is_read_only_in_the_admin(admin_client):
    """Even a superuser reads the corpus in the admin but cannot add, change or delete it."""
    from legal_aid.models import Provision

    provision = Provision.objects.get(label="YB-2003-2")
    assert admin_client.get("/admin/legal_aid/provision/").status_code == 200
    assert admin_client.get(f"/admin/legal_aid/provision/{provision.pk}/change/").status_code == 200
    assert admin_client.get("/admin/legal_aid/provision/add/").status_code == 403
    response = admin_client.post(
        f"/admin/legal_aid/provision/{provision.pk}/change/", {"text": "altered"}
    )
    assert response.status_code == 403
    provision.refresh_from_db()
    assert provision.text.startswith("Treat all offspring")
    assert (
        admin_client.post(f"/admin/legal_aid/provision/{provision.pk}/delete/").status_code == 403
    )


@pytest.mark.parametrize(
    "model", ["sourcedocument", "figure", "instrument", "authority", "restriction"]
)
def test_every_corpus_admin_list_renders(admin_client, model):
    assert admin_client.get(f"/admin/legal_aid/{model}/").status_code == 200


@pytest.mark.parametrize("language", ["ko", "zh-hans"])
def test_the_library_reads_in_the_readers_language(client, alice, language):
    """
    A Korean or Chinese caseworker reads the library's titles, headings and summaries as our
    catalogues translate them; a provision's own words stay quoted in the English translation
    that is our source, marked as English, with our translation beside them, marked as
    unofficial; a text not translated yet is marked as English for a screen reader.
    """
    from django.utils import translation

    from legal_aid.models import Provision, Restriction

    provision = Provision.objects.get(label="YB-2003-2")
    restriction = Restriction.objects.filter(provisions=provision).first()
    with translation.override(language):
        title = translation.gettext("Convention on the Rights of the Child (1989)")
        provision_ours = translation.gettext(provision.text)
        restriction_title = translation.gettext(restriction.title)
    assert title != "Convention on the Rights of the Child (1989)"
    assert provision_ours != provision.text
    signed_in = sign_in(client, alice)

    authorities = signed_in.get(
        reverse("legal_aid:authorities"), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert title in authorities
    assert "Convention on the Rights of the Child (1989)" not in authorities

    page = signed_in.get(
        reverse("legal_aid:provision", args=["YB-2003-2"]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert f'<blockquote class="provision-text" lang="en">{provision.text}</blockquote>' in page
    assert provision_ours in page
    assert f"<h3>{restriction_title}</h3>" in page
    with translation.override(language):
        description = translation.gettext(restriction.description)
    assert description != restriction.description
    assert f"<p>{description}</p>" in page
    # A text the catalogues do not hold (an administrator rewrote it): English, and said to be.
    Restriction.objects.filter(pk=restriction.pk).update(
        description="Children are refused registration in every county of the prefecture."
    )
    page = signed_in.get(
        reverse("legal_aid:provision", args=["YB-2003-2"]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert (
        '<span lang="en">Children are refused registration in every county of the prefecture.'
        "</span>" in page
    )


def test_the_library_in_english_marks_nothing(client, alice):
    """In English every text is as stored: no translation beside the quote, no language marks."""
    page = (
        sign_in(client, alice)
        .get(reverse("legal_aid:provision", args=["YB-2003-2"]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Unofficial translation" not in page
    assert '<span lang="en">' not in page


@pytest.mark.parametrize(
    ("language", "label"), [("ko", "비공식 번역: "), ("zh-hans", "非官方译文\uff1a")]
)
def test_our_translation_beside_a_provision_follows_its_label_as_the_language_writes(
    client, alice, language, label
):
    """Korean puts a space after the colon of "비공식 번역:"; Chinese none after the full-width one."""
    from django.utils import translation

    from legal_aid.models import Provision

    provision = Provision.objects.get(label="YB-2003-2")
    with translation.override(language):
        ours = translation.gettext(provision.text)
    signed_in = sign_in(client, alice)
    for url in (
        reverse("legal_aid:provision", args=["YB-2003-2"]),
        reverse("legal_aid:document", args=["YB-2003"]),
    ):
        page = signed_in.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f'<p class="unofficial">{label}{ours}</p>' in page, url
