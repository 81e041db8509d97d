"""How an advocacy PDF leaves the server, for the pages and the API alike."""

from django.http import HttpResponse


def pdf_response(document, pdf: bytes) -> HttpResponse:
    """The PDF as a download no cache keeps, named by its reference and version only."""
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{document.reference}-v{document.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
