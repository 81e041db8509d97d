"""
Advocacy PDFs: the time to build each kind in-process (facts gathered at 100,000 people, then
WeasyPrint), and the throughput of 50 documents through 2 Celery workers on Redis.

Documents made here are deleted at the end (their encrypted files too); their audit events stay,
as every audit event does.
"""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from .common import ROOT, SUPERVISOR, heading, line, user

REDIS_URL = "redis://127.0.0.1:6379/13"
RENDERS_PER_KIND = 3
THROUGHPUT_DOCUMENTS = 50
WORKERS = 2


def _subjects(supervisor):
    """A (case, subject) for each case-bound kind, among the supervisor's cases."""
    from casework.choices import EntitlementKind, EntitlementStatus, LegalStatus, MemberRole
    from casework.models import Case, CaseMember
    from casework.selectors.case_list import cases_with_entitlement_denied, cases_with_member_status
    from consent.checks import allows

    visible = Case.objects.visible_to(supervisor)
    child_cases = visible.filter(
        pk__in=cases_with_entitlement_denied(
            EntitlementKind.HOUSEHOLD_REGISTRATION, member_role=MemberRole.CHILD
        ).values("pk")
    ).order_by("reference")
    detained_cases = visible.filter(
        pk__in=cases_with_member_status(LegalStatus.DETAINED_CN).values("pk")
    ).order_by("reference")
    picks = {}
    for case in child_cases[:200]:
        member = (
            CaseMember.objects.filter(case=case, role=MemberRole.CHILD)
            .select_related("person")
            .first()
        )
        if member and allows(member.person, "named_in_documents"):
            picks["child_access_brief"] = (case, member.person)
            break
    for case in detained_cases[:200]:
        member = (
            CaseMember.objects.filter(
                case=case,
                person__status_records__status=LegalStatus.DETAINED_CN,
                person__status_records__effective_to__isnull=True,
            )
            .select_related("person")
            .first()
        )
        if member:
            picks["deportation_appeal"] = (case, member.person)
            break
    del EntitlementStatus
    return picks


def _request(kind, supervisor, case=None, subject=None, team=None):
    from legal_aid.models import AdvocacyDocument
    from legal_aid.services import document_request

    Redaction = AdvocacyDocument.Redaction
    redaction = (
        Redaction.AGGREGATE_ONLY if kind == "caseload_report" else Redaction.NAMED_WITH_CONSENT
    )
    return document_request(
        kind=kind,
        language="en",
        redaction=redaction,
        actor=supervisor,
        case=case,
        subject=subject,
        team=team,
    )


def _cleanup(ids) -> None:
    from legal_aid.models import AdvocacyDocument

    for document in AdvocacyDocument.objects.filter(pk__in=ids):
        if document.file:
            document.file.delete(save=False)
        document.delete()


def render_times() -> dict:
    """In-process (eager Celery): request → facts → PDF → encrypted file, per kind."""
    from celery import current_app

    from legal_aid.models import AdvocacyDocument

    heading(
        "PDF: render time of each advocacy kind (in-process: facts + WeasyPrint + signing + "
        "the Word version's leak check by pandoc + storage), and each step alone"
    )
    supervisor = user(SUPERVISOR)
    team = supervisor.team_memberships.get(role="supervisor").team
    current_app.conf.task_always_eager = True
    targets = {
        kind: {"case": case, "subject": subject}
        for kind, (case, subject) in _subjects(supervisor).items()
    }
    targets["caseload_report"] = {"team": team}
    made, results = [], {}
    try:
        for kind, scope in targets.items():
            times = []
            for i in range(RENDERS_PER_KIND + 1):
                started = time.perf_counter()
                document = _request(kind, supervisor, **scope)
                elapsed = time.perf_counter() - started
                made.append(document.pk)
                document.refresh_from_db()
                if document.status != AdvocacyDocument.Status.READY:
                    raise RuntimeError(f"{kind}: {document.status} {document.failure_reason}")
                if i:  # the first render imports WeasyPrint and loads fonts
                    times.append(elapsed)
            results[kind] = statistics.median(times)
            line(
                f"{kind:<20} median {results[kind] * 1000:7.0f} ms  ({RENDERS_PER_KIND} renders, "
                f"{document.page_count} pages)"
            )
            _step_times(kind, document)
    finally:
        _cleanup(made)
    return results


def _step_times(kind: str, document) -> None:
    """The steps of one render, each timed alone (median of RENDERS_PER_KIND): facts and
    snapshot, WeasyPrint, signing (pyHanko), the Word version (pandoc and its fonts)."""
    from legal_aid.documents import facts, rendering, signing, word

    steps = {"facts": [], "weasyprint": [], "signing": [], "docx": []}
    for _ in range(RENDERS_PER_KIND):
        started = time.perf_counter()
        snapshot = facts.gather(document)
        steps["facts"].append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf = rendering.render_pdf(snapshot, identifier=document.series.hex.encode())
        steps["weasyprint"].append(time.perf_counter() - started)
        started = time.perf_counter()
        signing.sign_pdf(pdf)
        steps["signing"].append(time.perf_counter() - started)
        started = time.perf_counter()
        word.render_docx(snapshot)
        steps["docx"].append(time.perf_counter() - started)
    line(
        f"{'':<20} steps: "
        + ", ".join(f"{step} {statistics.median(t) * 1000:.0f} ms" for step, t in steps.items())
    )


def _start_workers(queue: str, media_root: str):
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "SHIMTEO_PDF_QUEUE": queue,
        "SHIMTEO_MEDIA_ROOT": media_root,
    }
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the workers write to it after we return
        prefix="bench-celery-", suffix=".log", delete=False
    )
    workers = []
    for n in range(WORKERS):
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own fixed command line
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "-n",
                    f"bench{n}-{queue}@%h",
                    "-Q",
                    queue,
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return workers, log.name


def _stop(workers) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _fresh_broker_connections(app) -> None:
    # As tests/integration/conftest.py does: drop cached pools and "no result backend".
    import kombu.pools

    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def throughput() -> dict:
    """50 caseload-report and brief requests queued at once, drained by 2 solo workers."""
    from celery import current_app
    from django.conf import settings
    from django.test.utils import override_settings

    from legal_aid.models import AdvocacyDocument

    heading(f"PDF: {THROUGHPUT_DOCUMENTS} documents through {WORKERS} Celery workers (Redis db 13)")
    supervisor = user(SUPERVISOR)
    picks = _subjects(supervisor)
    kinds = list(picks.items())
    queue = f"bench-pdf-{uuid.uuid4().hex[:8]}"
    workers, log = _start_workers(queue, str(settings.MEDIA_ROOT))
    previous = {
        k: current_app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")
    }
    current_app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    _fresh_broker_connections(current_app)
    made = []
    try:
        current_app.signature("shimteo.ping", queue=queue).delay().get(timeout=60)
        for _worker in range(WORKERS - 1):
            current_app.signature("shimteo.ping", queue=queue).delay().get(timeout=60)
        with override_settings(SHIMTEO_PDF_QUEUE=queue):
            started = time.perf_counter()
            for i in range(THROUGHPUT_DOCUMENTS):
                kind, (case, subject) = kinds[i % len(kinds)]
                made.append(_request(kind, supervisor, case=case, subject=subject).pk)
            pending = AdvocacyDocument.objects.filter(pk__in=made).exclude(
                status__in=[AdvocacyDocument.Status.READY, AdvocacyDocument.Status.FAILED]
            )
            deadline = time.monotonic() + 600
            while pending.exists():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"documents still pending after 10 minutes: see {log}")
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
        failed = AdvocacyDocument.objects.filter(
            pk__in=made, status=AdvocacyDocument.Status.FAILED
        ).count()
    finally:
        _stop(workers)
        current_app.conf.update(previous)
        _fresh_broker_connections(current_app)
        _cleanup(made)
    rate = THROUGHPUT_DOCUMENTS / elapsed
    line(
        f"{THROUGHPUT_DOCUMENTS} documents ({', '.join(k for k, _ in kinds)}) in {elapsed:5.1f} s: "
        f"{rate * 60:5.1f} documents/minute, {failed} failed"
    )
    return {"seconds": elapsed, "per_minute": rate * 60, "failed": failed}
