"""Links' identifiers recomputed: more copies of an arXiv paper's address are recognised as that
paper (`?context=cs`, `#comments`, browse.arxiv.org, its 10.48550 DOI), so a link stored
before is found by the duplicate checks like one typed today. Only changed rows are written."""

from django.db import migrations

from catalog.identifiers import identifier_for_url


def recompute(apps, schema_editor):
    Link = apps.get_model("catalog", "Link")
    changed = []
    for link in Link.objects.only("pk", "url", "identifier").iterator(chunk_size=2000):
        identifier = identifier_for_url(link.url)
        if identifier != link.identifier:
            link.identifier = identifier
            changed.append(link)
    Link.objects.bulk_update(changed, ["identifier"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_search_ignores_accents")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
