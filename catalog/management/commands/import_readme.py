from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from catalog.readme.importer import readme_import


class Command(BaseCommand):
    help = (
        "Import a README in the list's format into the catalog (an upsert, in one transaction). "
        "Unreadable lines are reported as warnings with their line number; the exit code stays "
        "0 unless --strict is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The README.md to import.")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail (and import nothing) if any line could not be read.",
        )
        parser.add_argument(
            "--timestamp",
            help="ISO datetime given to created rows instead of now (reproducible fixtures).",
        )

    def handle(self, *args, path: str, strict: bool, timestamp: str | None, **options):
        now = None
        if timestamp:
            now = parse_datetime(timestamp)
            if now is None or now.tzinfo is None:
                raise CommandError(f"--timestamp {timestamp!r} is not an ISO datetime with zone")
        try:
            text = Path(path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            report = readme_import(text=text, stdout=self.stdout, now=now, strict=strict)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(report.summary())
