"""PostgreSQL only: keep fewer statistics on the paper title.

The duplicate check's `title % query` (curation.duplicates) is planned by comparing the query
with every most-common value and histogram bound of the column: at the default target of 100
that is about 190 trigram similarities, 2–3 ms of planning per check, for an estimate the
check does not use (its plan is fixed). No other query filters on the title's value, so 10
loses nothing."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE catalog_paper ALTER COLUMN title SET STATISTICS 10",
    "ANALYZE catalog_paper",
]
BACKWARD = [
    "ALTER TABLE catalog_paper ALTER COLUMN title SET STATISTICS -1",
    "ANALYZE catalog_paper",
]


def run_on_postgresql(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_placement_reading_order")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD)),
    ]
