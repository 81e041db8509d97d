"""
The spreadsheet import pages, for the team's supervisors: upload, the dry-run report (with a
page that refreshes itself while a worker checks or imports), the import, the template.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import record

from . import importing, selectors, tasks
from .forms import ImportUploadForm
from .models import ImportBatch
from .views import audited_refusals

# Rows of the report shown on the page: the problems first, and not thousands of fine rows.
REPORT_ROWS_SHOWN = 500


def _supervised(request):
    teams = selectors.supervised_teams(request.user)
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
            batch = importing.import_upload(
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
        "columns": importing.COLUMNS,
    }
    return render(request, "intake/imports.html", context, status=400 if form.errors else 200)


def _batch(request, batch_ref) -> ImportBatch:
    return get_object_or_404(selectors.my_imports(request.user), reference=batch_ref)


@never_cache
@login_required
@audited_refusals
@require_GET
def import_detail(request, batch_ref):
    batch = _batch(request, batch_ref)
    record(request.user, "view", batch, request=request)
    rows = (batch.report or {}).get("rows", [])
    problems = [
        row
        for row in rows
        if row["errors"]
        or row.get("duplicates")
        or row.get("checked_elsewhere")
        or row.get("already")
    ]
    context = {
        "batch": batch,
        "problems": problems[:REPORT_ROWS_SHOWN],
        "more_problems": max(len(problems) - REPORT_ROWS_SHOWN, 0),
        "ignored_columns": (batch.report or {}).get("ignored_columns", []),
        "error_rows": sum(1 for row in rows if row["errors"]),
        "duplicate_rows": sum(
            1 for row in rows if row.get("duplicates") or row.get("checked_elsewhere")
        ),
        "already_rows": sum(1 for row in rows if row.get("already")),
    }
    return render(request, "intake/import_detail.html", context)


@login_required
@audited_refusals
@require_POST
def import_start(request, batch_ref):
    batch = _batch(request, batch_ref)
    if batch.status != ImportBatch.Status.CHECKED:
        messages.error(request, _("Only a checked file can be imported, once."))
    else:
        tasks.dispatch(tasks.import_run, str(batch.pk), request.user.pk)
    return redirect("intake:import_detail", batch_ref=batch.reference)


@login_required
@audited_refusals
@require_POST
def import_discard(request, batch_ref):
    batch = _batch(request, batch_ref)
    try:
        importing.import_discard(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("intake:import_detail", batch_ref=batch.reference)
    messages.success(request, _("The file was discarded."))
    return redirect("intake:imports")


@login_required
@audited_refusals
@require_GET
def import_template(request):
    response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shimteo-intake-template.csv"'
    return response
