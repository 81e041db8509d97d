from django.db import migrations


def to_accounts(apps, schema_editor):
    """Each check-in notification becomes an accounts notification whose target is its case."""
    Old = apps.get_model("casework", "Notification")
    Notification = apps.get_model("accounts", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type, _ = ContentType.objects.get_or_create(app_label="casework", model="case")
    for old in Old.objects.all().iterator():
        new = Notification.objects.create(
            recipient_id=old.recipient_id,
            kind=old.kind,
            target_type=case_type if old.case_id else None,
            target_id=str(old.case_id) if old.case_id else "",
            read_at=old.read_at,
        )
        Notification.objects.filter(pk=new.pk).update(created_at=old.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_notifications"),
        ("casework", "0013_name_keys"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(to_accounts, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
