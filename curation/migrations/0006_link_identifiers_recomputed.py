"""Submitted links' identifiers recomputed, as catalog 0012 does for published links."""

from django.db import migrations

from catalog.identifiers import recompute_identifiers


def recompute(apps, schema_editor):
    recompute_identifiers(apps.get_model("curation", "SubmissionLink"))


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0005_reviewer_protected"),
        ("catalog", "0012_link_identifiers_recomputed"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
