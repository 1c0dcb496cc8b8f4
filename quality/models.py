"""The venue vocabulary and the results of link checks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from catalog.models import Link


class Venue(models.Model):
    """A canonical venue name as the list shows it: `NeurIPS`, `arXiv`, `Findings of ACL`."""

    name = models.CharField(max_length=300, unique=True)
    is_preprint = models.BooleanField(
        default=False, help_text="A preprint server (arXiv): papers here may be published since."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="venue_name_not_empty"),
            models.UniqueConstraint(Lower("name"), name="venue_name_unique_casefold"),
        ]
        permissions = [("view_catalog_report", "Can view the catalog quality report")]

    def __str__(self) -> str:
        return self.name


class VenueAlias(models.Model):
    """Another spelling of a venue: `NIPS` and `Advances in Neural Information Processing
    Systems` are NeurIPS. Matched without regard to case."""

    venue = models.ForeignKey(Venue, related_name="aliases", on_delete=models.CASCADE)
    alias = models.CharField(max_length=300)

    class Meta:
        ordering = ["alias"]
        verbose_name_plural = "venue aliases"
        constraints = [
            models.CheckConstraint(condition=~Q(alias=""), name="venue_alias_not_empty"),
            models.UniqueConstraint(Lower("alias"), name="venue_alias_unique_casefold"),
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.venue.name}"


class LinkCheck(models.Model):
    """The latest check of one link: when, what came back, and what that means."""

    class Outcome(models.TextChoices):
        OK = "ok", "OK"
        REDIRECT = "redirect", "Redirected"
        BROKEN = "broken", "Broken (4xx)"
        SERVER_ERROR = "server_error", "Server error (5xx)"
        TIMEOUT = "timeout", "Timed out"
        ERROR = "error", "Connection error"
        SKIPPED = "skipped", "Skipped (host on the allow-list)"

    link = models.OneToOneField(Link, related_name="check_result", on_delete=models.CASCADE)
    checked_at = models.DateTimeField(db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(
        max_length=10, blank=True, help_text="HEAD, or GET when HEAD was refused."
    )
    final_url = models.URLField(max_length=1000, blank=True, help_text="Where a redirect led.")
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-checked_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status_code__isnull=True)
                | Q(status_code__gte=100, status_code__lte=599),
                name="link_check_status_code_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link.url}: {self.get_outcome_display()}"

    @property
    def is_problem(self) -> bool:
        return self.outcome not in {self.Outcome.OK, self.Outcome.REDIRECT, self.Outcome.SKIPPED}
