"""
Advocacy documents on the web: request one from a case page (or a caseload report), follow it
while a worker renders it, approve it, regenerate or retry it, download it. Every document is
looked up through `AdvocacyDocument.objects.visible_to(user)`, so another team's answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.form_pages import put_errors_on
from casework.models import Case
from casework.views.common import refusal

from . import permissions, services
from .downloads import file_response
from .forms import CaseDocumentForm, CaseloadReportForm
from .models import AdvocacyDocument

# How often the page of a document being rendered reloads itself (no script: a meta refresh).
REFRESH_SECONDS = 3


def _visible_document(request, document_id) -> AdvocacyDocument:
    documents = AdvocacyDocument.objects.visible_to(request.user).select_related(
        "case__team", "team", "requested_by", "approved_by", "subject"
    )
    return get_object_or_404(documents, pk=document_id)


@login_required
@require_GET
def document_list(request):
    """The newest version of every document the user may see, newest first."""
    documents = (
        AdvocacyDocument.objects.visible_to(request.user)
        .latest_versions()
        .select_related("case", "team", "requested_by")
        .order_by("-requested_at")
    )
    return render(request, "legal_aid/documents/list.html", {"documents": documents})


@login_required
@require_http_methods(["GET", "POST"])
def document_new_for_case(request, case_ref):
    case = get_object_or_404(Case.objects.visible_to(request.user), reference=case_ref)
    form = CaseDocumentForm(
        request.POST or None,
        case=case,
        user=request.user,
        offers=services.document_offers(case=case, actor=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_request(
                kind=form.cleaned_data["kind"],
                case=case,
                subject=form.cleaned_data["subject"],
                language=form.cleaned_data["language"],
                redaction=form.cleaned_data["redaction"],
                recipient_format=form.cleaned_data["recipient_format"],
                proceed_despite_unknown=form.cleaned_data["proceed_despite_unknown"],
                deadline=form.cleaned_data["deadline"],
                actor=request.user,
            )
        except ValidationError as error:
            put_errors_on(form, error)
        else:
            return redirect(document)
    return render(request, "legal_aid/documents/new.html", {"form": form, "case": case})


@login_required
@require_http_methods(["GET", "POST"])
def caseload_report_new(request):
    form = CaseloadReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_request(
                kind=AdvocacyDocument.Kind.CASELOAD_REPORT,
                team=form.cleaned_data["team"],
                language=form.cleaned_data["language"],
                redaction=AdvocacyDocument.Redaction.AGGREGATE_ONLY,
                actor=request.user,
            )
        except ValidationError as error:
            put_errors_on(form, error)
        else:
            return redirect(document)
    return render(request, "legal_aid/documents/new.html", {"form": form, "case": None})


@login_required
@never_cache
@require_GET
def document_detail(request, document_id):
    """The document's state; while it is queued or rendering the page reloads itself."""
    document = _visible_document(request, document_id)
    versions = AdvocacyDocument.objects.filter(series=document.series).order_by("-version")
    snapshot = document.snapshot or {}
    context = {
        "document": document,
        "versions": versions,
        # The rendered pages and who is named in them, for whoever may see them (the approver
        # sees them here, above the button: the approval needs them opened).
        "preview_pages": range(1, (document.page_count or 0) + 1)
        if permissions.can_preview_document(request.user, document)
        else None,
        "disclosures": snapshot.get("disclosures", []),
        "shows_case_reference": bool(snapshot.get("case_reference")),
        "pseudonymised": snapshot.get("pseudonymised"),
        "refresh_seconds": REFRESH_SECONDS if document.in_progress else None,
        "may_approve": document.needs_approval
        and permissions.can_approve_document(request.user, document),
        "is_latest": not versions.filter(version__gt=document.version).exists(),
    }
    return render(request, "legal_aid/documents/detail.html", context)


def _act(request, document_id, action, done: str):
    document = _visible_document(request, document_id)
    try:
        result = action(document=document, actor=request.user)
    except PermissionDenied:
        # Not theirs to do (an approval by its requester, or by someone who supervises no team
        # of the case): the 403 page and its "denied" event, as every page refuses, not a
        # redirect that left no trace of the attempt.
        return refusal(request, document, action.__name__, case=document.case)
    except ValidationError as error:
        # Theirs, but not now (not waiting for approval, its pages not opened, not failed).
        messages.error(request, " ".join(error.messages))
        return redirect(document)
    messages.success(request, done)
    return redirect(result)


@login_required
@require_POST
def document_approve(request, document_id):
    return _act(request, document_id, services.document_approve, _("Approved for download."))


@login_required
@require_POST
def document_regenerate(request, document_id):
    return _act(
        request, document_id, services.document_regenerate, _("A new version is being prepared.")
    )


@login_required
@require_POST
def document_retry(request, document_id):
    return _act(request, document_id, services.document_retry, _("Queued again."))


@login_required
@never_cache
@require_GET
def document_preview_page(request, document_id, page):
    """One rendered page as a PNG, shown on the document's page; audited, no cache keeps it."""
    document = _visible_document(request, document_id)
    try:
        png = services.document_preview_page(
            document=document, actor=request.user, page=page, request=request
        )
    except services.DocumentWithdrawn as error:
        return HttpResponse(str(error), status=410, content_type="text/plain; charset=utf-8")
    except services.PreviewNotAllowed as error:
        return HttpResponse(str(error), status=403, content_type="text/plain; charset=utf-8")
    except ValidationError as error:
        # No such page: 404; not rendered yet (or its file does not match): 409, as a download.
        status = 404 if error.code == "no_page" else 409
        return HttpResponse(
            " ".join(error.messages), status=status, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def document_download(request, document_id, file_format="pdf"):
    """The PDF (or its Word version), as an attachment that no cache keeps; audited, refusals
    too."""
    document = _visible_document(request, document_id)
    try:
        content = services.document_download(
            document=document, actor=request.user, request=request, file_format=file_format
        )
    except services.DocumentNotApproved as error:
        # Answered, not raised: the refusal's audit event must be committed with the request.
        return HttpResponse(str(error), status=403, content_type="text/plain; charset=utf-8")
    except services.DocumentWithdrawn as error:
        # Gone for good, and why: someone it named was erased.
        return HttpResponse(str(error), status=410, content_type="text/plain; charset=utf-8")
    except ValidationError as error:
        return HttpResponse(
            " ".join(error.messages), status=409, content_type="text/plain; charset=utf-8"
        )
    return file_response(document, content, file_format)
