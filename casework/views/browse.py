"""The caseworker's read pages: dashboard, case list, case and person pages, downloads."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ..models import Case


@never_cache
@login_required
def dashboard(request):
    """The caseworker's start page: their open cases, most at risk first."""
    cases = (
        Case.objects.visible_to(request.user)
        .open()
        .select_related("team")
        .annotate(member_count=Count("members"))
        .most_at_risk_first()
    )
    return render(request, "casework/home.html", {"cases": cases})
