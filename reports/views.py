"""The reports page and its exports: thin, the counting is in selectors and tables."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.services import record
from casework.models import Case, Incident, Person

from . import exports, services, tables
from .forms import ReportFilterForm
from .suppression import small_count_threshold

# What each exported table counts, for the audit trail.
COUNTED_MODEL = {
    "legal-status": Person,
    "refusals": Person,
    "incidents": Incident,
    "children": Person,
    "detentions": Person,
    "follow-up": Case,
}


def _filters(request):
    form = ReportFilterForm(request.GET or None, user=request.user)
    if not form.is_bound:
        form = ReportFilterForm({}, user=request.user)
    return form, form.filters() if form.is_valid() else None


# While a worker counts, the page asks again this often (as a queued document's page does).
REFRESH_SECONDS = 3


@never_cache
@login_required
@require_GET
def index(request):
    """Figures on the cases the user can see: a chart and a table for each."""
    form, filters = _filters(request)
    report = None
    if filters is not None:
        # The fields show the period counted, the default one too: left empty, they said nothing
        # of the twelve months the tables below count.
        form = _form_showing(filters, request.user)
        report = services.report_for(actor=request.user, filters=filters, language=get_language())
    run = report.run if report else None
    context = {
        "form": form,
        "filters": filters,
        "tables": report.tables if report else [],
        "run": run,
        "refresh_seconds": REFRESH_SECONDS if run and run.is_waiting else 0,
        "threshold": small_count_threshold(),
        "query": _query(filters),
    }
    return render(request, "reports/index.html", context)


@never_cache
@login_required
@require_POST
def recount(request):
    """Count the page's figures again now, on a worker: "Count again" beside a count shown."""
    form = ReportFilterForm(request.POST, user=request.user)
    if form.is_valid():
        filters = form.filters()
        services.report_run_for(
            actor=request.user, filters=filters, language=get_language(), again=True
        )
        return redirect(f"{reverse('reports:index')}?{_query(filters)}")
    return redirect("reports:index")


def _form_showing(filters, user) -> ReportFilterForm:
    return ReportFilterForm(
        initial={"team": filters.team, "date_from": filters.date_from, "date_to": filters.date_to},
        user=user,
    )


def _back_to_the_page(request):
    """A link with a wrong table or filters leads to the page, which says what is wrong."""
    query = request.GET.copy()
    query.pop("table", None)
    url = reverse("reports:index")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _query(filters) -> str:
    """The filters as a query string, so the export links count what the page shows."""
    if filters is None:
        return ""
    params = {"date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat()}
    if filters.team is not None:
        params["team"] = filters.team.pk
    return urlencode(params)


def _published(request, filters, *, only: str | None = None) -> list | None:
    """
    The tables the page shows with these filters (or only the one named), for a file: the same
    figures (a worker's count for a reader of many cases), or None while they are counted.
    """
    report = services.report_for(
        actor=request.user, filters=filters, language=get_language(), only=only
    )
    if report.run is not None and not report.run.is_done:
        return None
    return report.tables


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filename(name: str, filters, extension: str) -> str:
    return (
        f"shimteo-{name}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.{extension}"
    )


def _audit(request, model, *, table: str, rows: int, file_format: str, filters) -> None:
    # `table`, not `report`: the audit refuses detail keys named like an encrypted field, and
    # intake's import report is one.
    record(
        request.user,
        "export",
        model,
        request=request,
        table=table,
        rows=rows,
        format=file_format,
        team=filters.team.pk if filters.team else None,
        period=[filters.date_from.isoformat(), filters.date_to.isoformat()],
    )


@never_cache
@login_required
@require_GET
def export_csv(request):
    """One table as CSV (?table=<name>), with the page's filters."""
    name = request.GET.get("table", "")
    _form, filters = _filters(request)
    if name not in tables.NAMES or filters is None:
        return _back_to_the_page(request)
    published = _published(request, filters, only=name)
    if published is None:
        return _back_to_the_page(request)
    (table,) = published
    content = exports.to_csv(table, filters)
    _audit(
        request,
        COUNTED_MODEL[name],
        table=name,
        rows=len(table.rows),
        file_format="csv",
        filters=filters,
    )
    return _download(
        content, content_type=exports.CSV_TYPE, filename=_filename(name, filters, "csv")
    )


@never_cache
@login_required
@require_GET
def export_xlsx(request):
    """Every table as one workbook, a sheet each, with the page's filters."""
    _form, filters = _filters(request)
    built = _published(request, filters) if filters is not None else None
    if built is None:
        return _back_to_the_page(request)
    content = exports.to_xlsx(built, filters)
    _audit(
        request,
        None,
        table="all",
        rows=sum(len(t.rows) for t in built),
        file_format="xlsx",
        filters=filters,
    )
    return _download(
        content, content_type=exports.XLSX_TYPE, filename=_filename("reports", filters, "xlsx")
    )
