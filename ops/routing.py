"""Celery routing: PDF rendering goes to its own queue (CELERY_TASK_ROUTES names this function)."""

from django.conf import settings

# Tasks that render PDFs: heavy in memory, served by the `pdf` workers only.
PDF_TASKS = frozenset({"legal_aid.render_document"})


def route_task(name, args, kwargs, options, task=None, **extra):
    # Read at each call, not once: the queue name can change at run time (tests give each worker
    # its own queue).
    if name in PDF_TASKS:
        return {"queue": settings.SHIMTEO_PDF_QUEUE}
    return None
