import re

from django.db import migrations

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def notices_to_notifications(apps, schema_editor):
    """
    Each "document revoked" notice (and "intake sent back") becomes a notification whose target is the document its link
    named; a dismissed notice is a read notification. The reference text is not carried over:
    it is read from the document when the notification is shown.
    """
    Notice = apps.get_model("accounts", "Notice")
    Notification = apps.get_model("accounts", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    document_type, _ = ContentType.objects.get_or_create(
        app_label="legal_aid", model="advocacydocument"
    )
    intake_type, _ = ContentType.objects.get_or_create(app_label="intake", model="intakesubmission")
    for notice in Notice.objects.all().iterator():
        found = UUID.search(notice.url or "")
        # An intake sent back (the only other kind of notice) names the intake in its link.
        returned = notice.kind == "intake_returned"
        notification = Notification.objects.create(
            recipient_id=notice.user_id,
            kind="intake_sent_back" if returned else notice.kind,
            target_type=(intake_type if returned else document_type) if found else None,
            target_id=found.group(0) if found else "",
            read_at=notice.dismissed_at,
        )
        Notification.objects.filter(pk=notification.pk).update(created_at=notice.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("legal_aid", "0007_recipient_format"),
    ]

    operations = [
        migrations.RunPython(notices_to_notifications, migrations.RunPython.noop),
    ]
