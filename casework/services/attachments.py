"""Files attached to a case: sniffed, size-checked and stored encrypted."""

import hashlib
import io
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    Attachment,
    Case,
    Person,
)
from ._common import (
    _audit,
    _filled,
    _refuse_non_members,
    _require,
    _save,
)

# Attachments

SNIFF_BYTES = 64
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}


def _sniff_zip(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                if member.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE:
                    return "application/vnd.oasis.opendocument.text"
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any((ch < " " and ch not in TEXT_CONTROLS_ALLOWED) or ch == "\x7f" for ch in text)


def sniff_content_type(data: bytes) -> str | None:
    """The type the bytes themselves show, among those we accept; None for anything else."""
    head = data[:SNIFF_BYTES]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if _looks_like_text(data):
        return "text/plain"
    return None


def _read_upload(uploaded_file, limit: int) -> bytes:
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError({"file": _too_large(limit)})
    chunks, total = [], 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        total += len(chunk)
        if total > limit:
            raise ValidationError({"file": _too_large(limit)})
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}


def attachment_add(
    *, case: Case, uploaded_file, actor, person: Person | None = None, description: str = ""
) -> Attachment:
    """
    Keep a file with a case, encrypted at rest. Its type is read from its first bytes, never
    taken from the browser, and only documents and photos are accepted.
    """
    _require(permissions.can_edit_case(actor, case))
    data = _read_upload(uploaded_file, settings.SHIMTEO_ATTACHMENT_MAX_BYTES)
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ValidationError(
            {
                "file": _(
                    "This kind of file is not accepted. Upload a PDF, a photo (JPEG, PNG, WebP, "
                    "HEIC), a plain text file, or a Word or OpenDocument text document."
                )
            }
        )
    if person is not None:
        _refuse_non_members(case, [person], "person")
    original_name = os.path.basename((uploaded_file.name or "").replace("\\", "/"))[:255]
    attachment = Attachment(
        case=case,
        person=person,
        original_name=original_name or _("unnamed"),
        description=description,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    # The stored name is random; the neutral name given here only keeps the upload_to folder.
    attachment.full_clean(exclude=["file"])
    attachment.file.save("upload", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            _save(attachment)
            _audit(
                actor,
                "create",
                attachment,
                fields=_filled({"file": True, "person": person, "description": description}),
                content_type=content_type,
                size=len(data),
            )
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment
