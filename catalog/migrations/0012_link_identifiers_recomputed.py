"""Links' identifiers recomputed: more copies of an arXiv paper's address are recognised as that
paper (`?context=cs`, `#comments`, browse.arxiv.org, its 10.48550 DOI), so a link stored
before is found by the duplicate checks like one typed today. Only changed rows are written."""

from django.db import migrations

from catalog.identifiers import recompute_identifiers


def recompute(apps, schema_editor):
    recompute_identifiers(apps.get_model("catalog", "Link"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_search_ignores_accents")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
