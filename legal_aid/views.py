"""
The legal library: the papers, their provisions, the authorities that answer them and the
restriction catalogue. Reading the library is not a view of a person, so it writes no audit event;
the counts of affected people are aggregates over the viewer's own cases.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Authority, Provision, SourceDocument


@login_required
def library(request):
    """The documents, and provisions matching the search box when it is filled in."""
    query = request.GET.get("q", "").strip()
    context = {
        "documents": selectors.documents(),
        "query": query,
        "results": selectors.search_provisions(query) if query else None,
    }
    return render(request, "legal_aid/library.html", context)


@login_required
def document(request, code):
    try:
        source = selectors.document_by_code(code)
    except SourceDocument.DoesNotExist:
        raise Http404 from None
    context = {"document": source, "provisions": selectors.document_provisions(source)}
    return render(request, "legal_aid/document.html", context)


@login_required
def provision(request, label):
    """One provision: its text, figures, what it imposes and how many of the viewer's people it hits."""
    try:
        item = selectors.provision_by_label(label)
    except Provision.DoesNotExist:
        raise Http404 from None
    restrictions = list(selectors.restrictions_imposed_by(item))
    rows = [
        {
            "restriction": restriction,
            "affected": selectors.affected_count([restriction], user=request.user),
        }
        for restriction in restrictions
    ]
    context = {
        "provision": item,
        "document": item.document,
        "rows": rows,
        "affected_total": selectors.affected_count(restrictions, user=request.user),
    }
    return render(request, "legal_aid/provision.html", context)


@login_required
def authorities(request):
    context = {"instruments": selectors.instruments_with_authorities()}
    return render(request, "legal_aid/authorities.html", context)


@login_required
def authority(request, label):
    try:
        item = selectors.authority_by_label(label)
    except Authority.DoesNotExist:
        raise Http404 from None
    context = {"authority": item, "restrictions": item.restrictions.all()}
    return render(request, "legal_aid/authority.html", context)


@login_required
def restrictions(request):
    """The catalogue, each restriction with the number of the viewer's people it affects."""
    rows = [
        {
            "restriction": restriction,
            "affected": selectors.affected_count([restriction], user=request.user),
        }
        for restriction in selectors.restriction_catalogue()
    ]
    return render(request, "legal_aid/restrictions.html", {"rows": rows})
