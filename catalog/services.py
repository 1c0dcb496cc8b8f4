"""Catalog actions that maintainers take through the admin."""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, router, transaction

from catalog.models import Paper, Placement, Section
from catalog.selectors import paper_link_twin
from catalog.selectors_pages import current_tree


def advisory_locks(keys: list[str], *, key_sql: str = "%s") -> None:
    """Transaction-level advisory locks on PostgreSQL, in sorted order so no two transactions
    wait for each other in a cycle; SQLite's BEGIN IMMEDIATE already serializes writers.
    `key_sql` makes the lock's key from each key in SQL (as a query would compare it)."""
    connection = connections[router.db_for_write(Paper)]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute(f"SELECT pg_advisory_xact_lock(hashtextextended({key_sql}, 0))", [key])


def paper_links_lock(identifiers: list[str]) -> None:
    """Whatever may give a published paper these paper links (an approval, a link typed in the
    admin, a paper listed in a section again) waits here for any other doing so until it
    commits, then checks: no row exists yet to lock, so an advisory lock per identifier
    stands in."""
    advisory_locks([f"paper:{identifier}" for identifier in identifiers if identifier])


def paper_relisting_twin(
    *,
    paper: Paper,
    paper_link_ids: list[str] | None = None,
    other_than: Placement | None = None,
) -> Paper | None:
    """Before `paper` is placed in a section: the other published paper that would make it
    listed twice, if any. Only a paper in no section (but for the row `other_than`, being
    edited) can be: while it was off the list, its paper link could be published with
    another record. `paper_link_ids`: its paper links as the same edit leaves them (default:
    as stored). Waits first for any approval of those links (paper_links_lock)."""
    placements = Placement.objects.filter(paper=paper)
    if other_than is not None and other_than.pk is not None:
        placements = placements.exclude(pk=other_than.pk)
    if placements.exists():
        return None  # listed already: no second record appears
    if paper_link_ids is None:
        paper_link_ids = [link.identifier for link in paper.links.all() if link.label == "paper"]
    paper_links_lock(paper_link_ids)
    return paper_link_twin(paper, paper_link_ids)


def position_make_room(
    *, item: Placement | Section, actor: AbstractBaseUser, moving: frozenset[int] = frozenset()
) -> int:
    """Before `item` is saved at its position: if a sibling (a placement in the same section, a
    section under the same parent) holds that position, make room, so a position means "here",
    as its help text says, and the admin, the site and the README agree on the order. Each
    moved sibling is saved (the catalog's caches follow) and logged in the admin history.
    Returns how many moved.

    A new row, or one from another list, pushes the sibling at its position and those after it
    down by one. A row moved alone within its list shifts only the siblings it passes: moved
    up, those from the new position to its old one go down by one; moved down (1 to 3), those
    after its old position up to the new one go up by one, so it is third, not second behind a
    gap.

    `moving`: siblings the same edit gives new positions too (several rows of a list edited in
    one save): they are leaving their places, so they neither hold a position nor get pushed
    along. Each such row is then placed as typed, pushing down the rows that stay: shifting
    the rows it passes could put one where another edited row was just placed."""
    model, parent_field = _list_of(item)
    siblings = model.objects.filter(**{parent_field: getattr(item, parent_field)})
    siblings = siblings.exclude(pk__in={item.pk, *moving} - {None})
    with transaction.atomic():
        before = (
            model.objects.filter(pk=item.pk).values_list(parent_field, "position").first()
            if item.pk is not None
            else None
        )
        alone = not (moving - {item.pk})
        old = before[1] if alone and before and before[0] == getattr(item, parent_field) else None
        if old is not None and old < item.position:
            # Even to a free position past the others: those it passes close its old place.
            passed, step = siblings.filter(position__gt=old, position__lte=item.position), -1
        else:
            if not siblings.filter(position=item.position).exists():
                return 0
            passed, step = siblings.filter(position__gte=item.position), 1
            if old is not None:
                passed = passed.filter(position__lt=old)
        # Locked in primary-key order, as approvals lock sections (curation.services._place),
        # so the two never wait on each other in a cycle; then moved so that no two share a
        # position on the way (the last first when moving down).
        locked = passed.select_for_update().order_by("pk")
        moved = sorted(locked, key=lambda sibling: (sibling.position, sibling.pk), reverse=step > 0)
        for sibling in moved:
            _move(sibling, sibling.position + step, actor=actor, why=f"to make room for “{item}”")
    return len(moved)


def _list_of(item: Placement | Section) -> tuple[type[Placement | Section], str]:
    """The model of `item`'s list and the field that names the list."""
    return (Placement, "section_id") if isinstance(item, Placement) else (Section, "parent_id")


def admin_history_log(
    *, actor: AbstractBaseUser, model: type, pk: int, message: str, flag: int = CHANGE
) -> None:
    """A line in a row's admin History (its page's History button), as an admin edit writes."""
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=model.objects.filter(pk=pk),
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def _move(row: Placement | Section, position: int, *, actor: AbstractBaseUser, why: str) -> None:
    """Save `row` at `position`, logged in its admin history (the catalog's caches follow)."""
    row.position = position
    row.save(update_fields=["position"])
    message = f"Moved to position {position} {why}"
    admin_history_log(actor=actor, model=type(row), pk=row.pk, message=message)
    if isinstance(row, Placement):
        placement_log_on_paper(placement=row, actor=actor, message=message)


def placement_log_on_paper(*, placement: Placement, actor: AbstractBaseUser, message: str) -> None:
    """The same change in the admin History of the placement's paper, named by its numbered
    section: where a maintainer looks for where a paper was listed and moved, whichever list
    the move was made in."""
    # The memoized tree: a move that makes room logs every row it pushes.
    node = current_tree().by_pk.get(placement.section_id)
    label = node.label if node else placement.section.title
    admin_history_log(
        actor=actor, model=Paper, pk=placement.paper_id, message=f"In “{label}”: {message}"
    )


def positions_arrange(
    *, item: Placement | Section, targets: dict[int, int], actor: AbstractBaseUser
) -> dict[int, int]:
    """Several rows of one list (the placements of a section, the sections under a parent)
    given new positions in one save: each lands where it was typed, and the rows that stay
    keep their order in the places left, numbered 1 to n with no gap or tie (typed past the
    end: the end; two typed alike: in the list's order). `item` names the list; `targets`
    maps the moving rows to their typed positions. The rows that stay and move are saved and
    logged; returns the moving rows' positions, for their own saves."""
    model, parent_field = _list_of(item)
    with transaction.atomic():
        # Locked in primary-key order, as position_make_room and approvals lock them.
        rows = list(
            model.objects.filter(**{parent_field: getattr(item, parent_field)})
            .select_for_update()
            .order_by("pk")
        )
        rows.sort(key=lambda row: (row.position, row.pk))
        count = len(rows)
        # By typed position (ties: in the list's order), each after the one before.
        slots, previous = [], 0
        for pk, target in sorted(targets.items(), key=lambda pair: pair[1]):
            previous = max(min(max(target, 1), count), previous + 1)
            slots.append([pk, previous])
        for index in range(len(slots) - 1, -1, -1):  # past the end: pulled back in order
            slots[index][1] = min(slots[index][1], count - (len(slots) - 1 - index))
        placed = {pk: slot for pk, slot in slots}
        taken = set(placed.values())
        free = iter(slot for slot in range(1, count + 1) if slot not in taken)
        for row in rows:
            if row.pk in placed:
                continue
            slot = next(free)
            if row.position != slot:
                _move(row, slot, actor=actor, why="around the rows moved in one save")
    return placed
