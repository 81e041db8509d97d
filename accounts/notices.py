"""
Notices on a staff member's dashboard: what a service elsewhere must tell them (an advocacy
document they asked for or approved was revoked). The apps above write through `notify`, the
dashboard reads `open_notices`, and the user dismisses one with `notice_dismiss`. A notice holds
a reference and a link, never a person's name.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record

from .models import Notice

# The dashboard shows the newest ones; older ones stay until dismissed.
SHOWN = 20


def notify(*, users, kind: str, reference: str, url: str = "") -> list[Notice]:
    """One notice per distinct user of `users` (None ignored), in the caller's transaction."""
    notices = []
    for user in {u.pk: u for u in users if u is not None}.values():
        notice = Notice(user=user, kind=Notice.Kind(kind), reference=reference, url=url)
        notice.full_clean()
        notice.save()
        notices.append(notice)
    return notices


def open_notices(user):
    """The user's notices not yet dismissed, newest first."""
    return Notice.objects.filter(user=user, dismissed_at__isnull=True).order_by("-created_at")


def notice_dismiss(*, notice: Notice, actor) -> Notice:
    """The reader has seen it: it leaves their dashboard."""
    if notice.user_id != actor.pk:
        raise PermissionDenied(_("This notice is not yours."))
    with transaction.atomic():
        notice.dismissed_at = timezone.now()
        notice.save(update_fields=["dismissed_at"])
        record(actor, "update", notice, fields=["dismissed_at"])
    return notice
