"""Catalog actions that maintainers take through the admin."""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from catalog.models import Placement, Section


def position_make_room(
    *, item: Placement | Section, actor: AbstractBaseUser, moving: frozenset[int] = frozenset()
) -> int:
    """Before `item` is saved at its position: if a sibling (a placement in the same section, a
    section under the same parent) holds that position, move it and every sibling after it
    down by one, so a position means "here", as its help text says, and the admin, the site and
    the README agree on the order. Each moved sibling is saved (the catalog's caches follow)
    and logged in the admin history. Returns how many moved.

    `moving`: siblings the same edit gives new positions too (two rows swapped in a list):
    they are leaving their places, so they neither hold a position nor get pushed along."""
    if isinstance(item, Placement):
        siblings = Placement.objects.filter(section_id=item.section_id)
    else:
        siblings = Section.objects.filter(parent_id=item.parent_id)
    siblings = siblings.exclude(pk__in={item.pk, *moving} - {None})
    with transaction.atomic():
        if not siblings.filter(position=item.position).exists():
            return 0
        # Locked in primary-key order, as approvals lock sections (curation.services._place),
        # so the two never wait on each other in a cycle; moved last first.
        locked = siblings.select_for_update().filter(position__gte=item.position).order_by("pk")
        moved = sorted(locked, key=lambda sibling: (sibling.position, sibling.pk), reverse=True)
        for sibling in moved:  # last first: no two share a position on the way
            sibling.position += 1
            sibling.save(update_fields=["position"])
            LogEntry.objects.log_actions(
                user_id=actor.pk,
                queryset=type(sibling).objects.filter(pk=sibling.pk),
                action_flag=CHANGE,
                change_message=f"Moved to position {sibling.position} to make room for “{item}”",
                single_object=True,
            )
    return len(moved)
