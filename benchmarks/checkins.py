"""
The safety check-in sweep (issue 20 point 8): the beat task that escalates every missed check-in,
over the seeded 100,000 people with 20,000 check-in schedules. The goal is under 5 seconds.

The schedules and their last check-ins are built in a transaction that is rolled back at the end,
so nothing lasting is written. Of the schedules, one in twenty was missed yesterday (its
caseworkers are alerted and the case flagged) and one in twenty is past its grace period too (its
supervisors are alerted as well); the rest were heard from in time. Three sweeps are timed at the
same moment: the first escalates them all, the second and third find nothing new (what beat
does every few minutes all day).

    python -m benchmarks --only checkins
    python -m benchmarks.checkins --schedules 20000
"""

import argparse
import datetime
import random
import time

from .common import heading, line

SEED = 2020


def _schedules(count: int, today: datetime.date):
    """`count` schedules, one per person of an open case, with the last check-in of each."""
    from casework.choices import CaseStatus
    from casework.models import CaseMember, CheckIn, CheckInSchedule

    members = (
        CaseMember.objects.exclude(case__status=CaseStatus.CLOSED)
        .order_by("person_id")
        .distinct("person_id")
        .values_list("person_id", "case_id")[:count]
    )
    rng = random.Random(SEED)  # noqa: S311 - reproducible figures, not secrets
    schedules, check_ins = [], []
    for position, (person_id, case_id) in enumerate(members):
        every = rng.choice((2, 3, 7, 14))
        schedule = CheckInSchedule(
            person_id=person_id,
            case_id=case_id,
            every_days=every,
            starts_on=today - datetime.timedelta(days=60),
            channel=CheckInSchedule.Channel.CALL,
            grace_days=1,
        )
        if position % 20 == 0:
            due = today - datetime.timedelta(days=1)  # missed yesterday
        elif position % 20 == 1:
            due = today - datetime.timedelta(days=3)  # and past the grace day
        else:
            due = today + datetime.timedelta(days=rng.randrange(every))  # heard from in time
        schedules.append(schedule)
        check_ins.append(
            CheckIn(
                schedule=schedule,
                case_id=case_id,
                outcome=CheckIn.Outcome.SAFE,
                day=due - datetime.timedelta(days=every),
            )
        )
    CheckInSchedule.objects.bulk_create(schedules, batch_size=2000)
    CheckIn.objects.bulk_create(check_ins, batch_size=2000)
    return len(schedules)


def _slowest(queries, count: int = 6) -> None:
    """Where the first sweep's time went: its statements in all, and the slowest by their start."""
    line(f"    {sum(float(q['time']) for q in queries):6.2f} s in its {len(queries)} statements")
    for query in sorted(queries, key=lambda q: -float(q["time"]))[:count]:
        line(f"    {float(query['time']):6.2f} s  {' '.join(query['sql'].split())[:90]}")


def _written() -> tuple[int, int, int]:
    """How many escalations, notifications and audit events there are."""
    from accounts.models import Notification
    from audit.models import AuditEvent
    from casework.models import Escalation

    return (
        Escalation.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


class _Rollback(Exception):
    pass


def run(schedules: int = 20_000) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from casework.models import Person
    from casework.services.checkins import check_ins_escalate

    heading(f"The check-in sweep: {schedules:,} schedules over {Person.objects.count():,} people")
    # Noon UTC: the same day in every team's zone (Shanghai, Seoul, London).
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    today = now.date()
    results = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            built = _schedules(schedules, today)
            line(
                f"built {built:,} schedules and their last check-ins in "
                f"{time.perf_counter() - started:.1f} s (rolled back at the end)"
            )
            before = _written()
            for run_number in (1, 2, 3):
                with CaptureQueriesContext(connection) as queries:
                    started, cpu = time.perf_counter(), time.process_time()
                    report = check_ins_escalate(now=now)
                    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                results[run_number] = {
                    "seconds": elapsed,
                    "cpu_seconds": cpu,
                    "queries": len(queries),
                    **vars(report),
                }
                line(
                    f"sweep {run_number}: {elapsed:6.2f} s ({cpu:5.2f} s CPU here)  "
                    f"{len(queries):>6,} queries  "
                    f"{report.schedules:,} schedules read, {report.missed:,} missed, "
                    f"{report.overdue:,} past the grace period"
                )
                if run_number == 1:
                    _slowest(queries)
            after = _written()
            line(
                "written: {:,} escalations, {:,} notifications, {:,} audit events".format(
                    *(a - b for a, b in zip(after, before, strict=True))
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return results


def main() -> None:
    from .common import setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--schedules", type=int, default=20_000)
    options = parser.parse_args()
    setup_django()
    run(options.schedules)


if __name__ == "__main__":
    main()
