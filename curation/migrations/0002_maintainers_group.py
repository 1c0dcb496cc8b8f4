"""The "Maintainers" group: may review submissions and edit the catalog."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from curation.maintainers import GROUP, PERMISSIONS, ensure_maintainers_group


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    ensure_maintainers_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0001_initial"),
        ("curation", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
