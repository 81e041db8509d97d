"""Celery tasks of the legal aid app: thin wrappers around services."""

from celery import shared_task
from django.utils.translation import gettext as _

from . import services


@shared_task(
    bind=True,
    name="legal_aid.render_document",
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
)
def render_document(self, document_id: str) -> str:
    """Render one advocacy document; a transient error is retried with exponential backoff."""
    try:
        services.document_render(document_id=document_id)
    except services.TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            services.document_fail(
                document_id=document_id,
                reason=_("Rendering failed %(n)s times (%(error)s). Retry it later.")
                % {"n": self.request.retries + 1, "error": type(error).__name__},
            )
        raise
    return document_id
