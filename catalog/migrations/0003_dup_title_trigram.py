"""PostgreSQL only: a GIN trigram index on the paper title, so the duplicate check at
submission shortlists near-identical titles with pg_trgm (`title % query`) instead of reading
every title (curation.duplicates). pg_trgm itself is enabled by 0002_search."""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS catalog_paper_title_trgm ON catalog_paper "
    "USING GIN (title gin_trgm_ops)"
)
BACKWARD = "DROP INDEX IF EXISTS catalog_paper_title_trgm"


def run_on_postgresql(statement):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search")]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD)),
    ]
