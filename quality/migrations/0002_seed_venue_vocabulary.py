"""Seed the venue vocabulary with the venues of the seed catalog and their usual aliases."""

from django.db import migrations

from quality.venues import ensure_seed_vocabulary


def seed(apps, schema_editor):
    ensure_seed_vocabulary(apps.get_model("quality", "Venue"), apps.get_model("quality", "VenueAlias"))


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
