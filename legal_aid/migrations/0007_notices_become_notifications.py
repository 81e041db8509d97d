import re

from django.db import migrations

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def notices_to_notifications(apps, schema_editor):
    """
    Each "document revoked" notice becomes a notification whose target is the document its link
    named; a dismissed notice is a read notification. The reference text is not carried over:
    it is read from the document when the notification is shown.
    """
    Notice = apps.get_model("accounts", "Notice")
    Notification = apps.get_model("accounts", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    document_type, _ = ContentType.objects.get_or_create(
        app_label="legal_aid", model="advocacydocument"
    )
    for notice in Notice.objects.all().iterator():
        found = UUID.search(notice.url or "")
        notification = Notification.objects.create(
            recipient_id=notice.user_id,
            kind=notice.kind,
            target_type=document_type if found else None,
            target_id=found.group(0) if found else "",
            read_at=notice.dismissed_at,
        )
        Notification.objects.filter(pk=notification.pk).update(created_at=notice.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("legal_aid", "0006_provenance_and_further_authorities"),
    ]

    operations = [
        migrations.RunPython(notices_to_notifications, migrations.RunPython.noop),
    ]
