"""
The spreadsheet import pages, for the team's supervisors: upload, the dry-run report (with a
page that refreshes itself while a worker checks or imports), the import, the template.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import record

from . import import_columns, import_values, permissions, selectors, spreadsheet, tasks
from .forms import ImportReadingForm, ImportUploadForm
from .importing import batches, template, writing
from .models import ImportBatch
from .views import audited_refusals

# Rows of the report shown on the page: the problems first, and not thousands of fine rows.
REPORT_ROWS_SHOWN = 500
# Cases an import opened, linked from its page; beyond them the page counts the rest.
CASES_SHOWN = 50


def _supervised(request):
    teams = permissions.teams_to_import_into(request.user)
    if not teams.exists():
        raise PermissionDenied
    return teams


@never_cache
@login_required
@audited_refusals
@require_http_methods(["GET", "POST"])
def import_list(request):
    teams = _supervised(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            batch = batches.import_upload(
                team=form.cleaned_data["team"],
                uploaded_file=form.cleaned_data["file"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            tasks.dispatch(tasks.import_check, str(batch.pk))
            return redirect("intake:import_detail", batch_ref=batch.reference)
    context = {
        "form": form,
        "batches": selectors.my_imports(request.user)[:50],
        "columns": import_columns.COLUMNS,
    }
    return render(request, "intake/imports.html", context, status=400 if form.errors else 200)


def _batch(request, batch_ref) -> ImportBatch:
    return get_object_or_404(selectors.my_imports(request.user), reference=batch_ref)


def column_name(key: str) -> str:
    """A template column's name in the interface language (the key when there is none)."""
    column = next((column for column in import_columns.COLUMNS if column.key == key), None)
    if column is None:
        return key
    language = (get_language() or "en").lower()
    if language.startswith("ko"):
        return column.korean
    if language.startswith("zh"):
        return column.chinese or column.english
    return column.english


def _label(key: str, read: str) -> str:
    """A code as the supervisor knows it: the catalogue's label in the interface language."""
    choices = import_values.CHOICE_COLUMNS.get(key)
    if choices is None:
        return read
    labels = dict(choices.choices)
    return "; ".join(str(labels.get(code, code)) for code in read.split("; "))


def _preview(report: dict) -> dict:
    """
    The first rows as read: a column for each template column any of them fills, and in each
    cell (column name, as typed, as read).
    """
    rows = report.get("preview", [])
    keys = [
        key
        for key in import_columns.KEYS
        if any(cell[0] == key for row in rows for cell in row["cells"])
    ]
    shown = []
    for row in rows:
        cells = {key: (typed, _label(key, read)) for key, typed, read in row["cells"]}
        shown.append(
            {
                "row": row["row"],
                "cells": [(column_name(key), *cells.get(key, ("", ""))) for key in keys],
            }
        )
    return {"columns": [column_name(key) for key in keys], "rows": shown}


def _shown(row: dict) -> dict:
    """A row of the report with each error as (column name, the cell as typed, the reason)."""
    errors = [
        # Reports made before the cell was kept beside its error hold (column, reason).
        (column_name(column) if column else "", value[0] if value else "", message)
        for column, message, *value in row["errors"]
    ]
    unused = [(column_name(column), value, why) for column, why, value in row.get("unused", [])]
    return {**row, "errors": errors, "unused": unused}


def _detail(request, batch, reading_form=None, status=200):
    report = batch.report or {}
    rows = report.get("rows", [])
    problems = [
        row
        for row in rows
        if row["errors"]
        or row.get("unused")
        or row.get("duplicates")
        or row.get("checked_elsewhere")
        or row.get("already")
    ]
    if reading_form is None and batch.status == ImportBatch.Status.CHECKED:
        reading_form = ImportReadingForm(report=report)
    encoding = report.get("encoding") or {}
    cases = selectors.imported_cases(batch, request.user) if batch.created_count else None
    shown_cases = list(cases[:CASES_SHOWN]) if cases is not None else []
    context = {
        "cases": shown_cases,
        "more_cases": cases.count() - len(shown_cases) if len(shown_cases) == CASES_SHOWN else 0,
        "batch": batch,
        "problems": [_shown(row) for row in problems[:REPORT_ROWS_SHOWN]],
        "more_problems": max(len(problems) - REPORT_ROWS_SHOWN, 0),
        "ignored_columns": report.get("ignored_columns", []),
        "error_rows": sum(1 for row in rows if row["errors"]),
        "duplicate_rows": sum(
            1 for row in rows if row.get("duplicates") or row.get("checked_elsewhere")
        ),
        "already_rows": sum(1 for row in rows if row.get("already")),
        "encoding": spreadsheet.ENCODINGS.get(encoding.get("used"), ""),
        "encoding_uncertain": "encoding" in report.get("questions", []),
        "day_order_open": "day_order" in report.get("questions", []),
        "questions": report.get("questions", []),
        "report": report,
        "preview": _preview(report),
        "reading_form": reading_form if reading_form and reading_form.fields else None,
    }
    return render(request, "intake/import_detail.html", context, status=status)


@never_cache
@login_required
@audited_refusals
@require_GET
def import_detail(request, batch_ref):
    batch = _batch(request, batch_ref)
    record(request.user, "view", batch, request=request)
    return _detail(request, batch)


@login_required
@audited_refusals
@require_POST
def import_reading(request, batch_ref):
    """The supervisor's answers on how to read the file: kept, and the file checked again."""
    batch = _batch(request, batch_ref)
    if batch.status != ImportBatch.Status.CHECKED:
        messages.error(request, _("Only a checked file can be read again."))
        return redirect("intake:import_detail", batch_ref=batch.reference)
    form = ImportReadingForm(request.POST, report=batch.report or {})
    if form.is_valid():
        try:
            batches.import_configure(batch=batch, actor=request.user, **form.reading())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            tasks.dispatch(tasks.import_check, str(batch.pk))
            return redirect("intake:import_detail", batch_ref=batch.reference)
    return _detail(request, batch, reading_form=form, status=400)


@login_required
@audited_refusals
@require_POST
def import_start(request, batch_ref):
    batch = _batch(request, batch_ref)
    if batch.status not in (ImportBatch.Status.CHECKED, ImportBatch.Status.STOPPED):
        messages.error(request, _("Only a checked file can be imported, once."))
    elif (batch.report or {}).get("questions"):
        messages.error(
            request,
            _("Confirm how the file is read (its encoding, its dates) before importing it."),
        )
    else:
        tasks.dispatch(tasks.import_run, str(batch.pk), request.user.pk)
    return redirect("intake:import_detail", batch_ref=batch.reference)


@login_required
@audited_refusals
@require_POST
def import_stop(request, batch_ref):
    """Stop an import under way, after the row or household being written."""
    batch = _batch(request, batch_ref)
    try:
        writing.import_stop(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("intake:import_detail", batch_ref=batch.reference)


@login_required
@audited_refusals
@require_POST
def import_discard(request, batch_ref):
    batch = _batch(request, batch_ref)
    try:
        batches.import_discard(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("intake:import_detail", batch_ref=batch.reference)
    messages.success(request, _("The file was discarded."))
    return redirect("intake:imports")


@login_required
@audited_refusals
@require_GET
def import_template(request):
    response = HttpResponse(template.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shimteo-intake-template.csv"'
    return response
