"""
Who may do what with advocacy documents: every "may this user do X to this object" of legal aid is
a named function here, as casework's are in `casework.permissions`. Visibility stays with
`AdvocacyDocument.objects.visible_to` and `Case.objects.visible_to`. The services
(legal_aid.services) call these and raise PermissionDenied; pages and the API ask them only what to
offer.
"""

from accounts.models import TeamMembership
from casework.models import Case
from casework.permissions import can_supervise

from .models import AdvocacyDocument


def can_request_document_on(user, case: Case | None) -> bool:
    """A document about a case (or someone in it) is asked for by whoever sees the case."""
    return case is not None and Case.objects.visible_to(user).filter(pk=case.pk).exists()


def can_retry_document(user, document: AdvocacyDocument) -> bool:
    """
    A failed document is queued again, as it was asked for, by whoever sees it: retrying asks
    less than a new request (the document stays as it was), not less than seeing it.
    """
    return AdvocacyDocument.objects.visible_to(user).filter(pk=document.pk).exists()


def is_requester(user, document: AdvocacyDocument) -> bool:
    return user is not None and user.pk is not None and document.requested_by_id == user.pk


def can_approve_document(user, document: AdvocacyDocument) -> bool:
    """
    A document naming people is let out by a supervisor of its case's team who did not ask for
    it: four eyes, so one person alone never sends a hunted person's name to an authority.
    """
    return (
        not is_requester(user, document)
        and document.case is not None
        and can_supervise(user, document.case.team)
    )


def can_preview_document(user, document: AdvocacyDocument) -> bool:
    """
    Who sees the rendered pages on screen: whoever may download the document; before approval,
    its requester and the supervisors who may approve it.
    """
    if not document.is_ready or not document.sha256:
        return False
    if document.downloadable or is_requester(user, document):
        return True
    return document.case is not None and can_supervise(user, document.case.team)


def can_report_on_team(user, team) -> bool:
    """A caseload report is scoped to a team only by one of its members (any role)."""
    return TeamMembership.objects.filter(user=user, team=team).exists()
