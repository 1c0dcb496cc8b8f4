"""The paper's year is checked where it is typed (the admin's form too): from 1900 to next
year, with the message next to the field, before the database's wider constraint."""

import catalog.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0008_search_order_ignores_case'),
    ]

    operations = [
        migrations.AlterField(
            model_name='paper',
            name='year',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[catalog.models.validate_publication_year]),
        ),
    ]
