"""
The import itself (`import_run`): the valid rows written a chunk per transaction, as new people
with their case or, when someone may duplicate a person on file, as submitted intakes for the
queue; and `import_stop`, which ends it after the chunk it is writing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.notifications import notify
from audit.services import appended_together, hold_chain, record
from casework.services import households_create
from casework.services.bulk import household_check

from .. import duplicates, import_households
from ..forms import fields_reused
from ..import_columns import KEYS
from ..import_reading import UnreadableFile
from ..models import DuplicateCandidate, ImportBatch, ImportedRow, IntakeSubmission
from ..services import household_plan
from .batches import _delete_file, _fail, _progress, _refuse_unless_supervisor, _rows_of
from .checking import _head_of, _typed, check_unit, unit_fingerprint

# The import writes this many rows or households in one transaction: a stopped import ends
# after the chunk it is writing, and the progress moves a chunk at a time.
IMPORT_CHUNK_UNITS = 50


def import_run(*, batch: ImportBatch, actor) -> ImportBatch:
    """
    Import the valid rows of a checked batch, a chunk of rows and households per transaction
    (`_import_chunk`): new people with their case, or — when one of them may duplicate someone
    on file or earlier in the file — a submitted intake for the queue. Rows already imported are skipped. A stopped
    import resumes at the first row it had not processed. The file is deleted at the end.
    """
    _refuse_unless_supervisor(actor, batch.team)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (ImportBatch.Status.CHECKED, ImportBatch.Status.STOPPED):
            raise ValidationError(_("Only a checked file can be imported, once."))
        if locked.report.get("questions"):
            raise ValidationError(
                _("Confirm how the file is read (its encoding, its dates) before importing it.")
            )
        if locked.status == ImportBatch.Status.CHECKED:
            locked.processed_rows = 0
            locked.created_count = locked.queued_count = locked.skipped_count = 0
        locked.status = ImportBatch.Status.IMPORTING
        locked.started_at, locked.started_from = timezone.now(), locked.processed_rows
        locked.save()
        record(actor, "update", locked, fields=["status"], resumed_from=locked.started_from)
    batch.refresh_from_db()
    try:
        rows, _reading = _rows_of(batch)
    except UnreadableFile as error:
        return _fail(batch, str(error))
    done, units = 0, []
    for unit in import_households.units_of(rows):
        if done + len(unit) <= batch.started_from:
            done += len(unit)  # processed before the import was stopped
        else:
            units.append(unit)
    del rows
    with fields_reused():
        for start in range(0, len(units), IMPORT_CHUNK_UNITS):
            chunk = units[start : start + IMPORT_CHUNK_UNITS]
            counts = _import_chunk(batch, chunk, actor)
            batch.created_count += counts["created"]
            batch.queued_count += counts["queued"]
            batch.skipped_count += counts["already"]
            before, done = done, done + sum(len(unit) for unit in chunk)
            going = _progress(batch, done, before, ImportBatch.Status.IMPORTING)
            if not going and start + IMPORT_CHUNK_UNITS < len(units):
                return _stopped(batch, done, actor)
    batch.status = ImportBatch.Status.IMPORTED
    batch.processed_rows = batch.total_rows
    batch.finished_at = timezone.now()
    batch.save()
    _delete_file(batch)
    record(
        actor,
        "import",
        batch,
        created=batch.created_count,
        queued=batch.queued_count,
        skipped=batch.skipped_count,
    )
    # It ran in a worker: whoever started it, and whoever uploaded it, learn it is done.
    notify(
        recipients=[actor, batch.uploaded_by], kind=Notification.Kind.IMPORT_FINISHED, target=batch
    )
    return batch


def _stopped(batch: ImportBatch, done: int, actor) -> ImportBatch:
    """Keep how far a stopped import went, and its counts, for the page and the resumption."""
    batch.status = ImportBatch.Status.STOPPED
    batch.processed_rows = done
    batch.save(
        update_fields=[
            "status",
            "processed_rows",
            "created_count",
            "queued_count",
            "skipped_count",
            "report",
        ]
    )
    record(actor, "import", batch, stopped_at=done, created=batch.created_count)
    return batch


def import_stop(*, batch: ImportBatch, actor) -> ImportBatch:
    """
    Stop an import under way: it ends after the row or household it is writing (nothing is
    half-written) and can be resumed from the next one.
    """
    _refuse_unless_supervisor(actor, batch.team)
    with transaction.atomic():
        # The import's chunk records, then updates the batch: take the locks in that order too.
        hold_chain()
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.IMPORTING:
            raise ValidationError(_("Only an import under way can be stopped."))
        locked.status = ImportBatch.Status.STOPPED
        locked.save(update_fields=["status"])
        record(actor, "update", locked, fields=["status"])
    return locked


def _import_chunk(batch: ImportBatch, chunk: list, actor) -> dict:
    """
    Import a chunk of rows and households in one transaction: each checked again as the dry
    run checked it, its duplicates looked up with the chunk's (on file, and earlier in the
    chunk), then the new households written together by casework.services.households_create
    — the same records and audit events as an intake approved in the queue, in a few inserts —
    and the possible duplicates sent to the queue. The audit events are appended together at
    the chunk's end (audit.appended_together). Returns how many rows were created, queued,
    skipped as imported before, and refused.
    """
    counts = {"created": 0, "queued": 0, "already": 0, "invalid": 0}
    checked = [(unit, check_unit(unit), unit_fingerprint(unit)) for unit in chunk]
    with transaction.atomic():
        known = set(
            ImportedRow.objects.filter(
                team=batch.team, fingerprint__in=[digest for _u, _c, digest in checked]
            ).values_list("fingerprint", flat=True)
        )
        todo = []
        for unit, cleaned, digest in checked:
            if cleaned is None:
                counts["invalid"] += len(unit)
            elif digest in known:
                # Imported before, or twice in this file.
                counts["already"] += len(unit)
            else:
                known.add(digest)
                todo.append((unit, cleaned, digest))
        lookup = duplicates.ChunkLookup(
            [duplicates.subjects_of(cleaned) for _u, cleaned, _d in todo]
        )
        imported, households, created = [], [], []
        with appended_together():
            for index, (unit, cleaned, digest) in enumerate(todo):
                row = ImportedRow(
                    batch=batch,
                    team=batch.team,
                    row_number=_head_of(unit).number,
                    fingerprint=digest,
                )
                found = lookup.found(index)
                if found:
                    _queue(batch, unit, found, row, actor)
                    counts["queued"] += 1
                    imported.append(row)
                    continue
                household = household_plan(cleaned)
                try:
                    household_check(household, team=batch.team, actor=actor)
                except ValidationError as error:
                    # The forms passed it and a casework rule did not: said on its row, and
                    # not marked imported, so that the corrected file imports it.
                    _refused(batch, unit, error)
                    counts["invalid"] += len(unit)
                    continue
                # Later rows of the chunk that name these people are possible duplicates.
                lookup.add(household.people)
                households.append(household)
                created.append((unit, household, row))
            households_create(actor=actor, team=batch.team, caseworker=actor, households=households)
            for unit, household, row in created:
                row.person = household.people[0].person
                counts["created"] += len(unit)
                imported.append(row)
        ImportedRow.objects.bulk_create(imported)
    return counts


def _queue(batch: ImportBatch, unit: list, found: list, imported: ImportedRow, actor) -> None:
    """
    A row or household of which someone may duplicate a person on file (or earlier in the
    file): a submitted intake for the supervisors' queue, with its candidates.
    """
    submission = IntakeSubmission.objects.create(
        team=batch.team,
        owner=actor,
        answers=_head_of(unit).answers,
        status=IntakeSubmission.Status.SUBMITTED,
        step=IntakeSubmission.Step.REVIEW,
        submitted_at=timezone.now(),
    )
    DuplicateCandidate.objects.bulk_create(
        DuplicateCandidate(submission=submission, person_id=pk, subject=key, reasons=codes)
        for key, pk, codes in found
    )
    record(actor, "create", submission, batch=batch.reference, candidates=len(found))
    imported.submission = submission


# Where a casework rule's field is read from in the file.
RULE_COLUMNS = {"name": "aliases", "effective_from": "status_since", "as_of": "benefits_refused"}


def _refused(batch: ImportBatch, unit: list, error: ValidationError) -> None:
    """A casework rule refused a row the forms passed: its reasons join the batch's report."""
    head = _head_of(unit)
    fields = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    reasons = []
    for name, messages in fields.items():
        column = RULE_COLUMNS.get(name, name if name in KEYS else "")
        reasons += [[column, message, _typed(head, column)] for message in messages]
    report = batch.report or {}
    entries = {entry["row"]: entry for entry in report.get("rows", [])}
    entry = entries.get(head.number)
    if entry is None:
        entry = {"row": head.number, "errors": []}
        report.setdefault("rows", []).append(entry)
    entry["errors"] = entry.get("errors", []) + reasons
    batch.report = report
