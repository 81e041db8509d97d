"""Break-glass: the one way an administrator reaches case content."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Notification
from accounts.notifications import notify
from audit.services import record

from .. import permissions
from ..models import (
    BreakGlassAccess,
    Case,
)
from ._common import (
    _require,
    _save,
)

# Break-glass: the one way an administrator reaches case content.

BREAK_GLASS_MIN_REASON = 20


def case_break_glass(*, case: Case, actor, reason: str, request=None) -> BreakGlassAccess:
    """
    Let an administrator see one case for SHIMTEO_BREAK_GLASS_MINUTES, on a written reason. The
    grant is in the audit trail (the reason stays in the grant, encrypted), where the case's
    supervisors see it.
    """
    _require(permissions.can_break_glass(actor), _("Only administrators can break the glass."))
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {
                "reason": _(
                    "Say why you need to see this case, in at least %(count)d characters: "
                    "the case's supervisors will read it."
                )
                % {"count": BREAK_GLASS_MIN_REASON}
            }
        )
    minutes = settings.SHIMTEO_BREAK_GLASS_MINUTES
    now = timezone.now()
    with transaction.atomic():
        access = _save(
            BreakGlassAccess(
                case=case,
                user=actor,
                reason=reason,
                granted_at=now,
                expires_at=now + datetime.timedelta(minutes=minutes),
            )
        )
        record(actor, "break_glass", case, request=request, minutes=minutes)
        # The case's supervisors are told at once, with the reason (read when they open it).
        notify(
            recipients=roles.supervisors_of(case.team).filter(is_active=True),
            kind=Notification.Kind.BREAK_GLASS,
            target=access,
        )
    return access
