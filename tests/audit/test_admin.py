"""The audit trail in Django admin is read-only, and scoped like everything else."""

import pytest
from django.urls import reverse

from audit import record
from audit.models import AuditEvent


@pytest.fixture
def event(alice, north_case):
    return record(alice, "view", north_case)


def test_admins_can_read_the_trail(admin_client, event):
    """The list and an event's page open; the list is filterable by action."""
    changelist = admin_client.get(reverse("admin:audit_auditevent_changelist"), {"action": "view"})
    page = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert changelist.status_code == 200
    assert event.target_reference in changelist.content.decode()
    assert page.status_code == 200


def test_nobody_adds_changes_or_deletes_events_in_admin(admin_client, event):
    """Adding, changing and deleting are not offered, even to a superuser."""
    events_before = AuditEvent.objects.count()
    add = admin_client.get(reverse("admin:audit_auditevent_add"))
    change = admin_client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "login"}
    )
    delete = admin_client.post(
        reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.action == "view"
    # Nothing changed; the three refusals are themselves in the trail.
    added = AuditEvent.objects.order_by("sequence")[events_before:]
    assert [e.action for e in added] == ["denied"] * 3
