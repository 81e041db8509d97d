"""A case's audit trail, for the supervisors of its team."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from audit.models import AuditEvent
from audit.services import record

from ..models import Case
from ..permissions import can_supervise
from .common import refusal

EVENTS_PER_PAGE = 50


@never_cache
@login_required
def case_audit(request, case_ref):
    """Everything done to and seen of one case, newest first: supervisors check their team here."""
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("team"), reference=case_ref
    )
    if not can_supervise(request.user, case.team):
        return refusal(request, case, "case_audit", case=case)
    # Recorded first: the page counts its events, and this view is one of them.
    record(request.user, "view", case, request=request, page="audit_trail")
    events = AuditEvent.objects.visible_to(request.user).filter(case_id=case.pk)
    page = Paginator(events.order_by("-sequence"), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "casework/case_audit.html", {"case": case, "page": page})
