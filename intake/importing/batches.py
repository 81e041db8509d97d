"""
A batch's life outside the checking and the writing: a supervisor uploads the file, says how it
is read, or discards it; the batch's progress, its rows read from the encrypted file, and its
failure.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record

from .. import import_values, permissions
from ..import_reading import detect_format, read_rows
from ..models import ImportBatch

PROGRESS_EVERY = 25


def max_bytes() -> int:
    return settings.SHIMTEO_IMPORT_MAX_BYTES


def _refuse_unless_supervisor(actor, team) -> None:
    if not permissions.can_import(actor, team):
        raise PermissionDenied(_("Only a supervisor of the team imports spreadsheets."))


def import_upload(*, team, uploaded_file, actor) -> ImportBatch:
    """
    Keep an uploaded spreadsheet, encrypted, as a new batch to be checked. Refuses a file that
    is too large or empty before anything is stored.
    """
    _refuse_unless_supervisor(actor, team)
    limit = max_bytes()
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError({"file": _too_large(limit)})
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": _too_large(limit)})
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    with transaction.atomic():
        batch = ImportBatch(
            team=team,
            uploaded_by=actor,
            original_name=(uploaded_file.name or "")[:255],
            file_format=detect_format(data),
        )
        batch.full_clean(exclude=["file"])
        batch.file.save("upload", ContentFile(data), save=False)
        batch.save()
        record(actor, "create", batch, format=batch.file_format, size=len(data))
    return batch


def _too_large(limit: int) -> str:
    return _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}


def _progress(batch: ImportBatch, done: int, before: int, phase: str) -> bool:
    """
    Tell the status page how far the work is, every PROGRESS_EVERY rows (a plain update outside
    any transaction, so the page sees it move); False once the batch has left `phase` — a
    supervisor stopped the import.
    """
    if done // PROGRESS_EVERY == before // PROGRESS_EVERY and done != batch.total_rows:
        return True
    return bool(ImportBatch.objects.filter(pk=batch.pk, status=phase).update(processed_rows=done))


def _rows_of(batch: ImportBatch) -> tuple[list, dict]:
    """The batch's rows, their labels and dates read with its options, and how it was read."""
    with batch.file.open("rb") as handle:
        data = handle.read()
    options = batch.options or {}
    sheet = read_rows(data, batch.file_format, options)
    reading = import_values.interpret(sheet, options)
    reading["ignored_columns"] = sheet.ignored
    return sheet.rows, reading


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.failure = message[:300]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "failure", "finished_at"])
    _delete_file(batch)
    return batch


def _delete_file(batch: ImportBatch) -> None:
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


def import_configure(
    *, batch: ImportBatch, actor, encoding=None, sheet=None, day_first=None, mappings=None
) -> ImportBatch:
    """
    Say how a checked file is to be read — its encoding, its sheet, the order of day and month
    in its dates, a code for each value no catalogue knows — and have it checked again. The
    answers are kept with the batch (encrypted: a mapped value may be a place), and the import
    reads the file the same way.
    """
    _refuse_unless_supervisor(actor, batch.team)
    report = batch.report or {}
    options = {"mappings": {}}
    if encoding is not None:
        if encoding not in report.get("encoding", {}).get("candidates", []):
            raise ValidationError({"encoding": _("The file cannot be read in this encoding.")})
        options["encoding"] = encoding
    if sheet is not None:
        if sheet not in report.get("sheets", []):
            raise ValidationError({"sheet": _("The workbook has no such sheet.")})
        options["sheet"] = sheet
    if day_first is not None:
        options["day_first"] = bool(day_first)
    for (column, folded), code in (mappings or {}).items():
        if code not in import_values.CHOICE_COLUMNS.get(column, ()).values:
            raise ValidationError({"mappings": _("Choose a value of the list.")})
        options["mappings"].setdefault(column, {})[folded] = code
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.CHECKED:
            raise ValidationError(_("Only a checked file can be read again."))
        # Mappings made for values of an earlier reading are kept for the values still there.
        kept = (locked.options or {}).get("mappings", {})
        for column, chosen in options["mappings"].items():
            kept.setdefault(column, {}).update(chosen)
        options["mappings"] = kept
        locked.options = options
        locked.status = ImportBatch.Status.UPLOADED
        locked.processed_rows = 0
        locked.save(update_fields=["options", "status", "processed_rows"])
        record(actor, "update", locked, fields=["options"])
    return locked


def import_discard(*, batch: ImportBatch, actor) -> None:
    """Drop a batch that will not be imported: its encrypted file is deleted now."""
    _refuse_unless_supervisor(actor, batch.team)
    if batch.status in (
        ImportBatch.Status.IMPORTING,
        ImportBatch.Status.STOPPED,
        ImportBatch.Status.IMPORTED,
    ):
        # The rows already imported keep their fingerprints through the batch.
        raise ValidationError(_("An imported file cannot be discarded."))
    with transaction.atomic():
        record(actor, "delete", batch)
        _delete_file(batch)
        batch.delete()
