"""How an advocacy document leaves the server, as PDF or Word, for the pages and the API alike."""

from django.http import HttpResponse


def pdf_response(document, pdf: bytes) -> HttpResponse:
    """The PDF as a download no cache keeps, named by its reference and version only."""
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{document.reference}-v{document.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(document, docx: bytes) -> HttpResponse:
    """The Word version, under the same rules as the PDF's response."""
    response = HttpResponse(docx, content_type=DOCX)
    filename = f"{document.reference}-v{document.version}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_response(document, content: bytes, file_format: str) -> HttpResponse:
    return (
        docx_response(document, content)
        if file_format == "docx"
        else pdf_response(document, content)
    )
