"""
Spreadsheet import, the writing end: checking each row with the intake's own step fields and
rules (intake.step_checks, without building the forms: a row is valid exactly when the same
intake typed in the wizard would be), and the services that check
(dry run) and import a batch. The file is read into rows by intake.import_reading, and their
cells into codes and dates by intake.import_values.

A row is one person who consented to have their details kept, with their own new case. A row
that may duplicate someone on file is not created: it becomes a submitted intake, for a
supervisor to approve or merge in the queue. Every row imported, or sent to the queue, leaves a
keyed fingerprint of its normalised content, so importing the same file again creates nothing
twice.
"""

import csv
import hashlib
import hmac
import io
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Notification
from accounts.notifications import notify
from audit.services import appended_together, hold_chain, record
from casework.models import Person
from casework.services import households_create
from casework.services.bulk import household_check
from vault.blind_index import derive_index_key

from . import duplicates, import_households, import_values, permissions, step_checks
from .forms import STEPS, fields_reused
from .import_columns import KEYS, fold_key
from .import_reading import Row, UnreadableFile, detect_format, read_rows
from .import_values import FORMULA_STARTS
from .models import DuplicateCandidate, ImportBatch, ImportedRow, IntakeSubmission
from .services import household_plan

FINGERPRINT_SCOPE = "intake-import-row"
# The longest cell quoted beside an error in the report.
MAX_VALUE_SHOWN = 80
PROGRESS_EVERY = 25
# The dry run looks up the duplicates of this many rows or households at once.
CHUNK_UNITS = 200
# The import writes this many rows or households in one transaction: a stopped import ends
# after the chunk it is writing, and the progress moves a chunk at a time.
IMPORT_CHUNK_UNITS = 50
# Which form field of which step each column feeds, to put a form's errors back on the column.
FIELD_COLUMNS = {
    ("consent", "method"): "consent_method",
    ("consent", "given_on"): "consent_given_on",
    ("consent", "scopes"): "consent_scopes",
    ("consent", "witnessed_by"): "consent_witness",
}
OVERRIDE_REASON = gettext_lazy("Risk level as given in the imported spreadsheet.")
PHONE_CHARACTERS = set("0123456789 ()-+./")
# The columns a row's fingerprint is made of: those of the template before households, so that a
# file imported before them is still known when imported again.
FINGERPRINT_KEYS = [key for key in KEYS if key not in ("household", "relation")]


def max_bytes() -> int:
    return getattr(settings, "SHIMTEO_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


# Checking a row


def _formula_errors(row: Row) -> list:
    errors = []
    for key, text in row.values.items():
        if text.startswith(FORMULA_STARTS) or (
            text[:1] in "+-" and not set(text) <= PHONE_CHARACTERS
        ):
            errors.append(
                (
                    key,
                    _(
                        "Formulas are not accepted: this cell starts with “%(start)s”. Type "
                        "the value itself."
                    )
                    % {"start": text[:1]},
                )
            )
    return errors


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\uff1b", ";").split(";") if part.strip()]


def answers_of(values: dict) -> dict:
    """A row as the wizard would have posted it, step by step."""
    value = values.get
    return {
        "consent": {
            "method": [value("consent_method", "").lower()],
            "witnessed_by": [value("consent_witness", "")],
            "given_on": [value("consent_given_on", "")],
            "scopes": [scope.lower() for scope in _split(value("consent_scopes", ""))],
        },
        "identity": {
            "full_name": [value("full_name", "")],
            "aliases": ["\n".join(_split(value("aliases", "")))],
            "sex": [value("sex", "").lower() or "unknown"],
            "date_of_birth": [value("date_of_birth", "")],
            "birth_year": [value("birth_year", "")],
            "nationality": [value("nationality", "").lower() or "unknown"],
            "place_of_origin": [value("place_of_origin", "")],
            "contact": [value("contact", "")],
        },
        "family": {
            "partner_nationality": ["unknown"],
            "marriage_registered": ["unknown"],
            "children-TOTAL_FORMS": ["0"],
            "children-INITIAL_FORMS": ["0"],
        },
        "situation": {
            "current_location": [value("current_location", "")],
            "region": [value("region", "").lower() or "unknown"],
            "legal_status": [value("legal_status", "").lower()],
            "status_since": [value("status_since", "")],
            "status_country": [value("status_country", "").upper() or "ZZ"],
            "benefits_refused": [kind.lower() for kind in _split(value("benefits_refused", ""))],
            "incidents-TOTAL_FORMS": ["0"],
            "incidents-INITIAL_FORMS": ["0"],
        },
        "needs": {
            "needs": [value("needs", "")],
            "risk_level": [value("risk_level", "").lower()],
            "override_reason": [str(OVERRIDE_REASON)],
        },
    }


def check_row(row: Row) -> dict | None:
    """The row's cleaned intake, or None with `row.errors` filled (column, message)."""
    return check_unit([row])


def check_unit(rows: list) -> dict | None:
    """
    The cleaned intake of one household's rows (one row for a person alone): the head's row
    for the person the case is about, the others for the Family step. None with the rows'
    errors filled (column, message) when any row fails: a household is written whole or not.
    """
    for row in rows:
        row.errors = _formula_errors(row)
    if any(row.errors for row in rows):
        return None
    household = import_households.arrange(rows)
    if household is None:
        return None
    head = household.head
    answers = answers_of(head.values)
    if len(rows) > 1:
        import_households.note_unused(household)
        answers["family"] = import_households.family_answers(household)
        partner = household.partner
        if partner is not None and partner.values.get("consent_method"):
            # The partner's row states a consent of their own: the head's covers them too.
            answers["consent"]["covers_partner"] = ["on"]
    if any(row.errors for row in rows):
        return None
    cleaned = {}
    # The step forms' fields and rules, without building the forms (intake.step_checks); the
    # forms themselves only for answers those cannot read.
    checked = step_checks.check_steps(answers) or {
        step: step_class(answers[step], answers=answers) for step, step_class in STEPS.items()
    }
    for step, forms in checked.items():
        if forms.is_valid():
            cleaned[step] = forms.cleaned()
            continue
        if step == "family" and len(rows) > 1:
            import_households.place_family_errors(household, forms)
            continue
        for name, messages in forms.form.errors.items():
            column = FIELD_COLUMNS.get((step, name), name if name in KEYS else "")
            head.errors.extend((column, message) for message in messages)
    if any(row.errors for row in rows):
        return None
    head.answers = answers
    return cleaned


def fingerprint(values: dict) -> str:
    return _digest([fold_key(values.get(key, "")) for key in FINGERPRINT_KEYS])


def unit_fingerprint(rows: list) -> str:
    """A row's fingerprint, or a household's: its members' rows with their relations, in order."""
    if len(rows) == 1:
        return fingerprint(rows[0].values)
    return _digest(
        [
            [fold_key(row.values.get(key, "")) for key in (*FINGERPRINT_KEYS, "relation")]
            for row in rows
        ]
    )


def _digest(normalised: list) -> str:
    payload = json.dumps(normalised, ensure_ascii=False).encode()
    return hmac.new(derive_index_key(FINGERPRINT_SCOPE), payload, hashlib.sha256).hexdigest()


# Services


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


def _duplicates_of(cleaned: list, uploader) -> list[tuple[list, list]]:
    """
    For each of a chunk's cleaned intakes: (reference and reasons of the candidates the
    uploader may see, the candidates' pks). Of the others the report says only that another
    team's supervisors check them, as the wizard does (see intake.duplicates). One lookup of
    the chunk's blind indexes, and one of which candidates the uploader sees.
    """
    found = duplicates.find_many([duplicates.subjects_of(each) for each in cleaned])
    pks = {pk for matches in found for _key, pk, _codes in matches}
    references = dict(
        Person.objects.visible_to(uploader).filter(pk__in=pks).values_list("pk", "reference")
    )
    return [
        (
            [(references[pk], codes) for _key, pk, codes in matches if pk in references],
            [pk for _key, pk, _codes in matches],
        )
        for matches in found
    ]


def import_check(*, batch: ImportBatch) -> ImportBatch:
    """
    The dry run: read every row, check it as the wizard would, and report per row its errors
    (column and message), the people on file it may duplicate, and whether it was imported
    before. Nothing is created.
    """
    # The report's reasons are written once, here, in the language of the supervisor who reads
    # them, whichever process (a worker has no request) runs the check.
    with translation.override(batch.uploaded_by.preferred_language), fields_reused():
        return _check(batch)


def _check(batch: ImportBatch) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.CHECKING, started_at=timezone.now(), started_from=0
    )
    batch.refresh_from_db()
    try:
        rows, reading = _rows_of(batch)
    except UnreadableFile as error:
        return _fail(batch, str(error))
    batch.total_rows = len(rows)
    batch.save(update_fields=["total_rows"])
    units = import_households.units_of(rows)
    # Each unit's fingerprint, made once (it folds every cell): asked of the table, then below.
    digests = [unit_fingerprint(unit) for unit in units]
    known = set(
        ImportedRow.objects.filter(team=batch.team, fingerprint__in=digests).values_list(
            "fingerprint", flat=True
        )
    )
    entries, valid, done = {}, 0, 0
    candidates, out_of_sight = set(), set()
    for start in range(0, len(units), CHUNK_UNITS):
        chunk = units[start : start + CHUNK_UNITS]
        checked = [
            (unit, check_unit(unit), digest)
            for unit, digest in zip(chunk, digests[start : start + CHUNK_UNITS], strict=True)
        ]
        for unit, cleaned, _digest in checked:
            for row in unit:
                entries[row.number] = {
                    "row": row.number,
                    "errors": [
                        [column, message, _typed(row, column)] for column, message in row.errors
                    ],
                }
                if row.unused:
                    entries[row.number]["unused"] = [
                        [column, why, _typed(row, column)] for column, why in row.unused
                    ]
            if cleaned is None and len(unit) > 1:
                _household_failed(unit, entries)
        passed = [
            (unit, cleaned, digest) for unit, cleaned, digest in checked if cleaned is not None
        ]
        found = _duplicates_of([cleaned for _unit, cleaned, _digest in passed], batch.uploaded_by)
        for (unit, _cleaned, digest), (shown, pks) in zip(passed, found, strict=True):
            # Said once, on the row of the person the case is about.
            entry = entries[_head_of(unit).number]
            valid += len(unit)
            entry["duplicates"] = shown
            entry["checked_elsewhere"] = len(shown) < len(pks)
            entry["already"] = digest in known
            candidates.update(pks)
            if entry["checked_elsewhere"]:
                out_of_sight.add(entry["row"])
        before = done
        done += sum(len(unit) for unit in chunk)
        _progress(batch, done, before, ImportBatch.Status.CHECKING)
    report = [entries[number] for number in sorted(entries)]
    # One event for the file's lookups, with counts only, as a submission's lookup has.
    record(
        batch.uploaded_by,
        "view",
        batch,
        lookup=duplicates.LOOKUP_MARK,
        rows=valid,
        candidates=len(candidates),
        rows_out_of_sight=len(out_of_sight),
    )
    batch.report = {"rows": report, **reading}
    batch.valid_rows = valid
    batch.processed_rows = len(rows)
    batch.status = ImportBatch.Status.CHECKED
    batch.save(update_fields=["report", "valid_rows", "processed_rows", "status"])
    return batch


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


def _typed(row: Row, column: str) -> str:
    """The cell an error is about, as typed (shortened): the report shows it beside the reason."""
    text = row.typed.get(column, row.values.get(column, "")) if column else ""
    return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 1] + "…"


def _head_of(unit: list) -> Row:
    """The row of the person a valid household's case is about (its answers are theirs)."""
    return next(row for row in unit if row.answers)


def _household_failed(unit: list, entries: dict) -> None:
    """Each row of a household that cannot be imported says so, naming the row that stops it."""
    failing = [str(row.number) for row in unit if row.errors]
    for row in unit:
        if not row.errors:
            entries[row.number]["errors"].append(
                [
                    "household",
                    _("Not imported with its household: see row %(rows)s.")
                    % {"rows": ", ".join(failing)},
                    _typed(row, "household"),
                ]
            )


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


def template_csv() -> bytes:
    """
    The column template, UTF-8 with a BOM so Excel reads it: a header row of column keys and an
    example household (a mother, her Chinese partner, their child) under the household number
    "example", which the import skips.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=KEYS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(EXAMPLE_HOUSEHOLD)
    return buffer.getvalue().encode("utf-8-sig")


_EXAMPLE_CONSENT = {
    "consent_method": "verbal",
    "consent_given_on": "2024-03-08",
    "consent_scopes": "store_data; statistics",
}
EXAMPLE_HOUSEHOLD = [
    {
        "household": "example",
        "relation": "mother",
        "full_name": "김예시",
        "sex": "female",
        "birth_year": "1985",
        "nationality": "dprk",
        "region": "cn-jilin",
        "legal_status": "undocumented_cn",
        "status_since": "2005-06-01",
        "status_country": "CN",
        "risk_level": "high",
        **_EXAMPLE_CONSENT,
    },
    {
        "household": "example",
        "relation": "father",
        "full_name": "王例",
        "sex": "male",
        "birth_year": "1978",
        "nationality": "prc",
        **_EXAMPLE_CONSENT,
    },
    {
        "household": "example",
        "relation": "child",
        "full_name": "王小例",
        "sex": "female",
        "date_of_birth": "2012-04-03",
        "nationality": "stateless",
        "benefits_refused": "household_registration; school",
    },
]
