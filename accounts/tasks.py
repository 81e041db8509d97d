"""Celery tasks of accounts: run by beat (CELERY_BEAT_SCHEDULE), thin wrappers of services."""

from celery import shared_task

from .notifications import notification_emails_send


@shared_task(name="accounts.send_notification_emails")
def send_notification_emails() -> int:
    return notification_emails_send()
