"""
The dry run (`import_check`): every row read and checked, and the report per row of its errors,
the people on file it may duplicate and whether it was imported before. Nothing is created.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record
from casework.models import Person

from .. import duplicates, import_households
from ..forms import fields_reused
from ..import_reading import UnreadableFile
from ..models import ImportBatch, ImportedRow
from .batches import _fail, _progress, _rows_of
from .checking import _head_of, _typed, check_unit, unit_fingerprint

# The dry run looks up the duplicates of this many rows or households at once.
CHUNK_UNITS = 200


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
