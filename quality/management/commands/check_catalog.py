"""Print the catalog report; exit 1 when it has errors."""

from django.core.management.base import BaseCommand, CommandError

from quality.checks import catalog_report


class Command(BaseCommand):
    help = (
        "Checks the catalog: required fields, stray formatting, venues outside the vocabulary, "
        "a paper link on two papers, empty sections, old preprints. Exits 1 on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--preprint-age",
            type=int,
            default=None,
            metavar="YEARS",
            help="Warn about preprints at least this many years old "
            "(default: the PREPRINT_MAX_AGE_YEARS setting).",
        )
        parser.add_argument(
            "--errors-only", action="store_true", help="Print errors, not warnings."
        )

    def handle(self, *args, preprint_age, errors_only, **options):
        if preprint_age is not None and preprint_age < 0:
            raise CommandError("--preprint-age must be 0 or more.")
        report = catalog_report(preprint_max_age_years=preprint_age)
        for check, findings in report.by_check().items():
            shown = [f for f in findings if not errors_only or f.severity == "error"]
            if not shown:
                continue
            self.stdout.write(f"== {check} ({len(shown)})")
            for finding in shown:
                self.stdout.write(
                    f"{finding.severity.upper()} {finding.subject}: {finding.message}"
                )
        self.stdout.write(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s).")
        if report.errors:
            raise CommandError(f"The catalog has {len(report.errors)} error(s).")
