"""SQLite only: an FTS5 index over the papers' titles and authors, kept current by triggers.

An external-content table (`content='catalog_paper'`): it stores the index, not a second copy
of the text. The triggers follow every write path (save, QuerySet.update, bulk_create,
loaddata, raw SQL), as the generated column of 0002 does on PostgreSQL; `rank` is set to
bm25 with the title weighted over the authors. catalog.search reads it; on PostgreSQL
nothing happens here.
"""

from django.db import migrations

TABLE = "catalog_paper_fts"
FORWARD = [
    f"""
    CREATE VIRTUAL TABLE {TABLE} USING fts5(
        title, authors, content='catalog_paper', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER {TABLE}_insert AFTER INSERT ON catalog_paper BEGIN
        INSERT INTO {TABLE}(rowid, title, authors) VALUES (new.id, new.title, new.authors);
    END
    """,
    f"""
    CREATE TRIGGER {TABLE}_delete AFTER DELETE ON catalog_paper BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, authors)
        VALUES ('delete', old.id, old.title, old.authors);
    END
    """,
    f"""
    CREATE TRIGGER {TABLE}_update AFTER UPDATE OF id, title, authors ON catalog_paper BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, authors)
        VALUES ('delete', old.id, old.title, old.authors);
        INSERT INTO {TABLE}(rowid, title, authors) VALUES (new.id, new.title, new.authors);
    END
    """,
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
    # ORDER BY rank: title matches count ten times an authors match.
    f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('rank', 'bm25(10.0, 1.0)')",
]
BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def run_on_sqlite(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_key_base_search_order")]

    operations = [migrations.RunPython(run_on_sqlite(FORWARD), run_on_sqlite(BACKWARD))]
