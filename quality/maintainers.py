"""What the Maintainers group (curation.maintainers) may do here: edit the venue vocabulary,
read link checks and the catalog report.

Kept beside the app rather than in curation.maintainers.PERMISSIONS: curation's data migration
walks that dict with historical apps, which predate this app.
"""

from curation.maintainers import GROUP

PERMISSIONS = [
    f"{verb}_{model}"
    for model in ("venue", "venuealias")
    for verb in ("add", "change", "delete", "view")
] + ["view_linkcheck", "delete_linkcheck", "view_catalog_report"]


def grant_maintainers(group_model, permission_model) -> None:
    """Works with the real models and with a migration's historical ones."""
    group, _ = group_model.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="quality", codename__in=PERMISSIONS
        )
    )
