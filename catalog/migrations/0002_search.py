"""PostgreSQL only: the papers' full-text search vector, its GIN index, and pg_trgm.

The vector is a stored generated column rather than a model field, so the database keeps it
current on every write path (save, QuerySet.update, bulk_create, loaddata) and SQLite, which
has no tsvector, never sees it. catalog.search reads it; on other databases nothing happens
here and catalog.search falls back to LIKE. pg_trgm serves near-duplicate title checks.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FORWARD = [
    """
    ALTER TABLE catalog_paper ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(authors, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX catalog_paper_search_vector_gin ON catalog_paper USING GIN (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalog_paper_search_vector_gin",
    "ALTER TABLE catalog_paper DROP COLUMN IF EXISTS search_vector",
]


def run_on_postgresql(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        # Django's operation: a no-op on other databases.
        TrigramExtension(),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD)),
    ]
