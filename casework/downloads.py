"""Handing out an attachment: the one place that decides how a decrypted file leaves the server."""

import mimetypes

from django.http import FileResponse

from audit.services import record

# Types mimetypes names oddly or not at all on some systems.
EXTENSIONS = {
    "image/heic": ".heic",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def attachment_response(attachment, *, actor, request) -> FileResponse:
    """
    The decrypted file as a download, audited, never cached. It is named by references only: the
    uploaded name may name a person, and a downloads folder on a seized laptop would give it away.
    """
    record(actor, "download", attachment, request=request)
    content_type = attachment.content_type
    extension = EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=f"{attachment.case.reference}-{str(attachment.pk)[:8]}{extension}",
        content_type=content_type,
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
