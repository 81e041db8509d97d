"""The PDF renderer loads our own static files and nothing else: no file://, no network, no data:."""

import pytest

from legal_aid.documents import rendering


def test_our_stylesheet_is_served():
    """shimteo-static:css/pdf.css is read from our static folder."""
    response = rendering.fetcher().fetch("shimteo-static:css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@footnote" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/style.css",
        "https://example.org/style.css",
        "data:text/css,body{}",
        "ftp://example.org/x.css",
        "shimteo-static:../config/settings.py",
        "shimteo-static:/etc/passwd",
        "shimteo-static:css/missing.css",
        "shimteo-static:../pyproject.toml",
    ],
)
def test_everything_else_is_refused(url):
    """Other schemes, paths out of the static folders and missing files are refused."""
    with pytest.raises(rendering.RefusedURL):
        rendering.fetcher().fetch(url)


def test_a_refused_url_fails_the_render():
    """With fail_on_errors a refused image aborts the whole render instead of leaving a gap."""
    from weasyprint.urls import FatalURLFetchingError

    snapshot = {
        "kind": "child_access_brief",
        "language": "en",
        "title": "x",
        "reference": "AD-TEST",
        "version": 1,
        "subject": {"label": "x"},
    }
    html = rendering.render_html(snapshot).replace(
        "</body>", '<img src="file:///etc/hostname" alt=""></body>'
    )
    import weasyprint

    with pytest.raises(FatalURLFetchingError):
        weasyprint.HTML(string=html, url_fetcher=rendering.fetcher()).write_pdf()
