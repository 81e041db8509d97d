from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import install_role_groups


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after the last migration; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    install_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_session_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("casework", "0001_initial"),
        ("consent", "0001_initial"),
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
