"""Look up every arXiv paper and propose corrections for maintainers to review."""

from django.core.management.base import BaseCommand, CommandError

from quality.refresh import refresh
from quality.services import metadata_correction_propose


class Command(BaseCommand):
    help = (
        "Looks up every published paper with an arXiv link (arXiv API, Crossref for DOIs) and "
        "proposes correction submissions where it was published since or its link shows "
        "another paper. Proposals already open are not repeated."
    )

    def handle(self, *args, **options):
        result = refresh(say=lambda line: self.stdout.write(line))
        created = sum(
            1 for proposal in result.proposals if metadata_correction_propose(proposal=proposal)
        )
        already_open = len(result.proposals) - created
        self.stdout.write(
            f"Looked up {result.looked_up} arXiv paper(s) in {result.requests} request(s): "
            f"{created} correction(s) proposed, {already_open} already open, "
            f"{len(result.not_found)} not found on arXiv, {len(result.failures)} failed lookup(s)."
        )
        if result.failures:
            # Each failure was printed as it happened (FAILED …); the error only sums up.
            raise CommandError(
                f"{len(result.failures)} lookup(s) failed (the lines marked FAILED above); "
                "the rest were done. Run the command again when the sources answer."
            )
