"""Check every link of the catalog and store the results (shown in the admin)."""

from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Link
from quality.links import links_check
from quality.services import link_checks_store


class Command(BaseCommand):
    help = (
        "Checks every link (HEAD, then a ranged GET where HEAD is refused) concurrently, with "
        "timeouts and a per-host limit, skipping the hosts on the skip list; stores the results."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=settings.LINK_CHECK_TIMEOUT)
        parser.add_argument("--concurrency", type=int, default=settings.LINK_CHECK_CONCURRENCY)
        parser.add_argument("--per-host", type=int, default=settings.LINK_CHECK_PER_HOST)
        parser.add_argument(
            "--skip-host",
            action="append",
            default=[],
            metavar="HOST",
            help="Also skip this host (and its subdomains); repeatable.",
        )

    def handle(self, *args, timeout, concurrency, per_host, skip_host, **options):
        if timeout <= 0 or concurrency < 1 or per_host < 1:
            raise CommandError(
                "--timeout must be positive, --concurrency and --per-host at least 1."
            )
        links = list(Link.objects.order_by("id").values_list("id", "url"))
        skip = {host.lower() for host in [*settings.LINK_CHECK_SKIP_HOSTS, *skip_host]}
        results = links_check(
            links,
            timeout=timeout,
            concurrency=concurrency,
            per_host=per_host,
            skip_hosts=skip,
            private_hosts=settings.LINK_CHECK_PRIVATE_HOSTS,
        )
        link_checks_store(results=results)
        problems = [r for r in results if r.outcome not in {"ok", "redirect", "skipped"}]
        for result in sorted(problems, key=lambda r: r.link_id):
            code = result.status_code or "-"
            self.stdout.write(
                f"{result.outcome.upper()} {code} {result.url} {result.detail}".rstrip()
            )
        counts = Counter(r.outcome for r in results)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        self.stdout.write(f"Checked {len(results)} link(s): {summary or 'none'}.")
        if problems:
            raise CommandError(f"{len(problems)} link(s) do not work.")
