"""Give the Maintainers group this app's permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from quality.maintainers import grant_maintainers


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("quality")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    grant_maintainers(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_seed_venue_vocabulary"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("curation", "0002_maintainers_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
