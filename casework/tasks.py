"""Celery tasks of casework: run by beat (CELERY_BEAT_SCHEDULE), thin wrappers of services."""

import dataclasses

from celery import shared_task

from .services.checkins import check_ins_escalate
from .services.follow_ups import follow_ups_remind


@shared_task(name="casework.escalate_check_ins")
def escalate_check_ins() -> dict:
    return dataclasses.asdict(check_ins_escalate())


@shared_task(name="casework.remind_follow_ups")
def remind_follow_ups() -> dict:
    return dataclasses.asdict(follow_ups_remind())
