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
    # Nothing of casework, consent or audit: the groups get the permissions that exist when this
    # runs, and the post_migrate receiver `keep_role_groups_complete` gives them the rest at the end
    # of every migrate. Depending on those apps put casework before accounts and accounts' later
    # migrations after casework's first, which let no squash of either app's migrations exist.
    dependencies = [
        ("accounts", "0002_user_session_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
