"""PostgreSQL only: search ignores accents, as SQLite's FTS5 does (`koksal` finds "Köksal").

The stored search vector is rebuilt over `catalog_unaccent(text)`, an immutable wrapper of the
`unaccent` extension (a generated column may only call immutable functions, and unaccent()
itself is only stable because its dictionary could change); catalog.search passes the query
through the same function.
"""

from django.db import migrations

VECTOR = """
    ALTER TABLE catalog_paper ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, {title}), 'A')
        || setweight(to_tsvector('english'::regconfig, {authors}), 'B')
    ) STORED
"""
INDEX = "CREATE INDEX catalog_paper_search_vector_gin ON catalog_paper USING GIN (search_vector)"
DROP = [
    "DROP INDEX IF EXISTS catalog_paper_search_vector_gin",
    "ALTER TABLE catalog_paper DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Kept when the migration is undone: other things may use the extension, and whoever
    # created it may not be this database's owner.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = %s", ["unaccent"]
        )
        schema = cursor.fetchone()[0]
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION catalog_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$
        """
    )
    for statement in DROP:
        schema_editor.execute(statement)
    schema_editor.execute(
        VECTOR.format(
            title="catalog_unaccent(coalesce(title, ''))",
            authors="catalog_unaccent(coalesce(authors, ''))",
        )
    )
    schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)
    schema_editor.execute(
        VECTOR.format(title="coalesce(title, '')", authors="coalesce(authors, '')")
    )
    schema_editor.execute(INDEX)
    schema_editor.execute("DROP FUNCTION IF EXISTS catalog_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_section_tree_and_link_validators")]

    operations = [migrations.RunPython(forward, backward)]
