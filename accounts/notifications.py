"""
Notifications: what a service of an app above must tell a staff member (a case handed to them, a
decision on their intake, a document to approve, a missed check-in). Services write through
`notify`; the notifications page reads `notifications_for` and `described`; the header shows
`unread_count`. A notification stores a kind and a target named by content type and key, never a
sentence: what it says of the target is asked of the target's app when it is read, through
`SHIMTEO_NOTIFICATION_TARGETS` (a model label → a function `(user, keys) → {key: Target}` that
answers only for the targets the user sees at that moment). A notification about a case the
reader no longer sees shows its kind and nothing of the case.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, ngettext

from .models import Notification, User


@dataclass(frozen=True)
class Target:
    """What a notification shows of its target: a label (a reference, never a name) and a link."""

    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Shown:
    notification: Notification
    target: Target | None

    @property
    def had_target(self) -> bool:
        return bool(self.notification.target_type_id)


def notify(*, recipients, kind: str, target=None) -> list[Notification]:
    """
    One unread notification per distinct active recipient (None ignored) about `target` (a model
    instance, or None), in the caller's transaction. Not audited on its own: the event that
    causes it is.
    """
    return notify_many([(recipients, kind, target)])


def notify_many(items) -> list[Notification]:
    """
    `notify` for many events at once, in one insert: `items` are (recipients, kind, target), as
    `notify` takes them (a beat task's sweep alerting about many cases).
    """
    rows = []
    for recipients, kind, target in items:
        kind = Notification.Kind(kind)
        target_type = ContentType.objects.get_for_model(target) if target is not None else None
        target_id = str(target.pk) if target is not None else ""
        unique = {u.pk: u for u in recipients if u is not None and u.is_active}
        rows.extend(
            Notification(recipient=user, kind=kind, target_type=target_type, target_id=target_id)
            for user in unique.values()
        )
    return Notification.objects.bulk_create(rows, batch_size=2000)


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at")


def described(user, notifications) -> list[Shown]:
    """
    The notifications with what each may show of its target to `user` now: one question per
    kind of target, answered by the target's app under its visibility rule.
    """
    notifications = list(notifications)
    keys = defaultdict(set)
    for n in notifications:
        if n.target_type_id:
            keys[n.target_type_id].add(n.target_id)
    found: dict[tuple[int, str], Target] = {}
    describers = settings.SHIMTEO_NOTIFICATION_TARGETS
    for type_id, ids in keys.items():
        content_type = ContentType.objects.get_for_id(type_id)
        path = describers.get(f"{content_type.app_label}.{content_type.model}")
        if path is None:
            continue
        for key, target in import_string(path)(user, sorted(ids)).items():
            found[(type_id, str(key))] = target
    return [Shown(n, found.get((n.target_type_id, n.target_id))) for n in notifications]


def unread_count(user) -> int:
    """One query on the partial index of unread rows."""
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, user, ids=None) -> int:
    """
    Mark `user`'s own notifications read (all, or those of `ids`). Not audited: it changes
    nothing about a case, and a user may only mark their own.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notifications_settle(*, target, kinds) -> int:
    """
    Mark read, for every recipient, the unread notifications of `kinds` about `target` once what
    they asked of their readers is done by anyone (a document approved or revoked, a follow-up
    completed, a person heard from again): a supervisor should not find "waiting for your
    approval" new on a document a colleague approved. Called by the service of that event, in
    its transaction; not audited on its own, as `notify` is not: that event is.
    """
    return Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        kind__in=[Notification.Kind(kind) for kind in kinds],
        read_at__isnull=True,
    ).update(read_at=timezone.now())


# The e-mail: how many, and a link. Never a name, a reference, a place or a kind of event.


def notification_emails_send(*, now=None) -> int:
    """
    To every active user who asked for it: "You have N new items in Shimteo" and a link, when
    notifications arrived since their last e-mail and their quiet period has passed. The send is
    taken by a conditional update first, so two workers send once. Returns how many were sent.
    """
    now = now or timezone.now()
    newer = Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True).filter(
        Q(created_at__gt=OuterRef("email_sent_at")) | Q(recipient__email_sent_at__isnull=True)
    )
    candidates = (
        User.objects.filter(is_active=True, email_notifications=True)
        .exclude(email="")
        .filter(Exists(newer))
    )
    link = settings.SHIMTEO_SITE_URL.rstrip("/") + reverse("accounts:notification_list")
    sent = 0
    for user in candidates.iterator():
        quiet = datetime.timedelta(hours=user.email_quiet_hours)
        if user.email_sent_at and now - user.email_sent_at < quiet:
            continue
        taken = User.objects.filter(pk=user.pk, email_sent_at=user.email_sent_at).update(
            email_sent_at=now
        )
        if not taken:
            continue
        count = unread_count(user)
        with translation.override(user.preferred_language):
            body = ngettext(
                "You have %(count)d new item in Shimteo.",
                "You have %(count)d new items in Shimteo.",
                count,
            ) % {"count": count}
            send_mail(
                subject=gettext("Shimteo"),
                message=f"{body}\n\n{link}\n",
                from_email=None,
                recipient_list=[user.email],
            )
        sent += 1
    return sent
