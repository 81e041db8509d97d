"""The printable case summary: one page a caseworker may print, its names at a chosen level."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.services import record

from ..models import Case
from ..redaction import INDIVIDUAL_LEVELS
from ..summary import DEFAULT_LEVEL, case_summary


class SummaryOptions(forms.Form):
    """The one choice of a summary: how its people are named. A level, never a name, in the URL."""

    names = forms.ChoiceField(
        label=_("Names"),
        choices=INDIVIDUAL_LEVELS,
        initial=DEFAULT_LEVEL,
        help_text=_(
            "A person is named only if their consent allows it. A summary with pseudonyms leaves "
            "out notes, descriptions and other typed text, which may name someone."
        ),
    )


@never_cache
@login_required
@require_GET
def case_summary_page(request, case_ref):
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("team", "owner"), reference=case_ref
    )
    options = SummaryOptions(request.GET or None)
    if options.is_bound and not options.is_valid():
        # Only a hand-made address gets here: the page offers the valid levels only.
        raise BadRequest("Unknown summary option.")
    level = options.cleaned_data["names"] if options.is_bound else DEFAULT_LEVEL
    # Printed in the reader's zone (accounts.middleware.LocalTimeMiddleware), named on the page.
    zone = timezone.get_current_timezone()
    context = {
        "options": options if options.is_bound else SummaryOptions(initial={"names": level}),
        "summary": case_summary(case, level=level),
        "printed_at": timezone.localtime(timezone.now(), zone),
        "time_zone": timezone.get_current_timezone_name(),
    }
    response = render(request, "casework/case_summary.html", context)
    # Recorded last, as the case and person pages do: a view of the case, with the level it was
    # shown at and which people it named (ids only), so the trail says who could print what.
    summary = context["summary"]
    record(
        request.user,
        "view",
        case,
        request=request,
        page="summary",
        redaction=level,
        named=summary.named,
    )
    return response
