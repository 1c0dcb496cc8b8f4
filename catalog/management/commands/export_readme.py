from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from catalog.readme.export import readme_diff, render_readme, write_readme


class Command(BaseCommand):
    help = "Render the README from the published catalog to stdout or a file, or check a file."
    # A read of the catalog: the system checks (a sixth of the command's time on 100,000
    # placements) belong to deploys and `manage.py check`, which CI runs.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default="-", help="Where to write; `-` (the default) is stdout."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 with a unified diff if --output is not up to date.",
        )

    def handle(self, *args, output: str, check: bool, **options):
        try:
            text = render_readme()
        except DatabaseError as exc:
            # Asked only on failure: loading the migration graph costs the export's start-up.
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                raise CommandError(
                    "The database is not migrated: run `python manage.py migrate` (and "
                    "`python manage.py seed_catalog` for the seed catalog) first."
                ) from exc
            raise
        if check:
            if output == "-":
                raise CommandError("--check needs --output PATH, the file to compare.")
            diff = readme_diff(path=Path(output), text=text)
            if diff:
                self.stdout.write(diff, ending="")
                raise CommandError(f"{output} is stale: run export_readme --output {output}")
            self.stdout.write(f"{output} is up to date.")
            return
        if output == "-":
            self.stdout.write(text, ending="")
            return
        try:
            changed = write_readme(output, text=text)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        self.stdout.write(f"Wrote {output}." if changed else f"{output} already up to date.")
