"""The search listing's index orders titles regardless of case (lower(title)), as the search
now does: "AUTOACT" among the A's, not before "Adversarial"."""

import catalog.models
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_title_statistics'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='paper',
            name='paper_newest_then_title',
        ),
        migrations.AddIndex(
            model_name='paper',
            index=models.Index(models.OrderBy(catalog.models.YearOrZero('year'), descending=True), django.db.models.functions.text.Lower('title'), models.F('id'), name='paper_newest_then_title_ci'),
        ),
    ]
