from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import run_checks


# Outside ATOMIC_REQUESTS: a transaction would need the database before the check could report it.
@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for load balancers and compose: 200 when all checks pass, else 503."""
    healthy, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
