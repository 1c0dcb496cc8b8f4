"""Paper.key_base (the BibTeX key before its uniqueness suffix, indexed), filled for existing
rows, and an index in the search page's order (newest year first, none last, title, id)."""

from django.db import migrations, models

import catalog.models

from catalog.bibtex import citation_key_base


def fill_key_base(apps, schema_editor):
    Paper = apps.get_model("catalog", "Paper")
    papers = list(Paper.objects.only("authors", "year", "title"))
    for paper in papers:
        paper.key_base = citation_key_base(paper.authors, paper.year, paper.title)
    Paper.objects.bulk_update(papers, ["key_base"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_dup_title_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="key_base",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=1100),
        ),
        migrations.RunPython(fill_key_base, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                models.OrderBy(catalog.models.YearOrZero("year"), descending=True),
                models.F("title"),
                models.F("id"),
                name="paper_newest_then_title",
            ),
        ),
    ]
