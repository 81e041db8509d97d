"""Recording what a person agrees to. Withdrawing it, with the erasure a withdrawal of "store
data" means, is casework's (casework.erasure): it changes the person's records."""

from django.db import transaction

from audit.services import record

from .models import Consent, Scope


def consent_record(*, person, actor, method: str, given_on=None, witnessed_by: str = "", scopes):
    """Record what the person agrees to now; it replaces what they agreed to before."""
    scopes = {Scope(scope).value for scope in scopes}
    consent = Consent(
        person=person,
        method=method,
        witnessed_by=witnessed_by,
        recorded_by=actor,
        **{scope.value: scope.value in scopes for scope in Scope},
    )
    if given_on is not None:
        consent.given_on = given_on
    with transaction.atomic():
        consent.full_clean()
        consent.save()
        record(actor, "create", consent, scopes=sorted(scopes))
    return consent
