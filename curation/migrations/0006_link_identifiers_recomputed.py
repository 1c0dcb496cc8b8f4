"""Submitted links' identifiers recomputed, as catalog 0012 does for published links."""

from django.db import migrations

from catalog.identifiers import identifier_for_url


def recompute(apps, schema_editor):
    SubmissionLink = apps.get_model("curation", "SubmissionLink")
    changed = []
    for link in SubmissionLink.objects.only("pk", "url", "identifier").iterator(chunk_size=2000):
        identifier = identifier_for_url(link.url)
        if identifier != link.identifier:
            link.identifier = identifier
            changed.append(link)
    SubmissionLink.objects.bulk_update(changed, ["identifier"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0005_reviewer_protected"),
        ("catalog", "0012_link_identifiers_recomputed"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
