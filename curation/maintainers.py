"""The "Maintainers" group: may review submissions and edit the catalog.

Created by a data migration, and again after every flush (post_migrate), so a test database
emptied between transactional tests still has it.
"""

GROUP = "Maintainers"
PERMISSIONS = {
    "curation": ["review_submission", "view_submission", "change_submission"],
    "catalog": [
        f"{verb}_{model}"
        for model in ("paper", "link", "placement", "section", "newsitem", "workshop")
        for verb in ("add", "change", "delete", "view")
    ]
    + ["change_readmedocument", "view_readmedocument"],
}


def ensure_maintainers_group(group_model, permission_model) -> None:
    """Works with the real models and with a migration's historical ones."""
    group, _ = group_model.objects.get_or_create(name=GROUP)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )
